package flows

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Phone verdicts (电话回访). A household without a bound account cannot
// answer "solved?" in a chat, so its resolved requests wait for the unit's
// leader, who asks by phone and records the answers with the same one-tap
// buttons, or that the household could not be reached. As 12345 hotlines
// do, the handler never rates itself: whoever acted on the request (its
// cadre, whoever recorded, answered, set a date or resolved it) may not
// record its verdict.

// revisitLimit bounds one /revisits answer.
const revisitLimit = 20

// phoneButtons are a leader's phone verdict buttons on a resolved request:
// "solved?" (and could not reach), then the rating.
func phoneButtons(r Request) [][]Button {
	b := func(a Action, arg string) Button { return Button{Action: a, RequestID: r.ID, Arg: arg} }
	if r.Solved == "" {
		return [][]Button{{b(ActPhoneSolved, "y"), b(ActPhoneSolved, "n")}, {b(ActUnreached, "")}}
	}
	return [][]Button{{b(ActPhoneRate, "3"), b(ActPhoneRate, "2"), b(ActPhoneRate, "1")}, {b(ActUnreached, "")}}
}

// phoneDone tells the leader what a phone verdict did.
func phoneDone(p Press, lang string, id int64, result string) Notice {
	return Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticePhoneVerdict, RequestID: id,
		Args: map[string]string{"no": strconv.FormatInt(id, 10), "result": result}}
}

// Revisits answers a leader's /revisits: the unit's resolved requests of
// households without a bound account, each with its phone verdict buttons.
func (s *Service) Revisits(ctx context.Context, m Message) error {
	_, c, lang, ok, err := s.staffMember(ctx, m)
	if !ok || err != nil {
		return err
	}
	if c.Role != RoleLeader {
		return s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	sc := Scope{Kind: ScopeUnit, ID: c.Unit}
	if c.CountyWide() {
		sc = Scope{Kind: ScopeCounty}
	}
	ids, err := s.Store.ResolvedRequests(ctx, sc)
	if err != nil {
		return fmt.Errorf("revisits: %w", err)
	}
	waiting, err := s.revisitsOf(ctx, c, ids)
	if err != nil {
		return fmt.Errorf("revisits: %w", err)
	}
	notices := []Notice{{ChatID: m.ChatID, Lang: lang, Kind: NoticeRevisitsHead, Args: map[string]string{"n": strconv.Itoa(len(waiting))}}}
	cadres := map[string]string{}
	for _, r := range waiting {
		h, err := s.Store.Household(ctx, r.HouseholdID)
		if err != nil {
			continue
		}
		notices = append(notices, Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeRevisit, RequestID: r.ID, Buttons: phoneButtons(r),
			Args: map[string]string{"no": strconv.FormatInt(r.ID, 10), "household": h.Name, "village": h.Village, "phone": h.Phone,
				"text": r.Summary, "note": r.Note, "cadre": s.cadreName(ctx, cadres, r.CadreID)}})
	}
	return s.enqueue(ctx, guard(m.UpdateID, "reply"), notices...)
}

// revisitsOf keeps, of the resolved requests ids, those of households
// without a bound account that c did not handle, oldest first, at most
// revisitLimit.
func (s *Service) revisitsOf(ctx context.Context, c Cadre, ids []int64) ([]Request, error) {
	reqs, err := s.Store.Requests(ctx, ids)
	if err != nil {
		return nil, err
	}
	hids := make([]string, 0, len(reqs))
	for _, r := range reqs {
		hids = append(hids, r.HouseholdID)
	}
	accs, err := s.Store.AccountsOfHouseholds(ctx, hids)
	if err != nil {
		return nil, err
	}
	var out []Request
	for _, r := range reqs {
		if r.State != StateResolved || len(accs[r.HouseholdID]) > 0 {
			continue
		}
		handled, err := s.handled(ctx, c, r)
		if err != nil {
			return nil, err
		}
		if !handled {
			out = append(out, r)
		}
		if len(out) == revisitLimit {
			break
		}
	}
	return out, nil
}

// handled reports whether c acted on r: its cadre, or in its timeline.
func (s *Service) handled(ctx context.Context, c Cadre, r Request) (bool, error) {
	if r.CadreID == c.ID {
		return true, nil
	}
	events, err := s.Store.Timeline(ctx, r.ID)
	if err != nil {
		return false, err
	}
	for _, ev := range events {
		if ev.Actor == actorCadre(c.ID) {
			return true, nil
		}
	}
	return false, nil
}

// phonePress records a phone verdict, or that the household could not be
// reached. Only a leader over r's unit who did not handle r may, only on a
// resolved request of a household without a bound account.
func (s *Service) phonePress(ctx context.Context, p Press, c Cadre, r Request, lang string) (PressResult, error) {
	if !c.OnRoster || c.Role != RoleLeader || (c.Unit != "" && c.Unit != r.Unit) {
		return PressResult{Toast: ToastForbidden}, nil
	}
	if handled, err := s.handled(ctx, c, r); err != nil || handled {
		return PressResult{Toast: ToastForbidden}, err
	}
	accs, err := s.Store.HouseholdAccounts(ctx, r.HouseholdID)
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("phone verdict: %w", err)
	}
	if len(accs) > 0 || r.State != StateResolved {
		return PressResult{Toast: ToastInvalid, Edit: true}, nil // the household answers in its chat, or it is not waiting
	}
	if p.Button.Action != ActUnreached {
		return s.verdict(ctx, p, actorPhone(c.ID), r, lang, true)
	}
	ev := Event{At: s.Clock.Now(), Actor: actorPhone(c.ID), Action: ActUnreached, From: r.State, To: r.State}
	err = s.apply(ctx, s.change(&r, r, ev, []Notice{phoneDone(p, lang, r.ID, "unreached")}, guard(p.UpdateID, "press")))
	return PressResult{Toast: ToastDone, Buttons: phoneButtons(r), Edit: true}, err
}

// VerdictVia says how the latest verdict of a request was given: "chat",
// "phone", or "" when none was.
func VerdictVia(events []Event) string {
	via := ""
	for _, ev := range events {
		if ev.Action == ActSolvedQ || ev.Action == ActRate {
			via = "chat"
			if strings.HasPrefix(ev.Actor, "phone:") {
				via = "phone"
			}
		}
	}
	return via
}
