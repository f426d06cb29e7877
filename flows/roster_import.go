package flows

import (
	"context"
	"fmt"
	"strconv"
)

// ImportReport says what an import changed.
type ImportReport struct {
	Cadres, Households int // on the roster now
	NewCodes           int // cards and invites that got a code
	Moved              int // households assigned to another cadre
	RequestsMoved      int // open requests that followed their household
}

// ImportRoster replaces the roster with r and gives every new household a
// card and every new cadre an invite (see addCodes). Bindings and codes are
// kept; households moved to another cadre take their open requests along and are
// told who their new cadre is. r must already be validated (package roster).
func (s *Service) ImportRoster(ctx context.Context, r Roster) (ImportReport, error) {
	rep := ImportReport{Cadres: len(r.Cadres), Households: len(r.Households)}
	if s.Codes == nil { // checked first: nothing is written without it
		return rep, fmt.Errorf("import: %w", ErrNoCodes)
	}
	old, err := s.Store.Roster(ctx)
	if err != nil {
		return rep, fmt.Errorf("import: load roster: %w", err)
	}
	if err := s.Store.SaveRoster(ctx, r); err != nil {
		return rep, fmt.Errorf("import: save roster: %w", err)
	}
	if rep.NewCodes, err = s.addCodes(ctx, AccountCadre, AccountHousehold); err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	moved := movedHouseholds(old, r)
	rep.Moved = len(moved)
	n, err := s.Reconcile(ctx, r)
	rep.RequestsMoved = n
	if err != nil {
		return rep, err
	}
	return rep, s.tellMoved(ctx, r, moved)
}

// movedHouseholds returns the households whose cadre changed.
func movedHouseholds(old, r Roster) []string {
	was := map[string]string{}
	for _, h := range old.Households {
		was[h.ID] = h.CadreID
	}
	var out []string
	for _, h := range r.Households {
		if c, ok := was[h.ID]; ok && c != h.CadreID {
			out = append(out, h.ID)
		}
	}
	return out
}

// Reconcile moves every open request whose household now has another cadre
// to that cadre. It is idempotent, so an import interrupted half-way is
// completed by the next one. It returns how many requests moved.
func (s *Service) Reconcile(ctx context.Context, r Roster) (int, error) {
	ids, err := s.Store.Open(ctx, Scope{Kind: ScopeCounty})
	if err != nil {
		return 0, fmt.Errorf("reconcile: %w", err)
	}
	reqs, err := s.Store.Requests(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("reconcile: %w", err)
	}
	hh, cadres := map[string]Household{}, map[string]Cadre{}
	for _, h := range r.Households {
		hh[h.ID] = h
	}
	for _, c := range r.Cadres {
		cadres[c.ID] = c
	}
	moved := 0
	for _, req := range reqs {
		h, ok := hh[req.HouseholdID]
		c, cok := cadres[h.CadreID]
		if !ok || !cok || req.CadreID == h.CadreID {
			continue
		}
		if err := s.move(ctx, req, c); err != nil {
			return moved, err
		}
		moved++
	}
	return moved, nil
}

// move hands one open request to cadre c and tells c about it.
func (s *Service) move(ctx context.Context, r Request, c Cadre) error {
	return retry(func() error {
		cur, err := s.Store.Request(ctx, r.ID)
		if err != nil {
			return fmt.Errorf("move request: %w", err)
		}
		next := cur
		next.CadreID, next.Unit = c.ID, c.Unit
		var notices []Notice
		if acc, err := s.Store.CadreAccount(ctx, c.ID); err == nil {
			h, err := s.Store.Household(ctx, r.HouseholdID)
			if err != nil {
				return fmt.Errorf("move request: %w", err)
			}
			args := map[string]string{"no": strconv.FormatInt(r.ID, 10), "household": h.Name, "village": h.Village, "text": cur.Summary, "kind": string(KindText)}
			notices = append(notices, Notice{ChatID: acc.ID, Lang: acc.Lang, Kind: NoticeNewRequest, RequestID: r.ID, Args: args, Buttons: CadreButtons(next)})
		}
		ev := Event{At: s.Clock.Now(), Actor: "system", Action: ActReassign, From: cur.State, To: cur.State, Note: c.ID}
		return s.apply(ctx, s.change(&cur, next, ev, notices, ""))
	})
}

// tellMoved tells each moved household who its new cadre is.
func (s *Service) tellMoved(ctx context.Context, r Roster, moved []string) error {
	hh := map[string]Household{}
	for _, h := range r.Households {
		hh[h.ID] = h
	}
	for _, id := range moved {
		h := hh[id]
		c, err := s.Store.Cadre(ctx, h.CadreID)
		if err != nil {
			return fmt.Errorf("tell moved household: %w", err)
		}
		accs, err := s.Store.HouseholdAccounts(ctx, id)
		if err != nil {
			return fmt.Errorf("tell moved household: %w", err)
		}
		var notices []Notice
		for _, a := range accs {
			notices = append(notices, Notice{ChatID: a.ID, Lang: a.Lang, Kind: NoticeNewCadre, Args: cardArgs(h, c)})
		}
		if err := s.enqueue(ctx, "", notices...); err != nil {
			return fmt.Errorf("tell moved household: %w", err)
		}
	}
	return nil
}
