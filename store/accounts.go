package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// bindScript binds an account to a card, checking again that the card still
// names the same holder (it may have been rotated since it was read) and
// that the holder is still on the roster (a removed household's card stops
// binding; accounts bound before stay bound).
//
// KEYS: 1 card, 2 account, 3 holder hash, 4 household accounts set,
// 5 the roster's set of the holder's kind
// ARGV: 1 card value, 2 account id, 3 kind, 4 ref, 5 lang, 6 max accounts
var bindScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'notfound'} end
if redis.call('SISMEMBER', KEYS[5], ARGV[4]) == 0 then return {'notfound'} end
local kind = redis.call('HGET', KEYS[2], 'kind')
if kind then
  if kind == ARGV[3] and redis.call('HGET', KEYS[2], 'ref') == ARGV[4] then
    return {'ok', redis.call('HGET', KEYS[2], 'lang') or ''}
  end
  return {'conflict'}
end
if ARGV[3] == 'household' then
  if redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[6]) then return {'full'} end
  redis.call('SADD', KEYS[4], ARGV[2])
else
  local bound = redis.call('HGET', KEYS[3], 'account')
  if bound and bound ~= '' and bound ~= ARGV[2] then return {'full'} end
  redis.call('HSET', KEYS[3], 'account', ARGV[2])
end
redis.call('HSET', KEYS[2], 'kind', ARGV[3], 'ref', ARGV[4], 'lang', ARGV[5])
return {'ok', ARGV[5]}
`)

// Bind implements flows.AccountStore.
func (s *Store) Bind(ctx context.Context, check string, a flows.Account, max int) (flows.Account, error) {
	v, err := s.rdb.Get(ctx, s.k.card(check)).Result()
	if err != nil {
		return a, notFound(err, "card")
	}
	kind, ref, ok := splitRef(v)
	if !ok {
		return a, flows.Errorf(flows.ENOTFOUND, "card not found")
	}
	holder, set, roster := s.k.cadre(ref), s.k.hhAccounts(ref), s.k.cadres()
	if kind == flows.AccountHousehold {
		holder, roster = s.k.household(ref), s.k.households()
	}
	res, err := bindScript.Run(ctx, s.rdb, []string{s.k.card(check), s.k.account(a.ID), holder, set, roster},
		v, a.ID, string(kind), ref, a.Lang, max).StringSlice()
	if err != nil {
		return a, fmt.Errorf("bind: %w", err)
	}
	switch res[0] {
	case "ok":
		a.Kind, a.Ref, a.Lang = kind, ref, res[1]
		return a, nil
	case "full":
		a.Kind = kind
		return a, flows.Errorf(flows.EFULL, "card has bound all its accounts")
	case "conflict":
		return a, flows.Errorf(flows.ECONFLICT, "account bound to someone else")
	}
	return a, flows.Errorf(flows.ENOTFOUND, "card not found")
}

// Account implements flows.AccountStore.
func (s *Store) Account(ctx context.Context, id int64) (flows.Account, error) {
	h, err := s.rdb.HGetAll(ctx, s.k.account(id)).Result()
	if err != nil {
		return flows.Account{}, fmt.Errorf("load account: %w", err)
	}
	if h["kind"] == "" {
		return flows.Account{}, flows.Errorf(flows.ENOTFOUND, "account not found")
	}
	return flows.Account{ID: id, Kind: flows.AccountKind(h["kind"]), Ref: h["ref"], Lang: h["lang"], Unreachable: h["unreachable"] == "1"}, nil
}

// SetUnreachable implements flows.AccountStore.
func (s *Store) SetUnreachable(ctx context.Context, id int64, unreachable bool) error {
	v := "0"
	if unreachable {
		v = "1"
	}
	if err := s.rdb.HSet(ctx, s.k.account(id), "unreachable", v).Err(); err != nil {
		return fmt.Errorf("set unreachable: %w", err)
	}
	return nil
}

// SetLang implements flows.AccountStore.
func (s *Store) SetLang(ctx context.Context, id int64, lang string) error {
	if err := s.rdb.HSet(ctx, s.k.account(id), "lang", lang).Err(); err != nil {
		return fmt.Errorf("set lang: %w", err)
	}
	return nil
}

// HouseholdAccounts implements flows.AccountStore, in account id order.
func (s *Store) HouseholdAccounts(ctx context.Context, householdID string) ([]flows.Account, error) {
	raw, err := s.members(ctx, s.k.hhAccounts(householdID))
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(raw))
	for _, r := range raw {
		if n, err := strconv.ParseInt(r, 10, 64); err == nil {
			ids = append(ids, n)
		}
	}
	slices.Sort(ids)
	cmds, err := s.field(ctx, keysOf(ids, s.k.account), "lang")
	if err != nil {
		return nil, fmt.Errorf("load household accounts: %w", err)
	}
	out := make([]flows.Account, 0, len(ids))
	for i, id := range ids {
		out = append(out, flows.Account{ID: id, Kind: flows.AccountHousehold, Ref: householdID, Lang: cmds[i].Val()})
	}
	return out, nil
}

// CadreAccount implements flows.AccountStore.
func (s *Store) CadreAccount(ctx context.Context, cadreID string) (flows.Account, error) {
	v, err := s.rdb.HGet(ctx, s.k.cadre(cadreID), "account").Result()
	if err != nil {
		return flows.Account{}, notFound(err, "cadre account")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || v == "" {
		return flows.Account{}, flows.Errorf(flows.ENOTFOUND, "cadre account not found")
	}
	return s.Account(ctx, id)
}

// countScript counts an event in a window: the counter expires with it.
// KEYS: 1 counter. ARGV: 1 window (ms).
var countScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`)

// Count implements flows.AccountStore: it adds one to the counter name in
// its current window and returns the count (add=false only reads it).
func (s *Store) Count(ctx context.Context, name string, window time.Duration, add bool) (int64, error) {
	if !add {
		n, err := s.rdb.Get(ctx, s.k.counter(name)).Int64()
		if errors.Is(err, redis.Nil) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("count %s: %w", name, err)
		}
		return n, nil
	}
	n, err := countScript.Run(ctx, s.rdb, []string{s.k.counter(name)}, window.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", name, err)
	}
	return n, nil
}
