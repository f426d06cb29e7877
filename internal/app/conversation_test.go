package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
)

// TestCoreLoop drives the card's whole loop as its users would.
func TestCoreLoop(t *testing.T) {
	h := start(t)
	welcome := h.bind(cadreLiu, "C001").Text
	contains(t, "cadre welcome", welcome, "刘建国", "回复", "/open")
	if strings.Contains(welcome, "/digest") {
		t.Errorf("a cadre is offered /digest: %s", welcome)
	}
	// A leader is told what a leader gets.
	contains(t, "leader welcome", h.bind(leaderZh, "L001").Text, "赵志强", "督办", "本单位", "周报", "/digest", "/open")
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

// TestMediaAndFollowups: media is copied; a second message joins the open
// request and one tap splits it into a new one.
func TestMediaAndFollowups(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")

	n := h.mark(cadreLiu)
	photo := h.tg.SendPhoto(hhZhang, "墙裂了")
	h.expect(hhZhang, 0, "#1")
	h.expect(cadreLiu, n, "#1", "[照片]", "墙裂了")
	if !h.tg.Wait(waitFor, func() bool { return hasCopy(h.tg.BotMessages(cadreLiu.ID), photo.ID) }) {
		t.Fatal("the photo was not copied to the cadre")
	}

	n, hn := h.mark(cadreLiu), h.mark(hhZhang)
	voice := h.tg.SendVoice(hhZhang)
	ack := h.expect(hhZhang, hn, "#1", "补充")
	h.expect(cadreLiu, n, "#1", "[语音]")
	if !h.tg.Wait(waitFor, func() bool { return hasCopy(h.tg.BotMessages(cadreLiu.ID), voice.ID) }) {
		t.Fatal("the voice note was not copied to the cadre")
	}

	// One tap makes the follow-up a request of its own.
	n, hn = h.mark(cadreLiu), h.mark(hhZhang)
	if toast := h.press(hhZhang, ack, ack.Buttons[0][0].CallbackData); toast != "已完成" {
		t.Fatalf("split toast %q", toast)
	}
	h.expect(hhZhang, hn, "#2")
	h.expect(cadreLiu, n, "新诉求 #2", "[语音]")

	for _, send := range []func(){
		func() { h.tg.SendLocation(hhZhang, 48.9, 130.4) },
		func() { h.tg.SendContact(hhZhang, "13900000999", "邻居") },
		func() { h.tg.SendVideo(hhZhang, "") },
		func() { h.tg.SendDocument(hhZhang, "a.pdf", []byte("%PDF"), "") },
	} {
		hn = h.mark(hhZhang)
		send()
		h.expect(hhZhang, hn, "补充")
	}
	hn = h.mark(hhZhang)
	h.tg.SendSticker(hhZhang, "👍")
	h.expect(hhZhang, hn, "暂不支持")
}

func hasCopy(msgs []telegramtest.Message, id int) bool {
	for _, m := range msgs {
		if m.CopyOf.MessageID == id {
			return true
		}
	}
	return false
}

// TestRoutingSurvivesRestart: a cadre replies to a notification sent before
// the bot restarted.
func TestRoutingSurvivesRestart(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	n := h.mark(cadreLiu)
	h.say(hhZhang, "电线老化")
	note := h.expect(cadreLiu, n, "#1")

	h.stop()
	h.boot()
	hn := h.mark(hhZhang)
	h.tg.SendReply(cadreLiu, "电工周三到", note.ID)
	h.expect(hhZhang, hn, "电工周三到")
}

// TestPerChatOrder: a burst from one household is handled in order.
func TestPerChatOrder(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	n := h.mark(cadreLiu)
	words := []string{"一", "二", "三", "四", "五", "六", "七", "八"}
	for _, w := range words {
		h.tg.SendText(hhZhang, "第"+w+"条")
	}
	h.expect(cadreLiu, n, "第八条")
	events, err := h.m.Store.Timeline(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != len(words) {
		t.Fatalf("timeline has %d events, want %d (one request, seven follow-ups)", len(events), len(words))
	}
	for i, ev := range events {
		if ev.Msg == nil || ev.Msg.Text != "第"+words[i]+"条" {
			t.Fatalf("event %d: %+v", i, ev.Msg)
		}
	}
}

// TestFloodControl: one account sending faster than flood.per_minute is
// told once; its cadre is not flooded; nothing is lost.
func TestFloodControl(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	c, hn := h.mark(cadreLiu), h.mark(hhZhang)
	for i := 0; i < 30; i++ {
		h.tg.SendText(hhZhang, fmt.Sprintf("第%02d条", i))
	}
	h.drain()
	if n := countWith(h, hhZhang, hn, "发得太快"); n != 1 {
		t.Errorf("%d slow-down notices, want 1", n)
	}
	if n := len(h.tg.BotMessages(cadreLiu.ID)[c:]); n > h.m.Config.Flood.PerMinute {
		t.Errorf("the cadre got %d messages in a minute, more than flood.per_minute", n)
	}
	events, err := h.m.Store.Timeline(context.Background(), 1)
	if err != nil || len(events) != 30 {
		t.Fatalf("timeline keeps %d of 30 messages (%v)", len(events), err)
	}
}

// TestLongAndOddMessages: a text over Telegram's limit is split, not
// dropped; stickers get a gentle answer.
func TestLongAndOddMessages(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	c := h.mark(cadreLiu)
	long := strings.Repeat("家里的困难很多，", 700) + "完"
	h.tg.SendText(hhZhang, long)
	h.expect(cadreLiu, c, "完")
	var got strings.Builder
	for _, m := range h.tg.BotMessages(cadreLiu.ID)[c:] {
		got.WriteString(m.Text)
	}
	if n := strings.Count(got.String(), "家里的困难很多"); n != 700 {
		t.Fatalf("the cadre got %d of 700 parts", n)
	}
	hn := h.mark(hhZhang)
	h.tg.SendSticker(hhZhang, "😀")
	h.expect(hhZhang, hn, "暂不支持")
}
