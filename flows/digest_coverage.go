package flows

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Coverage is a digest's coverage section (全覆盖): how many of the
// households assigned in scope were reached.
type Coverage struct {
	Every     time.Duration // visits.every
	EveryDays int           // visits.every in whole days
	// Assigned counts the households on the roster in scope.
	Assigned int
	// ContactedWeek and VisitedWeek count the households contacted (any
	// kind) and visited in the digest's week.
	ContactedWeek, VisitedWeek int
	// Visits counts the visits to households in scope that started in the
	// week (a household may be visited more than once).
	Visits int
	// Contacted and Visited count the households whose last contact (last
	// visit) falls in the visits.every before the end of the week (or now,
	// for a week not over).
	Contacted, Visited int
	// Rate is 走访覆盖率: Contacted ÷ Assigned.
	Rate Rate
	// Rows: per unit (county view) or per cadre (unit view); Villages per
	// village in both views (the message shows the first rows).
	Rows, Villages []CoverageRow
	// Longest are the ten households longest without contact (never
	// contacted first).
	Longest []Uncontacted
}

// CoverageRow is coverage of a unit, a cadre or a village.
type CoverageRow struct {
	Name                         string
	Assigned, Contacted, Visited int
	ContactedWeek, VisitedWeek   int
	Rate                         Rate // Contacted ÷ Assigned
}

// Uncontacted is a household long without contact.
type Uncontacted struct {
	Household, Village, Cadre, Unit string
	Last                            time.Time // zero: never contacted
	Days                            int       // since Last (0 when never)
}

// longestShown bounds Coverage.Longest.
const longestShown = 10

// coverage computes the coverage of scope for week, as of now, with staff
// the roster's cadres. It reads each assigned household's cadre, village
// and name and its last contact once (O(the households assigned), not
// O(their history)), and the week's contacted and visited sets.
func (s *Service) coverage(ctx context.Context, scope DigestScope, week Week, now time.Time, staff []Cadre) (Coverage, error) {
	cov := Coverage{Every: s.visitsEvery(), EveryDays: int(s.visitsEvery() / (24 * time.Hour))}
	all, err := s.Store.Assignments(ctx)
	if err != nil {
		return cov, fmt.Errorf("coverage: %w", err)
	}
	cadres := make(map[string]Cadre, len(staff))
	for _, c := range staff {
		cadres[c.ID] = c
	}
	var hhs []Household
	for _, h := range all {
		if scope.Unit == "" || cadres[h.CadreID].Unit == scope.Unit {
			hhs = append(hhs, h)
		}
	}
	ids := householdIDs(hhs)
	last, err := s.Store.LastContacts(ctx, ids)
	if err != nil {
		return cov, fmt.Errorf("coverage: %w", err)
	}
	contacted, visited, err := s.Store.WeekContacts(ctx, week.Label())
	if err != nil {
		return cov, fmt.Errorf("coverage: %w", err)
	}
	end := week.End
	if now.Before(end) {
		end = now
	}
	upto := week.End // visits started in the week, up to now included
	if now.Before(upto) {
		upto = now.Add(time.Millisecond)
	}
	if cov.Visits, err = s.weekVisits(ctx, hhs, week.Start, upto); err != nil {
		return cov, fmt.Errorf("coverage: %w", err)
	}
	t := coverageTally{since: end.Add(-cov.Every), week: setOf(contacted), visitedWeek: setOf(visited),
		rows: newCovTally(), villages: newCovTally()}
	for _, h := range hhs {
		c := cadres[h.CadreID]
		row := c.Unit
		if scope.Unit != "" {
			row = c.Name
		}
		t.add(&cov, h, last[h.ID], t.rows.get(row), t.villages.get(h.Village))
	}
	cov.Rate = Rate{Num: cov.Contacted, Den: cov.Assigned}
	cov.Rows, cov.Villages = covRows(t.rows), covRows(t.villages)
	cov.Longest = longest(hhs, last, cadres, now)
	return cov, nil
}

// coverageTally counts households into a Coverage and its rows.
type coverageTally struct {
	since             time.Time // contacts from here on count
	week, visitedWeek map[string]bool
	rows, villages    *tally[CoverageRow]
}

// add counts h, last reached as lc, in cov and rows.
func (t coverageTally) add(cov *Coverage, h Household, lc LastContact, rows ...*CoverageRow) {
	hit := !lc.At.IsZero() && !lc.At.Before(t.since)
	vis := !lc.Visited.IsZero() && !lc.Visited.Before(t.since)
	inc := func(n *int, yes bool) {
		if yes {
			*n++
		}
	}
	cov.Assigned++
	inc(&cov.Contacted, hit)
	inc(&cov.Visited, vis)
	inc(&cov.ContactedWeek, t.week[h.ID])
	inc(&cov.VisitedWeek, t.visitedWeek[h.ID])
	for _, r := range rows {
		r.Assigned++
		inc(&r.Contacted, hit)
		inc(&r.Visited, vis)
		inc(&r.ContactedWeek, t.week[h.ID])
		inc(&r.VisitedWeek, t.visitedWeek[h.ID])
		r.Rate = Rate{Num: r.Contacted, Den: r.Assigned}
	}
}

// longest returns the households longest without contact: never contacted
// first (by id), then the oldest last contacts.
func longest(hhs []Household, last map[string]LastContact, cadres map[string]Cadre, now time.Time) []Uncontacted {
	order := make([]Household, len(hhs))
	copy(order, hhs)
	sort.Slice(order, func(i, j int) bool {
		a, b := last[order[i].ID].At, last[order[j].ID].At
		if !a.Equal(b) {
			return a.Before(b)
		}
		return order[i].ID < order[j].ID
	})
	var out []Uncontacted
	for _, h := range order[:min(longestShown, len(order))] {
		c := cadres[h.CadreID]
		u := Uncontacted{Household: h.Name, Village: h.Village, Cadre: c.Name, Unit: c.Unit, Last: last[h.ID].At}
		if !u.Last.IsZero() {
			u.Days = int(now.Sub(u.Last) / (24 * time.Hour))
		}
		out = append(out, u)
	}
	return out
}

func setOf(ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

func newCovTally() *tally[CoverageRow] {
	return &tally[CoverageRow]{index: map[string]*CoverageRow{}, make: func(n string) *CoverageRow { return &CoverageRow{Name: n} }}
}

// covRows returns a coverage tally's rows, lowest coverage first
// (then by name): where to look first.
func covRows(t *tally[CoverageRow]) []CoverageRow {
	out := t.values()
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := out[i].Rate.Value()
		b, _ := out[j].Rate.Value()
		if a != b {
			return a < b
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// weekVisits counts the visits to hhs that started in [from, to): O(the
// county's visits in the week).
func (s *Service) weekVisits(ctx context.Context, hhs []Household, from, to time.Time) (int, error) {
	vs, err := s.Store.VisitsBetween(ctx, from, to)
	if err != nil || len(vs) == 0 {
		return 0, err
	}
	in := make(map[string]bool, len(hhs))
	for _, h := range hhs {
		in[h.ID] = true
	}
	n := 0
	for _, v := range vs {
		if in[v.HouseholdID] {
			n++
		}
	}
	return n, nil
}
