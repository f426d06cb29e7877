package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// privacyFixture stores the roster, binds H1 (accounts 11, 12), H2 (21) and
// C1 (101), and makes requests 1 and 2 of H1 and 3 of H2, each with a
// notice to its household and to C1 that was sent (linked) and a due stage.
func privacyFixture(t *testing.T, s *Store) map[int64]flows.Request {
	t.Helper()
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	for _, b := range []struct {
		code string
		id   int64
	}{{"HC1", 11}, {"HC1", 12}, {"HC2", 21}, {"IC1", 101}} {
		_, err := s.Bind(ctx, flows.CodeCheck(b.code), flows.Account{ID: b.id, Lang: "zh"}, 3)
		must(t, "bind", err)
	}
	reqs := map[int64]flows.Request{}
	for _, r := range []flows.Request{newRequest(1, "H1", "C1", "U1", t0), newRequest(2, "H1", "C1", "U1", t0.Add(time.Minute)),
		newRequest(3, "H2", "C1", "U1", t0.Add(2*time.Minute))} {
		home := int64(11)
		if r.HouseholdID == "H2" {
			home = 21
		}
		c := flows.Change{Request: r, Event: flows.Event{At: r.CreatedAt, Actor: "household:" + r.HouseholdID, Action: flows.ActCreate, To: r.State},
			Notices:  []flows.Notice{notice(home, flows.NoticeRequestAck, r.ID), notice(101, flows.NoticeNewRequest, r.ID)},
			Schedule: []flows.Due{{RequestID: r.ID, Stage: flows.StageRemind, At: r.CreatedAt.Add(time.Hour)}}, Week: "2025-W09"}
		must(t, "apply", s.Apply(ctx, c))
		r.Version = 1
		reqs[r.ID] = r
	}
	qs, err := s.Next(ctx, "w", flows.LaneInteractive, 10, short, never)
	must(t, "next", err)
	for i, q := range qs {
		must(t, "done", s.Done(ctx, q, []int{100 + i}))
	}
	return reqs
}

func erased(r flows.Request, chats ...int64) flows.Erased {
	return flows.Erased{Request: r, Weeks: []string{"2025-W09"}, Chats: chats,
		Anon: map[string]flows.Counts{"2025-W09": {flows.AnonRequests: 1, flows.AnonRequests + "@" + r.Unit: 1}}}
}

// TestEraseRequests: retention's erasure of single requests, searching the
// chats it is given.
func TestEraseRequests(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	reqs := privacyFixture(t, s)
	stale := reqs[1]
	stale.Version = 7
	wantCode(t, "stale version", s.Erase(ctx, flows.Erasure{Requests: []flows.Erased{erased(stale, 11, 101)}}), flows.ECONFLICT)
	if _, err := s.Request(ctx, 1); err != nil {
		t.Fatalf("a refused erasure erased: %v", err)
	}
	links, err := s.RequestLinks(ctx, []int64{1}, []int64{11, 101})
	must(t, "links", err)
	if len(links) != 2 {
		t.Fatalf("links of #1: %+v", links)
	}
	all, err := s.RequestLinks(ctx, []int64{1, 3}, nil)
	must(t, "all links", err)
	if len(all) != 4 {
		t.Fatalf("links of #1 and #3 everywhere: %+v", all)
	}

	must(t, "erase", s.Erase(ctx, flows.Erasure{Requests: []flows.Erased{erased(reqs[1], 11, 101)}}))
	wantCode(t, "erased request", func() error { _, err := s.Request(ctx, 1); return err }(), flows.ENOTFOUND)
	if links, _ := s.RequestLinks(ctx, []int64{1}, nil); len(links) != 0 {
		t.Fatalf("links left: %+v", links)
	}
	for _, sc := range []flows.Scope{{Kind: flows.ScopeHousehold, ID: "H1"}, {Kind: flows.ScopeCadre, ID: "C1"}, {Kind: flows.ScopeCounty}} {
		ids, err := s.OpenRequests(ctx, sc)
		must(t, "open", err)
		for _, id := range ids {
			if id == 1 {
				t.Fatalf("open %+v still holds #1", sc)
			}
		}
	}
	week, _ := s.WeekRequests(ctx, "2025-W09")
	if len(week) != 2 {
		t.Fatalf("week index: %v", week)
	}
	if n, _ := s.rdb.ZScore(ctx, s.k.due(), "1|remind").Result(); n != 0 {
		t.Fatal("due stage left")
	}
	anon, _ := s.rdb.HGetAll(ctx, s.k.anon("2025-W09")).Result()
	if anon["requests"] != "1" || anon["requests@U1"] != "1" {
		t.Fatalf("anonymous counts: %v", anon)
	}
	// Erasing it again is refused (it is gone), and counts nothing twice.
	wantCode(t, "again", s.Erase(ctx, flows.Erasure{Requests: []flows.Erased{erased(reqs[1])}}), flows.ECONFLICT)
	gone := flows.Erased{Request: flows.Request{ID: 1}, Weeks: []string{"2025-W09"}}
	must(t, "orphan", s.Erase(ctx, flows.Erasure{Requests: []flows.Erased{gone}}))
	if anon, _ := s.rdb.HGetAll(ctx, s.k.anon("2025-W09")).Result(); anon["requests"] != "1" {
		t.Fatalf("counted twice: %v", anon)
	}
	if r, err := s.Request(ctx, 2); err != nil || r.Version != 1 {
		t.Fatalf("#2 touched: %v", err)
	}
}

// TestEraseHousehold: forget's erasure, searching everywhere.
func TestEraseHousehold(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	reqs := privacyFixture(t, s)
	// A guard naming #2, a claimed due item, and a notice still queued.
	must(t, "guard", s.rdb.Set(ctx, s.k.guard("due:2:remind:123"), 1, time.Hour).Err())
	must(t, "guard", s.rdb.Set(ctx, s.k.guard("due:3:remind:123"), 1, time.Hour).Err())
	for _, c := range []string{"badcode:11", "flood:12:99", "flood:21:99"} {
		must(t, "counter", s.rdb.Set(ctx, s.k.counter(c), 1, time.Hour).Err())
	}
	_, err := s.ClaimDue(ctx, t0.Add(2*time.Hour), 1, time.Minute)
	must(t, "claim", err)
	must(t, "enqueue", s.Enqueue(ctx, "", []flows.Notice{notice(101, flows.NoticeReminder, 2), notice(21, flows.NoticeHelp, 0)}))

	// An erasure that misses a request of the household is refused.
	wantCode(t, "missing request", s.Erase(ctx, flows.Erasure{HouseholdID: "H1", Requests: []flows.Erased{erased(reqs[1])}, Everywhere: true}), flows.ECONFLICT)

	e := flows.Erasure{HouseholdID: "H1", Requests: []flows.Erased{erased(reqs[1]), erased(reqs[2])}, Everywhere: true}
	must(t, "erase", s.Erase(ctx, e))
	keys, err := s.rdb.Keys(ctx, "*").Result()
	must(t, "keys", err)
	for _, k := range keys {
		if strings.Contains(k, "H1") || strings.Contains(k, "acct:11") || strings.Contains(k, "acct:12") || strings.Contains(k, "link:11") ||
			strings.Contains(k, "HC1") || strings.Contains(k, "guard:due:2:") || strings.Contains(k, ":req:1") || strings.Contains(k, ":req:2") {
			t.Errorf("key left: %s", k)
		}
	}
	if n, _ := s.rdb.Exists(ctx, s.k.counter("badcode:11"), s.k.counter("flood:12:99"), s.k.counter("flood:21:99")).Result(); n != 1 {
		t.Errorf("%d of the 3 counters left, want H2's only", n)
	}
	if ok, _ := s.rdb.SIsMember(ctx, s.k.households(), "H1").Result(); ok {
		t.Error("H1 still on the roster")
	}
	if lease, _ := s.rdb.ZRange(ctx, s.k.lease(), 0, -1).Result(); len(lease) != 0 {
		t.Errorf("lease left: %v", lease)
	}
	for _, n := range outboxNotices(t, s) {
		if n.RequestID == 2 {
			t.Errorf("queued notice left: %+v", n)
		}
	}
	if len(outboxNotices(t, s)) != 1 {
		t.Error("another household's queued notice was erased")
	}
	if links, _ := s.RequestLinks(ctx, []int64{1, 2, 3}, nil); len(links) != 2 || links[0].RequestID != 3 {
		t.Errorf("links: %+v", links)
	}
	if _, err := s.Household(ctx, "H2"); err != nil {
		t.Errorf("H2: %v", err)
	}
	if a, err := s.Bind(ctx, flows.CodeCheck("HC2"), flows.Account{ID: 22, Lang: "zh"}, 3); err != nil || a.Ref != "H2" {
		t.Errorf("H2's card: %+v %v", a, err)
	}
	wantCode(t, "H1's card", func() error { _, err := s.Bind(ctx, flows.CodeCheck("HC1"), flows.Account{ID: 13}, 3); return err }(), flows.ENOTFOUND)
	// Forgetting twice erases nothing more and succeeds.
	must(t, "again", s.Erase(ctx, flows.Erasure{HouseholdID: "H1", Everywhere: true}))
}

// TestRetentionCursor: found once by a scan, then kept.
func TestRetentionCursor(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	if c, err := s.RetentionCursor(ctx); err != nil || c != "" {
		t.Fatalf("empty store: %q %v", c, err)
	}
	for _, w := range []string{"2025-W10", "2024-W52", "2025-W01"} {
		must(t, "week", s.rdb.ZAdd(ctx, s.k.week(w), redisZ(1)).Err())
	}
	if c, err := s.RetentionCursor(ctx); err != nil || c != "2024-W52" {
		t.Fatalf("cursor %q %v", c, err)
	}
	must(t, "set", s.SetRetentionCursor(ctx, "2025-W05"))
	if c, err := s.RetentionCursor(context.Background()); err != nil || c != "2025-W05" {
		t.Fatalf("cursor after set %q %v", c, err)
	}
	if globEscape("mq:{a*b}:") != `mq:{a\*b}:` {
		t.Fatal("glob escape")
	}
}

func redisZ(id int64) redis.Z { return redis.Z{Score: float64(id), Member: id} }
