package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// The outbox is one stream per lane (flows.Lane): <p>outbox:interactive,
// <p>outbox:lifecycle and <p>outbox:bulk, each read by the consumer group
// "send". Versions before lanes had one stream, <p>outbox; the sender still
// reads it (flows.LaneLegacy), so entries queued before an upgrade are sent.
//
// An entry's id names its stream: "<letter>/<stream id>" (i, l or b) for a
// lane, the bare stream id for the old stream, so the sent markers
// (<p>sent:<entry>) of entries queued before the upgrade keep their names.

// laneLetters are the id prefixes of the lanes' entries.
var laneLetters = [flows.Lanes]string{"i", "l", "b"}

// laneNotice encodes a notice for a script that queues it: the digit of its
// lane, then its JSON. Such a script gets the lane streams as consecutive
// KEYS (see laneKeys) and queues with laneXADD.
func laneNotice(n flows.Notice) (string, error) {
	b, err := json.Marshal(n)
	if err != nil {
		return "", fmt.Errorf("encode notice: %w", err)
	}
	return strconv.Itoa(int(flows.LaneOf(n))) + string(b), nil
}

// laneKeys are the lane streams, in lane order, for a script's KEYS.
func (s *Store) laneKeys() []string {
	out := make([]string, 0, flows.Lanes)
	for l := flows.Lane(0); l < flows.Lanes; l++ {
		out = append(out, s.k.outboxLane(l))
	}
	return out
}

// laneXADD is the Lua that queues one laneNotice v, the lane streams being
// KEYS[base], KEYS[base+1], KEYS[base+2].
func laneXADD(base, v string) string {
	return "redis.call('XADD', KEYS[" + base + " + tonumber(string.sub(" + v + ", 1, 1))], '*', 'n', string.sub(" + v + ", 2))"
}

// enqueueScript queues notices once per guard.
// KEYS: 1 guard, 2..4 the lane streams. ARGV: 1 guard TTL (0 = none), 2..
// laneNotice values.
var enqueueScript = redis.NewScript(`
if ARGV[1] ~= '0' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 2 end
  redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
end
for i = 2, #ARGV do ` + laneXADD("2", "ARGV[i]") + ` end
return 1
`)

// Enqueue implements flows.Store: each notice goes to the stream of its
// lane (flows.LaneOf), all in one atomic step with the guard.
func (s *Store) Enqueue(ctx context.Context, guard string, notices []flows.Notice) error {
	args := []any{s.guardTTL(guard)}
	for _, n := range notices {
		v, err := laneNotice(n)
		if err != nil {
			return fmt.Errorf("enqueue: %w", err)
		}
		args = append(args, v)
	}
	keys := append([]string{s.k.guard(guard)}, s.laneKeys()...)
	res, err := enqueueScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	if res == 2 {
		return flows.Errorf(flows.EDUPLICATE, "notices already queued")
	}
	return nil
}

// outboxKey is the stream of a lane (flows.LaneLegacy: the old stream).
func (s *Store) outboxKey(l flows.Lane) string {
	if l < 0 || l >= flows.Lanes {
		return s.k.outbox()
	}
	return s.k.outboxLane(l)
}

// entryID names an entry of lane l's stream (see above).
func entryID(l flows.Lane, id string) string {
	if l < 0 || l >= flows.Lanes {
		return id
	}
	return laneLetters[l] + "/" + id
}

// splitEntry returns the stream key and stream id of an entry id.
func (s *Store) splitEntry(entry string) (key, id string) {
	if p, id, ok := strings.Cut(entry, "/"); ok {
		for l, letter := range laneLetters {
			if p == letter {
				return s.k.outboxLane(flows.Lane(l)), id
			}
		}
	}
	return s.k.outbox(), entry
}

// byStream groups entry ids by their stream.
func (s *Store) byStream(entries []string) map[string][]string {
	out := map[string][]string{}
	for _, e := range entries {
		key, id := s.splitEntry(e)
		out[key] = append(out[key], id)
	}
	return out
}

// Next implements flows.Outbox: entries of lane l's stream (or of the old
// stream, for flows.LaneLegacy), each with the lane it is sent in and the
// time it was queued. An entry that cannot be decoded is dropped from the
// queue, since no retry could ever send it.
func (s *Store) Next(ctx context.Context, consumer string, l flows.Lane, n int, block, stale time.Duration) ([]flows.Queued, error) {
	key := s.outboxKey(l)
	msgs, again, err := s.stream(ctx, key, groupSend, consumer, n, block, stale)
	if err != nil {
		return nil, err
	}
	out := make([]flows.Queued, 0, len(msgs))
	for _, m := range msgs {
		raw, _ := m.Values["n"].(string)
		var no flows.Notice
		if err := json.Unmarshal([]byte(raw), &no); err != nil {
			s.ack(ctx, key, groupSend, m.ID)
			continue
		}
		out = append(out, flows.Queued{ID: entryID(l, m.ID), Notice: no, Again: again, Lane: flows.LaneOf(no), At: idTime(m.ID)})
	}
	return out, nil
}

// idTime is the time a stream id was made (Redis's clock, in ms).
func idTime(id string) time.Time {
	ms, _, _ := strings.Cut(id, "-")
	v, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// Sent implements flows.Outbox.
func (s *Store) Sent(ctx context.Context, id string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.k.sent(id)).Result()
	if err != nil {
		return false, fmt.Errorf("outbox sent: %w", err)
	}
	return n == 1, nil
}

// Done records one sent entry (see DoneAll).
func (s *Store) Done(ctx context.Context, q flows.Queued, messageIDs []int) error {
	return s.DoneAll(ctx, []flows.Delivered{{Queued: q, MessageIDs: messageIDs}})
}

// DoneAll implements flows.Outbox: links, sent markers and the removal from
// the queues are one transaction for every entry.
func (s *Store) DoneAll(ctx context.Context, ds []flows.Delivered) error {
	if len(ds) == 0 {
		return nil
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		ids := make([]string, len(ds))
		for i, d := range ds {
			n := d.Queued.Notice
			if n.RequestID != 0 {
				for _, id := range d.MessageIDs {
					p.HSet(ctx, s.k.link(n.ChatID), strconv.Itoa(id), linkValue(n))
				}
			}
			p.Set(ctx, s.k.sent(d.Queued.ID), 1, s.SeenTTL)
			ids[i] = d.Queued.ID
		}
		for key, ids := range s.byStream(ids) {
			p.XAck(ctx, key, groupSend, ids...)
			p.XDel(ctx, key, ids...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("outbox done: %w", err)
	}
	return nil
}

// TouchOutbox implements flows.Outbox.
func (s *Store) TouchOutbox(ctx context.Context, consumer string, ids []string) error {
	for key, ids := range s.byStream(ids) {
		if err := s.touch(ctx, key, groupSend, consumer, ids); err != nil {
			return err
		}
	}
	return nil
}

// QueueStats describes a queue: how many entries wait and how old the
// oldest is.
type QueueStats struct {
	Depth  int64
	Oldest time.Duration
}

// Stats returns the state of the inbox and the outbox (all its streams) at
// now.
func (s *Store) Stats(ctx context.Context, now time.Time) (inbox, outbox QueueStats, err error) {
	if inbox, err = s.queueStats(ctx, s.k.inbox(), now); err != nil {
		return
	}
	for l := flows.LaneLegacy; l < flows.Lanes; l++ {
		q, err := s.queueStats(ctx, s.outboxKey(l), now)
		if err != nil {
			return inbox, outbox, err
		}
		outbox.Depth += q.Depth
		outbox.Oldest = max(outbox.Oldest, q.Oldest)
	}
	return inbox, outbox, nil
}

// LaneStats returns the state of each lane's stream at now, by lane name
// (entries of the old stream count in no lane).
func (s *Store) LaneStats(ctx context.Context, now time.Time) (map[string]QueueStats, error) {
	out := map[string]QueueStats{}
	for l := flows.Lane(0); l < flows.Lanes; l++ {
		q, err := s.queueStats(ctx, s.outboxKey(l), now)
		if err != nil {
			return nil, err
		}
		out[l.String()] = q
	}
	return out, nil
}

// LaneDepths returns how many entries wait in each lane's stream and in the
// old stream (index flows.Lanes).
func (s *Store) LaneDepths(ctx context.Context) ([flows.Lanes + 1]int64, error) {
	var out [flows.Lanes + 1]int64
	for l := flows.LaneLegacy; l < flows.Lanes; l++ {
		n, err := s.rdb.XLen(ctx, s.outboxKey(l)).Result()
		if err != nil {
			return out, fmt.Errorf("lane depths: %w", err)
		}
		i := int(l)
		if l == flows.LaneLegacy {
			i = flows.Lanes
		}
		out[i] = n
	}
	return out, nil
}

func (s *Store) queueStats(ctx context.Context, key string, now time.Time) (QueueStats, error) {
	var q QueueStats
	n, err := s.rdb.XLen(ctx, key).Result()
	if err != nil {
		return q, fmt.Errorf("queue stats: %w", err)
	}
	q.Depth = n
	first, err := s.rdb.XRangeN(ctx, key, "-", "+", 1).Result()
	if err != nil {
		return q, fmt.Errorf("queue stats: %w", err)
	}
	if len(first) > 0 {
		if at := idTime(first[0].ID); !at.IsZero() {
			q.Oldest = now.Sub(at)
		}
	}
	return q, nil
}
