package flows

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// visitPress handles the buttons of /visit and of an open visit. The
// button's numbers are untrusted: a household handle must be one of the
// presser's households, a visit the presser's own.
func (s *Service) visitPress(ctx context.Context, p Press, a Account, lang string) (PressResult, error) {
	if a.Kind != AccountCadre {
		return PressResult{Toast: ToastForbidden}, nil
	}
	c, err := s.Store.Cadre(ctx, a.Ref)
	if isNotFound(err) || (err == nil && !c.OnRoster) {
		return PressResult{Toast: ToastForbidden}, nil
	}
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("visit press: %w", err)
	}
	switch p.Button.Action {
	case ActVisitRecord, ActVisitEnd:
		return s.openVisitPress(ctx, p, c, lang)
	}
	hhs, err := s.householdsOf(ctx, c)
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("visit press: %w", err)
	}
	g := guard(p.UpdateID, "visit")
	if p.Button.Action == ActVisitPage {
		return PressResult{Toast: ToastDone}, s.enqueue(ctx, g, pickNotice(p.ChatID, lang, hhs, int(p.Button.RequestID), ""))
	}
	var h *Household
	for i := range hhs {
		if HouseholdHandle(hhs[i].ID) == p.Button.RequestID {
			h = &hhs[i]
			break
		}
	}
	if h == nil {
		return PressResult{Toast: ToastForbidden}, nil
	}
	switch p.Button.Action {
	case ActVisitHH:
		n, err := s.householdPage(ctx, p.ChatID, lang, *h)
		if err != nil {
			return PressResult{Toast: ToastError}, err
		}
		return PressResult{Toast: ToastDone}, s.enqueue(ctx, g, n)
	case ActVisitOpen:
		return PressResult{Toast: ToastDone}, s.openVisit(ctx, p, c, *h, lang)
	}
	return PressResult{Toast: ToastDone}, s.recordFor(ctx, p, c, *h, lang)
}

// openVisitPress handles 记诉求 and 结束走访 under a visit's messages.
func (s *Service) openVisitPress(ctx context.Context, p Press, c Cadre, lang string) (PressResult, error) {
	v, err := s.Store.Visit(ctx, p.Button.RequestID)
	if isNotFound(err) {
		return PressResult{Toast: ToastGone}, nil
	}
	if err != nil {
		return PressResult{Toast: ToastError}, fmt.Errorf("visit press: %w", err)
	}
	if v.CadreID != c.ID {
		return PressResult{Toast: ToastForbidden}, nil
	}
	now := s.Clock.Now()
	if v.Open() && !now.Before(v.Start.Add(s.maxOpen())) {
		if err := s.endVisit(ctx, v, now, true, "vend:"+strconv.FormatInt(v.ID, 10), nil); err != nil {
			return PressResult{Toast: ToastError}, err
		}
		return PressResult{Toast: ToastInvalid, Edit: true}, nil
	}
	if !v.Open() {
		return PressResult{Toast: ToastInvalid, Edit: true}, nil
	}
	if p.Button.Action == ActVisitEnd {
		return PressResult{Toast: ToastDone, Edit: true}, s.endVisit(ctx, v, now, false, guard(p.UpdateID, "visit"), nil)
	}
	h, err := s.Store.Household(ctx, v.HouseholdID)
	if err != nil {
		return PressResult{Toast: ToastGone}, nil
	}
	next := v
	next.Recording = true
	prompt := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeRecordPrompt, Args: map[string]string{"household": h.Name}}
	err = s.saveVisit(ctx, VisitChange{Prev: &v, Visit: next, Notices: []Notice{prompt}, Guard: guard(p.UpdateID, "visit")})
	return PressResult{Toast: ToastDone}, err
}

// saveVisit stores a visit's change, treating a duplicate guard as done.
func (s *Service) saveVisit(ctx context.Context, c VisitChange) error {
	err := s.Store.SaveVisit(ctx, c)
	if ErrorCode(err) == EDUPLICATE {
		return nil
	}
	return err
}

// visitButtons are the buttons under a visit's messages.
func visitButtons(v Visit) [][]Button {
	return [][]Button{{{Action: ActVisitRecord, RequestID: v.ID}, {Action: ActVisitEnd, RequestID: v.ID}}}
}

// openVisit opens a visit of c to h; a visit c left open ends first.
func (s *Service) openVisit(ctx context.Context, p Press, c Cadre, h Household, lang string) error {
	now := s.Clock.Now()
	if cur, err := s.Store.OpenVisit(ctx, c.ID); err == nil {
		if err := s.endVisit(ctx, cur, now, false, guard(p.UpdateID, "visit-end"), nil); err != nil {
			return err
		}
	} else if !isNotFound(err) {
		return fmt.Errorf("open visit: %w", err)
	}
	id, err := s.Store.NextVisitID(ctx)
	if err != nil {
		return fmt.Errorf("open visit: %w", err)
	}
	v := Visit{ID: id, HouseholdID: h.ID, CadreID: c.ID, Unit: c.Unit, Village: h.Village, Start: now}
	n := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeVisitOpened, Buttons: visitButtons(v),
		Args: map[string]string{"household": h.Name, "village": h.Village, "no": strconv.FormatInt(id, 10)}}
	err = s.saveVisit(ctx, VisitChange{Visit: v, Notices: []Notice{n}, Guard: guard(p.UpdateID, "visit"),
		Schedule: &Due{RequestID: id, Stage: StageVisitEnd, At: now.Add(s.maxOpen())}})
	if err != nil {
		return err
	}
	// The visit is the household's last contact (coverage); recording it
	// again, after a retry, changes nothing.
	return s.Contacted(ctx, h.ID, now, ContactVisit)
}

// recordFor makes the presser's next message a request of h: in the
// visit to h the presser has open, if any, else outside a visit.
func (s *Service) recordFor(ctx context.Context, p Press, c Cadre, h Household, lang string) error {
	prompt := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeRecordPrompt, Args: map[string]string{"household": h.Name}}
	v, err := s.Store.OpenVisit(ctx, c.ID)
	if err == nil && v.HouseholdID == h.ID && s.Clock.Now().Before(v.Start.Add(s.maxOpen())) {
		next := v
		next.Recording = true
		return s.saveVisit(ctx, VisitChange{Prev: &v, Visit: next, Notices: []Notice{prompt}, Guard: guard(p.UpdateID, "visit")})
	}
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("record: %w", err)
	}
	if err := s.Store.SetRecording(ctx, c.ID, h.ID, time.Hour); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return s.enqueue(ctx, guard(p.UpdateID, "visit"), prompt)
}

// endVisit ends v at now (an automatic end at the visit's limit) and sends
// its visitor the summary.
func (s *Service) endVisit(ctx context.Context, v Visit, now time.Time, auto bool, g string, release *Due) error {
	next := v
	next.End, next.Recording, next.AutoEnded = now, false, auto
	if limit := v.Start.Add(s.maxOpen()); auto && now.After(limit) {
		next.End = limit
	}
	var notices []Notice
	acc, err := s.Store.CadreAccount(ctx, v.CadreID)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("end visit: %w", err)
	}
	if err == nil {
		n, err := s.summary(ctx, next, acc)
		if err != nil {
			return err
		}
		n.Silent = s.quietAt(now)
		notices = append(notices, n)
	}
	return s.saveVisit(ctx, VisitChange{Prev: &v, Visit: next, Notices: notices, Guard: g, Release: release})
}

// summary is the one-screen summary of an ended visit.
func (s *Service) summary(ctx context.Context, v Visit, acc Account) (Notice, error) {
	h, err := s.Store.Household(ctx, v.HouseholdID)
	if err != nil && !isNotFound(err) {
		return Notice{}, fmt.Errorf("visit summary: %w", err)
	}
	count := map[MsgKind]int{}
	for _, n := range v.Notes {
		count[n.Kind]++
	}
	loc := s.location()
	args := map[string]string{
		"household": h.Name, "village": v.Village, "no": strconv.FormatInt(v.ID, 10),
		"start": v.Start.In(loc).Format("01-02 15:04"), "end": v.End.In(loc).Format("15:04"),
		"minutes": strconv.Itoa(int(v.End.Sub(v.Start).Minutes())), "notes": strconv.Itoa(len(v.Notes)),
		"texts": strconv.Itoa(count[KindText]), "voices": strconv.Itoa(count[KindVoice]),
		"photos": strconv.Itoa(count[KindPhoto] + count[KindVideo]), "places": strconv.Itoa(count[KindLocation]),
		"requests": strconv.Itoa(len(v.Requests)),
	}
	if v.AutoEnded {
		args["auto"] = "1"
	}
	items, err := s.items(ctx, v.Requests, false)
	if err != nil {
		return Notice{}, fmt.Errorf("visit summary: %w", err)
	}
	return Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeVisitSummary, Args: args, List: items}, nil
}

// fireVisitEnd ends a visit left open for visits.max_open (a due item).
func (s *Service) fireVisitEnd(ctx context.Context, d Due, now time.Time) error {
	v, err := s.Store.Visit(ctx, d.RequestID)
	if isNotFound(err) || (err == nil && !v.Open()) {
		return s.Store.ReleaseDue(ctx, d)
	}
	if err != nil {
		return err
	}
	return s.endVisit(ctx, v, now, true, "vend:"+strconv.FormatInt(v.ID, 10), &d)
}
