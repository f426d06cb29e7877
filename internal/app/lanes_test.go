package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/config"
)

// bigUnit is a roster of one unit: its leader L001 and cadres C01..Cn, each
// with two households.
func bigUnit(cadres int) flows.Roster {
	r := flows.Roster{Cadres: []flows.Cadre{{ID: "L001", Name: "赵志强", Unit: "县财政局", Role: flows.RoleLeader}}}
	for i := 1; i <= cadres; i++ {
		c := fmt.Sprintf("C%02d", i)
		r.Cadres = append(r.Cadres, flows.Cadre{ID: c, Name: "干部" + c, Unit: "县财政局", Role: flows.RoleCadre})
		for j := 1; j <= 2; j++ {
			r.Households = append(r.Households, flows.Household{ID: fmt.Sprintf("H%02d%d", i, j), Name: fmt.Sprintf("住户%02d%d", i, j), Village: "保安村", CadreID: c})
		}
	}
	return r
}

// sentAfter counts the messages Telegram accepted after the first one to
// chat whose text holds want, among those whose text holds other; -1 if
// there is no such first message.
func sentAfter(tg *telegramtest.Server, chat int64, want, other string) int {
	calls := tg.CallsTo("sendMessage")
	for i, c := range calls {
		if c.Code != 200 || c.ChatID != chat || !strings.Contains(c.Params["text"], want) {
			continue
		}
		n := 0
		for _, d := range calls[i+1:] {
			if d.Code == 200 && strings.Contains(d.Params["text"], other) {
				n++
			}
		}
		return n
	}
	return -1
}

// TestUrgentBeforeBulk: at 2 messages a second, a backlog of reminders is
// being sent when a household writes; its cadre gets the message before
// most of the backlog. Then 40 escalations to the unit's leader arrive as
// a few merged messages, each request with a button that opens it.
func TestUrgentBeforeBulk(t *testing.T) {
	const cadres = 20
	h := launchWith(t, false, bigUnit(cadres), nil)
	leader := telegramtest.User{ID: 3001, FirstName: "志强", LanguageCode: "zh-hans"}
	h.bind(leader, "L001")
	users := map[string]telegramtest.User{}
	for i := 1; i <= cadres; i++ {
		c := telegramtest.User{ID: int64(2000 + i), FirstName: fmt.Sprintf("干部%02d", i), LanguageCode: "zh-hans"}
		users[fmt.Sprintf("C%02d", i)] = c
		h.bind(c, fmt.Sprintf("C%02d", i))
		for j := 1; j <= 2; j++ {
			u := telegramtest.User{ID: int64(10000 + 10*i + j), FirstName: fmt.Sprintf("户%02d%d", i, j), LanguageCode: "zh-hans"}
			users[fmt.Sprintf("H%02d%d", i, j)] = u
			h.bind(u, fmt.Sprintf("H%02d%d", i, j))
			h.say(u, fmt.Sprintf("第%02d%d号的事", i, j))
		}
	}
	h.drain()
	// The same process, restarted with a slow global rate and a window.
	h.stop()
	h.tweak = append(h.tweak, func(c *config.Config) {
		c.Telegram.Rate.Global = 2
		c.Telegram.BatchWindow = time.Second
	})
	h.boot()
	l := h.mark(leader)
	h.advance(25 * time.Hour) // every request's reminder is due: one merged message per cadre
	if !h.tg.Wait(waitFor, func() bool { return countSent(h.tg, "提醒") >= 3 }) {
		t.Fatal("the reminders did not start")
	}
	last := users["H201"]
	cadre := users["C20"]
	c := h.mark(cadre)
	h.tg.SendText(last, "急事：房子漏雨")
	h.expect(cadre, c, "急事：房子漏雨")
	h.drain()
	if n := sentAfter(h.tg, cadre.ID, "急事：房子漏雨", "提醒"); n < 5 {
		t.Errorf("the household's message reached its cadre with %d reminders left to send, want it before most of the %d", n, cadres)
		for _, c := range h.tg.CallsTo("sendMessage") {
			t.Logf("%s %d %d %.40q", c.Time.Format("05.000"), c.Code, c.ChatID, c.Params["text"])
		}
	}
	if got := countSent(h.tg, "提醒"); got > cadres+1 {
		t.Errorf("%d reminder messages for %d cadres: each cadre's two reminders were not merged", got, cadres)
	}

	h.advance(24 * time.Hour) // every request is escalated to the leader
	h.drain()
	var merged []telegramtest.Message
	for _, m := range h.tg.BotMessages(leader.ID)[l:] {
		if strings.Contains(m.Text, "督办") {
			merged = append(merged, m)
		}
	}
	if len(merged) == 0 || len(merged) > 5 {
		t.Fatalf("the leader got %d escalation messages for %d requests, want a handful", len(merged), 2*cadres)
	}
	all := ""
	for _, m := range merged {
		all += m.Text + "\n"
	}
	for id := 1; id <= 2*cadres; id++ {
		if !strings.Contains(all, fmt.Sprintf("#%d ", id)) {
			t.Errorf("request #%d is missing from the merged escalations", id)
		}
	}
	contains(t, "merged escalation", merged[0].Text, "督办：", "条诉求", "住户", "超时未回应")
	// A button opens its request.
	if len(merged[0].Buttons) == 0 {
		t.Fatal("a merged message without buttons")
	}
	b := merged[0].Buttons[0][0]
	m := h.mark(leader)
	h.press(leader, merged[0], b.CallbackData)
	h.expect(leader, m, strings.TrimPrefix(b.Text, "#"))
}

// countSent counts the messages Telegram accepted whose text holds want.
func countSent(tg *telegramtest.Server, want string) int {
	n := 0
	for _, c := range tg.CallsTo("sendMessage") {
		if c.Code == 200 && strings.Contains(c.Params["text"], want) {
			n++
		}
	}
	return n
}

// TestOldOutboxAfterUpgrade: notices left in the single outbox stream of the
// versions before lanes are sent after the upgrade, once: one still
// unread, one read and left pending by this process before it stopped, and
// one already sent (its sent marker set) but not removed.
func TestOldOutboxAfterUpgrade(t *testing.T) {
	h := start(t)
	h.bind(hhZhang, "H001")
	h.bind(cadreLiu, "C001")
	h.stop()
	ctx := context.Background()
	rdb := h.redis.Client()
	const old = "mq:{county}:outbox"
	add := func(n flows.Notice) string {
		b, _ := json.Marshal(n)
		id, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: old, Values: []any{"n", string(b)}}).Result()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	help := flows.Notice{ChatID: hhZhang.ID, Lang: "zh", Kind: flows.NoticeHelp, Args: map[string]string{"role": "household"}}
	sentAlready := add(flows.Notice{ChatID: cadreLiu.ID, Lang: "zh", Kind: flows.NoticeHelp, Args: map[string]string{"role": "cadre"}})
	add(flows.Notice{ChatID: cadreLiu.ID, Lang: "zh", Kind: flows.NoticeReminder, RequestID: 7,
		Args: map[string]string{"no": "7", "household": "张福来", "village": "保安村", "text": "旧版本留下的提醒"}})
	if err := rdb.XGroupCreateMkStream(ctx, old, "send", "0").Err(); err != nil && !strings.Contains(err.Error(), "BUSYGROUP") {
		t.Fatal(err)
	}
	if err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "send", Consumer: "test", Streams: []string{old, ">"}, Count: 2}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, "mq:{county}:sent:"+sentAlready, 1, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	add(help)
	hh, cd := h.mark(hhZhang), h.mark(cadreLiu)
	h.boot()
	h.expect(hhZhang, hh, "")
	h.expect(cadreLiu, cd, "旧版本留下的提醒")
	h.drain()
	if n, err := rdb.XLen(ctx, old).Result(); err != nil || n != 0 {
		t.Errorf("old outbox has %d entries left (%v)", n, err)
	}
	if got := len(h.tg.BotMessages(cadreLiu.ID)[cd:]); got != 1 {
		t.Errorf("the cadre got %d messages, want only the pending reminder (the sent one not again)", got)
	}
	if got := len(h.tg.BotMessages(hhZhang.ID)[hh:]); got != 1 {
		t.Errorf("the household got %d messages, want 1", got)
	}
}
