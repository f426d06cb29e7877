package flows

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Check-ins (未诉先办): a household with a bound account that has been
// silent for checkin.after gets one friendly message in its cadre's name,
// with two buttons: 一切都好 (recorded as contact) and 有事要说 (its next
// message becomes a request).

// checkinBatch is how many due check-ins a round reads.
const checkinBatch = 100

// talkWindow is how long after 有事要说 the household's next message is a
// new request of its own.
const talkWindow = 24 * time.Hour

// sweepCheckins sends the check-ins due at now.
func (s *Service) sweepCheckins(ctx context.Context, now time.Time) (int, error) {
	sent := 0
	for {
		ids, err := s.Store.DueHouseholds(ctx, DueCheckin, now, checkinBatch)
		if err != nil {
			return sent, fmt.Errorf("check-ins: %w", err)
		}
		n, err := s.checkins(ctx, ids, now)
		sent += n
		if err != nil {
			return sent, fmt.Errorf("check-ins: %w", err)
		}
		if len(ids) < checkinBatch {
			return sent, nil
		}
	}
}

// checkins sends the check-ins of due households; each leaves the due
// range (sent, moved on, or dropped), so the sweep ends.
func (s *Service) checkins(ctx context.Context, ids []string, now time.Time) (int, error) {
	hhs, err := s.Store.RosterHouseholds(ctx, ids)
	if err != nil {
		return 0, err
	}
	if err := s.Store.DropDue(ctx, DueCheckin, offRoster(ids, hhs)); err != nil {
		return 0, err
	}
	accs, err := s.Store.AccountsOfHouseholds(ctx, householdIDs(hhs))
	if err != nil {
		return 0, err
	}
	next := s.workingTime(now.Add(s.Settings.CheckinAfter), false)
	sent := 0
	for _, h := range hhs {
		ok, err := s.checkin(ctx, h, reachable(accs[h.ID]), now, next)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// checkin sends one household its check-in; a household without a
// reachable account is asked again a period later (it may bind meanwhile),
// and so is one with a request still open: its cadre is already on its
// case, and "is all well?" beside an open request would ring hollow.
func (s *Service) checkin(ctx context.Context, h Household, accs []Account, now, next time.Time) (bool, error) {
	ids := []string{h.ID}
	if len(accs) == 0 {
		return false, s.Store.Reschedule(ctx, DueCheckin, ids, next)
	}
	open, err := s.Store.OpenRequests(ctx, Scope{Kind: ScopeHousehold, ID: h.ID})
	if err != nil {
		return false, err
	}
	if len(open) > 0 {
		return false, s.Store.Reschedule(ctx, DueCheckin, ids, next)
	}
	c, err := s.Store.Cadre(ctx, h.CadreID)
	if err != nil && !isNotFound(err) {
		return false, err
	}
	id, err := s.Store.NextHandle(ctx)
	if err != nil {
		return false, err
	}
	r := Reach{Guard: "checkin:" + h.ID + ":" + strconv.FormatInt(now.Unix()/60, 10),
		Handle: Handle{ID: id, Kind: DueCheckin, Households: ids}, TTL: s.Settings.CheckinAfter, Households: ids, Next: next}
	args := map[string]string{"cadre": c.Name, "unit": c.Unit, "phone": c.Phone}
	buttons := [][]Button{{{Action: ActCheckin, RequestID: id, Arg: "ok"}}, {{Action: ActCheckin, RequestID: id, Arg: "talk"}}}
	for _, a := range accs {
		r.Notices = append(r.Notices, Notice{ChatID: a.ID, Lang: a.Lang, Kind: NoticeCheckin, Args: args, Buttons: buttons})
	}
	err = s.Store.Reach(ctx, DueCheckin, r)
	if ErrorCode(err) == EDUPLICATE {
		return false, s.Store.Reschedule(ctx, DueCheckin, ids, next)
	}
	return err == nil, err
}

// reachable returns the accounts Telegram still delivers to.
func reachable(accs []Account) []Account {
	var out []Account
	for _, a := range accs {
		if !a.Unreachable {
			out = append(out, a)
		}
	}
	return out
}

// checkinPress answers a household's 一切都好 (ok) or 有事要说 (talk) under
// a check-in: only an account bound to the household the check-in asked.
func (s *Service) checkinPress(ctx context.Context, p Press, a Account, hd Handle, lang string) (PressResult, error) {
	if a.Kind != AccountHousehold || len(hd.Households) != 1 || hd.Households[0] != a.Ref {
		return PressResult{Toast: ToastForbidden}, nil
	}
	now := s.Clock.Now()
	if _, err := s.Store.Contact(ctx, s.contact(a.Ref, now, ContactCheckin)); err != nil {
		return PressResult{Toast: ToastError}, err
	}
	kind := NoticeCheckinOK
	if p.Button.Arg == "talk" {
		kind = NoticeCheckinTalk
		if err := s.Store.SetTalk(ctx, a.ID, now.Add(talkWindow)); err != nil {
			return PressResult{Toast: ToastError}, err
		}
	} else if p.Button.Arg != "ok" {
		return PressResult{Toast: ToastInvalid}, nil
	}
	n := Notice{ChatID: a.ID, Lang: lang, Kind: kind}
	return PressResult{Toast: ToastDone, Edit: true}, s.enqueue(ctx, guard(p.UpdateID, "checkin"), n)
}
