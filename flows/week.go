package flows

import (
	"fmt"
	"time"
)

// WeekOf returns the ISO week (Monday to Sunday) holding t in loc.
func WeekOf(t time.Time, loc *time.Location) Week {
	t = t.In(orUTC(loc))
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	offset := (int(day.Weekday()) + 6) % 7 // days since Monday
	start := day.AddDate(0, 0, -offset)
	year, number := start.ISOWeek()
	return Week{Year: year, Number: number, Start: start, End: start.AddDate(0, 0, 7)}
}

// Label returns "2026-W48".
func (w Week) Label() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Number) }

// Previous returns the week before w.
func (w Week) Previous() Week { return WeekOf(w.Start.AddDate(0, 0, -1), w.Start.Location()) }

// Contains reports whether t falls in the week.
func (w Week) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// ParseWeek reads "2026-W48" in loc.
func ParseWeek(s string, loc *time.Location) (Week, error) {
	var year, number int
	if _, err := fmt.Sscanf(s, "%4d-W%2d", &year, &number); err != nil || number < 1 || number > 53 {
		return Week{}, Errorf(EINVALID, "week %q: want the form 2026-W48", s)
	}
	// ISO week 1 holds January 4th.
	w := WeekOf(time.Date(year, 1, 4, 12, 0, 0, 0, orUTC(loc)), loc)
	w = WeekOf(w.Start.AddDate(0, 0, 7*(number-1)+3), loc)
	if w.Year != year || w.Number != number {
		return Week{}, Errorf(EINVALID, "week %q does not exist", s)
	}
	return w, nil
}
