package store

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/minqing/minqing/flows"
)

func TestForEach(t *testing.T) {
	for _, n := range []int{0, 1, parallelFrom - 1, parallelFrom*3 + 7} {
		seen := make([]atomic.Int32, n)
		if err := forEach(n, func(i int) error { seen[i].Add(1); return nil }); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		for i := range seen {
			if seen[i].Load() != 1 {
				t.Fatalf("n=%d: item %d visited %d times", n, i, seen[i].Load())
			}
		}
	}
	boom := errors.New("boom")
	n := parallelFrom * 4
	err := forEach(n, func(i int) error {
		if i == n-1 || i == n/2 {
			return fmt.Errorf("item %d: %w", i, boom)
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("forEach error %v, want the failing item's", err)
	}
}

// TestDecodeEventOfEarlierRelease: a timeline event stored under an action's
// old code reads as the action it meant.
func TestDecodeEventOfEarlierRelease(t *testing.T) {
	var ev flows.Event
	if err := decodeEvent(`{"At":"2026-01-02T03:04:05Z","Actor":"system","Action":"mv","Note":"C2"}`, &ev); err != nil || ev.Action != flows.ActReassign {
		t.Fatalf("decoded %+v %v, want action %q", ev, err, flows.ActReassign)
	}
}
