package redistest

import (
	"context"
	"testing"
)

// TestTakenPort: a server whose free port another server took before it
// bound moves to another port, and is not fooled by the other's answer.
func TestTakenPort(t *testing.T) {
	if Miniredis() {
		t.Skip("redis-server only")
	}
	first := Start(t)
	second := &Server{t: t, dir: t.TempDir(), port: first.port}
	second.Restart()
	t.Cleanup(second.Stop)
	if second.port == first.port {
		t.Fatalf("both servers on port %d", first.port)
	}
	ctx := context.Background()
	if err := first.Client().Set(ctx, "whose", "first", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := second.Client().Exists(ctx, "whose").Result(); err != nil || n != 0 {
		t.Fatalf("the second server sees the first's key: %d, %v", n, err)
	}
}
