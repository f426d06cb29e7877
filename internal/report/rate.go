package report

import (
	"fmt"

	"github.com/minqing/minqing/flows"
)

// WeekLabel is the ISO week as "2026-W48", or "" for a zero week.
func WeekLabel(w flows.Week) string {
	if w.Year == 0 {
		return ""
	}
	return fmt.Sprintf("%d-W%02d", w.Year, w.Number)
}
