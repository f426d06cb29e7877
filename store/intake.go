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
// cadre's account (only while the cadre is on the roster), counting the
// message for flood control; records are read as in force (versions.go).
// It follows keys
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
-- the record's data under the roster version in force (see versions.go)
local cur = tonumber(redis.call('GET', p .. 'roster:v') or '0')
local function inforce(flat)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  if tonumber(t.v or '0') <= cur then return flat, t end
  if not t.pv then return {}, {} end
  local out, o = {}, {code = t.code, account = t.account}
  for k, val in pairs(t) do
    if string.sub(k, 1, 2) == 'p:' then o[string.sub(k, 3)] = val end
  end
  for k, val in pairs(o) do
    out[#out + 1] = k
    out[#out + 1] = val
  end
  return out, o
end
local hh, h = inforce(redis.call('HGETALL', p .. 'hh:' .. f.ref))
local latest = ''
local open = redis.call('ZRANGE', p .. 'open:hh:' .. f.ref, -1, -1)
if #open > 0 then latest = redis.call('HGET', p .. 'req:' .. open[1], 'd') or '' end
local cadre, cacct, member = {}, {}, 0
if h.cadre then
  local c
  cadre, c = inforce(redis.call('HGETALL', p .. 'cadre:' .. h.cadre))
  member = redis.call('SISMEMBER', p .. 'cadres', h.cadre)
  if member == 1 and c.account and c.account ~= '' then cacct = redis.call('HGETALL', p .. 'acct:' .. c.account) end
end
return {acct, hh, latest, cadre, cacct, flood, member}
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
	in.Account = flows.Account{ID: accountID, Kind: flows.AccountKind(a["kind"]), Ref: a["ref"], Lang: a["lang"], Unreachable: a["unreachable"] == "1", TalkUntil: talkUntil(a["talk"])}
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
		in.Cadre.OnRoster = len(res) > 6 && res[6] == int64(1)
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
