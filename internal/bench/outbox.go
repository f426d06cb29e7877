package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/config"
)

// outbox queues Outbox notices to OutboxChat chats and lets the sender drain
// them at the configured rates (telegram.rate defaults: 25/s, 1/s per chat)
// against an emulator enforcing Telegram's limits (1/s per chat with a burst
// of 3, 30/s overall).
func (e *env) outbox(ctx context.Context) error {
	tg := telegramtest.New()
	defer tg.Close()
	tg.EnforceLimits(1, 30)
	chats := e.sz.OutboxChat
	for i := 0; i < chats; i++ {
		tg.AddUser(telegramtest.User{ID: hhAccount + int64(i), FirstName: "户" + strconv.Itoa(i)})
	}
	// Queue every message first: chat i%chats gets message i, so each chat
	// has Outbox/chats messages waiting and they interleave in the queue.
	rate := config.Default().Telegram.Rate
	m, err := program(ctx, withBot(benchConfig(e.redis.url(), "outbox"), tg.URL(), tg.Token(), rate.Global, rate.PerChat), nil)
	if err != nil {
		return err
	}
	defer m.Close()
	st := m.Store
	var notices []flows.Notice
	for i := 0; i < e.sz.Outbox; i++ {
		notices = append(notices, flows.Notice{ChatID: hhAccount + int64(i%chats), Lang: "zh", Kind: flows.NoticeRequestAck,
			RequestID: int64(i + 1), Args: map[string]string{"no": strconv.Itoa(i + 1)}})
	}
	for i := 0; i < len(notices); i += 100 {
		if err := st.Enqueue(ctx, "", notices[i:min(i+100, len(notices))]); err != nil {
			return err
		}
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Run(rctx) }()
	sent := func() []telegramtest.Call {
		var ok []telegramtest.Call
		for _, c := range tg.CallsTo("sendMessage") {
			if c.Code == 200 {
				ok = append(ok, c)
			}
		}
		return ok
	}
	timeout := time.Duration(float64(e.sz.Outbox)/rate.Global*1.5)*time.Second + 30*time.Second
	deadline := time.Now().Add(timeout)
	for len(sent()) < e.sz.Outbox && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond) // polling the emulator's call log
	}
	cancel()
	<-done
	calls := tg.CallsTo("sendMessage")
	var ok []telegramtest.Call
	limited := 0
	for _, c := range calls {
		switch c.Code {
		case 200:
			ok = append(ok, c)
		case 429:
			limited++
		}
	}
	if len(ok) < 2 {
		return fmt.Errorf("outbox: only %d messages sent", len(ok))
	}
	sort.Slice(ok, func(i, j int) bool { return ok[i].Time.Before(ok[j].Time) })
	span := ok[len(ok)-1].Time.Sub(ok[0].Time)
	achieved := float64(len(ok)-1) / span.Seconds()
	e.add("outbox_sent", fmt.Sprintf("%d of %d to %d chats in %.1f s", len(ok), e.sz.Outbox, chats, span.Seconds()))
	e.addT("outbox_rate_msgs_per_s", fmt.Sprintf("%.2f (%.0f%% of telegram.rate.global = %g)", achieved, 100*achieved/rate.Global, rate.Global),
		"≥ 90% of the global rate", ptr(achieved >= 0.9*rate.Global))
	e.addT("outbox_429s", strconv.Itoa(limited), "0", ptr(limited == 0))
	over, worst := perChatViolations(ok, 1, 3)
	e.addT("outbox_chats_over_limit", fmt.Sprintf("%d (most messages to one chat in any 1 s window: %d)", over, worst),
		"0 (1/s per chat, burst 3)", ptr(over == 0))
	return nil
}

// perChatViolations replays each chat's sends through a token bucket of
// rate per second and the given burst, counting chats that ever sent without
// a token; worst is the most sends to one chat within any second.
func perChatViolations(calls []telegramtest.Call, rate, burst float64) (over, worst int) {
	byChat := map[int64][]time.Time{}
	for _, c := range calls {
		byChat[c.ChatID] = append(byChat[c.ChatID], c.Time)
	}
	for _, ts := range byChat {
		tokens, last, bad := burst, ts[0], false
		for i, t := range ts {
			tokens = min(burst, tokens+t.Sub(last).Seconds()*rate)
			last = t
			if tokens < 1-1e-3 {
				bad = true
			}
			tokens--
			n := 0
			for j := i; j < len(ts) && ts[j].Sub(t) < time.Second; j++ {
				n++
			}
			worst = max(worst, n)
		}
		if bad {
			over++
		}
	}
	return over, worst
}
