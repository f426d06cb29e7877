package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/report"
	"github.com/minqing/minqing/internal/roster"
	"github.com/xuri/excelize/v2"
)

// The housing bureau's leader, added to the test roster for transfers.
var leaderHousing = telegramtest.User{ID: 3003, FirstName: "国栋", LanguageCode: "zh-hans"}

// startTransfer runs the test roster with a leader for 县住建局 (L003).
func startTransfer(t *testing.T) *harness {
	t.Helper()
	r, err := roster.Load("../roster/testdata/cadres.csv", "../roster/testdata/households.csv")
	if err != nil {
		t.Fatal(err)
	}
	r.Cadres = append(r.Cadres, flows.Cadre{ID: "L003", Name: "钱国栋", Unit: "县住建局", Role: flows.RoleLeader, Phone: "13800000013"})
	h := launchWith(t, false, r, nil)
	for u, ref := range map[telegramtest.User]string{cadreLiu: "C001", cadreWang: "C002", leaderZh: "L001", leaderSun: "L002",
		leaderHousing: "L003", hhZhang: "H001"} {
		h.bind(u, ref)
	}
	return h
}

// buttonData returns the callback data of m's button whose text holds label.
func buttonData(t *testing.T, m telegramtest.Message, label string) string {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no button %q under %q (%v)", label, m.Text, m.Buttons)
	return ""
}

// replyTo answers a bot message with a Telegram reply as u, and waits for
// u's next message.
func (h *harness) replyTo(u telegramtest.User, m telegramtest.Message, text string) telegramtest.Message {
	h.t.Helper()
	n := h.mark(u)
	h.tg.SendReply(u, text, m.ID)
	return h.next(u, n)
}

// transferTo has cadre u transfer the request under msg to unit with reason.
func (h *harness) transferTo(u telegramtest.User, msg telegramtest.Message, no, unit, reason string) {
	h.t.Helper()
	n := h.mark(u)
	if toast := h.press(u, msg, "tf:"+no+":"); toast != "已完成" {
		h.t.Fatalf("transfer: %q", toast)
	}
	pick := h.expect(u, n, "转给哪个单位")
	n = h.mark(u)
	h.press(u, pick, buttonData(h.t, pick, unit))
	prompt := h.expect(u, n, "原因", unit)
	contains(h.t, "transfer done", h.replyTo(u, prompt, reason).Text, "已转给"+unit)
}

// TestTransferEndToEnd is issue 17's "done when": a finance-bureau cadre
// transfers a request to the housing bureau with a reason; the housing
// leader assigns it; the assignee sets a deadline the household sees and
// resolves it; the household's own cadre hears of every step; the
// household's verdict closes it; the digest credits housing and shows the
// transfer. An internal note never reaches the household.
func TestTransferEndToEnd(t *testing.T) {
	h := startTransfer(t)
	liu := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "房子墙裂了，下雨漏水")
	req := h.expect(cadreLiu, liu, "#1", "房子墙裂了")

	// An internal note: a 备注 button, then a reply.
	n := h.mark(cadreLiu)
	h.press(cadreLiu, req, "nt:1:")
	prompt := h.expect(cadreLiu, n, "备注", "群众看不到")
	contains(t, "note saved", h.replyTo(cadreLiu, prompt, "打过住建局电话13800009999没人接").Text, "备注已记下")

	// Transfer to 县住建局 with a reason.
	lh, hh := h.mark(leaderHousing), h.mark(hhZhang)
	h.transferTo(cadreLiu, req, "1", "县住建局", "危房鉴定归住建局管")
	told := h.expect(hhZhang, hh, "#1", "县住建局", "危房鉴定归住建局管")
	_ = told
	in := h.expect(leaderHousing, lh, "转办来的诉求 #1", "县财政局", "危房鉴定归住建局管", "房子墙裂了")
	h.expect(leaderHousing, lh, "时间线", "备注", "打过住建局电话") // the timeline, with the note, for staff
	if r := h.request(1); r.Unit != "县住建局" || !r.Assigning || r.Contact != "C001" {
		t.Fatalf("after transfer: %+v", r)
	}
	// Someone of a third unit, or the household, cannot assign it.
	if toast := h.press(leaderZh, in, buttonData(t, in, "王秀梅")); toast == "已完成" {
		t.Error("the finance leader assigned a request of the housing bureau")
	}

	// The housing leader assigns it to 王秀梅.
	liu, wang := h.mark(cadreLiu), h.mark(cadreWang)
	if toast := h.press(leaderHousing, in, buttonData(t, in, "王秀梅")); toast != "已完成" {
		t.Fatalf("assign: %q", toast)
	}
	work := h.expect(cadreWang, wang, "分派给您的诉求 #1", "危房鉴定归住建局管", "房子墙裂了")
	h.expect(cadreLiu, liu, "#1", "分派", "王秀梅")
	contains(t, "the contact's /open", h.say(cadreLiu, "/open").Text, "#1")
	// The household's own cadre may not work its states any more.
	if toast := h.press(cadreLiu, req, "ct:1:"); toast == "已完成" {
		t.Error("the contact worked a transferred request")
	}
	// Reminders and escalation follow the receiving unit from the transfer.
	lh, zh := h.mark(leaderHousing), h.mark(leaderZh)
	h.advance(49 * time.Hour)
	h.expect(cadreWang, wang, "提醒", "#1")
	h.expect(leaderHousing, lh, "督办", "#1")
	h.none(leaderZh, zh, "督办")

	// The assignee sets a deadline the household sees, in the housing bureau's name.
	liu, hh = h.mark(cadreLiu), h.mark(hhZhang)
	h.press(cadreWang, work, "dl:1:7")
	h.expect(hhZhang, hh, "#1", "县住建局", "王秀梅", "前办结")
	h.expect(cadreLiu, liu, "#1", "王秀梅", "限期")
	// The household writes: the message goes to its own cadre.
	liu, wang = h.mark(cadreLiu), h.mark(cadreWang)
	h.tg.SendText(hhZhang, "什么时候来看看？")
	fu := h.expect(cadreLiu, liu, "什么时候来看看")
	h.none(cadreWang, wang, "什么时候来看看")
	// Its cadre answers it (a reply goes to the household) and adds a note.
	hh = h.mark(hhZhang)
	h.replyTo(cadreLiu, fu, "住建局王秀梅这周会来")
	h.expect(hhZhang, hh, "住建局王秀梅这周会来")
	n, liu = h.mark(cadreWang), h.mark(cadreLiu)
	h.press(cadreLiu, req, "nt:1:")
	prompt = h.expect(cadreLiu, liu, "备注")
	h.replyTo(cadreLiu, prompt, "户主腿脚不便，上午在家")
	h.expect(cadreWang, n, "备注", "户主腿脚不便")

	// The assignee's note reaches the household's cadre.
	n, liu = h.mark(cadreWang), h.mark(cadreLiu)
	h.press(cadreWang, work, "nt:1:")
	prompt = h.expect(cadreWang, n, "备注")
	h.replyTo(cadreWang, prompt, "鉴定站周三上门")
	h.expect(cadreLiu, liu, "备注", "鉴定站周三上门")

	// The assignee resolves; the household's verdict closes it.
	liu, hh = h.mark(cadreLiu), h.mark(hhZhang)
	h.press(cadreWang, work, "rs:1:")
	ask := h.expect(hhZhang, hh, "#1", "已办结", "县住建局")
	h.expect(cadreLiu, liu, "#1", "王秀梅", "办结")
	h.press(hhZhang, ask, "vs:1:y")
	h.press(hhZhang, ask, "vr:1:3")
	h.drain()
	if r := h.request(1); r.State != flows.StateClosed || r.CadreID != "C002" || r.Unit != "县住建局" {
		t.Fatalf("after the verdict: %+v", r)
	}
	h.expect(cadreLiu, liu, "#1", "满意度")

	// The household's /my, and every message it got, hold no note.
	h.say(hhZhang, "/my")
	h.drain()
	for _, m := range h.tg.BotMessages(hhZhang.ID) {
		for _, secret := range []string{"打过住建局电话", "13800009999", "腿脚不便", "鉴定站", "备注"} {
			if strings.Contains(m.Text+m.Caption, secret) {
				t.Errorf("the household got an internal note: %q", m.Text)
			}
		}
	}
	// export has the notes: they are about the household.
	ex, err := h.m.Service.Export(context.Background(), "H001")
	if err != nil {
		t.Fatal(err)
	}
	notes := 0
	for _, r := range ex.Requests {
		for _, ev := range r.Timeline {
			if ev.Action == flows.ActNote && ev.Internal {
				notes++
			}
		}
	}
	if notes != 3 {
		t.Errorf("export has %d notes, want 3", notes)
	}

	// The digest credits the housing bureau and shows the transfer.
	now := h.clock.Now()
	d, err := h.m.Service.BuildDigest(context.Background(), flows.DigestScope{}, flows.WeekOf(now, shanghai), now)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]flows.DigestRow{}
	for _, r := range d.Rows {
		rows[r.Name] = r
	}
	if rows["县住建局"].Resolved != 1 || rows["县住建局"].TransfersIn != 1 || rows["县财政局"].TransfersOut != 1 || rows["县财政局"].Resolved != 0 {
		t.Errorf("digest rows: %+v", d.Rows)
	}
	contains(t, "county digest", h.say(leaderSun, "/digest").Text, "Transfers: in 1", "县住建局")
	fin, err := h.m.Service.BuildDigest(context.Background(), flows.DigestScope{Unit: "县财政局"}, flows.WeekOf(now, shanghai), now)
	if err != nil {
		t.Fatal(err)
	}
	if fin.TransfersOut != 1 || fin.Resolved != 0 {
		t.Errorf("finance digest: out %d resolved %d", fin.TransfersOut, fin.Resolved)
	}
	if len(d.Requests) != 1 || strings.Join(d.Requests[0].Path, "→") != "县财政局→县住建局" {
		t.Errorf("spreadsheet path: %+v", d.Requests)
	}
	// The spreadsheet's last column is the path.
	b, err := report.Spreadsheet(d, "zh")
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	head, _ := f.GetCellValue("诉求", "P1")
	path, _ := f.GetCellValue("诉求", "P2")
	if head != "转办路径" || path != "县财政局 → 县住建局" {
		t.Errorf("spreadsheet: %q %q", head, path)
	}
}

// TestSendBackTwiceGoesToTheCounty: a transfer sent back twice reaches the
// county-wide leader, who picks the unit; that unit's leader assigns it and
// cannot send it back again. The sender and the sender's leader are told.
func TestSendBackTwiceGoesToTheCounty(t *testing.T) {
	h := startTransfer(t)
	liu := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "村口的桥塌了一半")
	req := h.expect(cadreLiu, liu, "#1", "桥塌了")
	sendBack := func(reason string) {
		t.Helper()
		lh := h.mark(leaderHousing)
		h.transferTo(cadreLiu, req, "1", "县住建局", "桥归住建局")
		in := h.expect(leaderHousing, lh, "转办来的诉求 #1")
		n := h.mark(leaderHousing)
		h.press(leaderHousing, in, buttonData(t, in, "退回"))
		prompt := h.expect(leaderHousing, n, "退回", "原因")
		// An empty reason is refused.
		contains(t, "empty reason", h.replyTo(leaderHousing, prompt, " ").Text, "不能为空")
		liu, zh := h.mark(cadreLiu), h.mark(leaderZh)
		h.replyTo(leaderHousing, prompt, reason)
		h.expect(cadreLiu, liu, "#1", "被县住建局退回", reason)
		h.expect(leaderZh, zh, "#1", "被县住建局退回", reason)
	}
	hh := h.mark(hhZhang)
	sendBack("桥梁归交通局")
	h.expect(hhZhang, hh, "#1", "仍由帮扶干部")
	if r := h.request(1); r.Unit != "县财政局" || r.CadreID != "C001" || r.SentBack != 1 {
		t.Fatalf("after one send-back: %+v", r)
	}
	sun := h.mark(leaderSun)
	sendBack("还是不归我们")
	decide := h.expect(leaderSun, sun, "#1", "county to decide", "还是不归我们")
	if r := h.request(1); r.Unit != "" || r.SentBack != 2 || !r.Assigning {
		t.Fatalf("after two send-backs: %+v", r)
	}
	// A unit's leader may not decide for the county.
	if toast := h.press(leaderHousing, decide, buttonData(t, decide, "县住建局")); toast == "已完成" {
		t.Error("a unit leader decided for the county")
	}
	lh, hh := h.mark(leaderHousing), h.mark(hhZhang)
	if toast := h.press(leaderSun, decide, buttonData(t, decide, "县住建局")); toast != "Done" {
		t.Fatalf("county decides: %q", toast)
	}
	h.expect(hhZhang, hh, "#1", "县里协调", "县住建局")
	in := h.expect(leaderHousing, lh, "转办来的诉求 #1")
	if hasButton(in, "sb:") {
		t.Error("a ruled transfer can be sent back")
	}
	wang := h.mark(cadreWang)
	h.press(leaderHousing, in, buttonData(t, in, "王秀梅"))
	h.expect(cadreWang, wang, "分派给您的诉求 #1")
	if r := h.request(1); r.CadreID != "C002" || r.Unit != "县住建局" || !r.Ruled || r.Assigning {
		t.Fatalf("after the county's ruling: %+v", r)
	}
}

// TestTransferToUnitWithoutLeader: a unit without a leader of its own gets
// its transfers through the county-wide leaders, who assign them to its cadres.
func TestTransferToUnitWithoutLeader(t *testing.T) {
	r, err := roster.Load("../roster/testdata/cadres.csv", "../roster/testdata/households.csv")
	if err != nil {
		t.Fatal(err)
	}
	r.Cadres = append(r.Cadres, flows.Cadre{ID: "C005", Name: "马小军", Unit: "县交通局", Role: flows.RoleCadre})
	h := launchWith(t, false, r, nil)
	ma := telegramtest.User{ID: 2005, FirstName: "小军", LanguageCode: "zh"}
	for u, ref := range map[telegramtest.User]string{cadreLiu: "C001", leaderSun: "L002", hhZhang: "H001", ma: "C005"} {
		h.bind(u, ref)
	}
	liu := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "村道塌方")
	req := h.expect(cadreLiu, liu, "#1")
	sun := h.mark(leaderSun)
	h.transferTo(cadreLiu, req, "1", "县交通局", "道路归交通局")
	in := h.expect(leaderSun, sun, "#1", "道路归交通局")
	contains(t, "county /open", h.say(leaderSun, "/open").Text, "#1")
	m := h.mark(ma)
	if toast := h.press(leaderSun, in, buttonData(t, in, "马小军")); toast != "Done" {
		t.Fatalf("assign: %q", toast)
	}
	h.expect(ma, m, "分派给您的诉求 #1")
	if r := h.request(1); r.CadreID != "C005" || r.Unit != "县交通局" {
		t.Fatalf("after assignment: %+v", r)
	}
}

// TestCoHandling: a helper unit (协办) gets the request with its context and
// adds notes the request's cadre hears of, never the household; it cannot
// work the request, answer the household or transfer it.
func TestCoHandling(t *testing.T) {
	r, err := roster.Load("../roster/testdata/cadres.csv", "../roster/testdata/households.csv")
	if err != nil {
		t.Fatal(err)
	}
	r.Cadres = append(r.Cadres, flows.Cadre{ID: "L005", Name: "马卫东", Unit: "县交通局", Role: flows.RoleLeader})
	h := launchWith(t, false, r, nil)
	helper := telegramtest.User{ID: 3005, FirstName: "卫东", LanguageCode: "zh"}
	for u, ref := range map[telegramtest.User]string{cadreLiu: "C001", hhZhang: "H001", helper: "L005"} {
		h.bind(u, ref)
	}
	liu := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "去镇上的路被水冲了")
	req := h.expect(cadreLiu, liu, "#1")
	n := h.mark(cadreLiu)
	h.press(cadreLiu, req, "hp:1:")
	pick := h.expect(cadreLiu, n, "协办")
	hm := h.mark(helper)
	h.press(cadreLiu, pick, buttonData(t, pick, "县交通局"))
	in := h.expect(helper, hm, "协办诉求 #1", "县财政局", "路被水冲了")
	for _, data := range []string{"ct:1:", "ss:1:", "dl:1:3", "tf:1:", "hp:1:"} {
		if toast := h.press(helper, in, data); toast == "已完成" {
			t.Errorf("the helper pressed %s", data)
		}
	}
	hh := h.mark(hhZhang)
	n = h.mark(helper)
	h.tg.SendReply(helper, "我们明天去看", in.ID)
	h.expect(helper, n, "没有权限")
	n, liu = h.mark(helper), h.mark(cadreLiu)
	h.press(helper, in, "nt:1:")
	prompt := h.expect(helper, n, "备注")
	h.replyTo(helper, prompt, "交通局养护站已派人")
	h.expect(cadreLiu, liu, "马卫东", "交通局养护站已派人")
	h.none(hhZhang, hh, "交通局")
	h.none(hhZhang, hh, "明天去看")
	if r := h.request(1); r.CadreID != "C001" || r.State != flows.StateReceived || len(r.Helpers) != 1 {
		t.Errorf("after co-handling: %+v", r)
	}
}
