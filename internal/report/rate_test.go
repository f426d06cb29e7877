package report

import (
	"testing"

	"github.com/minqing/minqing/flows"
)

func TestFormatRate(t *testing.T) {
	for _, tc := range []struct {
		r    flows.Rate
		want string
	}{
		{flows.Rate{}, "—"},
		{flows.Rate{Num: 0, Den: 0}, "—"},
		{flows.Rate{Num: 1, Den: 3}, "33%"},
		{flows.Rate{Num: 2, Den: 3}, "67%"},
		{flows.Rate{Num: 0, Den: 5}, "0%"},
		{flows.Rate{Num: 5, Den: 5}, "100%"},
		{flows.Rate{Num: 199, Den: 200}, "99%"}, // never 100% unless all
		{flows.Rate{Num: 1, Den: 1000}, "1%"},   // never 0% unless none
		{flows.Rate{Num: 1, Den: 2}, "50%"},
	} {
		if got := FormatRate(tc.r); got != tc.want {
			t.Errorf("FormatRate(%d/%d) = %q, want %q", tc.r.Num, tc.r.Den, got, tc.want)
		}
	}
}

func TestArrow(t *testing.T) {
	r := func(n, d int) flows.Rate { return flows.Rate{Num: n, Den: d} }
	for _, tc := range []struct {
		name      string
		cur, prev flows.Rate
		want      string
	}{
		{"up", r(2, 3), r(1, 3), "↑"},
		{"down", r(1, 3), r(2, 3), "↓"},
		{"same", r(1, 2), r(2, 4), "→"},
		{"same shown percent", r(333, 1000), r(1, 3), "→"},
		{"zero to some", r(1, 4), r(0, 4), "↑"},
		{"current undefined", r(0, 0), r(1, 2), ""},
		{"previous undefined", r(1, 2), r(0, 0), ""},
		{"both undefined", r(0, 0), r(0, 0), ""},
	} {
		if got := Arrow(tc.cur, tc.prev); got != tc.want {
			t.Errorf("%s: Arrow = %q, want %q", tc.name, got, tc.want)
		}
	}
}

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
