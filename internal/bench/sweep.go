package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/store"
)

// t0 is the bench's simulated "now": a Monday morning in the county.
var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, settings().Location)

// openRequest is a new request of household h, as Receive creates it (no
// notices: in a steady state the outbox is empty).
func openRequest(id int64, h flows.Household, c flows.Cadre, created time.Time) flows.Change {
	set := settings()
	text := text100("r" + strconv.FormatInt(id, 10))
	r := flows.Request{ID: id, HouseholdID: h.ID, CadreID: c.ID, Unit: c.Unit, Village: h.Village,
		State: flows.StateReceived, Summary: flows.Summarize(text, 60), Kind: flows.KindText, CreatedAt: created}
	ev := flows.Event{At: created, Actor: "household:" + h.ID, Action: flows.ActCreate, To: flows.StateReceived,
		Msg: &flows.MsgRef{ChatID: accountOf(h.ID), MessageID: int(id % 1e6), Kind: flows.KindText, Text: text}}
	return flows.Change{Request: r, Event: ev, Week: flows.WeekOf(created, set.Location).Label(), Schedule: firstStages(id, created)}
}

// firstStages are the stages a new request schedules: the reminder and the
// escalation.
func firstStages(id int64, created time.Time) []flows.Due {
	set := settings()
	return []flows.Due{
		{RequestID: id, Stage: flows.StageRemind, At: created.Add(set.FirstResponse)},
		{RequestID: id, Stage: flows.StageEscalate, At: created.Add(set.EscalateAfter)},
	}
}

// loadOpen stores n open requests through store.Apply on 64 goroutines,
// ids from first; created(i) gives each one's creation time. It returns
// the rate in requests a second.
func loadOpen(ctx context.Context, st *store.Store, c county, first int64, n int, created func(i int) time.Time) (float64, error) {
	cadres := map[string]flows.Cadre{}
	for _, cd := range c.roster.Cadres {
		cadres[cd.ID] = cd
	}
	hh := c.roster.Households
	start := time.Now()
	err := parallel(n, 64, func(i int) error {
		h := hh[i%len(hh)]
		return st.Apply(ctx, openRequest(first+int64(i), h, cadres[h.CadreID], created(i)))
	})
	return float64(n) / time.Since(start).Seconds(), err
}

// sweep compares a reminder sweep with sweepDue items due among a small and
// a large number of open requests, alternating sides.
func (e *env) sweep(ctx context.Context) error {
	rdb := e.redis.client()
	defer rdb.Close()
	c := makeCounty(e.sz.Households, e.sz.Cadres)
	reps, due := e.sz.Reps, e.sz.SweepDue
	// Sweep k runs at tk(k) and finds exactly `due` reminders due then:
	// the requests created 24 hours before. Every other request's first
	// stage falls after the last sweep.
	tk := func(k int) time.Time { return t0.Add(time.Duration(k) * time.Minute) }
	last := tk(reps - 1)
	type side struct {
		name  string
		open  int
		svc   *flows.Service
		times []float64
	}
	sides := []*side{{name: "small", open: e.sz.SweepSmall}, {name: "large", open: e.sz.SweepLarge}}
	zsets := e.sz.SweepLoad == "zsets" || (e.sz.SweepLoad == "auto" && e.sz.SweepLarge > 200_000)
	how := "store.Apply (64 goroutines)"
	if zsets {
		if err := checkLayout(ctx, rdb, c); err != nil {
			return err
		}
		how = "sorted-set entries only (pipelines, 8 goroutines); the due requests through store.Apply"
		e.note("sweep", "The requests that are not due were loaded as their sorted-set entries only (due items, open "+
			"indexes, household and week indexes, exactly as store.Apply writes them: the bench checks this against a "+
			"request stored through store.Apply), without their hashes and timelines, which no sweep reads. "+
			"Storing 1 000 000 whole open requests through store.Apply took about two minutes in trial runs on this "+
			"machine (-sweep-load apply), too long for the 5-minute budget.")
	}
	for _, s := range sides {
		m, err := program(ctx, benchConfig(e.redis.url()+loaderPool, "sweep-"+s.name), flows.NewSimClock(t0))
		if err != nil {
			return err
		}
		defer m.Close()
		st := m.Store
		s.svc = m.Service
		if err := populate(ctx, s.svc, st, c, false); err != nil {
			return err
		}
		nonDue := s.open - reps*due
		if nonDue < 0 {
			return fmt.Errorf("sweep: %d open requests cannot hold %d sweeps of %d due", s.open, reps, due)
		}
		start := time.Now()
		later := func(i int) time.Time { return last.Add(-12 * time.Hour).Add(time.Duration(i) * time.Millisecond) }
		var rate float64
		if zsets {
			rate, err = loadZsets(ctx, rdb, "sweep-"+s.name, c, 1, nonDue, later)
		} else {
			rate, err = loadOpen(ctx, st, c, 1, nonDue, later)
		}
		if err != nil {
			return err
		}
		for k := 0; k < reps; k++ {
			if _, err := loadOpen(ctx, st, c, int64(nonDue+1+k*due), due, func(int) time.Time {
				return tk(k).Add(-settings().FirstResponse)
			}); err != nil {
				return err
			}
		}
		e.add("sweep_populate_"+s.name, fmt.Sprintf("%d open requests in %.1f s (%.0f requests/s) as %s",
			s.open, time.Since(start).Seconds(), rate, how))
	}
	// Every sweep sees `open` open requests of which `due` are due (the
	// reminded ones stay open; later sweeps' items are still ahead).
	for k := 0; k < reps; k++ {
		order := sides
		if k%2 == 1 {
			order = []*side{sides[1], sides[0]}
		}
		for _, s := range order {
			t := time.Now()
			n, err := s.svc.Sweep(ctx, tk(k))
			if err != nil {
				return err
			}
			if n != due {
				return fmt.Errorf("sweep %s at %d fired %d, want %d", s.name, k, n, due)
			}
			s.times = append(s.times, float64(time.Since(t))/float64(time.Millisecond))
		}
	}
	small, large := median(sides[0].times), median(sides[1].times)
	e.add("sweep_small_ms", fmt.Sprintf("%.1f (%d due among %d open; runs: %s)", small, due, e.sz.SweepSmall, floats(sides[0].times)))
	e.add("sweep_large_ms", fmt.Sprintf("%.1f (%d due among %d open; runs: %s)", large, due, e.sz.SweepLarge, floats(sides[1].times)))
	e.addT("sweep_ratio", fmt.Sprintf("%.2f", large/small), "≤ 1.5", ptr(large/small <= 1.5))
	return nil
}

func floats(xs []float64) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%.1f", x)
	}
	return out
}
