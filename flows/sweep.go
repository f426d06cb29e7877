package flows

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Sweep sizes: items claimed per round, and how long a claim is held before
// another sweeper may take the item over (after a crash).
const (
	sweepBatch = 100
	sweepLease = 5 * time.Minute
)

// Sweep fires every stage due at now: reminders, escalations, default
// deadlines, overdue notices, verdict questions and unrated closing. It
// costs O(due), not O(open). Each stage's effect is applied once, even with
// several sweepers or a crash half-way (the guard is the stage and its due
// time, or for a deadline's stages the deadline). In quiet hours it does
// nothing, so reminders wait for the morning. Stages that fell due while the
// bot was down fire at its next sweep if they are still true (see stage): a
// stage a later one superseded is dropped. Then it sends the coverage nudges
// and check-ins due (SweepOutreach).
func (s *Service) Sweep(ctx context.Context, now time.Time) (int, error) {
	if s.quietAt(now) {
		return 0, nil
	}
	fired := 0
	for {
		items, err := s.Store.ClaimDue(ctx, now, sweepBatch, sweepLease)
		if err != nil {
			return fired, fmt.Errorf("sweep: %w", err)
		}
		for _, d := range items {
			if err := retry(func() error { return s.fire(ctx, d, now) }); err != nil {
				return fired, fmt.Errorf("sweep request %d %s: %w", d.RequestID, d.Stage, err)
			}
		}
		fired += len(items)
		if len(items) < sweepBatch {
			n, err := s.SweepOutreach(ctx, now)
			return fired + n, err
		}
	}
}

// fire applies one due stage to the request's current state.
func (s *Service) fire(ctx context.Context, d Due, now time.Time) error {
	if d.Stage == StageVisitEnd {
		return s.fireVisitEnd(ctx, d, now)
	}
	r, err := s.Store.Request(ctx, d.RequestID)
	if isNotFound(err) {
		return s.Store.ReleaseDue(ctx, d)
	}
	if err != nil {
		return err
	}
	c, ok, err := s.stage(ctx, d, r, now)
	if err != nil {
		return err
	}
	if !ok {
		return s.Store.ReleaseDue(ctx, d) // the request moved on
	}
	key := d.At
	if d.Stage == StageDueSoon || d.Stage == StageOverdue {
		key = r.Deadline // once per deadline, whichever of its items falls due
	}
	c.Guard = "due:" + strconv.FormatInt(d.RequestID, 10) + ":" + string(d.Stage) + ":" + strconv.FormatInt(key.UnixMilli(), 10)
	c.Release = &d
	if err := s.tellContact(ctx, &c); err != nil {
		return err
	}
	if err := s.Store.Apply(ctx, c); ErrorCode(err) == EDUPLICATE {
		return s.Store.ReleaseDue(ctx, d)
	} else if err != nil {
		return err
	}
	return nil
}

// stage computes a due stage's change, or ok=false when it no longer
// applies: the request moved on, or a later stage superseded it (a deadline
// reminder once the deadline passed, a second verdict question once the
// wait is over). So a catch-up after downtime sends what is still true.
func (s *Service) stage(ctx context.Context, d Due, r Request, now time.Time) (Change, bool, error) {
	ev := Event{At: now, Actor: "system", From: r.State, To: r.State}
	if !s.applies(d.Stage, r, now) {
		return Change{}, false, nil
	}
	switch d.Stage {
	case StageRemind, StageEscalate:
		return s.noResponse(ctx, d.Stage, r, ev)
	case StageAutoDue:
		return s.autoDeadline(ctx, r, ev, now)
	case StageDueSoon, StageOverdue:
		return s.deadlineStage(ctx, d.Stage, r, ev)
	case StageAsk, StageCloseQuiet:
		return s.verdictStage(ctx, d.Stage, r, ev, now)
	}
	return Change{}, false, nil
}

// applies reports whether stage st is still true of r at now.
func (s *Service) applies(st Stage, r Request, now time.Time) bool {
	switch st {
	case StageRemind, StageEscalate: // no first response yet (since a transfer)
		return r.Open() && (r.FirstResponseAt.IsZero() || (!r.TransferredAt.IsZero() && r.State == StateReceived))
	case StageAutoDue: // responded, still no deadline
		return r.State == StateResponded
	case StageDueSoon: // the deadline is near, not passed
		return r.Open() && !r.Deadline.IsZero() && s.dueSoon(r.Deadline, now)
	case StageOverdue:
		return r.Open() && !r.Deadline.IsZero() && !now.Before(r.Deadline)
	case StageAsk: // no verdict, and the wait not over (closing supersedes it)
		return r.State == StateResolved && now.Before(r.ResolvedAt.Add(s.Settings.VerdictWait))
	case StageCloseQuiet:
		return r.State == StateResolved
	}
	return false
}

// requestArgs are the catalog arguments that describe a request to staff.
func (s *Service) requestArgs(ctx context.Context, r Request) (map[string]string, error) {
	h, err := s.Store.Household(ctx, r.HouseholdID)
	if err != nil {
		return nil, err
	}
	c, err := s.Store.Cadre(ctx, r.CadreID)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	args := map[string]string{"no": strconv.FormatInt(r.ID, 10), "household": h.Name, "village": h.Village,
		"text": r.Summary, "kind": string(r.Kind), "cadre": c.Name}
	if !r.Deadline.IsZero() {
		args["deadline"] = s.day(r.Deadline)
	}
	return args, nil
}

// cadreNotice returns a notice to the request's cadre, or none when the
// cadre cannot be reached.
func (s *Service) cadreNotice(ctx context.Context, r Request, kind NoticeKind, args map[string]string) ([]Notice, error) {
	acc, err := s.Store.CadreAccount(ctx, r.CadreID)
	if isNotFound(err) || (err == nil && acc.Unreachable) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []Notice{{ChatID: acc.ID, Lang: acc.Lang, Kind: kind, RequestID: r.ID, Args: args, Buttons: CadreButtons(r)}}, nil
}

// noResponse reminds the cadre, or tells the unit's leaders.
func (s *Service) noResponse(ctx context.Context, st Stage, r Request, ev Event) (Change, bool, error) {
	args, err := s.requestArgs(ctx, r)
	if err != nil {
		return Change{}, false, err
	}
	var notices []Notice
	if st == StageRemind {
		ev.Action = ActRemind
		notices, err = s.cadreNotice(ctx, r, NoticeReminder, args)
	} else {
		ev.Action, args["reason"] = ActEscalate, "no_response"
		notices, err = s.toLeaders(ctx, r, NoticeEscalation, args, nil)
	}
	if err != nil {
		return Change{}, false, err
	}
	return s.change(&r, r, ev, notices, ""), true, nil
}

// autoDeadline gives a responded request the default deadline.
func (s *Service) autoDeadline(ctx context.Context, r Request, ev Event, now time.Time) (Change, bool, error) {
	next := r
	next.State, next.Deadline = StatePromised, EndOfDay(s.AddSLA(now, s.Settings.DefaultDeadline), s.location())
	ev.Action, ev.To, ev.Note = ActDeadline, next.State, s.day(next.Deadline)
	args, err := s.requestArgs(ctx, next)
	if err != nil {
		return Change{}, false, err
	}
	notices, err := s.toHousehold(ctx, next, NoticeDeadlineSet, args, nil)
	if err != nil {
		return Change{}, false, err
	}
	toCadre, err := s.cadreNotice(ctx, next, NoticeDefaultDeadline, args)
	if err != nil {
		return Change{}, false, err
	}
	return s.change(&r, next, ev, append(notices, toCadre...), ""), true, nil
}

// deadlineStage reminds the cadre of a near deadline, or tells the cadre and
// the unit's leaders that it passed.
func (s *Service) deadlineStage(ctx context.Context, st Stage, r Request, ev Event) (Change, bool, error) {
	args, err := s.requestArgs(ctx, r)
	if err != nil {
		return Change{}, false, err
	}
	if st == StageDueSoon {
		ev.Action = ActRemind
		notices, err := s.cadreNotice(ctx, r, NoticeDeadlineSoon, args)
		return s.change(&r, r, ev, notices, ""), true, err
	}
	ev.Action = ActOverdue
	notices, err := s.cadreNotice(ctx, r, NoticeOverdue, args)
	if err != nil {
		return Change{}, false, err
	}
	leaders, err := s.toLeaders(ctx, r, NoticeOverdue, args, nil)
	if err != nil {
		return Change{}, false, err
	}
	return s.change(&r, r, ev, append(notices, leaders...), ""), true, nil
}

// verdictStage asks the household once more, or closes the request unrated.
func (s *Service) verdictStage(ctx context.Context, st Stage, r Request, ev Event, now time.Time) (Change, bool, error) {
	next := r
	kind := NoticeVerdictAsk
	ev.Action = ActAsk
	if st == StageCloseQuiet {
		next.State, next.ClosedAt = StateClosed, now
		kind, ev.Action, ev.To, ev.Note = NoticeClosedUnrated, ActClose, StateClosed, "unrated"
	}
	c, err := s.Store.Cadre(ctx, r.CadreID)
	if err != nil && !isNotFound(err) {
		return Change{}, false, err
	}
	args := map[string]string{"no": strconv.FormatInt(r.ID, 10), "cadre": c.Name}
	if r.Solved != "" {
		args["rate"] = "1" // "solved?" was answered: ask for the rating
	}
	notices, err := s.toHousehold(ctx, next, kind, args, nil)
	if err != nil {
		return Change{}, false, err
	}
	if st == StageAsk {
		withButtons(notices, verdictButtons(r))
	}
	return s.change(&r, next, ev, notices, ""), true, nil
}

// Unreachable is told that Telegram refused to deliver notice n to chatID
// (the person blocked the bot, or never started it). The account is marked
// unreachable; when it is a cadre's and n brought a request, the unit's
// leaders get the request at once and the household is told.
func (s *Service) Unreachable(ctx context.Context, chatID int64, n Notice) error {
	a, err := s.Store.Account(ctx, chatID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("unreachable: %w", err)
	}
	if err := s.Store.SetUnreachable(ctx, a.ID, true); err != nil {
		return fmt.Errorf("unreachable: %w", err)
	}
	if a.Kind != AccountCadre || n.RequestID == 0 {
		return nil
	}
	return retry(func() error { return s.escalateUnreachable(ctx, a, n.RequestID) })
}

// escalateUnreachable hands an open request of an unreachable cadre to the
// unit's leaders, once.
func (s *Service) escalateUnreachable(ctx context.Context, a Account, id int64) error {
	r, err := s.Store.Request(ctx, id)
	if err != nil || r.CadreID != a.Ref || !r.Open() {
		return err
	}
	args, err := s.requestArgs(ctx, r)
	if err != nil {
		return err
	}
	args["reason"] = "unreachable"
	notices, err := s.toLeaders(ctx, r, NoticeEscalation, args, nil)
	if err != nil {
		return err
	}
	c, err := s.Store.Cadre(ctx, r.CadreID)
	if err != nil && !isNotFound(err) {
		return err
	}
	told := unreached(0, "", r.ID, c, true, len(notices) > 0)
	hh, err := s.toHousehold(ctx, r, told.Kind, told.Args, nil)
	if err != nil {
		return err
	}
	ev := Event{At: s.Clock.Now(), Actor: "system", Action: ActEscalate, From: r.State, To: r.State, Note: "unreachable"}
	return s.apply(ctx, s.change(&r, r, ev, append(notices, hh...), "unreachable:"+strconv.FormatInt(r.ID, 10)+":"+a.Ref))
}
