package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/internal/app"
)

// intakeSide is what one side of the intake comparison measured over its
// turns.
type intakeSide struct {
	rates      []float64
	lat        []time.Duration
	cpu, redis time.Duration // CPU time in this process and in redis-server
	sends      int64         // sendMessage calls
	missing    int
}

// turn runs one turn of this side and adds what it measured.
func (s *intakeSide) turn(ctx context.Context, rdb *redis.Client, rec *recorder, turn int, users []telegramtest.User, run func(context.Context)) error {
	p0, r0, s0 := processCPU(), redisCPU(ctx, rdb), rec.sends.Load()
	res, err := runTurn(rec, turn, users, run)
	s.sends += rec.sends.Load() - s0
	s.cpu, s.redis = s.cpu+processCPU()-p0, s.redis+redisCPU(ctx, rdb)-r0
	s.rates, s.lat, s.missing = append(s.rates, res.rate()), append(s.lat, res.latencies...), s.missing+res.missing
	return err
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
	c, err := e.intakeCounty(ctx, rdb, prog, tg, rec)
	if err != nil {
		return err
	}
	n := min(e.sz.Intake, len(c.roster.Households)/e.sz.Rounds)
	var mq, echo intakeSide
	var trips, cmdCPU string
	for r := 0; r < e.sz.Rounds; r++ {
		users := make([]telegramtest.User, n)
		for i := range users {
			h := c.roster.Households[r*n+i]
			users[i] = telegramtest.User{ID: accountOf(h.ID), FirstName: h.Name, LanguageCode: "zh-hans"}
		}
		minqing := func() error {
			if r == 0 {
				cnt.startTally()
				rdb.ConfigResetStat(ctx)
			}
			err := mq.turn(ctx, rdb, rec, 2*r, users, func(ctx context.Context) { _ = prog.Run(ctx) })
			if r == 0 {
				trips, cmdCPU = cnt.stopTally(n), commandCPU(ctx, rdb, n)
			}
			return err
		}
		echoTurn := func() error {
			return echo.turn(ctx, rdb, rec, 2*r+1, users, func(ctx context.Context) {
				if eb, err := echoBot(rec.url(), tg.Token()); err == nil {
					eb.Start(ctx)
				}
			})
		}
		order := []func() error{minqing, echoTurn}
		if r%2 == 1 {
			order = []func() error{echoTurn, minqing}
		}
		for _, f := range order {
			if err := f(); err != nil {
				return err
			}
		}
	}
	e.intakeFigures(n, mq, echo)
	e.add("intake_minqing_redis_roundtrips_per_msg", trips+", whole bot: poller, workers, sender, idle reads")
	e.add("intake_minqing_redis_cpu_us_per_msg", cmdCPU+" (INFO commandstats, first round; scripts include the commands they call)")
	if missing := mq.missing + echo.missing; missing > 0 {
		e.add("intake_missing_messages", strconv.Itoa(missing))
	}
	return nil
}

// intakeCounty stores the county's roster through the program, every card
// and invite bound, gives its officials accounts in the emulator and warms
// the program up.
func (e *env) intakeCounty(ctx context.Context, rdb *redis.Client, prog *app.Main, tg *telegramtest.Server, rec *recorder) (county, error) {
	c := makeCounty(e.sz.Households, e.sz.Cadres)
	before := usedMemory(ctx, rdb)
	if err := populate(ctx, prog.Service, prog.Store, c, true); err != nil {
		return c, err
	}
	e.add("redis_roster_bytes", fmt.Sprintf("%d (%d households, %d cadres, all bound)", usedMemory(ctx, rdb)-before, len(c.roster.Households), len(c.roster.Cadres)))
	for _, cd := range c.roster.Cadres {
		tg.AddUser(telegramtest.User{ID: accountOf(cd.ID), FirstName: cd.Name, LanguageCode: "zh-hans"})
	}
	return c, warmUp(ctx, prog, rec)
}

// intakeFigures reports the two sides' rates, sends, latencies and CPU, for
// n messages a round.
func (e *env) intakeFigures(n int, mq, echo intakeSide) {
	m, ec := median(mq.rates), median(echo.rates)
	e.add("intake_messages_per_round", fmt.Sprintf("%d (x%d rounds per side, alternating)", n, e.sz.Rounds))
	e.add("intake_minqing_msgs_per_s", fmt.Sprintf("%.0f (rounds: %s)", m, rates(mq.rates)))
	e.add("intake_echo_msgs_per_s", fmt.Sprintf("%.0f (rounds: %s)", ec, rates(echo.rates)))
	e.addT("intake_ratio", fmt.Sprintf("%.2f", m/ec), "≥ 0.5", ptr(m/ec >= 0.5))
	total := float64(n * e.sz.Rounds)
	mPer, ePer := float64(mq.sends)/total, float64(echo.sends)/total
	e.add("intake_sends_per_msg", fmt.Sprintf("Minqing %.2f (the household's confirmation and the cadre's notification), echo %.2f", mPer, ePer))
	if ePer > 0 {
		e.add("intake_send_rate_ratio", fmt.Sprintf("%.2f (sendMessage calls a second, Minqing ÷ echo)", m*mPer/(ec*ePer)))
	}
	e.add("intake_minqing_latency_p50_ms", ms(percentile(mq.lat, 50)))
	e.add("intake_minqing_latency_p99_ms", ms(percentile(mq.lat, 99)))
	e.add("intake_echo_latency_p50_ms", ms(percentile(echo.lat, 50)))
	e.add("intake_echo_latency_p99_ms", ms(percentile(echo.lat, 99)))
	per := func(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d.Microseconds())/total) }
	e.add("intake_minqing_cpu_us_per_msg", fmt.Sprintf("%s in this process (bot + emulator), %s in redis-server", per(mq.cpu), per(mq.redis)))
	e.add("intake_echo_cpu_us_per_msg", fmt.Sprintf("%s in this process (bot + emulator), %s in redis-server", per(echo.cpu), per(echo.redis)))
}

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
