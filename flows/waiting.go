package flows

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// What waits for a cadre or a leader. A request written before its cadre
// bound the invite, or escalated before a leader bound, is not stranded: it
// waits in the open indexes, binding delivers it, and a leader's /open
// lists it.
//
// For a cadre, every open request of the cadre's households waits.
//
// For a leader, an open request of the leader's unit waits when it needs a
// leader (needsLeader): no first response by sla.escalate_after, past its
// deadline, reopened twice, or its cadre cannot be reached now (never bound
// the invite, or blocked the bot). A county-wide leader has these of the
// units without a leader of their own (where escalations go to them). A
// leader who is also a household's cadre has that household's requests as
// a cadre. Reading them costs O(open requests of the unit, or of the
// county for a county-wide leader).

// waiting is what waits for one cadre or leader, oldest first.
type waiting struct {
	own       []Request         // requests of the person's own households
	escalated []Request         // requests that need the person as a leader
	reasons   map[int64]string  // escalated request id -> reason (escalation notice's "reason")
	names     map[string]string // cadre names by id, for the escalation notices
}

// waitingFor returns what waits for c at now.
func (s *Service) waitingFor(ctx context.Context, c Cadre, now time.Time) (waiting, error) {
	w := waiting{reasons: map[int64]string{}, names: map[string]string{c.ID: c.Name}}
	ids, err := s.Store.OpenRequests(ctx, Scope{Kind: ScopeCadre, ID: c.ID})
	if err != nil {
		return w, fmt.Errorf("waiting requests: %w", err)
	}
	if w.own, err = s.Store.Requests(ctx, ids); err != nil {
		return w, fmt.Errorf("waiting requests: %w", err)
	}
	if c.Role != RoleLeader {
		return w, nil
	}
	scope := Scope{Kind: ScopeUnit, ID: c.Unit}
	if c.Unit == "" {
		scope = Scope{Kind: ScopeCounty}
	}
	if ids, err = s.Store.OpenRequests(ctx, scope); err != nil {
		return w, fmt.Errorf("waiting escalations: %w", err)
	}
	reqs, err := s.Store.Requests(ctx, ids)
	if err != nil {
		return w, fmt.Errorf("waiting escalations: %w", err)
	}
	e := escalations{s: s, ctx: ctx, now: now, leaderless: map[string]bool{}, reachable: map[string]bool{}}
	for _, r := range reqs {
		if r.CadreID == c.ID || (c.Unit == "" && !e.countyLeads(r.Unit)) {
			continue
		}
		if why := e.needsLeader(r); why != "" {
			w.escalated, w.reasons[r.ID] = append(w.escalated, r), why
			s.cadreName(ctx, w.names, r.CadreID) // for the notice

		}
	}
	return w, e.err
}

// escalations decides which requests need a leader, looking each unit's
// leaders and each cadre's account up once.
type escalations struct {
	s          *Service
	ctx        context.Context
	now        time.Time
	leaderless map[string]bool // unit -> it has no leader of its own
	reachable  map[string]bool // cadre id -> has a reachable account
	err        error
}

// countyLeads reports whether a unit's escalations go to the county-wide
// leaders: it has none of its own (or it is "").
func (e *escalations) countyLeads(unit string) bool {
	if unit == "" {
		return true
	}
	if v, ok := e.leaderless[unit]; ok {
		return v
	}
	leaders, err := e.s.Store.UnitLeaders(e.ctx, unit)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("unit leaders: %w", err)
	}
	e.leaderless[unit] = err == nil && len(leaders) == 0
	return e.leaderless[unit]
}

// needsLeader returns why an open request needs a leader ("" if it does
// not), as the escalation notice's reason.
func (e *escalations) needsLeader(r Request) string {
	if r.Assigning {
		return "transfer"
	}
	if !e.canReach(r.CadreID) {
		return "unreachable"
	}
	switch {
	case r.Late(e.now):
		return "late"
	case r.Reopens >= 2:
		return "reopened"
	case r.FirstResponseAt.IsZero() && !e.now.Before(e.s.AddSLA(r.CreatedAt, e.s.Settings.EscalateAfter)):
		return "no_response"
	}
	return ""
}

// canReach reports whether a cadre has a bound account Telegram delivers to.
func (e *escalations) canReach(cadreID string) bool {
	if v, ok := e.reachable[cadreID]; ok {
		return v
	}
	acc, err := e.s.Store.CadreAccount(e.ctx, cadreID)
	if err != nil && !isNotFound(err) && e.err == nil {
		e.err = fmt.Errorf("cadre account: %w", err)
	}
	e.reachable[cadreID] = err == nil && !acc.Unreachable
	return e.reachable[cadreID]
}

// all returns every waiting request, oldest first.
func (w waiting) all() []Request {
	out := append(append([]Request(nil), w.own...), w.escalated...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// deliverWaiting brings acc, the account c just bound, every request that
// waits for c: each as it was asked (the first message with the request's
// buttons, then the follow-ups, media copied), a leader's as escalations.
func (s *Service) deliverWaiting(ctx context.Context, g string, acc Account, c Cadre) error {
	w, err := s.waitingFor(ctx, c, s.Clock.Now())
	if err != nil {
		return err
	}
	reqs := w.all()
	if len(reqs) == 0 {
		return nil
	}
	ids, hids := make([]int64, len(reqs)), make([]string, len(reqs))
	for i, r := range reqs {
		ids[i], hids[i] = r.ID, r.HouseholdID
	}
	timelines, err := s.Store.Timelines(ctx, ids)
	if err != nil {
		return fmt.Errorf("waiting requests: %w", err)
	}
	homes, err := s.Store.HouseholdNames(ctx, hids)
	if err != nil {
		return fmt.Errorf("waiting requests: %w", err)
	}
	var out []Notice
	for _, r := range reqs {
		args := map[string]string{"no": strconv.FormatInt(r.ID, 10), "household": homes[r.HouseholdID], "village": r.Village,
			"cadre": w.names[r.CadreID], "text": r.Summary, "kind": string(r.Kind)}
		first := NoticeNewRequest
		if why, ok := w.reasons[r.ID]; ok {
			first, args["reason"] = NoticeEscalation, why
			if !r.Deadline.IsZero() {
				args["deadline"] = s.day(r.Deadline)
			}
		}
		out = append(out, replay(acc, r, timelines[r.ID], first, args)...)
	}
	return s.enqueue(ctx, g, out...)
}

// replay returns the notices that show acc request r as it was asked: its
// first message as kind (with the request's buttons), then its follow-ups,
// each with a copy of its media. Without a stored first message, the
// request's summary stands in.
func replay(acc Account, r Request, events []Event, kind NoticeKind, args map[string]string) []Notice {
	var out []Notice
	for _, ev := range events {
		if ev.Msg == nil || (ev.Action != ActCreate && ev.Action != ActFollowup) {
			continue
		}
		a := make(map[string]string, len(args))
		for k, v := range args {
			a[k] = v
		}
		a["text"], a["kind"] = ev.Msg.Text, string(ev.Msg.Kind)
		n := Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeFollowup, RequestID: r.ID, Args: a}
		if ev.Action == ActCreate {
			n.Kind, n.Buttons = kind, CadreButtons(r)
		}
		out = append(out, n)
		out = append(out, copyOf(acc, r, &Message{ChatID: ev.Msg.ChatID, MessageID: ev.Msg.MessageID, Kind: ev.Msg.Kind}, false)...)
	}
	if len(out) == 0 || out[0].Kind != kind {
		first := Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: kind, RequestID: r.ID, Args: args, Buttons: CadreButtons(r)}
		out = append([]Notice{first}, out...)
	}
	return out
}
