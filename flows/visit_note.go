package flows

import (
	"context"
	"fmt"
	"strconv"
)

// visitMessage takes a cadre's message that is not a reply to a request:
// while a visit is open it is a note of the visit's diary, or (after
// 记诉求) a request recorded for the household; after 记诉求 outside a
// visit, a request too. handled is false when none of these applies.
func (s *Service) visitMessage(ctx context.Context, m Message, c Cadre, lang string) (bool, error) {
	now := s.Clock.Now()
	v, err := s.Store.OpenVisit(ctx, c.ID)
	if err != nil && !isNotFound(err) {
		return false, fmt.Errorf("visit message: %w", err)
	}
	if err == nil && !now.Before(v.Start.Add(s.maxOpen())) { // past its time: it ended
		if err := s.endVisit(ctx, v, now, true, "vend:"+strconv.FormatInt(v.ID, 10), nil); err != nil {
			return false, err
		}
		err = Errorf(ENOTFOUND, "visit ended")
	}
	if err == nil {
		if v.Recording {
			return true, s.recordRequest(ctx, m, c, v.HouseholdID, &v, lang)
		}
		return true, s.addVisitNote(ctx, m, v, lang)
	}
	hh, err := s.Store.Recording(ctx, c.ID)
	if err != nil {
		return false, fmt.Errorf("visit message: %w", err)
	}
	if hh == "" {
		return false, nil
	}
	return true, s.recordRequest(ctx, m, c, hh, nil, lang)
}

// addVisitNote adds m to an open visit's diary; a location pins where it was.
func (s *Service) addVisitNote(ctx context.Context, m Message, v Visit, lang string) error {
	if len(v.Notes) >= maxNotes {
		return s.reply(ctx, m, lang, NoticeVisitFull, map[string]string{"max": strconv.Itoa(maxNotes)})
	}
	next := v
	next.Notes = append(append([]VisitNote{}, v.Notes...), VisitNote{At: s.Clock.Now(), Kind: m.Kind, Text: m.Text, Msg: ref(m), Lat: m.Lat, Lon: m.Lon})
	if m.Kind == KindLocation {
		next.Lat, next.Lon = m.Lat, m.Lon
	}
	ack := Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeVisitNoted, Buttons: visitButtons(v),
		Args: map[string]string{"n": strconv.Itoa(len(next.Notes)), "kind": string(m.Kind)}}
	return s.saveVisit(ctx, VisitChange{Prev: &v, Visit: next, Notices: []Notice{ack}, Guard: guard(m.UpdateID, "visit")})
}

// recordRequest makes m a request of household hh recorded by c (代录), in
// visit v (nil: outside a visit). It enters the lifecycle as responded (the
// cadre heard it in person or by phone); the household's bound accounts are
// told at once, and from then on it is like any request.
func (s *Service) recordRequest(ctx context.Context, m Message, c Cadre, hh string, v *Visit, lang string) error {
	h, err := s.Store.Household(ctx, hh)
	if isNotFound(err) {
		return s.clearRecording(ctx, m, c, v, lang, NoticeForbidden)
	}
	if err != nil {
		return fmt.Errorf("record request: %w", err)
	}
	if ok, err := s.canVisit(ctx, c, h); err != nil || !ok {
		if err != nil {
			return err
		}
		return s.clearRecording(ctx, m, c, v, lang, NoticeForbidden)
	}
	if err := retry(func() error { return s.applyRecorded(ctx, m, c, h, v, lang) }); err != nil {
		return err
	}
	return s.clearRecording(ctx, m, c, v, lang, "")
}

// applyRecorded stores the recorded request and its notices.
func (s *Service) applyRecorded(ctx context.Context, m Message, c Cadre, h Household, v *Visit, lang string) error {
	id, err := s.Store.NextRequestID(ctx)
	if err != nil {
		return fmt.Errorf("record request: %w", err)
	}
	assigned, err := s.Store.Cadre(ctx, h.CadreID)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("record request: %w", err)
	}
	now := s.Clock.Now()
	r := Request{ID: id, HouseholdID: h.ID, CadreID: h.CadreID, Unit: assigned.Unit, Village: h.Village,
		State: StateResponded, Summary: Summarize(m.Text, summaryRunes), Kind: m.Kind, CreatedAt: now,
		FirstResponseAt: now, Origin: OriginPhone}
	if v != nil {
		r.Origin, r.VisitID = OriginVisit, v.ID
	}
	args := map[string]string{"no": strconv.FormatInt(id, 10), "household": h.Name, "village": h.Village,
		"text": m.Text, "kind": string(m.Kind), "by": c.Name, "cadre": c.Name, "origin": r.Origin}
	notices := []Notice{{ChatID: m.ChatID, Lang: lang, Kind: NoticeRecorded, RequestID: id, Args: args, Buttons: CadreButtons(r)}}
	if assigned.ID != c.ID {
		if acc, err := s.Store.CadreAccount(ctx, assigned.ID); err == nil && !acc.Unreachable {
			notices = append(notices, Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeRecorded, RequestID: id, Args: args, Buttons: CadreButtons(r)})
			notices = append(notices, copyOf(acc, r, &m, false)...)
		}
	}
	told, err := s.toHousehold(ctx, r, NoticeRecordedToHH, args, &m)
	if err != nil {
		return err
	}
	notices = append(notices, told...)
	ev := Event{At: now, Actor: actorCadre(c.ID), Action: ActCreate, To: StateResponded, Note: r.Origin, Msg: ref(m)}
	ch := s.change(nil, r, ev, notices, guard(m.UpdateID, "req"))
	ch.Household = h.ID
	kind := ContactReply // heard by phone: the cadre reached the household
	if v != nil {
		kind = ContactVisit
	}
	ch.Contact = s.contactOf(h.ID, now, kind)
	return s.apply(ctx, ch)
}

// clearRecording ends the wait for a recorded request (after it, or when
// it may not be recorded: then the cadre is told why with kind).
func (s *Service) clearRecording(ctx context.Context, m Message, c Cadre, v *Visit, lang string, kind NoticeKind) error {
	var notices []Notice
	if kind != "" {
		notices = append(notices, Notice{ChatID: m.ChatID, Lang: lang, Kind: kind})
	}
	if v == nil {
		if err := s.Store.SetRecording(ctx, c.ID, "", 0); err != nil {
			return fmt.Errorf("record request: %w", err)
		}
		return s.enqueue(ctx, guard(m.UpdateID, "visit"), notices...)
	}
	return retry(func() error {
		cur, err := s.Store.Visit(ctx, v.ID)
		if err != nil {
			return err
		}
		next := cur
		next.Recording = false
		return s.saveVisit(ctx, VisitChange{Prev: &cur, Visit: next, Notices: notices, Guard: guard(m.UpdateID, "visit")})
	})
}
