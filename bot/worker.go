package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/minqing/minqing/flows"
)

// Workers take stored updates from the inbox and handle them: updates of one
// chat one after another in the order received, different chats in
// parallel. An update is removed from the inbox only once handled, so a
// crash hands it to the next process (handlers are idempotent).
// Bot.Workers makes them from the bot's Options, in polling and webhook
// mode alike.
type Workers struct {
	Inbox    flows.Inbox
	Handle   func(ctx context.Context, in flows.Inbound) error
	Consumer string // stable per process, so a restart takes back its own entries
	Shards   int
	Stale    time.Duration // entries idle this long are taken from a dead consumer
	Block    time.Duration // longest wait of one inbox read (Options.IdleRead)
	Attempts int           // tries per update before it is dropped and logged
	Log      *slog.Logger

	held     *heldEntries
	finished *batcher[string]
}

// Run works until ctx ends, then finishes the updates held and returns.
func (w *Workers) Run(ctx context.Context) error {
	w.held = newHeldEntries(w.Stale/3, func(ctx context.Context, ids []string) error {
		return w.Inbox.TouchInbox(ctx, w.Consumer, ids)
	}, w.Log)
	go w.held.heartbeat(ctx)
	w.finished = newBatcher(w.Inbox.FinishAll)
	shards := make([]chan flows.Inbound, w.Shards)
	var wg sync.WaitGroup
	for i := range shards {
		shards[i] = make(chan flows.Inbound, 64)
		wg.Add(1)
		go func(ch chan flows.Inbound) {
			defer wg.Done()
			for in := range ch {
				w.work(ctx, in)
				w.held.drop(in.ID)
			}
		}(shards[i])
	}
	w.take(ctx, shards)
	for _, ch := range shards {
		close(ch)
	}
	wg.Wait()
	return nil
}

// take reads the inbox and dispatches entries to their chat's shard.
func (w *Workers) take(ctx context.Context, shards []chan flows.Inbound) {
	backoff := newBackoff(100*time.Millisecond, 5*time.Second)
	for ctx.Err() == nil {
		ins, err := w.Inbox.Take(ctx, w.Consumer, 64, w.Block, w.Stale)
		if err != nil {
			if ctx.Err() == nil {
				w.Log.Warn("inbox read failed", "err", err)
				backoff.wait(ctx)
			}
			continue
		}
		backoff.reset()
		for _, in := range ins {
			if !w.held.take(in.ID) {
				continue // already held, waiting its turn
			}
			n := in.ChatID % int64(len(shards))
			if n < 0 {
				n = -n
			}
			select {
			case shards[n] <- in:
			case <-ctx.Done():
				return
			}
		}
	}
}

// work handles one update with retries. When ctx has ended the update is
// left in the inbox for the next start.
func (w *Workers) work(ctx context.Context, in flows.Inbound) {
	backoff := newBackoff(100*time.Millisecond, 5*time.Second)
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return
		}
		// A handler once started runs to its end even during shutdown.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err := w.safeHandle(hctx, in)
		cancel()
		if err == nil || attempt >= w.Attempts {
			if err != nil {
				w.Log.Error("update dropped after retries", "update", in.UpdateID, "err", err)
			}
			w.finish(ctx, in)
			return
		}
		w.Log.Warn("update failed, retrying", "update", in.UpdateID, "attempt", attempt, "err", err)
		if !backoff.wait(ctx) {
			return
		}
	}
}

// finish removes a handled update, retrying while Redis is away. Updates
// finished at the same time by other shards go in the same write.
func (w *Workers) finish(ctx context.Context, in flows.Inbound) {
	backoff := newBackoff(100*time.Millisecond, 5*time.Second)
	for {
		err := w.finished.do(context.WithoutCancel(ctx), in.ID)
		if err == nil || !backoff.wait(ctx) {
			return
		}
	}
}

// safeHandle runs the handler, turning a panic into an error.
func (w *Workers) safeHandle(ctx context.Context, in flows.Inbound) (err error) {
	defer func() {
		if r := recover(); r != nil {
			w.Log.Error("handler panic", "update", in.UpdateID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return w.Handle(ctx, in)
}
