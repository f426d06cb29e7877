package flows_test

import (
	"fmt"
	"testing"

	"github.com/minqing/minqing/flows"
)

// TestIntakeRouting: a household's message opens a request, or joins its
// latest open one as a follow-up; once that is closed the next message is
// a new request; a stranger is told how to get a card.
func TestIntakeRouting(t *testing.T) {
	w := newWorld(t)
	w.say(acctH1, "房顶漏雨")
	ns := w.expectSent("first message", to(flows.NoticeRequestAck, acctH1), to(flows.NoticeNewRequest, acctC1))
	id := ns[0].RequestID
	w.say(acctH1, "还有院墙也裂了")
	for _, n := range w.expectSent("second message", to(flows.NoticeFollowupAck, acctH1), to(flows.NoticeFollowup, acctC1)) {
		if n.RequestID != id {
			t.Errorf("follow-up %s went to request %d, want %d", n.Kind, n.RequestID, id)
		}
	}
	if tl, err := w.st.Timeline(w.ctx, id); err != nil || len(tl) != 2 {
		t.Errorf("timeline of %d: %d events (%v), want the request and its follow-up", id, len(tl), err)
	}
	w.mustPress(acctC1, flows.ActSolve, id, "")
	w.mustPress(acctH1, flows.ActSolvedQ, id, "y")
	w.mustPress(acctH1, flows.ActRate, id, "3")
	w.sent()
	w.say(acctH1, "又有新的事")
	ns = w.expectSent("after closing", to(flows.NoticeRequestAck, acctH1), to(flows.NoticeNewRequest, acctC1))
	if len(ns) > 0 && ns[0].RequestID == id {
		t.Errorf("a message after closing joined the closed request %d", id)
	}
	w.say(9999, "你好")
	w.expectSent("a stranger", to(flows.NoticeStranger, 9999))
}

// TestIntakeFlood: past flood.per_minute in a minute the household is told
// once to slow down and its cadre is not flooded; every message is kept.
func TestIntakeFlood(t *testing.T) {
	w := newWorld(t, func(s *flows.Settings) { s.FloodPerMinute = 3 })
	for i := range 6 {
		w.say(acctH2, fmt.Sprintf("第%d条", i))
	}
	slow, toCadre, id := 0, 0, int64(0)
	for _, n := range w.sent() {
		switch {
		case n.Kind == flows.NoticeSlowDown && n.ChatID == acctH2:
			slow++
		case n.ChatID == acctC1:
			toCadre++
			id = n.RequestID
		}
	}
	if slow != 1 || toCadre == 0 || toCadre > 3 {
		t.Errorf("%d slow-down notices (want 1), %d notices to the cadre (want 1 to 3)", slow, toCadre)
	}
	if tl, err := w.st.Timeline(w.ctx, id); err != nil || len(tl) != 6 {
		t.Errorf("timeline keeps %d of 6 messages (%v)", len(tl), err)
	}
}
