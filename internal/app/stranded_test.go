package app_test

import (
	"testing"
	"time"
)

// TestRequestBeforeAnyoneBound: households write before their cadres and the
// leaders have bound. Each household is told the truth, and nothing is
// stranded: whoever binds gets at once, with its buttons, what waits for them.
func TestRequestBeforeAnyoneBound(t *testing.T) {
	h := start(t)
	h.bind(hhZhang, "H001") // cadre C001 (县财政局, leader L001)
	h.bind(hhZhou, "H004")  // cadre C002 (县住建局: no leader of its own, so the county-wide L002)
	hn, zn := h.mark(hhZhang), h.mark(hhZhou)
	h.tg.SendText(hhZhang, "水井坏了")
	h.expect(hhZhang, hn, "#1", "已记下", "刘建国", "开通后")
	h.tg.SendText(hhZhang, "电也停了") // a follow-up
	h.expect(hhZhang, hn, "已补充到诉求 #1")
	h.tg.SendPhoto(hhZhou, "屋顶漏了")
	h.expect(hhZhou, zn, "#2", "已记下", "王秀梅", "13800000002")
	h.none(hhZhang, hn, "领导") // no leader has it: the household is not told one does
	h.none(hhZhou, zn, "领导")

	// The cadre binds: the request arrives with its buttons, then its follow-up.
	c := h.mark(cadreLiu)
	h.bind(cadreLiu, "C001")
	note := h.expect(cadreLiu, c, "新诉求 #1", "张福来", "水井坏了")
	h.expect(cadreLiu, c, "#1", "电也停了")
	if toast := h.pressLabel(cadreLiu, note, "📞 已联系"); toast != "已完成" {
		t.Fatalf("contact toast %q", toast)
	}

	// The county-wide leader binds: #2, whose cadre cannot be reached, arrives
	// as an escalation with its buttons and its photo; #1 (its unit has a
	// leader of its own, and its cadre has it) does not.
	s := h.mark(leaderSun)
	h.bind(leaderSun, "L002")
	esc := h.expect(leaderSun, s, "Escalated", "#2", "cannot be reached", "屋顶漏了")
	if !hasButton(esc, "ss:2:") {
		t.Fatalf("escalation without buttons: %+v", esc.Buttons)
	}
	h.drain()
	if !h.tg.Wait(waitFor, func() bool {
		for _, m := range h.tg.BotMessages(leaderSun.ID)[s:] {
			if m.Media != "" {
				return true
			}
		}
		return false
	}) {
		t.Fatal("the photo of #2 did not reach the leader")
	}
	h.none(leaderSun, s, "#1")
	open := h.say(leaderSun, "/open").Text
	contains(t, "county-wide leader's /open", open, "#2", "周玉兰")
	if containsAll(open, []string{"#1"}) {
		t.Errorf("county-wide leader's /open lists #1:\n%s", open)
	}

	// #3 gets no answer for two days while the unit's leader has not bound:
	// binding, the leader gets it; not #1, which its cadre answered.
	h.bind(hhZhang2, "H002")
	c = h.mark(cadreLiu)
	h.tg.SendText(hhZhang2, "低保卡丢了")
	h.expect(cadreLiu, c, "#3")
	h.advance(49 * time.Hour)
	l := h.mark(leaderZh)
	h.bind(leaderZh, "L001")
	h.expect(leaderZh, l, "督办", "#3", "超时未回应", "低保卡丢了")
	h.none(leaderZh, l, "#1")
	open = h.say(leaderZh, "/open").Text
	contains(t, "unit leader's /open", open, "#3", "李桂芝")
	if containsAll(open, []string{"#1 "}) || containsAll(open, []string{"#2"}) {
		t.Errorf("unit leader's /open lists what does not need a leader:\n%s", open)
	}
}

// TestCadreUnreachableWithoutLeader: the cadre blocked the bot and no
// leader is bound: the household is not told a leader has its request.
func TestCadreUnreachableWithoutLeader(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.tg.Block(cadreLiu.ID)
	hn := h.mark(hhZhang)
	h.tg.SendText(hhZhang, "孩子生病了")
	h.expect(hhZhang, hn, "#1", "已记下", "暂时收不到消息")
	h.none(hhZhang, hn, "领导")
}
