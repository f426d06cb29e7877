package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/report"
)

// Texts the tests look for (bot/catalog.go).
const (
	nudgeText   = "走访提醒"
	checkinText = "最近家里都好吗"
	day         = 24 * time.Hour
)

// nudges returns the coverage lists u got after mark.
func nudges(h *harness, u telegramtest.User, mark int) []telegramtest.Message {
	h.drain()
	var out []telegramtest.Message
	for _, m := range h.tg.BotMessages(u.ID)[mark:] {
		if strings.Contains(m.Text, nudgeText) {
			out = append(out, m)
		}
	}
	return out
}

// button returns the callback data of the first button of m whose label
// holds label ("" if none).
func button(m telegramtest.Message, label string) string {
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return b.CallbackData
			}
		}
	}
	return ""
}

// TestCoverageNudgesBatchedOncePerPeriod: the households a cadre has not
// contacted for visits.every come in one message a cadre, with a button
// each; a household that wrote is left out; each goes on the list once a
// period.
func TestCoverageNudgesBatchedOncePerPeriod(t *testing.T) {
	h := start(t, func(c *config.Config) { c.Checkin.After = 0 })
	h.bind(cadreLiu, "C001")
	h.bind(cadreWang, "C002")
	h.bind(hhZhang, "H001")
	l, w := h.mark(cadreLiu), h.mark(cadreWang)
	h.advance(10 * day)
	h.say(hhZhang, "想问问低保的事") // H001 contacted on day 10
	h.advance(19 * day)
	if n := nudges(h, cadreLiu, l); len(n) != 0 {
		t.Fatalf("nudged before visits.every: %q", n[0].Text)
	}
	h.advance(day) // day 30 of the assignment (import)
	h.advance(time.Hour)
	h.advance(day - time.Hour) // more sweeps: still one list a period
	got := nudges(h, cadreLiu, l)
	if len(got) != 1 {
		t.Fatalf("%d lists to the cadre, want 1", len(got))
	}
	contains(t, "list", got[0].Text, "李桂芝", "陈万山", "2 户")
	if strings.Contains(got[0].Text, "张福来") {
		t.Errorf("a household that wrote on day 10 is listed:\n%s", got[0].Text)
	}
	if button(got[0], "李桂芝") == "" || button(got[0], "陈万山") == "" {
		t.Errorf("a button a household: %+v", got[0].Buttons)
	}
	if wl := nudges(h, cadreWang, w); len(wl) != 1 || !strings.Contains(wl[0].Text, "周玉兰") || !strings.Contains(wl[0].Text, "吴德厚") {
		t.Fatalf("the other cadre's lists: %d", len(wl))
	}
	h.advance(9 * day) // day 40: H001's period is over; the others' is not
	got = nudges(h, cadreLiu, l)
	if len(got) != 2 || !strings.Contains(got[1].Text, "张福来") || strings.Contains(got[1].Text, "李桂芝") {
		t.Fatalf("day 40: %d lists, last %q", len(got), got[len(got)-1].Text)
	}
	h.advance(20 * day) // day 60: the others again, once
	h.advance(time.Hour)
	got = nudges(h, cadreLiu, l)
	if len(got) != 3 || !strings.Contains(got[2].Text, "李桂芝") {
		t.Fatalf("day 60: %d lists", len(got))
	}
}

// TestNudgesWaitForWorkingTime: a list due on a Saturday comes on Monday
// when SLAs count working days, and never in the quiet hours.
func TestNudgesWaitForWorkingTime(t *testing.T) {
	h := start(t, func(c *config.Config) {
		c.Checkin.After = 0
		c.Visits.Every = 32 * day // assigned Tue 2026-12-01: due Sat 2027-01-02
		c.SLA.WorkingDays = true
		c.QuietHours, _ = config.ParseQuietHours("21:00-07:00")
	})
	h.bind(cadreLiu, "C001")
	l := h.mark(cadreLiu)
	for _, at := range []time.Time{
		time.Date(2027, 1, 2, 10, 0, 0, 0, shanghai), // Saturday
		time.Date(2027, 1, 3, 12, 0, 0, 0, shanghai), // Sunday
		time.Date(2027, 1, 4, 6, 59, 0, 0, shanghai), // Monday, quiet
	} {
		h.clock.Set(at)
		h.advance(0)
		if n := nudges(h, cadreLiu, l); len(n) != 0 {
			t.Fatalf("nudged at %v", at)
		}
	}
	h.clock.Set(time.Date(2027, 1, 4, 7, 0, 0, 0, shanghai))
	h.advance(0)
	if n := nudges(h, cadreLiu, l); len(n) != 1 {
		t.Fatalf("%d lists on Monday morning, want 1", len(n))
	}
}

// TestNudgeButtons: the household's cadre and the unit's leaders open a
// household's page from the list; a household, another unit's cadre and a
// forged button get nothing.
func TestNudgeButtons(t *testing.T) {
	h := start(t, func(c *config.Config) { c.Checkin.After = 0 })
	for u, ref := range map[telegramtest.User]string{cadreLiu: "C001", cadreWang: "C002", leaderZh: "L001", leaderSun: "L002", hhZhang: "H001"} {
		h.bind(u, ref)
	}
	l := h.mark(cadreLiu)
	h.advance(30 * day)
	got := nudges(h, cadreLiu, l)
	if len(got) != 1 {
		t.Fatalf("%d lists", len(got))
	}
	list := got[0]
	data := button(list, "陈万山")
	for _, u := range []telegramtest.User{hhZhang, cadreWang, stranger} {
		m := h.mark(u)
		if toast := h.press(u, list, data); toast == "已完成" || toast == "Done" {
			t.Errorf("%s pressed the list's button: %q", u.FirstName, toast)
		}
		h.none(u, m, "保安村三组8号")
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(data, "nv:"), ":")
	for data, want := range map[string]string{"nv:" + id + ":99": "当前状态下不能这样操作", "nv:987654:0": "已过期"} {
		if toast := h.press(cadreLiu, list, data); !strings.Contains(toast, want) {
			t.Errorf("%s: toast %q, want %q", data, toast, want)
		}
	}
	for _, u := range []telegramtest.User{cadreLiu, leaderZh, leaderSun} {
		m := h.mark(u)
		if toast := h.press(u, list, data); toast != "已完成" && toast != "Done" {
			t.Errorf("%s: toast %q", u.FirstName, toast)
		}
		h.expect(u, m, "陈万山", "保安村三组8号", "13900000103")
	}
}

// TestCheckinsOncePerPeriodHeldInQuietHours: a bound household silent for
// checkin.after gets one check-in in its cadre's name, not in the quiet
// hours; again a period later unless it wrote meanwhile.
func TestCheckinsOncePerPeriodHeldInQuietHours(t *testing.T) {
	h := start(t, func(c *config.Config) { c.QuietHours, _ = config.ParseQuietHours("21:00-07:00") })
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhou, "H004")
	z, y := h.mark(hhZhang), h.mark(hhZhou)
	count := func(u telegramtest.User, mark int) int { h.drain(); return countWith(h, u, mark, checkinText) }
	h.clock.Set(time.Date(2026, 12, 31, 22, 0, 0, 0, shanghai)) // due at 17:00; now quiet
	h.advance(0)
	h.clock.Set(time.Date(2027, 1, 1, 6, 59, 0, 0, shanghai))
	h.advance(0)
	if n := count(hhZhang, z); n != 0 {
		t.Fatalf("check-in in the quiet hours")
	}
	h.clock.Set(time.Date(2027, 1, 1, 7, 0, 0, 0, shanghai))
	h.advance(0)
	h.expect(hhZhang, z, checkinText, "刘建国")
	h.expect(hhZhou, y, checkinText, "王秀梅")
	h.advance(time.Hour)
	h.advance(28 * day)
	if n, m := count(hhZhang, z), count(hhZhou, y); n != 1 || m != 1 {
		t.Fatalf("check-ins within a period: %d and %d, want 1 each", n, m)
	}
	h.say(hhZhou, "孩子上学的事想问问") // she writes: her check-ins stop for a period
	h.advance(2 * day)         // 2027-01-31: a period after the first
	if n, m := count(hhZhang, z), count(hhZhou, y); n != 2 || m != 1 {
		t.Fatalf("check-ins after a period: %d (silent) and %d (wrote), want 2 and 1", n, m)
	}
}

// TestCheckinAnswers: 一切都好 is recorded as contact; 有事要说 makes the
// next message a request of its own, even with a request open; only the
// household asked may answer.
func TestCheckinAnswers(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhou, "H004")
	z := h.mark(hhZhang)
	h.advance(30 * day)
	ci := h.expect(hhZhang, z, checkinText)
	ok, talk := button(ci, "一切都好"), button(ci, "有事要说")
	if ok == "" || talk == "" {
		t.Fatalf("buttons %+v", ci.Buttons)
	}
	for _, u := range []telegramtest.User{hhZhou, cadreLiu, stranger} {
		if toast := h.press(u, ci, ok); toast == "已完成" || toast == "Done" {
			t.Errorf("%s answered another household's check-in: %q", u.FirstName, toast)
		}
	}
	ctx := context.Background()
	before, _ := h.m.Store.LastContacts(ctx, []string{"H001"})
	z = h.mark(hhZhang)
	if toast := h.press(hhZhang, ci, ok); toast != "已完成" {
		t.Fatalf("ok: %q", toast)
	}
	h.expect(hhZhang, z, "放心")
	after, _ := h.m.Store.LastContacts(ctx, []string{"H001"})
	if !after["H001"].At.Equal(h.clock.Now()) || !after["H001"].At.After(before["H001"].At) {
		t.Fatalf("last contact %v (before %v), want now", after["H001"].At, before["H001"].At)
	}

	h.say(hhZhang, "路灯坏了") // request #1, open
	z = h.mark(hhZhang)
	if toast := h.press(hhZhang, ci, talk); toast != "已完成" {
		t.Fatalf("talk: %q", toast)
	}
	h.expect(hhZhang, z, "新的诉求")
	c := h.mark(cadreLiu)
	h.say(hhZhang, "家里老人病了，想问问医保")
	h.expect(cadreLiu, c, "#2", "医保")
	if r := h.request(2); r.HouseholdID != "H001" {
		t.Fatalf("request 2: %+v", r)
	}
	h.say(hhZhang, "还有一件事") // the one after is a follow-up again
	h.drain()
	if _, err := h.m.Store.Request(ctx, 3); err == nil {
		t.Fatal("the second message after 有事要说 made a new request")
	}
}

// TestDigestCoverage: the digest counts the households of the unit reached
// in the last visits.every and in the week, 走访覆盖率 per cadre and village,
// and lists those never contacted; the spreadsheet carries the same.
func TestDigestCoverage(t *testing.T) {
	h := start(t, func(c *config.Config) { c.Checkin.After = 0 })
	h.bind(cadreLiu, "C001")
	h.bind(leaderZh, "L001")
	h.bind(hhZhang, "H001")
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "水管冻裂了") // H001: a request
	note := h.expect(cadreLiu, c, "水管冻裂了")
	h.tg.SendReply(cadreLiu, "下午来看", note.ID) // and the cadre's reply
	ctx := context.Background()
	if err := h.m.Service.Contacted(ctx, "H002", h.clock.Now(), "visit"); err != nil { // H002: a visit
		t.Fatal(err)
	}
	h.drain()
	l := h.mark(leaderZh)
	h.tg.SendText(leaderZh, "/digest")
	// 县财政局: 刘建国's H001–H003 and 赵志强's H006.
	h.expect(leaderZh, l, "走访覆盖", "覆盖率 50%（已联系 2/4 户，其中走访 1 户）", "本周联系 2 户 · 本周走访 1 户",
		"覆盖率最低：赵志强 0% · 刘建国 67%", "陈万山 · 保兴镇保安村 · 刘建国 · 尚无联系记录", "郑春花")

	d, err := h.m.Service.BuildDigest(ctx, flows.DigestScope{}, flows.WeekOf(h.clock.Now(), shanghai), h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	cov := d.Coverage
	if cov == nil || cov.Assigned != 6 || cov.Contacted != 2 || cov.Visited != 1 || len(cov.Longest) != 6 || len(cov.Rows) != 2 {
		t.Fatalf("county coverage %+v", cov)
	}
	book, err := report.Spreadsheet(d, "zh")
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("走访覆盖")
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, r := range rows {
		all = append(all, strings.Join(r, "|"))
	}
	contains(t, "coverage sheet", strings.Join(all, "\n"), "结对户数|6", "走访覆盖率|33%", "县住建局|2|0|0|0%", "陈万山|保兴镇保安村|刘建国|县财政局|尚无联系记录")
}

// TestNoCheckinWhileRequestOpen: a household with a request still open
// gets no check-in (its cadre is on its case); a silent neighbour does.
func TestNoCheckinWhileRequestOpen(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhou, "H004")
	h.say(hhZhang, "路灯坏了") // request #1, left open
	z, y := h.mark(hhZhang), h.mark(hhZhou)
	for range 31 {
		h.advance(day)
	}
	h.expect(hhZhou, y, checkinText)
	h.drain()
	if n := countWith(h, hhZhang, z, checkinText); n != 0 {
		t.Fatalf("%d check-ins beside an open request", n)
	}
	if r := h.request(1); r.State.Type() != flows.TypeOpen {
		t.Fatalf("request 1 closed: %+v", r)
	}
}
