package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// ImportRoster replaces the roster with r: the office's statement of who
// holds which role. r must already be validated (package roster).
//
// The new roster is staged and switched to in one atomic step (see
// RosterImport), so an import killed at any point leaves the old roster or
// the new one. Then, exactly once: open requests follow their households to
// their new cadres (and their cadres to new units), moved households are
// told who their new cadre is, and officials taken off the roster are told
// once that their role ended and their accounts unbound. Bindings and codes
// of those who stay are kept. An import first finishes the follow-ups of an
// earlier one that was killed after its switch.
func (s *Service) ImportRoster(ctx context.Context, r Roster) (rep ImportReport, err error) {
	rep = ImportReport{Cadres: len(r.Cadres), Households: len(r.Households)}
	if s.Codes == nil { // checked first: nothing is written without it
		return rep, fmt.Errorf("import: %w", ErrNoCodes)
	}
	imp, err := s.Store.BeginImport(ctx)
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	defer func() {
		if cerr := imp.Close(ctx); cerr != nil {
			err = errors.Join(err, fmt.Errorf("import: %w", cerr))
		}
	}()
	var resumed ImportReport
	if j := imp.Pending(); j != nil {
		if err := s.followUp(ctx, imp, *j, nil, &resumed); err != nil {
			return rep, fmt.Errorf("import: finish the interrupted import: %w", err)
		}
		resumed.Resumed = j.Version
	}
	rep, err = s.PlanImport(ctx, r)
	if err != nil {
		return rep, err
	}
	rep.Resumed, rep.RequestsMoved, rep.RolesEnded = resumed.Resumed, resumed.RequestsMoved, resumed.RolesEnded
	if err := imp.Stage(ctx, r); err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	j, err := imp.Switch(ctx, rep.HouseholdsMoved, rep.CadresRemoved)
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	if err := s.followUp(ctx, imp, j, &r, &rep); err != nil {
		return rep, fmt.Errorf("import: the roster is in force; its follow-ups are not finished (import again to finish them): %w", err)
	}
	return rep, nil
}

// PlanImport reports what ImportRoster(r) would change, writing nothing.
// Its NewCodes counts the holders added (one coming back keeps its card).
func (s *Service) PlanImport(ctx context.Context, r Roster) (ImportReport, error) {
	old, err := s.Store.Roster(ctx)
	if err != nil {
		return ImportReport{}, fmt.Errorf("import: load roster: %w", err)
	}
	rep := diffRoster(old, r)
	rep.NewCodes = len(rep.CadresAdded) + len(rep.HouseholdsAdded)
	return rep, nil
}

// followUp runs the follow-ups of the import j, then finishes it. r is the
// roster j switched to (nil: read it from the store).
func (s *Service) followUp(ctx context.Context, imp RosterImport, j ImportJournal, r *Roster, rep *ImportReport) error {
	if r == nil {
		in, err := s.Store.Roster(ctx)
		if err != nil {
			return fmt.Errorf("load roster: %w", err)
		}
		r = &in
	}
	// New holders get their cards and invites (codes derived, so doing it
	// again after a kill gives the same ones).
	n, err := s.addCodes(ctx, AccountCadre, AccountHousehold)
	rep.NewCodes = n
	if err != nil {
		return err
	}
	if err := s.assignContacts(ctx, *r); err != nil {
		return err
	}
	n, err = s.Reconcile(ctx, *r)
	rep.RequestsMoved += n
	if err != nil {
		return err
	}
	if err := s.tellMoved(ctx, imp, j, *r); err != nil {
		return err
	}
	n, err = s.endRoles(ctx, imp, j)
	rep.RolesEnded += n
	if err != nil {
		return err
	}
	return imp.Finish(ctx, j)
}

// Reconcile brings every open request to its household's cadre on r, and
// to that cadre's unit (so that the unit's leaders, and only they, see it).
// A request whose household and cadre are both off the roster stays where
// it is: its unit's leaders still see it. It is idempotent, and returns how
// many requests it changed.
func (s *Service) Reconcile(ctx context.Context, r Roster) (int, error) {
	ids, err := s.Store.OpenRequests(ctx, Scope{Kind: ScopeCounty})
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
		target := req.CadreID
		if h, ok := hh[req.HouseholdID]; ok {
			target = h.CadreID
		}
		c, ok := cadres[target]
		if !ok || (c.ID == req.CadreID && c.Unit == req.Unit) {
			continue
		}
		if err := s.move(ctx, req, c); err != nil {
			return moved, err
		}
		moved++
	}
	return moved, nil
}

// move hands one open request to cadre c (and c's unit) and tells c about
// it when c is a new cadre for it.
func (s *Service) move(ctx context.Context, r Request, c Cadre) error {
	return retry(func() error {
		cur, err := s.Store.Request(ctx, r.ID)
		if err != nil {
			return fmt.Errorf("move request: %w", err)
		}
		if cur.ContactID() == c.ID && (cur.Transferred() || cur.Unit == c.Unit) {
			return nil // moved meanwhile
		}
		next := cur
		if cur.Transferred() || cur.Assigning { // another unit handles it: only the contact changes
			next.Contact = c.ID
			ev := Event{At: s.Clock.Now(), Actor: "system", Action: ActReassign, From: cur.State, To: cur.State, Note: c.ID}
			return s.apply(ctx, s.change(&cur, next, ev, nil, ""))
		}
		if cur.Contact != "" {
			next.Contact = c.ID
		}
		next.CadreID, next.Unit = c.ID, c.Unit
		var notices []Notice
		if acc, err := s.Store.CadreAccount(ctx, c.ID); err == nil && cur.CadreID != c.ID {
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

// followBatch is how many follow-ups are read at a time.
const followBatch = 200

// tellMoved tells each moved household who its new cadre is, once.
func (s *Service) tellMoved(ctx context.Context, imp RosterImport, j ImportJournal, r Roster) error {
	hh := make(map[string]Household, len(r.Households))
	for _, h := range r.Households {
		hh[h.ID] = h
	}
	cadres := make(map[string]Cadre, len(r.Cadres))
	for _, c := range r.Cadres {
		cadres[c.ID] = c
	}
	return eachFollowUp(ctx, imp, j, FollowMoved, func(fs []FollowUp) error {
		ids := make([]string, len(fs))
		for i, f := range fs {
			ids[i] = f.ID
		}
		accs, err := s.Store.AccountsOfHouseholds(ctx, ids)
		if err != nil {
			return fmt.Errorf("tell moved households: %w", err)
		}
		done := make([]Followed, len(fs))
		for i, f := range fs {
			done[i].FollowUp = f
			h, ok := hh[f.ID]
			if !ok {
				continue // off the roster (forgotten meanwhile): nobody to tell
			}
			for _, a := range accs[h.ID] {
				done[i].Notices = append(done[i].Notices, Notice{ChatID: a.ID, Lang: a.Lang, Kind: NoticeNewCadre, Args: cardArgs(h, cadres[h.CadreID])})
			}
		}
		return imp.Follow(ctx, done)
	})
}

// endRoles tells each official taken off the roster, once, that the role
// ended, and unbinds their account in the same step. It returns how many
// accounts it unbound.
func (s *Service) endRoles(ctx context.Context, imp RosterImport, j ImportJournal) (int, error) {
	ended := 0
	err := eachFollowUp(ctx, imp, j, FollowEnded, func(fs []FollowUp) error {
		done := make([]Followed, len(fs))
		for i, f := range fs {
			done[i].FollowUp = f
			accs, err := s.Store.BoundAccounts(ctx, AccountCadre, f.ID)
			if err != nil {
				return fmt.Errorf("end role: %w", err)
			}
			if len(accs) > 0 {
				a := accs[0]
				done[i].Unbind, done[i].Notices = &a, []Notice{{ChatID: a.ID, Lang: a.Lang, Kind: NoticeRoleEnded}}
				ended++
			}
		}
		return imp.Follow(ctx, done)
	})
	return ended, err
}

// eachFollowUp calls fn with the follow-ups of a kind not yet done, a batch
// at a time, until none is left; fn must mark them done (Follow).
func eachFollowUp(ctx context.Context, imp RosterImport, j ImportJournal, kind FollowUpKind, fn func([]FollowUp) error) error {
	for {
		ids, err := imp.FollowUps(ctx, j, kind, followBatch)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		fs := make([]FollowUp, len(ids))
		for i, id := range ids {
			fs[i] = FollowUp{Version: j.Version, Kind: kind, ID: id}
		}
		if err := fn(fs); err != nil {
			return err
		}
	}
}
