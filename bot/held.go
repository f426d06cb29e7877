package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// heldEntries tracks the queue entries a consumer holds (read but not finished),
// so that an entry handed out again is not handled twice, and keeps them
// claimed with a heartbeat so that no other consumer takes them over while
// they wait their turn here.
type heldEntries struct {
	mu    sync.Mutex
	ids   map[string]struct{}
	freed chan struct{} // signalled when an entry is dropped
	touch func(ctx context.Context, ids []string) error
	every time.Duration
	log   *slog.Logger
}

func newHeldEntries(every time.Duration, touch func(context.Context, []string) error, log *slog.Logger) *heldEntries {
	return &heldEntries{ids: map[string]struct{}{}, freed: make(chan struct{}, 1), touch: touch, every: every, log: log}
}

// take records id as held; false if it already was.
func (h *heldEntries) take(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.ids[id]; ok {
		return false
	}
	h.ids[id] = struct{}{}
	return true
}

// drop forgets a finished entry.
func (h *heldEntries) drop(id string) {
	h.mu.Lock()
	delete(h.ids, id)
	h.mu.Unlock()
	select {
	case h.freed <- struct{}{}:
	default:
	}
}

func (h *heldEntries) size() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ids)
}

// waitBelow blocks while n or more entries are held.
func (h *heldEntries) waitBelow(ctx context.Context, n int) bool {
	for h.size() >= n {
		select {
		case <-ctx.Done():
			return false
		case <-h.freed:
		}
	}
	return true
}

// heartbeat keeps the held entries claimed until ctx ends.
func (h *heldEntries) heartbeat(ctx context.Context) {
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		h.mu.Lock()
		ids := make([]string, 0, len(h.ids))
		for id := range h.ids {
			ids = append(ids, id)
		}
		h.mu.Unlock()
		if err := h.touch(ctx, ids); err != nil && ctx.Err() == nil {
			h.log.Warn("queue heartbeat failed", "err", err)
		}
	}
}
