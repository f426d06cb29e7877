package flows

import (
	"context"
	"strconv"
	"time"
)

// verdictButtons are the household's one-tap questions on a resolved
// request: first "solved?", then how satisfied.
func verdictButtons(r Request) [][]Button {
	b := func(a Action, arg string) Button { return Button{Action: a, RequestID: r.ID, Arg: arg} }
	if r.Solved == "" {
		return [][]Button{{b(ActSolvedQ, "y"), b(ActSolvedQ, "n")}}
	}
	return [][]Button{{b(ActRate, "3"), b(ActRate, "2"), b(ActRate, "1")}}
}

// withButtons puts the same buttons under every notice that is not a copy.
func withButtons(ns []Notice, rows [][]Button) {
	for i := range ns {
		if ns[i].Copy == nil {
			ns[i].Buttons = rows
		}
	}
}

// verdict records the household's answer to "solved?" or its rating, in
// that order, once each per resolution. "Not solved" or 不满意 reopens the
// request and tells the cadre; a second reopen tells the unit's leader too.
// 满意 or 基本满意 closes it. actor says who answered: the household in its
// chat, or (phone) a leader who asked it by phone (电话回访), whose buttons
// are ActPhoneSolved and ActPhoneRate; the event records the household's
// answer (ActSolvedQ, ActRate) either way, so the rates count both.
func (s *Service) verdict(ctx context.Context, p Press, actor string, r Request, lang string, phone bool) (PressResult, error) {
	buttons := verdictButtons
	act := p.Button.Action
	if phone {
		buttons = phoneButtons
		act = map[Action]Action{ActPhoneSolved: ActSolvedQ, ActPhoneRate: ActRate}[act]
	}
	if r.State != StateResolved {
		return PressResult{Toast: ToastInvalid, Edit: true}, nil
	}
	if answered := r.Solved != ""; answered != (act == ActRate) {
		return PressResult{Toast: ToastInvalid, Buttons: buttons(r), Edit: true}, nil // a button of another question: show the open one
	}
	now := s.Clock.Now()
	next := r
	next.VerdictAt = now
	arg := p.Button.Arg
	ev := Event{At: now, Actor: actor, Action: act, From: r.State, To: r.State, Note: arg}
	switch {
	case act == ActSolvedQ && arg == "y":
		next.Solved = "yes"
		err := s.apply(ctx, s.change(&r, next, ev, nil, guard(p.UpdateID, "press")))
		return PressResult{Toast: ToastDone, Buttons: buttons(next), Edit: true}, err
	case act == ActSolvedQ && arg == "n":
		next.Solved = "no"
		return s.reopen(ctx, p, r, next, ev, lang, "not_solved", phone)
	case act == ActRate && ratingArgs[arg] != "":
		next.Rating = ratingArgs[arg]
		if next.Rating == RatingUnsatisfied {
			return s.reopen(ctx, p, r, next, ev, lang, "unsatisfied", phone)
		}
		next.State, next.ClosedAt = StateClosed, now
		ev.To = StateClosed
		thanks := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeThanks, RequestID: r.ID, Args: noArgs(r.ID)}
		if phone {
			thanks = phoneDone(p, lang, r.ID, "rated")
		}
		err := s.apply(ctx, s.change(&r, next, ev, []Notice{thanks}, guard(p.UpdateID, "press")))
		return PressResult{Toast: ToastDone, Edit: true}, err
	}
	return PressResult{Toast: ToastInvalid}, nil
}

// reopen sends a request back to its cadre after a bad verdict. A date
// promised to the household still stands (the request is late once it has
// passed); the cadre may move it, with a reason the household sees.
func (s *Service) reopen(ctx context.Context, p Press, r, next Request, ev Event, lang, why string, phone bool) (PressResult, error) {
	next.State, next.Reopens, next.ResolvedAt = StateResponded, r.Reopens+1, time.Time{}
	if !r.Deadline.IsZero() {
		next.State = StatePromised
	}
	ev.To = next.State
	h, err := s.Store.Household(ctx, r.HouseholdID)
	if err != nil {
		return PressResult{Toast: ToastError}, err
	}
	args := map[string]string{"no": strconv.FormatInt(r.ID, 10), "household": h.Name, "village": h.Village, "why": why}
	var notices []Notice
	if acc, err := s.Store.CadreAccount(ctx, r.CadreID); err == nil && !acc.Unreachable {
		notices = append(notices, Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeReopened, RequestID: r.ID, Args: args, Buttons: CadreButtons(next)})
	}
	if next.Reopens >= 2 || len(notices) == 0 {
		leaders, err := s.toLeaders(ctx, next, NoticeReopened, args, nil)
		if err != nil {
			return PressResult{Toast: ToastError}, err
		}
		notices = append(notices, leaders...)
	}
	ack := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeReopenAck, RequestID: r.ID, Args: noArgs(r.ID)}
	if phone {
		ack = phoneDone(p, lang, r.ID, why)
	}
	notices = append(notices, ack)
	err = s.apply(ctx, s.change(&r, next, ev, notices, guard(p.UpdateID, "press")))
	return PressResult{Toast: ToastDone, Edit: true}, err
}
