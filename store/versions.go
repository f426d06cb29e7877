package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Roster records carry versions, so that an import of any size changes the
// roster in one atomic step. An import writes each record under a new roster
// version (field v) and moves the data it replaces to p:<field> (with pv, the
// version of that data); what it writes counts only once the version in
// force (key roster:v) reaches v, which the import's switch sets together
// with the membership sets. A reader therefore sees the old roster or the new
// one, never a mix: a record's own fields when v ≤ the version in force, its
// p: fields otherwise. Fields that are not roster data (code, account) are
// not versioned.

// The roster fields of the two kinds of record, as an import writes them.
var (
	cadreFields     = []string{"name", "unit", "role", "phone"}
	householdFields = []string{"name", "village", "cadre", "phone", "address"}
)

// prevPrefix marks the fields that hold a record's data in force while an
// import that has not switched yet writes over it.
const prevPrefix = "p:"

// pipeChunk bounds the commands of one pipeline: the replies of a pipeline
// must arrive within the client's read timeout (go-redis sets one deadline
// for all of them), so reads and writes of a roster of any size go in
// pipelines of this many commands.
const pipeChunk = 1000

// versionOf parses a stored version (absent or empty: 0, the records
// written before versions).
func versionOf(v string) int64 {
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// inForce returns the data of record h under roster version cur, with its
// unversioned fields. ok is false when the record has no data in force: it
// does not exist, or only an import that has not switched wrote it.
func inForce(h map[string]string, cur int64) (map[string]string, bool) {
	if versionOf(h["v"]) <= cur {
		return h, h["name"] != ""
	}
	if h["pv"] == "" {
		return nil, false
	}
	out := map[string]string{"code": h["code"], "account": h["account"]}
	for k, val := range h {
		if f, ok := strings.CutPrefix(k, prevPrefix); ok {
			out[f] = val
		}
	}
	return out, true
}

// current reads the roster version in force.
func (s *Store) current(ctx context.Context) (int64, error) {
	v, err := s.rdb.Get(ctx, s.k.rosterVersion()).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("roster version: %w", err)
	}
	return versionOf(v), nil
}

// getVersion queues the read of the roster version in force.
func (s *Store) getVersion(ctx context.Context, p redis.Pipeliner) *redis.StringCmd {
	return p.Get(ctx, s.k.rosterVersion())
}

// chunks calls fn with every range [from, to) of n items, pipeChunk at a
// time, each in a pipeline of its own. A command failing with redis.Nil is
// not an error.
func (s *Store) chunks(ctx context.Context, n int, fn func(p redis.Pipeliner, from, to int)) error {
	return s.chunksOf(ctx, n, pipeChunk, fn)
}

// chunksOf is chunks with size items a pipeline.
func (s *Store) chunksOf(ctx context.Context, n, size int, fn func(p redis.Pipeliner, from, to int)) error {
	for from := 0; from < n; from += size {
		to := min(from+size, n)
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			fn(p, from, to)
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

// records loads the records of ids under roster version cur, in pipelines;
// a record without data in force is nil.
func (s *Store) records(ctx context.Context, cur int64, ids []string, key func(string) string) ([]map[string]string, error) {
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	err := s.chunks(ctx, len(ids), func(p redis.Pipeliner, from, to int) {
		for i := from; i < to; i++ {
			cmds[i] = p.HGetAll(ctx, key(ids[i]))
		}
	})
	if err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(ids))
	for i, c := range cmds {
		if h, ok := inForce(c.Val(), cur); ok {
			out[i] = h
		}
	}
	return out, nil
}
