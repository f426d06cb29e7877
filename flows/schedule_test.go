package flows

import (
	"testing"
	"time"
)

// TestAddSLAWorkingDays counts SLAs in working days, with a holiday and a
// make-up working day (调休).
func TestAddSLAWorkingDays(t *testing.T) {
	day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, shanghai) }
	holiday := day(10, 1, 0) // Thursday, National Day
	makeUp := day(10, 10, 0) // Saturday, worked in exchange
	working := func(t time.Time) bool {
		t = t.In(shanghai)
		y, m, d := t.Date()
		switch date := time.Date(y, m, d, 0, 0, 0, 0, shanghai); {
		case date.Equal(holiday):
			return false
		case date.Equal(makeUp):
			return true
		}
		return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
	}
	s := &Service{Settings: Settings{Location: shanghai, WorkingDay: working}}
	cases := []struct {
		name     string
		from     time.Time
		sla      time.Duration
		want     time.Time
		calendar time.Time
	}{
		{"within a working day", day(9, 28, 9), 3 * time.Hour, day(9, 28, 12), day(9, 28, 12)},
		{"over the weekend", day(9, 25, 10), 24 * time.Hour, day(9, 28, 10), day(9, 26, 10)}, // Friday 10:00 -> Monday 10:00
		{"over the holiday", day(9, 30, 10), 24 * time.Hour, day(10, 2, 10), day(10, 1, 10)}, // Wednesday -> Friday
		{"into the make-up day", day(10, 9, 12), 24 * time.Hour, day(10, 10, 12), day(10, 10, 12)},
		{"from a Sunday", day(10, 11, 15), 2 * time.Hour, day(10, 12, 2), day(10, 11, 17)}, // counts from Monday 00:00
	}
	for _, c := range cases {
		if got := s.AddSLA(c.from, c.sla); !got.Equal(c.want) {
			t.Errorf("%s: working days %v, want %v", c.name, got, c.want)
		}
		cal := &Service{Settings: Settings{Location: shanghai}}
		if got := cal.AddSLA(c.from, c.sla); !got.Equal(c.calendar) {
			t.Errorf("%s: calendar %v, want %v", c.name, got, c.calendar)
		}
	}
}

func TestParseDeadline(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	cases := []struct {
		in, reason string
		want       time.Time
		ok         bool
	}{
		{"2026-12-20 等材料", "等材料", time.Date(2026, 12, 20, 23, 59, 59, 0, shanghai), true},
		{"12-20", "", time.Date(2026, 12, 20, 23, 59, 59, 0, shanghai), true},
		{"12月18日，县里批复", "县里批复", time.Date(2026, 12, 18, 23, 59, 59, 0, shanghai), true},
		{"1/5 过年后", "过年后", time.Date(2027, 1, 5, 23, 59, 59, 0, shanghai), true}, // next such date
		{"12-01", "", time.Date(2026, 12, 1, 23, 59, 59, 0, shanghai), true},     // today
		{"2026-11-30", "", time.Time{}, false},                                   // before today
		{"2月30日", "", time.Time{}, false},
		{"明天", "", time.Time{}, false},
		{"2028-01-01", "", time.Time{}, false}, // more than a year ahead
	}
	for _, c := range cases {
		got, reason, ok := ParseDeadline(c.in, now, shanghai)
		if ok != c.ok || (ok && (!got.Equal(c.want) || reason != c.reason)) {
			t.Errorf("%q: %v %q %v, want %v %q %v", c.in, got, reason, ok, c.want, c.reason, c.ok)
		}
	}
}

func TestWeeks(t *testing.T) {
	w := WeekOf(time.Date(2026, 12, 6, 23, 59, 0, 0, shanghai), shanghai) // a Sunday night
	if w.Label() != "2026-W49" || !w.Start.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)) {
		t.Fatalf("%s from %v", w.Label(), w.Start)
	}
	if p := w.Previous(); p.Label() != "2026-W48" {
		t.Fatalf("previous %s", p.Label())
	}
	for _, label := range []string{"2026-W01", "2026-W53", "2027-W01", "2026-W49"} {
		got, err := ParseWeek(label, shanghai)
		if label == "2026-W53" { // 2026 has 53 ISO weeks
			if err != nil || got.Label() != label {
				t.Errorf("%s: %v %v", label, got.Label(), err)
			}
			continue
		}
		if err != nil || got.Label() != label {
			t.Errorf("%s: %s %v", label, got.Label(), err)
		}
	}
	for _, bad := range []string{"2026-48", "2027-W53", "W48", ""} {
		if _, err := ParseWeek(bad, shanghai); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestReminderHours: reminders fall due in working time. A deadline's
// reminder comes on its eve at sla.eve_reminder (on the working day before
// it when SLAs count working days), or on its day when the eve has passed;
// anything that would fall in the quiet hours waits for their end.
func TestReminderHours(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, shanghai) }
	weekdays := func(t time.Time) bool {
		wd := t.In(shanghai).Weekday()
		return wd != time.Saturday && wd != time.Sunday
	}
	calendar := &Service{Settings: Settings{Location: shanghai, Quiet: Window{21 * time.Hour, 7 * time.Hour}, EveReminder: 9 * time.Hour}}
	working := &Service{Settings: calendar.Settings}
	working.Settings.WorkingDay = weekdays
	early := &Service{Settings: calendar.Settings}
	early.Settings.EveReminder = 6 * time.Hour // inside the quiet hours
	friday := EndOfDay(at(4, 12, 0), shanghai)
	monday := EndOfDay(at(7, 12, 0), shanghai)
	for _, c := range []struct {
		name          string
		s             *Service
		deadline, now time.Time
		want          time.Time
	}{
		{"on the eve's morning", calendar, friday, at(1, 10, 0), at(3, 9, 0)},
		{"eve of a Monday, calendar days", calendar, monday, at(1, 10, 0), at(6, 9, 0)},
		{"eve of a Monday, working days", working, monday, at(1, 10, 0), at(4, 9, 0)},
		{"the eve's morning has passed", calendar, friday, at(3, 15, 0), at(4, 9, 0)},
		{"both mornings have passed", calendar, friday, at(4, 10, 0), time.Time{}},
		{"an eve hour in the quiet hours", early, friday, at(1, 10, 0), at(3, 7, 0)},
	} {
		if got := c.s.dueSoonAt(c.deadline, c.now); !got.Equal(c.want) {
			t.Errorf("%s: due-soon at %v, want %v", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		name  string
		s     *Service
		from  time.Time
		staff bool
		want  time.Time
	}{
		{"in working time", calendar, at(2, 15, 0), true, at(2, 15, 0)},
		{"a deadline's last second", calendar, friday, true, at(5, 7, 0)},
		{"past midnight", calendar, at(3, 2, 30), true, at(3, 7, 0)},
		{"Friday night, working days", working, friday, true, at(7, 7, 0)},
		{"Saturday noon, working days", working, at(5, 12, 0), true, at(7, 7, 0)}, // Monday 00:00 is quiet
		{"a household on Saturday", working, at(5, 12, 0), false, at(5, 12, 0)},
	} {
		if got := c.s.workingTime(c.from, c.staff); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// A deadline reminder is stale before the eve (an older deadline's item)
	// and once the deadline has passed.
	for _, c := range []struct {
		now  time.Time
		want bool
	}{{at(2, 23, 0), false}, {at(3, 0, 0), true}, {at(4, 23, 0), true}, {at(5, 7, 0), false}} {
		if got := calendar.dueSoon(friday, c.now); got != c.want {
			t.Errorf("due soon at %v: %v, want %v", c.now, got, c.want)
		}
	}
}
