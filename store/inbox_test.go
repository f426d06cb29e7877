package store

import (
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

func updateIDs(in []flows.Inbound) []int64 {
	var out []int64
	for _, u := range in {
		out = append(out, u.UpdateID)
	}
	return out
}

func TestInboxPut(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	s.SeenTTL = 2 * time.Hour
	steps := []struct {
		name  string
		in    flows.Inbound
		isNew bool
		total int64
	}{
		{"first", flows.Inbound{UpdateID: 100, ChatID: 5, Raw: []byte(`{"update_id":100}`)}, true, 1},
		{"same update id", flows.Inbound{UpdateID: 100, ChatID: 5, Raw: []byte(`{"update_id":100}`)}, false, 1},
		{"same id, other payload", flows.Inbound{UpdateID: 100, ChatID: 6, Raw: []byte(`other`)}, false, 1},
		{"lower id is not old (a set, not a watermark)", flows.Inbound{UpdateID: 50, ChatID: 5, Raw: []byte(`{"update_id":50}`)}, true, 2},
		{"no chat, binary payload", flows.Inbound{UpdateID: 101, Raw: []byte{0, 0xff, 0xfe, '\n', 'x', 0}}, true, 3},
		{"empty payload", flows.Inbound{UpdateID: 102, ChatID: -1001234567890}, true, 4},
		{"large payload", flows.Inbound{UpdateID: 103, ChatID: 7, Raw: make([]byte, 1<<20)}, true, 5},
	}
	var want []flows.Inbound
	for _, st := range steps {
		isNew, err := s.Put(ctx, st.in)
		must(t, st.name, err)
		if isNew != st.isNew {
			t.Errorf("%s: Put = %v, want %v", st.name, isNew, st.isNew)
		}
		if isNew {
			want = append(want, st.in)
		}
		if n := xlen(t, s, s.k.inbox()); n != st.total {
			t.Errorf("%s: inbox has %d entries, want %d", st.name, n, st.total)
		}
	}

	got, err := s.Take(ctx, "w1", 100, short, never)
	must(t, "take", err)
	if len(got) != len(want) {
		t.Fatalf("Take returned %d entries, want %d", len(got), len(want))
	}
	for i := range got {
		w := want[i]
		w.ID = got[i].ID
		if len(w.Raw) == 0 {
			w.Raw = got[i].Raw // nil and empty are the same payload
		}
		if got[i].ID == "" || !reflect.DeepEqual(got[i], w) {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], w)
		}
	}

	// Finishing forgets the entry but not that the update was seen.
	for _, in := range got {
		must(t, "finish", s.Finish(ctx, in.ID))
	}
	if n := xlen(t, s, s.k.inbox()); n != 0 {
		t.Errorf("inbox keeps %d entries after Finish", n)
	}
	if p := pendingOf(t, s, s.k.inbox(), groupWork); len(p) != 0 {
		t.Errorf("pending after Finish: %v", p)
	}
	if isNew, _ := s.Put(ctx, flows.Inbound{UpdateID: 100}); isNew {
		t.Error("a finished update was accepted again")
	}
	ttl, _ := s.rdb.TTL(ctx, s.k.seen(100)).Result()
	if ttl <= time.Hour || ttl > 2*time.Hour {
		t.Errorf("seen marker TTL %v, want about %v", ttl, s.SeenTTL)
	}
	must(t, "finish unknown id", s.Finish(ctx, "1-1"))
}

func TestInboxOrderAndFinish(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	for id := int64(1); id <= 6; id++ {
		isNew, err := s.Put(ctx, flows.Inbound{UpdateID: id, ChatID: id % 2, Raw: []byte{byte(id)}})
		must(t, "put", err)
		if !isNew {
			t.Fatalf("update %d not new", id)
		}
	}
	a, err := s.Take(ctx, "w1", 4, short, never)
	must(t, "take", err)
	if !reflect.DeepEqual(updateIDs(a), []int64{1, 2, 3, 4}) {
		t.Fatalf("Take(4) = %v", updateIDs(a))
	}
	b, err := s.Take(ctx, "w2", 4, short, never)
	must(t, "take", err)
	if !reflect.DeepEqual(updateIDs(b), []int64{5, 6}) {
		t.Fatalf("second worker Take = %v, want the rest", updateIDs(b))
	}
	must(t, "finish all", s.FinishAll(ctx, []string{a[1].ID, b[0].ID}))
	p := pendingOf(t, s, s.k.inbox(), groupWork)
	want := map[string][]string{"w1": {a[0].ID, a[2].ID, a[3].ID}, "w2": {b[1].ID}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("pending %v, want %v", p, want)
	}
	if again, _ := s.Take(ctx, "w1", 10, short, never); len(again) != 0 {
		t.Errorf("unfinished entries redelivered before stale: %v", updateIDs(again))
	}
}

// A worker that died leaves updates pending; another worker on a new Store
// takes them over once stale, in order; the dead worker's name, restarted,
// first gets back what it still holds.
func TestInboxTakeoverAndRestart(t *testing.T) {
	srv := newServer(t)
	ctx := testCtx(t)
	s1 := newStore(t, srv)
	for id := int64(1); id <= 5; id++ {
		_, err := s1.Put(ctx, flows.Inbound{UpdateID: id, ChatID: 9})
		must(t, "put", err)
	}
	held, err := s1.Take(ctx, "dead", 3, short, never)
	must(t, "take", err)
	if !reflect.DeepEqual(updateIDs(held), []int64{1, 2, 3}) {
		t.Fatalf("first worker took %v", updateIDs(held))
	}

	// The dead worker restarted under its own name gets its entries back.
	s1b := newStore(t, srv)
	back, err := s1b.Take(ctx, "dead", 10, short, never)
	must(t, "take after restart", err)
	if !reflect.DeepEqual(updateIDs(back), []int64{1, 2, 3}) {
		t.Fatalf("restarted worker got %v, want its pending 1 2 3", updateIDs(back))
	}

	// It dies again; another worker takes over once the entries are idle
	// longer than stale: first the stale ones, then the new ones.
	waitFor(t, 5*time.Second, "pending entries to idle", func() bool {
		ps, err := s1.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s1.k.inbox(), Group: groupWork, Start: "-", End: "+", Count: 10, Idle: 60 * time.Millisecond}).Result()
		must(t, "xpending", err)
		return len(ps) == 3
	})
	s2 := newStore(t, srv)
	stale, err := s2.Take(ctx, "alive", 10, short, 50*time.Millisecond)
	must(t, "take stale", err)
	if !reflect.DeepEqual(updateIDs(stale), []int64{1, 2, 3}) {
		t.Fatalf("live worker took over %v, want 1 2 3", updateIDs(stale))
	}
	if p := pendingOf(t, s2, s2.k.inbox(), groupWork); len(p["dead"]) != 0 || len(p["alive"]) != 3 {
		t.Errorf("pending after takeover %v", p)
	}
	fresh, err := s2.Take(ctx, "alive", 10, short, 50*time.Millisecond)
	must(t, "take new", err)
	if !reflect.DeepEqual(updateIDs(fresh), []int64{4, 5}) {
		t.Fatalf("then took %v, want 4 5", updateIDs(fresh))
	}
	got := append(stale, fresh...)
	for _, in := range got {
		must(t, "finish", s2.Finish(ctx, in.ID))
	}
	if n := xlen(t, s2, s2.k.inbox()); n != 0 {
		t.Errorf("inbox has %d entries left", n)
	}
}

// Concurrent Puts of one update store it once.
func TestInboxPutConcurrent(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			isNew, err := s.Put(ctx, flows.Inbound{UpdateID: 77, ChatID: 1, Raw: []byte("x")})
			if err != nil {
				t.Errorf("put: %v", err)
			}
			if isNew {
				fresh.Add(1)
			}
		})
	}
	wg.Wait()
	if fresh.Load() != 1 {
		t.Errorf("%d Puts reported new, want 1", fresh.Load())
	}
	if n := xlen(t, s, s.k.inbox()); n != 1 {
		t.Errorf("inbox has %d entries", n)
	}
}

// Concurrent workers never receive the same entry twice (no stale takeover).
func TestInboxConcurrentWorkers(t *testing.T) {
	srv := newServer(t)
	ctx := testCtx(t)
	s := newStore(t, srv)
	const total = 200
	for id := int64(1); id <= total; id++ {
		_, err := s.Put(ctx, flows.Inbound{UpdateID: id})
		must(t, "put", err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		st := newStore(t, srv) // each worker its own process
		wg.Go(func() {
			name := string(rune('a' + w))
			for {
				in, err := st.Take(ctx, name, 7, short, never)
				if err != nil {
					t.Errorf("take: %v", err)
					return
				}
				if len(in) == 0 {
					return
				}
				for _, u := range in {
					mu.Lock()
					seen[u.UpdateID]++
					mu.Unlock()
					if err := st.Finish(ctx, u.ID); err != nil {
						t.Errorf("finish: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != total {
		t.Errorf("%d updates processed, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("update %d processed %d times", id, n)
		}
	}
}
