package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// putScript stores an update once per update id.
// KEYS: 1 seen marker, 2 inbox. ARGV: 1 TTL, 2 update id, 3 chat id, 4 raw.
var putScript = redis.NewScript(`
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('XADD', KEYS[2], '*', 'u', ARGV[2], 'c', ARGV[3], 'r', ARGV[4])
return 1
`)

// stream reads a consumer group: first, once per consumer, the entries it
// left pending (after a restart); then entries idle longer than stale that
// any consumer left behind; then new entries, waiting up to block.
//
// again reports whether the entries were handed out before (taken back or
// taken over), so they may have been handled already.
func (s *Store) stream(ctx context.Context, key, group, consumer string, n int, block, stale time.Duration) (msgs []redis.XMessage, again bool, err error) {
	if _, ok := s.groups.Load(key + "|" + group); !ok {
		err := s.rdb.XGroupCreateMkStream(ctx, key, group, "0").Err()
		if err != nil && !strings.Contains(err.Error(), "BUSYGROUP") {
			return nil, false, fmt.Errorf("create group %s: %w", group, err)
		}
		s.groups.Store(key+"|"+group, true)
	}
	// After a restart, take back what this consumer left pending, page by
	// page from a cursor (so nothing in hand is handed out twice); new
	// entries come after, in order.
	mine := key + "|" + group + "|" + consumer
	cursor, _ := s.groups.LoadOrStore(mine, "0")
	if c := cursor.(string); c != "" {
		msgs, err := s.read(ctx, key, group, consumer, c, n, -1)
		if err != nil {
			return nil, false, err
		}
		if len(msgs) > 0 {
			s.groups.Store(mine, msgs[len(msgs)-1].ID)
			return msgs, true, nil
		}
		s.groups.Store(mine, "")
	}
	if msgs, err = s.claimStale(ctx, key, group, consumer, n, stale); err != nil || len(msgs) > 0 {
		return msgs, true, err
	}
	if block < time.Millisecond {
		block = -1 // BLOCK 0 would wait forever
	}
	msgs, err = s.read(ctx, key, group, consumer, ">", n, block)
	return msgs, false, err
}

// claimStale takes over entries other consumers left idle longer than
// stale. An entry becomes stale only stale after it was last touched, so
// after a search that found none the next one waits a quarter of stale
// (instead of running before every read): a busy queue reads once per
// batch, not twice.
func (s *Store) claimStale(ctx context.Context, key, group, consumer string, n int, stale time.Duration) ([]redis.XMessage, error) {
	last := key + "|" + group + "|" + consumer + "|claimed"
	if at, ok := s.groups.Load(last); ok && time.Since(at.(time.Time)) < stale/4 {
		return nil, nil
	}
	msgs, _, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: key, Group: group, Consumer: consumer, MinIdle: stale, Start: "0-0", Count: int64(n)}).Result()
	if err != nil {
		if strings.Contains(err.Error(), "NOGROUP") {
			s.groups.Delete(key + "|" + group) // Redis lost its data: create it again
		}
		return nil, fmt.Errorf("claim %s: %w", key, err)
	}
	if len(msgs) == 0 {
		s.groups.Store(last, time.Now()) // the time of the last search that found none
	}
	return msgs, nil
}

func (s *Store) read(ctx context.Context, key, group, consumer, id string, n int, block time.Duration) ([]redis.XMessage, error) {
	res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: consumer, Streams: []string{key, id}, Count: int64(n), Block: block}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		if strings.Contains(err.Error(), "NOGROUP") {
			s.groups.Delete(key + "|" + group) // Redis lost its data: create it again
		}
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	if len(res) == 0 {
		return nil, nil
	}
	return res[0].Messages, nil
}

func (s *Store) ack(ctx context.Context, key, group, id string) {
	s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.XAck(ctx, key, group, id)
		p.XDel(ctx, key, id)
		return nil
	})
}

// Put implements flows.Inbox.
func (s *Store) Put(ctx context.Context, in flows.Inbound) (bool, error) {
	res, err := putScript.Run(ctx, s.rdb, []string{s.k.seen(in.UpdateID), s.k.inbox()},
		int64(s.SeenTTL.Seconds()), in.UpdateID, in.ChatID, in.Raw).Int()
	if err != nil {
		return false, fmt.Errorf("inbox put: %w", err)
	}
	return res == 1, nil
}

// PutAll implements flows.Inbox: a poll's updates in one round trip, in order.
func (s *Store) PutAll(ctx context.Context, ins []flows.Inbound) error {
	if len(ins) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, in := range ins {
			putScript.Eval(ctx, p, []string{s.k.seen(in.UpdateID), s.k.inbox()},
				int64(s.SeenTTL.Seconds()), in.UpdateID, in.ChatID, in.Raw)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("inbox put: %w", err)
	}
	return nil
}

// Take implements flows.Inbox.
func (s *Store) Take(ctx context.Context, consumer string, n int, block, stale time.Duration) ([]flows.Inbound, error) {
	msgs, _, err := s.stream(ctx, s.k.inbox(), groupWork, consumer, n, block, stale)
	if err != nil {
		return nil, err
	}
	out := make([]flows.Inbound, 0, len(msgs))
	for _, m := range msgs {
		u, _ := m.Values["u"].(string)
		c, _ := m.Values["c"].(string)
		r, _ := m.Values["r"].(string)
		uid, _ := strconv.ParseInt(u, 10, 64)
		cid, _ := strconv.ParseInt(c, 10, 64)
		out = append(out, flows.Inbound{ID: m.ID, UpdateID: uid, ChatID: cid, Raw: []byte(r)})
	}
	return out, nil
}

// Finish removes one processed update (see FinishAll).
func (s *Store) Finish(ctx context.Context, id string) error {
	return s.FinishAll(ctx, []string{id})
}

// FinishAll implements flows.Inbox.
func (s *Store) FinishAll(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.XAck(ctx, s.k.inbox(), groupWork, ids...)
		p.XDel(ctx, s.k.inbox(), ids...)
		return nil
	})
	if err != nil {
		return fmt.Errorf("inbox finish: %w", err)
	}
	return nil
}

// TouchInbox implements flows.Inbox.
func (s *Store) TouchInbox(ctx context.Context, consumer string, ids []string) error {
	return s.touch(ctx, s.k.inbox(), groupWork, consumer, ids)
}

// touch resets the idle time of entries a consumer holds (XCLAIM to itself).
func (s *Store) touch(ctx context.Context, key, group, consumer string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.rdb.XClaimJustID(ctx, &redis.XClaimArgs{Stream: key, Group: group, Consumer: consumer, Messages: ids}).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("touch %s: %w", key, err)
	}
	return nil
}
