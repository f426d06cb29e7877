package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// contactScript records a contact with a household that is on record (see
// flows.ContactStore.Contact). ZADD GT keeps the latest of each time, so a
// contact recorded twice, or after a later one, changes nothing.
//
// KEYS: 1 household hash, 2 contact, 3 nudge due, 4 check-in due,
// 5 contacted:<week>, 6 contact:visit, 7 visited:<week>, 8 the household's
// traces (what forget must clean, see keys.go).
// ARGV: 1 household id, 2 at (ms), 3 nudge (ms), 4 check-in (ms, "" none),
// 5 "1" for a visit, 6 the week's trace ("w:<week>").
var contactScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 'GT', ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], 'GT', ARGV[3], ARGV[1])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[4], 'GT', ARGV[4], ARGV[1]) end
redis.call('SADD', KEYS[5], ARGV[1])
redis.call('SADD', KEYS[8], ARGV[6])
if ARGV[5] == '1' then
  redis.call('ZADD', KEYS[6], 'GT', ARGV[2], ARGV[1])
  redis.call('SADD', KEYS[7], ARGV[1])
end
return 1
`)

// Contact implements flows.ContactStore.
func (s *Store) Contact(ctx context.Context, c flows.Contact) (bool, error) {
	checkin := ""
	if !c.CheckinAt.IsZero() {
		checkin = strconv.FormatInt(c.CheckinAt.UnixMilli(), 10)
	}
	visit := "0"
	if c.Kind == flows.ContactVisit {
		visit = "1"
	}
	keys := []string{s.k.household(c.HouseholdID), s.k.contact(), s.k.nudgeDue(), s.k.checkinDue(),
		s.k.contacted(c.Week), s.k.lastVisit(), s.k.visited(c.Week), s.k.traces(c.HouseholdID)}
	n, err := contactScript.Run(ctx, s.rdb, keys, c.HouseholdID, c.At.UnixMilli(), c.NudgeAt.UnixMilli(), checkin, visit, weekTrace(c.Week)).Int()
	if err != nil {
		return false, fmt.Errorf("contact: %w", err)
	}
	return n == 1, nil
}

// contactOps appends c to an apply script's ops: the same writes as
// contactScript (the request change names the household, so it is on
// record).
func (s *Store) contactOps(c *flows.Contact, keys []string, args []any) ([]string, []any) {
	if c == nil {
		return keys, args
	}
	gt := func(key string, at time.Time) {
		keys = append(keys, key)
		args = append(args, "g", len(keys), at.UnixMilli(), c.HouseholdID)
	}
	gt(s.k.contact(), c.At)
	gt(s.k.nudgeDue(), c.NudgeAt)
	if !c.CheckinAt.IsZero() {
		gt(s.k.checkinDue(), c.CheckinAt)
	}
	keys = append(keys, s.k.contacted(c.Week))
	args = append(args, "s", len(keys), c.HouseholdID)
	keys = append(keys, s.k.traces(c.HouseholdID))
	args = append(args, "s", len(keys), weekTrace(c.Week))
	if c.Kind == flows.ContactVisit {
		gt(s.k.lastVisit(), c.At)
		keys = append(keys, s.k.visited(c.Week))
		args = append(args, "s", len(keys), c.HouseholdID)
	}
	return keys, args
}

// Assign implements flows.ContactStore.
func (s *Store) Assign(ctx context.Context, ids []string, c flows.Contact) error {
	err := s.chunks(ctx, len(ids), func(p redis.Pipeliner, from, to int) {
		s.assign(ctx, p, ids[from:to], c)
	})
	if err != nil {
		return fmt.Errorf("assign contacts: %w", err)
	}
	return nil
}

// assign queues ZADD NX of ids into the due sets (an assignment is not a
// contact: the contact set holds real contacts only).
func (s *Store) assign(ctx context.Context, p redis.Pipeliner, ids []string, c flows.Contact) {
	add := func(key string, at time.Time) {
		zs := make([]redis.Z, len(ids))
		for i, id := range ids {
			zs[i] = redis.Z{Score: float64(at.UnixMilli()), Member: id}
		}
		p.ZAddNX(ctx, key, zs...)
	}
	if len(ids) == 0 {
		return
	}
	add(s.k.nudgeDue(), c.NudgeAt)
	if !c.CheckinAt.IsZero() {
		add(s.k.checkinDue(), c.CheckinAt)
	}
}

// SeedContacts implements flows.ContactStore: it reads the roster's
// household set page by page, once per store (marker migrated:contacts).
func (s *Store) SeedContacts(ctx context.Context, c flows.Contact) (int, error) {
	marker := s.k.migrated("contacts")
	if n, err := s.rdb.Exists(ctx, marker).Result(); err != nil {
		return 0, fmt.Errorf("seed contacts: %w", err)
	} else if n == 1 {
		return 0, nil
	}
	done := 0
	err := s.scanSet(ctx, s.k.households(), func(ids []string) error {
		done += len(ids)
		return s.Assign(ctx, ids, c)
	})
	if err != nil {
		return done, fmt.Errorf("seed contacts: %w", err)
	}
	if err := s.rdb.Set(ctx, marker, "1", 0).Err(); err != nil {
		return done, fmt.Errorf("seed contacts: %w", err)
	}
	return done, nil
}

// LastContacts implements flows.ContactStore, in one pipeline of ZMSCORE.
func (s *Store) LastContacts(ctx context.Context, ids []string) (map[string]flows.LastContact, error) {
	out := make(map[string]flows.LastContact, len(ids))
	var last, visit []*redis.FloatSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { // one round trip: a command per 1000 ids
		for from := 0; from < len(ids); from += pipeChunk {
			to := min(from+pipeChunk, len(ids))
			last = append(last, p.ZMScore(ctx, s.k.contact(), ids[from:to]...))
			visit = append(visit, p.ZMScore(ctx, s.k.lastVisit(), ids[from:to]...))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("last contacts: %w", err)
	}
	for c := range last {
		at, vis := last[c].Val(), visit[c].Val()
		for i := range at {
			id := ids[c*pipeChunk+i]
			if at[i] == 0 {
				continue // no record (ZMSCORE answers nil, read as 0)
			}
			lc := flows.LastContact{At: time.UnixMilli(int64(at[i]))}
			if i < len(vis) && vis[i] != 0 {
				lc.Visited = time.UnixMilli(int64(vis[i]))
			}
			out[id] = lc
		}
	}
	return out, nil
}

// WeekContacts implements flows.ContactStore.
func (s *Store) WeekContacts(ctx context.Context, week string) ([]string, []string, error) {
	contacted, err := s.members(ctx, s.k.contacted(week))
	if err != nil {
		return nil, nil, fmt.Errorf("week contacts: %w", err)
	}
	visited, err := s.members(ctx, s.k.visited(week))
	if err != nil {
		return nil, nil, fmt.Errorf("week contacts: %w", err)
	}
	return contacted, visited, nil
}

// Traces of a household, in its traces set: what forget cleans besides its
// own keys.
func weekTrace(week string) string { return "w:" + week }
func handleTrace(id int64) string  { return "h:" + strconv.FormatInt(id, 10) }

// eraseContacts queues the removal of a household from the contact and
// due sets and from its traces: the week sets it is in, and the handles of
// the outreach messages that named it (their buttons expire at once).
func (s *Store) eraseContacts(ctx context.Context, p redis.Pipeliner, id string, traces []string) {
	for _, z := range []string{s.k.contact(), s.k.lastVisit(), s.k.nudgeDue(), s.k.checkinDue()} {
		p.ZRem(ctx, z, id)
	}
	for _, t := range traces {
		kind, v, _ := strings.Cut(t, ":")
		switch kind {
		case "w":
			p.SRem(ctx, s.k.contacted(v), id)
			p.SRem(ctx, s.k.visited(v), id)
		case "h":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				p.Del(ctx, s.k.handle(n))
			}
		}
	}
	p.Del(ctx, s.k.traces(id))
}

// DropWeekContacts implements flows.ContactStore.
func (s *Store) DropWeekContacts(ctx context.Context, week string) error {
	if err := s.rdb.Del(ctx, s.k.contacted(week), s.k.visited(week)).Err(); err != nil {
		return fmt.Errorf("drop week contacts: %w", err)
	}
	return nil
}
