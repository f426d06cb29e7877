package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// Roster implements flows.RosterStore: the members of the roster in force
// and their records, read page by page (SSCAN, pipelines of bounded size),
// so that no command holds Redis up for long whatever the roster's size. A
// switch to another roster while it reads makes it read again.
func (s *Store) Roster(ctx context.Context) (flows.Roster, error) {
	for range 3 {
		cur, err := s.current(ctx)
		if err != nil {
			return flows.Roster{}, err
		}
		r, err := s.rosterAt(ctx, cur)
		if err != nil {
			return r, err
		}
		if again, err := s.current(ctx); err != nil || again == cur {
			return r, err
		}
	}
	return flows.Roster{}, flows.Errorf(flows.ECONFLICT, "the roster changed while it was read")
}

// rosterAt reads the members of the roster and their records in force
// under version cur.
func (s *Store) rosterAt(ctx context.Context, cur int64) (flows.Roster, error) {
	var r flows.Roster
	cids, err := s.members(ctx, s.k.cadres())
	if err != nil {
		return r, err
	}
	hids, err := s.members(ctx, s.k.households())
	if err != nil {
		return r, err
	}
	crecs, err := s.records(ctx, cur, cids, s.k.cadre)
	if err != nil {
		return r, fmt.Errorf("load cadres: %w", err)
	}
	for i, h := range crecs {
		if h != nil {
			c := cadre(cids[i], h)
			c.OnRoster = true
			r.Cadres = append(r.Cadres, c)
		}
	}
	hrecs, err := s.records(ctx, cur, hids, s.k.household)
	if err != nil {
		return r, fmt.Errorf("load households: %w", err)
	}
	r.Households = make([]flows.Household, 0, len(hids))
	for i, h := range hrecs {
		if h != nil {
			r.Households = append(r.Households, household(hids[i], h))
		}
	}
	if len(r.Households) == 0 {
		r.Households = nil
	}
	return r, nil
}

func sorted(ids []string) []string {
	sort.Strings(ids)
	return ids
}

// members returns a set's members, sorted, read page by page: a small set
// comes in one reply, a large one never holds Redis up for long.
func (s *Store) members(ctx context.Context, key string) ([]string, error) {
	var ids []string
	err := s.scanSet(ctx, key, func(page []string) error {
		ids = append(ids, page...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", key, err)
	}
	return sorted(slices.Compact(sorted(ids))), nil
}

// field reads one field of many hashes, in pipelines of bounded size; a
// missing hash or field leaves its command failed with redis.Nil.
func (s *Store) field(ctx context.Context, keys []string, name string) ([]*redis.StringCmd, error) {
	cmds := make([]*redis.StringCmd, len(keys))
	err := s.chunks(ctx, len(keys), func(p redis.Pipeliner, from, to int) {
		for i := from; i < to; i++ {
			cmds[i] = p.HGet(ctx, keys[i], name)
		}
	})
	if err != nil {
		return nil, err
	}
	return cmds, nil
}

// keysOf names the key of each id.
func keysOf[T any](ids []T, key func(T) string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = key(id)
	}
	return out
}

// Cadre implements flows.RosterStore: the record in force and whether the
// cadre is on the roster in force, read in one transaction.
func (s *Store) Cadre(ctx context.Context, id string) (flows.Cadre, error) {
	var ver *redis.StringCmd
	var member *redis.BoolCmd
	var rec *redis.MapStringStringCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		ver, member, rec = s.getVersion(ctx, p), p.SIsMember(ctx, s.k.cadres(), id), p.HGetAll(ctx, s.k.cadre(id))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return flows.Cadre{}, fmt.Errorf("load cadre: %w", err)
	}
	h, ok := inForce(rec.Val(), versionOf(ver.Val()))
	if !ok {
		return flows.Cadre{}, flows.Errorf(flows.ENOTFOUND, "cadre not found")
	}
	c := cadre(id, h)
	c.OnRoster = member.Val()
	return c, nil
}

// Cadres implements flows.RosterStore; unknown ids are skipped.
func (s *Store) Cadres(ctx context.Context, ids []string) ([]flows.Cadre, error) {
	recs, err := s.recordsInForce(ctx, ids, s.k.cadre, s.k.cadres())
	if err != nil {
		return nil, fmt.Errorf("load cadres: %w", err)
	}
	out := make([]flows.Cadre, 0, len(recs))
	for _, r := range recs {
		c := cadre(r.id, r.fields)
		c.OnRoster = r.member
		out = append(out, c)
	}
	return out, nil
}

// record is a roster record in force: its id, its fields and whether it is
// a member of the roster's set.
type record struct {
	id     string
	fields map[string]string
	member bool
}

// recordsInForce reads the records of ids (hashes at key(id)) in force
// under the roster version, with their membership of set, in pipelines;
// ids with no record in force are skipped.
func (s *Store) recordsInForce(ctx context.Context, ids []string, key func(string) string, set string) ([]record, error) {
	var ver *redis.StringCmd
	recs := make([]*redis.MapStringStringCmd, len(ids))
	members := make([]*redis.BoolCmd, len(ids))
	err := s.chunks(ctx, max(len(ids), 1), func(p redis.Pipeliner, from, to int) {
		if from == 0 {
			ver = s.getVersion(ctx, p)
		}
		for i := from; i < min(to, len(ids)); i++ {
			recs[i], members[i] = p.HGetAll(ctx, key(ids[i])), p.SIsMember(ctx, set, ids[i])
		}
	})
	if err != nil {
		return nil, err
	}
	cur := versionOf(ver.Val())
	out := make([]record, 0, len(ids))
	for i, rec := range recs {
		if h, ok := inForce(rec.Val(), cur); ok {
			out = append(out, record{id: ids[i], fields: h, member: members[i].Val()})
		}
	}
	return out, nil
}

// Staff implements flows.RosterStore.
func (s *Store) Staff(ctx context.Context) ([]flows.Cadre, error) {
	ids, err := s.members(ctx, s.k.cadres())
	if err != nil {
		return nil, err
	}
	return s.Cadres(ctx, ids)
}

// HouseholdNames implements flows.RosterStore, in pipelines.
func (s *Store) HouseholdNames(ctx context.Context, ids []string) (map[string]string, error) {
	var ver *redis.StringCmd
	cmds := make([]*redis.SliceCmd, len(ids))
	err := s.chunks(ctx, max(len(ids), 1), func(p redis.Pipeliner, from, to int) {
		if from == 0 {
			ver = s.getVersion(ctx, p)
		}
		for i := from; i < min(to, len(ids)); i++ {
			cmds[i] = p.HMGet(ctx, s.k.household(ids[i]), "name", "v", "pv", prevPrefix+"name")
		}
	})
	if err != nil {
		return nil, fmt.Errorf("load household names: %w", err)
	}
	cur := versionOf(ver.Val())
	out := make(map[string]string, len(ids))
	for i, c := range cmds {
		vals := c.Val()
		h := map[string]string{}
		for j, f := range []string{"name", "v", "pv", prevPrefix + "name"} {
			if v, ok := vals[j].(string); ok {
				h[f] = v
			}
		}
		if rec, ok := inForce(h, cur); ok {
			out[ids[i]] = rec["name"]
		}
	}
	return out, nil
}

// Household implements flows.RosterStore: the household's record in force,
// on the roster or not (a household taken off the roster keeps writing).
func (s *Store) Household(ctx context.Context, id string) (flows.Household, error) {
	var ver *redis.StringCmd
	var rec *redis.MapStringStringCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		ver, rec = s.getVersion(ctx, p), p.HGetAll(ctx, s.k.household(id))
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return flows.Household{}, fmt.Errorf("load household: %w", err)
	}
	h, ok := inForce(rec.Val(), versionOf(ver.Val()))
	if !ok {
		return flows.Household{}, flows.Errorf(flows.ENOTFOUND, "household not found")
	}
	return household(id, h), nil
}

// UnitLeaders implements flows.RosterStore.
func (s *Store) UnitLeaders(ctx context.Context, unit string) ([]flows.Cadre, error) {
	ids, err := s.members(ctx, s.k.leaders(unit))
	if err != nil {
		return nil, err
	}
	return s.Cadres(ctx, ids)
}

func cadre(id string, h map[string]string) flows.Cadre {
	return flows.Cadre{ID: id, Name: h["name"], Unit: h["unit"], Role: flows.Role(h["role"]), Phone: h["phone"]}
}

func household(id string, h map[string]string) flows.Household {
	return flows.Household{ID: id, Name: h["name"], Village: h["village"], CadreID: h["cadre"], Phone: h["phone"], Address: h["address"]}
}

// splitRef splits a card's value "kind:id".
func splitRef(v string) (flows.AccountKind, string, bool) {
	kind, id, ok := strings.Cut(v, ":")
	return flows.AccountKind(kind), id, ok
}
