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
	"github.com/minqing/minqing/internal/app"
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

// intake compares end-to-end intake through Minqing's bot (poller, inbox,
// workers, flows, store, outbox, sender) with a bare go-telegram/bot echo
// bot on the same emulator, in alternating rounds.
func (e *env) intake(ctx context.Context) error {
	rdb := e.redis.client() // the bench's own reads: INFO, CONFIG RESETSTAT
	defer rdb.Close()
	tg := telegramtest.New()
	defer tg.Close()
	rec := newRecorder(tg)
	defer rec.close()
	// The program as in production, flood control on; only telegram.rate
	// is raised, so that the limiter is out of the way.
	prog, err := program(ctx, withBot(benchConfig(e.redis.url(), "intake"), rec.url(), tg.Token(), 1e6, 1e6), nil)
	if err != nil {
		return err
	}
	defer prog.Close()
	cnt := &counter{}
	prog.Store.Client().AddHook(cnt)
	c := makeCounty(e.sz.Households, e.sz.Cadres)
	before := usedMemory(ctx, rdb)
	if err := populate(ctx, prog.Service, prog.Store, c, true); err != nil {
		return err
	}
	e.add("redis_roster_bytes", fmt.Sprintf("%d (%d households, %d cadres, all bound)", usedMemory(ctx, rdb)-before, len(c.roster.Households), len(c.roster.Cadres)))
	for _, cd := range c.roster.Cadres {
		tg.AddUser(telegramtest.User{ID: accountOf(cd.ID), FirstName: cd.Name, LanguageCode: "zh-hans"})
	}
	if err := warmUp(ctx, prog, rec); err != nil {
		return err
	}
	n := min(e.sz.Intake, len(c.roster.Households)/e.sz.Rounds)
	var mRates, eRates []float64
	var mLat, eLat []time.Duration
	var mCPU, eCPU, mRedis, eRedis time.Duration // CPU time over the turns
	var trips, cmdCPU string
	var mSends, eSends int64 // sendMessage calls over the turns
	missing := 0
	for r := 0; r < e.sz.Rounds; r++ {
		users := make([]telegramtest.User, n)
		for i := range users {
			h := c.roster.Households[r*n+i]
			users[i] = telegramtest.User{ID: accountOf(h.ID), FirstName: h.Name, LanguageCode: "zh-hans"}
		}
		minqing := func() error {
			p0, r0 := processCPU(), redisCPU(ctx, rdb)
			if r == 0 {
				cnt.startTally()
				rdb.ConfigResetStat(ctx)
			}
			s0 := rec.sends.Load()
			res, err := runTurn(rec, 2*r, users, func(ctx context.Context) { _ = prog.Run(ctx) })
			mSends += rec.sends.Load() - s0
			if r == 0 {
				trips = cnt.stopTally(n)
				cmdCPU = commandCPU(ctx, rdb, n)
			}
			mCPU, mRedis = mCPU+processCPU()-p0, mRedis+redisCPU(ctx, rdb)-r0
			mRates, mLat, missing = append(mRates, res.rate()), append(mLat, res.latencies...), missing+res.missing
			return err
		}
		echo := func() error {
			p0, r0 := processCPU(), redisCPU(ctx, rdb)
			s0 := rec.sends.Load()
			defer func() { eSends += rec.sends.Load() - s0 }()
			res, err := runTurn(rec, 2*r+1, users, func(ctx context.Context) {
				if eb, err := echoBot(rec.url(), tg.Token()); err == nil {
					eb.Start(ctx)
				}
			})
			eCPU, eRedis = eCPU+processCPU()-p0, eRedis+redisCPU(ctx, rdb)-r0
			eRates, eLat, missing = append(eRates, res.rate()), append(eLat, res.latencies...), missing+res.missing
			return err
		}
		order := []func() error{minqing, echo}
		if r%2 == 1 {
			order = []func() error{echo, minqing}
		}
		for _, f := range order {
			if err := f(); err != nil {
				return err
			}
		}
	}
	m, ec := median(mRates), median(eRates)
	e.add("intake_messages_per_round", fmt.Sprintf("%d (x%d rounds per side, alternating)", n, e.sz.Rounds))
	e.add("intake_minqing_msgs_per_s", fmt.Sprintf("%.0f (rounds: %s)", m, rates(mRates)))
	e.add("intake_echo_msgs_per_s", fmt.Sprintf("%.0f (rounds: %s)", ec, rates(eRates)))
	e.addT("intake_ratio", fmt.Sprintf("%.2f", m/ec), "≥ 0.5", ptr(m/ec >= 0.5))
	total := float64(n * e.sz.Rounds)
	mPer, ePer := float64(mSends)/total, float64(eSends)/total
	e.add("intake_sends_per_msg", fmt.Sprintf("Minqing %.2f (the household's confirmation and the cadre's notification), echo %.2f", mPer, ePer))
	if ePer > 0 {
		e.add("intake_send_rate_ratio", fmt.Sprintf("%.2f (sendMessage calls a second, Minqing ÷ echo)", m*mPer/(ec*ePer)))
	}
	e.add("intake_minqing_latency_p50_ms", ms(percentile(mLat, 50)))
	e.add("intake_minqing_latency_p99_ms", ms(percentile(mLat, 99)))
	e.add("intake_echo_latency_p50_ms", ms(percentile(eLat, 50)))
	e.add("intake_echo_latency_p99_ms", ms(percentile(eLat, 99)))
	per := func(d time.Duration) string {
		return fmt.Sprintf("%.0f", float64(d.Microseconds())/float64(n*e.sz.Rounds))
	}
	e.add("intake_minqing_cpu_us_per_msg", fmt.Sprintf("%s in this process (bot + emulator), %s in redis-server", per(mCPU), per(mRedis)))
	e.add("intake_echo_cpu_us_per_msg", fmt.Sprintf("%s in this process (bot + emulator), %s in redis-server", per(eCPU), per(eRedis)))
	e.add("intake_minqing_redis_roundtrips_per_msg", trips+", whole bot: poller, workers, sender, idle reads")
	e.add("intake_minqing_redis_cpu_us_per_msg", cmdCPU+" (INFO commandstats, first round; scripts include the commands they call)")
	if missing > 0 {
		e.add("intake_missing_messages", strconv.Itoa(missing))
	}
	return nil
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

// warmUp runs the program once before the measured turns. Its first start
// owes every bound leader the digest of the last schedule.digest
// occurrence (the catch-up after any downtime, claimed once per
// occurrence): it is queued here first, so that the start's catch-up finds
// it claimed, and sent before the turns, which must not pay for it.
func warmUp(ctx context.Context, m *app.Main, rec *recorder) error {
	m.SendDigests(ctx)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	polls := rec.polls.Load()
	go func() { defer close(done); _ = m.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if !rec.waitPoll(polls, 30*time.Second) {
		return fmt.Errorf("warm-up: the bot never polled")
	}
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		_, out, err := m.Store.Stats(ctx, time.Now())
		switch {
		case err != nil:
			return fmt.Errorf("warm-up: %w", err)
		case out.Depth == 0:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("warm-up: %d notices still queued", out.Depth)
		}
	}
}
