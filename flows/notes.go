package flows

import (
	"context"
	"strconv"
	"strings"
)

// Internal notes (备注), transfers (转办) and send-backs (退回): their
// actions and notices. A note is a timeline event marked Internal: staff see
// it in the timeline and in step notices; nothing sent to a household ever
// carries it; export has it (it is about the household).

// Actions of notes, transfers and send-backs.
const (
	ActNote     Action = "nt" // an internal note; a reply to the prompt is the note
	ActTransfer Action = "tf" // transfer to a unit; Arg: the unit's key ("" lists the units)
	ActAssign   Action = "as" // a receiving leader assigns; Arg: the cadre's key, or "me"
	ActSendBack Action = "sb" // a receiving leader sends it back; a reply to the prompt is the reason
)

// Notices of notes, transfers and send-backs.
const (
	NoticeNotePrompt     NoticeKind = "note_prompt"     // no: reply with the note
	NoticeNoteAdded      NoticeKind = "note_added"      // no: to the author
	NoticeStep           NoticeKind = "transfer_step"   // no, who, unit, action, note, state: to the household's own cadre
	NoticeTransferPick   NoticeKind = "transfer_pick"   // no (buttons: the units)
	NoticeTransferReason NoticeKind = "transfer_reason" // no, unit: reply with the reason
	NoticeTransferIn     NoticeKind = "transfer_in"     // no, household, village, text, kind, from, reason, cadre, county (buttons)
	NoticeTransferDone   NoticeKind = "transfer_done"   // no, unit: to the one who transferred
	NoticeTransferred    NoticeKind = "transferred"     // no, unit, reason: to the household
	NoticeAssigned       NoticeKind = "assigned"        // no, household, village, text, kind, from, reason, by (buttons)
	NoticeAssignDone     NoticeKind = "assign_done"     // no, cadre: to the leader who assigned
	NoticeSendBackPrompt NoticeKind = "sendback_prompt" // no: reply with the reason
	NoticeSentBack       NoticeKind = "sent_back"       // no, unit, reason, county: to the sender and the sender's leaders
	NoticeSendBackDone   NoticeKind = "sendback_done"   // no, county: to the leader who sent it back
	NoticeReasonNeeded   NoticeKind = "reason_needed"   // no: an empty reason or note
	NoticeBackHome       NoticeKind = "back_home"       // no, cadre: to the household, whose cadre has the request again
)

// noteRunes bounds a note or a reason.
const noteRunes = 500

// CanSee reports whether cadre c may see request r and add to it (notes,
// the timeline, a reply to the household): whoever may act on it, and the
// household's own cadre while another unit handles it, and the leaders of
// its helper units (协办).
func CanSee(c Cadre, r Request) bool {
	return CanAct(c, r) || (c.OnRoster && c.ID == r.Contact) || helps(c, r)
}

// askNote asks the presser for a note, as a reply to the question.
func (s *Service) askNote(ctx context.Context, p Press, r Request, lang string) error {
	n := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeNotePrompt, RequestID: r.ID, Args: noArgs(r.ID), Prompt: ActNote}
	return s.enqueue(ctx, guard(p.UpdateID, "prompt"), n)
}

// addNote stores a note as an internal timeline event. Only the author is
// answered; the household's own cadre and the handler hear of it as a step.
func (s *Service) addNote(ctx context.Context, m Message, c Cadre, r Request, lang string) error {
	note := Summarize(strings.TrimSpace(m.Text), noteRunes)
	if note == "" {
		return s.reply(ctx, m, lang, NoticeReasonNeeded, noArgs(r.ID))
	}
	ack := Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeNoteAdded, RequestID: r.ID, Args: noArgs(r.ID)}
	ev := Event{At: s.Clock.Now(), Actor: actorCadre(c.ID), Action: ActNote, From: r.State, To: r.State, Note: note, Internal: true}
	return s.apply(ctx, s.change(&r, r, ev, []Notice{ack}, guard(m.UpdateID, "req")))
}

// timelineItems lists events for staff, one line each.
func (s *Service) timelineItems(r Request, events []Event) []ListItem {
	items := make([]ListItem, 0, len(events))
	for _, ev := range events {
		it := ListItem{RequestID: r.ID, State: ev.To, Who: ev.Actor, Summary: string(ev.Action),
			Deadline: ev.At.In(s.location()).Format("01-02 15:04")}
		switch ev.Action {
		case ActNote, ActTransfer, ActSendBack, ActHelper:
			it.Note = ev.Note
			if ev.Move != nil {
				it.Note = strings.TrimSpace("→" + ev.Move.To + " " + ev.Note)
			}
		}
		items = append(items, it)
	}
	return items
}

// stepActions are the steps the household's own cadre hears of while
// another unit handles its household's request.
var stepActions = map[Action]bool{
	ActReply: true, ActContact: true, ActSolve: true, ActDeadline: true, ActResolve: true, ActMoveDeadline: true,
	ActNote: true, ActAssign: true, ActSendBack: true, ActTransfer: true, ActSolvedQ: true, ActRate: true,
	ActClose: true, ActEscalate: true, ActOverdue: true, ActHelper: true,
}

// tellContact adds to c the notices of the step c makes to the household's
// own cadre, while another unit has (or had, up to this change) the
// request, and of a note or answer to its cadre, when someone else (the
// contact, a helper unit) made it. Nobody hears of their own step, nor twice
// of it.
func (s *Service) tellContact(ctx context.Context, c *Change) error {
	r := c.Request
	if !stepActions[c.Event.Action] {
		return nil
	}
	var to []string
	if r.Contact != "" && (r.Transferred() || (c.Prev != nil && c.Prev.Transferred())) {
		to = append(to, r.Contact)
	}
	if (c.Event.Action == ActNote || c.Event.Action == ActReply) && r.CadreID != "" && (r.Transferred() || len(r.Helpers) > 0) {
		to = append(to, r.CadreID)
	}
	for _, id := range to {
		if c.Event.Actor == actorCadre(id) {
			continue
		}
		if err := s.tellStep(ctx, c, id); err != nil {
			return err
		}
	}
	return nil
}

// tellStep adds a notice of c's step to cadre id's account, unless c tells
// that account already.
func (s *Service) tellStep(ctx context.Context, c *Change, id string) error {
	r := c.Request
	acc, err := s.Store.CadreAccount(ctx, id)
	if isNotFound(err) || (err == nil && acc.Unreachable) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, n := range c.Notices {
		if n.ChatID == acc.ID && n.Copy == nil {
			return nil // told already, by the change itself
		}
	}
	who := c.Event.Actor
	unit := ""
	if actorID, ok := strings.CutPrefix(who, "cadre:"); ok {
		if actor, err := s.Store.Cadre(ctx, actorID); err == nil {
			who, unit = actor.Name, actor.Unit
		}
	}
	args := map[string]string{"no": strconv.FormatInt(r.ID, 10), "who": who, "unit": unit, "action": string(c.Event.Action),
		"note": c.Event.Note, "state": string(r.State)}
	if c.Event.Msg != nil && c.Event.Action == ActReply {
		args["note"] = c.Event.Msg.Text
	}
	if c.Event.Move != nil {
		args["to"] = c.Event.Move.To
	}
	if c.Event.Action == ActAssign {
		args["note"] = s.cadreName(ctx, map[string]string{}, c.Event.Note)
	}
	if !r.Deadline.IsZero() {
		args["deadline"] = s.day(r.Deadline)
	}
	c.Notices = append(c.Notices, Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeStep, RequestID: r.ID, Args: args,
		Buttons: [][]Button{{{Action: ActNote, RequestID: r.ID}, {Action: ActTimeline, RequestID: r.ID}}}})
	return nil
}
