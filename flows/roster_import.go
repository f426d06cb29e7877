package flows

import (
	"context"
	"fmt"
	"sort"
	"strconv"
)

// ImportReport says what an import changed.
type ImportReport struct {
	Cadres, Households int // on the roster now
	NewCodes           int // cards and invites that got a code
	Moved              int // households assigned to another cadre
	RequestsMoved      int // open requests that followed their household
}

// ImportRoster replaces the roster with r. Bindings and codes are kept;
// households moved to another cadre take their open requests along and are
// told who their new cadre is. r must already be validated (package roster).
func (s *Service) ImportRoster(ctx context.Context, r Roster) (ImportReport, error) {
	rep := ImportReport{Cadres: len(r.Cadres), Households: len(r.Households)}
	old, err := s.Store.Roster(ctx)
	if err != nil {
		return rep, fmt.Errorf("import: load roster: %w", err)
	}
	codes, err := s.missingCodes(ctx, r)
	if err != nil {
		return rep, err
	}
	rep.NewCodes = len(codes)
	if err := s.Store.SaveRoster(ctx, r, codes); err != nil {
		return rep, fmt.Errorf("import: save roster: %w", err)
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

// missingCodes makes a code for every cadre and household that has none.
func (s *Service) missingCodes(ctx context.Context, r Roster) (map[string]string, error) {
	out := map[string]string{}
	for _, kind := range []AccountKind{AccountCadre, AccountHousehold} {
		have, err := s.Store.Codes(ctx, kind)
		if err != nil {
			return nil, fmt.Errorf("import: load codes: %w", err)
		}
		refs := householdIDs(r)
		if kind == AccountCadre {
			refs = cadreIDs(r)
		}
		for _, id := range refs {
			if have[id] == "" {
				out[string(kind)+":"+id] = s.code()
			}
		}
	}
	return out, nil
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

// Rotate issues a new code for a household's card (kind household) or a
// cadre's invite (kind cadre), for a lost card. It returns the new code.
func (s *Service) Rotate(ctx context.Context, kind AccountKind, id string) (string, error) {
	code := s.code()
	if err := retry(func() error { return s.Store.RotateCode(ctx, kind, id, code) }); err != nil {
		return "", fmt.Errorf("rotate %s %s: %w", kind, id, err)
	}
	return code, nil
}

// CardLine is one printed card or invite: whose it is and its code.
type CardLine struct {
	Household Household // zero for an invite
	Cadre     Cadre
	Code      string
}

// Cards lists every household's card, ordered as a cadre walks the village:
// by village, then household id.
func (s *Service) Cards(ctx context.Context) ([]CardLine, error) {
	r, codes, err := s.rosterCodes(ctx, AccountHousehold)
	if err != nil {
		return nil, err
	}
	cadres := map[string]Cadre{}
	for _, c := range r.Cadres {
		cadres[c.ID] = c
	}
	out := make([]CardLine, 0, len(r.Households))
	for _, h := range r.Households {
		out = append(out, CardLine{Household: h, Cadre: cadres[h.CadreID], Code: codes[h.ID]})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Household, out[j].Household
		if a.Village != b.Village {
			return a.Village < b.Village
		}
		return a.ID < b.ID
	})
	return out, nil
}

// Invites lists every cadre's and leader's invite, by id.
func (s *Service) Invites(ctx context.Context) ([]CardLine, error) {
	r, codes, err := s.rosterCodes(ctx, AccountCadre)
	if err != nil {
		return nil, err
	}
	out := make([]CardLine, 0, len(r.Cadres))
	for _, c := range r.Cadres {
		out = append(out, CardLine{Cadre: c, Code: codes[c.ID]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cadre.ID < out[j].Cadre.ID })
	return out, nil
}

func (s *Service) rosterCodes(ctx context.Context, kind AccountKind) (Roster, map[string]string, error) {
	r, err := s.Store.Roster(ctx)
	if err != nil {
		return r, nil, fmt.Errorf("load roster: %w", err)
	}
	codes, err := s.Store.Codes(ctx, kind)
	if err != nil {
		return r, nil, fmt.Errorf("load codes: %w", err)
	}
	return r, codes, nil
}

func householdIDs(r Roster) []string {
	out := make([]string, len(r.Households))
	for i, h := range r.Households {
		out[i] = h.ID
	}
	return out
}

func cadreIDs(r Roster) []string {
	out := make([]string, len(r.Cadres))
	for i, c := range r.Cadres {
		out[i] = c.ID
	}
	return out
}
