package flows

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// datePattern matches the dates a cadre types: 2026-12-20, 12-20, 12/20,
// 12月20日 (or 号), followed by an optional reason.
var datePattern = regexp.MustCompile(`^\s*(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})[日号]?\s*[,，。:：]?\s*(.*)$`)

// ParseDeadline reads "date [reason]" typed by a cadre. The date is taken
// in loc, at the end of its day; a date without a year is the next such
// date from now. It fails for a date before today.
func ParseDeadline(text string, now time.Time, loc *time.Location) (time.Time, string, bool) {
	m := datePattern.FindStringSubmatch(text)
	if m == nil {
		return time.Time{}, "", false
	}
	loc = orUTC(loc)
	today := now.In(loc)
	year := today.Year()
	if m[1] != "" {
		year, _ = strconv.Atoi(m[1])
	}
	month, _ := strconv.Atoi(m[2])
	day, _ := strconv.Atoi(m[3])
	d := time.Date(year, time.Month(month), day, 23, 59, 59, 0, loc)
	if d.Month() != time.Month(month) || d.Day() != day {
		return time.Time{}, "", false // 2月30日 and the like
	}
	if m[1] == "" && d.Before(EndOfDay(today, loc)) {
		d = d.AddDate(1, 0, 0)
	}
	if d.Before(EndOfDay(today, loc)) || d.After(today.AddDate(1, 0, 1)) {
		return time.Time{}, "", false
	}
	return d, strings.TrimSpace(m[4]), true
}

// askDate sends the cadre a question whose Telegram reply is a date (and,
// when moving a deadline, a reason).
func (s *Service) askDate(ctx context.Context, p Press, r Request, act Action, lang string) error {
	args := noArgs(r.ID)
	if act == ActMoveDeadline {
		args["move"] = "1"
	}
	n := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeDeadlinePrompt, RequestID: r.ID, Args: args, Prompt: act}
	return s.enqueue(ctx, guard(p.UpdateID, "prompt"), n)
}

// promptAnswer handles a cadre's reply to a date question.
func (s *Service) promptAnswer(ctx context.Context, m Message, c Cadre, r Request, act Action, lang string) error {
	switch {
	case act == ActResolve:
		return s.resolveNote(ctx, m, c, r, lang)
	case act == ActSendBack:
		return s.sendBack(ctx, m, c, r, lang)
	case strings.HasPrefix(string(act), string(ActTransfer)+"."):
		return s.transferReason(ctx, m, c, r, strings.TrimPrefix(string(act), string(ActTransfer)+"."), lang)
	case r.Assigning:
		return s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	now := s.Clock.Now()
	date, reason, ok := ParseDeadline(m.Text, now, s.location())
	args := noArgs(r.ID)
	if act == ActMoveDeadline {
		args["move"] = "1"
	}
	if !ok || (act == ActMoveDeadline && reason == "") {
		return s.reply(ctx, m, lang, NoticeDeadlineFormat, args)
	}
	if _, allowed := transitions[act][r.State]; !allowed {
		return s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	next := r
	next.State, next.Deadline = StatePromised, date
	if next.FirstResponseAt.IsZero() {
		next.FirstResponseAt = now
	}
	kind := NoticeDeadlineSet
	if act == ActMoveDeadline {
		kind, next.Note = NoticeDeadlineMoved, reason
	}
	hargs := map[string]string{"no": args["no"], "cadre": c.Name, "deadline": s.day(date), "reason": reason, "unit": handlerUnit(r, c)}
	notices, err := s.toHousehold(ctx, next, kind, hargs, nil)
	if err != nil {
		return err
	}
	args["deadline"], args["reason"] = s.day(date), reason
	notices = append(notices, Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeDeadlineConfirm, RequestID: r.ID, Args: args})
	ev := Event{At: now, Actor: actorCadre(c.ID), Action: act, From: r.State, To: next.State, Note: s.day(date) + " " + reason}
	return s.apply(ctx, s.change(&r, next, ev, notices, guard(m.UpdateID, "req")))
}

// day formats a date for people.
func (s *Service) day(t time.Time) string { return t.In(s.location()).Format("2006-01-02") }

// resolveNote passes the cadre's short note on a resolved request to the
// household and keeps it on the request.
func (s *Service) resolveNote(ctx context.Context, m Message, c Cadre, r Request, lang string) error {
	note := Summarize(strings.TrimSpace(m.Text), 200)
	if note == "" || r.State != StateResolved {
		return s.answer(ctx, m, c, r, lang) // not a note: pass it on as an answer
	}
	next := r
	next.Note = note
	args := map[string]string{"no": strconv.FormatInt(r.ID, 10), "cadre": c.Name, "note": note, "unit": handlerUnit(r, c)}
	notices, err := s.toHousehold(ctx, next, NoticeResolveNote, args, nil)
	if err != nil {
		return err
	}
	notices = append(notices, Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeReplySent, RequestID: r.ID, Args: noArgs(r.ID)})
	ev := Event{At: s.Clock.Now(), Actor: actorCadre(c.ID), Action: ActResolve, From: r.State, To: r.State, Note: note}
	return s.apply(ctx, s.change(&r, next, ev, notices, guard(m.UpdateID, "req")))
}
