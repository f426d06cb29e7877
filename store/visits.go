package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// saveVisitScript stores a visit change atomically: version check, the
// visit, its indexes (when new), the cadre's open visit, its automatic
// end, outbox notices and the idempotency guard.
//
// KEYS: 1 visit, 2 guard, 3 outbox, 4 visiting:<cadre>, 5 visits:cadre,
// 6 visits:unit, 7 visits:hh, 8 visits:all, 9 due, 10 lease
// ARGV: 1 expected version, 2 new version, 3 visit JSON, 4 guard TTL (0 =
// none), 5 id, 6 start (ms), 7 open ("1" or "0"), 8 due score ("" = none),
// 9 due member, 10 lease member ("" = none), 11 notice count n, 12.. notices
var saveVisitScript = redis.NewScript(`
if ARGV[4] ~= '0' and redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
local cur = redis.call('HGET', KEYS[1], 'v') or '0'
if cur ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
if ARGV[1] == '0' then
  for k = 5, 8 do redis.call('ZADD', KEYS[k], ARGV[6], ARGV[5]) end
end
if ARGV[7] == '1' then
  redis.call('SET', KEYS[4], ARGV[5])
else
  if redis.call('GET', KEYS[4]) == ARGV[5] then redis.call('DEL', KEYS[4]) end
  redis.call('ZREM', KEYS[9], ARGV[9])
end
if ARGV[8] ~= '' then redis.call('ZADD', KEYS[9], ARGV[8], ARGV[9]) end
if ARGV[10] ~= '' then redis.call('ZREM', KEYS[10], ARGV[10]) end
local n = tonumber(ARGV[11])
for j = 12, 11 + n do redis.call('XADD', KEYS[3], '*', 'n', ARGV[j]) end
if ARGV[4] ~= '0' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[4]) end
return 1
`)

// NextVisitID implements flows.VisitStore.
func (s *Store) NextVisitID(ctx context.Context) (int64, error) {
	id, err := s.rdb.Incr(ctx, s.k.visitSeq()).Result()
	if err != nil {
		return 0, fmt.Errorf("next visit id: %w", err)
	}
	return id, nil
}

// SaveVisit implements flows.VisitStore.
func (s *Store) SaveVisit(ctx context.Context, c flows.VisitChange) error {
	v := c.Visit
	prev := int64(0)
	if c.Prev != nil {
		prev = c.Prev.Version
	}
	v.Version = prev + 1
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("save visit: %w", err)
	}
	open, dueScore, lease := "0", "", ""
	if v.Open() {
		open = "1"
	}
	if c.Schedule != nil {
		dueScore = strconv.FormatInt(c.Schedule.At.UnixMilli(), 10)
	}
	if c.Release != nil {
		lease = leaseMember(*c.Release)
	}
	keys := []string{s.k.visit(v.ID), s.k.guard(c.Guard), s.k.outbox(), s.k.visiting(v.CadreID),
		s.k.visits("cadre", v.CadreID), s.k.visits("unit", v.Unit), s.k.visits("hh", v.HouseholdID), s.k.visits("all", ""),
		s.k.due(), s.k.lease()}
	args := []any{prev, v.Version, data, s.guardTTL(c.Guard), v.ID, v.Start.UnixMilli(), open, dueScore,
		dueMember(flows.Due{RequestID: v.ID, Stage: flows.StageVisitEnd}), lease, len(c.Notices)}
	for _, n := range c.Notices {
		b, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("save visit: encode notice: %w", err)
		}
		args = append(args, b)
	}
	res, err := saveVisitScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("save visit %d: %w", v.ID, err)
	}
	switch res {
	case 0:
		return flows.Errorf(flows.ECONFLICT, "visit %d changed", v.ID)
	case 2:
		return flows.Errorf(flows.EDUPLICATE, "change already applied")
	}
	return nil
}

// Visit implements flows.VisitStore.
func (s *Store) Visit(ctx context.Context, id int64) (flows.Visit, error) {
	vs, err := s.visitsByID(ctx, []int64{id})
	if err != nil {
		return flows.Visit{}, err
	}
	if len(vs) == 0 {
		return flows.Visit{}, flows.Errorf(flows.ENOTFOUND, "visit not found")
	}
	return vs[0], nil
}

// visitsByID loads visits with their recorded requests, in one pipeline;
// missing ones are left out.
func (s *Store) visitsByID(ctx context.Context, ids []int64) ([]flows.Visit, error) {
	data := make([]*redis.StringCmd, len(ids))
	reqs := make([]*redis.StringSliceCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			data[i] = p.HGet(ctx, s.k.visit(id), "d")
			reqs[i] = p.ZRange(ctx, s.k.visitRequests(id), 0, -1)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("load visits: %w", err)
	}
	out := make([]flows.Visit, 0, len(ids))
	for i := range ids {
		if data[i].Err() != nil {
			continue
		}
		var v flows.Visit
		if err := json.Unmarshal([]byte(data[i].Val()), &v); err != nil {
			return nil, fmt.Errorf("decode visit %d: %w", ids[i], err)
		}
		for _, r := range reqs[i].Val() {
			if n, err := strconv.ParseInt(r, 10, 64); err == nil {
				v.Requests = append(v.Requests, n)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// OpenVisit implements flows.VisitStore.
func (s *Store) OpenVisit(ctx context.Context, cadreID string) (flows.Visit, error) {
	id, err := s.rdb.Get(ctx, s.k.visiting(cadreID)).Int64()
	if err != nil {
		return flows.Visit{}, notFound(err, "open visit")
	}
	return s.Visit(ctx, id)
}

// RecentVisits implements flows.VisitStore.
func (s *Store) RecentVisits(ctx context.Context, sc flows.Scope, n int) ([]flows.Visit, error) {
	key, err := s.visitIndex(sc)
	if err != nil || n <= 0 {
		return nil, err
	}
	ids, err := s.ids(ctx, s.rdb.ZRevRange(ctx, key, 0, int64(n-1)))
	if err != nil {
		return nil, err
	}
	return s.visitsByID(ctx, ids)
}

// visitIndex names the index of visits of a scope.
func (s *Store) visitIndex(sc flows.Scope) (string, error) {
	switch sc.Kind {
	case flows.ScopeCadre:
		return s.k.visits("cadre", sc.ID), nil
	case flows.ScopeUnit:
		return s.k.visits("unit", sc.ID), nil
	case flows.ScopeHousehold:
		return s.k.visits("hh", sc.ID), nil
	case flows.ScopeCounty:
		return s.k.visits("all", ""), nil
	}
	return "", flows.Errorf(flows.EINVALID, "unknown scope %q", sc.Kind)
}

// VisitsBetween implements flows.VisitStore, a page of ids at a time.
func (s *Store) VisitsBetween(ctx context.Context, from, to time.Time) ([]flows.Visit, error) {
	var out []flows.Visit
	for off := int64(0); ; off += 500 {
		ids, err := s.ids(ctx, s.rdb.ZRangeByScore(ctx, s.k.visits("all", ""), &redis.ZRangeBy{
			Min: strconv.FormatInt(from.UnixMilli(), 10), Max: "(" + strconv.FormatInt(to.UnixMilli(), 10), Offset: off, Count: 500}))
		if err != nil {
			return nil, err
		}
		vs, err := s.visitsByID(ctx, ids)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
		if len(ids) < 500 {
			return out, nil
		}
	}
}

// EraseVisits implements flows.VisitStore.
func (s *Store) EraseVisits(ctx context.Context, householdID string) (int, error) {
	ids, err := s.ids(ctx, s.rdb.ZRange(ctx, s.k.visits("hh", householdID), 0, -1))
	if err != nil {
		return 0, err
	}
	vs, err := s.visitsByID(ctx, ids)
	if err != nil {
		return 0, err
	}
	if err := s.eraseVisits(ctx, vs); err != nil {
		return 0, err
	}
	if err := s.rdb.Del(ctx, s.k.visits("hh", householdID)).Err(); err != nil {
		return 0, fmt.Errorf("erase visits: %w", err)
	}
	return len(vs), nil
}

// ExpireVisits implements flows.VisitStore.
func (s *Store) ExpireVisits(ctx context.Context, cutoff time.Time, n int) (int, error) {
	ids, err := s.ids(ctx, s.rdb.ZRangeByScore(ctx, s.k.visits("all", ""), &redis.ZRangeBy{
		Min: "-inf", Max: "(" + strconv.FormatInt(cutoff.UnixMilli(), 10), Count: int64(n)}))
	if err != nil {
		return 0, err
	}
	vs, err := s.visitsByID(ctx, ids)
	if err != nil {
		return 0, err
	}
	ended := vs[:0]
	for _, v := range vs {
		if !v.Open() {
			ended = append(ended, v)
		}
	}
	if len(vs) < len(ids) { // index entries of visits already gone
		if err := s.rdb.ZRem(ctx, s.k.visits("all", ""), anyIDs(ids)...).Err(); err != nil {
			return 0, fmt.Errorf("expire visits: %w", err)
		}
	}
	return len(ended), s.eraseVisits(ctx, ended)
}

// eraseVisits deletes visits and their index entries in one transaction.
func (s *Store) eraseVisits(ctx context.Context, vs []flows.Visit) error {
	if len(vs) == 0 {
		return nil
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, v := range vs {
			id := strconv.FormatInt(v.ID, 10)
			p.Del(ctx, s.k.visit(v.ID), s.k.visitRequests(v.ID))
			p.ZRem(ctx, s.k.visits("cadre", v.CadreID), id)
			p.ZRem(ctx, s.k.visits("unit", v.Unit), id)
			p.ZRem(ctx, s.k.visits("hh", v.HouseholdID), id)
			p.ZRem(ctx, s.k.visits("all", ""), id)
			p.ZRem(ctx, s.k.due(), dueMember(flows.Due{RequestID: v.ID, Stage: flows.StageVisitEnd}))
			if v.Open() {
				p.Del(ctx, s.k.visiting(v.CadreID))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("erase visits: %w", err)
	}
	return nil
}

func anyIDs(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

// SetRecording implements flows.VisitStore.
func (s *Store) SetRecording(ctx context.Context, cadreID, householdID string, ttl time.Duration) error {
	var err error
	if householdID == "" {
		err = s.rdb.Del(ctx, s.k.recording(cadreID)).Err()
	} else {
		err = s.rdb.Set(ctx, s.k.recording(cadreID), householdID, ttl).Err()
	}
	if err != nil {
		return fmt.Errorf("set recording: %w", err)
	}
	return nil
}

// Recording implements flows.VisitStore.
func (s *Store) Recording(ctx context.Context, cadreID string) (string, error) {
	hh, err := s.rdb.Get(ctx, s.k.recording(cadreID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("recording: %w", err)
	}
	return hh, nil
}

// ResolvedRequests implements flows.VisitStore.
func (s *Store) ResolvedRequests(ctx context.Context, sc flows.Scope) ([]int64, error) {
	key := s.k.open("resolved:all", "")
	if sc.Kind == flows.ScopeUnit {
		key = s.k.open("resolved:unit", sc.ID)
	}
	return s.ids(ctx, s.rdb.ZRange(ctx, key, 0, -1))
}
