package bot

import (
	"context"
	"sync"
)

// batcher groups concurrent writes into one round trip (group commit). The
// first caller flushes; callers that arrive meanwhile wait, and the first of
// them flushes all of theirs together when the running flush ends. A lone
// caller flushes at once, so batching adds no delay when the bot is idle;
// under load the batches grow by themselves.
type batcher[T any] struct {
	flush func(ctx context.Context, items []T) error

	mu      sync.Mutex
	running bool
	pending []*batchCall[T]
}

type batchCall[T any] struct {
	item T
	done chan batchResult // receives exactly one result
}

type batchResult struct {
	err  error
	lead bool // the call is to flush the pending batch itself
}

func newBatcher[T any](flush func(ctx context.Context, items []T) error) *batcher[T] {
	return &batcher[T]{flush: flush}
}

// do writes item, together with whatever else is waiting, and returns the
// write's error.
func (b *batcher[T]) do(ctx context.Context, item T) error {
	c := &batchCall[T]{item: item, done: make(chan batchResult, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	if !b.running {
		b.running = true
		b.mu.Unlock()
		return b.lead(ctx, c)
	}
	b.mu.Unlock()
	if r := <-c.done; !r.lead {
		return r.err
	}
	return b.lead(ctx, c)
}

// lead flushes every pending call (c among them), answers the others, and
// hands the lead to the first call that arrived meanwhile.
func (b *batcher[T]) lead(ctx context.Context, c *batchCall[T]) error {
	b.mu.Lock()
	calls := b.pending
	b.pending = nil
	b.mu.Unlock()
	items := make([]T, len(calls))
	for i, x := range calls {
		items[i] = x.item
	}
	err := b.flush(ctx, items)
	for _, x := range calls {
		if x != c {
			x.done <- batchResult{err: err}
		}
	}
	b.mu.Lock()
	if len(b.pending) > 0 {
		b.pending[0].done <- batchResult{lead: true}
	} else {
		b.running = false
	}
	b.mu.Unlock()
	return err
}
