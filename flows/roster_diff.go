package flows

import "sort"

// ImportReport says what an import changes (or, for a dry run, would
// change). Id lists are sorted.
type ImportReport struct {
	// Cadres and Households are on the roster after the import.
	Cadres, Households int
	// NewCodes counts the cards and invites that get a code.
	NewCodes int
	// Officials added to the roster, taken off it (their roles end), and
	// staying with another role or unit.
	CadresAdded, CadresRemoved, CadresChanged []string
	// Households added, taken off the roster, moved to another cadre.
	HouseholdsAdded, HouseholdsRemoved, HouseholdsMoved []string
	// RequestsMoved counts the open requests that followed their household
	// to another cadre (or their cadre to another unit).
	RequestsMoved int
	// RolesEnded counts the accounts of officials taken off the roster,
	// told and unbound.
	RolesEnded int
	// Resumed is the roster version of an earlier, interrupted import whose
	// follow-ups this import finished first (0: none).
	Resumed int64
}

// diffRoster compares the roster in force with the one to import.
func diffRoster(old, r Roster) ImportReport {
	rep := ImportReport{Cadres: len(r.Cadres), Households: len(r.Households)}
	was := make(map[string]Cadre, len(old.Cadres))
	for _, c := range old.Cadres {
		was[c.ID] = c
	}
	now := make(map[string]bool, len(r.Cadres))
	for _, c := range r.Cadres {
		now[c.ID] = true
		switch o, ok := was[c.ID]; {
		case !ok:
			rep.CadresAdded = append(rep.CadresAdded, c.ID)
		case o.Role != c.Role || o.Unit != c.Unit:
			rep.CadresChanged = append(rep.CadresChanged, c.ID)
		}
	}
	for _, c := range old.Cadres {
		if !now[c.ID] {
			rep.CadresRemoved = append(rep.CadresRemoved, c.ID)
		}
	}
	cadreOf := make(map[string]string, len(old.Households))
	for _, h := range old.Households {
		cadreOf[h.ID] = h.CadreID
	}
	for _, h := range r.Households {
		switch c, ok := cadreOf[h.ID]; {
		case !ok:
			rep.HouseholdsAdded = append(rep.HouseholdsAdded, h.ID)
		case c != h.CadreID:
			rep.HouseholdsMoved = append(rep.HouseholdsMoved, h.ID)
		}
		delete(cadreOf, h.ID)
	}
	for id := range cadreOf {
		rep.HouseholdsRemoved = append(rep.HouseholdsRemoved, id)
	}
	for _, l := range [][]string{rep.CadresAdded, rep.CadresRemoved, rep.CadresChanged,
		rep.HouseholdsAdded, rep.HouseholdsRemoved, rep.HouseholdsMoved} {
		sort.Strings(l)
	}
	return rep
}
