package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// MigrateResolvedIndex upgrades a store written before /revisits: it adds
// every resolved request (awaiting a verdict) to the resolved indexes of
// its unit and of the county, which Apply keeps from then on. It reads
// every request once, page by page; a marker key records that it ran. A
// request closed while it runs may stay in an index: /revisits skips
// whatever is not resolved. It returns how many requests it indexed.
func (s *Store) MigrateResolvedIndex(ctx context.Context) (int, error) {
	marker := s.k.migrated("resolved-index")
	if n, err := s.rdb.Exists(ctx, marker).Result(); err != nil {
		return 0, fmt.Errorf("migrate resolved index: %w", err)
	} else if n == 1 {
		return 0, nil
	}
	prefix := s.k.request(0)
	prefix = prefix[:len(prefix)-1] // "<p>req:"
	var ids []int64
	err := s.scanKeys(ctx, globEscape(prefix)+"*", func(k string) {
		if id, err := strconv.ParseInt(strings.TrimPrefix(k, prefix), 10, 64); err == nil {
			ids = append(ids, id) // "req:seq" and "req:<id>:tl" are not ids
		}
	})
	if err != nil {
		return 0, fmt.Errorf("migrate resolved index: %w", err)
	}
	done := 0
	for lo := 0; lo < len(ids); lo += 500 {
		reqs, err := s.Requests(ctx, ids[lo:min(lo+500, len(ids))])
		if err != nil {
			return done, fmt.Errorf("migrate resolved index: %w", err)
		}
		p := s.rdb.Pipeline()
		for _, r := range reqs {
			if r.State == flows.StateResolved {
				member := strconv.FormatInt(r.ID, 10)
				p.ZAdd(ctx, s.k.open("resolved:unit", r.Unit), redis.Z{Score: float64(r.CreatedAt.UnixMilli()), Member: member})
				p.ZAdd(ctx, s.k.open("resolved:all", ""), redis.Z{Score: float64(r.CreatedAt.UnixMilli()), Member: member})
				done++
			}
		}
		if _, err := p.Exec(ctx); err != nil {
			return done, fmt.Errorf("migrate resolved index: %w", err)
		}
	}
	if err := s.rdb.Set(ctx, marker, "1", 0).Err(); err != nil {
		return done, fmt.Errorf("migrate resolved index: %w", err)
	}
	return done, nil
}
