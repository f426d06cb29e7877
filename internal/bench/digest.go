package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/store"
)

// step is one stored change of a generated request's life.
type step struct {
	r  flows.Request
	ev flows.Event
}

// lifecycle generates the life of request id of household h, created at
// created, up to now: most get a first response within a day, most of those
// are resolved within days (some late), and about half of those get a
// verdict and close. Deterministic in id.
func lifecycle(id int64, h flows.Household, c flows.Cadre, created, now time.Time) []step {
	ch := openRequest(id, h, c, created)
	r := ch.Request
	steps := []step{{r, ch.Event}}
	add := func(at time.Time, act flows.Action, to flows.State, note string, edit func(*flows.Request)) bool {
		if at.After(now) {
			return false
		}
		from := r.State
		edit(&r)
		r.State = to
		steps = append(steps, step{r, flows.Event{At: at, Actor: "cadre:" + c.ID, Action: act, From: from, To: to, Note: note}})
		return true
	}
	k := int(id)
	if k%100 >= 85 {
		return steps // never answered
	}
	at := created.Add(time.Duration(1+k%30) * time.Hour)
	if !add(at, flows.ActReply, flows.StateResponded, "", func(r *flows.Request) { r.FirstResponseAt = at }) || k%10 >= 7 {
		return steps
	}
	at = at.Add(time.Duration(1+k%5) * 24 * time.Hour)
	note := ""
	if k%7 == 0 {
		note = flows.NoteLate
	}
	if !add(at, flows.ActResolve, flows.StateResolved, note, func(r *flows.Request) { r.ResolvedAt = at }) || k%2 == 1 {
		return steps
	}
	at = at.Add(time.Duration(2+k%20) * time.Hour)
	solved := []string{"y", "y", "y", "n"}[k%4]
	rating := []string{"3", "3", "2", "1"}[k%4]
	ratings := map[string]flows.Rating{"3": flows.RatingSatisfied, "2": flows.RatingBasic, "1": flows.RatingUnsatisfied}
	done := at.Add(time.Minute)
	if add(at, flows.ActSolvedQ, flows.StateResolved, solved, func(r *flows.Request) {
		r.Solved, r.VerdictAt = map[string]string{"y": "yes", "n": "no"}[solved], at
	}) && add(done, flows.ActRate, flows.StateResolved, rating, func(r *flows.Request) { r.Rating = ratings[rating] }) {
		add(done, flows.ActClose, flows.StateClosed, "", func(r *flows.Request) { r.ClosedAt = done })
	}
	return steps
}

// applyLife stores a request's steps one change at a time, as the service
// would, each in the week of its event.
func applyLife(ctx context.Context, st *store.Store, steps []step) error {
	loc := settings().Location
	var prev *flows.Request
	for i, s := range steps {
		ch := flows.Change{Prev: prev, Request: s.r, Event: s.ev, Week: flows.WeekOf(s.ev.At, loc).Label()}
		if i == 0 {
			ch.Schedule = firstStages(s.r.ID, s.r.CreatedAt)
		}
		if err := st.Apply(ctx, ch); err != nil {
			return err
		}
		cur := s.r
		cur.Version = int64(i + 1)
		prev = &cur
	}
	return nil
}

// closedRequest is an old request that has run its whole life: one change
// holding its final state (only its creation week's digest would read its
// events, and no bench digest reads that week).
func closedRequest(id int64, h flows.Household, c flows.Cadre, created time.Time) flows.Change {
	ch := openRequest(id, h, c, created)
	r := &ch.Request
	r.State, r.FirstResponseAt = flows.StateClosed, created.Add(3*time.Hour)
	r.ResolvedAt, r.ClosedAt = created.Add(48*time.Hour), created.Add(60*time.Hour)
	r.Solved, r.Rating, r.VerdictAt = "yes", flows.RatingSatisfied, created.Add(60*time.Hour)
	ch.Event = flows.Event{At: r.ClosedAt, Actor: "household:" + h.ID, Action: flows.ActClose, From: flows.StateResolved, To: flows.StateClosed}
	ch.Schedule = nil
	return ch
}

// digest compares BuildDigest for a county-sized week with 1 and with
// DigestWeeks weeks of history, for the county and for one unit.
func (e *env) digest(ctx context.Context) error {
	rdb := e.redis.client()
	defer rdb.Close()
	c := makeCounty(e.sz.Households, e.sz.Cadres)
	loc := settings().Location
	now := t0.Add(-time.Hour) // Monday 08:00, when the digest goes out
	week := flows.WeekOf(now, loc).Previous()
	cadres := map[string]flows.Cadre{}
	for _, cd := range c.roster.Cadres {
		cadres[cd.ID] = cd
	}
	if err := checkLayout(ctx, rdb, c); err != nil {
		return err
	}
	per := e.sz.DigestRequests
	type side struct {
		name          string
		weeks         int
		st            *store.Store
		svc           *flows.Service
		county, units []float64
	}
	sides := []*side{{name: "1w", weeks: 1}, {name: fmt.Sprintf("%dw", e.sz.DigestWeeks), weeks: e.sz.DigestWeeks}}
	for _, s := range sides {
		m, err := program(ctx, benchConfig(e.redis.url()+loaderPool, "digest-"+s.name), flows.NewSimClock(now))
		if err != nil {
			return err
		}
		defer m.Close()
		st := m.Store
		s.st, s.svc = st, m.Service
		if err := populate(ctx, s.svc, st, c, false); err != nil {
			return err
		}
		start := time.Now()
		before := usedMemory(ctx, rdb)
		// The digest's week and the week before it (which BuildDigest
		// reads for last week's rates) live their lives change by change.
		id := int64(1)
		hh := c.roster.Households
		var applies atomic.Int64
		t := time.Now()
		for w := 0; w < 2; w++ {
			ws := week.Start.AddDate(0, 0, -7*w)
			first := id
			if err := parallel(per, 64, func(i int) error {
				h := hh[(i*7+w)%len(hh)]
				created := ws.Add(time.Duration(i) * (7 * 24 * time.Hour) / time.Duration(per))
				steps := lifecycle(first+int64(i), h, cadres[h.CadreID], created, now)
				applies.Add(int64(len(steps)))
				return applyLife(ctx, st, steps)
			}); err != nil {
				return err
			}
			id += int64(per)
		}
		if s.weeks == 1 {
			e.add("store_apply_per_s", fmt.Sprintf("%.0f (changes of the digest's two weeks through store.Apply, 64 requests at a time)",
				float64(applies.Load())/time.Since(t).Seconds()))
			e.add("digest_redis_bytes_per_lived_request", fmt.Sprintf("%d (request hash, timeline of up to 6 events, indexes; no links)",
				(usedMemory(ctx, rdb)-before)/int64(2*per)))
		}
		// Older history: whole, closed lives, written as store.Apply would
		// (checked by checkLayout), in pipelines.
		n := (s.weeks - 1) * per
		first := id
		if _, err := loadClosed(ctx, rdb, "digest-"+s.name, n, func(i int) flows.Change {
			w := 2 + i/per
			ws := week.Start.AddDate(0, 0, -7*w)
			h := hh[(i*7+w)%len(hh)]
			created := ws.Add(time.Duration(i%per) * (7 * 24 * time.Hour) / time.Duration(per))
			return closedRequest(first+int64(i), h, cadres[h.CadreID], created)
		}); err != nil {
			return err
		}
		e.add("digest_populate_"+s.name, fmt.Sprintf("%d requests (%d weeks of %d) in %.1f s",
			2*per+n, s.weeks+1, per, time.Since(start).Seconds()))
	}
	unit := c.units[0]
	for k := 0; k < e.sz.Reps; k++ {
		order := sides
		if k%2 == 1 {
			order = []*side{sides[1], sides[0]}
		}
		for _, s := range order {
			t := time.Now()
			d, err := s.svc.BuildDigest(ctx, flows.DigestScope{}, week, now)
			if err != nil {
				return err
			}
			if d.Received != per {
				return fmt.Errorf("digest %s: %d received, want %d", s.name, d.Received, per)
			}
			s.county = append(s.county, msSince(t))
			t = time.Now()
			if _, err := s.svc.BuildDigest(ctx, flows.DigestScope{Unit: unit}, week, now); err != nil {
				return err
			}
			s.units = append(s.units, msSince(t))
		}
	}
	small, large := sides[0], sides[1]
	for _, s := range sides {
		e.add("digest_county_ms_"+s.name, fmt.Sprintf("%.0f (runs: %s)", median(s.county), floats(s.county)))
		e.add("digest_unit_ms_"+s.name, fmt.Sprintf("%.0f (runs: %s)", median(s.units), floats(s.units)))
	}
	ratio := median(large.county) / median(small.county)
	e.addT("digest_ratio", fmt.Sprintf("%.2f (county, %s vs %s)", ratio, large.name, small.name), "≤ 1.5", ptr(ratio <= 1.5))
	if err := e.digestParts(ctx, large.st, week); err != nil {
		return err
	}
	worst := max(median(large.county), median(small.county))
	e.addT("digest_county_under_1s", fmt.Sprintf("%.0f ms", worst), "well under 1 s (≤ 500 ms)", ptr(worst <= 500))
	if worst > 400 && worst <= 500 {
		e.close = append(e.close, "digest_county_under_1s")
	}
	return nil
}

// digestParts times the store reads a county digest makes for one week
// (BuildDigest makes them for two: the digest's week and the one before).
func (e *env) digestParts(ctx context.Context, st *store.Store, week flows.Week) error {
	var staff, reqs, tls, names []float64
	for k := 0; k < 3; k++ {
		t := time.Now()
		if _, err := st.Staff(ctx); err != nil {
			return err
		}
		staff = append(staff, msSince(t))
		t = time.Now()
		ids, err := st.WeekRequests(ctx, week.Label())
		if err != nil {
			return err
		}
		rs, err := st.Requests(ctx, ids)
		if err != nil {
			return err
		}
		reqs = append(reqs, msSince(t))
		t = time.Now()
		if _, err := st.Timelines(ctx, ids); err != nil {
			return err
		}
		tls = append(tls, msSince(t))
		t = time.Now()
		hids := make([]string, len(rs))
		for i, r := range rs {
			hids[i] = r.HouseholdID
		}
		if _, err := st.HouseholdNames(ctx, hids); err != nil {
			return err
		}
		names = append(names, msSince(t))
	}
	e.add("digest_store_reads_ms", fmt.Sprintf("cadres and leaders %.0f, week's requests %.0f, their timelines %.0f, their households' names %.0f (one week's reads; a digest reads two weeks)",
		median(staff), median(reqs), median(tls), median(names)))
	return nil
}

func msSince(t time.Time) float64 { return float64(time.Since(t)) / float64(time.Millisecond) }
