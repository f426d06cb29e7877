package report

import (
	"fmt"
	"math"

	"github.com/minqing/minqing/flows"
)

// Undefined is how a rate with an empty denominator is shown.
const Undefined = "—"

// percent is the rate as a whole percentage. It rounds to the nearest
// percent, except that a rate below 1 never shows as 100% and a rate above
// 0 never shows as 0%: 199/200 is 99%, 1/1000 is 1%.
func percent(r flows.Rate) (int, bool) {
	v, ok := r.Value()
	if !ok {
		return 0, false
	}
	p := int(math.Round(v * 100))
	switch {
	case p >= 100 && r.Num < r.Den:
		p = 99
	case p <= 0 && r.Num > 0 && r.Den > 0:
		p = 1
	}
	return p, true
}

// FormatRate returns the rate as a whole percentage ("33%" for 1/3), or "—"
// when its denominator is 0. A rate below 1 never rounds up to 100%, and a
// non-zero rate never rounds down to 0%.
func FormatRate(r flows.Rate) string {
	p, ok := percent(r)
	if !ok {
		return Undefined
	}
	return fmt.Sprintf("%d%%", p)
}

// Arrow compares this week's rate with last week's as FormatRate shows
// them: "↑" higher, "↓" lower, "→" the same percentage, and "" when either
// rate is undefined.
func Arrow(cur, prev flows.Rate) string {
	c, ok1 := percent(cur)
	p, ok2 := percent(prev)
	switch {
	case !ok1 || !ok2:
		return ""
	case c > p:
		return "↑"
	case c < p:
		return "↓"
	default:
		return "→"
	}
}

// WeekLabel is the ISO week as "2026-W48", or "" for a zero week.
func WeekLabel(w flows.Week) string {
	if w.Year == 0 {
		return ""
	}
	return fmt.Sprintf("%d-W%02d", w.Year, w.Number)
}
