package flows

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"
)

// NoteLate marks a resolving event that came after the deadline.
const NoteLate = "late"

// DigestScope selects what a digest covers: a unit, or the county ("").
type DigestScope struct {
	Unit string
}

// BuildDigest computes the digest of week for scope at now, from the week's
// requests only (the per-week index), plus the scope's open requests for
// the "still open" and "late" counts. Previous holds last week's rates.
// Coverage is computed from the roster and the households' last contacts,
// meanwhile (its reads wait on Redis while the requests are decoded).
func (s *Service) BuildDigest(ctx context.Context, scope DigestScope, week Week, now time.Time) (Digest, error) {
	staff, err := s.Store.Staff(ctx)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	type covResult struct {
		cov Coverage
		err error
	}
	covDone := make(chan covResult, 1)
	go func() {
		cov, err := s.coverage(ctx, scope, week, now, staff)
		covDone <- covResult{cov, err}
	}()
	d, err := s.buildRequests(ctx, scope, week, now, staff)
	res := <-covDone
	if err != nil {
		return d, err
	}
	d.Coverage = &res.cov
	return d, res.err
}

// buildRequests computes the request part of the digest: the week's counts
// and rates, last week's rates and the open requests.
func (s *Service) buildRequests(ctx context.Context, scope DigestScope, week Week, now time.Time, staff []Cadre) (Digest, error) {
	d, err := s.weekDigest(ctx, scope, week, now, staff)
	if err != nil {
		return d, err
	}
	prev, err := s.weekDigest(ctx, scope, week.Previous(), now, staff)
	if err != nil {
		return d, err
	}
	d.Previous = prev.Rates
	return d, s.addOpen(ctx, &d, scope, now)
}

// digestInput is what a week's digest is computed from.
type digestInput struct {
	reqs      []Request
	timelines map[int64][]Event
	cadres    map[string]Cadre
	homes     map[string]string // household names by id
}

// weekDigest computes the counts and rates of one week.
func (s *Service) weekDigest(ctx context.Context, scope DigestScope, week Week, now time.Time, staff []Cadre) (Digest, error) {
	d := Digest{Unit: scope.Unit, Week: week}
	in, err := s.digestInput(ctx, scope, week, staff)
	if err != nil {
		return d, err
	}
	rows, villages := newTally(), newTally()
	var firsts []time.Duration
	cats := map[string]int{}
	for _, r := range in.reqs {
		s.countTransfers(&d, scope, in.timelines[r.ID], week, rows)
		if scope.Unit != "" && r.Unit != scope.Unit {
			d.Requests = append(d.Requests, s.digestRequest(r, in, now))
			continue // transferred out of the unit: only the transfer counts here
		}
		rowName := r.Unit
		if scope.Unit != "" {
			rowName = in.cadres[r.CadreID].Name
		}
		row, vil := rows.get(rowName), villages.get(r.Village)
		if week.Contains(r.CreatedAt) {
			d.Received++
			switch r.Origin {
			case OriginVisit:
				d.RecordedOnVisits++
			case OriginPhone:
				d.RecordedByPhone++
			}
			row.Received++
			vil.Received++
			cats[r.Category]++
			inTime := !r.FirstResponseAt.IsZero() && !r.FirstResponseAt.After(s.AddSLA(r.CreatedAt, s.Settings.FirstResponse))
			count(&d.Rates.Response, inTime, row, vil, func(rs *Rates) *Rate { return &rs.Response })
			if inTime {
				d.RespondedInTime++
			}
			if !r.FirstResponseAt.IsZero() {
				firsts = append(firsts, r.FirstResponseAt.Sub(r.CreatedAt))
			}
		}
		s.countEvents(&d, in.timelines[r.ID], week, row, vil)
		d.Requests = append(d.Requests, s.digestRequest(r, in, now))
	}
	d.Rows, d.Villages = digestRows(rows), digestRows(villages)
	if scope.Unit == "" {
		d.Villages = nil
	}
	d.MedianFirstResponse, d.HasMedian = median(firsts)
	d.Categories = categories(cats)
	return d, nil
}

// countEvents counts the week's resolutions, closings and verdicts.
func (s *Service) countEvents(d *Digest, events []Event, week Week, rows ...*DigestRow) {
	for _, ev := range events {
		if !week.Contains(ev.At) {
			continue
		}
		switch {
		case ev.To == StateResolved && ev.From != StateResolved:
			d.Resolved++
			count(&d.Rates.OnTime, ev.Note != NoteLate, rows[0], rows[1], func(rs *Rates) *Rate { return &rs.OnTime })
			rows[0].Resolved++
			rows[1].Resolved++
		case ev.Action == ActSolvedQ:
			count(&d.Rates.Resolution, ev.Note == "y", rows[0], rows[1], func(rs *Rates) *Rate { return &rs.Resolution })
		case ev.Action == ActRate:
			r := ratingArgs[ev.Note]
			count(&d.Rates.Satisfaction, r == RatingSatisfied || r == RatingBasic, rows[0], rows[1], func(rs *Rates) *Rate { return &rs.Satisfaction })
		}
		if ev.To == StateClosed && ev.From != StateClosed {
			d.Closed++
		}
	}
}

// countTransfers counts the week's transfers and send-backs of a request:
// in the county view per unit, in a unit's view those into, out of and
// sent back by the unit.
func (s *Service) countTransfers(d *Digest, scope DigestScope, events []Event, week Week, rows *tally[DigestRow]) {
	for _, ev := range events {
		if ev.Move == nil || !week.Contains(ev.At) {
			continue
		}
		switch ev.Action {
		case ActTransfer:
			if scope.Unit == "" {
				d.TransfersIn++
				d.TransfersOut++
				rows.get(ev.Move.To).TransfersIn++
				if ev.Move.From != "" {
					rows.get(ev.Move.From).TransfersOut++
				}
				continue
			}
			if ev.Move.To == scope.Unit {
				d.TransfersIn++
			}
			if ev.Move.From == scope.Unit {
				d.TransfersOut++
			}
		case ActSendBack:
			if scope.Unit == "" || ev.Move.From == scope.Unit {
				d.SentBack++
			}
			if scope.Unit == "" {
				rows.get(ev.Move.From).SentBack++
			}
		}
	}
}

// count adds one to a rate's denominator (and numerator when hit), for the
// digest and for each row.
func count(total *Rate, hit bool, row, vil *DigestRow, pick func(*Rates) *Rate) {
	for _, r := range []*Rate{total, pick(&row.Rates), pick(&vil.Rates)} {
		r.Den++
		if hit {
			r.Num++
		}
	}
}

// digestInput loads the week's requests in scope, their timelines, and the
// names of their cadres and households.
func (s *Service) digestInput(ctx context.Context, scope DigestScope, week Week, staff []Cadre) (digestInput, error) {
	var in digestInput
	ids, err := s.Store.WeekRequests(ctx, week.Label())
	if err != nil {
		return in, fmt.Errorf("digest: %w", err)
	}
	all, err := s.Store.Requests(ctx, ids)
	if err != nil {
		return in, fmt.Errorf("digest: %w", err)
	}
	for _, r := range all {
		if scope.Unit == "" || r.Unit == scope.Unit || slices.Contains(r.Path, scope.Unit) {
			in.reqs = append(in.reqs, r)
		}
	}
	inScope := make([]int64, len(in.reqs))
	for i, r := range in.reqs {
		inScope[i] = r.ID
	}
	if in.timelines, err = s.Store.Timelines(ctx, inScope); err != nil {
		return in, fmt.Errorf("digest: %w", err)
	}
	in.cadres = make(map[string]Cadre, len(staff))
	for _, c := range staff {
		in.cadres[c.ID] = c
	}
	homes := map[string]bool{}
	var hids []string
	for _, r := range in.reqs {
		if !homes[r.HouseholdID] {
			homes[r.HouseholdID] = true
			hids = append(hids, r.HouseholdID)
		}
	}
	if in.homes, err = s.Store.HouseholdNames(ctx, hids); err != nil {
		return in, fmt.Errorf("digest: %w", err)
	}
	return in, nil
}

// addOpen counts the scope's open and late requests now, per row and (in a
// unit's digest) per village, and lists the oldest late ones.
func (s *Service) addOpen(ctx context.Context, d *Digest, scope DigestScope, now time.Time) error {
	sc := Scope{Kind: ScopeCounty}
	if scope.Unit != "" {
		sc = Scope{Kind: ScopeUnit, ID: scope.Unit}
	}
	ids, err := s.Store.OpenRequests(ctx, sc)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	reqs, err := s.Store.Requests(ctx, ids)
	if err != nil {
		return fmt.Errorf("digest: %w", err)
	}
	cadres := map[string]string{}
	var late []Request
	for _, r := range reqs {
		d.Open++
		name := r.Unit
		if scope.Unit != "" {
			name = s.cadreName(ctx, cadres, r.CadreID)
		}
		rows := []*DigestRow{findRow(&d.Rows, name)}
		if scope.Unit != "" {
			rows = append(rows, findRow(&d.Villages, r.Village))
		}
		isLate := r.Late(now)
		for _, row := range rows {
			row.Open++
			if isLate {
				row.Late++
			}
		}
		if isLate {
			d.Late++
			late = append(late, r)
		}
	}
	sortRows(d.Rows)
	sortRows(d.Villages)
	sort.Slice(late, func(i, j int) bool { return late[i].Deadline.Before(late[j].Deadline) })
	for i, r := range late {
		if i == 10 {
			break
		}
		d.OldestLate = append(d.OldestLate, LateItem{RequestID: r.ID, Village: r.Village, Cadre: s.cadreName(ctx, cadres, r.CadreID),
			DaysLate: int(now.Sub(r.Deadline).Hours()/24) + 1, Summary: r.Summary})
	}
	return nil
}

// cadreName looks a cadre's name up once.
func (s *Service) cadreName(ctx context.Context, cache map[string]string, id string) string {
	if n, ok := cache[id]; ok {
		return n
	}
	c, err := s.Store.Cadre(ctx, id)
	if err != nil {
		return id
	}
	cache[id] = c.Name
	return c.Name
}

// sortRows orders rows by name, as tally.list does.
func sortRows(rows []DigestRow) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
}

// findRow returns the row named name, adding it if missing.
func findRow(rows *[]DigestRow, name string) *DigestRow {
	for i := range *rows {
		if (*rows)[i].Name == name {
			return &(*rows)[i]
		}
	}
	*rows = append(*rows, DigestRow{Name: name})
	return &(*rows)[len(*rows)-1]
}

// digestRequest is a request's line in the spreadsheet.
func (s *Service) digestRequest(r Request, in digestInput, now time.Time) DigestRequest {
	return DigestRequest{
		ID: r.ID, Household: in.homes[r.HouseholdID], Village: r.Village, Cadre: in.cadres[r.CadreID].Name,
		Unit: r.Unit, Category: r.Category, Summary: r.Summary, State: r.State, Received: r.CreatedAt,
		FirstResponse: r.FirstResponseAt, Deadline: r.Deadline, Resolved: r.ResolvedAt,
		Solved: r.Solved, Rating: r.Rating, Late: r.Late(now), Path: r.Path, Origin: r.Origin,
		VerdictVia: VerdictVia(in.timelines[r.ID]),
	}
}

// tally keeps rows by name in first-seen order; name makes a new row.
type tally[R any] struct {
	rows  []*R
	index map[string]*R
	make  func(name string) *R
}

func newTally() *tally[DigestRow] {
	return &tally[DigestRow]{index: map[string]*DigestRow{}, make: func(n string) *DigestRow { return &DigestRow{Name: n} }}
}

func (t *tally[R]) get(name string) *R {
	if r, ok := t.index[name]; ok {
		return r
	}
	r := t.make(name)
	t.index[name], t.rows = r, append(t.rows, r)
	return r
}

// values returns copies of the rows, in first-seen order.
func (t *tally[R]) values() []R {
	out := make([]R, len(t.rows))
	for i, r := range t.rows {
		out[i] = *r
	}
	return out
}

// digestRows returns a digest tally's rows, sorted.
func digestRows(t *tally[DigestRow]) []DigestRow {
	out := t.values()
	sortRows(out)
	return out
}

// median returns the median of ds.
func median(ds []time.Duration) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if n := len(ds); n%2 == 0 {
		return (ds[n/2-1] + ds[n/2]) / 2, true
	}
	return ds[len(ds)/2], true
}

// Categories are the request categories, after the poverty-relief
// dimensions ("两不愁三保障") and the rest; "" is unset.
var Categories = []string{"medical", "housing", "livelihood", "subsidy", "schooling", "infrastructure", "policy", "other"}

// categories lists the counts in the order of Categories, unset last.
func categories(m map[string]int) []CategoryCount {
	var out []CategoryCount
	for _, c := range append(Categories, "") {
		if m[c] > 0 {
			out = append(out, CategoryCount{Category: c, Count: m[c]})
		}
	}
	return out
}
