package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/cli"
	"github.com/minqing/minqing/internal/config"
)

// TestDigestNumbers builds two weeks by hand and checks every number.
func TestDigestNumbers(t *testing.T) {
	h := start(t)
	for _, b := range []struct {
		u   telegramtest.User
		ref string
	}{{cadreLiu, "C001"}, {leaderZh, "L001"}, {hhZhang, "H001"}, {hhZhang2, "H002"}, {hhZhou, "H004"}} {
		h.bind(b.u, b.ref)
	}
	h3 := telegramtest.User{ID: 1003, FirstName: "万山", LanguageCode: "zh"}
	h.bind(h3, "H003")
	at := func(day, hour int) { h.clock.Set(time.Date(2026, 11, day, hour, 0, 0, 0, shanghai)) }
	ask := func(u telegramtest.User, text string) telegramtest.Message {
		c := h.mark(cadreLiu)
		h.tg.SendText(u, text)
		return h.expect(cadreLiu, c, text)
	}
	reply := func(note telegramtest.Message) {
		hn := h.mark(hhZhang)
		h.tg.SendReply(cadreLiu, "收到", note.ID)
		h.drain()
		_ = hn
	}
	verdict := func(u telegramtest.User, id string, answers ...string) {
		h.drain()
		var ask telegramtest.Message
		for _, m := range h.tg.BotMessages(u.ID) {
			if hasButton(m, "vs:"+id+":y") {
				ask = m
			}
		}
		for _, a := range answers {
			h.press(u, ask, a)
		}
	}
	// Week 48 (Nov 23–29): R1 answered in time; R2 answered only in week 49.
	at(25, 10)
	r1 := ask(hhZhang, "旧事一")
	at(25, 11)
	reply(r1)
	at(26, 10)
	r2 := ask(hhZhang2, "旧事二")
	// Week 49 (Nov 30–Dec 6).
	at(30, 10)
	h.press(cadreLiu, r2, "ss:2:") // resolved in week 49, received in 48: late first response
	r3 := ask(h3, "新事三")
	at(30, 11)
	reply(r3)
	h.press(cadreLiu, r3, "ss:3:")
	verdict(h3, "3", "vs:3:y", "vr:3:3") // solved, satisfied: closed
	h.tg.SendText(hhZhou, "新事四")         // 县住建局: another unit
	h.drain()
	r5 := ask(h3, "新事五") // R3 is closed: a new request
	at(31, 9)            // Dec 1 09:00: 23h, in time
	h.press(cadreLiu, r5, "dl:5:1")
	h.clock.Set(time.Date(2026, 12, 3, 10, 0, 0, 0, shanghai))
	h.press(cadreLiu, r5, "rs:5:") // after its deadline (Dec 2 23:59): late
	verdict(h3, "5", "vs:5:n")
	r6 := ask(hhZhang2, "新事六") // never answered
	_ = r6

	w49, _ := flows.ParseWeek("2026-W49", shanghai)
	ctx := context.Background()
	d, err := h.m.Service.BuildDigest(ctx, flows.DigestScope{Unit: "县财政局"}, w49, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("received", d.Received, 3)                                // R3, R5, R6 (R4 is another unit's)
	check("responded in time", d.RespondedInTime, 2)                // R3 (1h), R5 (23h)
	check("response", d.Rates.Response, flows.Rate{Num: 2, Den: 3}) // 67%
	check("resolved", d.Resolved, 3)                                // R2, R3, R5
	check("on time", d.Rates.OnTime, flows.Rate{Num: 2, Den: 3})    // R5 was late
	check("resolution", d.Rates.Resolution, flows.Rate{Num: 1, Den: 2})
	check("satisfaction", d.Rates.Satisfaction, flows.Rate{Num: 1, Den: 1})
	check("closed", d.Closed, 1)
	check("open now", d.Open, 3)                                        // R1 (responded), R5 (reopened), R6
	check("late now", d.Late, 1)                                        // R5: reopened, its date (Dec 2) passed
	check("median", d.MedianFirstResponse, 11*time.Hour+30*time.Minute) // 1h and 22h
	check("previous response", d.Previous.Response, flows.Rate{Num: 1, Den: 2})
	check("previous resolution", d.Previous.Resolution, flows.Rate{})
	if len(d.Rows) != 1 || d.Rows[0].Name != "刘建国" || d.Rows[0].Received != 3 {
		t.Errorf("rows %+v", d.Rows)
	}
	if v := d.Villages; len(v) != 1 || v[0].Name != "保兴镇保安村" || v[0].Received != 3 || v[0].Open != 3 || v[0].Late != 1 {
		t.Errorf("villages %+v, want 保兴镇保安村 received 3, open 3, late 1", v) // the spreadsheet's village sheet shows these
	}
	for _, r := range d.Requests {
		if r.Unit != "县财政局" {
			t.Errorf("another unit's request in the unit digest: %+v", r)
		}
	}
	county, err := h.m.Service.BuildDigest(ctx, flows.DigestScope{}, w49, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	check("county received", county.Received, 4)
	check("county rows", len(county.Rows), 2)
	empty, err := h.m.Service.BuildDigest(ctx, flows.DigestScope{Unit: "县财政局"}, w49.Previous().Previous(), h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	check("empty received", empty.Received, 0)
	check("empty response", empty.Rates.Response, flows.Rate{})

	// The printed digest shows the rates and "—" for an empty denominator.
	var out, errb bytes.Buffer
	if code := cli.Run(ctx, []string{"digest", "-config", writeConfig(t, h), "-week", "2026-W48", "-unit", "县财政局"}, &out, &errb); code != 0 {
		t.Fatalf("digest: %s", errb.String())
	}
	contains(t, "printed digest", out.String(), "县财政局", "2026-W48", "响应率 50%", "解决率 —")

	// The leader's digest counts open and late requests per village too.
	l := h.mark(leaderZh)
	h.tg.SendText(leaderZh, "/digest")
	h.expect(leaderZh, l, "各村", "保兴镇保安村：3/1")
}

// TestDigestByCommand: three requests, one answered in time: /digest says
// 响应率 33% and brings the chart and the spreadsheet.
func TestDigestByCommand(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(leaderZh, "L001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhang2, "H002")
	h3 := telegramtest.User{ID: 1003, FirstName: "万山", LanguageCode: "zh"}
	h.bind(h3, "H003")
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "一")
	note := h.expect(cadreLiu, c, "一")
	h.tg.SendText(hhZhang2, "二")
	h.expect(cadreLiu, c, "二")
	h.tg.SendText(h3, "三")
	h.tg.SendReply(cadreLiu, "好", note.ID)
	c = h.mark(cadreLiu)
	h.press(cadreLiu, note, "cg:1:") // the cadre sets the category
	prompt := h.expect(cadreLiu, c, "哪一类")
	h.press(cadreLiu, prompt, "cg:1:0")
	h.drain()
	if r := h.request(1); r.Category != "medical" {
		t.Fatalf("category %q", r.Category)
	}
	l := h.mark(leaderZh)
	h.tg.SendText(leaderZh, "/digest")
	h.expect(leaderZh, l, "响应率 33%", "看病就医 1", "未分类 2")
	if !h.tg.Wait(waitFor, func() bool {
		kinds := map[telegramtest.MediaKind]bool{}
		for _, m := range h.tg.BotMessages(leaderZh.ID)[l:] {
			kinds[m.Media] = true
		}
		return kinds[telegramtest.MediaPhoto] && kinds[telegramtest.MediaDocument]
	}) {
		t.Fatal("the chart and the spreadsheet did not arrive")
	}
}

// TestDigestSchedule: with schedule.digest "@every 3s", each leader gets one
// digest per tick, holding only their unit.
func TestDigestSchedule(t *testing.T) {
	h := startReal(t, func(c *config.Config) { c.Schedule.Digest = "@every 3s" })
	h.bind(cadreLiu, "C001")
	h.bind(cadreWang, "C002")
	h.bind(leaderZh, "L001")
	h.bind(hhZhou, "H004")
	h.tg.SendText(hhZhou, "住建局的事")
	h.drain()
	l := h.mark(leaderZh)
	if !h.tg.Wait(3*waitFor, func() bool { return countWith(h, leaderZh, l, "周报") >= 2 }) {
		t.Fatal("no two digests")
	}
	start := time.Now()
	for countWith(h, leaderZh, l, "周报") < 3 && time.Since(start) < 10*time.Second {
		h.tg.Wait(time.Second, func() bool { return countWith(h, leaderZh, l, "周报") >= 3 })
	}
	for _, m := range h.tg.BotMessages(leaderZh.ID)[l:] {
		if strings.Contains(m.Text, "住建局") || strings.Contains(m.Text, "王秀梅") {
			t.Fatalf("a unit leader's digest names another unit: %s", m.Text)
		}
	}
	ticks := countWith(h, leaderZh, l, "周报")
	elapsed := time.Since(start) + 6*time.Second
	if max := int(elapsed/(3*time.Second)) + 2; ticks > max {
		t.Fatalf("%d digests in about %v: more than one per tick", ticks, elapsed)
	}
}
