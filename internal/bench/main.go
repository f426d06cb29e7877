// Command bench measures Minqing on this machine: intake throughput against
// a bare go-telegram/bot echo bot, Redis round trips per request, sweep and
// digest cost as the data grows, the outbox at Telegram's rate limit, intake
// latency while a backlog of reminders is due (lanes),
// memory, start-up time and a county-sized roster import. It runs against the Bot API emulator
// (bot/telegramtest) and a redis-server it starts itself, prints one
// "name: value" line per figure, and rewrites BENCHMARKS.md.
//
//	go run ./internal/bench            # default sizes, rewrites BENCHMARKS.md (< 5 min on 2 cores)
//	go run ./internal/bench -quick     # CI smoke run, writes nothing
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

// sizes are the knobs of a run.
type sizes struct {
	Households, Cadres int
	Intake, Rounds     int           // messages per intake round, rounds per side
	SweepSmall         int           // open requests, small side
	SweepLarge         int           // open requests, large side
	SweepDue, Reps     int           // due per sweep, sweeps per side
	SweepLoad          string        // how to load the sweep's open requests: auto, apply, zsets
	DigestRequests     int           // requests per week
	DigestWeeks        int           // weeks of history, large side
	Outbox, OutboxChat int           // queued messages, chats
	RSSRequests        int           // requests through the in-process bot
	Starts             int           // process starts
	ImportHouseholds   int           // households in the import run
	ImportCadres       int           // cadres and leaders in the import run
	GoTest             bool          // run the go test benchmarks too
	LanesRequests      int           // requests in each lanes run
	LanesRate          int           // requests a second in the lanes runs
	LanesBacklog       int           // reminders and escalations due in the second lanes run
	LanesWindow        time.Duration // telegram.batch_window in the lanes runs
}

func main() {
	var sz sizes
	quick := flag.Bool("quick", false, "CI-sized smoke run (well under a minute); implies -no-write and no go test benchmarks")
	noWrite := flag.Bool("no-write", false, "do not rewrite BENCHMARKS.md")
	out := flag.String("o", "BENCHMARKS.md", "report file to rewrite")
	only := flag.String("only", "", "comma-separated phases to run (intake,roundtrips,sweep,digest,coverage,outbox,lanes,memory,startup,import,gotest); empty = all")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	child := flag.String("child-rss", "", "internal: run the in-process memory measurement against this Redis URL")
	flag.IntVar(&sz.Households, "households", 12000, "households on the roster")
	flag.IntVar(&sz.Cadres, "cadres", 2000, "cadres on the roster")
	flag.IntVar(&sz.Intake, "intake", 1000, "messages per intake round")
	flag.IntVar(&sz.Rounds, "rounds", 3, "intake rounds per side (alternating)")
	flag.IntVar(&sz.SweepSmall, "sweep-small", 1000, "open requests, small sweep")
	flag.IntVar(&sz.SweepLarge, "sweep-large", 1_000_000, "open requests, large sweep")
	flag.IntVar(&sz.SweepDue, "sweep-due", 100, "due items per sweep")
	flag.StringVar(&sz.SweepLoad, "sweep-load", "auto", "how to store the sweep's open requests: apply (store.Apply), zsets (sorted-set entries only), auto (zsets above 200 000)")
	flag.IntVar(&sz.Reps, "reps", 5, "repetitions per side of the sweep and digest comparisons")
	flag.IntVar(&sz.DigestRequests, "digest-requests", 5000, "requests per week in the digest comparison")
	flag.IntVar(&sz.DigestWeeks, "digest-weeks", 52, "weeks of history, large digest side")
	flag.IntVar(&sz.Outbox, "outbox", 1000, "queued messages in the outbox run")
	flag.IntVar(&sz.OutboxChat, "outbox-chats", 200, "chats in the outbox run")
	flag.IntVar(&sz.RSSRequests, "rss-requests", 100_000, "requests through the in-process bot for the memory run")
	flag.IntVar(&sz.Starts, "starts", 3, "process starts in the start-up run")
	flag.IntVar(&sz.ImportHouseholds, "import-households", 300_000, "households in the import run")
	flag.IntVar(&sz.ImportCadres, "import-cadres", 2000, "cadres and leaders in the import run")
	flag.BoolVar(&sz.GoTest, "gotest", true, "also run the go test -bench micro-benchmarks")
	flag.IntVar(&sz.LanesRequests, "lanes-requests", 300, "requests in each lanes run")
	flag.IntVar(&sz.LanesRate, "lanes-rate", 10, "requests a second in the lanes runs")
	flag.IntVar(&sz.LanesBacklog, "lanes-backlog", 600, "reminders and escalations due in the second lanes run")
	flag.DurationVar(&sz.LanesWindow, "lanes-window", 5*time.Second, "telegram.batch_window in the lanes runs")
	flag.Parse()
	if *child != "" {
		if err := childRSS(*child, sz); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}
	if *quick {
		sz = sizes{Households: 2000, Cadres: 200, Intake: 200, Rounds: 2, SweepSmall: 1000, SweepLarge: 20000, SweepDue: 100,
			Reps: 3, DigestRequests: 500, DigestWeeks: 8, Outbox: 250, OutboxChat: 50, RSSRequests: 3000, Starts: 2, SweepLoad: "auto",
			ImportHouseholds: 5000, ImportCadres: 100, LanesRequests: 100, LanesRate: 10, LanesBacklog: 300, LanesWindow: 2 * time.Second}
		*noWrite = true
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	e := &env{sz: sz, start: time.Now(), quick: *quick, args: os.Args[1:]}
	phases := []string{"intake", "roundtrips", "sweep", "digest", "coverage", "outbox", "lanes", "memory", "startup", "import", "gotest"}
	if *only != "" {
		phases = strings.Split(*only, ",")
	}
	if err := e.run(context.Background(), phases); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	if !*noWrite && *only == "" {
		if err := e.write(*out); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		fmt.Println("wrote", *out)
	}
}

// env is one bench run: its Redis, sizes and results.
type env struct {
	sz      sizes
	quick   bool
	args    []string
	start   time.Time
	redis   *redisServer
	figs    []figure
	notes   map[string]string // phase -> extra text for the report
	goBench string
	host    string   // the machine, for the report
	close   []string // figures that met their target narrowly
}

// figure is one measured value.
type figure struct {
	Name, Value string
	Target      string // "" when the figure has no target
	Met         *bool  // nil when there is no target
}

// add records and prints a figure.
func (e *env) add(name, value string) { e.addT(name, value, "", nil) }

// addT records and prints a figure with its target and whether it was met.
func (e *env) addT(name, value, target string, met *bool) {
	e.figs = append(e.figs, figure{Name: name, Value: value, Target: target, Met: met})
	line := name + ": " + value
	if met != nil {
		line += fmt.Sprintf("  (target %s: %s)", target, verdict(*met))
	}
	fmt.Println(line)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func ptr(b bool) *bool { return &b }

// note attaches explanatory text to a phase in the report.
func (e *env) note(phase, text string) {
	if e.notes == nil {
		e.notes = map[string]string{}
	}
	e.notes[phase] += text + "\n"
}

// run starts Redis and runs the phases in order.
func (e *env) run(ctx context.Context, phases []string) error {
	r, err := startRedis()
	if err != nil {
		return err
	}
	e.redis = r
	defer r.stop()
	all := map[string]func(context.Context) error{
		"intake": e.intake, "roundtrips": e.roundTrips, "sweep": e.sweep, "digest": e.digest, "coverage": e.coverage,
		"outbox": e.outbox, "lanes": e.lanes, "memory": e.memory, "startup": e.startup, "import": e.importRoster, "gotest": e.goTests,
	}
	for _, p := range phases {
		f, ok := all[p]
		if !ok {
			return fmt.Errorf("unknown phase %q", p)
		}
		if p == "gotest" && (!e.sz.GoTest || e.quick) {
			continue
		}
		t := time.Now()
		if err := f(ctx); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fmt.Printf("# %s took %s\n", p, time.Since(t).Round(100*time.Millisecond))
		if slices.Contains([]string{"sweep", "digest", "coverage", "memory", "import"}, p) {
			c := r.client()
			_ = c.FlushAll(ctx).Err() // free memory for the next phase
			c.Close()
		}
	}
	e.add("bench_total_s", fmt.Sprintf("%.1f", time.Since(e.start).Seconds()))
	e.host = e.machine(ctx)
	return nil
}
