package app_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/demodata"
	"github.com/minqing/minqing/internal/roster"
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
// Among them, officials changed by a re-import made after the request was
// sent: a leader and a cadre taken off the roster (told once that the role
// ended, then strangers), a leader who became a cadre and a leader of
// another unit who moved to the request's unit: each has exactly the rights
// of the new roster, from the next update on.
func TestAuthorizationMatrix(t *testing.T) {
	r, err := demodata.Roster()
	if err != nil {
		t.Fatal(err)
	}
	extra := []flows.Cadre{
		{ID: "L03", Name: "钱卫东", Unit: "县财政局", Role: flows.RoleLeader},
		{ID: "C09", Name: "韩冬梅", Unit: "县财政局", Role: flows.RoleCadre},
		{ID: "L04", Name: "冯国华", Unit: "县财政局", Role: flows.RoleLeader},
		{ID: "L05", Name: "许长江", Unit: "县住建局", Role: flows.RoleLeader},
	}
	r.Cadres = append(r.Cadres, extra...)
	h := launchWith(t, false, r, nil)
	people := map[string]telegramtest.User{
		"household own":      {ID: 1, FirstName: "own", LanguageCode: "zh"},
		"household other":    {ID: 2, FirstName: "other", LanguageCode: "zh"},
		"cadre assigned":     {ID: 11, FirstName: "c01", LanguageCode: "zh"},
		"cadre same unit":    {ID: 12, FirstName: "c02", LanguageCode: "zh"},
		"cadre other unit":   {ID: 13, FirstName: "c03", LanguageCode: "zh"},
		"leader own unit":    {ID: 21, FirstName: "l01", LanguageCode: "zh"},
		"leader other":       {ID: 22, FirstName: "l02", LanguageCode: "zh"},
		"leader county":      {ID: 20, FirstName: "l00", LanguageCode: "zh"},
		"leader removed":     {ID: 23, FirstName: "l03", LanguageCode: "zh"},
		"cadre removed":      {ID: 19, FirstName: "c09", LanguageCode: "zh"},
		"leader now a cadre": {ID: 24, FirstName: "l04", LanguageCode: "zh"},
		"leader of new unit": {ID: 25, FirstName: "l05", LanguageCode: "zh"},
		"stranger":           {ID: 99, FirstName: "x", LanguageCode: "zh"},
	}
	refs := map[string]string{"household own": "H01", "household other": "H02", "cadre assigned": "C01", "cadre same unit": "C02",
		"cadre other unit": "C03", "leader own unit": "L01", "leader other": "L02", "leader county": "L00",
		"leader removed": "L03", "cadre removed": "C09", "leader now a cadre": "L04", "leader of new unit": "L05"}
	for who, ref := range refs {
		h.bind(people[who], ref)
	}
	own, assigned := people["household own"], people["cadre assigned"]
	c := h.mark(assigned)
	h.tg.SendText(own, "需要帮助")
	note := h.expect(assigned, c, "#1")

	// The re-import: L03 and C09 leave, L04 becomes a cadre, L05 moves
	// to the request's unit.
	ended := map[string]int{}
	for _, who := range []string{"leader removed", "cadre removed"} {
		ended[who] = h.mark(people[who])
	}
	r2 := r
	r2.Cadres = append(append([]flows.Cadre{}, r.Cadres[:len(r.Cadres)-len(extra)]...),
		flows.Cadre{ID: "L04", Name: "冯国华", Unit: "县财政局", Role: flows.RoleCadre},
		flows.Cadre{ID: "L05", Name: "许长江", Unit: "县财政局", Role: flows.RoleLeader})
	rep, err := h.m.Service.ImportRoster(context.Background(), r2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep.CadresRemoved, []string{"C09", "L03"}) || !reflect.DeepEqual(rep.CadresChanged, []string{"L04", "L05"}) || rep.RolesEnded != 2 {
		t.Errorf("import report %+v", rep)
	}
	for who, mark := range ended {
		h.expect(people[who], mark, "职务", "解除绑定")
	}

	allowed := map[string]bool{"cadre assigned": true, "leader own unit": true, "leader county": true, "leader of new unit": true}
	strangers := map[string]bool{"stranger": true, "leader removed": true, "cadre removed": true}
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
			"leader own unit": "待办诉求", "leader other": "待办诉求", "leader county": "待办诉求",
			"leader now a cadre": "待办诉求", "leader of new unit": "待办诉求"}},
		{"/digest", map[string]string{"leader own unit": "周报", "leader other": "周报", "leader county": "周报", "leader of new unit": "县财政局"}},
		{"/help", map[string]string{"household own": "/my", "household other": "/my", "cadre assigned": "/open",
			"cadre same unit": "/open", "cadre other unit": "/open", "leader own unit": "/digest", "leader other": "/digest",
			"leader county": "/digest", "leader now a cadre": "/open", "leader of new unit": "/digest"}},
		{"/lang", map[string]string{"household own": "English", "household other": "English", "cadre assigned": "English",
			"cadre same unit": "English", "cadre other unit": "English", "leader own unit": "English", "leader other": "English",
			"leader county": "English", "leader now a cadre": "English", "leader of new unit": "English"}},
		{"/lang zh", map[string]string{"household own": "中文", "household other": "中文", "cadre assigned": "中文",
			"cadre same unit": "中文", "cadre other unit": "中文", "leader own unit": "中文", "leader other": "中文",
			"leader county": "中文", "leader now a cadre": "中文", "leader of new unit": "中文"}},
		{"/visit", map[string]string{"cadre assigned": "走访", "cadre same unit": "走访", "cadre other unit": "走访",
			"leader own unit": "走访", "leader other": "走访", "leader county": "走访", "leader now a cadre": "住户",
			"leader of new unit": "走访"}},
		{"/visits", map[string]string{"cadre assigned": "最近的走访", "cadre same unit": "最近的走访", "cadre other unit": "最近的走访",
			"leader own unit": "最近的走访", "leader other": "最近的走访", "leader county": "最近的走访", "leader now a cadre": "最近的走访",
			"leader of new unit": "最近的走访"}},
		{"/revisits", map[string]string{"leader own unit": "待电话回访", "leader other": "待电话回访", "leader county": "待电话回访",
			"leader of new unit": "待电话回访"}},
		// (households' text is a request: not asked here)
		{"在吗", map[string]string{"cadre assigned": "回复",
			"cadre same unit": "回复", "cadre other unit": "回复", "leader own unit": "回复", "leader other": "回复",
			"leader county": "回复", "leader now a cadre": "回复", "leader of new unit": "回复"}},
	}
	for _, tc := range cmds {
		for who, u := range people {
			if tc.cmd == "在吗" && strings.HasPrefix(who, "household") {
				continue
			}
			text := h.say(u, tc.cmd).Text
			if tc.cmd == "/digest" {
				h.drain() // its chart and sheet come after its text
			}
			want, ok := tc.want[who]
			switch {
			case strangers[who]:
				contains(t, who+" "+tc.cmd, text, "民情联系卡")
			case !ok:
				contains(t, who+" "+tc.cmd, text, "没有权限")
			default:
				contains(t, who+" "+tc.cmd, text, want)
			}
			if ok && !allowed[who] && who != "household own" && strings.Contains(text, "需要帮助") {
				t.Errorf("%s sees household own's request in %s", who, tc.cmd)
			}
		}
	}
	// A removed official's reply to the request's message reaches no one.
	hn := h.mark(own)
	h.tg.SendReply(people["leader removed"], "我来处理", note.ID)
	h.none(own, hn, "我来处理")
	// A household's reply to another household's message goes nowhere near it.
	other := people["household other"]
	hn = h.mark(own)
	h.tg.SendReply(other, "我也要", 1)
	h.drain()
	h.none(own, hn, "我也要")

	// Nothing of the unit reaches the removed officials again: reminders,
	// escalations (which now reach the leader of the new unit), a new
	// request, digests.
	h.drain()
	for who := range ended {
		ended[who] = h.mark(people[who])
	}
	l5 := h.mark(people["leader of new unit"])
	h.tg.SendText(people["household own"], "又出事了")
	h.tg.SendText(people["household other"], "路断了")
	h.advance(49 * time.Hour)
	h.expect(people["leader of new unit"], l5, "督办")
	if _, err := h.m.Service.SendDigests(context.Background(), h.clock.Now(), h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.expect(people["leader of new unit"], l5, "周报")
	// Every leader's chart and spreadsheet are drawn as they are sent: slow
	// under -race on a busy machine, so this waits longer than drain.
	if !waitUntil(2*time.Minute, func() bool {
		n, err := h.outboxDepth()
		return err == nil && n == 0
	}) {
		t.Fatal("the digests were not sent")
	}
	h.drain()
	for who, mark := range ended {
		if got := h.tg.BotMessages(people[who].ID)[mark:]; len(got) > 0 {
			t.Errorf("%s, off the roster, got %d more messages: %q", who, len(got), got[0].Text)
		}
		if n := countWith(h, people[who], 0, "解除绑定"); n != 1 {
			t.Errorf("%s was told %d times that the role ended, want once", who, n)
		}
	}
}

// TestTransferButtonsOfOthers presses every button of notes, transfers and
// send-backs as everyone who may not use them: the household, a cadre of a
// third unit, a cadre of the receiving unit who was not assigned, a
// stranger, and officials a re-import took off the roster (a leader of the
// sending unit, a cadre of the receiving one). None changes anything; the
// receiving leader cannot assign the removed cadre either.
func TestTransferButtonsOfOthers(t *testing.T) {
	r, err := roster.Load("../roster/testdata/cadres.csv", "../roster/testdata/households.csv")
	if err != nil {
		t.Fatal(err)
	}
	extra := []flows.Cadre{
		{ID: "L003", Name: "钱国栋", Unit: "县住建局", Role: flows.RoleLeader},
		{ID: "C005", Name: "马小军", Unit: "县交通局", Role: flows.RoleCadre},
		{ID: "L009", Name: "何平", Unit: "县财政局", Role: flows.RoleLeader},
		{ID: "C008", Name: "蒋明", Unit: "县住建局", Role: flows.RoleCadre},
	}
	r.Cadres = append(r.Cadres, extra...)
	h := launchWith(t, false, r, nil)
	third := telegramtest.User{ID: 2005, FirstName: "小军", LanguageCode: "zh"}
	removedLeader := telegramtest.User{ID: 3009, FirstName: "何平", LanguageCode: "zh"}
	removedCadre := telegramtest.User{ID: 2008, FirstName: "蒋明", LanguageCode: "zh"}
	for u, ref := range map[telegramtest.User]string{cadreLiu: "C001", cadreWang: "C002", leaderZh: "L001", leaderHousing: "L003",
		hhZhang: "H001", third: "C005", removedLeader: "L009", removedCadre: "C008"} {
		h.bind(u, ref)
	}
	liu := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "房顶漏了")
	req := h.expect(cadreLiu, liu, "#1")
	n := h.mark(cadreLiu)
	h.press(cadreLiu, req, "tf:1:")
	pick := h.expect(cadreLiu, n, "转给哪个单位")
	lh := h.mark(leaderHousing)
	h.transferTo(cadreLiu, req, "1", "县住建局", "房屋安全归住建局")
	in := h.expect(leaderHousing, lh, "转办来的诉求 #1")

	// The re-import takes L009 and C008 off the roster.
	r2 := r
	r2.Cadres = append([]flows.Cadre{}, r.Cadres[:len(r.Cadres)-2]...)
	if _, err := h.m.Service.ImportRoster(context.Background(), r2); err != nil {
		t.Fatal(err)
	}
	h.drain()
	datas := []string{"tf:1:", buttonData(t, pick, "县交通局"), "nt:1:", "tl:1:", "sb:1:", "as:1:me",
		buttonData(t, in, "王秀梅"), buttonData(t, in, "蒋明"), "as:1:zz", "tf:1:zzzz", "hp:1:", "hp:1:" + strings.TrimPrefix(buttonData(t, pick, "县交通局"), "tf:1:")}
	for _, u := range []telegramtest.User{hhZhang, third, cadreWang, stranger, removedLeader, removedCadre} {
		for _, data := range datas {
			before := h.request(1)
			toast := h.press(u, in, data)
			if after := h.request(1); toast == "已完成" || toast == "Done" || after.Version != before.Version {
				t.Errorf("%s pressed %s: %q", u.FirstName, data, toast)
			}
		}
	}
	// The receiving leader cannot assign the cadre taken off the roster.
	if toast := h.press(leaderHousing, in, buttonData(t, in, "蒋明")); toast == "已完成" {
		t.Error("assigned a cadre off the roster")
	}
	// The sending unit's leader is not a leader of the request's unit now.
	for _, data := range []string{"as:1:me", "sb:1:", buttonData(t, in, "王秀梅")} {
		if toast := h.press(leaderZh, in, data); toast == "已完成" {
			t.Errorf("the sending unit's leader pressed %s", data)
		}
	}
	if r := h.request(1); !r.Assigning || r.Unit != "县住建局" {
		t.Fatalf("request changed: %+v", r)
	}
	h.drain()
	for _, u := range []telegramtest.User{hhZhang, third, stranger, removedLeader, removedCadre} {
		for _, m := range h.tg.BotMessages(u.ID) {
			if strings.Contains(m.Text, "时间线") || strings.Contains(m.Text, "备注") && u == hhZhang {
				t.Errorf("%s got %q", u.FirstName, m.Text)
			}
		}
	}
}
