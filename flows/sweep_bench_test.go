package flows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/redistest"
	"github.com/minqing/minqing/store"
)

// These benchmarks run the service on a real redis-server
// (internal/redistest), with a small county: 20 cadres (all bound) and 400
// households.

var benchLoc = time.FixedZone("CST", 8*3600)

// benchNow is a Monday morning: the digest's week is the one before.
var benchNow = time.Date(2026, 12, 7, 9, 0, 0, 0, benchLoc)

// benchService returns a service on a fresh Redis with the county imported.
func benchService(b *testing.B) (*flows.Service, *store.Store, flows.Roster) {
	b.Helper()
	st := store.New(redistest.Start(b).Client(), "mq", "bench")
	svc := &flows.Service{Store: st, Clock: flows.NewSimClock(benchNow), Settings: flows.Settings{
		MaxHouseholdAccounts: 3, FirstResponse: 24 * time.Hour, EscalateAfter: 48 * time.Hour,
		DefaultDeadline: 168 * time.Hour, VerdictWait: 168 * time.Hour, Location: benchLoc, DefaultLang: "zh", County: "县"},
		Codes: flows.NewCardCodes("bench secret, not for use anywhere", "bench")}
	var r flows.Roster
	for i := 0; i < 20; i++ {
		role := flows.RoleCadre
		if i%10 == 0 {
			role = flows.RoleLeader
		}
		r.Cadres = append(r.Cadres, flows.Cadre{ID: fmt.Sprintf("C%02d", i), Name: fmt.Sprintf("干部%02d", i), Unit: fmt.Sprintf("乡镇%d", i/10), Role: role})
	}
	for i := 0; i < 400; i++ {
		r.Households = append(r.Households, flows.Household{ID: fmt.Sprintf("H%03d", i), Name: fmt.Sprintf("农户%03d", i),
			Village: fmt.Sprintf("村%d", i%8), CadreID: r.Cadres[1+i%9+10*(i%2)].ID})
	}
	ctx := context.Background()
	if _, err := svc.ImportRoster(ctx, r); err != nil {
		b.Fatal(err)
	}
	invites, err := svc.Invites(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for i, c := range invites {
		if _, err := st.Bind(ctx, flows.CodeCheck(c.Code), flows.Account{ID: int64(20000 + i), Lang: "zh"}, 1); err != nil {
			b.Fatal(err)
		}
	}
	return svc, st, r
}

// newRequest is the change that stores a new request created at created.
func newRequest(id int64, h flows.Household, c flows.Cadre, created time.Time) flows.Change {
	r := flows.Request{ID: id, HouseholdID: h.ID, CadreID: c.ID, Unit: c.Unit, Village: h.Village, State: flows.StateReceived,
		Summary: "房顶漏雨，想申请危房改造补助", Kind: flows.KindText, CreatedAt: created}
	return flows.Change{Request: r, Week: flows.WeekOf(created, benchLoc).Label(),
		Event:    flows.Event{At: created, Actor: "household:" + h.ID, Action: flows.ActCreate, To: flows.StateReceived},
		Schedule: []flows.Due{{RequestID: id, Stage: flows.StageRemind, At: created.Add(24 * time.Hour)}}}
}

// BenchmarkSweepStep fires due reminders: per op, one due stage claimed,
// its request and people loaded, and its change (notice to the cadre,
// timeline event, lease release) applied.
func BenchmarkSweepStep(b *testing.B) {
	svc, st, r := benchService(b)
	ctx := context.Background()
	cadres := map[string]flows.Cadre{}
	for _, c := range r.Cadres {
		cadres[c.ID] = c
	}
	b.ReportAllocs()
	id := int64(0)
	for b.Loop() {
		b.StopTimer()
		// A batch of 100 reminders falls due; the sweep fires them all.
		for i := 0; i < 100; i++ {
			id++
			h := r.Households[int(id)%len(r.Households)]
			if err := st.Apply(ctx, newRequest(id, h, cadres[h.CadreID], benchNow.Add(-24*time.Hour))); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		n, err := svc.Sweep(ctx, benchNow)
		if err != nil || n != 100 {
			b.Fatalf("sweep fired %d: %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(id), "ns/stage")
}

// BenchmarkDigestWeek builds the county's digest of a fixed week of 500
// requests (a third answered, a sixth resolved), and one unit's.
func BenchmarkDigestWeek(b *testing.B) {
	svc, st, r := benchService(b)
	ctx := context.Background()
	week := flows.WeekOf(benchNow, benchLoc).Previous()
	cadres := map[string]flows.Cadre{}
	for _, c := range r.Cadres {
		cadres[c.ID] = c
	}
	for i := 0; i < 500; i++ {
		h := r.Households[i%len(r.Households)]
		created := week.Start.Add(time.Duration(i) * 20 * time.Minute)
		ch := newRequest(int64(i+1), h, cadres[h.CadreID], created)
		if err := st.Apply(ctx, ch); err != nil {
			b.Fatal(err)
		}
		if i%3 != 0 {
			continue
		}
		prev := ch.Request
		prev.Version = 1
		next := prev
		next.State, next.FirstResponseAt = flows.StateResponded, created.Add(2*time.Hour)
		ev := flows.Event{At: next.FirstResponseAt, Actor: "cadre:" + h.CadreID, Action: flows.ActReply, From: prev.State, To: next.State}
		if i%2 == 0 {
			next.State, next.ResolvedAt = flows.StateResolved, created.Add(3*time.Hour)
			ev = flows.Event{At: next.ResolvedAt, Actor: "cadre:" + h.CadreID, Action: flows.ActSolve, From: prev.State, To: next.State}
		}
		if err := st.Apply(ctx, flows.Change{Prev: &prev, Request: next, Event: ev, Week: flows.WeekOf(ev.At, benchLoc).Label()}); err != nil {
			b.Fatal(err)
		}
	}
	for _, scope := range []flows.DigestScope{{}, {Unit: r.Cadres[0].Unit}} {
		name := "county"
		if scope.Unit != "" {
			name = "unit"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d, err := svc.BuildDigest(ctx, scope, week, benchNow)
				if err != nil {
					b.Fatal(err)
				}
				if scope.Unit == "" && d.Received != 500 {
					b.Fatalf("digest received %d, want 500", d.Received)
				}
			}
		})
	}
}
