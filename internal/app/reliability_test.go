package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/config"
)

// TestTelegramErrorsAreRetried: 429 twice (retry_after 1), then 502 once,
// for the cadre's chat: the message still arrives, once.
func TestTelegramErrorsAreRetried(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.tg.FailNext(cadreLiu.ID, "", 2, 429, 1)
	h.tg.FailNext(cadreLiu.ID, "", 1, 502, 0)
	c := h.mark(cadreLiu)
	h.tg.SendText(hhZhang, "煤不够烧了")
	h.expect(cadreLiu, c, "煤不够烧了")
	h.drain()
	if n := countWith(h, cadreLiu, c, "煤不够烧了"); n != 1 {
		t.Fatalf("delivered %d times", n)
	}
	codes := map[int]int{}
	for _, call := range h.tg.CallsTo("sendMessage") {
		if call.ChatID == cadreLiu.ID {
			codes[call.Code]++
		}
	}
	if codes[429] != 2 || codes[502] != 1 {
		t.Fatalf("calls to the cadre's chat by result: %v", codes)
	}
}

// TestRedisOutage: Redis stops for a while mid-traffic; the bot reports
// itself unhealthy, stays up, and loses nothing when Redis returns.
func TestRedisOutage(t *testing.T) {
	var opsAddr string
	var mu sync.Mutex
	h := start(t)
	h.stop()
	h.bootWith(func(m *app.Main) {
		m.Listening = func(name string, a net.Addr) {
			mu.Lock()
			defer mu.Unlock()
			if name == "ops" {
				opsAddr = a.String()
			}
		}
	})
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhou, "H004")
	h.bind(cadreWang, "C002")
	mu.Lock()
	addr := opsAddr
	mu.Unlock()
	if code, _ := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("healthz %d before the outage", code)
	}
	c, w := h.mark(cadreLiu), h.mark(cadreWang)
	h.redis.Stop()
	for i := 1; i <= 3; i++ {
		h.tg.SendText(hhZhang, fmt.Sprintf("停电第%d天", i))
		h.tg.SendText(hhZhou, fmt.Sprintf("没水第%d天", i))
	}
	if !waitUntil(waitFor, func() bool { code, _ := get(t, "http://"+addr+"/healthz"); return code == 503 }) {
		t.Fatal("healthz never reported the outage")
	}
	h.redis.Restart()
	h.expect(cadreLiu, c, "停电第1天")
	h.expect(cadreLiu, c, "停电第3天")
	h.expect(cadreWang, w, "没水第3天")
	h.drain()
	for i := 1; i <= 3; i++ {
		if n := countWith(h, cadreLiu, c, fmt.Sprintf("停电第%d天", i)); n != 1 {
			t.Errorf("message %d reached the cadre %d times", i, n)
		}
	}
	code, body := get(t, "http://"+addr+"/metrics")
	for _, name := range []string{"minqing_queue_depth", "minqing_queue_oldest_seconds", "minqing_updates_in_total",
		`minqing_messages_out_total{result="sent"}`, "minqing_telegram_429_total", "minqing_sweep_seconds", `minqing_queue_depth{queue="outbox:bulk"}`, `minqing_queue_depth{queue="outbox:interactive"}`} {
		if code != 200 || !strings.Contains(body, name) {
			t.Errorf("metrics (%d) lack %s", code, name)
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// replica is one bot process in webhook mode.
type replica struct {
	m      *app.Main
	addr   chan string
	cancel context.CancelFunc
	done   chan struct{}
}

// TestWebhookReplicas: two processes in webhook mode on one Redis; every
// update is posted to both; each request reaches its cadre once and each
// reminder is sent once. Wrong or missing secrets and huge bodies are refused.
func TestWebhookReplicas(t *testing.T) {
	h := start(t)
	h.stop()
	const secret = "s3cret_token-1"
	var reps []*replica
	for i := 0; i < 2; i++ {
		cfg := h.config()
		cfg.Telegram.Mode = config.ModeWebhook
		cfg.Telegram.Webhook.URL = "https://bot.example.org/tg/hook"
		cfg.Telegram.Webhook.Secret = secret
		cfg.Telegram.Webhook.Listen = "127.0.0.1:0"
		cfg.HTTP.Listen = ""
		r := &replica{addr: make(chan string, 1), done: make(chan struct{})}
		r.m = &app.Main{Config: cfg, Clock: h.clock, Consumer: fmt.Sprintf("replica-%d", i), Log: h.m.Log,
			Listening: func(name string, a net.Addr) { r.addr <- a.String() }}
		ctx, cancel := context.WithCancel(context.Background())
		r.cancel = cancel
		if err := r.m.Open(ctx); err != nil {
			t.Fatal(err)
		}
		go func() { defer close(r.done); _ = r.m.Run(ctx) }()
		reps = append(reps, r)
		t.Cleanup(func() { r.cancel(); <-r.done; r.m.Close() })
	}
	urls := []string{"http://" + <-reps[0].addr + "/tg/hook", "http://" + <-reps[1].addr + "/tg/hook"}
	if !h.tg.Wait(waitFor, func() bool { u, s := h.tg.Webhook(); return u == "https://bot.example.org/tg/hook" && s == secret }) {
		u, s := h.tg.Webhook()
		t.Fatalf("setWebhook: %q %q", u, s)
	}
	deliver := func() {
		t.Helper()
		for _, raw := range h.tg.TakeUpdates() {
			for _, u := range urls {
				if code := post(t, u, secret, raw); code != 200 {
					t.Fatalf("webhook answered %d", code)
				}
			}
		}
	}
	say := func(u telegramtest.User, text string) {
		t.Helper()
		h.tg.SendText(u, text)
		deliver()
	}
	say(cadreLiu, "/start "+h.codes["C001"])
	say(hhZhang, "/start "+h.codes["H001"])
	h.expect(hhZhang, 0, "刘建国")
	c := h.mark(cadreLiu)
	say(hhZhang, "化肥钱不够")
	h.expect(cadreLiu, c, "化肥钱不够")

	// Refused: no secret, a wrong one, a body of 5 MB.
	raw := []byte(`{"update_id": 999999, "message": {"message_id": 1, "date": 1, "chat": {"id": 1001, "type": "private"}, "from": {"id": 1001, "first_name": "x"}, "text": "伪造"}}`)
	for _, s := range []string{"", "wrong", secret + "x"} {
		if code := post(t, urls[0], s, raw); code != 401 {
			t.Errorf("secret %q: %d, want 401", s, code)
		}
	}
	if code := post(t, urls[1], secret, bytes.Repeat([]byte("x"), 5<<20)); code != 413 {
		t.Errorf("5 MB body: %d, want 413", code)
	}

	// Both replicas sweep at once: one reminder.
	h.clock.Advance(25 * time.Hour)
	var wg sync.WaitGroup
	for _, r := range reps {
		wg.Add(1)
		go func(m *app.Main) { defer wg.Done(); m.Sweep(context.Background()) }(r.m)
	}
	wg.Wait()
	h.expect(cadreLiu, c, "提醒")
	h.m = reps[0].m
	h.drain()
	if n := countWith(h, cadreLiu, c, "化肥钱不够"); n != 2 { // the request and its reminder
		t.Errorf("the request's text reached the cadre %d times, want 2 (request, reminder)", n)
	}
	if n := countWith(h, cadreLiu, c, "提醒"); n != 1 {
		t.Errorf("%d reminders", n)
	}
	if n := countWith(h, hhZhang, 0, "已收到"); n != 1 {
		t.Errorf("%d acks", n)
	}
	if strings.Contains(h.logs.String(), "伪造") {
		t.Error("a refused update was acted on or logged")
	}
}

func post(t *testing.T, url, secret string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

var _ = json.Marshal

// TestStopIsNotAnError: a reminder sweep, a digest run or a retention run
// cut short by a stop (SIGTERM cancels the program's context) is logged as
// stopping, not as an error.
func TestStopIsNotAnError(t *testing.T) {
	h := start(t, func(c *config.Config) { c.Schedule.Digest = "0 8 * * 1" }) // an occurrence falls in the last days
	h.bind(leaderZh, "L001")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h.m.Sweep(ctx)
	h.m.SendDigests(ctx)
	h.m.Expire(ctx)
	logs := h.logs.String()
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("a stop logged as an error: %s", line)
		}
	}
	contains(t, "logs", logs, "sweep stopped", "digests stopped", "retention stopped")
}
