package main

import (
	"strings"
	"testing"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
)

func TestStrangersAndBadCodes(t *testing.T) {
	h := start(t)
	contains(t, "stranger", h.say(stranger, "hello").Text, "contact card")
	contains(t, "bad code", h.say(stranger, "/start notacode").Text, "not valid")
	contains(t, "zh stranger", h.say(hhZhou, "你好").Text, "民情联系卡")
}

// TestCoreLoop drives the card's whole loop as its users would.
func TestCoreLoop(t *testing.T) {
	h := start(t)
	contains(t, "cadre welcome", h.bind(cadreLiu, "C001").Text, "刘建国")
	contains(t, "leader welcome", h.bind(leaderZh, "L001").Text, "赵志强")
	card := h.bind(hhZhang, "H001").Text
	contains(t, "digital card", card, "民情联系卡", "张福来", "刘建国", "县财政局", "13800000001")

	// A household's plain message reaches its cadre, as literal text.
	n := h.mark(cadreLiu)
	ack := h.say(hhZhang, "房顶漏雨 <b>急</b> *help*")
	contains(t, "ack", ack.Text, "#1")
	note := h.expect(cadreLiu, n, "#1", "张福来", "保兴镇保安村", "房顶漏雨 <b>急</b> *help*")
	if len(note.Buttons) == 0 {
		t.Fatal("notification has no buttons")
	}
	for _, want := range []string{"ct:1:", "ss:1:", "dl:1:3"} {
		if !hasButton(note, want) {
			t.Errorf("notification lacks button %q: %+v", want, note.Buttons)
		}
	}

	// The cadre's Telegram reply reaches the household and is the first response.
	n = h.mark(hhZhang)
	h.tg.SendReply(cadreLiu, "明天上午来看", note.ID)
	answer := h.expect(hhZhang, n, "刘建国", "明天上午来看")
	if r := h.request(1); r.State != flows.StateResponded || r.FirstResponseAt.IsZero() {
		t.Errorf("after reply: state %s, first response %v", r.State, r.FirstResponseAt)
	}

	// The household's reply to the answer reaches the cadre, on request #1.
	n = h.mark(cadreLiu)
	h.tg.SendReply(hhZhang, "好的谢谢", answer.ID)
	h.expect(cadreLiu, n, "#1", "补充", "好的谢谢")

	// The cadre commits to a deadline; the household sees it.
	n = h.mark(hhZhang)
	if toast := h.press(cadreLiu, note, "dl:1:3"); toast != "已完成" {
		t.Errorf("deadline toast %q", toast)
	}
	h.expect(hhZhang, n, "#1", "2026-12-04")
	if r := h.request(1); r.State != flows.StatePromised {
		t.Errorf("after deadline: %s", r.State)
	}

	// The commands answer.
	contains(t, "/my", h.say(hhZhang, "/my").Text, "#1", "限期办理", "2026-12-04", "房顶漏雨")
	contains(t, "/open", h.say(cadreLiu, "/open").Text, "#1", "张福来", "房顶漏雨")
	contains(t, "/digest", h.say(leaderZh, "/digest").Text, "县财政局", "周报", "刘建国：1/")
	contains(t, "/help", h.say(cadreLiu, "/help").Text, "/open")
	if cmds, ok := h.tg.Commands(nil, ""); !ok || len(cmds) < 4 {
		t.Errorf("setMyCommands: %v %v", cmds, ok)
	}

	// The cadre resolves it.
	n, c := h.mark(hhZhang), h.mark(cadreLiu)
	if toast := h.press(cadreLiu, note, "rs:1:"); toast != "已完成" {
		t.Errorf("resolve toast %q", toast)
	}
	h.expect(hhZhang, n, "#1", "已办结")
	// The cadre adds a short note by replying to the question.
	prompt := h.expect(cadreLiu, c, "办结说明")
	h.tg.SendReply(cadreLiu, "换了新瓦，不漏了", prompt.ID)
	h.expect(hhZhang, n, "办结说明", "换了新瓦")
	if r := h.request(1); r.State != flows.StateResolved || r.Note != "换了新瓦，不漏了" {
		t.Errorf("after the note: %s %q", r.State, r.Note)
	}
}

func hasButton(m telegramtest.Message, prefix string) bool {
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) {
				return true
			}
		}
	}
	return false
}

// TestButtonsOfOthersChangeNothing presses a request's buttons as everyone
// who may not act on it.
func TestButtonsOfOthersChangeNothing(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(cadreWang, "C002")
	h.bind(leaderZh, "L001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhou, "H004")
	n := h.mark(cadreLiu)
	h.say(hhZhang, "低保的事想问问")
	note := h.expect(cadreLiu, n, "#1")
	before := h.request(1)

	for _, u := range []telegramtest.User{cadreWang, hhZhang, hhZhou, stranger} {
		for _, data := range []string{"ct:1:", "ss:1:", "dl:1:7", "rs:1:", "tl:1:", "sp:1:5", "ct:1:x", "zz:1:", "ct:999:", "", strings.Repeat("a", 64)} {
			toast := h.press(u, note, data)
			if toast == "已完成" || toast == "Done" {
				t.Errorf("%s pressed %q: %q", u.FirstName, data, toast)
			}
		}
	}
	if after := h.request(1); after.Version != before.Version || after.State != before.State {
		t.Fatalf("request changed: %+v -> %+v", before, after)
	}
	// The unit's leader may act.
	if toast := h.press(leaderZh, note, "ct:1:"); toast != "已完成" {
		t.Errorf("leader toast %q", toast)
	}
	if r := h.request(1); r.State != flows.StateResponded {
		t.Errorf("after leader's press: %s", r.State)
	}
}

// TestCommandsByRole checks who may use which command.
func TestCommandsByRole(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.bind(leaderSun, "L002")
	contains(t, "household /open", h.say(hhZhang, "/open").Text, "没有权限")
	contains(t, "household /digest", h.say(hhZhang, "/digest").Text, "没有权限")
	contains(t, "cadre /my", h.say(cadreLiu, "/my").Text, "没有权限")
	contains(t, "cadre /digest", h.say(cadreLiu, "/digest").Text, "没有权限")
	contains(t, "stranger /my", h.say(stranger, "/my").Text, "contact card")
	contains(t, "county /digest", h.say(leaderSun, "/digest").Text, "county: weekly digest")
	contains(t, "empty /my", h.say(hhZhang, "/my").Text, "还没有")
	contains(t, "/lang", h.say(hhZhang, "/lang").Text, "English")
	contains(t, "english /my", h.say(hhZhang, "/my").Text, "No requests")
	contains(t, "cadre plain text", h.say(cadreLiu, "在吗").Text, "回复")
}
