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
// Each falls due in working time (see workingTime): a reminder that would
// fall in the quiet hours waits for their end, and one to staff for a
// working day when SLAs count working days. The reminder of a deadline
// comes on its eve at sla.eve_reminder (see dueSoonAt).
func (s *Service) schedule(prev *Request, next Request) []Due {
	var out []Due
	add := func(st Stage, at time.Time, staff bool) {
		out = append(out, Due{RequestID: next.ID, Stage: st, At: s.workingTime(at, staff)})
	}
	set := s.Settings
	now := s.Clock.Now()
	if prev == nil {
		add(StageRemind, s.AddSLA(next.CreatedAt, set.FirstResponse), true)
		add(StageEscalate, s.AddSLA(next.CreatedAt, set.EscalateAfter), true)
	}
	if prev != nil && !next.TransferredAt.IsZero() && !next.TransferredAt.Equal(prev.TransferredAt) {
		// transferred: the receiving unit's clock starts
		add(StageRemind, s.AddSLA(next.TransferredAt, set.FirstResponse), true)
		add(StageEscalate, s.AddSLA(next.TransferredAt, set.EscalateAfter), true)
	}
	if next.State == StateResponded && (prev == nil || prev.State != StateResponded) {
		since := next.FirstResponseAt
		if prev != nil && prev.State.Type() != TypeOpen {
			since = now // reopened: the clock starts again
		}
		add(StageAutoDue, s.AddSLA(since, set.FirstResponse), true)
	}
	reopened := prev != nil && !prev.Open() && next.Open()
	if !next.Deadline.IsZero() && next.Open() && (prev == nil || reopened || !prev.Deadline.Equal(next.Deadline)) {
		if at := s.dueSoonAt(next.Deadline, now); !at.IsZero() {
			add(StageDueSoon, at, true)
		}
		add(StageOverdue, next.Deadline, true)
	}
	if next.State == StateResolved && (prev == nil || prev.State != StateResolved) {
		add(StageAsk, next.ResolvedAt.Add(set.VerdictWait/2), false)
		add(StageCloseQuiet, next.ResolvedAt.Add(set.VerdictWait), false)
	}
	return out
}

// change builds a Change from prev to next with its event and schedule.
func (s *Service) change(prev *Request, next Request, ev Event, notices []Notice, guard string) Change {
	return Change{Prev: prev, Request: next, Event: ev, Notices: notices, Guard: guard, Schedule: s.schedule(prev, next),
		Week: WeekOf(ev.At, s.Settings.Location).Label()}
}
