package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// Cards and invites. A holder's hash (hh:<id> or cadre:<id>) keeps its
// card's state, never a code: "rot" (rotations so far), "check" (the
// flows.CodeCheck of the current code) and "legacy" (the check of a code
// printed before codes were derived, until a rotation). Each working check
// also names a card key, card:<check> = "<kind>:<id>", which Bind reads.

// holderKey returns the hash of a household or a cadre, and its roster set.
func (s *Store) holderKey(kind flows.AccountKind, id string) (key, roster string) {
	if kind == flows.AccountCadre {
		return s.k.cadre(id), s.k.cadres()
	}
	return s.k.household(id), s.k.households()
}

// cardFields are the fields of a holder's card state, in the order
// cardState reads them.
var cardFields = []string{"rot", "check", "legacy"}

// cardState decodes the values of cardFields.
func cardState(vals []any) flows.CardState {
	str := func(v any) string { s, _ := v.(string); return s }
	rot, _ := strconv.Atoi(str(vals[0]))
	return flows.CardState{Rotation: rot, Check: str(vals[1]), Legacy: str(vals[2])}
}

// CardState implements flows.RosterStore.
func (s *Store) CardState(ctx context.Context, kind flows.AccountKind, id string) (flows.CardState, error) {
	key, _ := s.holderKey(kind, id)
	var exists *redis.IntCmd
	var vals *redis.SliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, key)
		vals = p.HMGet(ctx, key, cardFields...)
		return nil
	})
	if err != nil {
		return flows.CardState{}, fmt.Errorf("load %s card: %w", kind, err)
	}
	if exists.Val() == 0 {
		return flows.CardState{}, flows.Errorf(flows.ENOTFOUND, "%s not found", kind)
	}
	return cardState(vals.Val()), nil
}

// CardStates implements flows.RosterStore: HMGETs in pipelines of bounded
// size (see pipeChunk).
func (s *Store) CardStates(ctx context.Context, kind flows.AccountKind) (map[string]flows.CardState, error) {
	_, set := s.holderKey(kind, "")
	ids, err := s.members(ctx, set)
	if err != nil {
		return nil, err
	}
	cmds := make([]*redis.SliceCmd, len(ids))
	err = s.chunks(ctx, len(ids), func(p redis.Pipeliner, from, to int) {
		for i := from; i < to; i++ {
			key, _ := s.holderKey(kind, ids[i])
			cmds[i] = p.HMGet(ctx, key, cardFields...)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("load %s cards: %w", kind, err)
	}
	out := make(map[string]flows.CardState, len(ids))
	for i, c := range cmds {
		out[ids[i]] = cardState(c.Val())
	}
	return out, nil
}

// addCardsScript gives holders their first code check.
// KEYS: per card, its holder hash and its card key.
// ARGV: per card, its rotation, check and "kind:id".
var addCardsScript = redis.NewScript(`
local n = 0
for i = 1, #KEYS, 2 do
  local rot, check, ref = ARGV[(i-1)/2*3+1], ARGV[(i-1)/2*3+2], ARGV[(i-1)/2*3+3]
  if redis.call('EXISTS', KEYS[i]) == 1 and (redis.call('HGET', KEYS[i], 'rot') or '0') == rot
     and redis.call('HSETNX', KEYS[i], 'check', check) == 1 then
    redis.call('SET', KEYS[i+1], ref)
    n = n + 1
  end
end
return n
`)

// addCardsBatch bounds the cards one script call gives.
const addCardsBatch = 500

// AddCards implements flows.RosterStore, in atomic batches.
func (s *Store) AddCards(ctx context.Context, cards []flows.NewCard) error {
	for len(cards) > 0 {
		batch := cards[:min(len(cards), addCardsBatch)]
		cards = cards[len(batch):]
		keys := make([]string, 0, 2*len(batch))
		args := make([]any, 0, 3*len(batch))
		for _, c := range batch {
			key, _ := s.holderKey(c.Kind, c.ID)
			keys = append(keys, key, s.k.card(c.Check))
			args = append(args, strconv.Itoa(c.Rotation), c.Check, string(c.Kind)+":"+c.ID)
		}
		if err := addCardsScript.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
			return fmt.Errorf("add cards: %w", err)
		}
	}
	return nil
}

// rotateScript replaces a holder's code: the card keys of the old code and
// of a legacy one stop binding.
// KEYS: 1 holder hash, 2 new card key, 3.. card keys to delete.
// ARGV: 1 rotation read, 2 check read, 3 legacy check read, 4 new check,
// 5 "kind:id".
var rotateScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local rot = redis.call('HGET', KEYS[1], 'rot') or '0'
local check = redis.call('HGET', KEYS[1], 'check') or ''
if tonumber(rot) == tonumber(ARGV[1]) + 1 and check == ARGV[4] then return 1 end
if rot ~= ARGV[1] or check ~= ARGV[2] or (redis.call('HGET', KEYS[1], 'legacy') or '') ~= ARGV[3] then return 0 end
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[5] then redis.call('DEL', KEYS[i]) end
end
redis.call('SET', KEYS[2], ARGV[5])
redis.call('HSET', KEYS[1], 'rot', tostring(tonumber(rot) + 1), 'check', ARGV[4])
redis.call('HDEL', KEYS[1], 'legacy', 'code')
return 1
`)

// RotateCode implements flows.RosterStore.
func (s *Store) RotateCode(ctx context.Context, kind flows.AccountKind, id string, from flows.CardState, check string) error {
	key, _ := s.holderKey(kind, id)
	keys := []string{key, s.k.card(check)}
	for _, old := range []string{from.Check, from.Legacy} {
		if old != "" {
			keys = append(keys, s.k.card(old))
		}
	}
	n, err := rotateScript.Run(ctx, s.rdb, keys, strconv.Itoa(from.Rotation), from.Check, from.Legacy, check,
		string(kind)+":"+id).Int()
	switch {
	case err != nil:
		return fmt.Errorf("rotate code: %w", err)
	case n < 0:
		return flows.Errorf(flows.ENOTFOUND, "%s not found", kind)
	case n == 0:
		return flows.Errorf(flows.ECONFLICT, "code changed meanwhile")
	}
	return nil
}

// cardKeysOf returns the card keys that bind to a holder, read in tx.
func (s *Store) cardKeysOf(ctx context.Context, tx *redis.Tx, kind flows.AccountKind, id string) ([]string, error) {
	key, _ := s.holderKey(kind, id)
	vals, err := tx.HMGet(ctx, key, cardFields...).Result()
	if err != nil {
		return nil, fmt.Errorf("load %s card: %w", kind, err)
	}
	st := cardState(vals)
	var out []string
	for _, check := range []string{st.Check, st.Legacy} {
		if check == "" {
			continue
		}
		v, err := tx.Get(ctx, s.k.card(check)).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("load %s card: %w", kind, err)
		}
		if v == string(kind)+":"+id {
			out = append(out, s.k.card(check))
		}
	}
	return out, nil
}
