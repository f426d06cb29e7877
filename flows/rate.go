package flows

import (
	"math"
	"strconv"
)

// RateUndefined is how a rate with an empty denominator is shown.
const RateUndefined = "—"

// Percent is the rate as a whole percentage; ok is false when the
// denominator is 0. It rounds to the nearest percent, except that a rate
// below 1 never shows as 100% and a rate above 0 never shows as 0%:
// 199/200 is 99%, 1/1000 is 1%.
func (r Rate) Percent() (p int, ok bool) {
	v, ok := r.Value()
	if !ok {
		return 0, false
	}
	p = int(math.Round(v * 100))
	switch {
	case p >= 100 && r.Num < r.Den:
		p = 99
	case p <= 0 && r.Num > 0 && r.Den > 0:
		p = 1
	}
	return p, true
}

// Format shows the rate as a whole percentage ("33%" for 1/3), or
// RateUndefined when its denominator is 0. The digest's text, chart and
// workbook all show rates this way.
func (r Rate) Format() string {
	p, ok := r.Percent()
	if !ok {
		return RateUndefined
	}
	return strconv.Itoa(p) + "%"
}

// Trend compares the rate with an earlier one as Format shows them: "↑"
// higher, "↓" lower, "→" the same percentage, and "" when either rate is
// undefined.
func (r Rate) Trend(prev Rate) string {
	c, ok1 := r.Percent()
	p, ok2 := prev.Percent()
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
