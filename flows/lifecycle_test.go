package flows

import (
	"strconv"
	"testing"
	"time"
)

var shanghai = time.FixedZone("CST", 8*3600)

func TestTransitionTable(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	states := []State{StateReceived, StateResponded, StatePromised, StateResolved, StateClosed}
	actions := []Action{ActContact, ActSolve, ActDeadline, ActResolve}
	want := map[Action]map[State]State{
		ActContact:  {StateReceived: StateResponded},
		ActSolve:    {StateReceived: StateResolved, StateResponded: StateResolved, StatePromised: StateResolved},
		ActDeadline: {StateReceived: StatePromised, StateResponded: StatePromised},
		ActResolve:  {StateResponded: StateResolved, StatePromised: StateResolved},
	}
	for _, act := range actions {
		for _, st := range states {
			r := Request{ID: 1, State: st}
			got, err := Transition(r, act, "3", now, shanghai)
			to, allowed := want[act][st]
			if !allowed {
				if ErrorCode(err) != EINVALID || got.State != st {
					t.Errorf("%s from %s: want EINVALID and no change, got %v, %s", act, st, err, got.State)
				}
				continue
			}
			if err != nil || got.State != to {
				t.Errorf("%s from %s: want %s, got %s (%v)", act, st, to, got.State, err)
			}
			if got.FirstResponseAt.IsZero() {
				t.Errorf("%s from %s: first response not set", act, st)
			}
		}
	}
}

func TestTransitionKeepsFirstResponse(t *testing.T) {
	first := time.Date(2026, 12, 1, 9, 0, 0, 0, shanghai)
	r := Request{State: StateResponded, FirstResponseAt: first}
	got, err := Transition(r, ActSolve, "", first.Add(time.Hour), shanghai)
	if err != nil || !got.FirstResponseAt.Equal(first) || !got.ResolvedAt.Equal(first.Add(time.Hour)) {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestDeadlineIsEndOfLocalDay(t *testing.T) {
	now := time.Date(2026, 12, 1, 23, 30, 0, 0, shanghai)
	got, err := Transition(Request{State: StateReceived}, ActDeadline, "3", now.UTC(), shanghai)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 4, 23, 59, 59, 0, shanghai)
	if !got.Deadline.Equal(want) {
		t.Fatalf("deadline %v, want %v", got.Deadline, want)
	}
	for _, bad := range []string{"", "0", "-1", "x", "367"} {
		if _, err := Transition(Request{State: StateReceived}, ActDeadline, bad, now, shanghai); ErrorCode(err) != EINVALID {
			t.Errorf("days %q: want EINVALID, got %v", bad, err)
		}
	}
}

func TestCanAct(t *testing.T) {
	r := Request{CadreID: "C1", Unit: "财政局"}
	cases := []struct {
		c    Cadre
		want bool
	}{
		{Cadre{ID: "C1", Role: RoleCadre, Unit: "财政局", OnRoster: true}, true},
		{Cadre{ID: "C2", Role: RoleCadre, Unit: "财政局", OnRoster: true}, false},
		{Cadre{ID: "L1", Role: RoleLeader, Unit: "财政局", OnRoster: true}, true},
		{Cadre{ID: "L2", Role: RoleLeader, Unit: "住建局", OnRoster: true}, false},
		{Cadre{ID: "L3", Role: RoleLeader, OnRoster: true}, true},
		// Taken off the roster: the record keeps the role, which grants nothing.
		{Cadre{ID: "C1", Role: RoleCadre, Unit: "财政局"}, false},
		{Cadre{ID: "L3", Role: RoleLeader}, false},
	}
	for _, c := range cases {
		if got := CanAct(c.c, r); got != c.want {
			t.Errorf("%s: CanAct = %v, want %v", c.c.ID, got, c.want)
		}
	}
}

func TestCadreButtonsFollowState(t *testing.T) {
	for _, st := range []State{StateReceived, StateResponded, StatePromised, StateResolved, StateClosed} {
		for _, row := range CadreButtons(Request{ID: 7, State: st}) {
			for _, b := range row {
				if b.RequestID != 7 {
					t.Errorf("%s: button for request %d", st, b.RequestID)
				}
				if b.Action == ActTimeline || b.Action == ActCategory || b.Action == ActNote {
					continue // no state change
				}
				if b.Action == ActTransfer || b.Action == ActHelper {
					if !(Request{State: st}).Open() {
						t.Errorf("%s: offers a transfer", st)
					}
					continue // lists the units
				}
				if b.Action == ActMoveDeadline || (b.Action == ActDeadline && b.Arg == "") {
					if _, ok := transitions[b.Action][st]; !ok {
						t.Errorf("%s: offers %s which is not allowed", st, b.Action)
					}
					continue // asks for a typed date
				}
				if _, err := Transition(Request{State: st}, b.Action, b.Arg, time.Now(), shanghai); err != nil {
					t.Errorf("%s: offers %s which is not allowed: %v", st, b.Action, err)
				}
			}
		}
	}
}

func TestStateTypes(t *testing.T) {
	if StateReceived.Type() != TypeOpen || StateResolved.Type() != TypeResolved || StateClosed.Type() != TypeClosed {
		t.Fatal("state types")
	}
	if State("future").Type() != TypeOpen {
		t.Fatal("an unknown state must count as open")
	}
}

func TestSummarizeAndLang(t *testing.T) {
	if got := Summarize("我家房子漏雨了", 4); got != "我家房子…" {
		t.Errorf("Summarize = %q", got)
	}
	s := &Service{Settings: Settings{DefaultLang: "en"}}
	for in, want := range map[string]string{"zh-hans": "zh", "zh": "zh", "en-US": "en", "ru": "en", "": "en", "ZH-TW": "zh"} {
		if got := s.lang(in); got != want {
			t.Errorf("lang(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[[2]string]string{{"ru", "zh"}: "zh", {"ru", ""}: "zh", {"ru", "fr"}: "zh", {"en", "zh"}: "en"} {
		if got := Lang(in[0], in[1]); got != want {
			t.Errorf("Lang(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestSetCategory(t *testing.T) {
	for i, c := range Categories {
		got, err := setCategory(Request{}, strconv.Itoa(i))
		if err != nil || got.Category != c {
			t.Errorf("%d: %q %v", i, got.Category, err)
		}
	}
	for _, bad := range []string{"", "-1", "8", "x"} {
		if _, err := setCategory(Request{}, bad); ErrorCode(err) != EINVALID {
			t.Errorf("%q accepted", bad)
		}
	}
	if rows := categoryButtons(Request{ID: 3}); len(rows)*2 != len(Categories) {
		t.Errorf("%d rows for %d categories", len(rows), len(Categories))
	}
}
