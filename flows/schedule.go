package flows

import "time"

// AddSLA returns t plus d, counting only working days when the service
// counts SLAs in working days (sla.working_days), else calendar time.
func (s *Service) AddSLA(t time.Time, d time.Duration) time.Time {
	if s.Settings.WorkingDay == nil {
		return t.Add(d)
	}
	loc := s.location()
	cur := t.In(loc)
	for d > 0 {
		y, m, day := cur.Date()
		next := time.Date(y, m, day+1, 0, 0, 0, 0, loc)
		if !s.Settings.WorkingDay(cur) {
			cur = next
			continue
		}
		step := next.Sub(cur)
		if step > d {
			step = d
		}
		cur, d = cur.Add(step), d-step
	}
	return cur
}

// schedule returns the stages a change from prev to next (re)schedules.
func (s *Service) schedule(prev *Request, next Request) []Due {
	var out []Due
	add := func(st Stage, at time.Time) { out = append(out, Due{RequestID: next.ID, Stage: st, At: at}) }
	set := s.Settings
	if prev == nil {
		add(StageRemind, s.AddSLA(next.CreatedAt, set.FirstResponse))
		add(StageEscalate, s.AddSLA(next.CreatedAt, set.EscalateAfter))
	}
	if next.State == StateResponded && (prev == nil || prev.State != StateResponded) {
		since := next.FirstResponseAt
		if prev != nil && prev.State.Type() != TypeOpen {
			since = s.Clock.Now() // reopened: the clock starts again
		}
		add(StageAutoDue, s.AddSLA(since, set.FirstResponse))
	}
	reopened := prev != nil && !prev.Open() && next.Open()
	if !next.Deadline.IsZero() && next.Open() && (prev == nil || reopened || !prev.Deadline.Equal(next.Deadline)) {
		add(StageDueSoon, next.Deadline.Add(-24*time.Hour))
		add(StageOverdue, next.Deadline)
	}
	if next.State == StateResolved && (prev == nil || prev.State != StateResolved) {
		add(StageAsk, next.ResolvedAt.Add(set.VerdictWait/2))
		add(StageCloseQuiet, next.ResolvedAt.Add(set.VerdictWait))
	}
	return out
}

// change builds a Change from prev to next with its event and schedule.
func (s *Service) change(prev *Request, next Request, ev Event, notices []Notice, guard string) Change {
	return Change{Prev: prev, Request: next, Event: ev, Notices: notices, Guard: guard, Schedule: s.schedule(prev, next),
		Week: WeekOf(ev.At, s.Settings.Location).Label()}
}
