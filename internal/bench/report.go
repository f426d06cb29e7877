package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// why explains each target that can be missed: why, and what would fix it.
// The report shows the text only when the target was missed.
var why = map[string]string{
	"intake_ratio": `Two causes, and the first sets a ceiling. (1) Each household message makes two Bot API
calls (intake_sends_per_msg: the household's confirmation with the request number, which issue 2 requires, and the
cadre's notification) where the echo bot makes one; a sendMessage costs the same on both sides (go-telegram/bot builds
a multipart form, the emulator parses it and answers a Message that the library decodes), so with everything else
free the ratio would approach 0.5 from below. Counted in sendMessage calls a second, Minqing runs at about half of
the echo bot (intake_send_rate_ratio). (2) Throughput follows CPU per message, as the bot, the emulator and
redis-server share two cores (intake_*_cpu_us_per_msg): Minqing also stores the update before confirming it, runs
the intake and Apply scripts (intake_minqing_redis_cpu_us_per_msg: the Apply script writes the request, its
timeline, five indexes, the due items and both notices in one atomic step) and does the outbox's bookkeeping. Done
so far: three round trips per new request; the sender's and the workers' finishing writes batched by group commit
and XAUTOCLAIM run at most every stale/4 instead of before every read (round trips per message 6.4 -> 4.0); idle
HTTP connections kept for the parallel sends. In a CPU profile of this
phase (go run ./internal/bench -only intake -cpuprofile FILE; the bots' goroutines carry the label side=minqing|echo),
Minqing's own goroutines take about twice the echo bot's CPU, that is, its two sends; the rest is the emulator and
Redis. What would still help: a leaner sendMessage path (JSON bodies instead of go-telegram's multipart forms, not
decoding the whole returned Message) and one Lua script per request instead of the intake and Apply pair. Neither
lifts the ceiling of (1).`,
	"roundtrips_new_request": `Receive reads before it writes, one command at a time
(roundtrips_new_request_breakdown): the account, the household, its open requests (a new request must not be a
follow-up), the request number, the cadre and the cadre's account, then the one atomic write (the Apply script). To
reach 2: (1) one read script that follows the references server-side (account → household → open requests → cadre →
cadre account; all keys share the county's hash tag), or keep the roster and the cadre accounts in process (they
change only on import and binding) and read the account and the household's open requests in one pipeline; (2) take
the request number inside the Apply script (INCR there), filling the number into the notices when they are sent
("#{{.A.no}}" from the notice's RequestID) rather than when they are queued.`,
	"digest_county_under_1s": `BuildDigest builds two weeks (the digest's and, for the arrows, the one before); for each
it reads every request of the week and its timeline, decoded on all processors with go-json-experiment/json, plus the
cadres and the names of the week's households (digest_store_reads_ms). What is left is mostly Redis transfer and
decoding. Fixes: keep a past week's rates as a stored summary instead of rebuilding the week before, index the week
per unit (a unit's digest reads the county's week and filters it), and store the fields the digest counts as hash
fields so that counting does not decode whole requests and timelines.`,
	"sweep_ratio": `A sweep should claim due items with ZRANGEBYSCORE (O(log N + due)) and touch only the due
requests; a miss means it reads something that grows with the open requests.`,
	"outbox_rate_msgs_per_s": `The sender paces at telegram.rate.global; a miss means it waited longer than that
between sends: per-chat queues idle, or 429 pauses. With few chats for the messages the per-chat limit (1/s after a
burst of 3) binds before the global one, and no sender can do better without breaking Telegram's per-chat limit.`,
	"outbox_429s":             `The emulator answered 429: the sender's pacing let a burst through.`,
	"outbox_chats_over_limit": `A chat received more than its per-chat allowance (1/s after a burst of 3).`,
	"redis_3y_county_bytes":   `At the assumed volume three years of requests do not fit in 1 GB.`,
	"lanes_intake_backlog_p50_p99_ms": `With the backlog the global rate is saturated (interactive ~20/s + bulk filling the
rest of 25/s), so a new request's messages wait for the next free slot (at most 1/25 s) and its two messages (the
household's confirmation and the cadre's notice) take two slots: about +40 ms at the median and +80 ms at worst,
plus the CPU of sending 25 messages a second instead of 20 on a shared machine. Alone the limiter is mostly idle.
Holding slots back from bulk would shorten the wait but lower the drain below the spare rate (the other target);
the lanes keep the wait bounded by a slot or two, whatever the size of the backlog.`,
	"lanes_backlog_drain_msgs_per_s": `Bulk gets every slot interactive does not use; a miss means slots went unused
(the dispatcher woke late on a loaded machine) or the bulk lane had nothing ready (batch windows not over).`,
	"lanes_429s":            `The emulator answered 429: a chat or the bot got more than Telegram allows.`,
	"lanes_leader_messages": `Escalations to the leader were not merged (telegram.batch_window 0, or they fell due apart).`,
	"coverage_sweep_nothing_due_ms": `A sweep with nothing due should cost two ZRANGEBYSCORE calls; a miss means it
reads something that grows with the households.`,
	"coverage_digest_county_ms": `The coverage lines read the roster (every household's record) and every household's
last contact once. Fixes: read only the cadre and village fields (HMGET) instead of whole records, or keep per-unit
counts of households contacted since a day, updated with each contact.`,
}

// notes are always shown, after the table: how each figure was taken.
const notes = `### How the figures were taken
- **Wiring.** The bench runs the program as production does: app.Main (Open, OpenBot, Run: store, flows.Service,
  bot, cron) from the default config, flood control and every rule on, with no second wiring; phases that time the
  service alone build it with app.NewService, as Main.Open does. Only what places it changes: the bench's Redis and namespace, the Bot API URL, no /healthz server, errors-only logs, no quiet hours (as
  in the end-to-end tests) and, where noted, telegram.rate.
- **Redis** is a redis-server the bench starts on a free port in a temporary directory, with appendonly yes,
  appendfsync everysec and noeviction (the README's deployment settings). The go test benchmarks below use
  internal/redistest, whose servers run appendfsync always: every write there includes an fsync.
- **Intake** (1): each round injects one 100-character text from each of N bound households at once (a burst) into
  the emulator and waits until every one has come out: for Minqing the cadre's new-request notice, for the echo bot the
  echo. A recording proxy in front of the emulator notes when each tagged message is stored by sendMessage. Rates are
  N ÷ (first injection → last message out); latency is per message, injection → out, so it includes the wait in the
  burst. Minqing's telegram.rate is raised to 10⁶/s so that its limiter is out of the way; the echo bot is
  tgbot.New(token, WithServerURL, WithDefaultHandler(SendMessage back)) with the library's defaults. The two sides
  alternate (ABBA); each round's bot (Main.Run for Minqing) is started, waits for its first getUpdates, and is
  stopped after. Before the rounds Minqing runs once to send the digest its first start owes every bound leader.
- **Round trips** (2) are counted by a go-redis hook on the program's store client (a command counts 1, a pipeline or
  MULTI/EXEC counts 1) during svc.Receive of a bound household's new request, after one warm-up request.
- **Sweep** (3): both sides hold the same number of open requests at every sweep, of which sweep-due are due
  (reminders of requests created 24 h before); each side sweeps reps times, alternating.
- **Digest** (4): the county roster, the digest's week and the week before it (BuildDigest reads both) hold
  digest-requests requests each, stored change by change (answered, resolved — some late —, rated, closed); older
  weeks hold the same number of closed requests. "1w" has one week of history before the digest's week, the other
  side digest-weeks.
- **Coverage** (4b, ` + "`-only coverage`" + `): the county roster is imported a year before the sweep (that assigns every
  household) with every card bound, then each household is reached through flows.Service.Contacted from once to 24
  times in the year (a visit, a request, a reply, a check-in answer in turn, at deterministic times). The sweeps run the
  coverage nudges alone (check-ins off), then the check-ins, at the Monday 08:00 of the digest, the next day, and again at
  that time (nothing due). The digest figures are BuildDigest on that store (roster and contacts only, no requests): what the
  coverage lines add to the digest of the Digest phase.
- **Outbox** (5): the messages are queued before the bot starts; the emulator enforces 1 message/s per chat (burst 3)
  and 30/s overall; the bot runs with the default telegram.rate (25/s, 1/s per chat). The rate is taken from the
  emulator's call log, first to last successful sendMessage.
- **Memory** (6): the bot runs in a child process (so that its RSS is the bot's alone) against a minimal Bot API stub
  (the emulator keeps every message in memory); the households' updates are stored in the inbox as the poller stores
  them, and the bot handles and sends them. Each household writes once, so every message is a new request (the
  child's roster has as many households as requests). Redis bytes are INFO used_memory deltas.
- **Start-up** (7): the real binary (go build) runs with a config pointing at the emulator and the bench's Redis, with
  the county's roster imported and every card and invite bound; the time is from starting the process to the arrival
  of its first getUpdates. The first start also finds the digest of the last schedule.digest occurrence unsent (it is
  claimed once per occurrence) and sends it to every bound leader; restarts find it claimed. If startup_first_ms is
  much larger than startup_restart_ms, that catch-up holds up polling: running it once polling has started fixes it.
- **Import** (8): the real binary (go build) runs ` + "`minqing import`" + ` of generated files (households with 11-digit
  phones and full addresses) into the bench's Redis: first into an empty Redis, then a dry run and the import of the next
  year's files (1% of the officials gone, every tenth household moved, 1% gone and as many new). CPU is the process's
  rusage and redis-server's INFO cpu delta, independent of what else the machine runs; the slowest command is Redis's
  SLOWLOG (over 5 ms); the PING wait is a client pinging every millisecond meanwhile (what the bot would have waited).
- The machine may be shared with other work; each comparison alternates its two sides within one run so that both
  see the same conditions, and reports medians.
`

// machine describes this machine for the report.
func (e *env) machine(ctx context.Context) string {
	cpu := "unknown"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := "unknown"
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(raw), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	rdb := e.redis.client()
	defer rdb.Close()
	return fmt.Sprintf("| nproc | %d |\n| CPU | %s |\n| memory | %s |\n| Go | %s %s/%s |\n| Redis | %s |\n| kernel | %s |\n",
		runtime.NumCPU(), cpu, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH,
		info(ctx, rdb, "server", "redis_version"), strings.TrimSpace(string(kernel)))
}

// write rewrites the report file.
func (e *env) write(path string) error {
	var b bytes.Buffer
	cmd := strings.TrimSpace("go run ./internal/bench " + strings.Join(e.args, " "))
	fmt.Fprintf(&b, "# Benchmarks\n\nMeasured, not guessed: written by `%s` on %s (%.0f s). Rerun it to refresh this file;\n",
		cmd, e.start.UTC().Format("2006-01-02 15:04 MST"), time.Since(e.start).Seconds())
	b.WriteString("`go run ./internal/bench -quick` is the CI-sized smoke run (writes nothing). `go run ./internal/bench -h` lists the sizes.\n\n")
	b.WriteString("## Machine\n\n| | |\n|---|---|\n" + e.host + "\n")
	b.WriteString("## Figures\n\n| figure | value | target | |\n|---|---|---|---|\n")
	var missed []figure
	for _, f := range e.figs {
		mark := ""
		if f.Met != nil {
			mark = "met"
			if !*f.Met {
				mark, missed = "**missed**", append(missed, f)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.Name, strings.ReplaceAll(f.Value, "|", "/"), f.Target, mark)
	}
	b.WriteString("\n## Targets missed\n\n")
	if len(missed) == 0 {
		b.WriteString("None.\n")
	}
	for _, f := range missed {
		fmt.Fprintf(&b, "### %s: %s (target %s)\n%s\n\n", f.Name, f.Value, f.Target, why[f.Name])
	}
	if len(e.close) > 0 {
		b.WriteString("## Met, but close\n\n")
		for _, name := range e.close {
			for _, f := range e.figs {
				if f.Name == name {
					fmt.Fprintf(&b, "### %s: %s (target %s)\nThe next run may miss it. %s\n\n", f.Name, f.Value, f.Target, why[f.Name])
				}
			}
		}
	}
	b.WriteString("\n" + notes)
	for _, phase := range []string{"roundtrips", "sweep", "memory"} {
		if n := e.notes[phase]; n != "" {
			fmt.Fprintf(&b, "- *%s:* %s", phase, n)
		}
	}
	if e.goBench != "" {
		shown := strings.Replace(strings.Join(goTestArgs, " "), "^$", "'^$'", 1)
		fmt.Fprintf(&b, "\n## Micro-benchmarks\n\nRun by the bench (phase gotest) as:\n\n```sh\ngo %s\n```\n\n```\n%s```\n", shown, e.goBench)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
