package store

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/redistest"
)

// These tests run against a real redis-server (internal/redistest). Each
// top-level test starts its own server, so tests may stop, restart or flush
// it freely; subtests get their own namespace (hash tag) on that server.

var nsUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// namespace derives a key namespace from the test's name.
func namespace(t testing.TB) string { return nsUnsafe.ReplaceAllString(t.Name(), "_") }

// testCtx returns a context that ends with the test or after 30 seconds.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newServer starts a redis-server for the test.
func newServer(t testing.TB) *redistest.Server {
	LogDriverTo(slog.Default()) // dial errors while a test stops Redis stay off stderr
	return redistest.Start(t)
}

// newStore returns a Store on srv with a fresh client, in the test's
// own namespace.
func newStore(t testing.TB, srv *redistest.Server) *Store {
	return New(srv.Client(), "mq", namespace(t))
}

// setup starts a server and returns a store on it.
func setup(t testing.TB) (*Store, *redistest.Server) {
	srv := newServer(t)
	return newStore(t, srv), srv
}

// wantCode fails the test unless err carries the domain code want ("" = nil).
func wantCode(t testing.TB, what string, err error, want string) {
	t.Helper()
	if got := flows.ErrorCode(err); got != want {
		t.Fatalf("%s: error code %q (err %v), want %q", what, got, err, want)
	}
}

// must fails the test on err.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond) // bounded polling
	}
}

// xlen is the length of a stream (0 when it does not exist).
func xlen(t testing.TB, s *Store, key string) int64 {
	t.Helper()
	n, err := s.rdb.XLen(context.Background(), key).Result()
	must(t, "xlen "+key, err)
	return n
}

// pendingOf returns the ids pending in group, by consumer.
func pendingOf(t testing.TB, s *Store, key, group string) map[string][]string {
	t.Helper()
	res, err := s.rdb.XPendingExt(context.Background(), &redis.XPendingExtArgs{Stream: key, Group: group, Start: "-", End: "+", Count: 1000}).Result()
	must(t, "xpending", err)
	out := map[string][]string{}
	for _, p := range res {
		out[p.Consumer] = append(out[p.Consumer], p.ID)
	}
	return out
}

// countHook counts round trips to Redis: one per command or pipeline.
type countHook struct{ n atomic.Int64 }

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// trips runs f and returns the round trips it made.
func (h *countHook) trips(f func()) int64 {
	before := h.n.Load()
	f()
	return h.n.Load() - before
}

// Fixtures shared by the tests.

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

func testRoster() flows.Roster {
	return flows.Roster{
		Cadres: []flows.Cadre{
			// OnRoster is how the store reads them back (saving ignores it).
			{ID: "C1", Name: "王芳", Unit: "U1", Role: flows.RoleCadre, Phone: "13800000001", OnRoster: true},
			{ID: "C2", Name: "李强", Unit: "U2", Role: flows.RoleCadre, OnRoster: true},
			{ID: "L1", Name: "赵书记", Role: flows.RoleLeader, OnRoster: true},
		},
		Households: []flows.Household{
			{ID: "H1", Name: "张三", Village: "东村", CadreID: "C1", Phone: "139", Address: "东村1号"},
			{ID: "H2", Name: "李四", Village: "西村", CadreID: "C2"},
			{ID: "H3", Name: "王五", Village: "西村", CadreID: "C2"},
		},
	}
}

func testCodes() map[string]string {
	return map[string]string{
		"cadre:C1": "IC1", "cadre:C2": "IC2", "cadre:L1": "IL1",
		"household:H1": "HC1", "household:H2": "HC2", "household:H3": "HC3",
	}
}

// saveRoster saves r and gives the holders in codes ("kind:id" -> code)
// that have no code yet those codes, as an import does.
func saveRoster(ctx context.Context, s *Store, r flows.Roster, codes map[string]string) error {
	if err := s.SaveRoster(ctx, r); err != nil {
		return err
	}
	var cards []flows.NewCard
	for ref, code := range codes {
		kind, id, _ := strings.Cut(ref, ":")
		cards = append(cards, flows.NewCard{Kind: flows.AccountKind(kind), ID: id, Check: flows.CodeCheck(code)})
	}
	return s.AddCards(ctx, cards)
}

// outboxLen counts the entries of every outbox stream (lanes and the old one).
func outboxLen(t testing.TB, s *Store) int64 {
	t.Helper()
	var n int64
	for l := flows.LaneLegacy; l < flows.Lanes; l++ {
		n += xlen(t, s, s.outboxKey(l))
	}
	return n
}

// outboxPending returns the outbox entry ids pending in the send group of
// every stream, by consumer.
func outboxPending(t testing.TB, s *Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for l := flows.LaneLegacy; l < flows.Lanes; l++ {
		if xlen(t, s, s.outboxKey(l)) == 0 {
			continue
		}
		for c, ids := range pendingOf(t, s, s.outboxKey(l), groupSend) {
			for _, id := range ids {
				out[c] = append(out[c], entryID(l, id))
			}
		}
	}
	return out
}
