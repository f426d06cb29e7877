package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// reachScript stores an outreach (flows.Reach) once per guard: the handle,
// the notices (each in its lane's stream) and the households' next due
// time (ZADD GT), and notes the handle in each household's traces.
//
// KEYS: 1 guard, 2 handle, 3..5 the outbox lanes, 6 due zset, then the
// traces set of each household.
// ARGV: 1 guard TTL (s), 2 handle JSON, 3 handle TTL (ms), 4 next (ms),
// 5 notice count n, 6..5+n notices (laneNotice values), 6+n the handle's
// trace, then the household ids (in the order of their traces keys).
var reachScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 2 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
local n = tonumber(ARGV[5])
for i = 6, 5 + n do ` + laneXADD("3", "ARGV[i]") + ` end
for i = 7 + n, #ARGV do
  redis.call('ZADD', KEYS[6], 'GT', ARGV[4], ARGV[i])
  redis.call('SADD', KEYS[i - n], ARGV[6 + n])
end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return 1
`)

// dueKey names the zset of a household schedule.
func (s *Store) dueKey(kind flows.DueKind) string {
	if kind == flows.DueCheckin {
		return s.k.checkinDue()
	}
	return s.k.nudgeDue()
}

// DueHouseholds implements flows.ReachStore.
func (s *Store) DueHouseholds(ctx context.Context, kind flows.DueKind, now time.Time, n int) ([]string, error) {
	by := &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10)}
	if n > 0 {
		by.Count = int64(n)
	}
	ids, err := s.rdb.ZRangeByScore(ctx, s.dueKey(kind), by).Result()
	if err != nil {
		return nil, fmt.Errorf("due households: %w", err)
	}
	return ids, nil
}

// Reschedule implements flows.ReachStore.
func (s *Store) Reschedule(ctx context.Context, kind flows.DueKind, ids []string, next time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	zs := make([]redis.Z, len(ids))
	for i, id := range ids {
		zs[i] = redis.Z{Score: float64(next.UnixMilli()), Member: id}
	}
	if err := s.rdb.ZAddGT(ctx, s.dueKey(kind), zs...).Err(); err != nil {
		return fmt.Errorf("reschedule: %w", err)
	}
	return nil
}

// DropDue implements flows.ReachStore.
func (s *Store) DropDue(ctx context.Context, kind flows.DueKind, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := s.rdb.ZRem(ctx, s.dueKey(kind), toAny(ids)...).Err(); err != nil {
		return fmt.Errorf("drop due: %w", err)
	}
	return nil
}

// NextHandle implements flows.ReachStore.
func (s *Store) NextHandle(ctx context.Context) (int64, error) {
	id, err := s.rdb.Incr(ctx, s.k.handleSeq()).Result()
	if err != nil {
		return 0, fmt.Errorf("next handle: %w", err)
	}
	return id, nil
}

// Reach implements flows.ReachStore.
func (s *Store) Reach(ctx context.Context, kind flows.DueKind, r flows.Reach) error {
	hd, err := json.Marshal(r.Handle)
	if err != nil {
		return fmt.Errorf("reach: encode handle: %w", err)
	}
	ttl := max(r.TTL, time.Hour)
	args := []any{max(int64(s.GuardTTL.Seconds()), 1), hd, ttl.Milliseconds(), r.Next.UnixMilli(), len(r.Notices)}
	for _, n := range r.Notices {
		v, err := laneNotice(n)
		if err != nil {
			return fmt.Errorf("reach: %w", err)
		}
		args = append(args, v)
	}
	args = append(args, handleTrace(r.Handle.ID))
	args = append(args, toAny(r.Households)...)
	keys := append([]string{s.k.guard(r.Guard), s.k.handle(r.Handle.ID)}, s.laneKeys()...)
	keys = append(keys, s.dueKey(kind))
	for _, id := range r.Households {
		keys = append(keys, s.k.traces(id))
	}
	res, err := reachScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("reach: %w", err)
	}
	if res == 2 {
		return flows.Errorf(flows.EDUPLICATE, "outreach already sent")
	}
	return nil
}

// Handle implements flows.ReachStore.
func (s *Store) Handle(ctx context.Context, id int64) (flows.Handle, error) {
	var hd flows.Handle
	b, err := s.rdb.Get(ctx, s.k.handle(id)).Bytes()
	if err != nil {
		return hd, notFound(err, "handle")
	}
	if err := json.Unmarshal(b, &hd); err != nil {
		return hd, fmt.Errorf("decode handle %d: %w", id, err)
	}
	return hd, nil
}

// RosterHouseholds implements flows.ReachStore, in pipelines.
func (s *Store) RosterHouseholds(ctx context.Context, ids []string) ([]flows.Household, error) {
	recs, err := s.recordsInForce(ctx, ids, s.k.household, s.k.households())
	if err != nil {
		return nil, fmt.Errorf("load households: %w", err)
	}
	out := make([]flows.Household, 0, len(recs))
	for _, r := range recs {
		if r.member {
			out = append(out, household(r.id, r.fields))
		}
	}
	return out, nil
}

// SetTalk implements flows.ReachStore: field "talk" of the account hash.
func (s *Store) SetTalk(ctx context.Context, accountID int64, until time.Time) error {
	var err error
	if until.IsZero() {
		err = s.rdb.HDel(ctx, s.k.account(accountID), "talk").Err()
	} else {
		err = s.rdb.HSet(ctx, s.k.account(accountID), "talk", until.UnixMilli()).Err()
	}
	if err != nil {
		return fmt.Errorf("set talk: %w", err)
	}
	return nil
}

// talkUntil reads an account hash's "talk" field.
func talkUntil(v string) time.Time {
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// assignFields are the household fields the coverage lines read, with the
// fields that say which data is in force (versions.go).
var assignFields = []string{"name", "village", "cadre", "v", "pv", prevPrefix + "name", prevPrefix + "village", prevPrefix + "cadre"}

// assignCache keeps the last Assignments read, keyed by the roster version
// in force and the number of households on the roster: only an import
// (a new version) changes a household's name, village or cadre, and only
// an import or an erasure (forget) changes who is on the roster.
type assignCache struct {
	mu             sync.Mutex
	version, count int64
	list           []flows.Household
}

// Assignments implements flows.ReachStore: the households on the roster in
// force with their name, village and cadre only, in pipelines of HMGET,
// read again only when the roster version or the number of households
// changed (one round trip to check).
func (s *Store) Assignments(ctx context.Context) ([]flows.Household, error) {
	var ver *redis.StringCmd
	var count *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		ver, count = s.getVersion(ctx, p), p.SCard(ctx, s.k.households())
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("assignments: %w", err)
	}
	cur, n := versionOf(ver.Val()), count.Val()
	c := &s.assigned
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.list != nil && c.version == cur && c.count == n {
		return c.list, nil
	}
	list, err := s.readAssignments(ctx, cur)
	if err != nil {
		return nil, err
	}
	c.version, c.count, c.list = cur, n, list
	return list, nil
}

// readAssignments reads the households on the roster under version cur.
func (s *Store) readAssignments(ctx context.Context, cur int64) ([]flows.Household, error) {
	ids, err := s.members(ctx, s.k.households())
	if err != nil {
		return nil, fmt.Errorf("assignments: %w", err)
	}
	cmds := make([]*redis.SliceCmd, len(ids))
	err = s.chunks(ctx, len(ids), func(p redis.Pipeliner, from, to int) {
		for i := from; i < to; i++ {
			cmds[i] = p.HMGet(ctx, s.k.household(ids[i]), assignFields...)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("assignments: %w", err)
	}
	out := make([]flows.Household, 0, len(ids))
	for i, c := range cmds {
		h := make(map[string]string, len(assignFields))
		for j, v := range c.Val() {
			if s, ok := v.(string); ok {
				h[assignFields[j]] = s
			}
		}
		if rec, ok := inForce(h, cur); ok {
			out = append(out, household(ids[i], rec))
		}
	}
	return out, nil
}
