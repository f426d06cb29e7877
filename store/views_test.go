package store

import "testing"

func TestViews(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	if n, err := s.LastRequestID(ctx); err != nil || n != 0 {
		t.Fatalf("before the first request: %d %v", n, err)
	}
	id, err := s.NextRequestID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.LastRequestID(ctx); err != nil || n != id {
		t.Fatalf("LastRequestID %d %v, want %d", n, err, id)
	}
	if m, err := s.AnonCounts(ctx, "2026-W49"); err != nil || len(m) != 0 {
		t.Fatalf("anonymous counts of a week with no erasure: %v %v", m, err)
	}
}
