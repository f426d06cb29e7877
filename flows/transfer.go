package flows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Transfer (转办): a cadre or leader hands a request to the unit that can
// solve it, with a reason. The receiving unit's leaders get it with its
// whole context and assign it to one of the unit's cadres (or take it);
// the assignee works it with the usual buttons. The household's own cadre
// stays its contact: the household's messages still go to that cadre, who
// hears of every step (tellContact). A receiving leader may send it back
// with a reason (退回); sent back twice, the county-wide leaders pick the
// unit, and that choice is final.

// maxAssignees bounds the assignment buttons under one message.
const maxAssignees = 40

// shortKey is the button argument naming a unit or a cadre: callback data
// is short and alphanumeric, and a key stays valid across roster imports.
func shortKey(kind, name string) string {
	h := sha256.Sum256([]byte(kind + ":" + name))
	return hex.EncodeToString(h[:5])
}

// handlerUnit is the unit a household is told handles its request, when c,
// not the household's own cadre, acts on a transferred request ("" else).
func handlerUnit(r Request, c Cadre) string {
	if r.Contact == "" || c.ID == r.Contact {
		return ""
	}
	return c.Unit
}

// roster units and staff, read for a transfer's buttons.
type staffView struct {
	staff []Cadre
	units []string // sorted, without ""
}

func (s *Service) staffView(ctx context.Context) (staffView, error) {
	staff, err := s.Store.Staff(ctx)
	if err != nil {
		return staffView{}, fmt.Errorf("transfer: %w", err)
	}
	seen := map[string]bool{}
	v := staffView{staff: staff}
	for _, c := range staff {
		if c.Unit != "" && !seen[c.Unit] {
			seen[c.Unit] = true
			v.units = append(v.units, c.Unit)
		}
	}
	sort.Strings(v.units)
	return v, nil
}

// unit finds the unit a key names.
func (v staffView) unit(key string) (string, bool) {
	for _, u := range v.units {
		if shortKey("u", u) == key {
			return u, true
		}
	}
	return "", false
}

// unitButtons offer every unit but except, two a row.
func unitButtons(r Request, v staffView, except string) [][]Button {
	var rows [][]Button
	var row []Button
	for _, u := range v.units {
		if u == except {
			continue
		}
		row = append(row, Button{Action: ActTransfer, RequestID: r.ID, Arg: shortKey("u", u), Label: u})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

// assignButtons offer the cadres of r's unit, "handle it myself" and,
// unless the county ruled, sending it back.
func assignButtons(r Request, v staffView) [][]Button {
	var rows [][]Button
	var row []Button
	n := 0
	for _, c := range v.staff {
		if c.Unit != r.Unit || c.Role != RoleCadre || n == maxAssignees {
			continue
		}
		n++
		row = append(row, Button{Action: ActAssign, RequestID: r.ID, Arg: shortKey("c", c.ID), Label: c.Name})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	last := []Button{{Action: ActAssign, RequestID: r.ID, Arg: "me"}}
	if !r.Ruled {
		last = append(last, Button{Action: ActSendBack, RequestID: r.ID})
	}
	return append(rows, last)
}

// transferPress handles the transfer buttons of a cadre who may act on r.
func (s *Service) transferPress(ctx context.Context, p Press, c Cadre, r Request, lang string) (PressResult, error) {
	if !r.Open() {
		return PressResult{Toast: ToastInvalid}, nil
	}
	switch p.Button.Action {
	case ActAssign:
		return s.assign(ctx, p, c, r, lang)
	case ActSendBack:
		if !r.Assigning || r.Ruled || r.Unit == "" || c.Role != RoleLeader {
			return PressResult{Toast: ToastInvalid}, nil
		}
		n := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeSendBackPrompt, RequestID: r.ID, Args: noArgs(r.ID), Prompt: ActSendBack}
		return PressResult{Toast: ToastDone}, s.enqueue(ctx, guard(p.UpdateID, "prompt"), n)
	}
	deciding := r.Assigning && r.Unit == "" // the county-wide leaders pick the unit
	if r.Assigning && !deciding {
		return PressResult{Toast: ToastInvalid}, nil
	}
	v, err := s.staffView(ctx)
	if err != nil {
		return PressResult{Toast: ToastError}, err
	}
	if p.Button.Arg == "" {
		n := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeTransferPick, RequestID: r.ID, Args: noArgs(r.ID), Buttons: unitButtons(r, v, r.Unit)}
		return PressResult{Toast: ToastDone}, s.enqueue(ctx, guard(p.UpdateID, "pick"), n)
	}
	unit, ok := v.unit(p.Button.Arg)
	if !ok || unit == r.Unit {
		return PressResult{Toast: ToastInvalid}, nil
	}
	if deciding {
		err := s.transfer(ctx, guard(p.UpdateID, "press"), p.ChatID, lang, c, r, unit, "", v)
		return PressResult{Toast: ToastDone, Edit: true}, err
	}
	args := noArgs(r.ID)
	args["unit"] = unit
	n := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeTransferReason, RequestID: r.ID, Args: args, Prompt: Action(string(ActTransfer) + "." + p.Button.Arg)}
	return PressResult{Toast: ToastDone}, s.enqueue(ctx, guard(p.UpdateID, "prompt"), n)
}

// transferReason handles the reply to "why transfer to this unit?".
func (s *Service) transferReason(ctx context.Context, m Message, c Cadre, r Request, key, lang string) error {
	reason := Summarize(strings.TrimSpace(m.Text), noteRunes)
	if reason == "" {
		return s.reply(ctx, m, lang, NoticeReasonNeeded, noArgs(r.ID))
	}
	if !r.Open() || r.Assigning {
		return s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	v, err := s.staffView(ctx)
	if err != nil {
		return err
	}
	unit, ok := v.unit(key)
	if !ok || unit == r.Unit {
		return s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	return s.transfer(ctx, guard(m.UpdateID, "req"), m.ChatID, lang, c, r, unit, reason, v)
}

// transfer hands r to unit, in one change: the unit's leaders get it with
// its context and the assignment buttons, the household is told which unit
// handles it and why (reason; "" when the county-wide leaders ruled), the
// one who transferred is answered.
func (s *Service) transfer(ctx context.Context, g string, chat int64, lang string, c Cadre, r Request, unit, reason string, v staffView) error {
	now := s.Clock.Now()
	next := r
	if next.Contact == "" {
		next.Contact = r.CadreID
	}
	deciding := r.Assigning && r.Unit == ""
	next.TransferBy, next.FromUnit, next.Unit, next.CadreID, next.Assigning = c.ID, r.Unit, unit, "", true
	next.Reason, next.Ruled = reason, r.Ruled || deciding
	if deciding {
		next.Reason = r.Reason // the reason it came to the county
	}
	next.State, next.Deadline, next.TransferredAt = StateReceived, time.Time{}, now
	next.Path = appendPath(r, unit)
	ev := Event{At: now, Actor: actorCadre(c.ID), Action: ActTransfer, From: r.State, To: next.State, Note: reason,
		Move: &UnitMove{From: r.Unit, To: unit}}
	args, err := s.requestArgs(ctx, next)
	if err != nil {
		return err
	}
	args["from"], args["reason"], args["cadre"] = r.Unit, next.Reason, s.cadreName(ctx, map[string]string{}, next.Contact)
	notices, err := s.toUnitLeaders(ctx, next, unit, NoticeTransferIn, args, assignButtons(next, v))
	if err != nil {
		return err
	}
	hargs := map[string]string{"no": args["no"], "unit": unit, "reason": reason}
	hh, err := s.toHousehold(ctx, next, NoticeTransferred, hargs, nil)
	if err != nil {
		return err
	}
	notices = append(notices, hh...)
	notices = append(notices, Notice{ChatID: chat, Lang: lang, Kind: NoticeTransferDone, RequestID: r.ID, Args: hargs})
	return s.apply(ctx, s.change(&r, next, ev, notices, g))
}

// appendPath returns r's units with unit added.
func appendPath(r Request, unit string) []string {
	path := append([]string(nil), r.Path...)
	if len(path) == 0 {
		path = append(path, r.Unit)
	}
	return append(path, unit)
}

// toUnitLeaders brings request r with its context (the household's
// messages, media copied, and the timeline) to the leaders of unit ("" =
// the county-wide ones; a unit without a leader falls back to them), the
// first message of each carrying buttons.
func (s *Service) toUnitLeaders(ctx context.Context, r Request, unit string, kind NoticeKind, args map[string]string, buttons [][]Button) ([]Notice, error) {
	leaders, err := s.Store.UnitLeaders(ctx, unit)
	if err == nil && len(leaders) == 0 && unit != "" {
		leaders, err = s.Store.UnitLeaders(ctx, "")
	}
	if err != nil {
		return nil, fmt.Errorf("unit leaders: %w", err)
	}
	events, err := s.Store.Timeline(ctx, r.ID)
	if err != nil {
		return nil, fmt.Errorf("transfer context: %w", err)
	}
	var out []Notice
	for _, l := range leaders {
		acc, err := s.Store.CadreAccount(ctx, l.ID)
		if isNotFound(err) || (err == nil && acc.Unreachable) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("leader account: %w", err)
		}
		out = append(out, s.withContext(acc, r, events, kind, args, buttons)...)
	}
	return out, nil
}

// withContext returns the notices that bring acc request r: the household's
// messages (the first as kind, with buttons), media copied, and the timeline.
func (s *Service) withContext(acc Account, r Request, events []Event, kind NoticeKind, args map[string]string, buttons [][]Button) []Notice {
	out := replay(acc, r, events, kind, args)
	for i := range out {
		if out[i].Kind == kind {
			out[i].Buttons = buttons
			break
		}
	}
	return append(out, Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeTimeline, RequestID: r.ID, Args: noArgs(r.ID), List: s.timelineItems(r, events)})
}

// assign gives a transferred request to a cadre of its unit, or to the
// leader who presses "me".
func (s *Service) assign(ctx context.Context, p Press, c Cadre, r Request, lang string) (PressResult, error) {
	if !r.Assigning || r.Unit == "" || c.Role != RoleLeader {
		return PressResult{Toast: ToastInvalid}, nil
	}
	to := c
	if p.Button.Arg != "me" {
		v, err := s.staffView(ctx)
		if err != nil {
			return PressResult{Toast: ToastError}, err
		}
		found := false
		for _, x := range v.staff {
			if x.Unit == r.Unit && x.Role == RoleCadre && shortKey("c", x.ID) == p.Button.Arg {
				to, found = x, true
			}
		}
		if !found {
			return PressResult{Toast: ToastInvalid}, nil
		}
	}
	next := r
	next.CadreID, next.Assigning = to.ID, false
	ev := Event{At: s.Clock.Now(), Actor: actorCadre(c.ID), Action: ActAssign, From: r.State, To: r.State, Note: to.ID}
	args, err := s.requestArgs(ctx, next)
	if err != nil {
		return PressResult{Toast: ToastError}, err
	}
	args["from"], args["reason"], args["by"] = r.FromUnit, r.Reason, c.Name
	var notices []Notice
	if acc, err := s.Store.CadreAccount(ctx, to.ID); err == nil && !acc.Unreachable {
		events, err := s.Store.Timeline(ctx, r.ID)
		if err != nil {
			return PressResult{Toast: ToastError}, fmt.Errorf("assign: %w", err)
		}
		notices = s.withContext(acc, next, events, NoticeAssigned, args, CadreButtons(next))
	} else if err != nil && !isNotFound(err) {
		return PressResult{Toast: ToastError}, fmt.Errorf("assign: %w", err)
	}
	notices = append(notices, Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeAssignDone, RequestID: r.ID,
		Args: map[string]string{"no": args["no"], "cadre": to.Name}})
	if err := s.apply(ctx, s.change(&r, next, ev, notices, guard(p.UpdateID, "press"))); err != nil {
		return PressResult{Toast: ToastError}, err
	}
	return PressResult{Toast: ToastDone, Edit: true}, nil
}

// sendBack handles a receiving leader's reason for sending a transfer
// back: to the household's own cadre the first time, to the county-wide
// leaders (who pick the unit) the second. The one who transferred it and
// that unit's leaders are told.
func (s *Service) sendBack(ctx context.Context, m Message, c Cadre, r Request, lang string) error {
	if !r.Open() || !r.Assigning || r.Ruled || r.Unit == "" || c.Role != RoleLeader {
		return s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	reason := Summarize(strings.TrimSpace(m.Text), noteRunes)
	if reason == "" {
		return s.reply(ctx, m, lang, NoticeReasonNeeded, noArgs(r.ID))
	}
	next := r
	next.SentBack, next.Reason = r.SentBack+1, reason
	county := next.SentBack >= 2
	v, err := s.staffView(ctx)
	if err != nil {
		return err
	}
	args, err := s.requestArgs(ctx, next)
	if err != nil {
		return err
	}
	args["from"], args["reason"], args["unit"] = r.Unit, reason, r.Unit
	var notices []Notice
	if county {
		next.Unit, next.CadreID = "", ""
		args["county"] = "1"
		if notices, err = s.toUnitLeaders(ctx, next, "", NoticeTransferIn, args, unitButtons(next, v, "")); err != nil {
			return err
		}
	} else {
		home, err := s.Store.Cadre(ctx, r.Contact)
		if err != nil && !isNotFound(err) {
			return err
		}
		next.CadreID, next.Unit, next.Assigning, next.Path = r.Contact, home.Unit, false, appendPath(r, home.Unit)
		hh, err := s.toHousehold(ctx, next, NoticeBackHome, map[string]string{"no": args["no"], "cadre": home.Name}, nil)
		if err != nil {
			return err
		}
		notices = hh
	}
	told, err := s.toSender(ctx, r, next, args)
	if err != nil {
		return err
	}
	notices = append(notices, told...)
	notices = append(notices, Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeSendBackDone, RequestID: r.ID, Args: args})
	ev := Event{At: s.Clock.Now(), Actor: actorCadre(c.ID), Action: ActSendBack, From: r.State, To: next.State, Note: reason,
		Move: &UnitMove{From: r.Unit, To: next.Unit}}
	return s.apply(ctx, s.change(&r, next, ev, notices, guard(m.UpdateID, "req")))
}

// toSender tells the one who transferred r and the leaders of the unit it
// came from that it was sent back; whoever may act on it now gets its
// buttons.
func (s *Service) toSender(ctx context.Context, r, next Request, args map[string]string) ([]Notice, error) {
	ids := []string{r.TransferBy}
	leaders, err := s.Store.UnitLeaders(ctx, r.FromUnit)
	if err != nil {
		return nil, fmt.Errorf("send back: %w", err)
	}
	for _, l := range leaders {
		ids = append(ids, l.ID)
	}
	var out []Notice
	seen := map[int64]bool{}
	for _, id := range ids {
		acc, err := s.Store.CadreAccount(ctx, id)
		if isNotFound(err) || (err == nil && (acc.Unreachable || seen[acc.ID])) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("send back: %w", err)
		}
		seen[acc.ID] = true
		n := Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeSentBack, RequestID: r.ID, Args: args}
		if c, err := s.Store.Cadre(ctx, id); err == nil && CanAct(c, next) {
			n.Buttons = CadreButtons(next)
		}
		out = append(out, n)
	}
	return out, nil
}
