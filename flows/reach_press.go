package flows

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Buttons of outreach messages: their RequestID is a Handle's number.
const (
	ActNudgeVisit Action = "nv" // a household on a coverage list; Arg: its index in the handle
	ActCheckin    Action = "ci" // a check-in's answer; Arg: ok or talk
)

// reachAction reports whether a button acts on a Handle, not a request.
func reachAction(a Action) bool { return a == ActNudgeVisit || a == ActCheckin }

// reachPress handles a button under an outreach message. The handle is
// read afresh and the presser's right checked against the roster in force.
func (s *Service) reachPress(ctx context.Context, p Press, a Account, lang string) (PressResult, error) {
	hd, err := s.Store.Handle(ctx, p.Button.RequestID)
	if isNotFound(err) {
		return PressResult{Toast: ToastExpired}, nil
	}
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("press: %w", err)
	}
	switch {
	case p.Button.Action == ActCheckin && hd.Kind == DueCheckin:
		return s.checkinPress(ctx, p, a, hd, lang)
	case p.Button.Action == ActNudgeVisit && hd.Kind == DueNudge:
		return s.nudgePress(ctx, p, a, hd, lang)
	}
	return PressResult{Toast: ToastInvalid}, nil
}

// nudgePress answers a cadre's press on a household of a coverage list with
// the household's page: who, where, how to reach it and when it was last
// reached. Only the household's cadre, or a leader of its cadre's unit (or
// a county-wide one), on the roster in force, may.
func (s *Service) nudgePress(ctx context.Context, p Press, a Account, hd Handle, lang string) (PressResult, error) {
	i, err := strconv.Atoi(p.Button.Arg)
	if err != nil || i < 0 || i >= len(hd.Households) {
		return PressResult{Toast: ToastInvalid}, nil
	}
	if a.Kind != AccountCadre {
		return PressResult{Toast: ToastForbidden}, nil
	}
	h, ok, err := s.staffHousehold(ctx, a.Ref, hd.Households[i])
	if err != nil || !ok {
		return PressResult{Toast: ToastForbidden}, err
	}
	last, err := s.Store.LastContacts(ctx, []string{h.ID})
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("press: %w", err)
	}
	args := map[string]string{"household": h.Name, "village": h.Village, "phone": h.Phone, "address": h.Address}
	if at := last[h.ID].At; !at.IsZero() {
		args["last"] = at.In(s.location()).Format("2006-01-02")
		args["days"] = strconv.Itoa(int(s.Clock.Now().Sub(at) / (24 * time.Hour)))
	}
	// To the presser's own chat, with buttons to start a visit or record a
	// request (see visitPress).
	visit := HouseholdHandle(h.ID)
	n := Notice{ChatID: a.ID, Lang: lang, Kind: NoticeHouseholdPage, Args: args,
		Buttons: [][]Button{{{Action: ActVisitOpen, RequestID: visit}, {Action: ActVisitRecHH, RequestID: visit}}}}
	return PressResult{Toast: ToastDone}, s.enqueue(ctx, guard(p.UpdateID, "household"), n)
}

// staffHousehold returns household id if the official cadreID may see it
// on the roster in force: its cadre, or a leader of its cadre's unit (any
// household for a county-wide leader).
func (s *Service) staffHousehold(ctx context.Context, cadreID, id string) (Household, bool, error) {
	c, err := s.Store.Cadre(ctx, cadreID)
	if isNotFound(err) {
		return Household{}, false, nil
	}
	if err != nil {
		return Household{}, false, fmt.Errorf("press: %w", err)
	}
	hhs, err := s.Store.RosterHouseholds(ctx, []string{id})
	if err != nil || len(hhs) == 0 || !c.OnRoster {
		return Household{}, false, err
	}
	h := hhs[0]
	if h.CadreID == c.ID || c.CountyWide() {
		return h, true, nil
	}
	if c.Role != RoleLeader {
		return h, false, nil
	}
	own, err := s.Store.Cadre(ctx, h.CadreID)
	if err != nil && !isNotFound(err) {
		return h, false, fmt.Errorf("press: %w", err)
	}
	return h, err == nil && own.Unit == c.Unit, nil
}
