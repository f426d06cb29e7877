package flows

import (
	"reflect"
	"testing"
	"time"
)

// TestAnonCounts: an erased request leaves, in each week it is indexed in,
// the counts the digest would have counted for it.
func TestAnonCounts(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	s := &Service{Settings: Settings{Location: loc, FirstResponse: 24 * time.Hour}}
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, loc) }
	r := Request{ID: 1, Unit: "县财政局", CreatedAt: at(26, 10), FirstResponseAt: at(26, 12), State: StateClosed}
	events := []Event{
		{At: at(26, 10), Action: ActCreate, To: StateReceived},
		{At: at(26, 12), Action: ActReply, From: StateReceived, To: StateResponded},
		{At: at(30, 9), Action: ActResolve, From: StateResponded, To: StateResolved, Note: NoteLate},
		{At: at(30, 10), Action: ActSolvedQ, From: StateResolved, To: StateResolved, Note: "y"},
		{At: at(30, 10), Action: ActRate, From: StateResolved, To: StateClosed, Note: "2"},
	}
	got := s.anonCounts(r, events)
	both := func(c Counts) Counts {
		out := Counts{}
		for f, n := range c {
			out[f], out[f+"@县财政局"] = n, n
		}
		return out
	}
	want := map[string]Counts{
		"2026-W48": both(Counts{AnonRequests: 1, AnonReceived: 1, AnonRespondedInTime: 1}),
		"2026-W49": both(Counts{AnonRequests: 1, AnonResolved: 1, AnonSolvedAnswers: 1, AnonSolved: 1,
			AnonRatings: 1, AnonSatisfied: 1, AnonClosed: 1}),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("anonCounts:\n got %v\nwant %v", got, want)
	}
}

// TestAnonCountsLateResponse: a first response after sla.first_response is
// received but not responded in time.
func TestAnonCountsLateResponse(t *testing.T) {
	s := &Service{Settings: Settings{FirstResponse: time.Hour}}
	created := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	r := Request{ID: 2, CreatedAt: created, FirstResponseAt: created.Add(2 * time.Hour)}
	got := s.anonCounts(r, []Event{{At: created, Action: ActCreate, To: StateReceived}})
	if c := got["2026-W49"]; c[AnonReceived] != 1 || c[AnonRespondedInTime] != 0 || len(got) != 1 {
		t.Fatalf("anonCounts: %v", got)
	}
}
