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

// claimScript leases due items: first items whose lease expired (a sweeper
// died), then items due at or before now, at most n in all. Cost O(n).
//
// KEYS: 1 due, 2 lease. ARGV: 1 now (ms), 2 n, 3 lease expiry (ms).
var claimScript = redis.NewScript(`
local out = {}
local n = tonumber(ARGV[2])
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, n)) do
  redis.call('ZADD', KEYS[2], ARGV[3], m)
  table.insert(out, m)
end
if #out < n then
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, n - #out)
  for i = 1, #due, 2 do
    local m = due[i] .. '|' .. due[i + 1]
    redis.call('ZREM', KEYS[1], due[i])
    redis.call('ZADD', KEYS[2], ARGV[3], m)
    table.insert(out, m)
  end
end
return out
`)

// dueMember is a due item's member in the due zset: one per stage.
func dueMember(d flows.Due) string { return strconv.FormatInt(d.RequestID, 10) + "|" + string(d.Stage) }

// leaseMember is a claimed item's member in the lease zset.
func leaseMember(d flows.Due) string {
	return dueMember(d) + "|" + strconv.FormatInt(d.At.UnixMilli(), 10)
}

// ClaimDue implements flows.Scheduler.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, n int, lease time.Duration) ([]flows.Due, error) {
	raw, err := claimScript.Run(ctx, s.rdb, []string{s.k.due(), s.k.lease()},
		now.UnixMilli(), n, now.Add(lease).UnixMilli()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("claim due: %w", err)
	}
	out := make([]flows.Due, 0, len(raw))
	for _, m := range raw {
		parts := strings.Split(m, "|")
		if len(parts) != 3 {
			continue
		}
		id, err1 := strconv.ParseInt(parts[0], 10, 64)
		ms, err2 := strconv.ParseFloat(parts[2], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, flows.Due{RequestID: id, Stage: flows.Stage(parts[1]), At: time.UnixMilli(int64(ms))})
	}
	return out, nil
}

// ReleaseDue implements flows.Scheduler.
func (s *Store) ReleaseDue(ctx context.Context, d flows.Due) error {
	if err := s.rdb.ZRem(ctx, s.k.lease(), leaseMember(d)).Err(); err != nil {
		return fmt.Errorf("release due: %w", err)
	}
	return nil
}
