package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/cli"
	"github.com/minqing/minqing/internal/config"
	"github.com/redis/go-redis/v9"
)

// hhZhangWife is a second family account on H001's card.
var hhZhangWife = telegramtest.User{ID: 1021, FirstName: "桂兰", LanguageCode: "zh-hans"}

// TestExportAndForget: a household's copy of its data, then its erasure
// everywhere, while the bot runs.
func TestExportAndForget(t *testing.T) {
	h := start(t)
	ctx := context.Background()
	h.bind(cadreLiu, "C001")
	h.bind(leaderZh, "L001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhangWife, "H001")
	h.bind(hhZhang2, "H002")

	// #1: answered, resolved, rated.
	c, hn := h.mark(cadreLiu), h.mark(hhZhang)
	h.say(hhZhang, "房顶漏雨请来修")
	note1 := h.expect(cadreLiu, c, "#1", "房顶漏雨请来修")
	h.tg.SendReply(cadreLiu, "明天派人来修房顶", note1.ID)
	h.expect(hhZhang, hn, "明天派人来修房顶")
	h.press(cadreLiu, note1, "rs:1:")
	ask := h.expect(hhZhang, hn, "已办结")
	h.press(hhZhang, ask, "vs:1:y")
	h.press(hhZhang, ask, "vr:1:3")
	h.expect(hhZhang, hn, "谢谢")

	// #2: a photo, escalated to the leader, then a deadline and a prompt.
	c, l := h.mark(cadreLiu), h.mark(leaderZh)
	h.tg.SendPhoto(hhZhang, "院墙裂缝照片")
	note2 := h.expect(cadreLiu, c, "#2", "院墙裂缝照片")
	h.advance(49 * time.Hour)
	h.expect(leaderZh, l, "督办", "#2")
	h.press(cadreLiu, note2, "dl:2:3")
	h.press(cadreLiu, note2, "md:2:")
	h.expect(cadreLiu, c, "改期原因", "#2")

	// Another household of the same cadre: #3.
	c = h.mark(cadreLiu)
	h.say(hhZhang2, "低保材料怎么交")
	note3 := h.expect(cadreLiu, c, "#3", "低保材料怎么交")
	h.drain()

	// export: to standard output, and to a file only its owner reads.
	cfg := writeConfig(t, h)
	var out, errb bytes.Buffer
	if code := cli.Run(ctx, []string{"export", "-config", cfg, "-household", "H001"}, &out, &errb); code != 0 {
		t.Fatalf("export: %d %s", code, errb.String())
	}
	var e flows.Export
	if err := json.Unmarshal(out.Bytes(), &e); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out.String())
	}
	if e.Household == nil || e.Household.Name != "张福来" || e.Household.Phone != "13900000101" || e.Household.Address != "保安村一组3号" {
		t.Errorf("household record: %+v", e.Household)
	}
	if len(e.Accounts) != 2 || e.Accounts[0].ID != hhZhang.ID || e.Accounts[0].Lang == "" {
		t.Errorf("accounts: %+v", e.Accounts)
	}
	if len(e.Requests) != 2 || e.Requests[0].Request.ID != 1 || e.Requests[1].Request.Kind != flows.KindPhoto {
		t.Fatalf("requests: %+v", e.Requests)
	}
	contains(t, "export", out.String(), "房顶漏雨请来修", "明天派人来修房顶", "院墙裂缝照片", `"Action": "vr"`, `"Action": "es"`)
	if len(e.Requests[0].Timeline) < 5 {
		t.Errorf("timeline of #1: %+v", e.Requests[0].Timeline)
	}
	chats := map[int64]bool{}
	prompt := false
	for _, lk := range e.Links {
		chats[lk.ChatID] = true
		prompt = prompt || lk.Prompt == flows.ActMoveDeadline
		if lk.RequestID != 1 && lk.RequestID != 2 {
			t.Errorf("link to another request: %+v", lk)
		}
	}
	for _, u := range []telegramtest.User{hhZhang, hhZhangWife, cadreLiu, leaderZh} {
		if !chats[u.ID] {
			t.Errorf("no link in the chat of %s: %+v", u.FirstName, e.Links)
		}
	}
	if !prompt {
		t.Errorf("no prompt link: %+v", e.Links)
	}
	file := filepath.Join(t.TempDir(), "h001.json")
	if code := cli.Run(ctx, []string{"export", "-config", cfg, "-household", "H001", "-o", file}, &out, &errb); code != 0 {
		t.Fatalf("export -o: %d %s", code, errb.String())
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", st, err)
	}

	if keys, _ := h.m.Store.Client().Keys(ctx, "mq:{county}:guard:due:2:*").Result(); len(keys) == 0 {
		t.Fatal("no guard of #2's reminders: the test would not check their erasure")
	}

	// forget, while the bot runs.
	out.Reset()
	if code := cli.Run(ctx, []string{"forget", "-config", cfg, "-household", "H001"}, &out, &errb); code != 0 {
		t.Fatalf("forget: %d %s", code, errb.String())
	}
	contains(t, "forget report", out.String(), "H001", "2 requests", "2 accounts")

	// The cadre replies to an old notification of a forgotten request.
	c = h.mark(cadreLiu)
	h.tg.SendReply(cadreLiu, "还需要帮忙吗", note1.ID)
	h.expect(cadreLiu, c, "长按")
	// The forgotten accounts are strangers now.
	contains(t, "forgotten account", h.say(hhZhang, "还在吗").Text, "民情联系卡")
	// The other household's request still works end to end.
	hn2 := h.mark(hhZhang2)
	h.tg.SendReply(cadreLiu, "带户口本来村委会", note3.ID)
	h.expect(hhZhang2, hn2, "带户口本来村委会")
	c = h.mark(cadreLiu)
	h.say(hhZhang2, "危房改造怎么申请")
	h.expect(cadreLiu, c, "#3", "李桂芝", "危房改造怎么申请")
	h.press(cadreLiu, note3, "ss:3:")
	h.expect(hhZhang2, hn2, "#3", "当场解决")
	h.drain()

	// Nothing is left, anywhere in Redis.
	dump := dumpKeyspace(t, h.m.Store.Client())
	secrets := []string{"H001", "福来", "13900000101", "保安村一组3号", "房顶漏雨请来修", "明天派人来修房顶", "院墙裂缝照片", h.codes["H001"]}
	for key, body := range dump {
		for _, sec := range secrets {
			if strings.Contains(key, sec) || strings.Contains(body, sec) {
				t.Errorf("key %s holds %q: %.300s", key, sec, body)
			}
		}
	}
	for key := range dump {
		for _, acct := range []string{"1001", "1021"} { // the accounts: acct:, link:, rate counters
			if strings.HasSuffix(key, ":"+acct) || strings.Contains(key, ":"+acct+":") {
				t.Errorf("key %s left", key)
			}
		}
	}
	checkIndexes(t, h.m.Store.Client(), 1, 2)
	for key := range dump {
		for _, g := range []string{"guard:due:1:", "guard:due:2:", "guard:unreachable:1:", "guard:unreachable:2:"} {
			if strings.Contains(key, g) {
				t.Errorf("guard left: %s", key)
			}
		}
	}
	logs := h.logs.String()
	for _, sec := range secrets {
		if strings.Contains(logs, sec) {
			t.Errorf("log holds %q", sec)
		}
	}
	if _, err := h.m.Store.Request(ctx, 3); err != nil {
		t.Errorf("another household's request: %v", err)
	}
	anon, err := h.m.Store.AnonCounts(ctx, "2026-W49")
	if err != nil || anon["requests"] != "2" || anon["received"] != "2" || anon["closed"] != "1" || anon["satisfied"] != "1" || anon["received@县财政局"] != "2" {
		t.Errorf("anonymous counts: %v %v", anon, err)
	}

	// Forgetting twice changes nothing and says so, as an error (an id with
	// nothing stored may be a typing mistake); exporting a forgotten
	// household is not found.
	out.Reset()
	errb.Reset()
	if code := cli.Run(ctx, []string{"forget", "-config", cfg, "-household", "H001"}, &out, &errb); code != 1 {
		t.Fatalf("forget again: exit %d", code)
	}
	contains(t, "forget again", errb.String(), "household H001: nothing stored")
	errb.Reset()
	if code := cli.Run(ctx, []string{"export", "-config", cfg, "-household", "H001"}, &out, &errb); code != 1 {
		t.Fatalf("export of a forgotten household: exit %d", code)
	}
	contains(t, "export error", errb.String(), "H001", "not found")
	if code := cli.Run(ctx, []string{"forget", "-config", cfg}, &out, &errb); code != 1 {
		t.Fatalf("forget without -household: exit %d", code)
	}
}

// TestRetention: closed requests older than the retention vanish; open and
// recently closed ones stay; the week cursor moves past emptied weeks.
func TestRetention(t *testing.T) {
	h := start(t, func(c *config.Config) { c.Retention = 48 * time.Hour })
	ctx := context.Background()
	h3 := telegramtest.User{ID: 1003, FirstName: "万山", LanguageCode: "zh"}
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhang2, "H002")
	h.bind(h3, "H003")
	closeNow := func(u telegramtest.User, text, id string) telegramtest.Message {
		t.Helper()
		c, hn := h.mark(cadreLiu), h.mark(u)
		h.tg.SendText(u, text)
		note := h.expect(cadreLiu, c, "#"+id, text)
		h.press(cadreLiu, note, "ss:"+id+":")
		ask := h.expect(u, hn, "当场解决")
		h.press(u, ask, "vs:"+id+":y")
		h.press(u, ask, "vr:"+id+":3")
		h.expect(u, hn, "谢谢")
		return note
	}
	expire := func(want int) {
		t.Helper()
		h.drain()
		n, err := h.m.Service.Expire(ctx, h.clock.Now(), h.m.Config.Retention)
		if err != nil || n != want {
			t.Fatalf("expire at %v: %d %v, want %d", h.clock.Now(), n, err, want)
		}
	}
	exists := func(id int64) bool {
		_, err := h.m.Store.Request(ctx, id)
		if err != nil && flows.ErrorCode(err) != flows.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}

	note1 := closeNow(hhZhang, "旧诉求一", "1") // closed at Dec 1, 09:00
	c := h.mark(cadreLiu)
	h.say(hhZhang2, "一直没办的事")
	note2 := h.expect(cadreLiu, c, "#2")
	h.tg.SendReply(cadreLiu, "在办", note2.ID)
	expire(0) // nothing is 48h old yet
	h.advance(72 * time.Hour)
	closeNow(h3, "新诉求三", "3") // closed at Dec 4
	expire(1)
	if exists(1) || !exists(2) || !exists(3) {
		t.Fatalf("after the first expiry: #1 %v #2 %v #3 %v", exists(1), exists(2), exists(3))
	}
	if tl, _ := h.m.Store.Timeline(ctx, 1); len(tl) != 0 {
		t.Fatalf("timeline of #1 left: %v", tl)
	}
	checkIndexes(t, h.m.Store.Client(), 1)
	if anon, _ := h.m.Store.AnonCounts(ctx, "2026-W49"); anon["closed"] != "1" {
		t.Errorf("anonymous counts: %v", anon)
	}
	c = h.mark(cadreLiu)
	h.tg.SendReply(cadreLiu, "回访一下", note1.ID)
	h.expect(cadreLiu, c, "长按")

	h.advance(72 * time.Hour) // Dec 7: #3 closed 3 days ago, #2 still open
	expire(1)
	if exists(3) || !exists(2) {
		t.Fatalf("after the second expiry: #2 %v #3 %v", exists(2), exists(3))
	}
	cursor := func() string { v, _ := h.m.Store.RetentionCursor(ctx); return v }
	if got := cursor(); got != "2026-W49" {
		t.Fatalf("cursor %q, want 2026-W49 (#2 is open)", got)
	}

	// #2 closes; three days later it goes too, and the cursor moves on.
	hn := h.mark(hhZhang2)
	h.press(cadreLiu, note2, "ss:2:")
	ask := h.expect(hhZhang2, hn, "当场解决")
	h.press(hhZhang2, ask, "vs:2:y")
	h.press(hhZhang2, ask, "vr:2:2")
	h.advance(72 * time.Hour)
	expire(1)
	checkIndexes(t, h.m.Store.Client(), 1, 2, 3)
	if got := cursor(); got != "2026-W50" {
		t.Fatalf("cursor %q, want 2026-W50", got)
	}
	contains(t, "/my after expiry", h.say(hhZhang, "/my").Text, "还没有")
	h.m.Expire(ctx) // the cron job's entry point: nothing left to do
}

// dumpKeyspace returns every key with everything it holds, as text.
func dumpKeyspace(t *testing.T, rdb redis.UniversalClient) map[string]string {
	t.Helper()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		typ, err := rdb.Type(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		switch typ {
		case "string":
			v, _ := rdb.Get(ctx, k).Result()
			parts = []string{v}
		case "hash":
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				parts = append(parts, f, v)
			}
		case "set":
			parts = rdb.SMembers(ctx, k).Val()
		case "zset":
			parts = rdb.ZRange(ctx, k, 0, -1).Val()
		case "list":
			parts = rdb.LRange(ctx, k, 0, -1).Val()
		case "stream":
			for _, m := range rdb.XRange(ctx, k, "-", "+").Val() {
				for f, v := range m.Values {
					parts = append(parts, f, v.(string))
				}
			}
		default:
			t.Fatalf("key %s of type %s", k, typ)
		}
		out[k] = strings.Join(parts, "\n")
	}
	return out
}

// checkIndexes fails if any index or reply link still names the requests.
func checkIndexes(t *testing.T, rdb redis.UniversalClient, ids ...int64) {
	t.Helper()
	ctx := context.Background()
	var names []string
	for _, id := range ids {
		names = append(names, strconv.FormatInt(id, 10))
	}
	keys, err := rdb.Keys(ctx, "mq:{county}:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		name := strings.TrimPrefix(k, "mq:{county}:")
		switch {
		case strings.HasPrefix(name, "req:") && name != "req:seq":
			id, _, _ := strings.Cut(strings.TrimPrefix(name, "req:"), ":")
			if slices.Contains(names, id) {
				t.Errorf("request key %s left", k)
			}
		case strings.HasPrefix(name, "open:") || strings.HasPrefix(name, "reqs:hh:") || strings.HasPrefix(name, "week:") ||
			name == "due" || name == "lease":
			for _, m := range rdb.ZRange(ctx, k, 0, -1).Val() {
				id, _, _ := strings.Cut(m, "|")
				if slices.Contains(names, id) {
					t.Errorf("index %s holds %q", k, m)
				}
			}
		case strings.HasPrefix(name, "link:"):
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				id, _, _ := strings.Cut(v, ":")
				if slices.Contains(names, id) {
					t.Errorf("link %s %s -> %s left", k, f, v)
				}
			}
		}
	}
}

// TestLogsHoldNoPersonalData scans everything logged during a busy run.
func TestLogsHoldNoPersonalData(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	n := h.mark(cadreLiu)
	h.say(hhZhang, "秘密诉求内容")
	note := h.expect(cadreLiu, n, "#1")
	h.tg.FailNext(hhZhang.ID, "", 1, 502, 0)
	hn := h.mark(hhZhang)
	h.tg.SendReply(cadreLiu, "干部的答复内容", note.ID)
	h.expect(hhZhang, hn, "干部的答复内容")
	h.stop()
	logs := h.logs.String()
	for _, secret := range []string{"秘密诉求", "干部的答复", "张福来", "刘建国", "13800000001", "13900000101", "保安村一组", h.tg.Token(), h.codes["H001"]} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q", secret)
		}
	}
	_ = flows.ENOTFOUND
}

// forgetMidway is the real store, with Forget run at the moment a
// household's message has had its context read but not yet written: the
// request number is the next step of a new request.
type forgetMidway struct {
	flows.Store
	once   sync.Once
	forget func()
}

func (f *forgetMidway) NextRequestID(ctx context.Context) (int64, error) {
	f.once.Do(f.forget)
	return f.Store.NextRequestID(ctx)
}

// TestForgetDuringMessage: a message read just before `forget` does not
// bring back a request of the erased household; the sender is told, as a
// stranger, how to get a card.
func TestForgetDuringMessage(t *testing.T) {
	h := start(t)
	ctx := context.Background()
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.drain()
	svc := *h.m.Service // the running bot keeps its own; this one takes the message
	svc.Store = &forgetMidway{Store: h.m.Service.Store, forget: func() {
		if _, err := h.m.Service.Forget(ctx, "H001"); err != nil {
			t.Errorf("forget: %v", err)
		}
	}}
	const text = "这条消息赶上了删除"
	mark := h.mark(hhZhang)
	err := svc.Receive(ctx, flows.Message{UpdateID: 9_000_001, AccountID: hhZhang.ID, ChatID: hhZhang.ID, MessageID: 77,
		Lang: "zh-hans", Kind: flows.KindText, Text: text})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	h.drain()
	for k, v := range dumpKeyspace(t, h.m.Store.Client()) {
		if strings.Contains(v, text) || strings.Contains(k, "H001") || strings.Contains(v, "H001") {
			t.Errorf("after forget, %s still holds the household: %.120q", k, v)
		}
	}
	h.expect(hhZhang, mark, "联系卡")
}
