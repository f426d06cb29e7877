package redistest

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Dump returns every key of the client's database with its whole value, one
// key a line, in key order: what a backup of the database would reveal.
// Strings, hashes, sets, sorted sets, lists and streams are written out; a
// test searches the dump for what must not be stored.
func Dump(ctx context.Context, rdb redis.Cmdable) (string, error) {
	var keys []string
	iter := rdb.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return "", fmt.Errorf("scan: %w", err)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		v, err := value(ctx, rdb, k)
		if err != nil {
			return "", fmt.Errorf("dump %s: %w", k, err)
		}
		fmt.Fprintf(&b, "%s = %v\n", k, v)
	}
	return b.String(), nil
}

// value reads a key's whole value, whatever its type.
func value(ctx context.Context, rdb redis.Cmdable, key string) (any, error) {
	typ, err := rdb.Type(ctx, key).Result()
	if err != nil {
		return nil, err
	}
	switch typ {
	case "string":
		return rdb.Get(ctx, key).Result()
	case "hash":
		return rdb.HGetAll(ctx, key).Result()
	case "set":
		return rdb.SMembers(ctx, key).Result()
	case "zset":
		return rdb.ZRangeWithScores(ctx, key, 0, -1).Result()
	case "list":
		return rdb.LRange(ctx, key, 0, -1).Result()
	case "stream":
		return rdb.XRange(ctx, key, "-", "+").Result()
	case "none":
		return "(gone)", nil // deleted between SCAN and TYPE
	}
	return nil, fmt.Errorf("unknown type %q", typ)
}
