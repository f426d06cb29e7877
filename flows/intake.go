package flows

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Receive handles any message that is not a command: a household asking or
// adding to a request, a cadre answering one, a stranger writing (a
// stranger who types the code of a card or invite is bound as by its link).
//
// A household's new request costs three round trips to the store: the
// message's context (Intake), the request number, and the change.
func (s *Service) Receive(ctx context.Context, m Message) error {
	in, err := s.Store.Intake(ctx, m.AccountID, s.floodCounter(m), 2*time.Minute)
	if isNotFound(err) {
		if m.Kind == KindText && len(CodeCandidates(m.Text)) > 0 {
			return s.Start(ctx, m, m.Text)
		}
		return s.reply(ctx, m, s.lang(m.Lang), NoticeStranger, nil)
	}
	if err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	a := in.Account
	if a.Unreachable { // the person wrote: reachable again
		if err := s.Store.SetUnreachable(ctx, a.ID, false); err != nil {
			return fmt.Errorf("account reachable again: %w", err)
		}
		a.Unreachable = false
	}
	lang := s.langOf(a, m.Lang)
	if m.Kind == KindUnsupported || m.Kind == "" {
		return s.reply(ctx, m, lang, NoticeUnsupported, nil)
	}
	if a.Kind != AccountHousehold {
		return retry(func() error { return s.cadreMessage(ctx, m, a, lang) })
	}
	flooding, err := s.flooding(ctx, m, lang, in.Flood)
	if err != nil {
		return err
	}
	first := &in
	err = retry(func() error {
		known := first // the context read at once serves the first attempt only
		first = nil
		return s.householdMessage(ctx, m, a, lang, flooding, known)
	})
	if isNotFound(err) { // erased (forget) while the message was handled
		return s.reply(ctx, m, lang, NoticeStranger, nil)
	}
	return err
}

// householdMessage attaches m to the request it replies to, or to the
// household's latest open request, or starts a new request.
// known, when not nil, is the message's context read by Intake.
func (s *Service) householdMessage(ctx context.Context, m Message, a Account, lang string, flooding bool, known *Intake) error {
	h := Household{}
	if known != nil {
		h = known.Household
	} else {
		var err error
		if h, err = s.Store.Household(ctx, a.Ref); err != nil {
			return fmt.Errorf("household message: %w", err)
		}
	}
	if a.TalkUntil.After(s.Clock.Now()) { // it pressed 有事要说: this is a request of its own
		if err := s.create(ctx, m, h, lang, known); err != nil {
			return err
		}
		return s.Store.SetTalk(ctx, a.ID, time.Time{})
	}
	target, err := s.followupTarget(ctx, m, h, known)
	if err != nil {
		return err
	}
	if target != nil {
		return s.followup(ctx, m, h, *target, lang, flooding, known)
	}
	return s.create(ctx, m, h, lang, known)
}

// followupTarget finds the open request a household's message belongs to:
// the one its reply points at, else the latest open one, else none.
func (s *Service) followupTarget(ctx context.Context, m Message, h Household, known *Intake) (*Request, error) {
	if m.ReplyTo != 0 {
		link, err := s.Store.Linked(ctx, m.ChatID, m.ReplyTo)
		if err != nil && !isNotFound(err) {
			return nil, fmt.Errorf("route reply: %w", err)
		}
		if err == nil {
			r, err := s.Store.Request(ctx, link.RequestID)
			if err != nil && !isNotFound(err) {
				return nil, fmt.Errorf("route reply: %w", err)
			}
			if r.HouseholdID == h.ID && r.Open() {
				return &r, nil
			}
			if r.HouseholdID == h.ID {
				return nil, nil // replying to a finished request starts a new one
			}
		}
	}
	if known != nil {
		return known.Latest, nil
	}
	ids, err := s.Store.OpenRequests(ctx, Scope{Kind: ScopeHousehold, ID: h.ID})
	if err != nil {
		return nil, fmt.Errorf("open requests: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	r, err := s.Store.Request(ctx, ids[len(ids)-1])
	if err != nil {
		return nil, fmt.Errorf("latest open request: %w", err)
	}
	return &r, nil
}

// create opens a new request from m and tells the household and its cadre.
func (s *Service) create(ctx context.Context, m Message, h Household, lang string, known *Intake) error {
	id, err := s.Store.NextRequestID(ctx)
	if err != nil {
		return fmt.Errorf("create request: %w", err)
	}
	c, err := s.cadreOf(ctx, h.CadreID, known)
	if err != nil {
		return fmt.Errorf("create request: %w", err)
	}
	now := s.Clock.Now()
	r := Request{
		ID: id, HouseholdID: h.ID, CadreID: c.ID, Unit: c.Unit, Village: h.Village,
		State: StateReceived, Summary: Summarize(m.Text, summaryRunes), Kind: m.Kind, CreatedAt: now,
	}
	notices := []Notice{{ChatID: m.ChatID, Lang: lang, Kind: NoticeRequestAck, RequestID: id, Args: noArgs(id)}}
	cadreNotices, err := s.toCadre(ctx, c, r, NoticeNewRequest, m, h, lang, known)
	if err != nil {
		return err
	}
	notices = append(notices, cadreNotices...)
	ev := Event{At: now, Actor: actorHousehold(h.ID), Action: ActCreate, To: StateReceived, Msg: ref(m)}
	c2 := s.change(nil, r, ev, notices, guard(m.UpdateID, "req"))
	c2.Household = h.ID
	c2.Contact = s.contactOf(h.ID, now, ContactRequest)
	return s.apply(ctx, c2)
}

// followup adds m to request r and offers to split it into a new request.
func (s *Service) followup(ctx context.Context, m Message, h Household, r Request, lang string, flooding bool, known *Intake) error {
	c, err := s.cadreOf(ctx, r.ContactID(), known) // the household's own cadre, even while another unit handles it
	if err != nil {
		return fmt.Errorf("follow-up: %w", err)
	}
	next := r
	notices := []Notice{{
		ChatID: m.ChatID, Lang: lang, Kind: NoticeFollowupAck, RequestID: r.ID, Args: noArgs(r.ID),
		Buttons: [][]Button{{{Action: ActSplit, RequestID: r.ID, Arg: strconv.Itoa(m.MessageID)}}},
	}}
	if flooding {
		notices = nil // kept in the timeline; neither the cadre nor the household is flooded
	} else {
		cadreNotices, err := s.toCadre(ctx, c, r, NoticeFollowup, m, h, lang, known)
		if err != nil {
			return err
		}
		notices = append(notices, cadreNotices...)
	}
	ev := Event{At: s.Clock.Now(), Actor: actorHousehold(h.ID), Action: ActFollowup, From: r.State, To: r.State, Msg: ref(m)}
	c2 := s.change(&r, next, ev, notices, guard(m.UpdateID, "req"))
	c2.Contact = s.contactOf(r.HouseholdID, ev.At, ContactRequest)
	return s.apply(ctx, c2)
}

// toCadre builds the notices that bring a household's message to its cadre:
// a text with the request's buttons, and a copy of any media. When the
// cadre cannot be reached (never bound the invite, blocked the bot, or was
// taken off the roster with a household that is off it too), the unit's
// leaders get them at once, and the household is told where its request is
// (unreached).
func (s *Service) toCadre(ctx context.Context, c Cadre, r Request, kind NoticeKind, m Message, h Household, lang string, known *Intake) ([]Notice, error) {
	args := map[string]string{
		"no": strconv.FormatInt(r.ID, 10), "household": h.Name, "village": h.Village,
		"text": m.Text, "kind": string(m.Kind), "cadre": c.Name,
	}
	acc, bound, err := s.cadreAccount(ctx, c.ID, known)
	if err != nil {
		return nil, err
	}
	if !bound || acc.Unreachable || !c.OnRoster {
		args["reason"] = "unreachable"
		out, err := s.toLeaders(ctx, r, NoticeEscalation, args, &m)
		if err != nil {
			return nil, err
		}
		return append(out, unreached(m.ChatID, lang, r.ID, c, bound, len(out) > 0)), nil
	}
	n := Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: kind, RequestID: r.ID, Args: args, Silent: s.quiet()}
	if kind == NoticeNewRequest {
		n.Buttons = CadreButtons(r)
	}
	return append([]Notice{n}, copyOf(acc, r, &m, n.Silent)...), nil
}

// unreached tells a household whose cadre cannot be reached where its
// request is: with the unit's leader when a leader received it, else
// recorded, waiting for its cadre (who gets it on binding the invite, and
// finds it in /open after blocking the bot).
func unreached(chat int64, lang string, id int64, c Cadre, bound, toLeader bool) Notice {
	n := Notice{ChatID: chat, Lang: lang, Kind: NoticeCadreUnreachable, RequestID: id, Args: noArgs(id)}
	if !toLeader {
		reason := "unbound"
		if bound {
			reason = "unreachable"
		}
		n.Kind, n.Args = NoticeRequestWaiting, map[string]string{"no": n.Args["no"], "cadre": c.Name, "phone": c.Phone, "reason": reason}
	}
	return n
}

// cadreOf returns cadre id, from the message's context when it has it.
func (s *Service) cadreOf(ctx context.Context, id string, known *Intake) (Cadre, error) {
	if known != nil && known.Cadre.ID == id && id != "" {
		return known.Cadre, nil
	}
	return s.Store.Cadre(ctx, id)
}

// cadreAccount returns a cadre's bound account (bound=false if none), from
// the message's context when it has it.
func (s *Service) cadreAccount(ctx context.Context, id string, known *Intake) (Account, bool, error) {
	if known != nil && known.Cadre.ID == id && id != "" {
		if known.CadreAccount == nil {
			return Account{}, false, nil
		}
		return *known.CadreAccount, true, nil
	}
	acc, err := s.Store.CadreAccount(ctx, id)
	if isNotFound(err) {
		return acc, false, nil
	}
	if err != nil {
		return acc, false, fmt.Errorf("cadre account: %w", err)
	}
	return acc, true, nil
}

// copyOf returns a notice copying m's media to acc, if m carries media.
func copyOf(acc Account, r Request, m *Message, silent bool) []Notice {
	if m == nil || !m.Kind.Media() {
		return nil
	}
	return []Notice{{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeCopy, RequestID: r.ID, Silent: silent,
		Copy: &CopyRef{FromChatID: m.ChatID, MessageID: m.MessageID}}}
}

// toLeaders builds notices (with the request's buttons) to the leaders of
// r's unit; a unit without a leader falls back to the county-wide leaders,
// so that nothing ends in silence.
func (s *Service) toLeaders(ctx context.Context, r Request, kind NoticeKind, args map[string]string, m *Message) ([]Notice, error) {
	leaders, err := s.Store.UnitLeaders(ctx, r.Unit)
	if err == nil && len(leaders) == 0 && r.Unit != "" {
		leaders, err = s.Store.UnitLeaders(ctx, "")
	}
	if err != nil {
		return nil, fmt.Errorf("unit leaders: %w", err)
	}
	var out []Notice
	for _, l := range leaders {
		acc, err := s.Store.CadreAccount(ctx, l.ID)
		if isNotFound(err) || (err == nil && acc.Unreachable) || l.ID == r.CadreID {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("leader account: %w", err)
		}
		out = append(out, Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: kind, RequestID: r.ID, Args: args, Buttons: CadreButtons(r)})
		out = append(out, copyOf(acc, r, m, false)...)
	}
	return out, nil
}

// quiet reports whether now is in the quiet hours.
func (s *Service) quiet() bool { return s.quietAt(s.Clock.Now()) }

// cadreMessage routes a cadre's Telegram reply to the household.
func (s *Service) cadreMessage(ctx context.Context, m Message, a Account, lang string) error {
	if ok, err := s.Store.OnRoster(ctx, AccountCadre, a.Ref); err != nil {
		return fmt.Errorf("route cadre reply: %w", err)
	} else if !ok { // the role ended: the account is a stranger's now
		return s.reply(ctx, m, s.lang(m.Lang), NoticeStranger, nil)
	}
	var link Link
	var err error = Errorf(ENOTFOUND, "not a reply")
	if m.ReplyTo != 0 {
		link, err = s.Store.Linked(ctx, m.ChatID, m.ReplyTo)
	}
	if isNotFound(err) { // not about a request: a visit's note, a recorded request, or lost
		return s.unrouted(ctx, m, a, lang)
	}
	if err != nil {
		return fmt.Errorf("route cadre reply: %w", err)
	}
	r, err := s.Store.Request(ctx, link.RequestID)
	if isNotFound(err) {
		return s.reply(ctx, m, lang, NoticeNoRoute, nil) // erased (forget, retention)
	}
	if err != nil {
		return fmt.Errorf("route cadre reply: %w", err)
	}
	c, err := s.Store.Cadre(ctx, a.Ref)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("route cadre reply: %w", err)
	}
	if !CanSee(c, r) {
		return s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	if link.Prompt == ActNote {
		return s.addNote(ctx, m, c, r, lang)
	}
	if (link.Prompt != "" || c.ID != r.Contact) && !CanAct(c, r) { // a helper unit only adds notes
		return s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	if r.State.Type() == TypeClosed {
		return s.reply(ctx, m, lang, NoticeRequestClosed, noArgs(r.ID))
	}
	if link.Prompt != "" {
		return s.promptAnswer(ctx, m, c, r, link.Prompt, lang)
	}
	return s.answer(ctx, m, c, r, lang)
}

// unrouted handles a cadre's message that is not a reply to a request: a
// visit's note or a recorded request (see visitMessage), else the cadre is
// told how to answer.
func (s *Service) unrouted(ctx context.Context, m Message, a Account, lang string) error {
	c, err := s.Store.Cadre(ctx, a.Ref)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("route cadre message: %w", err)
	}
	if handled, err := s.visitMessage(ctx, m, c, lang); handled || err != nil {
		return err
	}
	return s.reply(ctx, m, lang, NoticeNoRoute, nil)
}

// answer sends a cadre's reply to every account of the household; the first
// answer is the request's first response.
func (s *Service) answer(ctx context.Context, m Message, c Cadre, r Request, lang string) error {
	now := s.Clock.Now()
	next := r
	if r.FirstResponseAt.IsZero() {
		next.FirstResponseAt = now
	}
	if r.State == StateReceived && !r.Assigning && c.ID == r.CadreID || r.State == StateReceived && !r.Transferred() {
		next.State = StateResponded // the handler's answer (the contact's, on a transferred one, is not)
	}
	args := map[string]string{"no": strconv.FormatInt(r.ID, 10), "cadre": c.Name, "text": m.Text, "kind": string(m.Kind), "unit": handlerUnit(r, c)}
	notices, err := s.toHousehold(ctx, r, NoticeCadreReply, args, &m)
	if err != nil {
		return err
	}
	notices = append(notices, Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeReplySent, RequestID: r.ID, Args: noArgs(r.ID)})
	ev := Event{At: now, Actor: actorCadre(c.ID), Action: ActReply, From: r.State, To: next.State, Msg: ref(m)}
	c2 := s.change(&r, next, ev, notices, guard(m.UpdateID, "req"))
	c2.Contact = s.contactOf(r.HouseholdID, now, ContactReply)
	return s.apply(ctx, c2)
}

// toHousehold builds one notice (and a media copy, when m carries media) for
// every account bound to the request's household.
func (s *Service) toHousehold(ctx context.Context, r Request, kind NoticeKind, args map[string]string, m *Message) ([]Notice, error) {
	accs, err := s.Store.HouseholdAccounts(ctx, r.HouseholdID)
	if err != nil {
		return nil, fmt.Errorf("household accounts: %w", err)
	}
	var out []Notice
	for _, acc := range accs {
		out = append(out, Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: kind, RequestID: r.ID, Args: args})
		out = append(out, copyOf(acc, r, m, false)...)
	}
	return out, nil
}

func ref(m Message) *MsgRef {
	return &MsgRef{ChatID: m.ChatID, MessageID: m.MessageID, Kind: m.Kind, Text: m.Text}
}

func noArgs(id int64) map[string]string { return map[string]string{"no": strconv.FormatInt(id, 10)} }

func actorHousehold(id string) string { return "household:" + id }
func actorCadre(id string) string     { return "cadre:" + id }

// floodCounter names the counter of m's sender in this minute ("" when
// there is no limit).
func (s *Service) floodCounter(m Message) string {
	if s.Settings.FloodPerMinute <= 0 {
		return ""
	}
	return "flood:" + strconv.FormatInt(m.AccountID, 10) + ":" + strconv.FormatInt(s.Clock.Now().Unix()/60, 10)
}

// flooding reports whether a household sent more than the limit this
// minute (n counts this message). Past the limit the messages are still
// kept (as follow-ups in the timeline) but not passed on one by one; the
// sender is told once.
func (s *Service) flooding(ctx context.Context, m Message, lang string, n int64) (bool, error) {
	limit := int64(s.Settings.FloodPerMinute)
	if limit <= 0 {
		return false, nil
	}
	if n == limit+1 {
		if err := s.reply(ctx, m, lang, NoticeSlowDown, nil); err != nil {
			return true, err
		}
	}
	return n > limit, nil
}
