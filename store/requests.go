package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// applyScript stores a request change atomically: version check, new state,
// timeline event, outbox notices, index updates and the idempotency guard.
//
// KEYS: 1 request, 2 guard, 3 timeline, 4..6 the outbox lanes, 7.. keys of
// the ops
// ARGV: 1 expected version, 2 new version, 3 request JSON, 4 guard TTL
// (seconds, 0 = no guard), 5 event JSON, 6 notice count n, 7..6+n notices
// (laneNotice values),
// then ops: "x" key (must exist, checked before any write) | "a" key score
// member | "g" key score member (ZADD GT: only a later time) | "s" key
// member (SADD) | "r" key member (key = KEYS index).
var applyScript = redis.NewScript(`
if ARGV[4] ~= '0' and redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
local cur = redis.call('HGET', KEYS[1], 'v') or '0'
if cur ~= ARGV[1] then return 0 end
local n = tonumber(ARGV[6])
local i = 7 + n
while ARGV[i] == 'x' do
  if redis.call('EXISTS', KEYS[tonumber(ARGV[i + 1])]) == 0 then return 3 end
  i = i + 2
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
redis.call('RPUSH', KEYS[3], ARGV[5])
for j = 7, 6 + n do ` + laneXADD("4", "ARGV[j]") + ` end
while i <= #ARGV do
  local key = KEYS[tonumber(ARGV[i + 1])]
  if ARGV[i] == 'a' then
    redis.call('ZADD', key, ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif ARGV[i] == 'g' then
    redis.call('ZADD', key, 'GT', ARGV[i + 2], ARGV[i + 3])
    i = i + 4
  elseif ARGV[i] == 's' then
    redis.call('SADD', key, ARGV[i + 2])
    i = i + 3
  else
    redis.call('ZREM', key, ARGV[i + 2])
    i = i + 3
  end
end
if ARGV[4] ~= '0' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[4]) end
return 1
`)

// NextRequestID implements flows.RequestStore. A retried INCR only leaves a
// gap in the numbering.
func (s *Store) NextRequestID(ctx context.Context) (int64, error) {
	id, err := s.rdb.Incr(ctx, s.k.reqSeq()).Result()
	if err != nil {
		return 0, fmt.Errorf("next request id: %w", err)
	}
	return id, nil
}

// Apply implements flows.RequestStore.
func (s *Store) Apply(ctx context.Context, c flows.Change) error {
	r := c.Request
	prev := int64(0)
	if c.Prev != nil {
		prev = c.Prev.Version
	}
	r.Version = prev + 1
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("apply: encode request: %w", err)
	}
	ev, err := json.Marshal(c.Event)
	if err != nil {
		return fmt.Errorf("apply: encode event: %w", err)
	}
	keys := append([]string{s.k.request(r.ID), s.k.guard(c.Guard), s.k.timeline(r.ID)}, s.laneKeys()...)
	args := []any{prev, r.Version, data, s.guardTTL(c.Guard), ev, len(c.Notices)}
	for _, n := range c.Notices {
		v, err := laneNotice(n)
		if err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		args = append(args, v)
	}
	if c.Household != "" { // the "x" ops come first
		keys = append(keys, s.k.household(c.Household))
		args = append(args, "x", len(keys))
	}
	keys, args = s.indexOps(c.Prev, r, keys, args)
	for _, d := range c.Schedule {
		keys = append(keys, s.k.due())
		args = append(args, "a", len(keys), d.At.UnixMilli(), dueMember(d))
	}
	if c.Week != "" {
		keys = append(keys, s.k.week(c.Week))
		args = append(args, "a", len(keys), r.CreatedAt.UnixMilli(), strconv.FormatInt(r.ID, 10))
	}
	keys, args = s.contactOps(c.Contact, keys, args)
	if c.Release != nil {
		keys = append(keys, s.k.lease())
		args = append(args, "r", len(keys), leaseMember(*c.Release))
	}
	res, err := applyScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("apply request %d: %w", r.ID, err)
	}
	switch res {
	case 0:
		return flows.Errorf(flows.ECONFLICT, "request %d changed", r.ID)
	case 2:
		return flows.Errorf(flows.EDUPLICATE, "change already applied")
	case 3:
		return flows.Errorf(flows.ENOTFOUND, "household %s is not on record", c.Household)
	}
	return nil
}

func (s *Store) guardTTL(g string) int64 {
	if g == "" {
		return 0
	}
	return int64(s.GuardTTL.Seconds())
}

// memberships lists the index zsets a request belongs to.
func (s *Store) memberships(r flows.Request) []string {
	out := []string{s.k.recent(r.HouseholdID)}
	if r.Open() {
		out = append(out, s.k.open("cadre", r.CadreID), s.k.open("hh", r.HouseholdID),
			s.k.open("unit", r.Unit), s.k.open("all", ""))
		if r.Transferred() { // the household's own cadre keeps it in /open
			out = append(out, s.k.open("cadre", r.Contact))
		}
	}
	if r.State == flows.StateResolved {
		out = append(out, s.k.open("resolved:unit", r.Unit), s.k.open("resolved:all", ""))
	}
	if r.VisitID != 0 {
		out = append(out, s.k.visitRequests(r.VisitID))
	}
	return out
}

// indexOps appends the index updates from prev to r: removal from indexes
// it left, addition to those it is in (ZADD is idempotent).
func (s *Store) indexOps(prev *flows.Request, r flows.Request, keys []string, args []any) ([]string, []any) {
	now := map[string]bool{}
	score := r.CreatedAt.UnixMilli()
	member := strconv.FormatInt(r.ID, 10)
	for _, k := range s.memberships(r) {
		now[k] = true
		keys = append(keys, k)
		args = append(args, "a", len(keys), score, member)
	}
	if prev != nil {
		for _, k := range s.memberships(*prev) {
			if !now[k] {
				keys = append(keys, k)
				args = append(args, "r", len(keys), member)
			}
		}
	}
	return keys, args
}

// Request implements flows.RequestStore.
func (s *Store) Request(ctx context.Context, id int64) (flows.Request, error) {
	d, err := s.rdb.HGet(ctx, s.k.request(id), "d").Result()
	if err != nil {
		return flows.Request{}, notFound(err, "request")
	}
	var r flows.Request
	if err := decodeRequest(d, &r); err != nil {
		return r, fmt.Errorf("decode request %d: %w", id, err)
	}
	return r, nil
}

// Requests implements flows.RequestStore; missing ids are skipped.
func (s *Store) Requests(ctx context.Context, ids []int64) ([]flows.Request, error) {
	cmds, err := s.field(ctx, keysOf(ids, s.k.request), "d")
	if err != nil {
		return nil, fmt.Errorf("load requests: %w", err)
	}
	all := make([]flows.Request, len(ids))
	err = forEach(len(ids), func(i int) error {
		if cmds[i].Err() != nil {
			return nil // gone: left out
		}
		if err := decodeRequest(cmds[i].Val(), &all[i]); err != nil {
			return fmt.Errorf("decode request %d: %w", ids[i], err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for i, r := range all {
		if cmds[i].Err() == nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// Timeline implements flows.RequestStore.
func (s *Store) Timeline(ctx context.Context, id int64) ([]flows.Event, error) {
	raw, err := s.rdb.LRange(ctx, s.k.timeline(id), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("load timeline: %w", err)
	}
	out := make([]flows.Event, 0, len(raw))
	for _, r := range raw {
		var ev flows.Event
		if err := decodeEvent(r, &ev); err != nil {
			return nil, fmt.Errorf("decode timeline of %d: %w", id, err)
		}
		out = append(out, ev)
	}
	return out, nil
}

// OpenRequests implements flows.RequestStore.
func (s *Store) OpenRequests(ctx context.Context, sc flows.Scope) ([]int64, error) {
	scope := map[flows.ScopeKind]string{flows.ScopeCadre: "cadre", flows.ScopeHousehold: "hh", flows.ScopeUnit: "unit", flows.ScopeCounty: "all"}[sc.Kind]
	if scope == "" {
		return nil, flows.Errorf(flows.EINVALID, "unknown scope %q", sc.Kind)
	}
	id := sc.ID
	if sc.Kind == flows.ScopeCounty {
		id = ""
	}
	return s.ids(ctx, s.rdb.ZRange(ctx, s.k.open(scope, id), 0, -1))
}

// Recent implements flows.RequestStore.
func (s *Store) Recent(ctx context.Context, householdID string, n int) ([]int64, error) {
	if n <= 0 {
		return nil, nil
	}
	return s.ids(ctx, s.rdb.ZRevRange(ctx, s.k.recent(householdID), 0, int64(n-1)))
}

func (s *Store) ids(_ context.Context, cmd *redis.StringSliceCmd) ([]int64, error) {
	raw, err := cmd.Result()
	if err != nil {
		return nil, fmt.Errorf("load request ids: %w", err)
	}
	out := make([]int64, 0, len(raw))
	for _, r := range raw {
		if id, err := strconv.ParseInt(r, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out, nil
}

// Linked implements flows.RequestStore. A link is stored as "<request>" or
// "<request>:<prompt action>".
func (s *Store) Linked(ctx context.Context, chatID int64, messageID int) (flows.Link, error) {
	v, err := s.rdb.HGet(ctx, s.k.link(chatID), strconv.Itoa(messageID)).Result()
	if err != nil {
		return flows.Link{}, notFound(err, "linked message")
	}
	id, prompt, _ := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return flows.Link{}, flows.Errorf(flows.ENOTFOUND, "linked message not found")
	}
	return flows.Link{RequestID: n, Prompt: flows.Action(prompt).Canonical()}, nil
}

// linkValue encodes what a sent message is about.
func linkValue(n flows.Notice) string {
	v := strconv.FormatInt(n.RequestID, 10)
	if n.Prompt != "" {
		v += ":" + string(n.Prompt)
	}
	return v
}

// WeekRequests implements flows.RequestStore.
func (s *Store) WeekRequests(ctx context.Context, week string) ([]int64, error) {
	return s.ids(ctx, s.rdb.ZRange(ctx, s.k.week(week), 0, -1))
}

// Timelines implements flows.RequestStore, in one pipeline.
func (s *Store) Timelines(ctx context.Context, ids []int64) (map[int64][]flows.Event, error) {
	cmds := make([]*redis.StringSliceCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.LRange(ctx, s.k.timeline(id), 0, -1)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load timelines: %w", err)
	}
	lists := make([][]flows.Event, len(ids))
	err = forEach(len(ids), func(i int) error {
		raw := cmds[i].Val()
		lists[i] = make([]flows.Event, len(raw))
		for j := range raw {
			if err := decodeEvent(raw[j], &lists[i][j]); err != nil {
				return fmt.Errorf("decode timeline of %d: %w", ids[i], err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]flows.Event, len(ids))
	for i, id := range ids {
		out[id] = lists[i]
	}
	return out, nil
}

// Claim implements flows.RequestStore. The claim holds a random token, so
// that a SET NX go-redis retried after Redis had applied it is still ours.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	token := strconv.FormatInt(rand.Int64(), 36)
	ok, err := s.rdb.SetNX(ctx, s.k.once(key), token, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, err)
	}
	if ok {
		return true, nil
	}
	v, err := s.rdb.Get(ctx, s.k.once(key)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, fmt.Errorf("claim %s: %w", key, err)
	}
	return v == token, nil
}
