package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/roster"
)

// callback returns the callback data of msg's button that starts with prefix.
func callback(t *testing.T, msg telegramtest.Message, prefix string) string {
	t.Helper()
	for _, row := range msg.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no %q button under %q", prefix, msg.Text)
	return ""
}

// openVisit runs /visit <query> as u and starts a visit to the one match.
func openVisit(h *harness, u telegramtest.User, query string) telegramtest.Message {
	h.t.Helper()
	n := h.mark(u)
	h.tg.SendText(u, "/visit "+query)
	page := h.expect(u, n, "上次走访") // the household's page
	n = h.mark(u)
	if toast := h.press(u, page, callback(h.t, page, "vo:")); toast != "已完成" {
		h.t.Fatalf("start visit: %q", toast)
	}
	return h.expect(u, n, "走访开始")
}

// TestVisitRecordedRequestPhoneVerdict: a cadre visits a household without
// an account, writes two notes and a photo, records a request, sets a
// deadline and resolves it; the unit's leader records the verdict by phone
// from /revisits, and the digest counts it.
func TestVisitRecordedRequestPhoneVerdict(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(leaderZh, "L001")
	ctx := context.Background()

	opened := openVisit(h, cadreLiu, "陈万山")
	contains(t, "opened", opened.Text, "陈万山", "保兴镇保安村")
	// The visit is the household's last contact (coverage).
	if last, err := h.m.Store.LastContacts(ctx, []string{"H003"}); err != nil || !last["H003"].Visited.Equal(h.clock.Now()) {
		t.Errorf("last contact after the visit: %+v %v", last, err)
	}
	contains(t, "note 1", h.say(cadreLiu, "屋顶漏雨，老人腿脚不便").Text, "第 1 条")
	contains(t, "note 2", h.say(cadreLiu, "孩子在县城读初中").Text, "第 2 条")
	n := h.mark(cadreLiu)
	h.tg.SendPhoto(cadreLiu, "屋顶")
	h.expect(cadreLiu, n, "第 3 条")
	n = h.mark(cadreLiu)
	h.tg.SendLocation(cadreLiu, 48.89, 130.39)
	h.expect(cadreLiu, n, "第 4 条")

	n = h.mark(cadreLiu)
	if toast := h.press(cadreLiu, opened, callback(t, opened, "vn:")); toast != "已完成" {
		t.Fatalf("record: %q", toast)
	}
	h.expect(cadreLiu, n, "请发诉求内容", "陈万山")
	rec := h.say(cadreLiu, "屋顶需要维修")
	contains(t, "recorded", rec.Text, "代录诉求 #1", "走访", "屋顶需要维修")
	r := h.request(1)
	if r.Origin != flows.OriginVisit || r.HouseholdID != "H003" || r.CadreID != "C001" || r.VisitID == 0 {
		t.Fatalf("recorded request %+v", r)
	}
	if toast := h.press(cadreLiu, rec, "dl:1:7"); toast != "已完成" {
		t.Fatalf("deadline: %q", toast)
	}
	if toast := h.press(cadreLiu, rec, "rs:1:"); toast != "已完成" {
		t.Fatalf("resolve: %q", toast)
	}
	if r := h.request(1); r.State != flows.StateResolved {
		t.Fatalf("state %s", r.State)
	}
	n = h.mark(cadreLiu)
	if toast := h.press(cadreLiu, opened, callback(t, opened, "ve:")); toast != "已完成" {
		t.Fatalf("end: %q", toast)
	}
	sum := h.expect(cadreLiu, n, "走访结束")
	contains(t, "summary", sum.Text, "陈万山", "日记 4 条", "文字 2", "照片 1", "位置 1", "代录诉求 1 件", "#1")
	v, err := h.m.Store.Visit(ctx, r.VisitID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Open() || len(v.Notes) != 4 || len(v.Requests) != 1 || v.Lat != 48.89 || v.Notes[2].Kind != flows.KindPhoto {
		t.Errorf("stored visit %+v", v)
	}

	// The handler never rates itself: the cadre has no /revisits, and its
	// press of a phone verdict changes nothing.
	contains(t, "cadre /revisits", h.say(cadreLiu, "/revisits").Text, "没有权限")
	if toast := h.press(cadreLiu, rec, "pv:1:y"); toast == "已完成" {
		t.Errorf("the handling cadre recorded a phone verdict: %q", toast)
	}

	// The leader asks by phone.
	n = h.mark(leaderZh)
	h.say(leaderZh, "/revisits")
	item := h.expect(leaderZh, n, "回访 #1", "陈万山", "13900000103", "屋顶需要维修")
	if toast := h.press(leaderZh, item, "pu:1:"); toast != "已完成" {
		t.Fatalf("not reached: %q", toast)
	}
	if toast := h.press(leaderZh, item, "pv:1:y"); toast != "已完成" {
		t.Fatalf("phone solved: %q", toast)
	}
	n = h.mark(leaderZh)
	if toast := h.press(leaderZh, item, "pr:1:3"); toast != "已完成" {
		t.Fatalf("phone rating: %q", toast)
	}
	h.expect(leaderZh, n, "回访已记录")
	if r := h.request(1); r.State != flows.StateClosed || r.Solved != "yes" || r.Rating != flows.RatingSatisfied {
		t.Fatalf("after the phone verdict: %+v", r)
	}
	contains(t, "nothing left", h.say(leaderZh, "/revisits").Text, "（0）")

	week := flows.WeekOf(h.clock.Now(), h.m.Config.Timezone)
	d, err := h.m.Service.BuildDigest(ctx, flows.DigestScope{Unit: "县财政局"}, week, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Rates.Resolution != (flows.Rate{Num: 1, Den: 1}) || d.Rates.Satisfaction != (flows.Rate{Num: 1, Den: 1}) || d.RecordedOnVisits != 1 {
		t.Errorf("digest rates %+v, recorded on visits %d", d.Rates, d.RecordedOnVisits)
	}
	if len(d.Requests) != 1 || d.Requests[0].VerdictVia != "phone" || d.Requests[0].Origin != flows.OriginVisit {
		t.Errorf("digest requests %+v", d.Requests)
	}
	// The visit counts in 走访覆盖率: one of the unit's four households.
	if c := d.Coverage; c == nil || c.VisitedWeek != 1 || c.Visited != 1 || c.Visits != 1 || c.Rate != (flows.Rate{Num: 1, Den: 4}) {
		t.Errorf("digest coverage %+v", c)
	}
	n = h.mark(leaderZh)
	h.say(leaderZh, "/digest")
	h.expect(leaderZh, n, "走访代录 1")
	h.drain()

	// /visits lists the visit for the cadre and the unit's leader.
	contains(t, "cadre /visits", h.say(cadreLiu, "/visits").Text, "陈万山", "日记 4 条", "诉求 1 件")
	contains(t, "leader /visits", h.say(leaderZh, "/visits").Text, "陈万山", "刘建国")

	checkDiary(t, h, r.VisitID)
	checkVisitPrivacy(t, h, "H003", r.VisitID)
}

// checkDiary writes the diary as .xlsx and .csv with `minqing diary` and
// reads it back: a row for the visit with its recorded request and its
// state, a row for each note.
func checkDiary(t *testing.T, h *harness, visit int64) {
	t.Helper()
	dir := t.TempDir()
	xlsx, csvPath := filepath.Join(dir, "diary.xlsx"), filepath.Join(dir, "diary.csv")
	for _, args := range [][]string{
		{"diary", "-from", "2026-11-30", "-to", "2026-12-02", "-unit", "县财政局", "-o", xlsx},
		{"diary", "-from", "2026-11-30", "-to", "2026-12-02", "-cadre", "C001", "-o", csvPath},
	} {
		code, out, errs := runCLI(t, h, args...)
		if code != 0 || !strings.Contains(out, "1 visits, 4 notes") {
			t.Fatalf("%v: exit %d: %s %s", args, code, out, errs)
		}
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("民情日记")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[0][0] != "走访编号" {
		t.Fatalf("diary rows %q", rows)
	}
	id := strconv.FormatInt(visit, 10)
	want := [][]string{
		{id, "走访", "2026-12-01 17:00", "", "陈万山", "保兴镇保安村", "13900000103", "刘建国", "县财政局", "", "48.89000,130.39000", "#1 已结束 屋顶需要维修"},
		{id, "日记", "", "", "陈万山", "", "", "", "", "屋顶漏雨，老人腿脚不便"},
		{id, "日记", "", "", "", "", "", "", "", "孩子在县城读初中"},
		{id, "日记", "", "", "", "", "", "", "", "[照片] 屋顶"},
		{id, "日记", "", "", "", "", "", "", "", "[位置]", "48.89000,130.39000"},
	}
	for i, w := range want {
		for j, cell := range w {
			if cell != "" && (j >= len(rows[i+1]) || rows[i+1][j] != cell) {
				t.Errorf("diary row %d column %d: want %q in %q", i+1, j, cell, rows[i+1])
			}
		}
	}
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	contains(t, "diary.csv", string(data), "\uFEFF走访编号", "屋顶漏雨，老人腿脚不便", "#1 已结束 屋顶需要维修")
	if code, _, errs := runCLI(t, h, "diary", "-o", filepath.Join(dir, "d.pdf")); code == 0 || !strings.Contains(errs, ".xlsx or .csv") {
		t.Errorf("diary -o d.pdf: exit %d: %s", code, errs)
	}
}

// checkVisitPrivacy: export carries the household's visits with their
// notes; forget erases them with every index entry.
func checkVisitPrivacy(t *testing.T, h *harness, household string, visit int64) {
	t.Helper()
	code, out, errs := runCLI(t, h, "export", "-household", household)
	if code != 0 {
		t.Fatalf("export: %s", errs)
	}
	contains(t, "export", out, `"visits"`, "屋顶漏雨，老人腿脚不便", `"Lat": 48.89`)
	code, out, errs = runCLI(t, h, "forget", "-household", household)
	if code != 0 || !strings.Contains(out, "1 visits") {
		t.Fatalf("forget: exit %d: %s %s", code, out, errs)
	}
	ctx := context.Background()
	if _, err := h.m.Store.Visit(ctx, visit); err == nil {
		t.Errorf("visit %d still stored after forget", visit)
	}
	keys, err := h.m.Store.Client().Keys(ctx, "mq:{county}:visit*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k != "mq:{county}:visit:seq" {
			n, _ := h.m.Store.Client().ZCard(ctx, k).Result()
			if n > 0 || !strings.HasPrefix(k, "mq:{county}:visits:") {
				t.Errorf("left after forget: %s", k)
			}
		}
	}
}

// TestRecordedRequestBoundHousehold: a household with an account is told
// of a request recorded during a visit and answers the verdict in its chat;
// /revisits does not list it, and a leader cannot record a phone verdict.
func TestRecordedRequestBoundHousehold(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(leaderZh, "L001")
	h.bind(hhZhang, "H001")
	opened := openVisit(h, cadreLiu, "H001")
	n := h.mark(cadreLiu)
	h.press(cadreLiu, opened, callback(t, opened, "vn:"))
	h.expect(cadreLiu, n, "请发诉求内容")
	hn := h.mark(hhZhang)
	rec := h.say(cadreLiu, "申请危房改造")
	contains(t, "recorded", rec.Text, "代录诉求 #1")
	h.expect(hhZhang, hn, "今天的走访中", "#1", "申请危房改造")
	// The household's message reaches the cadre, as for any request, and
	// the cadre's reply (during the visit) reaches the household.
	n = h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "房子西墙裂了")
	h.expect(cadreLiu, n, "#1", "房子西墙裂了")
	hn = h.mark(hhZhang)
	h.tg.SendReply(cadreLiu, "明天带人来看", rec.ID)
	h.expect(hhZhang, hn, "明天带人来看")
	// Opening another visit ends this one, with its summary.
	n = h.mark(cadreLiu)
	openVisit(h, cadreLiu, "陈万山")
	h.expect(cadreLiu, n, "走访结束", "张福来", "代录诉求 1 件")

	hn = h.mark(hhZhang)
	if toast := h.press(cadreLiu, rec, "ss:1:"); toast != "已完成" {
		t.Fatalf("solve: %q", toast)
	}
	ask := h.expect(hhZhang, hn, "#1")
	if toast := h.press(hhZhang, ask, "vs:1:y"); toast != "已完成" {
		t.Fatalf("household verdict: %q", toast)
	}
	contains(t, "leader /revisits", h.say(leaderZh, "/revisits").Text, "（0）")
	if toast := h.press(leaderZh, rec, "pv:1:n"); toast == "已完成" {
		t.Errorf("a phone verdict on a household that answers in its chat: %q", toast)
	}
	if toast := h.press(hhZhang, ask, "vr:1:3"); toast != "已完成" {
		t.Fatalf("household rating: %q", toast)
	}
	if r := h.request(1); r.State != flows.StateClosed || r.Origin != flows.OriginVisit {
		t.Fatalf("%+v", r)
	}
}

// TestVisitEndsByItself: a visit left open ends after visits.max_open with
// its summary; the cadre's next message is no longer a note.
func TestVisitEndsByItself(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	openVisit(h, cadreLiu, "李桂芝")
	contains(t, "note", h.say(cadreLiu, "低保材料已收").Text, "第 1 条")
	n := h.mark(cadreLiu)
	h.advance(3*time.Hour + time.Minute)
	sum := h.expect(cadreLiu, n, "走访结束", "自动结束")
	contains(t, "summary", sum.Text, "李桂芝", "日记 1 条", "180 分钟")
	contains(t, "after", h.say(cadreLiu, "在吗").Text, "回复")
}

// TestRecordWithoutVisit: 记诉求 from /visit's household page records a
// request heard outside a visit (by phone).
func TestRecordWithoutVisit(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	page := h.say(cadreLiu, "/visit 李")
	contains(t, "page", page.Text, "李桂芝", "保安村二组17号")
	n := h.mark(cadreLiu)
	h.press(cadreLiu, page, callback(t, page, "vq:"))
	h.expect(cadreLiu, n, "请发诉求内容")
	contains(t, "recorded", h.say(cadreLiu, "医保报销问题").Text, "代录诉求 #1", "电话")
	if r := h.request(1); r.Origin != flows.OriginPhone || r.VisitID != 0 || r.HouseholdID != "H002" {
		t.Fatalf("%+v", r)
	}
	contains(t, "after", h.say(cadreLiu, "在吗").Text, "回复")
}

// TestVisitButtonsAuthorization presses every visit and phone verdict
// button as everyone who may not: a household, a cadre of another unit, a
// stranger and a leader taken off the roster change nothing. A leader who
// recorded a request cannot record its phone verdict; another leader can.
func TestVisitButtonsAuthorization(t *testing.T) {
	r, err := roster.Load("../roster/testdata/cadres.csv", "../roster/testdata/households.csv")
	if err != nil {
		t.Fatal(err)
	}
	r.Cadres = append(r.Cadres, flows.Cadre{ID: "L009", Name: "钱卫东", Unit: "县财政局", Role: flows.RoleLeader})
	h := launchWith(t, false, r, nil)
	removed := telegramtest.User{ID: 3009, FirstName: "卫东", LanguageCode: "zh-hans"}
	for u, ref := range map[telegramtest.User]string{cadreLiu: "C001", cadreWang: "C002", leaderZh: "L001", leaderSun: "L002", hhZhang: "H001", removed: "L009"} {
		h.bind(u, ref)
	}
	ctx := context.Background()
	opened := openVisit(h, cadreLiu, "李桂芝")
	n := h.mark(cadreLiu)
	h.press(cadreLiu, opened, callback(t, opened, "vn:"))
	h.expect(cadreLiu, n, "请发诉求内容")
	rec := h.say(cadreLiu, "低保年审")
	h.press(cadreLiu, rec, "ss:1:")
	page := h.say(cadreLiu, "/visit H002")
	handle := strings.Split(callback(t, page, "vo:"), ":")[1]
	vid := strings.Split(callback(t, opened, "ve:"), ":")[1]

	// L009 leaves the roster.
	r2 := r
	r2.Cadres = r.Cadres[:len(r.Cadres)-1]
	m := h.mark(removed)
	if _, err := h.m.Service.ImportRoster(ctx, r2); err != nil {
		t.Fatal(err)
	}
	h.expect(removed, m, "解除绑定")

	visitBefore, err := h.m.Store.Visit(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	reqBefore := h.request(1)
	buttons := []string{"vo:" + handle + ":", "vq:" + handle + ":", "vh:" + handle + ":", "vp:1:next", "vn:" + vid + ":", "ve:" + vid + ":",
		"pv:1:y", "pv:1:n", "pr:1:3", "pu:1:", "vo:1:", "ve:999:"}
	for _, u := range []telegramtest.User{hhZhang, cadreWang, stranger, removed} {
		for _, data := range buttons {
			if u == cadreWang && data == "vp:1:next" {
				continue // a page of the cadre's own households
			}
			if toast := h.press(u, opened, data); toast == "已完成" || toast == "Done" {
				t.Errorf("%s pressed %s: %q", u.FirstName, data, toast)
			}
		}
	}
	h.drain()
	visitAfter, _ := h.m.Store.Visit(ctx, 1)
	if visitAfter.Version != visitBefore.Version || h.request(1).Version != reqBefore.Version {
		t.Fatalf("changed by others' presses: visit %d -> %d", visitBefore.Version, visitAfter.Version)
	}
	if hh, _ := h.m.Store.Recording(ctx, "C002"); hh != "" {
		t.Errorf("another unit's cadre set a recording for %s", hh)
	}
	// Another cadre's visit is not the county leader's to end either.
	if toast := h.press(leaderSun, opened, "ve:"+vid+":"); toast == "Done" {
		t.Errorf("county leader ended a cadre's visit")
	}

	// L001 records a request for H002 (a household of the unit) and so may
	// not record its phone verdict; the county-wide leader may.
	lpage := h.say(leaderZh, "/visit 李桂芝")
	n = h.mark(leaderZh)
	h.press(leaderZh, lpage, callback(t, lpage, "vq:"))
	h.expect(leaderZh, n, "请发诉求内容")
	cn := h.mark(cadreLiu)
	lrec := h.say(leaderZh, "自来水管冻裂")
	contains(t, "leader recorded", lrec.Text, "代录诉求 #2", "赵志强")
	h.expect(cadreLiu, cn, "代录诉求 #2", "赵志强", "自来水管冻裂")
	if r := h.request(2); r.CadreID != "C001" || r.Origin != flows.OriginPhone {
		t.Fatalf("%+v", r)
	}
	h.press(cadreLiu, lrec, "ss:2:")
	h.drain()
	l := h.say(leaderZh, "/revisits")
	h.drain()
	for _, msg := range h.tg.BotMessages(leaderZh.ID) {
		if msg.ID >= l.ID && strings.Contains(msg.Text, "回访 #2") {
			t.Errorf("the recording leader is offered #2's phone verdict")
		}
	}
	if toast := h.press(leaderZh, lrec, "pv:2:y"); toast == "已完成" {
		t.Errorf("the recording leader recorded a phone verdict")
	}
	sn := h.mark(leaderSun)
	h.say(leaderSun, "/revisits")
	item := h.expect(leaderSun, sn, "#2")
	if toast := h.press(leaderSun, item, "pv:2:y"); toast != "Done" {
		t.Errorf("county leader phone verdict: %q", toast)
	}
}

// TestVisitRetention: a visit older than retention is erased by the
// nightly retention run; a newer one stays.
func TestVisitRetention(t *testing.T) {
	h := start(t, func(c *config.Config) { c.Retention = 48 * time.Hour })
	h.bind(cadreLiu, "C001")
	old := openVisit(h, cadreLiu, "李桂芝")
	h.say(cadreLiu, "旧的日记")
	n := h.mark(cadreLiu)
	h.press(cadreLiu, old, callback(t, old, "ve:"))
	h.expect(cadreLiu, n, "走访结束")
	h.advance(72 * time.Hour)
	openVisit(h, cadreLiu, "张福来")
	ctx := context.Background()
	if _, err := h.m.Service.Expire(ctx, h.clock.Now(), h.m.Config.Retention); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.Store.Visit(ctx, 1); err == nil {
		t.Error("the old visit outlived retention")
	}
	if v, err := h.m.Store.Visit(ctx, 2); err != nil || !v.Open() {
		t.Errorf("the new visit: %+v %v", v, err)
	}
}

// TestNudgeOpensVisit: a household on a coverage list opens its page, and
// its 开始走访 starts a visit; /visit lists the households longest without
// contact first, and the visit moves the household to the end of the list.
func TestNudgeOpensVisit(t *testing.T) {
	h := start(t, func(c *config.Config) { c.Checkin.After = 0 })
	h.bind(cadreLiu, "C001")
	l := h.mark(cadreLiu)
	h.advance(30 * 24 * time.Hour)
	list := h.expect(cadreLiu, l, nudgeText, "陈万山")
	n := h.mark(cadreLiu)
	h.press(cadreLiu, list, button(list, "陈万山"))
	page := h.expect(cadreLiu, n, "陈万山", "保安村三组8号")
	n = h.mark(cadreLiu)
	if toast := h.press(cadreLiu, page, callback(t, page, "vo:")); toast != "已完成" {
		t.Fatalf("start a visit from the household's page: %q", toast)
	}
	h.expect(cadreLiu, n, "走访开始", "陈万山")
	n = h.mark(cadreLiu)
	h.tg.SendText(cadreLiu, "/visit")
	pick := h.expect(cadreLiu, n, "选择要走访的住户")
	if first, last := strings.Index(pick.Text, "张福来"), strings.Index(pick.Text, "陈万山"); first < 0 || last < first {
		t.Errorf("the household just visited is not last:\n%s", pick.Text)
	}
}
