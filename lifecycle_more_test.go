package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/minqing/minqing/config"
	"github.com/minqing/minqing/flows"
)

var shanghai = time.FixedZone("CST", 8*3600)

// TestVerdictWaitClosesUnrated: no verdict: asked once more, then closed.
func TestVerdictWaitClosesUnrated(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	c := h.mark(cadreLiu)
	h.say(hhZhang, "低保卡丢了")
	note := h.expect(cadreLiu, c, "#1")
	hn := h.mark(hhZhang)
	h.press(cadreLiu, note, "ss:1:")
	h.expect(hhZhang, hn, "当场解决")
	h.advance(3*24*time.Hour + 13*time.Hour)
	again := h.expect(hhZhang, hn, "解决了吗")
	if !hasButton(again, "vs:1:y") {
		t.Fatalf("re-ask has no buttons: %+v", again.Buttons)
	}
	h.advance(4 * 24 * time.Hour)
	h.expect(hhZhang, hn, "已结束")
	if r := h.request(1); r.State != flows.StateClosed || r.Rating != "" {
		t.Fatalf("want closed unrated: %+v", r)
	}
	h.advance(7 * 24 * time.Hour)
	h.drain()
	if got := countWith(h, hhZhang, hn, "解决了吗"); got != 1 {
		t.Fatalf("asked %d times again, want 1", got)
	}
}

// TestUnreachableCadreGoesToLeader: a cadre who never bound, or who blocked
// the bot, hands the request to the unit's leader at once.
func TestUnreachableCadreGoesToLeader(t *testing.T) {
	h := start(t)
	h.bind(leaderZh, "L001")
	h.bind(leaderSun, "L002")
	h.bind(hhZhou, "H004") // cadre C002 (县住建局, no unit leader) never bound
	s, z := h.mark(leaderSun), h.mark(leaderZh)
	hn := h.mark(hhZhou)
	h.tg.SendText(hhZhou, "屋顶塌了一角")
	h.expect(hhZhou, hn, "联系不上")
	h.expect(leaderSun, s, "Escalated", "#1", "cannot be reached")
	h.none(leaderZh, z, "#1")

	// C001 bound, then blocked the bot: Telegram answers 403.
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.tg.Block(cadreLiu.ID)
	hn = h.mark(hhZhang)
	h.tg.SendText(hhZhang, "孩子生病了")
	h.expect(leaderZh, z, "督办", "#2", "联系不上")
	h.expect(hhZhang, hn, "联系不上")
	h.tg.Unblock(cadreLiu.ID)
	contains(t, "cadre back", h.say(cadreLiu, "/open").Text, "#2")
	a, err := h.m.Store.Account(context.Background(), cadreLiu.ID)
	if err != nil || a.Unreachable {
		t.Fatalf("cadre still unreachable after writing: %+v %v", a, err)
	}
}

// TestQuietHours: a new request reaches the cadre silently; reminders wait
// for the end of the quiet hours.
func TestQuietHours(t *testing.T) {
	h := start(t, func(c *config.Config) {
		q, _ := config.ParseQuietHours("21:00-07:00")
		c.QuietHours = q
	})
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.clock.Set(time.Date(2026, 12, 1, 22, 0, 0, 0, shanghai))
	c := h.mark(cadreLiu)
	h.say(hhZhang, "夜里停电了")
	note := h.expect(cadreLiu, c, "#1")
	if !note.DisableNotification {
		t.Error("a request in quiet hours must reach the cadre silently")
	}
	h.clock.Set(time.Date(2026, 12, 2, 22, 30, 0, 0, shanghai)) // reminder due at 22:00, in quiet hours
	h.advance(0)
	h.clock.Set(time.Date(2026, 12, 3, 6, 59, 0, 0, shanghai))
	h.advance(0)
	h.none(cadreLiu, c, "提醒")
	h.clock.Set(time.Date(2026, 12, 3, 7, 0, 0, 0, shanghai))
	h.advance(0)
	h.expect(cadreLiu, c, "提醒", "#1")
}

// TestTypedAndMovedDeadlines: a cadre types a date; moving it needs a reason.
func TestTypedAndMovedDeadlines(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	c := h.mark(cadreLiu)
	h.say(hhZhang, "申请危房改造")
	note := h.expect(cadreLiu, c, "#1")
	h.press(cadreLiu, note, "dl:1:")
	prompt := h.expect(cadreLiu, c, "回复本消息", "#1")
	h.tg.SendReply(cadreLiu, "明天吧", prompt.ID)
	h.expect(cadreLiu, c, "没看懂")
	hn := h.mark(hhZhang)
	h.tg.SendReply(cadreLiu, "12月18日", prompt.ID)
	h.expect(hhZhang, hn, "2026-12-18")

	c = h.mark(cadreLiu)
	h.press(cadreLiu, note, "mv2:1:")
	prompt = h.expect(cadreLiu, c, "改期原因")
	h.tg.SendReply(cadreLiu, "2026-12-25", prompt.ID)
	h.expect(cadreLiu, c, "没看懂")
	h.tg.SendReply(cadreLiu, "2026-12-25 等县里批复", prompt.ID)
	h.expect(hhZhang, hn, "2026-12-25", "等县里批复")
	if r := h.request(1); r.Note != "等县里批复" || r.Deadline.Day() != 25 {
		t.Fatalf("%+v", r)
	}
}

// TestCatchUpAfterOutage: reminders that fell due while the bot was down go
// out when it starts, once.
func TestCatchUpAfterOutage(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	c := h.mark(cadreLiu)
	h.say(hhZhang, "路灯坏了")
	h.expect(cadreLiu, c, "#1")
	h.stop()
	h.clock.Advance(30 * time.Hour)
	h.boot()
	h.expect(cadreLiu, c, "提醒", "#1")
	h.stop()
	h.boot()
	h.drain()
	if got := countWith(h, cadreLiu, c, "提醒"); got != 1 {
		t.Fatalf("%d reminders after two restarts, want 1", got)
	}
}

// TestConcurrentSweepsSendOnce: several sweepers at once send each reminder once.
func TestConcurrentSweepsSendOnce(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhang2, "H002")
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "事情一")
	h.tg.SendText(hhZhang2, "事情二")
	h.expect(cadreLiu, c, "事情二")
	h.drain()
	h.clock.Advance(25 * time.Hour)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		other := &flows.Service{Store: h.m.Service.Store, Clock: h.clock, Settings: h.m.Service.Settings} // another replica
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := other.Sweep(context.Background(), h.clock.Now()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	h.drain()
	if got := countWith(h, cadreLiu, c, "提醒"); got != 2 {
		t.Fatalf("%d reminders for two requests, want 2", got)
	}
}

// TestRealTimeReminders runs the real cron on the wall clock: a reminder
// after about 3 s, the leader told after about 6 s, each once.
func TestRealTimeReminders(t *testing.T) {
	h := startReal(t, func(c *config.Config) {
		c.SLA.FirstResponse, c.SLA.EscalateAfter = 3*time.Second, 6*time.Second
		c.Schedule.Reminders = "@every 1s"
	})
	h.bind(cadreLiu, "C001")
	h.bind(leaderZh, "L001")
	h.bind(leaderSun, "L002")
	h.bind(hhZhang, "H001")
	c, l, s := h.mark(cadreLiu), h.mark(leaderZh), h.mark(leaderSun)
	sent := time.Now()
	h.tg.SendText(hhZhang, "急事")
	h.expect(cadreLiu, c, "提醒", "#1")
	if d := time.Since(sent); d < 3*time.Second {
		t.Errorf("reminder after %v, before sla.first_response", d)
	}
	h.expect(leaderZh, l, "督办", "#1")
	if d := time.Since(sent); d < 6*time.Second {
		t.Errorf("escalation after %v, before sla.escalate_after", d)
	}
	waitUntil(2*time.Second, func() bool { return false }) // two more ticks: nothing more may come
	h.drain()
	if n := countWith(h, cadreLiu, c, "提醒"); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
	if n := countWith(h, leaderZh, l, "督办"); n != 1 {
		t.Errorf("%d escalations, want 1", n)
	}
	h.none(leaderSun, s, "#1")
}
