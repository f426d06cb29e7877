package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/redistest"
	"github.com/minqing/minqing/internal/roster"
)

// testSecret is the cards secret of the tests' configs.
const testSecret config.Secret = "test-cards-secret-0123456789abcdef"

// waitFor bounds every wait for the bot to answer. It is a bound, not a
// timing assertion: a passing run never waits it out, and under -race on a
// loaded 2-core machine what takes milliseconds alone (a digest's chart and
// spreadsheet, a restart) can take many seconds, so it is generous.
const waitFor = time.Minute

// recordWait bounds recorded's wait, after which the test goes on (and
// fails on what it checks next, if anything): shorter than waitFor, since
// an outbox held back on purpose (a 429 a test injects) keeps it waiting.
const recordWait = 10 * time.Second

// people of the test roster (roster/testdata) and their Telegram accounts.
var (
	hhZhang   = telegramtest.User{ID: 1001, FirstName: "福来", LanguageCode: "zh-hans"}
	hhZhang2  = telegramtest.User{ID: 1011, FirstName: "小张", LanguageCode: "zh-hans"}
	hhZhou    = telegramtest.User{ID: 1004, FirstName: "玉兰", LanguageCode: "zh-hans"}
	cadreLiu  = telegramtest.User{ID: 2001, FirstName: "建国", LanguageCode: "zh-hans"}
	cadreWang = telegramtest.User{ID: 2002, FirstName: "秀梅", LanguageCode: "zh-hans"}
	leaderZh  = telegramtest.User{ID: 3001, FirstName: "志强", LanguageCode: "zh-hans"}
	leaderSun = telegramtest.User{ID: 3002, FirstName: "立新", LanguageCode: "en"}
	stranger  = telegramtest.User{ID: 9999, FirstName: "Stranger", LanguageCode: "en"}
)

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness runs the whole program against the emulator and a real Redis.
type harness struct {
	t      *testing.T
	tg     *telegramtest.Server
	redis  *redistest.Server
	clock  *flows.SimClock
	logs   *syncBuffer
	m      *app.Main
	cancel context.CancelFunc
	done   chan struct{}
	codes  map[string]string // household or cadre id -> card code
	tweak  []func(*config.Config)
	real   bool // run on the wall clock instead of the simulated one
}

// start imports the test roster and runs Main on a simulated clock; tweaks
// change the config.
func start(t *testing.T, tweaks ...func(*config.Config)) *harness {
	return launch(t, false, tweaks)
}

// startReal is start on the wall clock, with the real cron.
func startReal(t *testing.T, tweaks ...func(*config.Config)) *harness {
	return launch(t, true, tweaks)
}

func launch(t *testing.T, real bool, tweaks []func(*config.Config)) *harness {
	t.Helper()
	r, err := roster.Load("../roster/testdata/cadres.csv", "../roster/testdata/households.csv")
	if err != nil {
		t.Fatal(err)
	}
	return launchWith(t, real, r, tweaks)
}

// launchWith runs Main with roster r imported.
func launchWith(t *testing.T, real bool, r flows.Roster, tweaks []func(*config.Config)) *harness {
	t.Helper()
	h := &harness{t: t, tg: telegramtest.New(), redis: redistest.Start(t), logs: &syncBuffer{}, tweak: tweaks, real: real,
		clock: flows.NewSimClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))}
	t.Cleanup(h.tg.Close)
	h.boot()
	if _, err := h.m.Service.ImportRoster(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	h.codes = h.loadCodes()
	t.Cleanup(h.stop)
	return h
}

// config is the configuration the tests run with.
func (h *harness) config() *config.Config {
	cfg := config.Default()
	cfg.Telegram.Token = config.Secret(h.tg.Token())
	cfg.Telegram.APIURL = h.tg.URL()
	cfg.Telegram.Username = "test_bot"
	cfg.Telegram.Rate.Global, cfg.Telegram.Rate.PerChat = 30, 30
	cfg.Telegram.BatchWindow = 0 // tests that merge set a window
	cfg.Redis.URL = h.redis.URL()
	cfg.Cards.Secret = testSecret
	cfg.QuietHours = config.QuietHours{}
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Schedule.Reminders = "@every 1h" // tests sweep by hand on the simulated clock
	cfg.Schedule.Digest = "0 8 1 1 *"    // and send digests by hand
	for _, f := range h.tweak {
		f(cfg)
	}
	return cfg
}

// boot starts a fresh Main (as a restarted process would).
func (h *harness) boot() { h.bootWith(nil) }

// bootWith is boot with a change to Main before it opens.
func (h *harness) bootWith(tweak func(*app.Main)) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var clock flows.Clock = h.clock
	if h.real {
		clock = nil
	}
	h.m = &app.Main{Config: h.config(), Clock: clock, Consumer: "test", IdleRead: 100 * time.Millisecond, // prompt stops
		Log: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if tweak != nil {
		tweak(h.m)
	}
	if err := h.m.Open(ctx); err != nil {
		h.t.Fatal(err)
	}
	h.cancel, h.done = cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		if err := h.m.Run(ctx); err != nil {
			h.t.Errorf("run: %v", err)
		}
	}()
}

// stop ends Main and waits for it.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	<-h.done
	h.m.Close()
	h.cancel = nil
}

func (h *harness) loadCodes() map[string]string {
	out := map[string]string{}
	ctx := context.Background()
	cards, err := h.m.Service.Cards(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, c := range cards {
		out[c.Household.ID] = c.Code
	}
	invites, err := h.m.Service.Invites(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, c := range invites {
		out[c.Cadre.ID] = c.Code
	}
	return out
}

// say sends text as u and waits for the bot's next message to u.
func (h *harness) say(u telegramtest.User, text string) telegramtest.Message {
	h.t.Helper()
	n := len(h.tg.BotMessages(u.ID))
	h.tg.SendText(u, text)
	return h.next(u, n)
}

// next waits for u's (n+1)th bot message.
func (h *harness) next(u telegramtest.User, n int) telegramtest.Message {
	h.t.Helper()
	msgs, err := h.tg.WaitBotMessages(u.ID, n+1, waitFor)
	if err != nil {
		h.t.Fatalf("waiting for message %d to %s: %v", n+1, u.FirstName, err)
	}
	return msgs[n]
}

// bind binds u with the card or invite of ref.
func (h *harness) bind(u telegramtest.User, ref string) telegramtest.Message {
	h.t.Helper()
	return h.say(u, "/start "+h.codes[ref])
}

// press presses a button under msg as u and returns the toast.
func (h *harness) press(u telegramtest.User, msg telegramtest.Message, data string) string {
	h.t.Helper()
	id := h.tg.PressButtonIn(u, msg.ChatID, msg.ID, data)
	ans, err := h.tg.WaitCallbackAnswer(id, waitFor)
	if err != nil {
		h.t.Fatalf("press %s: %v", data, err)
	}
	return ans.Text
}

// request loads request id from the store.
func (h *harness) request(id int64) flows.Request {
	h.t.Helper()
	r, err := h.m.Store.Request(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: want %q in:\n%s", what, w, got)
		}
	}
}

// mark returns how many bot messages u has, to expect later ones.
func (h *harness) mark(u telegramtest.User) int { return len(h.tg.BotMessages(u.ID)) }

// expect waits for a bot message to u, after mark, holding every want.
func (h *harness) expect(u telegramtest.User, mark int, wants ...string) telegramtest.Message {
	h.t.Helper()
	var found telegramtest.Message
	ok := h.tg.Wait(waitFor, func() bool {
		for _, m := range h.tg.BotMessages(u.ID)[mark:] {
			if containsAll(m.Text+m.Caption, wants) {
				found = m
				return true
			}
		}
		return false
	})
	if !ok {
		var got []string
		for _, m := range h.tg.BotMessages(u.ID)[mark:] {
			got = append(got, m.Text)
		}
		h.t.Fatalf("no message to %s with %q; got:\n%s", u.FirstName, wants, strings.Join(got, "\n---\n"))
	}
	h.recorded(u, found)
	return found
}

// recorded waits until the bot has recorded m as sent: Telegram shows a
// message before the sender, back from sendMessage, links it to its request
// for reply routing, and a person cannot reply in that instant but a test
// can. Its link, or an empty outbox (the link and the removal from the
// outbox are one transaction), says it is done; after recordWait the test
// goes on and fails on what it checks next, if anything.
func (h *harness) recorded(u telegramtest.User, m telegramtest.Message) {
	if h.cancel == nil {
		return // this Main is stopped (its store closed); other processes run the bot
	}
	ctx := context.Background()
	waitUntil(recordWait, func() bool {
		if _, err := h.m.Store.Linked(ctx, u.ID, m.ID); err == nil {
			return true
		}
		n, err := h.outboxDepth()
		return err == nil && n == 0
	})
}

// outboxDepth counts the notices waiting in the outbox (every lane, and the
// queue of the versions before lanes).
func (h *harness) outboxDepth() (int64, error) {
	_, out, err := h.m.Store.Stats(context.Background(), time.Now())
	return out.Depth, err
}

func containsAll(s string, wants []string) bool {
	for _, w := range wants {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// advance moves the simulated clock and sweeps, as the cron job would.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	h.clock.Advance(d)
	if _, err := h.m.Service.Sweep(context.Background(), h.clock.Now()); err != nil {
		h.t.Fatal(err)
	}
}

// none checks that u got no bot message after mark holding want, once the
// outbox is empty (so anything queued would have been sent).
func (h *harness) none(u telegramtest.User, mark int, want string) {
	h.t.Helper()
	h.drain()
	for _, m := range h.tg.BotMessages(u.ID)[mark:] {
		if strings.Contains(m.Text, want) {
			h.t.Errorf("%s got %q", u.FirstName, m.Text)
		}
	}
}

// drain waits until every update sent so far is handled and every notice
// sent. Its bound is twice waitFor: a leader's /digest or a round of
// digests draws a chart and a spreadsheet for each, which under -race on a
// loaded machine took longer than the 10 s this once allowed.
func (h *harness) drain() {
	h.t.Helper()
	ctx := context.Background()
	ok := waitUntil(2*waitFor, func() bool {
		// In causal order: an update is confirmed to Telegram only after it
		// is stored, so once none is pending every update is in the inbox
		// or handled; a handled update's notices are in the outbox. Looked
		// at the other way round, an update could pass from Telegram to the
		// inbox between the two looks and be missed.
		if len(h.tg.PendingUpdates()) > 0 {
			return false
		}
		in, out, err := h.m.Store.Stats(ctx, time.Now())
		return err == nil && in.Depth == 0 && out.Depth == 0
	})
	if !ok {
		h.t.Fatal("the queues did not drain")
	}
}

// waitUntil checks cond every few milliseconds until it holds or the
// timeout passes (for conditions outside the emulator, e.g. in Redis).
func waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

// writeConfig writes the harness's config for the subcommands.
func writeConfig(t *testing.T, h *harness) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	body := "telegram:\n  api_url: \"" + h.tg.URL() + "\"\n  username: \"test_bot\"\nredis:\n  url: \"" + h.redis.URL() + "\"\n" +
		"cards:\n  secret: \"" + testSecret.Reveal() + "\"\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var shanghai = time.FixedZone("CST", 8*3600)
