package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Read-only views of the store for operators and tests: what they show is
// read under the key schema of keys.go, so that no caller spells a key.

// LastRequestID returns the number the last request was given (0 before
// the first).
func (s *Store) LastRequestID(ctx context.Context) (int64, error) {
	v, err := s.rdb.Get(ctx, s.k.reqSeq()).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last request id: %w", err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("last request id %q: %w", v, err)
	}
	return n, nil
}

// AnonCounts returns the anonymous counts kept of the week's erased
// requests (by forget or retention), by field: "requests", "received",
// "closed", "received@<unit>" …
func (s *Store) AnonCounts(ctx context.Context, week string) (map[string]string, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.anon(week)).Result()
	if err != nil {
		return nil, fmt.Errorf("anonymous counts of %s: %w", week, err)
	}
	return m, nil
}
