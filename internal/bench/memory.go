package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// memory runs the in-process bot in a child process (so that its RSS is
// the bot's, not the bench's) and reports its figures, then states the
// retention that keeps a county's Redis under 1 GB for three years.
func (e *env) memory(ctx context.Context) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// Every message is a new request: one household per request. The
	// roster is stored here, so that the child's memory is the bot's.
	m, err := program(ctx, benchConfig(e.redis.url(), "rss"), nil)
	if err != nil {
		return err
	}
	err = populate(ctx, m.Service, m.Store, makeCounty(max(e.sz.Households, e.sz.RSSRequests), e.sz.Cadres), true)
	m.Close()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe, "-child-rss", e.redis.url(), "-rss-requests", strconv.Itoa(e.sz.RSSRequests))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	figs := map[string]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok {
			figs[k] = v
			e.add(k, v)
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("memory child: %w", err)
	}
	e.retention(figs)
	return nil
}

// retention states how long a county can keep its requests under 1 GB.
func (e *env) retention(figs map[string]string) {
	first := func(s string) float64 { f, _ := strconv.ParseFloat(strings.Fields(s + " 0")[0], 64); return f }
	created := first(figs["redis_bytes_per_request"])
	var lived, roster float64
	for _, f := range e.figs {
		switch f.Name {
		case "digest_redis_bytes_per_lived_request":
			lived = first(f.Value)
		case "redis_roster_bytes":
			roster = first(f.Value)
		}
	}
	if created == 0 {
		return
	}
	per := created + lived // conservative: the lived request's hash and events, plus the links of its messages
	const perDay = 50.0    // seed story: 500 requests in 10 days at the peak, assumed all year round
	const gb = 1 << 30
	threeYears := 3 * 365 * perDay * per
	years := (gb - roster) / per / perDay / 365
	e.addT("redis_3y_county_bytes", fmt.Sprintf("%.0f MB (%.0f requests × %.0f B + roster %.0f MB)",
		(threeYears+roster)/1e6, 3*365*perDay, per, roster/1e6), "< 1 GB", ptr(threeYears+roster < gb))
	e.add("retention_under_1gb", fmt.Sprintf("any retention up to %.1f years keeps the county under 1 GB (at %.0f requests a day, %.0f B each)",
		years, perDay, per))
}

// childRSS is the memory measurement, run in its own process: the bot runs
// in-process against a minimal Bot API stub (the emulator would keep every
// message in this process's memory), and updates are stored in the inbox
// as the poller would store them.
func childRSS(url string, sz sizes) error {
	ctx := context.Background()
	po, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(po) // the bench's own reads, beside the program's client
	defer rdb.Close()
	n := sz.RSSRequests
	stub := telegramStub()
	defer stub.Close()
	m, err := program(ctx, withBot(benchConfig(url+"?pool_size=64", "rss"), stub.URL, "1:stub", 1e6, 1e6), nil)
	if err != nil {
		return err
	}
	defer m.Close()
	st := m.Store
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Run(rctx) }()
	defer func() { cancel(); <-done }()
	time.Sleep(500 * time.Millisecond) // let the bot start its loops
	debug.FreeOSMemory()
	rss0, _ := procStatus("VmRSS")
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // peak RSS from here on
	mem0 := usedMemory(ctx, rdb)
	start := time.Now()
	inbox := "mq:{rss}:inbox"
	outbox := func() int64 { // every lane's stream
		_, out, _ := st.Stats(ctx, time.Now())
		return out.Depth
	}
	for i := 0; i < n; i += 500 {
		for rdb.XLen(ctx, inbox).Val() > 2000 || outbox() > 4000 {
			time.Sleep(20 * time.Millisecond) // back-pressure: the bot is behind
		}
		if err := parallel(min(500, n-i), 16, func(j int) error {
			k := i + j
			_, err := st.Put(ctx, inbound(int64(1_000_000+k), hhAccount+int64(k), fmt.Sprintf("农户%05d", k), text100("m"+strconv.Itoa(k))))
			return err
		}); err != nil {
			return err
		}
	}
	for rdb.Get(ctx, "mq:{rss}:req:seq").Val() != strconv.Itoa(n) || rdb.XLen(ctx, inbox).Val() > 0 || outbox() > 0 {
		time.Sleep(50 * time.Millisecond) // draining
	}
	took := time.Since(start)
	rss1, _ := procStatus("VmRSS")
	hwm, _ := procStatus("VmHWM")
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	fmt.Printf("rss_requests: %d through the in-process bot in %.1f s (%.0f requests/s, 2 notices each)\n", n, took.Seconds(), float64(n)/took.Seconds())
	fmt.Printf("bot_rss_mb: %.1f after %d requests (%.1f when started; peak while handling them %.1f; Go heap in use after GC %.1f MB, %d goroutines)\n",
		rss1/1024, n, rss0/1024, hwm/1024, float64(ms.HeapInuse)/(1<<20), runtime.NumGoroutine())
	mem1 := usedMemory(ctx, rdb)
	for _, pat := range []string{"guard:*", "seen:*", "sent:*"} {
		unlinkAll(ctx, rdb, "mq:{rss}:"+pat)
	}
	mem2 := usedMemory(ctx, rdb)
	fmt.Printf("redis_bytes_per_request: %d kept (hash, timeline, indexes, due items, 2 reply links); %d with the keys that expire (idempotency guards 7 d, update and sent markers 48 h)\n",
		(mem2-mem0)/int64(n), (mem1-mem0)/int64(n))
	h, _ := rdb.MemoryUsage(ctx, "mq:{rss}:req:1").Result()
	tl, _ := rdb.MemoryUsage(ctx, "mq:{rss}:req:1:tl").Result()
	fmt.Printf("redis_request_keys_bytes: request hash %d + timeline %d (MEMORY USAGE, 100-character text)\n", h, tl)
	return nil
}

// inbound is a Telegram text-message update, as getUpdates returns it.
func inbound(updateID, from int64, name, text string) flows.Inbound {
	raw, _ := json.Marshal(map[string]any{"update_id": updateID, "message": map[string]any{
		"message_id": 1, "date": time.Now().Unix(), "text": text,
		"from": map[string]any{"id": from, "is_bot": false, "first_name": name, "language_code": "zh-hans"},
		"chat": map[string]any{"id": from, "type": "private", "first_name": name},
	}})
	return flows.Inbound{UpdateID: updateID, ChatID: from, Raw: raw}
}

// unlinkAll deletes the keys matching pattern.
func unlinkAll(ctx context.Context, rdb *redis.Client, pattern string) {
	iter := rdb.Scan(ctx, 0, pattern, 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 1000 {
			rdb.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		rdb.Unlink(ctx, batch...)
	}
}

// procStatus reads a kB field of /proc/self/status.
func procStatus(field string) (float64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if k, v, ok := strings.Cut(string(line), ":"); ok && k == field {
			return strconv.ParseFloat(strings.Fields(v)[0], 64)
		}
	}
	return 0, fmt.Errorf("%s not in /proc/self/status", field)
}

// telegramStub answers the Bot API calls the bot makes with the least
// work: long polls that return nothing, and sends that succeed.
func telegramStub() *httptest.Server {
	var id atomic.Int64
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/getUpdates"):
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			_, _ = io.WriteString(w, `{"ok":true,"result":[]}`)
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			_, _ = io.WriteString(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"stub","username":"stub_bot"}}`)
		case strings.Contains(r.URL.Path, "/send"), strings.Contains(r.URL.Path, "/copyMessage"):
			fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":0,"chat":{"id":1,"type":"private"}}}`, id.Add(1))
		default:
			_, _ = io.WriteString(w, `{"ok":true,"result":true}`)
		}
	}))
}
