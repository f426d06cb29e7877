package flows_test

import (
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
)

// The sweep's stages, each at its time on the simulated clock (settings: a
// day to respond, two to escalate, a week's default deadline and verdict
// wait, the eve reminder at 09:00). t0 is Tuesday 2026-12-01 10:00.

// TestSweepRemindEscalate: no first response after a day reminds the
// cadre; after two days the unit's leader is told.
func TestSweepRemindEscalate(t *testing.T) {
	w := newWorld(t)
	id := w.newRequest("院墙裂了")
	w.sweep(t0.Add(24*time.Hour - time.Minute))
	w.expectSent("before a day")
	w.sweep(t0.Add(24 * time.Hour))
	w.expectSent("after a day", to(flows.NoticeReminder, acctC1))
	w.sweep(t0.Add(48*time.Hour - time.Minute))
	w.expectSent("before two days")
	w.sweep(t0.Add(48 * time.Hour))
	ns := w.expectSent("after two days", to(flows.NoticeEscalation, acctL1))
	if len(ns) == 1 && (ns[0].RequestID != id || ns[0].Args["reason"] != "no_response") {
		t.Errorf("escalation %+v, want request %d for no_response", ns[0], id)
	}
	w.sweep(t0.Add(72 * time.Hour))
	w.expectSent("once each")
}

// TestSweepAutoDeadline: a first response stops the reminders; a day later,
// still without a date, the request gets the default deadline, and both the
// household and the cadre are told.
func TestSweepAutoDeadline(t *testing.T) {
	w := newWorld(t)
	id := w.newRequest("低保的事想问问")
	w.clock.Set(t0.Add(time.Hour))
	w.mustPress(acctC1, flows.ActContact, id, "")
	w.sent()
	w.sweep(t0.Add(25*time.Hour - time.Minute)) // the reminder's time: released, no longer true
	w.expectSent("after the first response")
	at := t0.Add(25 * time.Hour)
	w.sweep(at)
	w.expectSent("a day after the response", to(flows.NoticeDeadlineSet, acctH1), to(flows.NoticeDefaultDeadline, acctC1))
	r := w.request(id)
	if want := flows.EndOfDay(at.Add(7*24*time.Hour), cst); r.State != flows.StatePromised || !r.Deadline.Equal(want) {
		t.Errorf("%s, deadline %v; want promised, %v", r.State, r.Deadline, want)
	}
	w.sweep(t0.Add(49 * time.Hour))
	w.expectSent("no escalation after a response")
}

// TestSweepDeadline: the cadre is reminded on the deadline's eve at 09:00;
// once it has passed the cadre and the unit's leader are told it is late.
func TestSweepDeadline(t *testing.T) {
	w := newWorld(t)
	id := w.requestIn(flows.StatePromised) // 3 days: Friday 12-04, end of day
	deadline := w.request(id).Deadline
	if want := time.Date(2026, 12, 4, 23, 59, 59, 0, cst); !deadline.Equal(want) {
		t.Fatalf("deadline %v, want %v", deadline, want)
	}
	eve := time.Date(2026, 12, 3, 9, 0, 0, 0, cst)
	w.sweep(eve.Add(-time.Minute))
	w.expectSent("before the eve")
	w.sweep(eve)
	w.expectSent("the eve", to(flows.NoticeDeadlineSoon, acctC1))
	w.sweep(deadline.Add(-time.Second))
	w.expectSent("the last second")
	w.sweep(deadline.Add(time.Second))
	w.expectSent("past the deadline", to(flows.NoticeOverdue, acctC1), to(flows.NoticeOverdue, acctL1))
	if r := w.request(id); r.State != flows.StatePromised || !r.Late(w.clock.Now()) {
		t.Errorf("%s, late %v: want still promised, and late", r.State, r.Late(w.clock.Now()))
	}
}

// TestSweepVerdictWait: a resolved request without a verdict asks the
// household once more half-way through the wait, with the buttons, and is
// closed unrated at its end.
func TestSweepVerdictWait(t *testing.T) {
	w := newWorld(t)
	id := w.requestIn(flows.StateResolved)
	w.sweep(t0.Add(84*time.Hour - time.Minute))
	w.expectSent("before half the wait")
	w.sweep(t0.Add(84 * time.Hour))
	ns := w.expectSent("half the wait", to(flows.NoticeVerdictAsk, acctH1))
	if len(ns) == 1 && (len(ns[0].Buttons) != 1 || ns[0].Buttons[0][0].Action != flows.ActSolvedQ) {
		t.Errorf("the question's buttons: %v", ns[0].Buttons)
	}
	w.sweep(t0.Add(7 * 24 * time.Hour))
	w.expectSent("the wait's end", to(flows.NoticeClosedUnrated, acctH1))
	if r := w.request(id); r.State != flows.StateClosed || r.Rating != "" {
		t.Errorf("%s %q, want closed unrated", r.State, r.Rating)
	}
}

// TestSweepVerdictGiven: a verdict given in time cancels the question and
// the closing.
func TestSweepVerdictGiven(t *testing.T) {
	w := newWorld(t)
	id := w.requestIn(flows.StateResolved)
	w.mustPress(acctH1, flows.ActSolvedQ, id, "y")
	w.sent()
	w.sweep(t0.Add(84 * time.Hour))
	w.expectSent("half the wait, after \"solved\"", to(flows.NoticeVerdictAsk, acctH1)) // asked for the rating still owed
	w.mustPress(acctH1, flows.ActRate, id, "2")
	w.sent()
	w.sweep(t0.Add(7 * 24 * time.Hour))
	w.expectSent("the wait's end, after the rating")
	if r := w.request(id); r.State != flows.StateClosed || r.Rating != flows.RatingBasic {
		t.Errorf("%s %q, want closed 基本满意", r.State, r.Rating)
	}
}

// TestSweepQuietHours: in the quiet hours (21:00–07:00) a new request
// reaches its cadre silently and no reminder goes out; one that fell due
// in them goes out when they end.
func TestSweepQuietHours(t *testing.T) {
	w := newWorld(t, func(s *flows.Settings) { s.Quiet = flows.Window{Start: 21 * time.Hour, End: 7 * time.Hour} })
	night := time.Date(2026, 12, 1, 22, 30, 0, 0, cst)
	w.clock.Set(night)
	w.say(acctH1, "家里停电了")
	for _, n := range w.sent() {
		if n.ChatID == acctC1 && !n.Silent {
			t.Errorf("%s to the cadre at night is not silent", n.Kind)
		}
	}
	w.sweep(night.Add(24 * time.Hour)) // the reminder's time falls in the night
	w.expectSent("a day later, at night")
	morning := time.Date(2026, 12, 3, 7, 0, 0, 0, cst)
	w.sweep(morning.Add(-time.Minute))
	w.expectSent("just before the night ends")
	w.sweep(morning)
	w.expectSent("when the night ends", to(flows.NoticeReminder, acctC1))

	w.sweep(night.Add(48 * time.Hour)) // the escalation's time, at night too
	w.expectSent("two days later, at night")
	w.sweep(morning.Add(24*time.Hour - time.Minute))
	w.expectSent("just before the next night ends")
	w.sweep(morning.Add(24 * time.Hour))
	w.expectSent("when the next night ends", to(flows.NoticeEscalation, acctL1))

	// Due in the evening, but the sweep runs only once the night began: it
	// waits for the morning.
	w.clock.Set(time.Date(2026, 12, 4, 20, 0, 0, 0, cst))
	w.say(acctH2, "水管冻住了")
	w.sent()
	w.sweep(time.Date(2026, 12, 5, 21, 30, 0, 0, cst))
	w.expectSent("due at 20:00, swept at 21:30")
	w.sweep(time.Date(2026, 12, 6, 7, 0, 0, 0, cst))
	w.expectSent("the morning after", to(flows.NoticeReminder, acctC1))
}
