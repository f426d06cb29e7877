package store

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

func TestOpen(t *testing.T) {
	srv := newServer(t)

	closed := func() string { // an address nobody listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, "listen", err)
		addr := l.Addr().String()
		l.Close()
		return addr
	}()

	tests := []struct {
		name    string
		opts    Options
		wantErr string // substring of the error; "" = must succeed
	}{
		{name: "url", opts: Options{URL: srv.URL(), Prefix: "mq", Namespace: "n1"}},
		{name: "url without db", opts: Options{URL: "redis://" + srv.Addr()}},
		{name: "single addr", opts: Options{Addrs: []string{srv.Addr()}}},
		{name: "empty url", opts: Options{}, wantErr: "redis url"},
		{name: "bad scheme", opts: Options{URL: "http://" + srv.Addr()}, wantErr: "redis url"},
		{name: "garbage url", opts: Options{URL: "::not a url::"}, wantErr: "redis url"},
		{name: "bad db", opts: Options{URL: "redis://" + srv.Addr() + "/notanumber"}, wantErr: "redis url"},
		{name: "unreachable url", opts: Options{URL: "redis://" + closed + "/0"}, wantErr: closed},
		{name: "unreachable addrs", opts: Options{Addrs: []string{closed}}, wantErr: closed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			s, err := Open(testCtx(t), tc.opts)
			if took := time.Since(start); took > 7*time.Second {
				t.Errorf("Open took %v, want a few seconds at most", took)
			}
			if tc.wantErr == "" {
				must(t, "open", err)
				defer s.Close()
				must(t, "ping", s.Ping(testCtx(t)))
				if _, err := s.NextRequestID(testCtx(t)); err != nil {
					t.Fatalf("store unusable: %v", err)
				}
				return
			}
			if err == nil {
				s.Close()
				t.Fatalf("Open(%+v) succeeded, want error containing %q", tc.opts, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Open error %q, want it to mention %q", err, tc.wantErr)
			}
			if s != nil {
				t.Fatalf("Open returned a store with error %v", err)
			}
		})
	}
}

// An unroutable address must fail within Open's own few-second bound, not
// hang on the dial.
func TestOpenBlackhole(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a dial timeout")
	}
	t.Parallel()
	start := time.Now()
	s, err := Open(context.Background(), Options{URL: "redis://10.255.255.1:6379/0"})
	took := time.Since(start)
	if err == nil {
		s.Close()
		t.Skip("10.255.255.1 answered; cannot test an unreachable host here")
	}
	if took > 8*time.Second {
		t.Fatalf("Open took %v to fail (%v)", took, err)
	}
	if !strings.Contains(err.Error(), "10.255.255.1") {
		t.Errorf("error %q does not name the address", err)
	}
}

// A caller's shorter deadline is honoured.
func TestOpenCallerDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	s, err := Open(ctx, Options{URL: "redis://10.255.255.1:6379/0"})
	if err == nil {
		s.Close()
		t.Skip("10.255.255.1 answered")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("Open ignored the caller's deadline: took %v", took)
	}
}

// Options in the URL's query (pool size, timeouts, client name) reach the
// client, as they do with redis.ParseURL.
func TestOpenURLOptions(t *testing.T) {
	srv := newServer(t)
	s, err := Open(testCtx(t), Options{URL: srv.URL() + "?pool_size=3&client_name=minqing&dial_timeout=1s"})
	must(t, "open", err)
	defer s.Close()
	c, ok := s.Client().(*redis.Client)
	if !ok {
		t.Fatalf("client %T", s.Client())
	}
	o := c.Options()
	if o.PoolSize != 3 || o.ClientName != "minqing" || o.DialTimeout != time.Second {
		t.Errorf("pool size %d, client name %q, dial timeout %v", o.PoolSize, o.ClientName, o.DialTimeout)
	}
}

func TestNewDefaults(t *testing.T) {
	srv := newServer(t)
	s := New(srv.Client(), "", "")
	if s.k.p != "mq:{county}:" {
		t.Errorf("default key prefix %q", s.k.p)
	}
	if s.GuardTTL <= 0 || s.SeenTTL < 24*time.Hour {
		t.Errorf("GuardTTL %v, SeenTTL %v: SeenTTL must cover Telegram's 24h", s.GuardTTL, s.SeenTTL)
	}
	if s.Client() == nil {
		t.Error("Client() is nil")
	}
}

// Two namespaces on one server do not see each other, and every key a
// store writes carries its prefix and hash tag (cluster-safe scripts).
func TestNamespaces(t *testing.T) {
	srv := newServer(t)
	ctx := testCtx(t)
	a := New(srv.Client(), "mq", "a")
	b := New(srv.Client(), "mq", "b")

	exercise := func(s *Store) {
		must(t, "save roster", saveRoster(ctx, s, testRoster(), testCodes()))
		_, err := s.Bind(ctx, flows.CodeCheck("HC1"), flows.Account{ID: 1, Lang: "zh"}, 2)
		must(t, "bind", err)
		id, err := s.NextRequestID(ctx)
		must(t, "next id", err)
		r := flows.Request{ID: id, HouseholdID: "H1", CadreID: "C1", Unit: "U1", State: flows.StateReceived, CreatedAt: t0}
		must(t, "apply", s.Apply(ctx, flows.Change{Request: r, Event: flows.Event{At: t0, Action: flows.ActCreate}, Notices: []flows.Notice{{ChatID: 1, Kind: flows.NoticeRequestAck}}, Guard: "u1"}))
		must(t, "enqueue", s.Enqueue(ctx, "g", []flows.Notice{{ChatID: 1, Kind: flows.NoticeHelp}}))
		q, err := s.Next(ctx, "w", flows.LaneInteractive, 10, 10*time.Millisecond, time.Minute)
		must(t, "next", err)
		must(t, "done", s.Done(ctx, q[0], []int{5}))
		_, err = s.Put(ctx, flows.Inbound{UpdateID: 9, ChatID: 1, Raw: []byte("{}")})
		must(t, "put", err)
		_, err = s.Take(ctx, "w", 10, 10*time.Millisecond, time.Minute)
		must(t, "take", err)
	}
	exercise(a)

	if _, err := b.Account(ctx, 1); flows.ErrorCode(err) != flows.ENOTFOUND {
		t.Errorf("namespace b sees a's account: %v", err)
	}
	if r, _ := b.Roster(ctx); len(r.Cadres)+len(r.Households) != 0 {
		t.Errorf("namespace b sees a's roster: %+v", r)
	}
	if ok, _ := b.Put(ctx, flows.Inbound{UpdateID: 9}); !ok {
		t.Error("namespace b shares a's seen updates")
	}
	exercise(b) // the same guards and codes work again in b

	keys, err := srv.Client().Keys(ctx, "*").Result()
	must(t, "keys", err)
	if len(keys) == 0 {
		t.Fatal("no keys written")
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "mq:{a}:") && !strings.HasPrefix(k, "mq:{b}:") {
			t.Errorf("key %q lacks the prefix and hash tag", k)
		}
	}
}

// Round trips of the hot paths (a nice-to-have guard against N+1 loops).
func TestRoundTrips(t *testing.T) {
	srv := newServer(t)
	ctx := testCtx(t)
	rdb := srv.Client()
	h := &countHook{}
	rdb.AddHook(h)
	s := New(rdb, "mq", namespace(t))
	must(t, "ping", s.Ping(ctx))
	must(t, "save roster", saveRoster(ctx, s, testRoster(), testCodes()))

	mk := func(id int64) flows.Change {
		r := flows.Request{ID: id, HouseholdID: "H1", CadreID: "C1", Unit: "U1", State: flows.StateReceived, CreatedAt: t0.Add(time.Duration(id) * time.Minute)}
		return flows.Change{Request: r, Event: flows.Event{At: t0, Action: flows.ActCreate}, Notices: []flows.Notice{{ChatID: 1}, {ChatID: 2}}, Guard: "g" + string(rune('a'+id))}
	}
	must(t, "warm up script", s.Apply(ctx, mk(1)))
	ids := []int64{1}
	for i := int64(2); i <= 20; i++ {
		ids = append(ids, i)
		must(t, "apply", s.Apply(ctx, mk(i)))
	}

	tests := []struct {
		name string
		max  int64
		f    func() error
	}{
		{"Apply (script cached)", 1, func() error { return s.Apply(ctx, mk(30)) }},
		{"Requests of 20", 1, func() error { _, err := s.Requests(ctx, ids); return err }},
		// the version, a page of each set, a pipeline of records each, the
		// version again (a switch meanwhile reads again)
		{"Roster", 6, func() error { _, err := s.Roster(ctx); return err }},
		{"Cadres of 3", 1, func() error { _, err := s.Cadres(ctx, []string{"C1", "C2", "L1"}); return err }},
		{"CardStates", 2, func() error { _, err := s.CardStates(ctx, flows.AccountHousehold); return err }},
		// lock, journal, staged chunks, switch, tidying, unlock: a constant
		// for a small roster, one more per thousand records.
		{"SaveRoster (staged, then one switch)", 20, func() error { return s.SaveRoster(ctx, testRoster()) }},
		{"OpenRequests", 1, func() error { _, err := s.OpenRequests(ctx, flows.Scope{Kind: flows.ScopeCounty}); return err }},
		{"Timeline", 1, func() error { _, err := s.Timeline(ctx, 1); return err }},
	}
	for _, tc := range tests {
		var err error
		n := h.trips(func() { err = tc.f() })
		must(t, tc.name, err)
		if n > tc.max {
			t.Errorf("%s: %d round trips, want at most %d", tc.name, n, tc.max)
		}
	}
}
