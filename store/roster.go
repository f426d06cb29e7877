package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// SaveRoster implements flows.RosterStore in one MULTI transaction.
func (s *Store) SaveRoster(ctx context.Context, r flows.Roster, newCodes map[string]string) error {
	oldUnits, err := s.rdb.SMembers(ctx, s.k.units()).Result()
	if err != nil {
		return fmt.Errorf("save roster: %w", err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.k.cadres(), s.k.households(), s.k.units(), s.k.leaders(""))
		for _, u := range oldUnits {
			p.Del(ctx, s.k.leaders(u))
		}
		for _, c := range r.Cadres {
			if c.Role == flows.RoleLeader {
				p.SAdd(ctx, s.k.leaders(c.Unit), c.ID)
				p.SAdd(ctx, s.k.units(), c.Unit)
			}
			p.HSet(ctx, s.k.cadre(c.ID), "name", c.Name, "unit", c.Unit, "role", string(c.Role), "phone", c.Phone)
			p.SAdd(ctx, s.k.cadres(), c.ID)
			s.saveCode(ctx, p, s.k.cadre(c.ID), flows.AccountCadre, c.ID, newCodes)
		}
		for _, h := range r.Households {
			p.HSet(ctx, s.k.household(h.ID), "name", h.Name, "village", h.Village, "cadre", h.CadreID, "phone", h.Phone, "address", h.Address)
			p.SAdd(ctx, s.k.households(), h.ID)
			s.saveCode(ctx, p, s.k.household(h.ID), flows.AccountHousehold, h.ID, newCodes)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save roster: %w", err)
	}
	return nil
}

func (s *Store) saveCode(ctx context.Context, p redis.Pipeliner, key string, kind flows.AccountKind, id string, codes map[string]string) {
	code, ok := codes[string(kind)+":"+id]
	if !ok {
		return
	}
	// A code is only ever set once: a holder that left the roster and came
	// back keeps the card it had.
	p.Eval(ctx, setCodeScript, []string{key, s.k.card(code)}, code, string(kind)+":"+id)
}

// setCodeScript gives a holder a code unless it has one.
// KEYS: 1 holder hash, 2 card key. ARGV: 1 code, 2 "kind:id".
const setCodeScript = `if redis.call('HSETNX', KEYS[1], 'code', ARGV[1]) == 1 then redis.call('SET', KEYS[2], ARGV[2]) end return 1`

// Roster implements flows.RosterStore.
func (s *Store) Roster(ctx context.Context) (flows.Roster, error) {
	var r flows.Roster
	cids, err := s.members(ctx, s.k.cadres())
	if err != nil {
		return r, err
	}
	if r.Cadres, err = s.Cadres(ctx, cids); err != nil {
		return r, err
	}
	hids, err := s.members(ctx, s.k.households())
	if err != nil {
		return r, err
	}
	hashes, err := s.hashes(ctx, hids, s.k.household)
	if err != nil {
		return r, fmt.Errorf("load households: %w", err)
	}
	for i, h := range hashes {
		r.Households = append(r.Households, household(hids[i], h))
	}
	return r, nil
}

// members returns a set's members, sorted.
func (s *Store) members(ctx context.Context, key string) ([]string, error) {
	ids, err := s.rdb.SMembers(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", key, err)
	}
	sort.Strings(ids)
	return ids, nil
}

// field reads one field of many hashes in one pipeline; a missing hash or
// field leaves its command failed with redis.Nil.
func (s *Store) field(ctx context.Context, keys []string, name string) ([]*redis.StringCmd, error) {
	cmds := make([]*redis.StringCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.HGet(ctx, k, name)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
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

// hashes loads the hash of each id in one pipeline.
func (s *Store) hashes(ctx context.Context, ids []string, key func(string) string) ([]map[string]string, error) {
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGetAll(ctx, key(id))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(ids))
	for i, c := range cmds {
		out[i] = c.Val()
	}
	return out, nil
}

// Cadre implements flows.RosterStore.
func (s *Store) Cadre(ctx context.Context, id string) (flows.Cadre, error) {
	h, err := s.rdb.HGetAll(ctx, s.k.cadre(id)).Result()
	if err != nil {
		return flows.Cadre{}, fmt.Errorf("load cadre: %w", err)
	}
	if len(h) == 0 {
		return flows.Cadre{}, flows.Errorf(flows.ENOTFOUND, "cadre not found")
	}
	return cadre(id, h), nil
}

// Cadres implements flows.RosterStore; unknown ids are skipped.
func (s *Store) Cadres(ctx context.Context, ids []string) ([]flows.Cadre, error) {
	hs, err := s.hashes(ctx, ids, s.k.cadre)
	if err != nil {
		return nil, fmt.Errorf("load cadres: %w", err)
	}
	out := make([]flows.Cadre, 0, len(ids))
	for i, h := range hs {
		if len(h) > 0 {
			out = append(out, cadre(ids[i], h))
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

// HouseholdNames implements flows.RosterStore: one pipeline of HGETs.
func (s *Store) HouseholdNames(ctx context.Context, ids []string) (map[string]string, error) {
	cmds, err := s.field(ctx, keysOf(ids, s.k.household), "name")
	if err != nil {
		return nil, fmt.Errorf("load household names: %w", err)
	}
	out := make(map[string]string, len(ids))
	for i, c := range cmds {
		if c.Err() == nil {
			out[ids[i]] = c.Val()
		}
	}
	return out, nil
}

// Household implements flows.RosterStore.
func (s *Store) Household(ctx context.Context, id string) (flows.Household, error) {
	h, err := s.rdb.HGetAll(ctx, s.k.household(id)).Result()
	if err != nil {
		return flows.Household{}, fmt.Errorf("load household: %w", err)
	}
	if len(h) == 0 {
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

// Codes implements flows.RosterStore.
func (s *Store) Codes(ctx context.Context, kind flows.AccountKind) (map[string]string, error) {
	set, key := s.k.households(), s.k.household
	if kind == flows.AccountCadre {
		set, key = s.k.cadres(), s.k.cadre
	}
	ids, err := s.members(ctx, set)
	if err != nil {
		return nil, err
	}
	cmds, err := s.field(ctx, keysOf(ids, key), "code")
	if err != nil {
		return nil, fmt.Errorf("load codes: %w", err)
	}
	out := make(map[string]string, len(ids))
	for i, c := range cmds {
		if v := c.Val(); v != "" {
			out[ids[i]] = v
		}
	}
	return out, nil
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

// rotateScript replaces a holder's code: the old card key stops binding.
// KEYS: 1 holder hash, 2 old card key, 3 new card key.
// ARGV: 1 old code, 2 new code, 3 "kind:id".
var rotateScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'code')
if cur ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('HSET', KEYS[1], 'code', ARGV[2])
return 1
`)

// RotateCode implements flows.RosterStore.
func (s *Store) RotateCode(ctx context.Context, kind flows.AccountKind, id, code string) error {
	key := s.k.household(id)
	if kind == flows.AccountCadre {
		key = s.k.cadre(id)
	}
	old, err := s.rdb.HGet(ctx, key, "code").Result()
	if err != nil {
		return notFound(err, string(kind))
	}
	if old == code {
		return nil // a retry of a rotation that was applied
	}
	ok, err := rotateScript.Run(ctx, s.rdb, []string{key, s.k.card(old), s.k.card(code)}, old, code, string(kind)+":"+id).Int()
	if err != nil {
		return fmt.Errorf("rotate code: %w", err)
	}
	if ok == 0 {
		return flows.Errorf(flows.ECONFLICT, "code changed meanwhile")
	}
	return nil
}
