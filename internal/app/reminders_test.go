package app_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/config"
)

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

// quietNights sets the default quiet hours, 21:00–07:00.
func quietNights(c *config.Config) { c.QuietHours, _ = config.ParseQuietHours("21:00-07:00") }

// TestDeadlineReminderHours: the reminder of a deadline comes on its eve at
// 09:00 (sla.eve_reminder), and the late notice, due at midnight, when the
// quiet hours end.
func TestDeadlineReminderHours(t *testing.T) {
	h := start(t, quietNights)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.clock.Set(time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai))
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "桥上的栏杆断了")
	note := h.expect(cadreLiu, c, "#1")
	h.pressLabel(cadreLiu, note, "📅 限期3天") // due 2026-12-04
	for _, step := range []struct {
		at   time.Time
		want string // "" for nothing
	}{
		{time.Date(2026, 12, 3, 8, 59, 0, 0, shanghai), ""},
		{time.Date(2026, 12, 3, 9, 0, 0, 0, shanghai), "到期"},
		{time.Date(2026, 12, 5, 6, 59, 0, 0, shanghai), ""},
		{time.Date(2026, 12, 5, 7, 0, 0, 0, shanghai), "超期"},
	} {
		c = h.mark(cadreLiu)
		h.clock.Set(step.at)
		h.advance(0)
		h.drain()
		got := h.tg.BotMessages(cadreLiu.ID)[c:]
		switch {
		case step.want == "" && len(got) > 0:
			t.Errorf("%v: %q, want nothing", step.at, got[0].Text)
		case step.want != "" && (len(got) != 1 || !containsAll(got[0].Text, []string{step.want, "#1", "2026-12-04"})):
			t.Errorf("%v: %d messages, want one with %q", step.at, len(got), step.want)
		}
	}
}

// TestEveReminderOnAWorkingDay: with sla.working_days, the reminder of a
// Monday deadline comes on Friday morning.
func TestEveReminderOnAWorkingDay(t *testing.T) {
	h := start(t, quietNights, func(c *config.Config) { c.SLA.WorkingDays = true })
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.clock.Set(time.Date(2026, 12, 2, 10, 0, 0, 0, shanghai)) // a Wednesday
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "申请补助")
	note := h.expect(cadreLiu, c, "#1")
	h.pressLabel(cadreLiu, note, "📅 其他日期")
	prompt := h.expect(cadreLiu, c, "回复本消息")
	h.tg.SendReply(cadreLiu, "12-07", prompt.ID) // a Monday
	h.drain()
	c = h.mark(cadreLiu)
	h.clock.Set(time.Date(2026, 12, 4, 9, 0, 0, 0, shanghai)) // Friday 09:00
	h.advance(0)
	h.expect(cadreLiu, c, "到期", "#1", "2026-12-07")
}

// TestCatchUpSendsWhatIsStillTrue: after downtime past a deadline and a
// verdict wait, the deadline's eve reminder and the second verdict question
// are dropped; the late notice and the closing go out, once.
func TestCatchUpSendsWhatIsStillTrue(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhang2, "H002")
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "院墙倒了")
	note := h.expect(cadreLiu, c, "#1")
	h.pressLabel(cadreLiu, note, "📅 限期3天") // due 2026-12-04
	h.tg.SendText(hhZhang2, "缺过冬的煤")
	note2 := h.expect(cadreLiu, c, "#2")
	hn := h.mark(hhZhang2)
	h.pressLabel(cadreLiu, note2, "✅ 当场解决")
	h.expect(hhZhang2, hn, "当场解决")
	h.drain()

	h.stop()
	h.clock.Set(time.Date(2026, 12, 10, 10, 0, 0, 0, shanghai))
	c, hn = h.mark(cadreLiu), h.mark(hhZhang2)
	h.boot()
	h.expect(cadreLiu, c, "超期", "#1")
	h.expect(hhZhang2, hn, "#2", "已结束")
	h.stop()
	h.boot()
	h.drain()
	h.none(cadreLiu, c, "到期")
	h.none(hhZhang2, hn, "解决了吗")
	if n := countWith(h, cadreLiu, c, "超期"); n != 1 {
		t.Errorf("%d late notices, want 1", n)
	}
}
