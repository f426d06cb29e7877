package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// migratePlainScript removes a holder's plain-text code, keeping its check
// as the holder's legacy check when its card key still binds to the holder.
// KEYS: 1 holder hash, 2 card key of the code. ARGV: 1 code, 2 check, 3
// "kind:id".
var migratePlainScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'code') ~= ARGV[1] then return 0 end
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('HSET', KEYS[1], 'legacy', ARGV[2]) end
redis.call('HDEL', KEYS[1], 'code')
return 1
`)

// MigratePlainCodes upgrades a store written before codes were derived,
// where every household's and cadre's hash held its working code in plain
// text (field "code"): it removes each plain code and keeps its check as
// the holder's legacy check, so that the printed card binds as before (until
// a rotation) and nothing in Redis is a working code. It reads every holder
// hash, on every master, once: a marker key records that it ran. It
// returns how many codes it removed; running it again changes nothing.
func (s *Store) MigratePlainCodes(ctx context.Context) (int, error) {
	marker := s.k.migrated("plain-codes")
	if n, err := s.rdb.Exists(ctx, marker).Result(); err != nil {
		return 0, fmt.Errorf("migrate plain codes: %w", err)
	} else if n == 1 {
		return 0, nil
	}
	done := 0
	for _, kind := range []flows.AccountKind{flows.AccountHousehold, flows.AccountCadre} {
		prefix, _ := s.holderKey(kind, "")
		var keys []string
		if err := s.scanKeys(ctx, globEscape(prefix)+"*", func(k string) { keys = append(keys, k) }); err != nil {
			return done, fmt.Errorf("migrate plain codes: %w", err)
		}
		n, err := s.migratePlain(ctx, kind, prefix, keys)
		done += n
		if err != nil {
			return done, fmt.Errorf("migrate plain codes: %w", err)
		}
	}
	if err := s.rdb.Set(ctx, marker, "1", 0).Err(); err != nil {
		return done, fmt.Errorf("migrate plain codes: %w", err)
	}
	return done, nil
}

// migratePlain migrates the holder hashes among keys (the others, such as
// a household's account set, answer HGET with an error and are skipped).
func (s *Store) migratePlain(ctx context.Context, kind flows.AccountKind, prefix string, keys []string) (int, error) {
	done := 0
	for len(keys) > 0 {
		page := keys[:min(len(keys), scanPage)]
		keys = keys[len(page):]
		cmds := make([]*redis.StringCmd, len(page))
		_, _ = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { // errors are read per command
			for i, k := range page {
				cmds[i] = p.HGet(ctx, k, "code")
			}
			return nil
		})
		for i, c := range cmds {
			code, err := c.Result()
			if errors.Is(err, redis.Nil) || err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE") {
				continue
			}
			if err != nil {
				return done, err
			}
			check := flows.CodeCheck(code)
			ref := string(kind) + ":" + strings.TrimPrefix(page[i], prefix)
			if err := migratePlainScript.Run(ctx, s.rdb, []string{page[i], s.k.card(check)}, code, check, ref).Err(); err != nil {
				return done, err
			}
			done++
		}
	}
	return done, nil
}
