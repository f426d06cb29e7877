package flows

import "testing"

func TestRateFormat(t *testing.T) {
	for _, tc := range []struct {
		r    Rate
		want string
	}{
		{Rate{}, "—"},
		{Rate{Num: 0, Den: 0}, "—"},
		{Rate{Num: 1, Den: 3}, "33%"},
		{Rate{Num: 2, Den: 3}, "67%"},
		{Rate{Num: 0, Den: 5}, "0%"},
		{Rate{Num: 5, Den: 5}, "100%"},
		{Rate{Num: 199, Den: 200}, "99%"}, // never 100% unless all
		{Rate{Num: 1, Den: 1000}, "1%"},   // never 0% unless none
		{Rate{Num: 1, Den: 2}, "50%"},
	} {
		if got := tc.r.Format(); got != tc.want {
			t.Errorf("Format(%d/%d) = %q, want %q", tc.r.Num, tc.r.Den, got, tc.want)
		}
	}
}

func TestRateTrend(t *testing.T) {
	r := func(n, d int) Rate { return Rate{Num: n, Den: d} }
	for _, tc := range []struct {
		name      string
		cur, prev Rate
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
		if got := tc.cur.Trend(tc.prev); got != tc.want {
			t.Errorf("%s: Trend = %q, want %q", tc.name, got, tc.want)
		}
	}
}
