package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/minqing/minqing/bot/telegramtest"
)

// The test roster: one of each role, plus a household that never started.
var (
	household = Person{ID: 1001, Name: "张福来", Role: "household", Label: "保兴镇保安村", Lang: "zh"}
	newcomer  = Person{ID: 1002, Name: "赵秀英", Role: "household", Label: "保兴镇新胜村", Lang: "zh"}
	cadre     = Person{ID: 2001, Name: "李建国", Role: "cadre", Label: "县财政局", Lang: "zh"}
	leader    = Person{ID: 3001, Name: "王书记", Role: "leader", Label: "县委", Lang: "en"}
)

// fakeClock is the simulated clock of the tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Forward(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return nil
}

// env is an emulator, an echo bot on it and the simulator in front of it.
type env struct {
	tg    *telegramtest.Server
	clock *fakeClock
	srv   *httptest.Server
}

// newEnv starts everything and stops it when the test ends.
func newEnv(t *testing.T) *env {
	t.Helper()
	tg := telegramtest.New(telegramtest.WithBotName("民情联系卡"))
	t.Cleanup(tg.Close)
	tg.AddUser(telegramtest.User{ID: cadre.ID, FirstName: cadre.Name})
	startEcho(t, tg)
	loc := time.FixedZone("CST", 8*3600)
	clock := &fakeClock{t: time.Date(2025, 3, 5, 9, 0, 0, 0, loc)}
	sim := &Sim{
		TG:      tg,
		People:  []Person{household, newcomer, cadre, leader},
		Default: [3]int64{household.ID, cadre.ID, leader.ID},
		Now:     clock.Now,
		Forward: clock.Forward,
		Start: func(p Person) string {
			if p.Role == "leader" {
				return ""
			}
			return "/start card-" + p.Name
		},
	}
	return &env{tg: tg, clock: clock, srv: serve(t, Handler(sim))}
}

// serve runs h on a local test server until the test ends. At the end the
// requests still open (the page's long poll, a browser not yet gone) are
// ended first, so that Close does not wait up to a long poll's 25 s.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(endWith(ctx, h))
	t.Cleanup(func() {
		cancel()
		srv.Close()
	})
	return srv
}

// startEcho runs a real go-telegram/bot client that echoes every text in
// bold with one inline button, answers every press, and copies photos to
// the cadre.
func startEcho(t *testing.T, tg *telegramtest.Server) {
	t.Helper()
	handler := func(ctx context.Context, b *tgbot.Bot, u *models.Update) {
		switch {
		case u.CallbackQuery != nil:
			_, _ = b.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{
				CallbackQueryID: u.CallbackQuery.ID, Text: "你按了 " + u.CallbackQuery.Data})
		case u.Message != nil && len(u.Message.Photo) > 0:
			_, _ = b.CopyMessage(ctx, &tgbot.CopyMessageParams{ChatID: cadre.ID,
				FromChatID: u.Message.Chat.ID, MessageID: u.Message.ID})
		case u.Message != nil && u.Message.Text != "":
			_, _ = b.SendMessage(ctx, &tgbot.SendMessageParams{
				ChatID: u.Message.Chat.ID, ParseMode: models.ParseModeHTML,
				Text: "<b>echo</b>: " + html.EscapeString(u.Message.Text),
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
					{{Text: "👍 收到", CallbackData: "ack"}},
				}},
			})
		}
	}
	b, err := tgbot.New(tg.Token(), tgbot.WithServerURL(tg.URL()),
		tgbot.WithDefaultHandler(handler), tgbot.WithErrorsHandler(func(error) {}))
	if err != nil {
		t.Fatalf("tgbot.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// call makes one request and decodes a JSON answer into out (if not nil).
func (e *env) call(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("%s %s: Content-Type %q, body %q", method, path, ct, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

// chat reads a person's chat through the API.
func (e *env) chat(t *testing.T, id int64) chatJSON {
	t.Helper()
	var c chatJSON
	if code := e.call(t, "GET", "/api/chat?user="+itoa(id), nil, &c); code != 200 {
		t.Fatalf("GET /api/chat: %d", code)
	}
	return c
}

// waitBot waits until the person's chat holds n bot messages.
func (e *env) waitBot(t *testing.T, id int64, n int) []telegramtest.Message {
	t.Helper()
	msgs, err := e.tg.WaitBotMessages(id, n, 5*time.Second)
	if err != nil {
		t.Fatalf("chat %d: %v", id, err)
	}
	return msgs
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
