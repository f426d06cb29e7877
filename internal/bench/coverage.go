package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/minqing/minqing/flows"
)

// contactsOf is how often household i is reached in a year: from once to
// 24 times (12.5 on average), a visit, a request, a reply or a check-in
// answer in turn; the rarely reached ones are those a sweep finds due.
func contactsOf(i int) int { return 1 + i%24 }

// coverage measures the coverage sweep (nudges, then check-ins) and the
// digest's coverage lines for a county whose roster was imported a year
// ago and whose households were reached from once to 24 times since, each contact
// through flows.Service.Contacted: the sweep must cost O(what is due), the
// coverage lines stay within the digest's budget.
func (e *env) coverage(ctx context.Context) error {
	rdb := e.redis.client()
	defer rdb.Close()
	c := makeCounty(e.sz.Households, e.sz.Cadres)
	now := t0.Add(-time.Hour) // Monday 08:00
	year := now.AddDate(-1, 0, 0)
	clock := flows.NewSimClock(year)
	st := newStore(rdb, "coverage")
	svc := newService(st, clock)
	if err := populate(ctx, svc, st, c, true); err != nil { // imported (assigned) a year ago, every card bound
		return err
	}
	t := time.Now()
	hh := c.roster.Households
	kinds := []flows.ContactKind{flows.ContactVisit, flows.ContactRequest, flows.ContactReply, flows.ContactCheckin}
	var total atomic.Int64
	if err := parallel(len(hh), 64, func(i int) error {
		n := contactsOf(i)
		total.Add(int64(n))
		period := 365 * 24 * time.Hour / time.Duration(n)
		for k := 0; k < n; k++ {
			jitter := time.Duration((i*7919+k*104729)%int(period/time.Minute)) * time.Minute
			at := year.Add(time.Duration(k)*period + jitter)
			if err := svc.Contacted(ctx, hh[i].ID, at, kinds[(i+k)%len(kinds)]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	e.add("coverage_populate", fmt.Sprintf("%d households, %d contacts over a year (flows.Service.Contacted) in %.1f s",
		len(hh), total.Load(), time.Since(t).Seconds()))
	clock.Set(now)
	return e.coverageSweeps(ctx, svc, st, now)
}

// coverageSweeps times the sweeps of one day and the next, and the digest.
func (e *env) coverageSweeps(ctx context.Context, svc *flows.Service, st storeDue, now time.Time) error {
	nudgesOnly := *svc
	nudgesOnly.Settings.CheckinAfter = 0
	var figs []string
	for _, day := range []struct {
		name string
		at   time.Time
	}{{"first", now}, {"next_day", now.Add(24 * time.Hour)}, {"again", now.Add(24 * time.Hour)}} {
		dueN, err := st.DueHouseholds(ctx, flows.DueNudge, day.at, 0)
		if err != nil {
			return err
		}
		dueC, err := st.DueHouseholds(ctx, flows.DueCheckin, day.at, 0)
		if err != nil {
			return err
		}
		t := time.Now()
		lists, err := nudgesOnly.SweepOutreach(ctx, day.at)
		if err != nil {
			return err
		}
		nudge := msSince(t)
		t = time.Now()
		n, err := svc.SweepOutreach(ctx, day.at)
		if err != nil {
			return err
		}
		checkin := msSince(t)
		e.add("coverage_sweep_"+day.name, fmt.Sprintf("nudges %.0f ms (%d households due, %d lists), check-ins %.0f ms (%d due, %d sent)",
			nudge, len(dueN), lists, checkin, len(dueC), n))
		if len(dueN)+len(dueC) > 0 {
			figs = append(figs, fmt.Sprintf("%.2f", (nudge+checkin)/float64(len(dueN)+len(dueC))))
		} else {
			e.addT("coverage_sweep_nothing_due_ms", fmt.Sprintf("%.1f (12 000 households, a year of contacts)", nudge+checkin),
				"≤ 10 ms: O(due), not O(households)", ptr(nudge+checkin <= 10))
		}
	}
	e.add("coverage_sweep_ms_per_due", fmt.Sprintf("%s (first day, next day)", joinStrings(figs)))
	return e.coverageDigest(ctx, svc, now)
}

// coverageDigest times BuildDigest on a store holding the roster and the
// contacts only: what the coverage lines add to a digest.
func (e *env) coverageDigest(ctx context.Context, svc *flows.Service, now time.Time) error {
	week := flows.WeekOf(now, settings().Location).Previous()
	unit := makeCounty(e.sz.Households, e.sz.Cadres).units[0]
	var county, units []float64
	for k := 0; k < e.sz.Reps; k++ {
		t := time.Now()
		d, err := svc.BuildDigest(ctx, flows.DigestScope{}, week, now)
		if err != nil {
			return err
		}
		county = append(county, msSince(t))
		if d.Coverage == nil || d.Coverage.Assigned != e.sz.Households {
			return fmt.Errorf("coverage of %v households, want %d", d.Coverage, e.sz.Households)
		}
		if k == 0 {
			cv := d.Coverage
			e.add("coverage_digest_county", fmt.Sprintf("走访覆盖率 %d/%d, %d contacted and %d visited in the week, %d units",
				cv.Contacted, cv.Assigned, cv.ContactedWeek, cv.VisitedWeek, len(cv.Rows)))
		}
		t = time.Now()
		if _, err := svc.BuildDigest(ctx, flows.DigestScope{Unit: unit}, week, now); err != nil {
			return err
		}
		units = append(units, msSince(t))
	}
	worst := median(county)
	e.addT("coverage_digest_county_ms", fmt.Sprintf("%.0f (runs: %s; roster and contacts only, no requests)", worst, floats(county)),
		"≤ 150 ms (the digest's budget is 500 ms)", ptr(worst <= 150))
	e.add("coverage_digest_unit_ms", fmt.Sprintf("%.0f (runs: %s)", median(units), floats(units)))
	return e.coverageParts(ctx, svc.Store, week)
}

// coverageParts times the store reads of the coverage lines.
func (e *env) coverageParts(ctx context.Context, st flows.Store, week flows.Week) error {
	var roster, last, weekSets []float64
	for k := 0; k < 3; k++ {
		t := time.Now()
		hhs, err := st.Assignments(ctx)
		if err != nil {
			return err
		}
		roster = append(roster, msSince(t))
		ids := make([]string, len(hhs))
		for i, h := range hhs {
			ids[i] = h.ID
		}
		t = time.Now()
		if _, err := st.LastContacts(ctx, ids); err != nil {
			return err
		}
		last = append(last, msSince(t))
		t = time.Now()
		if _, _, err := st.WeekContacts(ctx, week.Label()); err != nil {
			return err
		}
		weekSets = append(weekSets, msSince(t))
	}
	e.add("coverage_store_reads_ms", fmt.Sprintf("households' name, village and cadre %.0f, last contacts %.0f, the week's contacted and visited sets %.0f",
		median(roster), median(last), median(weekSets)))
	return nil
}

// storeDue is what the coverage bench reads of the store directly.
type storeDue interface {
	DueHouseholds(ctx context.Context, kind flows.DueKind, now time.Time, n int) ([]string, error)
}

func joinStrings(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
