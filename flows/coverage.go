package flows

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Coverage nudges (全覆盖): a household not contacted for visits.every goes
// on its cadre's list; the cadre gets one message a working day listing all
// of them, with a button a household.

// nudgeButtons bounds the buttons under a coverage list (Telegram allows
// 100); the list's text names every household.
const nudgeButtons = 40

// sweepNudges sends the coverage lists due at now, one a cadre.
func (s *Service) sweepNudges(ctx context.Context, now time.Time) (int, error) {
	if s.Settings.WorkingDay != nil && !s.Settings.WorkingDay(now.In(s.location())) {
		return 0, nil
	}
	ids, err := s.Store.DueHouseholds(ctx, DueNudge, now, 0)
	if err != nil || len(ids) == 0 {
		return 0, wrap("nudges", err)
	}
	hhs, err := s.Store.RosterHouseholds(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("nudges: %w", err)
	}
	if err := s.Store.DropDue(ctx, DueNudge, offRoster(ids, hhs)); err != nil {
		return 0, fmt.Errorf("nudges: %w", err)
	}
	byCadre := map[string][]Household{}
	for _, h := range hhs {
		byCadre[h.CadreID] = append(byCadre[h.CadreID], h)
	}
	sent := 0
	for _, cid := range sortedKeys(byCadre) {
		ok, err := s.nudge(ctx, cid, byCadre[cid], now)
		if err != nil {
			return sent, fmt.Errorf("nudge cadre: %w", err)
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// nudge sends one cadre its list, or moves the households on a period when
// the cadre cannot be reached (off the roster, no bound account, blocked):
// the digest still shows them.
func (s *Service) nudge(ctx context.Context, cid string, hhs []Household, now time.Time) (bool, error) {
	ids := householdIDs(hhs)
	next := s.nudgeAt(now)
	c, err := s.Store.Cadre(ctx, cid)
	if err != nil && !isNotFound(err) {
		return false, err
	}
	acc, err := s.Store.CadreAccount(ctx, cid)
	if isNotFound(err) || (err == nil && acc.Unreachable) || !c.OnRoster {
		return false, s.Store.Reschedule(ctx, DueNudge, ids, next)
	}
	if err != nil {
		return false, err
	}
	last, err := s.Store.LastContacts(ctx, ids)
	if err != nil {
		return false, err
	}
	sort.Slice(hhs, func(i, j int) bool { // longest without contact first
		a, b := last[hhs[i].ID].At, last[hhs[j].ID].At
		if !a.Equal(b) {
			return a.Before(b)
		}
		return hhs[i].ID < hhs[j].ID
	})
	id, err := s.Store.NextHandle(ctx)
	if err != nil {
		return false, err
	}
	day := now.In(s.location()).Format("2006-01-02")
	r := Reach{Guard: "nudge:" + cid + ":" + day, Handle: Handle{ID: id, Kind: DueNudge, CadreID: cid, Households: householdIDs(hhs)},
		TTL: s.visitsEvery(), Households: ids, Next: next,
		Notices: []Notice{s.nudgeNotice(acc, hhs, last, id, now)}}
	err = s.Store.Reach(ctx, DueNudge, r)
	if ErrorCode(err) == EDUPLICATE { // a list went out today: these wait for tomorrow's
		tomorrow := s.workingTime(startOfDay(now, s.location()).AddDate(0, 0, 1), true)
		return false, s.Store.Reschedule(ctx, DueNudge, ids, tomorrow)
	}
	return err == nil, err
}

// nudgeNotice is a cadre's coverage list: a line and (for the first
// nudgeButtons) a button a household.
func (s *Service) nudgeNotice(acc Account, hhs []Household, last map[string]LastContact, handle int64, now time.Time) Notice {
	n := Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeNudge,
		Args: map[string]string{"n": strconv.Itoa(len(hhs)), "days": strconv.Itoa(int(s.visitsEvery() / (24 * time.Hour)))}}
	for i, h := range hhs {
		it := ListItem{Who: h.Name, Village: h.Village}
		if at := last[h.ID].At; !at.IsZero() {
			it.Deadline = at.In(s.location()).Format("2006-01-02")
			it.Summary = strconv.Itoa(int(now.Sub(at) / (24 * time.Hour))) // days without contact
		}
		n.List = append(n.List, it)
		if i < nudgeButtons {
			n.Buttons = append(n.Buttons, []Button{{Action: ActNudgeVisit, RequestID: handle, Arg: strconv.Itoa(i), Label: h.Name}})
		}
	}
	return n
}

// offRoster returns the ids that are not among hhs.
func offRoster(ids []string, hhs []Household) []string {
	on := make(map[string]bool, len(hhs))
	for _, h := range hhs {
		on[h.ID] = true
	}
	var out []string
	for _, id := range ids {
		if !on[id] {
			out = append(out, id)
		}
	}
	return out
}

func householdIDs(hhs []Household) []string {
	out := make([]string, len(hhs))
	for i, h := range hhs {
		out[i] = h.ID
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// wrap wraps a non-nil err with what.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
