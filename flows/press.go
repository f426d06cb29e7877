package flows

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Press is a button pressed under a message.
type Press struct {
	UpdateID  int64
	AccountID int64
	ChatID    int64
	MessageID int // the message the button is under
	Lang      string
	Button    Button
}

// Toast is the short answer shown to the presser of a button.
type Toast string

// Toasts.
const (
	ToastDone      Toast = "done"
	ToastForbidden Toast = "forbidden"
	ToastInvalid   Toast = "invalid" // not possible in the request's state
	ToastGone      Toast = "gone"    // no such request
	ToastExpired   Toast = "expired" // the buttons of an outreach message expired
	ToastError     Toast = "error"
)

// PressResult tells the transport how to answer a press. The rules that
// handle a press fill in all but Lang, which Press sets.
type PressResult struct {
	Toast Toast
	Lang  string
	// Buttons, when Edit is set, replace the buttons under the pressed message.
	Buttons [][]Button
	Edit    bool
}

// Press handles a button. The button's data is untrusted: the request and
// the presser's right to act on it are checked again here.
func (s *Service) Press(ctx context.Context, p Press) (PressResult, error) {
	res := PressResult{Toast: ToastForbidden, Lang: s.lang(p.Lang)}
	a, ok, err := s.account(ctx, p.AccountID)
	if err != nil || !ok {
		return res, err
	}
	lang := s.langOf(a, p.Lang)
	err = retry(func() error {
		var err error
		res, err = s.press(ctx, p, a, lang)
		return err
	})
	res.Lang = lang
	if err != nil {
		res.Toast = ToastError
	}
	return res, err
}

// press does one attempt of Press.
func (s *Service) press(ctx context.Context, p Press, a Account, lang string) (PressResult, error) {
	if reachAction(p.Button.Action) {
		return s.reachPress(ctx, p, a, lang)
	}
	if visitActions[p.Button.Action] {
		return s.visitPress(ctx, p, a, lang)
	}
	r, err := s.Store.Request(ctx, p.Button.RequestID)
	if isNotFound(err) {
		return PressResult{Toast: ToastGone}, nil
	}
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("press: %w", err)
	}
	if a.Kind == AccountHousehold {
		return s.householdPress(ctx, p, a, r, lang)
	}
	c, err := s.Store.Cadre(ctx, a.Ref)
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("press: %w", err)
	}
	if phoneActions[p.Button.Action] {
		return s.phonePress(ctx, p, c, r, lang)
	}
	if !CanSee(c, r) {
		return PressResult{Toast: ToastForbidden}, nil
	}
	switch p.Button.Action {
	case ActTimeline:
		return PressResult{Toast: ToastDone}, s.sendTimeline(ctx, p, r, lang)
	case ActNote:
		return PressResult{Toast: ToastDone}, s.askNote(ctx, p, r, lang)
	}
	if !CanAct(c, r) {
		return PressResult{Toast: ToastForbidden}, nil
	}
	switch p.Button.Action {
	case ActTransfer, ActAssign, ActSendBack:
		return s.transferPress(ctx, p, c, r, lang)
	case ActHelper:
		return s.helperPress(ctx, p, c, r, lang)
	}
	if r.Assigning { // a transfer waits for its unit's leader to assign it
		return PressResult{Toast: ToastInvalid}, nil
	}
	switch {
	case p.Button.Action == ActCategory:
		return s.category(ctx, p, c, r, lang)
	case p.Button.Action == ActMoveDeadline || (p.Button.Action == ActDeadline && p.Button.Arg == ""):
		if _, ok := transitions[p.Button.Action][r.State]; !ok {
			return PressResult{Toast: ToastInvalid, Buttons: CadreButtons(r), Edit: true}, nil
		}
		return PressResult{Toast: ToastDone}, s.askDate(ctx, p, r, p.Button.Action, lang)
	}
	next, err := Transition(r, p.Button.Action, p.Button.Arg, s.Clock.Now(), s.Settings.Location)
	if ErrorCode(err) == EINVALID {
		return PressResult{Toast: ToastInvalid, Buttons: CadreButtons(r), Edit: true}, nil
	}
	if err != nil {
		return PressResult{Toast: ToastError}, err
	}
	if err := s.applyCadreAction(ctx, p, c, r, next, lang); err != nil {
		return PressResult{Toast: ToastError}, err
	}
	return PressResult{Toast: ToastDone, Buttons: CadreButtons(next), Edit: true}, nil
}

// applyCadreAction stores a cadre's state change and tells the household.
func (s *Service) applyCadreAction(ctx context.Context, p Press, c Cadre, r, next Request, lang string) error {
	kinds := map[Action]NoticeKind{ActContact: NoticeContacted, ActSolve: NoticeSolved, ActDeadline: NoticeDeadlineSet, ActResolve: NoticeResolved}
	args := map[string]string{"no": strconv.FormatInt(r.ID, 10), "cadre": c.Name, "phone": c.Phone, "unit": handlerUnit(r, c)}
	if !next.Deadline.IsZero() {
		args["deadline"] = next.Deadline.In(s.location()).Format("2006-01-02")
	}
	notices, err := s.toHousehold(ctx, next, kinds[p.Button.Action], args, nil)
	if err != nil {
		return err
	}
	if next.State == StateResolved {
		withButtons(notices, verdictButtons(next))
		if p.Button.Action == ActResolve { // the cadre may add a short note
			notices = append(notices, Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeResolvePrompt, RequestID: r.ID, Args: noArgs(r.ID), Prompt: ActResolve})
		}
	}
	ev := Event{At: s.Clock.Now(), Actor: actorCadre(c.ID), Action: p.Button.Action, From: r.State, To: next.State, Note: p.Button.Arg}
	if next.State == StateResolved && r.Late(ev.At) {
		ev.Note = NoteLate // resolved after its deadline: not on time
	}
	c2 := s.change(&r, next, ev, notices, guard(p.UpdateID, "press"))
	if p.Button.Action == ActContact || p.Button.Action == ActSolve { // the cadre reached the household
		c2.Contact = s.contactOf(r.HouseholdID, ev.At, ContactReply)
	}
	return s.apply(ctx, c2)
}

// householdPress handles a household's buttons: splitting a follow-up off
// into a request of its own.
func (s *Service) householdPress(ctx context.Context, p Press, a Account, r Request, lang string) (PressResult, error) {
	if r.HouseholdID != a.Ref {
		return PressResult{Toast: ToastForbidden}, nil
	}
	switch p.Button.Action {
	case ActSolvedQ, ActRate:
		return s.verdict(ctx, p, actorHousehold(a.Ref), r, lang, false)
	case ActSplit:
	default:
		return PressResult{Toast: ToastForbidden}, nil
	}
	msgID, err := strconv.Atoi(p.Button.Arg)
	if err != nil {
		return PressResult{Toast: ToastInvalid}, nil
	}
	events, err := s.Store.Timeline(ctx, r.ID)
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("split: %w", err)
	}
	for _, ev := range events {
		if ev.Action == ActFollowup && ev.Msg != nil && ev.Msg.ChatID == p.ChatID && ev.Msg.MessageID == msgID {
			return s.split(ctx, p, a, *ev.Msg, lang)
		}
	}
	return PressResult{Toast: ToastInvalid, Edit: true}, nil
}

// split makes a new request of a follow-up message.
func (s *Service) split(ctx context.Context, p Press, a Account, ref MsgRef, lang string) (PressResult, error) {
	h, err := s.Store.Household(ctx, a.Ref)
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("split: %w", err)
	}
	m := Message{UpdateID: p.UpdateID, AccountID: a.ID, ChatID: ref.ChatID, MessageID: ref.MessageID, Kind: ref.Kind, Text: ref.Text}
	if err := s.create(ctx, m, h, lang, nil); err != nil {
		return PressResult{Toast: ToastError}, err
	}
	return PressResult{Toast: ToastDone, Edit: true}, nil
}

// sendTimeline sends a request's timeline to the presser.
func (s *Service) sendTimeline(ctx context.Context, p Press, r Request, lang string) error {
	events, err := s.Store.Timeline(ctx, r.ID)
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	n := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeTimeline, RequestID: r.ID, Args: noArgs(r.ID), List: s.timelineItems(r, events)}
	return s.enqueue(ctx, guard(p.UpdateID, "timeline"), n)
}

func (s *Service) location() *time.Location {
	if s.Settings.Location == nil {
		return time.UTC
	}
	return s.Settings.Location
}

// category asks for (arg "") or sets a request's category.
func (s *Service) category(ctx context.Context, p Press, c Cadre, r Request, lang string) (PressResult, error) {
	if r.State.Type() == TypeClosed {
		return PressResult{Toast: ToastInvalid}, nil
	}
	if p.Button.Arg == "" {
		n := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeCategoryPrompt, RequestID: r.ID, Args: noArgs(r.ID), Buttons: categoryButtons(r)}
		return PressResult{Toast: ToastDone}, s.enqueue(ctx, guard(p.UpdateID, "category"), n)
	}
	next, err := setCategory(r, p.Button.Arg)
	if err != nil {
		return PressResult{Toast: ToastInvalid}, nil
	}
	ev := Event{At: s.Clock.Now(), Actor: actorCadre(c.ID), Action: ActCategory, From: r.State, To: r.State, Note: next.Category}
	if err := s.apply(ctx, s.change(&r, next, ev, nil, guard(p.UpdateID, "press"))); err != nil {
		return PressResult{Toast: ToastError}, err
	}
	return PressResult{Toast: ToastDone, Edit: true}, nil
}
