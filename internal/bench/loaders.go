package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// Fast loaders for the large data sets: they write, in big pipelines, the
// same keys store.Apply writes (see store/keys.go and the Apply script in
// store/requests.go), or the part of them a measurement can depend on.
// checkLayout compares each with store.Apply on a sample request, so that
// they cannot drift from the store unnoticed.

// keyspace builds the keys of one namespace.
type keyspace string

func (k keyspace) key(s string) string { return "mq:{" + string(k) + "}:" + s }

// eachZset calls add for every sorted-set entry store.Apply writes for a new
// open request: the indexes by creation time, the week, the two stages.
func (k keyspace) eachZset(id int64, h flows.Household, c flows.Cadre, created time.Time, week string, add func(key string, z redis.Z)) {
	m := strconv.FormatInt(id, 10)
	at := redis.Z{Score: float64(created.UnixMilli()), Member: m}
	for _, s := range []string{"reqs:hh:" + h.ID, "open:cadre:" + c.ID, "open:hh:" + h.ID, "open:unit:" + c.Unit, "open:all:", "week:" + week} {
		add(k.key(s), at)
	}
	for _, d := range firstStages(id, created) {
		add(k.key("due"), redis.Z{Score: float64(d.At.UnixMilli()), Member: m + "|" + string(d.Stage)})
	}
}

// loadZsets writes only the sorted-set entries of n open requests (ids from
// first), one ZADD per key and chunk, on 8 goroutines: what a sweep's cost
// could depend on, without the request hashes and timelines no sweep reads.
// It returns requests/s.
func loadZsets(ctx context.Context, rdb *redis.Client, ns string, c county, first int64, n int, created func(i int) time.Time) (float64, error) {
	cadres := map[string]flows.Cadre{}
	for _, cd := range c.roster.Cadres {
		cadres[cd.ID] = cd
	}
	hh, k := c.roster.Households, keyspace(ns)
	const chunk = 5000
	start := time.Now()
	err := parallel((n+chunk-1)/chunk, 8, func(part int) error {
		batch := map[string][]redis.Z{}
		add := func(key string, z redis.Z) { batch[key] = append(batch[key], z) }
		var hour time.Time
		var week string
		for i := part * chunk; i < min(n, (part+1)*chunk); i++ {
			h := hh[i%len(hh)]
			at := created(i)
			if t := at.Truncate(time.Hour); !t.Equal(hour) { // a week starts on an hour
				hour, week = t, flows.WeekOf(at, settings().Location).Label()
			}
			k.eachZset(first+int64(i), h, cadres[h.CadreID], at, week, add)
		}
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for key, zs := range batch {
				p.ZAdd(ctx, key, zs...)
			}
			return nil
		})
		return err
	})
	return float64(n) / time.Since(start).Seconds(), err
}

// writeClosed queues what store.Apply writes for a change that creates a
// request already closed (no notices, schedule or guard): the request hash,
// its one-event timeline, the household index and the week index.
func (k keyspace) writeClosed(ctx context.Context, p redis.Pipeliner, ch flows.Change) error {
	r := ch.Request
	r.Version = 1
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	ev, err := json.Marshal(ch.Event)
	if err != nil {
		return err
	}
	id := strconv.FormatInt(r.ID, 10)
	at := redis.Z{Score: float64(r.CreatedAt.UnixMilli()), Member: id}
	p.HSet(ctx, k.key("req:"+id), "v", "1", "d", data)
	p.RPush(ctx, k.key("req:"+id+":tl"), ev)
	p.ZAdd(ctx, k.key("reqs:hh:"+r.HouseholdID), at)
	p.ZAdd(ctx, k.key("week:"+ch.Week), at)
	return nil
}

// loadClosed stores n closed requests made by mk(i), in pipelines of 1000
// on 8 goroutines. It returns requests/s.
func loadClosed(ctx context.Context, rdb *redis.Client, ns string, n int, mk func(i int) flows.Change) (float64, error) {
	const chunk = 1000
	start := time.Now()
	err := parallel((n+chunk-1)/chunk, 8, func(part int) error {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := part * chunk; i < min(n, (part+1)*chunk); i++ {
				if err := keyspace(ns).writeClosed(ctx, p, mk(i)); err != nil {
					return err
				}
			}
			return nil
		})
		return err
	})
	return float64(n) / time.Since(start).Seconds(), err
}

// checkLayout stores a sample open and a sample closed request through
// store.Apply in one namespace and through the loaders in another, and
// fails unless the loaders wrote the same keys with the same contents
// (where the zset loader writes only sorted sets, only those are compared).
func checkLayout(ctx context.Context, rdb *redis.Client, c county) error {
	h := c.roster.Households[0]
	var cd flows.Cadre
	for _, x := range c.roster.Cadres {
		if x.ID == h.CadreID {
			cd = x
		}
	}
	at := func(int) time.Time { return t0 }
	closed := closedRequest(2, h, cd, t0.Add(-30*24*time.Hour))
	a := newStore(rdb, "layout-a")
	if _, err := loadOpen(ctx, a, c, 1, 1, at); err != nil {
		return err
	}
	if err := a.Apply(ctx, closed); err != nil {
		return err
	}
	if _, err := loadZsets(ctx, rdb, "layout-b", c, 1, 1, at); err != nil {
		return err
	}
	if _, err := loadClosed(ctx, rdb, "layout-b", 1, func(int) flows.Change { return closed }); err != nil {
		return err
	}
	defer unlinkAll(ctx, rdb, "mq:{layout-a}:*")
	defer unlinkAll(ctx, rdb, "mq:{layout-b}:*")
	da, err := dumpNS(ctx, rdb, "layout-a")
	if err != nil {
		return err
	}
	db, err := dumpNS(ctx, rdb, "layout-b")
	if err != nil {
		return err
	}
	for key, va := range da {
		if key == "req:1" || key == "req:1:tl" {
			continue // the open request's hash and timeline: not loaded, not read by a sweep
		}
		if db[key] != va {
			return fmt.Errorf("the bench's loaders no longer write what store.Apply writes: %s is %q by Apply, %q by the loader", key, va, db[key])
		}
	}
	if len(db) != len(da)-2 {
		return fmt.Errorf("the bench's loaders write keys store.Apply does not: %v vs %v", keysOf(db), keysOf(da))
	}
	return nil
}

// dumpNS renders every key of a namespace with its content.
func dumpNS(ctx context.Context, rdb *redis.Client, ns string) (map[string]string, error) {
	keys, err := rdb.Keys(ctx, keyspace(ns).key("*")).Result()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, key := range keys {
		var v any
		switch rdb.Type(ctx, key).Val() {
		case "zset":
			v, err = rdb.ZRangeWithScores(ctx, key, 0, -1).Result()
		case "hash":
			v, err = rdb.HGetAll(ctx, key).Result()
		case "list":
			v, err = rdb.LRange(ctx, key, 0, -1).Result()
		default:
			v, err = rdb.Get(ctx, key).Result()
		}
		if err != nil {
			return nil, err
		}
		out[key[len(keyspace(ns).key("")):]] = fmt.Sprint(v)
	}
	return out, nil
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
