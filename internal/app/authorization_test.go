package app_test

import (
	"strings"
	"testing"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/demodata"
)

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
