package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Date is a calendar day without a time or location, as in holidays and
// workdays.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses a date in the form YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return Date{}, fmt.Errorf("invalid date %q, want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Valid reports whether d names a real day.
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && d == DateOf(d.In(time.UTC))
}

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// IsHoliday reports whether the day of t, in the county time zone, is
// listed in holidays.
func (c *Config) IsHoliday(t time.Time) bool {
	return containsDate(c.Holidays, DateOf(t.In(c.Timezone)))
}

// IsWorkingDay reports whether the day of t, in the county time zone, is a
// working day: listed in workdays (调休), or Monday to Friday and not
// listed in holidays.
func (c *Config) IsWorkingDay(t time.Time) bool {
	t = t.In(c.Timezone)
	day := DateOf(t)
	if containsDate(c.Workdays, day) {
		return true
	}
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !containsDate(c.Holidays, day)
}

func containsDate(days []Date, d Date) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}

// QuietHours is a daily window of wall-clock time, from Start (inclusive)
// to End (exclusive), both measured from midnight. When Start > End the
// window wraps over midnight, as in the default "21:00-07:00". The zero
// value (Enabled false) is no window.
type QuietHours struct {
	Start   time.Duration // since midnight, whole minutes in [0, 24h)
	End     time.Duration // since midnight, whole minutes in [0, 24h)
	Enabled bool
}

// clockRE matches "HH:MM".
var clockRE = regexp.MustCompile(`^(\d\d):(\d\d)$`)

// TimeOfDay is a wall-clock time written "HH:MM", held as the time since
// midnight.
type TimeOfDay time.Duration

// ParseTimeOfDay parses "HH:MM" (24-hour clock).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf(`invalid time of day %q, want HH:MM such as "09:00"`, s)
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	if h > 23 || mi > 59 {
		return 0, fmt.Errorf("invalid time of day %q: hours are 00–23 and minutes 00–59", s)
	}
	return TimeOfDay(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute), nil
}

// check reports a time that is not a whole minute of a day.
func (t TimeOfDay) check() error {
	if d := time.Duration(t); d < 0 || d >= 24*time.Hour || d%time.Minute != 0 {
		return fmt.Errorf("must be a whole minute from 00:00 to 23:59, got %v", d)
	}
	return nil
}

// quietRE matches "HH:MM-HH:MM".
var quietRE = regexp.MustCompile(`^(\d\d):(\d\d)-(\d\d):(\d\d)$`)

// ParseQuietHours parses "HH:MM-HH:MM" (24-hour clock; the window may wrap
// over midnight). The empty string is no window.
func ParseQuietHours(s string) (QuietHours, error) {
	if s == "" {
		return QuietHours{}, nil
	}
	m := quietRE.FindStringSubmatch(s)
	if m == nil {
		return QuietHours{}, fmt.Errorf(`invalid quiet hours %q, want HH:MM-HH:MM such as "21:00-07:00", or "" for none`, s)
	}
	var d [4]time.Duration
	for i := range d {
		n, _ := strconv.Atoi(m[i+1])
		d[i] = time.Duration(n)
	}
	if d[0] > 23 || d[2] > 23 || d[1] > 59 || d[3] > 59 {
		return QuietHours{}, fmt.Errorf("invalid quiet hours %q: hours are 00–23 and minutes 00–59", s)
	}
	q := QuietHours{Start: d[0]*time.Hour + d[1]*time.Minute, End: d[2]*time.Hour + d[3]*time.Minute, Enabled: true}
	return q, q.check()
}

// check reports whether an enabled window is well formed.
func (q QuietHours) check() error {
	if !q.Enabled {
		return nil
	}
	for _, d := range []time.Duration{q.Start, q.End} {
		if d < 0 || d >= 24*time.Hour || d%time.Minute != 0 {
			return errors.New("start and end must be whole minutes from 00:00 to 23:59")
		}
	}
	if q.Start == q.End {
		return errors.New(`start and end are equal; use "" for no quiet hours`)
	}
	return nil
}

// String formats q as "HH:MM-HH:MM", or "" when it is not enabled.
func (q QuietHours) String() string {
	if !q.Enabled {
		return ""
	}
	return clock(q.Start) + "-" + clock(q.End)
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// sinceMidnight is the wall-clock time of t as a duration since midnight.
func sinceMidnight(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// Contains reports whether the wall-clock time of t (already in the county
// time zone) is inside the window.
func (q QuietHours) Contains(t time.Time) bool {
	if !q.Enabled {
		return false
	}
	tod := sinceMidnight(t)
	if q.Start < q.End {
		return q.Start <= tod && tod < q.End
	}
	return tod >= q.Start || tod < q.End
}

// NextEnd returns the next time after t at which the window ends: the end
// of the current window when Contains(t), else the end of the next one.
// It returns t when q is not enabled. The result is in t's location. (The
// method cannot be called End, the name of the field.)
func (q QuietHours) NextEnd(t time.Time) time.Time {
	if !q.Enabled {
		return t
	}
	y, mo, d := t.Date()
	h, mi := int(q.End/time.Hour), int(q.End%time.Hour/time.Minute)
	end := time.Date(y, mo, d, h, mi, 0, 0, t.Location())
	if !end.After(t) {
		end = time.Date(y, mo, d+1, h, mi, 0, 0, t.Location())
	}
	return end
}

// check reports a day that does not exist, such as 2026-02-30.
func (d Date) check() error {
	if !d.Valid() {
		return fmt.Errorf("invalid date %v", d)
	}
	return nil
}
