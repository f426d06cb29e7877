package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/minqing/minqing/flows"
)

// How an import ends: closed (rolled back when it did not switch), and
// what the next import finds of one that was killed.

// Close implements flows.RosterImport.
func (imp *rosterImport) Close(ctx context.Context) error {
	defer imp.lock.release(context.WithoutCancel(ctx))
	if imp.version == 0 || imp.done {
		return nil
	}
	return imp.s.rollback(context.WithoutCancel(ctx), imp.version)
}

// rollback undoes what import v staged, then drops its keys and journal.
func (s *Store) rollback(ctx context.Context, v int64) error {
	for _, set := range []struct {
		name   string
		fields []string
		rec    func(string) string
	}{{"cadres", cadreFields, s.k.cadre}, {"hhs", householdFields, s.k.household}} {
		args := []any{v, len(set.fields)}
		for _, f := range set.fields {
			args = append(args, f)
		}
		err := s.scanSet(ctx, s.k.staged(v, set.name), func(ids []string) error {
			return rollbackScript.Run(ctx, s.rdb, keysOf(ids, set.rec), args...).Err()
		})
		if err != nil {
			return fmt.Errorf("roll back import %d: %w", v, err)
		}
	}
	if err := s.dropStaged(ctx, v); err != nil {
		return err
	}
	if err := s.rdb.Del(ctx, s.k.journal()).Err(); err != nil {
		return fmt.Errorf("roll back import %d: %w", v, err)
	}
	return nil
}

// scanSet calls fn with every non-empty page of a set's members.
func (s *Store) scanSet(ctx context.Context, key string, fn func(ids []string) error) error {
	for cursor := uint64(0); ; {
		ids, next, err := s.rdb.SScan(ctx, key, cursor, "", pipeChunk).Result()
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			if err := fn(ids); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// dropStaged deletes the staged keys of import v.
func (s *Store) dropStaged(ctx context.Context, v int64) error {
	units, err := s.rdb.SMembers(ctx, s.k.staged(v, "units")).Result()
	if err != nil {
		return fmt.Errorf("drop staged keys: %w", err)
	}
	keys := []string{s.k.staged(v, "cadres"), s.k.staged(v, "hhs"), s.k.staged(v, "units"), s.k.staged(v, "moved"),
		s.k.staged(v, "ended"), s.k.staged(v, "prev:cadre"), s.k.staged(v, "prev:hh"), s.k.staged(v, "leaders:")}
	for _, u := range units {
		keys = append(keys, s.k.staged(v, "leaders:"+u))
	}
	if err := s.rdb.Unlink(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("drop staged keys: %w", err)
	}
	return nil
}

// SaveRoster replaces the roster in one import: staged, switched, finished
// (without the follow-ups that flows.ImportRoster runs: cards for new
// holders, telling moved households, ending removed officials' roles).
// Cards and invites are kept.
func (s *Store) SaveRoster(ctx context.Context, r flows.Roster) (err error) {
	imp, err := s.BeginImport(ctx)
	if err != nil {
		return fmt.Errorf("save roster: %w", err)
	}
	defer func() { err = errors.Join(err, imp.Close(ctx)) }()
	if j := imp.Pending(); j != nil {
		if err := imp.Finish(ctx, *j); err != nil {
			return fmt.Errorf("save roster: %w", err)
		}
	}
	if err := imp.Stage(ctx, r); err != nil {
		return fmt.Errorf("save roster: %w", err)
	}
	j, err := imp.Switch(ctx, nil, nil)
	if err != nil {
		return fmt.Errorf("save roster: %w", err)
	}
	return imp.Finish(ctx, j)
}
