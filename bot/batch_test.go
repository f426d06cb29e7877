package bot

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// waitPending waits until n calls wait behind the running flush.
func waitPending[T any](t *testing.T, b *batcher[T], n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.mu.Lock()
		got := len(b.pending)
		b.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls pending, want %d", got, n)
		}
		runtime.Gosched()
	}
}

func TestBatcherGroupsCallsThatArriveDuringAFlush(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var flushes [][]int
	b := newBatcher(func(_ context.Context, items []int) error {
		mu.Lock()
		flushes = append(flushes, slices.Clone(items))
		first := len(flushes) == 1
		mu.Unlock()
		if first {
			<-release // hold the first flush so the others pile up
		}
		if slices.Contains(items, 13) {
			return errors.New("boom")
		}
		return nil
	})
	ctx := context.Background()
	errs := make([]error, 20)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = b.do(ctx, 0) })
	for {
		mu.Lock()
		started := len(flushes) == 1
		mu.Unlock()
		if started {
			break
		}
		runtime.Gosched()
	}
	for i := 1; i < 20; i++ {
		wg.Go(func() { errs[i] = b.do(ctx, i) })
	}
	waitPending(t, b, 19)
	close(release)
	wg.Wait()
	if len(flushes) != 2 || len(flushes[0]) != 1 || len(flushes[1]) != 19 {
		t.Fatalf("flushes %v, want [0] then the 19 others together", flushes)
	}
	for i, err := range errs {
		if (i == 0) != (err == nil) {
			t.Errorf("call %d: err %v; the second batch held item 13 and failed as a whole", i, err)
		}
	}
	if err := b.do(ctx, 99); err != nil || len(flushes) != 3 || !slices.Equal(flushes[2], []int{99}) {
		t.Fatalf("a lone call after the rush: err %v, flushes %v", err, flushes)
	}
}

func TestBatcherUnderContention(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]int{}
	calls := 0
	b := newBatcher(func(_ context.Context, items []int) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		for _, x := range items {
			seen[x]++
		}
		return nil
	})
	var wg sync.WaitGroup
	for i := range 2000 {
		wg.Go(func() {
			if err := b.do(context.Background(), i); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range 2000 {
		if seen[i] != 1 {
			t.Fatalf("item %d flushed %d times", i, seen[i])
		}
	}
	if b.running || len(b.pending) != 0 {
		t.Fatalf("batcher left running=%v with %d pending", b.running, len(b.pending))
	}
	t.Logf("2000 calls in %d flushes", calls)
}
