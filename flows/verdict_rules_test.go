package flows_test

import (
	"testing"

	"github.com/minqing/minqing/flows"
)

// TestVerdictClosesOnSatisfied: "solved?" then the rating, in that order,
// once each; 满意 closes the request and thanks the household.
func TestVerdictClosesOnSatisfied(t *testing.T) {
	w := newWorld(t)
	id := w.requestIn(flows.StateResolved)
	res := w.press(acctH1, flows.ActRate, id, "3") // the rating before "solved?"
	if res.Toast != flows.ToastInvalid || !res.Edit || len(res.Buttons) != 1 || res.Buttons[0][0].Action != flows.ActSolvedQ {
		t.Fatalf("rating first: %+v, want invalid with the \"solved?\" buttons", res)
	}
	res = w.press(acctH1, flows.ActSolvedQ, id, "y")
	if res.Toast != flows.ToastDone || len(res.Buttons) != 1 || res.Buttons[0][0].Action != flows.ActRate {
		t.Fatalf("solved: %+v, want done with the rating buttons", res)
	}
	if res := w.press(acctH1, flows.ActSolvedQ, id, "n"); res.Toast != flows.ToastInvalid {
		t.Errorf("\"solved?\" answered twice: %s, want invalid", res.Toast)
	}
	if r := w.request(id); r.Solved != "yes" || r.State != flows.StateResolved {
		t.Fatalf("after \"solved\": %s %q", r.State, r.Solved)
	}
	w.expectSent("after \"solved\"")
	w.mustPress(acctH1, flows.ActRate, id, "3")
	if r := w.request(id); r.State != flows.StateClosed || r.Rating != flows.RatingSatisfied || r.ClosedAt.IsZero() {
		t.Errorf("after 满意: %s %q closed at %v", r.State, r.Rating, r.ClosedAt)
	}
	w.expectSent("after 满意", to(flows.NoticeThanks, acctH1))
	if res := w.press(acctH1, flows.ActRate, id, "1"); res.Toast != flows.ToastInvalid {
		t.Errorf("a rating after closing: %s, want invalid", res.Toast)
	}
}

// TestVerdictWho: only the request's household gives its verdict, and only
// on a resolved request.
func TestVerdictWho(t *testing.T) {
	w := newWorld(t)
	id := w.requestIn(flows.StateResponded)
	if res := w.press(acctH1, flows.ActSolvedQ, id, "y"); res.Toast != flows.ToastInvalid {
		t.Errorf("a verdict before resolution: %s, want invalid", res.Toast)
	}
	w.mustPress(acctC1, flows.ActResolve, id, "")
	w.sent()
	if res := w.press(acctH2, flows.ActSolvedQ, id, "y"); res.Toast != flows.ToastForbidden {
		t.Errorf("another household's verdict: %s, want forbidden", res.Toast)
	}
	if res := w.press(acctC1, flows.ActSolvedQ, id, "y"); res.Toast != flows.ToastInvalid {
		t.Errorf("the cadre's verdict on its own work: %s, want invalid", res.Toast)
	}
	if r := w.request(id); r.Solved != "" {
		t.Errorf("verdict %q recorded from someone else", r.Solved)
	}
}

// TestVerdictReopens: "not solved" or 不满意 sends the request back to its
// cadre; a fresh resolution asks afresh ("solved?", then the rating); the
// second reopening also tells the unit's leader; a promised date stands.
func TestVerdictReopens(t *testing.T) {
	w := newWorld(t)
	id := w.requestIn(flows.StatePromised)
	deadline := w.request(id).Deadline
	w.mustPress(acctC1, flows.ActResolve, id, "")
	w.sent()

	w.mustPress(acctH1, flows.ActSolvedQ, id, "n")
	r := w.request(id)
	if r.State != flows.StatePromised || r.Reopens != 1 || !r.Deadline.Equal(deadline) || !r.ResolvedAt.IsZero() {
		t.Fatalf("after \"not solved\": %s, reopens %d, deadline %v (was %v), resolved at %v", r.State, r.Reopens, r.Deadline, deadline, r.ResolvedAt)
	}
	ns := w.expectSent("first reopening", to(flows.NoticeReopened, acctC1), to(flows.NoticeReopenAck, acctH1))
	for _, n := range ns {
		if n.Kind == flows.NoticeReopened && n.Args["why"] != "not_solved" {
			t.Errorf("why %q, want not_solved", n.Args["why"])
		}
	}

	w.mustPress(acctC1, flows.ActResolve, id, "") // resolved again: the verdict starts afresh
	w.sent()
	if r := w.request(id); r.Solved != "" || r.Rating != "" {
		t.Fatalf("a new resolution keeps the old verdict %q %q", r.Solved, r.Rating)
	}
	if res := w.press(acctH1, flows.ActRate, id, "3"); res.Toast != flows.ToastInvalid {
		t.Errorf("rating before \"solved?\" on the new resolution: %s, want invalid", res.Toast)
	}
	w.mustPress(acctH1, flows.ActSolvedQ, id, "y")
	w.mustPress(acctH1, flows.ActRate, id, "1") // 不满意
	r = w.request(id)
	if r.State != flows.StatePromised || r.Reopens != 2 {
		t.Fatalf("after 不满意: %s, reopens %d", r.State, r.Reopens)
	}
	ns = w.expectSent("second reopening", to(flows.NoticeReopened, acctC1), to(flows.NoticeReopened, acctL1), to(flows.NoticeReopenAck, acctH1))
	for _, n := range ns {
		if n.Kind == flows.NoticeReopened && n.Args["why"] != "unsatisfied" {
			t.Errorf("why %q, want unsatisfied", n.Args["why"])
		}
	}
}

// TestVerdictReopenWithoutDeadline: a request solved on the spot comes back
// as responded, without a date.
func TestVerdictReopenWithoutDeadline(t *testing.T) {
	w := newWorld(t)
	id := w.requestIn(flows.StateResolved)
	w.mustPress(acctH1, flows.ActSolvedQ, id, "n")
	if r := w.request(id); r.State != flows.StateResponded || !r.Deadline.IsZero() {
		t.Errorf("after \"not solved\": %s, deadline %v", r.State, r.Deadline)
	}
}
