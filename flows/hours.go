package flows

import "time"

// Window is a daily stretch of wall-clock time in the county's time zone,
// from Start (inclusive) to End (exclusive), both measured from midnight; it
// wraps over midnight when Start > End, as the quiet hours 21:00–07:00 do.
// The zero Window (Start == End) is empty.
type Window struct {
	Start, End time.Duration
}

// contains reports whether the wall-clock time of t (in its location) is
// inside w.
func (w Window) contains(t time.Time) bool {
	if w.Start == w.End {
		return false
	}
	h, m, s := t.Clock()
	tod := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
	if w.Start < w.End {
		return w.Start <= tod && tod < w.End
	}
	return tod >= w.Start || tod < w.End
}

// endAfter returns the first time after t at which the window ends.
func (w Window) endAfter(t time.Time) time.Time {
	end := atClock(t, w.End)
	if !end.After(t) {
		end = atClock(t.AddDate(0, 0, 1), w.End)
	}
	return end
}

// atClock returns the time of day d (since midnight) on t's day, in t's
// location.
func atClock(t time.Time, d time.Duration) time.Time {
	y, m, day := t.Date()
	return time.Date(y, m, day, int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second), 0, t.Location())
}

// startOfDay returns midnight at the start of t's day in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	return atClock(t.In(orUTC(loc)), 0)
}

// quietAt reports whether t is in the quiet hours.
func (s *Service) quietAt(t time.Time) bool { return s.Settings.Quiet.contains(t.In(s.location())) }

// workingTime returns the first moment at or after t at which a reminder
// may go out: outside the quiet hours and, for staff when SLAs count working
// days, on a working day.
func (s *Service) workingTime(t time.Time, staff bool) time.Time {
	loc := s.location()
	t = t.In(loc)
	for i := 0; i < 800; i++ { // each step passes a night or a day off: a year at most
		switch {
		case staff && s.Settings.WorkingDay != nil && !s.Settings.WorkingDay(t):
			t = startOfDay(t, loc).AddDate(0, 0, 1)
		case s.Settings.Quiet.contains(t):
			t = s.Settings.Quiet.endAfter(t)
		default:
			return t
		}
	}
	return t
}

// eve returns the start of the day before deadline's day: the working day
// before it when SLAs count working days.
func (s *Service) eve(deadline time.Time) time.Time {
	loc := s.location()
	day := startOfDay(deadline, loc).AddDate(0, 0, -1)
	for i := 0; i < 366 && s.Settings.WorkingDay != nil && !s.Settings.WorkingDay(day); i++ {
		day = day.AddDate(0, 0, -1)
	}
	return day
}

// dueSoonAt returns when the cadre is reminded of deadline, scheduled at
// now: at sla.eve_reminder on its eve (see eve), moved out of the quiet
// hours; when that has passed, at the same hour on the deadline's day; zero
// when that has passed too (or falls after the deadline).
func (s *Service) dueSoonAt(deadline, now time.Time) time.Time {
	for _, day := range []time.Time{s.eve(deadline), startOfDay(deadline, s.location())} {
		at := s.workingTime(atClock(day, s.Settings.EveReminder), true)
		if at.After(now) && at.Before(deadline) {
			return at
		}
	}
	return time.Time{}
}

// dueSoon reports whether "due on <day>" is still news at now: the deadline
// has not passed and its eve has begun. A reminder for a deadline further
// off (an older item of a moved deadline) or already passed is stale.
func (s *Service) dueSoon(deadline, now time.Time) bool {
	return now.Before(deadline) && !now.Before(s.eve(deadline))
}
