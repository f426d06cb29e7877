package store

import (
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
)

// TestContacts: a contact moves a household's last contact, nudge and
// check-in only forward; a visit is also its last visit; the week's sets
// list it; a household not on record is skipped; assignment and seeding
// keep what is recorded.
func TestContacts(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "roster", saveRoster(ctx, s, testRoster(), testCodes()))
	day := 24 * time.Hour
	at := func(d int) time.Time { return t0.Add(time.Duration(d) * day) }
	c := func(id string, d int, kind flows.ContactKind) flows.Contact {
		return flows.Contact{HouseholdID: id, At: at(d), Kind: kind, Week: "2025-W09", NudgeAt: at(d + 30), CheckinAt: at(d + 20)}
	}
	must(t, "assign", s.Assign(ctx, []string{"H1", "H2", "H3"}, c("", 0, flows.ContactAssigned)))
	ok, err := s.Contact(ctx, c("H1", 5, flows.ContactVisit))
	must(t, "visit", err)
	if !ok {
		t.Fatal("H1 is on record")
	}
	_, err = s.Contact(ctx, c("H1", 3, flows.ContactRequest)) // older: changes no time
	must(t, "older", err)
	_, err = s.Contact(ctx, c("H2", 2, flows.ContactReply))
	must(t, "reply", err)
	if ok, err := s.Contact(ctx, c("H9", 2, flows.ContactReply)); err != nil || ok {
		t.Fatalf("unknown household: ok %v err %v", ok, err)
	}
	must(t, "assign again", s.Assign(ctx, []string{"H1", "H2", "H3"}, c("", 9, flows.ContactAssigned)))
	if n, err := s.SeedContacts(ctx, c("", 9, flows.ContactAssigned)); err != nil || n != 3 {
		t.Fatalf("seed: %d %v", n, err)
	}
	if n, err := s.SeedContacts(ctx, c("", 9, flows.ContactAssigned)); err != nil || n != 0 {
		t.Fatalf("seed twice: %d %v", n, err)
	}
	last, err := s.LastContacts(ctx, []string{"H1", "H2", "H3", "H9"})
	must(t, "last", err)
	want := map[string]flows.LastContact{"H1": {At: at(5), Visited: at(5)}, "H2": {At: at(2)}} // H3: never contacted
	if len(last) != len(want) {
		t.Fatalf("last contacts %v, want %v", last, want)
	}
	for id, w := range want {
		if g := last[id]; !g.At.Equal(w.At) || !g.Visited.Equal(w.Visited) {
			t.Errorf("%s: %v, want %v", id, g, w)
		}
	}
	for key, w := range map[string]map[string]time.Time{
		s.k.nudgeDue():   {"H1": at(35), "H2": at(32), "H3": at(30)},
		s.k.checkinDue(): {"H1": at(25), "H2": at(22), "H3": at(20)},
	} {
		for id, when := range w {
			if got := s.rdb.ZScore(ctx, key, id).Val(); int64(got) != when.UnixMilli() {
				t.Errorf("%s %s: %v, want %v", key, id, time.UnixMilli(int64(got)), when)
			}
		}
	}
	contacted, visited, err := s.WeekContacts(ctx, "2025-W09")
	must(t, "week", err)
	if len(contacted) != 2 || len(visited) != 1 || visited[0] != "H1" {
		t.Fatalf("week: contacted %v visited %v", contacted, visited)
	}
}

// TestAssignments: the households on the roster with name, village and
// cadre; one erased (taken out of the roster set) is left out at once,
// though the list is cached.
func TestAssignments(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "roster", saveRoster(ctx, s, testRoster(), testCodes()))
	got, err := s.Assignments(ctx)
	must(t, "assignments", err)
	if len(got) != 3 || got[0] != (flows.Household{ID: "H1", Name: "张三", Village: "东村", CadreID: "C1"}) {
		t.Fatalf("assignments %+v", got)
	}
	must(t, "erase", s.rdb.SRem(ctx, s.k.households(), "H2").Err())
	got, err = s.Assignments(ctx)
	must(t, "assignments", err)
	if len(got) != 2 || got[1].ID != "H3" {
		t.Fatalf("after an erasure %+v", got)
	}
}
