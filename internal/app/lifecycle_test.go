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

	// On the deadline's eve at 09:00 the cadre is reminded; after it, cadre and leader hear it is late.
	dl := r.Deadline.In(shanghai)
	h.clock.Set(time.Date(dl.Year(), dl.Month(), dl.Day()-1, 9, 0, 0, 0, shanghai))
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
	if r := h.request(1); r.State != flows.StatePromised || r.Reopens != 1 { // the promised date stands
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
	h.expect(cadreLiu, c, "时间线", "提醒", "督办", "超期", "评价是否解决 → 限期办理", "评价满意度 → 已结束")
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
	h.expect(cadreLiu, c, "#1", "2026-12-18", "已告诉群众") // what happened, not "passed on"
	h.none(cadreLiu, c, "已转给群众")

	c = h.mark(cadreLiu)
	h.press(cadreLiu, note, "md:1:")
	prompt = h.expect(cadreLiu, c, "改期原因")
	h.tg.SendReply(cadreLiu, "2026-12-25", prompt.ID)
	h.expect(cadreLiu, c, "没看懂")
	h.tg.SendReply(cadreLiu, "2026-12-25 等县里批复", prompt.ID)
	h.expect(hhZhang, hn, "2026-12-25", "等县里批复")
	h.expect(cadreLiu, c, "#1", "改为", "2026-12-25", "等县里批复", "已告诉群众")
	if r := h.request(1); r.Note != "等县里批复" || r.Deadline.Day() != 25 {
		t.Fatalf("%+v", r)
	}
}

// pressLabel waits until msg (as it is now, after any edit) has a button
// labelled label, presses it as u and returns the toast.
func (h *harness) pressLabel(u telegramtest.User, msg telegramtest.Message, label string) string {
	h.t.Helper()
	var data string
	ok := h.tg.Wait(waitFor, func() bool {
		m, found := h.tg.Message(msg.ChatID, msg.ID)
		var has bool
		data, has = m.ButtonData(label)
		return found && has
	})
	if !ok {
		m, _ := h.tg.Message(msg.ChatID, msg.ID)
		h.t.Fatalf("no button %q under %q: %+v", label, m.Text, m.Buttons)
	}
	return h.press(u, msg, data)
}

// TestSecondVerdict: every resolution asks "solved?" afresh, then the
// rating; every answer stays in the timeline and counts in the week's rates.
func TestSecondVerdict(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(leaderZh, "L001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhang2, "H002")

	// #1: solved on the spot, "not solved"; a deadline, done; solved, 基本满意.
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "水管爆了")
	note1 := h.expect(cadreLiu, c, "#1")
	hn := h.mark(hhZhang)
	h.pressLabel(cadreLiu, note1, "✅ 当场解决")
	ask := h.expect(hhZhang, hn, "#1", "当场解决")
	h.pressLabel(hhZhang, ask, "❌ 没解决")
	back := h.expect(cadreLiu, c, "退回", "#1") // the request comes back with its buttons
	h.pressLabel(cadreLiu, back, "📅 限期3天")
	hn = h.mark(hhZhang)
	h.pressLabel(cadreLiu, back, "✔️ 已办结")
	ask = h.expect(hhZhang, hn, "#1", "已办结")
	h.pressLabel(hhZhang, ask, "✅ 解决了")
	h.pressLabel(hhZhang, ask, "🙂 基本满意")
	h.expect(hhZhang, hn, "谢谢", "#1")

	// #2: solved on the spot, solved but 不满意; again: solved, 满意.
	c = h.mark(cadreLiu)
	h.tg.SendText(hhZhang2, "低保的事")
	note2 := h.expect(cadreLiu, c, "#2")
	hn = h.mark(hhZhang2)
	h.pressLabel(cadreLiu, note2, "✅ 当场解决")
	ask = h.expect(hhZhang2, hn, "#2", "当场解决")
	h.pressLabel(hhZhang2, ask, "✅ 解决了")
	h.pressLabel(hhZhang2, ask, "🙁 不满意")
	back = h.expect(cadreLiu, c, "退回", "#2", "不满意")
	hn = h.mark(hhZhang2)
	h.pressLabel(cadreLiu, back, "✅ 当场解决")
	ask = h.expect(hhZhang2, hn, "#2", "当场解决")
	h.pressLabel(hhZhang2, ask, "✅ 解决了")
	h.pressLabel(hhZhang2, ask, "😊 满意")
	h.expect(hhZhang2, hn, "谢谢", "#2")

	for id, want := range map[int64][]string{1: {"n", "y"}, 2: {"y", "y"}} {
		if r := h.request(id); r.State != flows.StateClosed || r.Solved != "yes" {
			t.Errorf("#%d: %s solved %q", id, r.State, r.Solved)
		}
		events, err := h.m.Store.Timeline(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range events {
			if ev.Action == flows.ActSolvedQ {
				got = append(got, ev.Note)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("#%d: answers to solved? %v, want %v", id, got, want)
		}
	}
	// Four answers to "solved?", three "yes"; three ratings, two good.
	l := h.mark(leaderZh)
	h.tg.SendText(leaderZh, "/digest")
	h.expect(leaderZh, l, "解决率 75%", "满意率 67%")
}

// TestVerdictWaitAfterReopen: the verdict wait's second question after a
// reopen is the one still open: "solved?", or the rating once answered.
func TestVerdictWaitAfterReopen(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "路不通")
	note := h.expect(cadreLiu, c, "#1")
	hn := h.mark(hhZhang)
	h.pressLabel(cadreLiu, note, "✅ 当场解决")
	ask := h.expect(hhZhang, hn, "当场解决")
	h.pressLabel(hhZhang, ask, "❌ 没解决")
	back := h.expect(cadreLiu, c, "退回")
	h.pressLabel(cadreLiu, back, "✅ 当场解决")
	h.drain()
	hn = h.mark(hhZhang)
	h.advance(3*24*time.Hour + 13*time.Hour) // half of sla.verdict_wait
	again := h.expect(hhZhang, hn, "#1", "解决了吗")
	h.pressLabel(hhZhang, again, "✅ 解决了")

	// Answered "solved" but not rated: the next resolution's wait asks for the rating.
	c = h.mark(cadreLiu)
	h.pressLabel(hhZhang, again, "🙁 不满意")
	back = h.expect(cadreLiu, c, "退回", "不满意")
	h.pressLabel(cadreLiu, back, "✅ 当场解决")
	ask = h.expect(hhZhang, hn, "#1", "当场解决")
	h.pressLabel(hhZhang, ask, "✅ 解决了")
	h.drain()
	hn = h.mark(hhZhang)
	h.advance(3*24*time.Hour + 13*time.Hour)
	again = h.expect(hhZhang, hn, "#1", "满意")
	if hasButton(again, "vs:") || !hasButton(again, "vr:1:3") {
		t.Fatalf("the second question asks the wrong thing: %q %+v", again.Text, again.Buttons)
	}
	h.pressLabel(hhZhang, again, "😊 满意")
	if r := h.request(1); r.State != flows.StateClosed || r.Solved != "yes" || r.Rating != flows.RatingSatisfied {
		t.Fatalf("%+v", r)
	}
}

// TestReopenedLateRequest: a request resolved after its deadline and sent
// back keeps the date it was promised, so it is late wherever it is listed.
func TestReopenedLateRequest(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "屋后的沟堵了")
	note := h.expect(cadreLiu, c, "#1")
	h.pressLabel(cadreLiu, note, "📅 限期1天") // due 2026-12-02
	h.clock.Set(time.Date(2026, 12, 3, 10, 0, 0, 0, shanghai))
	h.advance(0)
	h.expect(cadreLiu, c, "超期", "#1")
	hn := h.mark(hhZhang)
	h.pressLabel(cadreLiu, note, "✔️ 已办结")
	ask := h.expect(hhZhang, hn, "#1", "已办结")
	h.pressLabel(hhZhang, ask, "❌ 没解决")
	back := h.expect(cadreLiu, c, "退回", "#1")
	if !hasButton(back, "rs:1:") || !hasButton(back, "md:1:") {
		t.Errorf("the reopened request lacks 已办结 and 改期: %+v", back.Buttons)
	}
	h.drain()
	contains(t, "/my", h.say(hhZhang, "/my").Text, "#1", "截止 2026-12-02", "超期")
	contains(t, "/open", h.say(cadreLiu, "/open").Text, "#1", "超期", "截止 2026-12-02")
	if r := h.request(1); r.State != flows.StatePromised || !r.Late(h.clock.Now()) {
		t.Errorf("reopened: %s late=%v", r.State, r.Late(h.clock.Now()))
	}
	// The unit's leader, binding now, gets it as late; /open lists it.
	h.bind(leaderZh, "L001")
	h.expect(leaderZh, 0, "督办", "#1", "2026-12-02 已过")
	contains(t, "leader's /open", h.say(leaderZh, "/open").Text, "#1", "超期")
}
