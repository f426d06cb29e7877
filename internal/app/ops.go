package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// stuckAfter is how old the oldest queued entry may be before the bot
// reports itself unhealthy.
const stuckAfter = 5 * time.Minute

// ops serves /healthz and /metrics.
type ops struct {
	m        *Main
	reg      *prometheus.Registry
	lastPoll atomic.Int64 // unix ms of the last successful getUpdates
	sweeps   prometheus.Histogram
	// starting is why the bot is not running yet ("" once Telegram
	// confirmed the token at start).
	starting atomic.Pointer[string]
}

func newOps(m *Main) *ops {
	o := &ops{m: m, reg: prometheus.NewRegistry(), sweeps: prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "minqing_sweep_seconds", Help: "Duration of the reminder sweeps.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 8)})}
	o.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&queueCollector{m: m}, o.sweeps)
	o.lastPoll.Store(time.Now().UnixMilli())
	o.unreachable("starting: asking Telegram who the bot is (getMe)")
	return o
}

func (o *ops) polled() { o.lastPoll.Store(time.Now().UnixMilli()) }

// unreachable records why the bot has not started yet.
func (o *ops) unreachable(why string) { o.starting.Store(&why) }

// started records that Telegram confirmed the token; polling counts from now.
func (o *ops) started() {
	o.polled()
	o.unreachable("")
}

// health checks that the bot started, Redis, the queues and (when polling)
// the poll loop.
func (o *ops) health(ctx context.Context) []string {
	var problems []string
	if why := *o.starting.Load(); why != "" {
		problems = append(problems, why)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := o.m.Store.Ping(ctx); err != nil {
		return append(problems, "redis unreachable")
	}
	in, out, err := o.m.Store.Stats(ctx, time.Now())
	if err != nil {
		return []string{"queues unreadable"}
	}
	if in.Oldest > stuckAfter {
		problems = append(problems, fmt.Sprintf("inbox stuck: oldest update %s old", in.Oldest.Round(time.Second)))
	}
	if out.Oldest > stuckAfter {
		problems = append(problems, fmt.Sprintf("outbox stuck: oldest message %s old", out.Oldest.Round(time.Second)))
	}
	if o.m.Config.Telegram.Mode != "webhook" && time.Since(time.UnixMilli(o.lastPoll.Load())) > 3*time.Minute {
		problems = append(problems, "polling stalled")
	}
	return problems
}

func (o *ops) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(o.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		problems := o.health(r.Context())
		w.Header().Set("Content-Type", "application/json")
		if len(problems) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": len(problems) == 0, "problems": problems})
	})
	return mux
}

// queueCollector reports queue depth and age at scrape time.
type queueCollector struct{ m *Main }

var (
	queueDepth = prometheus.NewDesc("minqing_queue_depth", "Entries waiting in a queue.", []string{"queue"}, nil)
	queueAge   = prometheus.NewDesc("minqing_queue_oldest_seconds", "Age of a queue's oldest entry.", []string{"queue"}, nil)
)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- queueDepth; ch <- queueAge }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	in, out, err := c.m.Store.Stats(ctx, time.Now())
	if err != nil {
		return
	}
	for name, q := range map[string]struct {
		d int64
		a time.Duration
	}{"inbox": {in.Depth, in.Oldest}, "outbox": {out.Depth, out.Oldest}} {
		ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(q.d), name)
		ch <- prometheus.MustNewConstMetric(queueAge, prometheus.GaugeValue, q.a.Seconds(), name)
	}
	lanes, err := c.m.Store.LaneStats(ctx, time.Now())
	if err != nil {
		return
	}
	for lane, q := range lanes { // queue="outbox:interactive", "outbox:lifecycle", "outbox:bulk"
		ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(q.Depth), "outbox:"+lane)
		ch <- prometheus.MustNewConstMetric(queueAge, prometheus.GaugeValue, q.Oldest.Seconds(), "outbox:"+lane)
	}
}

// Serve runs an HTTP server on addr until ctx ends.
func Serve(ctx context.Context, addr string, h http.Handler, started func(net.Addr)) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	if started != nil {
		started(l.Addr())
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
