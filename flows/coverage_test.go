package flows

import (
	"testing"
	"time"
)

// TestNudgeAndCheckinTimes: a nudge falls at the start of the working day
// visits.every after the last contact (so one list a cadre a day), after
// the quiet hours and on a working day; a check-in checkin.after after it,
// out of the quiet hours only; with check-ins off none is scheduled.
func TestNudgeAndCheckinTimes(t *testing.T) {
	at := func(m time.Month, d, h, mi int) time.Time { return time.Date(2026, m, d, h, mi, 0, 0, shanghai) }
	weekday := func(t time.Time) bool {
		wd := t.In(shanghai).Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	s := &Service{Settings: Settings{Location: shanghai, Quiet: Window{Start: 21 * time.Hour, End: 7 * time.Hour},
		WorkingDay: weekday, CheckinAfter: 30 * 24 * time.Hour}}
	cases := []struct {
		name            string
		last            time.Time
		nudge, checkin  time.Time
		every, checkins time.Duration
	}{
		{"weekday", at(11, 2, 15, 30), at(12, 2, 7, 0), at(12, 2, 15, 30), 0, 0},                  // Mon -> Wed
		{"due on a Saturday", at(11, 5, 10, 0), at(12, 7, 7, 0), at(12, 5, 10, 0), 0, 0},          // -> Sat 12-05: Mon 12-07
		{"check-in in the quiet hours", at(11, 2, 22, 0), at(12, 2, 7, 0), at(12, 3, 7, 0), 0, 0}, // 22:00 -> next 07:00
		{"a week", at(11, 2, 15, 30), at(11, 9, 7, 0), at(12, 2, 15, 30), 7 * 24 * time.Hour, 0},
		{"check-ins off", at(11, 2, 15, 30), at(12, 2, 7, 0), time.Time{}, 0, -1},
	}
	for _, c := range cases {
		s.Settings.VisitsEvery = c.every
		s.Settings.CheckinAfter = 30 * 24 * time.Hour
		if c.checkins < 0 {
			s.Settings.CheckinAfter = 0
		}
		got := s.contact("H1", c.last, ContactVisit)
		if !got.NudgeAt.Equal(c.nudge) || !got.CheckinAt.Equal(c.checkin) {
			t.Errorf("%s: nudge %v check-in %v, want %v and %v", c.name, got.NudgeAt, got.CheckinAt, c.nudge, c.checkin)
		}
		if got.Week != WeekOf(c.last, shanghai).Label() {
			t.Errorf("%s: week %s", c.name, got.Week)
		}
	}
}

// TestCoverageTally: contacted and visited count from the last visits.every
// before the end of the week; rows list the lowest coverage first; the
// longest without contact put the never contacted first.
func TestCoverageTally(t *testing.T) {
	end := time.Date(2026, 12, 7, 0, 0, 0, 0, shanghai)
	day := 24 * time.Hour
	tl := coverageTally{since: end.Add(-30 * day), week: map[string]bool{"A": true}, visitedWeek: map[string]bool{},
		rows: newCovTally(), villages: newCovTally()}
	var cov Coverage
	hhs := []Household{{ID: "A", CadreID: "c1"}, {ID: "B", CadreID: "c1"}, {ID: "C", CadreID: "c2"}, {ID: "D", CadreID: "c2"}}
	last := map[string]LastContact{
		"A": {At: end.Add(-day), Visited: end.Add(-40 * day)}, // contacted; visited before the period
		"B": {At: end.Add(-31 * day)},                         // before the period
		"C": {At: end.Add(-29 * day), Visited: end.Add(-29 * day)},
	}
	for _, h := range hhs {
		tl.add(&cov, h, last[h.ID], tl.rows.get(h.CadreID))
	}
	if cov.Assigned != 4 || cov.Contacted != 2 || cov.Visited != 1 || cov.ContactedWeek != 1 {
		t.Fatalf("coverage %+v", cov)
	}
	rows := covRows(tl.rows)
	if len(rows) != 2 || rows[0].Name != "c1" || rows[0].Rate != (Rate{1, 2}) || rows[1].Rate != (Rate{1, 2}) {
		t.Fatalf("rows %+v", rows)
	}
	cadres := map[string]Cadre{"c1": {Name: "一"}, "c2": {Name: "二"}}
	long := longest(hhs, last, cadres, end)
	if len(long) != 4 || !long[0].Last.IsZero() || long[1].Days != 31 || long[3].Days != 1 {
		t.Fatalf("longest %+v", long)
	}
}
