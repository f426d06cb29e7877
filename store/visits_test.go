package store

import (
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
)

// TestVisits: a visit is saved with its indexes and as its cadre's open
// visit; a stale or repeated change is refused; ending it drops the open
// pointer and its automatic end; a recorded request joins it with the
// request's own write; erasing the household erases it everywhere.
func TestVisits(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	v := flows.Visit{ID: 1, HouseholdID: "H1", CadreID: "C1", Unit: "U", Village: "东村", Start: t0}
	end := flows.Due{RequestID: 1, Stage: flows.StageVisitEnd, At: t0.Add(3 * time.Hour)}
	must(t, "open", s.SaveVisit(ctx, flows.VisitChange{Visit: v, Guard: "u1:visit", Schedule: &end,
		Notices: []flows.Notice{notice(7, flows.NoticeVisitOpened, 0)}}))
	wantCode(t, "repeated", s.SaveVisit(ctx, flows.VisitChange{Visit: v, Guard: "u1:visit"}), flows.EDUPLICATE)
	open, err := s.OpenVisit(ctx, "C1")
	must(t, "open visit", err)
	if open.Version != 1 || open.HouseholdID != "H1" || len(outboxNotices(t, s)) != 1 {
		t.Fatalf("open visit %+v", open)
	}
	if n, _ := s.rdb.ZScore(ctx, s.k.due(), "1|vend").Result(); n != float64(end.At.UnixMilli()) {
		t.Errorf("automatic end due at %v", n)
	}
	note := open
	note.Notes = append(note.Notes, flows.VisitNote{At: t0, Kind: flows.KindText, Text: "屋顶漏雨"})
	must(t, "note", s.SaveVisit(ctx, flows.VisitChange{Prev: &open, Visit: note}))
	wantCode(t, "stale", s.SaveVisit(ctx, flows.VisitChange{Prev: &open, Visit: note}), flows.ECONFLICT)

	r := newRequest(5, "H1", "C1", "U", t0)
	r.Origin, r.VisitID = flows.OriginVisit, 1
	must(t, "recorded request", s.Apply(ctx, flows.Change{Request: r, Event: event(flows.ActCreate, "", flows.StateReceived, "visit")}))
	cur, err := s.Visit(ctx, 1)
	must(t, "visit", err)
	if len(cur.Notes) != 1 || len(cur.Requests) != 1 || cur.Requests[0] != 5 {
		t.Fatalf("visit %+v", cur)
	}
	ended := cur
	ended.End = t0.Add(time.Hour)
	must(t, "end", s.SaveVisit(ctx, flows.VisitChange{Prev: &cur, Visit: ended}))
	wantCode(t, "no open visit", func() error { _, err := s.OpenVisit(ctx, "C1"); return err }(), flows.ENOTFOUND)
	if n, _ := s.rdb.ZCard(ctx, s.k.due()).Result(); n != 0 {
		t.Errorf("automatic end still due")
	}
	for _, sc := range []flows.Scope{{Kind: flows.ScopeCadre, ID: "C1"}, {Kind: flows.ScopeUnit, ID: "U"},
		{Kind: flows.ScopeHousehold, ID: "H1"}, {Kind: flows.ScopeCounty}} {
		if vs, err := s.RecentVisits(ctx, sc, 5); err != nil || len(vs) != 1 {
			t.Errorf("recent visits of %v: %d %v", sc, len(vs), err)
		}
	}
	if vs, _ := s.VisitsBetween(ctx, t0, t0.Add(time.Minute)); len(vs) != 1 {
		t.Errorf("visits between: %d", len(vs))
	}
	if vs, _ := s.VisitsBetween(ctx, t0.Add(time.Minute), t0.Add(time.Hour)); len(vs) != 0 {
		t.Errorf("visits between, later: %d", len(vs))
	}
	n, err := s.EraseVisits(ctx, "H1")
	must(t, "erase", err)
	keys, _ := s.rdb.Keys(ctx, s.k.p+"visit*").Result()
	if n != 1 || len(keys) != 0 {
		t.Errorf("erased %d, left %q", n, keys)
	}
}

// TestMigrateResolvedIndex: resolved requests stored before /revisits are
// indexed once.
func TestMigrateResolvedIndex(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	for id, st := range map[int64]flows.State{1: flows.StateResolved, 2: flows.StateReceived, 3: flows.StateResolved} {
		r := newRequest(id, "H1", "C1", "U", t0)
		r.State = st
		must(t, "apply", s.Apply(ctx, flows.Change{Request: r, Event: event(flows.ActCreate, "", st, "")}))
	}
	must(t, "clear", s.rdb.Del(ctx, s.k.open("resolved:unit", "U"), s.k.open("resolved:all", "")).Err())
	n, err := s.MigrateResolvedIndex(ctx)
	must(t, "migrate", err)
	ids, _ := s.ResolvedRequests(ctx, flows.Scope{Kind: flows.ScopeUnit, ID: "U"})
	if n != 2 || len(ids) != 2 {
		t.Fatalf("migrated %d: %v", n, ids)
	}
	if n, _ := s.MigrateResolvedIndex(ctx); n != 0 {
		t.Errorf("ran again: %d", n)
	}
}
