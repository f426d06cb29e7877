package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/config"
)

// lanesResult is one run of the lanes phase.
type lanesResult struct {
	lat       []time.Duration // intake: household's message in -> cadre's notice out
	missing   int
	limited   int            // 429 answers
	limitedTo map[string]int // 429 answers by recipient: household, cadre, leader
	overlap   time.Duration  // backlog sendable while requests kept coming
	inter     int            // interactive sends in the overlap
	bulk      int            // bulk sends in the overlap
	drain     time.Duration  // backlog queued -> its last message out
	leader    int            // messages the unit's leader received
	leaderEsc int            // escalations queued for the leader
}

// lanes measures intake at a steady LanesRate requests a second through
// the whole bot, at telegram.rate's defaults against an emulator enforcing
// Telegram's limits (1/s per chat after a burst of 3, 30/s overall): once
// alone, once while a backlog of reminders (to distinct cadres) and
// escalations (all to one unit's leader) is due.
func (e *env) lanes(ctx context.Context) error {
	alone, err := e.lanesRun(ctx, "lanes-alone", 0)
	if err != nil {
		return err
	}
	with, err := e.lanesRun(ctx, "lanes-backlog", e.sz.LanesBacklog)
	if err != nil {
		return err
	}
	rate := config.Default().Telegram.Rate
	e.add("lanes_setup", fmt.Sprintf("%d requests at %d/s; backlog %d (%d reminders to distinct cadres, %d escalations to one leader); telegram.rate.global %g, per chat %g; telegram.batch_window %v",
		e.sz.LanesRequests, e.sz.LanesRate, e.sz.LanesBacklog, e.sz.LanesBacklog-with.leaderEsc, with.leaderEsc, rate.Global, rate.PerChat, e.sz.LanesWindow))
	a50, a99 := percentile(alone.lat, 50), percentile(alone.lat, 99)
	b50, b99 := percentile(with.lat, 50), percentile(with.lat, 99)
	e.add("lanes_intake_alone_p50_p99_ms", ms(a50)+" / "+ms(a99))
	e.addT("lanes_intake_backlog_p50_p99_ms", ms(b50)+" / "+ms(b99), "p99 ≤ 1.5 × alone and < 1 s",
		ptr(float64(b99) <= 1.5*float64(a99) && b99 < time.Second))
	if alone.missing+with.missing > 0 {
		e.add("lanes_missing_messages", fmt.Sprintf("%d alone, %d with the backlog", alone.missing, with.missing))
	}
	e.addT("lanes_429s", fmt.Sprintf("%d alone %v, %d with the backlog %v", alone.limited, alone.limitedTo, with.limited, with.limitedTo), "0", ptr(alone.limited+with.limited == 0))
	if with.overlap > 0 {
		s := with.overlap.Seconds()
		spare := rate.Global - float64(with.inter)/s
		got := float64(with.bulk) / s
		e.addT("lanes_backlog_drain_msgs_per_s", fmt.Sprintf("%.1f while requests came (spare global rate %.1f: %.0f%%); whole backlog out %.1f s after it was queued",
			got, spare, 100*got/spare, with.drain.Seconds()), "≥ 90% of the spare rate", ptr(got >= 0.9*spare))
	}
	e.addT("lanes_leader_messages", fmt.Sprintf("%d for %d escalations", with.leader, with.leaderEsc), "a handful (≤ 10)", ptr(with.leader > 0 && with.leader <= 10))
	return nil
}

// lanesRun runs one side in namespace ns with a backlog of n notices.
func (e *env) lanesRun(ctx context.Context, ns string, n int) (lanesResult, error) {
	var res lanesResult
	tg := telegramtest.New()
	defer tg.Close()
	tg.EnforceLimits(1, 30)
	rec := newRecorder(tg)
	defer rec.close()
	rate := config.Default().Telegram.Rate
	cfg := withBot(benchConfig(e.redis.url(), ns), rec.url(), tg.Token(), rate.Global, rate.PerChat)
	cfg.Telegram.BatchWindow = e.sz.LanesWindow
	m, err := program(ctx, cfg, nil)
	if err != nil {
		return res, err
	}
	defer m.Close()
	st := m.Store
	nReq := e.sz.LanesRequests
	c := makeCounty(nReq, max(100, n))
	if err := populate(ctx, m.Service, st, c, true); err != nil {
		return res, err
	}
	for _, cd := range c.roster.Cadres {
		tg.AddUser(telegramtest.User{ID: accountOf(cd.ID), FirstName: cd.Name, LanguageCode: "zh-hans"})
	}
	if err := warmUp(ctx, m, rec); err != nil { // the digest a first start owes, sent before the run
		return res, err
	}
	before := len(tg.CallsTo("sendMessage"))
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	polls := rec.polls.Load()
	go func() { defer close(done); _ = m.Run(rctx) }()
	defer func() { cancel(); <-done }()
	if !rec.waitPoll(polls, 30*time.Second) {
		return res, fmt.Errorf("%s: the bot never polled", ns)
	}
	backlog, leader := backlogNotices(c, n)
	for _, bn := range backlog {
		if bn.ChatID == leader {
			res.leaderEsc++
		}
	}
	t0 := time.Now()
	for i := 0; i < len(backlog); i += 100 {
		if err := st.Enqueue(ctx, "", backlog[i:min(i+100, len(backlog))]); err != nil {
			return res, err
		}
	}
	res.lat, res.missing = steadyIntake(rec, c, nReq, e.sz.LanesRate)
	tEnd := time.Now()
	isBulk := func(c telegramtest.Call) bool {
		t := c.Params["text"]
		return strings.Contains(t, "提醒") || strings.Contains(t, "督办")
	}
	if n > 0 {
		tg.Wait(time.Duration(n)*time.Second/2+2*time.Minute, func() bool { return bulkLeft(ctx, st) == 0 })
	}
	from := t0.Add(e.sz.LanesWindow)
	for _, call := range tg.CallsTo("sendMessage")[before:] {
		switch {
		case call.Code == 429:
			res.limited++
			who := "cadre"
			if call.ChatID == leader {
				who = "leader"
			} else if call.ChatID < cadreAccount {
				who = "household"
			}
			if res.limitedTo == nil {
				res.limitedTo = map[string]int{}
			}
			res.limitedTo[who]++
		case call.Code != 200:
		case isBulk(call):
			if call.ChatID == leader {
				res.leader++
			}
			if call.Time.After(from) && call.Time.Before(tEnd) {
				res.bulk++
			}
			res.drain = max(res.drain, call.Time.Sub(t0))
		case call.Time.After(from) && call.Time.Before(tEnd):
			res.inter++
		}
	}
	if tEnd.After(from) {
		res.overlap = tEnd.Sub(from)
	}
	return res, nil
}

// bulkLeft counts the notices still queued in the bulk lane (-1: unknown).
func bulkLeft(ctx context.Context, st interface {
	LaneDepths(context.Context) ([flows.Lanes + 1]int64, error)
}) int64 {
	d, err := st.LaneDepths(ctx)
	if err != nil {
		return -1
	}
	return d[flows.LaneBulk]
}

// backlogNotices makes n due notices: the first unit's leader gets one
// escalation per household request (up to 200), the rest are reminders to
// distinct cadres. It returns them and the leader's chat.
func backlogNotices(c county, n int) ([]flows.Notice, int64) {
	leader := accountOf(c.leaders[0].ID)
	var out []flows.Notice
	esc := min(n, 200)
	for i := 0; i < esc; i++ {
		h := c.roster.Households[i%len(c.roster.Households)]
		out = append(out, flows.Notice{ChatID: leader, Lang: "zh", Kind: flows.NoticeEscalation, RequestID: int64(100_000 + i),
			Args: map[string]string{"no": strconv.Itoa(100_000 + i), "household": h.Name, "village": h.Village, "cadre": "干部", "reason": "no_response",
				"text": "房顶漏雨，想申请危房改造补助"}})
	}
	var cadres []flows.Cadre
	for _, cd := range c.roster.Cadres {
		if cd.Role == flows.RoleCadre {
			cadres = append(cadres, cd)
		}
	}
	for i := 0; i < n-esc; i++ {
		cd := cadres[i%len(cadres)]
		out = append(out, flows.Notice{ChatID: accountOf(cd.ID), Lang: "zh", Kind: flows.NoticeReminder, RequestID: int64(200_000 + i),
			Args: map[string]string{"no": strconv.Itoa(200_000 + i), "household": "农户", "village": "村", "text": "路灯坏了"}})
	}
	return out, leader
}

// steadyIntake sends one tagged message from each of the first n
// households at perSecond, and returns each one's latency to its cadre's
// notice, and how many never came out.
func steadyIntake(rec *recorder, c county, n, perSecond int) ([]time.Duration, int) {
	const turn = 7 // tags q7n<i>z
	sent := make(map[string]time.Time, n)
	tick := time.NewTicker(time.Second / time.Duration(perSecond))
	defer tick.Stop()
	for i := 0; i < n; i++ {
		<-tick.C
		h := c.roster.Households[i]
		tok := fmt.Sprintf("q%dn%dz", turn, i)
		sent[tok] = time.Now()
		rec.tg.SendText(telegramtest.User{ID: accountOf(h.ID), FirstName: h.Name, LanguageCode: "zh-hans"}, text100(tok))
	}
	rec.wait(turn, n, 2*time.Minute)
	var lat []time.Duration
	missing := 0
	for tok, t0 := range sent {
		t1, ok := rec.at(tok)
		if !ok {
			missing++
			continue
		}
		lat = append(lat, t1.Sub(t0))
	}
	return lat, missing
}
