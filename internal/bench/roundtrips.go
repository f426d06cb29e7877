package main

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// counter is a go-redis hook that counts round trips while on: one per
// command, one per pipeline (or MULTI/EXEC transaction), whatever its size.
type counter struct {
	mu    sync.Mutex
	on    bool
	trip  []string
	tally bool           // count by command name instead of listing trips
	names map[string]int // with tally: round trips by command name
	total int
}

var digits = regexp.MustCompile(`[0-9]+`)

// describe names a command by its name and first key, without the key
// prefix and with numbers as #: "hgetall acct:#".
func describe(cmd redis.Cmder) string {
	args := cmd.Args()
	name := strings.ToLower(cmd.Name())
	key := ""
	switch {
	case (name == "evalsha" || name == "eval") && len(args) > 3:
		key = fmt.Sprint(args[3])
	case len(args) > 1:
		key = fmt.Sprint(args[1])
	}
	if _, rest, ok := strings.Cut(key, "}:"); ok {
		key = rest
	}
	return strings.TrimSpace(name + " " + digits.ReplaceAllString(key, "#"))
}

func (c *counter) add(s string) {
	c.mu.Lock()
	switch {
	case c.on && c.tally:
		if strings.HasPrefix(s, "pipeline[") {
			s = "pipeline"
		} else {
			s, _, _ = strings.Cut(s, " ")
		}
		c.names[s]++
		c.total++
	case c.on:
		c.trip = append(c.trip, s)
	}
	c.mu.Unlock()
}

// startTally starts counting round trips by command name.
func (c *counter) startTally() {
	c.mu.Lock()
	c.on, c.tally, c.names, c.total = true, true, map[string]int{}, 0
	c.mu.Unlock()
}

// stopTally stops counting and describes the count per unit of work:
// "17.2 (evalsha 3.0, hgetall 4.0, …)".
func (c *counter) stopTally(per int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on, c.tally = false, false
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range c.names {
		kvs = append(kvs, kv{k, v})
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].v > kvs[j].v || kvs[i].v == kvs[j].v && kvs[i].k < kvs[j].k })
	var parts []string
	for _, x := range kvs {
		parts = append(parts, fmt.Sprintf("%s %.2f", x.k, float64(x.v)/float64(per)))
	}
	return fmt.Sprintf("%.1f (%s)", float64(c.total)/float64(per), strings.Join(parts, ", "))
}

// DialHook implements redis.Hook.
func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook: one round trip per command.
func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.add(describe(cmd))
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook: one round trip per pipeline.
func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		var names []string
		for _, cmd := range cmds {
			names = append(names, describe(cmd))
		}
		c.add("pipeline[" + strings.Join(names, ", ") + "]")
		return next(ctx, cmds)
	}
}

var _ redis.Hook = (*counter)(nil)

// measure returns the round trips fn makes.
func (c *counter) measure(fn func() error) ([]string, error) {
	c.mu.Lock()
	c.on, c.trip = true, nil
	c.mu.Unlock()
	err := fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.trip, err
}

// roundTrips counts the Redis round trips of svc.Receive for a bound
// household's new request ("update stored" to "notification queued"), and
// of a follow-up for comparison.
func (e *env) roundTrips(ctx context.Context) error {
	m, err := program(ctx, benchConfig(e.redis.url(), "roundtrips"), nil)
	if err != nil {
		return err
	}
	defer m.Close()
	cnt := &counter{}
	m.Store.Client().AddHook(cnt)
	svc := m.Service
	c := makeCounty(200, 20)
	if err := populate(ctx, svc, m.Store, c, true); err != nil {
		return err
	}
	upd := int64(1)
	msg := func(h flows.Household, text string, replyTo int) flows.Message {
		upd++
		return flows.Message{UpdateID: upd, AccountID: accountOf(h.ID), ChatID: accountOf(h.ID), MessageID: int(upd),
			Lang: "zh-hans", Name: h.Name, Kind: flows.KindText, Text: text, ReplyTo: replyTo}
	}
	// Warm up: loads the Lua scripts (a first EVALSHA may answer NOSCRIPT).
	if err := svc.Receive(ctx, msg(c.roster.Households[0], text100("warm"), 0)); err != nil {
		return err
	}
	var trips []string
	counts := map[int]int{}
	const samples = 50
	for i := 1; i <= samples; i++ {
		t, err := cnt.measure(func() error { return svc.Receive(ctx, msg(c.roster.Households[i], text100("new"), 0)) })
		if err != nil {
			return err
		}
		counts[len(t)]++
		trips = t
	}
	n := len(trips)
	e.addT("roundtrips_new_request", fmt.Sprintf("%d (same in %d of %d requests)", n, counts[n], samples), "≤ 3", ptr(n <= 3))
	e.add("roundtrips_new_request_breakdown", strings.Join(trips, " → "))
	fu, err := cnt.measure(func() error { return svc.Receive(ctx, msg(c.roster.Households[1], "还有一件事", 0)) })
	if err != nil {
		return err
	}
	e.add("roundtrips_followup", fmt.Sprintf("%d: %s", len(fu), strings.Join(fu, " → ")))
	return nil
}
