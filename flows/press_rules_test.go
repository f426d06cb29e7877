package flows_test

import (
	"fmt"
	"testing"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/redistest"
)

// TestPressWho: who may press a cadre's buttons on H1's request (of cadre
// C1 in 城关镇): its cadre, the unit's leader and a county-wide leader; not
// a colleague, another unit's cadre or leader, the household itself,
// another household, or a stranger. A refused press changes nothing.
func TestPressWho(t *testing.T) {
	srv := redistest.Start(t)
	for i, tc := range []struct {
		who  string
		acct int64
		want flows.Toast
	}{
		{"its cadre", acctC1, flows.ToastDone},
		{"the unit's leader", acctL1, flows.ToastDone},
		{"a county leader", acctL0, flows.ToastDone},
		{"a colleague in the unit", acctC2, flows.ToastForbidden},
		{"another unit's cadre", acctC3, flows.ToastForbidden},
		{"another unit's leader", acctL2, flows.ToastForbidden},
		{"the household", acctH1, flows.ToastForbidden},
		{"another household", acctH2, flows.ToastForbidden},
		{"a stranger", 9999, flows.ToastForbidden},
	} {
		t.Run(tc.who, func(t *testing.T) {
			w := newWorldOn(t, srv, fmt.Sprint("who", i))
			id := w.requestIn(flows.StateReceived)
			res := w.press(tc.acct, flows.ActContact, id, "")
			if res.Toast != tc.want {
				t.Fatalf("toast %s, want %s", res.Toast, tc.want)
			}
			want, sent := flows.StateReceived, []string(nil)
			if tc.want == flows.ToastDone {
				want, sent = flows.StateResponded, []string{to(flows.NoticeContacted, acctH1)}
			}
			if got := w.request(id).State; got != want {
				t.Errorf("state %s, want %s", got, want)
			}
			w.expectSent("after the press", sent...)
		})
	}
}

// TestPressRoleEnded: an official taken off the roster may press nothing,
// though the account is still bound; the roster is read on every press.
func TestPressRoleEnded(t *testing.T) {
	w := newWorld(t)
	id := w.requestIn(flows.StateReceived)
	r := testRoster()
	r.Cadres = r.Cadres[:4] // without L1 and L2
	if _, err := w.svc.ImportRoster(w.ctx, r); err != nil {
		t.Fatal(err)
	}
	w.sent()
	if res := w.press(acctL1, flows.ActContact, id, ""); res.Toast != flows.ToastForbidden {
		t.Errorf("a former leader's press: %s, want forbidden", res.Toast)
	}
	if got := w.request(id).State; got != flows.StateReceived {
		t.Errorf("state %s after a former leader's press", got)
	}
}

// TestPressStates: what each of the cadre's buttons does in each state.
// A button not possible in the state answers "invalid" and puts the buttons
// of the state under the message; a change tells the household.
func TestPressStates(t *testing.T) {
	srv := redistest.Start(t)
	const invalid = flows.State("")
	type press struct {
		act  flows.Action
		arg  string
		want flows.State // the state after it; invalid: refused, unchanged
	}
	for i, tc := range []struct {
		from    flows.State
		presses []press
	}{
		{flows.StateReceived, []press{{flows.ActContact, "", flows.StateResponded}, {flows.ActSolve, "", flows.StateResolved},
			{flows.ActDeadline, "3", flows.StatePromised}, {flows.ActResolve, "", invalid}, {flows.ActMoveDeadline, "", invalid},
			{flows.ActDeadline, "0", invalid}, {flows.ActDeadline, "x", invalid}}},
		{flows.StateResponded, []press{{flows.ActContact, "", invalid}, {flows.ActSolve, "", flows.StateResolved},
			{flows.ActDeadline, "7", flows.StatePromised}, {flows.ActResolve, "", flows.StateResolved}, {flows.ActMoveDeadline, "", invalid}}},
		{flows.StatePromised, []press{{flows.ActContact, "", invalid}, {flows.ActSolve, "", flows.StateResolved},
			{flows.ActDeadline, "1", invalid}, {flows.ActDeadline, "", invalid}, {flows.ActResolve, "", flows.StateResolved}}},
		{flows.StateResolved, []press{{flows.ActContact, "", invalid}, {flows.ActSolve, "", invalid}, {flows.ActDeadline, "3", invalid},
			{flows.ActResolve, "", invalid}, {flows.ActMoveDeadline, "", invalid}, {flows.ActSolvedQ, "y", invalid}}},
		{flows.StateClosed, []press{{flows.ActContact, "", invalid}, {flows.ActSolve, "", invalid}, {flows.ActDeadline, "3", invalid},
			{flows.ActResolve, "", invalid}, {flows.ActMoveDeadline, "", invalid}, {flows.ActCategory, "1", invalid}}},
	} {
		for j, p := range tc.presses {
			t.Run(fmt.Sprintf("%s/%s:%s", tc.from, p.act, p.arg), func(t *testing.T) {
				w := newWorldOn(t, srv, fmt.Sprintf("state%d.%d", i, j))
				id := w.requestIn(tc.from)
				before := w.request(id)
				res := w.press(acctC1, p.act, id, p.arg)
				after := w.request(id)
				if p.want == invalid {
					if res.Toast != flows.ToastInvalid || after.State != tc.from {
						t.Fatalf("toast %s, state %s: want invalid and %s unchanged", res.Toast, after.State, tc.from)
					}
					if res.Edit && len(res.Buttons) > 0 && res.Buttons[0][0].Action == flows.ActSolvedQ {
						t.Errorf("the cadre was shown the household's verdict buttons")
					}
					if after.Solved != before.Solved || !after.Deadline.Equal(before.Deadline) {
						t.Errorf("a refused press changed the request: %+v -> %+v", before, after)
					}
					w.expectSent("after a refused press")
					return
				}
				if res.Toast != flows.ToastDone || after.State != p.want || !res.Edit {
					t.Fatalf("toast %s, state %s, edit %v: want done, %s and the buttons replaced", res.Toast, after.State, res.Edit, p.want)
				}
				if fmt.Sprint(res.Buttons) != fmt.Sprint(flows.CadreButtons(after)) {
					t.Errorf("buttons %v, want the %s state's %v", res.Buttons, after.State, flows.CadreButtons(after))
				}
				if after.FirstResponseAt.IsZero() {
					t.Error("a cadre's change is not recorded as the first response")
				}
			})
		}
	}
}

// TestPressQuestions: the buttons that ask something — a date ("other
// date", or moving a promised deadline), a category — ask the presser and
// change nothing yet; the timeline button shows the timeline in any state.
func TestPressQuestions(t *testing.T) {
	w := newWorld(t)
	id := w.requestIn(flows.StateReceived)
	ask := func(act flows.Action, arg string, want flows.NoticeKind, prompt flows.Action) {
		t.Helper()
		if res := w.press(acctC1, act, id, arg); res.Toast != flows.ToastDone || res.Edit {
			t.Fatalf("%s:%s: %+v, want done, buttons kept", act, arg, res)
		}
		ns := w.expectSent(string(act), to(want, acctC1))
		if len(ns) == 1 && ns[0].Prompt != prompt {
			t.Errorf("%s:%s: prompt %q, want %q", act, arg, ns[0].Prompt, prompt)
		}
	}
	ask(flows.ActDeadline, "", flows.NoticeDeadlinePrompt, flows.ActDeadline)
	ask(flows.ActCategory, "", flows.NoticeCategoryPrompt, "")
	ask(flows.ActTimeline, "", flows.NoticeTimeline, "")
	if got := w.request(id).State; got != flows.StateReceived {
		t.Fatalf("asking changed the state to %s", got)
	}
	w.mustPress(acctC1, flows.ActCategory, id, "1")
	if got := w.request(id).Category; got != flows.Categories[1] {
		t.Errorf("category %q, want %q", got, flows.Categories[1])
	}
	w.mustPress(acctC1, flows.ActDeadline, id, "3")
	w.sent()
	ask(flows.ActMoveDeadline, "", flows.NoticeDeadlinePrompt, flows.ActMoveDeadline)
	w.mustPress(acctC1, flows.ActSolve, id, "")
	w.mustPress(acctH1, flows.ActSolvedQ, id, "y")
	w.mustPress(acctH1, flows.ActRate, id, "3")
	w.sent()
	ask(flows.ActTimeline, "", flows.NoticeTimeline, "") // closed: still shown
}

// TestPressGone: a button of a request that does not exist.
func TestPressGone(t *testing.T) {
	w := newWorld(t)
	if res := w.press(acctC1, flows.ActContact, 404, ""); res.Toast != flows.ToastGone {
		t.Errorf("toast %s, want gone", res.Toast)
	}
}
