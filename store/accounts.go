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
	return flows.Account{ID: id, Kind: flows.AccountKind(h["kind"]), Ref: h["ref"], Lang: h["lang"], Unreachable: h["unreachable"] == "1", TalkUntil: talkUntil(h["talk"])}, nil
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

// AccountsOfHouseholds implements flows.AccountStore in two pipelines.
func (s *Store) AccountsOfHouseholds(ctx context.Context, ids []string) (map[string][]flows.Account, error) {
	sets := make([]*redis.StringSliceCmd, len(ids))
	err := s.chunks(ctx, len(ids), func(p redis.Pipeliner, from, to int) {
		for i := from; i < to; i++ {
			sets[i] = p.SMembers(ctx, s.k.hhAccounts(ids[i]))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("load household accounts: %w", err)
	}
	var accts []flows.Account
	for i, c := range sets {
		for _, m := range sorted(c.Val()) {
			if n, err := strconv.ParseInt(m, 10, 64); err == nil {
				accts = append(accts, flows.Account{ID: n, Kind: flows.AccountHousehold, Ref: ids[i]})
			}
		}
	}
	langs, err := s.field(ctx, keysOf(accts, func(a flows.Account) string { return s.k.account(a.ID) }), "lang")
	if err != nil {
		return nil, fmt.Errorf("load household accounts: %w", err)
	}
	out := map[string][]flows.Account{}
	for i, a := range accts {
		a.Lang = langs[i].Val()
		out[a.Ref] = append(out[a.Ref], a)
	}
	return out, nil
}

// CadreAccount implements flows.AccountStore: the account of a cadre on the
// roster in force (ENOTFOUND for one taken off it).
func (s *Store) CadreAccount(ctx context.Context, cadreID string) (flows.Account, error) {
	var member *redis.BoolCmd
	var acct *redis.StringCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		member, acct = p.SIsMember(ctx, s.k.cadres(), cadreID), p.HGet(ctx, s.k.cadre(cadreID), "account")
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return flows.Account{}, fmt.Errorf("cadre account: %w", err)
	}
	if !member.Val() {
		return flows.Account{}, flows.Errorf(flows.ENOTFOUND, "cadre not on the roster")
	}
	return s.accountIn(ctx, acct.Val())
}

// accountIn loads the account whose id is v ("" or malformed: ENOTFOUND).
func (s *Store) accountIn(ctx context.Context, v string) (flows.Account, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || v == "" {
		return flows.Account{}, flows.Errorf(flows.ENOTFOUND, "cadre account not found")
	}
	return s.Account(ctx, id)
}

// BoundAccounts implements flows.AccountStore: the accounts bound to a
// household's card or a cadre's invite, on the roster or not.
func (s *Store) BoundAccounts(ctx context.Context, kind flows.AccountKind, ref string) ([]flows.Account, error) {
	if kind == flows.AccountHousehold {
		return s.HouseholdAccounts(ctx, ref)
	}
	v, err := s.rdb.HGet(ctx, s.k.cadre(ref), "account").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("bound accounts: %w", err)
	}
	a, err := s.accountIn(ctx, v)
	if flows.ErrorCode(err) == flows.ENOTFOUND || (err == nil && (a.Kind != kind || a.Ref != ref)) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []flows.Account{a}, nil
}

// OnRoster implements flows.RosterStore.
func (s *Store) OnRoster(ctx context.Context, kind flows.AccountKind, id string) (bool, error) {
	set := s.k.households()
	if kind == flows.AccountCadre {
		set = s.k.cadres()
	}
	ok, err := s.rdb.SIsMember(ctx, set, id).Result()
	if err != nil {
		return false, fmt.Errorf("on roster: %w", err)
	}
	return ok, nil
}

// unbindScript cuts an account off the card or invite it is bound to, with
// its reply links, queues notices, and (for an import's follow-up) marks the
// follow-up done, all at once. A follow-up already done changes nothing.
//
// KEYS: 1 account, 2 holder hash, 3 household accounts set, 4 the chat's
// reply links, 5 follow-up set, 6..8 the outbox lanes.
// ARGV: 1 account id ("" = unbind none), 2 kind, 3 ref, 4 follow-up member
// ("" = not a follow-up), 5.. notices (laneNotice values) (queued when nothing was to be
// unbound or the account was).
var unbindScript = redis.NewScript(`
if ARGV[4] ~= '' and redis.call('SREM', KEYS[5], ARGV[4]) == 0 then return 0 end
local cut = 0
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'kind') == ARGV[2] and redis.call('HGET', KEYS[1], 'ref') == ARGV[3] then
  redis.call('DEL', KEYS[1], KEYS[4])
  if ARGV[2] == 'household' then
    redis.call('SREM', KEYS[3], ARGV[1])
  elseif redis.call('HGET', KEYS[2], 'account') == ARGV[1] then
    redis.call('HDEL', KEYS[2], 'account')
  end
  cut = 1
end
if ARGV[1] == '' or cut == 1 then
  for i = 5, #ARGV do ` + laneXADD("6", "ARGV[i]") + ` end
end
return 1 + cut
`)

// Unbind implements flows.AccountStore.
func (s *Store) Unbind(ctx context.Context, a flows.Account) (bool, error) {
	return s.unbind(ctx, &a, s.k.staged(0, "none"), "", nil)
}

// unbind runs unbindScript; a is the account to cut off (nil: none), set
// and member the follow-up ("" member: none). It reports whether a was cut.
func (s *Store) unbind(ctx context.Context, a *flows.Account, set, member string, notices []flows.Notice) (bool, error) {
	c, err := s.unbindArgs(a, set, member, notices)
	if err != nil {
		return false, err
	}
	res, err := unbindScript.Run(ctx, s.rdb, c.keys, c.args...).Int()
	if err != nil {
		return false, fmt.Errorf("unbind: %w", err)
	}
	return res == 2, nil
}

// unbindCall is the keys and arguments of one unbindScript call.
type unbindCall struct {
	keys []string
	args []any
}

// unbindArgs builds an unbindScript call (see unbind).
func (s *Store) unbindArgs(a *flows.Account, set, member string, notices []flows.Notice) (unbindCall, error) {
	id, kind, ref := "", "", ""
	acct, holder, accts, links := s.k.account(0), s.k.cadre(""), s.k.hhAccounts(""), s.k.link(0)
	if a != nil {
		id, kind, ref = strconv.FormatInt(a.ID, 10), string(a.Kind), a.Ref
		acct, holder, accts, links = s.k.account(a.ID), s.k.cadre(a.Ref), s.k.hhAccounts(a.Ref), s.k.link(a.ID)
		if a.Kind == flows.AccountHousehold {
			holder = s.k.household(a.Ref)
		}
	}
	args := []any{id, kind, ref, member}
	for _, n := range notices {
		v, err := laneNotice(n)
		if err != nil {
			return unbindCall{}, fmt.Errorf("unbind: %w", err)
		}
		args = append(args, v)
	}
	return unbindCall{keys: append([]string{acct, holder, accts, links, set}, s.laneKeys()...), args: args}, nil
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
