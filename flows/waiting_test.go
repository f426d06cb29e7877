package flows

import (
	"testing"
	"time"
)

// TestNeedsLeader: an open request needs a leader when it has had no first
// response for sla.escalate_after, is past its deadline, was reopened
// twice, or its cadre cannot be reached.
func TestNeedsLeader(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, shanghai)
	s := &Service{Settings: Settings{Location: shanghai, EscalateAfter: 48 * time.Hour}}
	e := escalations{s: s, now: now, reachable: map[string]bool{"C1": true, "C2": false}}
	fresh := Request{CadreID: "C1", State: StateReceived, CreatedAt: now.Add(-47 * time.Hour)}
	answered := Request{CadreID: "C1", State: StateResponded, CreatedAt: now.Add(-72 * time.Hour), FirstResponseAt: now.Add(-71 * time.Hour)}
	for _, c := range []struct {
		name string
		r    Request
		want string
	}{
		{"new", fresh, ""},
		{"answered", answered, ""},
		{"no response", func() Request { r := fresh; r.CreatedAt = now.Add(-48 * time.Hour); return r }(), "no_response"},
		{"late", func() Request { r := answered; r.State, r.Deadline = StatePromised, now.Add(-time.Hour); return r }(), "late"},
		{"not yet late", func() Request { r := answered; r.State, r.Deadline = StatePromised, now.Add(time.Hour); return r }(), ""},
		{"reopened once", func() Request { r := answered; r.Reopens = 1; return r }(), ""},
		{"reopened twice", func() Request { r := answered; r.Reopens = 2; return r }(), "reopened"},
		{"cadre unreachable", func() Request { r := fresh; r.CadreID = "C2"; return r }(), "unreachable"},
	} {
		if got := e.needsLeader(c.r); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
