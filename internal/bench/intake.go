package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/bot/telegramtest"
)

// tokenRe finds the tag a bench message carries: q<round>n<index>z.
var tokenRe = regexp.MustCompile(`q(\d+)n\d+z`)

// recorder sits in front of the emulator and notes when each tagged message
// is stored by sendMessage (the moment it appears in the emulator), and how
// many getUpdates calls arrived. It reads the emulator's answers, so it
// needs no change to the emulator and no scan of its call log.
type recorder struct {
	tg    *telegramtest.Server
	ts    *httptest.Server
	polls atomic.Int64
	sends atomic.Int64 // sendMessage calls, answered or not

	mu      sync.Mutex
	pollAt  []time.Time // arrival of each getUpdates
	done    map[string]time.Time
	perTurn map[int]int
	changed chan struct{}
}

func newRecorder(tg *telegramtest.Server) *recorder {
	r := &recorder{tg: tg, done: map[string]time.Time{}, perTurn: map[int]int{}, changed: make(chan struct{}, 1)}
	h := tg.Handler()
	r.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch {
		case strings.HasSuffix(req.URL.Path, "/getUpdates"):
			r.mu.Lock()
			r.pollAt = append(r.pollAt, time.Now())
			r.mu.Unlock()
			r.polls.Add(1)
			h.ServeHTTP(w, req)
		case strings.HasSuffix(req.URL.Path, "/sendMessage"):
			r.sends.Add(1)
			cw := &captureWriter{ResponseWriter: w}
			h.ServeHTTP(cw, req)
			r.note(cw.body.Bytes())
		default:
			h.ServeHTTP(w, req)
		}
	}))
	return r
}

func (r *recorder) url() string { return r.ts.URL }
func (r *recorder) close()      { r.ts.Close() }

// note records the first appearance of a tagged text.
func (r *recorder) note(body []byte) {
	now := time.Now()
	var ans struct {
		OK     bool `json:"ok"`
		Result struct {
			Text string `json:"text"`
		} `json:"result"`
	}
	if json.Unmarshal(body, &ans) != nil || !ans.OK {
		return
	}
	m := tokenRe.FindStringSubmatch(ans.Result.Text)
	if m == nil {
		return
	}
	turn, _ := strconv.Atoi(m[1])
	r.mu.Lock()
	if _, seen := r.done[m[0]]; !seen {
		r.done[m[0]] = now
		r.perTurn[turn]++
	}
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// wait waits until turn has n recorded messages or the timeout passes.
func (r *recorder) wait(turn, n int, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		got := r.perTurn[turn]
		r.mu.Unlock()
		if got >= n {
			return true
		}
		select {
		case <-r.changed:
		case <-deadline.C:
			return false
		}
	}
}

// waitPoll waits until a getUpdates call arrives after `after` were counted.
func (r *recorder) waitPoll(after int64, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for r.polls.Load() <= after {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond) // waiting for another goroutine's HTTP call
	}
	return true
}

// pollTime returns the arrival time of getUpdates call i (0-based).
func (r *recorder) pollTime(i int64) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pollAt[i]
}

func (r *recorder) at(token string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.done[token]
	return t, ok
}

// captureWriter passes a response through and keeps a copy of its body.
type captureWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (c *captureWriter) Write(p []byte) (int, error) {
	c.body.Write(p)
	return c.ResponseWriter.Write(p)
}

// turnResult is one round of the intake comparison.
type turnResult struct {
	n         int
	elapsed   time.Duration // first injection to last message stored
	latencies []time.Duration
	missing   int
}

func (t turnResult) rate() float64 { return float64(t.n-t.missing) / t.elapsed.Seconds() }

// inject sends one tagged message from each household of the turn and
// waits for every tag to come back.
func inject(rec *recorder, turn int, users []telegramtest.User, timeout time.Duration) turnResult {
	sent := make(map[string]time.Time, len(users))
	first := time.Now()
	for i, u := range users {
		tok := fmt.Sprintf("q%dn%dz", turn, i)
		sent[tok] = time.Now()
		rec.tg.SendText(u, text100(tok))
	}
	rec.wait(turn, len(users), timeout)
	res := turnResult{n: len(users)}
	var last time.Time
	for tok, t0 := range sent {
		t1, ok := rec.at(tok)
		if !ok {
			res.missing++
			continue
		}
		res.latencies = append(res.latencies, t1.Sub(t0))
		if t1.After(last) {
			last = t1
		}
	}
	res.elapsed = last.Sub(first)
	return res
}

// echoBot is the bare go-telegram/bot baseline: a default handler that sends
// every text back.
func echoBot(url, token string) (*tgbot.Bot, error) {
	return tgbot.New(token, tgbot.WithServerURL(url), tgbot.WithDefaultHandler(
		func(ctx context.Context, b *tgbot.Bot, u *models.Update) {
			if u.Message == nil {
				return
			}
			_, _ = b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: u.Message.Text})
		}))
}

// runTurn starts a bot (run), waits for its first poll, injects a turn and
// stops the bot once the emulator has confirmed every update.
func runTurn(rec *recorder, turn int, users []telegramtest.User, run func(ctx context.Context)) (turnResult, error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	polls := rec.polls.Load()
	side := "minqing"
	if turn%2 == 1 {
		side = "echo"
	}
	// The label lets -cpuprofile tell the two bots apart (-tagfocus side=echo).
	go pprof.Do(ctx, pprof.Labels("side", side), func(ctx context.Context) { defer close(done); run(ctx) })
	defer func() { cancel(); <-done }()
	if !rec.waitPoll(polls, 30*time.Second) {
		return turnResult{}, fmt.Errorf("turn %d: the bot never polled", turn)
	}
	res := inject(rec, turn, users, 120*time.Second)
	rec.tg.Wait(5*time.Second, func() bool { return len(rec.tg.PendingUpdates()) == 0 })
	return res, nil
}

// percentile returns the p-th percentile (0..100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// median returns the median of xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

// processCPU is the CPU time this process used so far (user + system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the CPU time redis-server used so far (INFO cpu).
func redisCPU(ctx context.Context, rdb *redis.Client) time.Duration {
	u, _ := strconv.ParseFloat(info(ctx, rdb, "cpu", "used_cpu_user"), 64)
	s, _ := strconv.ParseFloat(info(ctx, rdb, "cpu", "used_cpu_sys"), 64)
	return time.Duration((u + s) * float64(time.Second))
}

// commandCPU is redis-server's time per message by command (INFO
// commandstats since the last CONFIG RESETSTAT), the largest first.
func commandCPU(ctx context.Context, rdb *redis.Client, n int) string {
	raw, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return err.Error()
	}
	type stat struct {
		name string
		us   float64
	}
	var stats []stat
	total := 0.0
	for _, line := range strings.Split(raw, "\r\n") {
		name, rest, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":")
		if !ok || !strings.HasPrefix(line, "cmdstat_") {
			continue
		}
		for _, f := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(f, "usec="); ok {
				us, _ := strconv.ParseFloat(v, 64)
				stats = append(stats, stat{name, us / float64(n)})
				total += us / float64(n)
			}
		}
	}
	sort.Slice(stats, func(i, j int) bool { return stats[i].us > stats[j].us })
	var parts []string
	for _, s := range stats {
		if s.us >= 0.5 {
			parts = append(parts, fmt.Sprintf("%s %.0f", s.name, s.us))
		}
	}
	return fmt.Sprintf("%.0f (%s)", total, strings.Join(parts, ", "))
}

func rates(xs []float64) string {
	var out []string
	for _, x := range xs {
		out = append(out, fmt.Sprintf("%.0f", x))
	}
	return strings.Join(out, ", ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }
