package report

import (
	"testing"

	"github.com/minqing/minqing/flows"
)

func TestWeekLabel(t *testing.T) {
	if got := WeekLabel(flows.Week{Year: 2026, Number: 48}); got != "2026-W48" {
		t.Errorf("WeekLabel = %q", got)
	}
	if got := WeekLabel(flows.Week{Year: 2026, Number: 3}); got != "2026-W03" {
		t.Errorf("WeekLabel = %q", got)
	}
	if got := WeekLabel(flows.Week{}); got != "" {
		t.Errorf("WeekLabel(zero) = %q", got)
	}
}
