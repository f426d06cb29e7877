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
func (s *Store) SaveRoster(ctx context.Context, r flows.Roster) error {
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
		}
		for _, h := range r.Households {
			p.HSet(ctx, s.k.household(h.ID), "name", h.Name, "village", h.Village, "cadre", h.CadreID, "phone", h.Phone, "address", h.Address)
			p.SAdd(ctx, s.k.households(), h.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save roster: %w", err)
	}
	return nil
}

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
