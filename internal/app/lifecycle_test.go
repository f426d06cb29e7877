package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
)

// TestLifecycleOnSimulatedClock walks one request through reminders,
// escalation, the default deadline, overdue, two reopens and a verdict.
func TestLifecycleOnSimulatedClock(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(cadreWang, "C002")
	h.bind(leaderZh, "L001")
	h.bind(leaderSun, "L002")
	h.bind(hhZhang, "H001")
	c, l, w, s := h.mark(cadreLiu), h.mark(leaderZh), h.mark(cadreWang), h.mark(leaderSun)
	h.say(hhZhang, "自来水冻住了")
	h.expect(cadreLiu, c, "#1")

	h.advance(23 * time.Hour)
	h.none(cadreLiu, c, "提醒")
	h.advance(2 * time.Hour) // 25h: past sla.first_response (24h)
	h.expect(cadreLiu, c, "提醒", "#1")
	h.advance(time.Hour)
	h.drain()
	if got := countWith(h, cadreLiu, c, "提醒"); got != 1 {
		t.Fatalf("%d first-response reminders, want 1", got)
	}
	h.advance(23 * time.Hour) // 49h: past sla.escalate_after (48h)
	h.expect(leaderZh, l, "督办", "#1", "刘建国")
	h.advance(time.Hour)
	h.none(leaderSun, s, "#1") // county-wide leaders are not spammed
	h.none(cadreWang, w, "#1")
	if got := countWith(h, leaderZh, l, "督办"); got != 1 {
		t.Fatalf("%d escalations, want 1", got)
	}

	// The cadre answers but chooses neither: the default deadline applies.
	hn := h.mark(hhZhang)
	note := h.expect(cadreLiu, 0, "新诉求 #1")
	h.tg.SendReply(cadreLiu, "马上派人", note.ID)
	h.expect(hhZhang, hn, "马上派人")
	h.advance(25 * time.Hour)
	h.expect(cadreLiu, c, "默认期限")
	h.expect(hhZhang, hn, "#1", "前办结")
	r := h.request(1)
	if r.State != flows.StatePromised || r.Deadline.IsZero() {
		t.Fatalf("after default deadline: %+v", r)
	}

	// A day before the deadline the cadre is reminded; after it, cadre and leader hear it is late.
	h.clock.Set(r.Deadline.Add(-23 * time.Hour))
	h.advance(0)
	h.expect(cadreLiu, c, "到期", "#1")
	h.clock.Set(r.Deadline.Add(time.Minute))
	h.advance(0)
	h.expect(cadreLiu, c, "超期", "#1")
	h.expect(leaderZh, l, "超期", "#1")
	contains(t, "/open late", h.say(cadreLiu, "/open").Text, "超期")

	// Resolved; "not solved" reopens to the cadre.
	hn = h.mark(hhZhang)
	h.press(cadreLiu, note, "rs:1:")
	ask := h.expect(hhZhang, hn, "已办结")
	if !hasButton(ask, "vs:1:y") || !hasButton(ask, "vs:1:n") {
		t.Fatalf("no verdict buttons: %+v", ask.Buttons)
	}
	c = h.mark(cadreLiu)
	h.press(hhZhang, ask, "vs:1:n")
	h.expect(cadreLiu, c, "退回", "没有解决")
	if r := h.request(1); r.State != flows.StateResponded || r.Reopens != 1 {
		t.Fatalf("after not solved: %s %d", r.State, r.Reopens)
	}

	// Resolved again; solved but 不满意: the second reopen tells the leader too.
	hn, l = h.mark(hhZhang), h.mark(leaderZh)
	h.press(cadreLiu, note, "ss:1:")
	ask = h.expect(hhZhang, hn, "当场解决")
	h.press(hhZhang, ask, "vs:1:y")
	h.press(hhZhang, ask, "vr:1:1")
	h.expect(leaderZh, l, "退回", "不满意")

	// Third time: solved and satisfied closes it.
	hn = h.mark(hhZhang)
	h.press(cadreLiu, note, "ss:1:")
	ask = h.expect(hhZhang, hn, "当场解决")
	h.press(hhZhang, ask, "vs:1:y")
	h.press(hhZhang, ask, "vr:1:3")
	h.expect(hhZhang, hn, "谢谢")
	r = h.request(1)
	if r.State != flows.StateClosed || r.Rating != flows.RatingSatisfied || r.Solved != "yes" {
		t.Fatalf("after verdict: %+v", r)
	}

	// The timeline tells the story; the verdict buttons are now spent.
	c = h.mark(cadreLiu)
	h.press(cadreLiu, note, "tl:1:")
	h.expect(cadreLiu, c, "时间线", "提醒", "督办", "超期", "评价是否解决 → 已联系", "评价满意度 → 已结束")
	if toast := h.press(hhZhang, ask, "vr:1:1"); toast == "已完成" {
		t.Fatal("a spent verdict button worked again")
	}
}

// countWith counts u's bot messages after mark that hold want.
func countWith(h *harness, u telegramtest.User, mark int, want string) int {
	n := 0
	for _, m := range h.tg.BotMessages(u.ID)[mark:] {
		if strings.Contains(m.Text, want) {
			n++
		}
	}
	return n
}

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
