package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// intakeScript reads a message's context in one round trip: the account,
// and for a household its record, latest open request, cadre and the
// cadre's account, counting the message for flood control. It follows keys
// named by stored values (the household's cadre, the cadre's account): all
// of them carry the county's hash tag, taken from KEYS[1], so they live in
// KEYS[1]'s cluster slot. This is the one script that does so, to keep a
// household's message at three round trips.
//
// KEYS: 1 account. ARGV: 1 the account key's suffix "acct:<id>",
// 2 flood counter name ("" = none), 3 its window (ms).
var intakeScript = redis.NewScript(`
local p = string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[1])
local acct = redis.call('HGETALL', KEYS[1])
if #acct == 0 then return {} end
local f = {}
for i = 1, #acct, 2 do f[acct[i]] = acct[i + 1] end
if f.kind ~= 'household' then return {acct} end
local flood = 0
if ARGV[2] ~= '' then
  flood = redis.call('INCR', p .. 'count:' .. ARGV[2])
  if flood == 1 then redis.call('PEXPIRE', p .. 'count:' .. ARGV[2], ARGV[3]) end
end
local hh = redis.call('HGETALL', p .. 'hh:' .. f.ref)
local h = {}
for i = 1, #hh, 2 do h[hh[i]] = hh[i + 1] end
local latest = ''
local open = redis.call('ZRANGE', p .. 'open:hh:' .. f.ref, -1, -1)
if #open > 0 then latest = redis.call('HGET', p .. 'req:' .. open[1], 'd') or '' end
local cadre, cacct = {}, {}
if h.cadre then
  cadre = redis.call('HGETALL', p .. 'cadre:' .. h.cadre)
  local c = {}
  for i = 1, #cadre, 2 do c[cadre[i]] = cadre[i + 1] end
  if c.account and c.account ~= '' then cacct = redis.call('HGETALL', p .. 'acct:' .. c.account) end
end
return {acct, hh, latest, cadre, cacct, flood}
`)

// Intake implements flows.IntakeStore.
func (s *Store) Intake(ctx context.Context, accountID int64, flood string, window time.Duration) (flows.Intake, error) {
	var in flows.Intake
	suffix := "acct:" + strconv.FormatInt(accountID, 10)
	res, err := intakeScript.Run(ctx, s.rdb, []string{s.k.account(accountID)}, suffix, flood, window.Milliseconds()).Slice()
	if err != nil {
		return in, fmt.Errorf("intake: %w", err)
	}
	if len(res) == 0 {
		return in, flows.Errorf(flows.ENOTFOUND, "account not found")
	}
	a := pairs(res[0])
	in.Account = flows.Account{ID: accountID, Kind: flows.AccountKind(a["kind"]), Ref: a["ref"], Lang: a["lang"], Unreachable: a["unreachable"] == "1"}
	if len(res) < 6 {
		return in, nil
	}
	in.Household = household(in.Account.Ref, pairs(res[1]))
	if d, _ := res[2].(string); d != "" {
		var r flows.Request
		if err := decodeRequest(d, &r); err != nil {
			return in, fmt.Errorf("intake: decode request: %w", err)
		}
		in.Latest = &r
	}
	if c := pairs(res[3]); len(c) > 0 {
		in.Cadre = cadre(in.Household.CadreID, c)
	}
	if ca := pairs(res[4]); len(ca) > 0 {
		id, _ := strconv.ParseInt(pairs(res[3])["account"], 10, 64)
		in.CadreAccount = &flows.Account{ID: id, Kind: flows.AccountKind(ca["kind"]), Ref: ca["ref"], Lang: ca["lang"], Unreachable: ca["unreachable"] == "1"}
	}
	in.Flood, _ = res[5].(int64)
	return in, nil
}

// pairs turns a script's flat HGETALL reply into a map.
func pairs(v any) map[string]string {
	list, _ := v.([]any)
	out := make(map[string]string, len(list)/2)
	for i := 0; i+1 < len(list); i += 2 {
		k, _ := list[i].(string)
		val, _ := list[i+1].(string)
		out[k] = val
	}
	return out
}
