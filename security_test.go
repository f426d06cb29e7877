package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/demodata"
	"github.com/minqing/minqing/flows"
)

// TestWrongCodesLockOut: after 10 wrong codes in an hour an account is
// refused even with a right code, and no code appears in the logs.
func TestWrongCodesLockOut(t *testing.T) {
	h := start(t)
	for i := 0; i < 12; i++ {
		reply := h.say(stranger, fmt.Sprintf("/start guess%02dAAAAAAAAAAAAAAAA", i))
		want := "not valid"
		if i >= flows.MaxWrongCodes {
			want = "Too many wrong codes"
		}
		contains(t, fmt.Sprintf("try %d", i+1), reply.Text, want)
	}
	contains(t, "right code refused", h.say(stranger, "/start "+h.codes["H001"]).Text, "Too many wrong codes")
	if a, err := h.m.Store.Account(context.Background(), stranger.ID); err == nil {
		t.Fatalf("the locked-out account was bound: %+v", a)
	}
	// Another account is not affected, and a code typed in groups works.
	code := h.codes["H002"]
	contains(t, "grouped code", h.say(hhZhang2, "/start "+code[:4]+" "+code[4:8]+" "+code[8:]).Text, "李桂芝")
	h.stop()
	logs := h.logs.String()
	if strings.Contains(logs, "guess0") || strings.Contains(logs, code) {
		t.Error("a code was logged")
	}
	contains(t, "binding attempts are logged", logs, `"outcome":"not_found"`, `"outcome":"locked out"`, `"outcome":"bound"`)
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

// TestAuthorizationMatrix presses every button and sends every command as
// every kind of person: only the allowed ones work, the rest change nothing.
func TestAuthorizationMatrix(t *testing.T) {
	r, err := demodata.Roster()
	if err != nil {
		t.Fatal(err)
	}
	h := launchWith(t, false, r, nil)
	people := map[string]telegramtest.User{
		"household own":    {ID: 1, FirstName: "own", LanguageCode: "zh"},
		"household other":  {ID: 2, FirstName: "other", LanguageCode: "zh"},
		"cadre assigned":   {ID: 11, FirstName: "c01", LanguageCode: "zh"},
		"cadre same unit":  {ID: 12, FirstName: "c02", LanguageCode: "zh"},
		"cadre other unit": {ID: 13, FirstName: "c03", LanguageCode: "zh"},
		"leader own unit":  {ID: 21, FirstName: "l01", LanguageCode: "zh"},
		"leader other":     {ID: 22, FirstName: "l02", LanguageCode: "zh"},
		"leader county":    {ID: 20, FirstName: "l00", LanguageCode: "zh"},
		"stranger":         {ID: 99, FirstName: "x", LanguageCode: "zh"},
	}
	refs := map[string]string{"household own": "H01", "household other": "H02", "cadre assigned": "C01", "cadre same unit": "C02",
		"cadre other unit": "C03", "leader own unit": "L01", "leader other": "L02", "leader county": "L00"}
	for who, ref := range refs {
		h.bind(people[who], ref)
	}
	own, assigned := people["household own"], people["cadre assigned"]
	c := h.mark(assigned)
	h.tg.SendText(own, "需要帮助")
	note := h.expect(assigned, c, "#1")

	allowed := map[string]bool{"cadre assigned": true, "leader own unit": true, "leader county": true}
	// Buttons that do not change state first, then the moves from "received".
	for _, data := range []string{"tl:1:", "cg:1:", "cg:1:2", "ct:1:", "dl:1:3", "rs:1:", "ss:1:"} {
		for who, u := range people {
			before := h.request(1)
			toast := h.press(u, note, data)
			after := h.request(1)
			ok := toast == "已完成"
			switch {
			case allowed[who] && data == "ct:1:" && who != "cadre assigned":
				// contact is done once; the others then see it as invalid
			case allowed[who] && !ok && !strings.Contains(toast, "不能"):
				t.Errorf("%s pressing %s: %q, want it allowed", who, data, toast)
			case !allowed[who] && (ok || after.Version != before.Version):
				t.Errorf("%s pressing %s: %q and the request changed: %v", who, data, toast, after.Version != before.Version)
			}
		}
	}
	h.drain() // the timelines asked for above have arrived
	// Commands: who gets an answer, who is told no.
	cmds := []struct {
		cmd  string
		want map[string]string // role -> text in the answer ("" = refused)
	}{
		{"/my", map[string]string{"household own": "#1", "household other": "我的诉求"}},
		{"/open", map[string]string{"cadre assigned": "待办诉求", "cadre same unit": "待办诉求", "cadre other unit": "待办诉求",
			"leader own unit": "待办诉求", "leader other": "待办诉求", "leader county": "待办诉求"}},
		{"/digest", map[string]string{"leader own unit": "周报", "leader other": "周报", "leader county": "周报"}},
	}
	for _, tc := range cmds {
		for who, u := range people {
			text := h.say(u, tc.cmd).Text
			want, ok := tc.want[who]
			switch {
			case who == "stranger":
				contains(t, who+" "+tc.cmd, text, "民情联系卡")
			case !ok:
				contains(t, who+" "+tc.cmd, text, "没有权限")
			default:
				contains(t, who+" "+tc.cmd, text, want)
			}
			if ok && who != "household own" && who != "cadre assigned" && who != "leader own unit" && who != "leader county" && strings.Contains(text, "需要帮助") {
				t.Errorf("%s sees household own's request in %s", who, tc.cmd)
			}
		}
	}
	// A household's reply to another household's message goes nowhere near it.
	other := people["household other"]
	hn := h.mark(own)
	h.tg.SendReply(other, "我也要", 1)
	h.drain()
	h.none(own, hn, "我也要")
}
