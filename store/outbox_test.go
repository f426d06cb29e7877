package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

const (
	short = 20 * time.Millisecond // block for "nothing new" reads
	never = time.Hour             // a stale age that no test reaches
)

func queuedIDs(qs []flows.Queued) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.ID)
	}
	return out
}

func queuedNotices(qs []flows.Queued) []flows.Notice {
	var out []flows.Notice
	for _, q := range qs {
		out = append(out, q.Notice)
	}
	return out
}

func TestEnqueue(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	a := []flows.Notice{notice(1, flows.NoticeHelp, 0), notice(2, flows.NoticeHelp, 0)}
	b := []flows.Notice{{ChatID: 3, Lang: "ug", Kind: flows.NoticeOpenRequests, Silent: true,
		List:    []flows.ListItem{{RequestID: 4, State: flows.StatePromised, Summary: "路灯", Deadline: "3月5日", Late: true, Who: "张三", Village: "东村"}},
		Buttons: [][]flows.Button{{{Action: flows.ActTimeline, RequestID: 4}}}, Args: map[string]string{"k": "v"},
		Copy: &flows.CopyRef{FromChatID: 3, MessageID: 9}}}

	steps := []struct {
		name    string
		guard   string
		notices []flows.Notice
		wantErr string
		total   int64 // outbox length afterwards
	}{
		{"unguarded", "", a, "", 2},
		{"unguarded again queues again", "", a, "", 4},
		{"guarded", "cmd:1", b, "", 5},
		{"same guard", "cmd:1", a, flows.EDUPLICATE, 5},
		{"another guard", "cmd:2", a[:1], "", 6},
		{"guard without notices", "cmd:3", nil, "", 6},
		{"its guard is used", "cmd:3", a, flows.EDUPLICATE, 6},
		{"nothing unguarded", "", nil, "", 6},
	}
	var want []flows.Notice
	for _, st := range steps {
		err := s.Enqueue(ctx, st.guard, st.notices)
		wantCode(t, st.name, err, st.wantErr)
		if err == nil {
			want = append(want, st.notices...)
		}
		if n := xlen(t, s, s.k.outboxLane(flows.LaneInteractive)); n != st.total {
			t.Errorf("%s: outbox has %d entries, want %d", st.name, n, st.total)
		}
	}

	got, err := s.Next(ctx, "w1", flows.LaneInteractive, 100, short, never)
	must(t, "next", err)
	if !reflect.DeepEqual(queuedNotices(got), want) {
		t.Errorf("Next =\n%+v\nwant, in order,\n%+v", queuedNotices(got), want)
	}
}

func TestNextAndDone(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)

	// Nothing queued: Next waits about block and returns nothing.
	start := time.Now()
	got, err := s.Next(ctx, "w1", flows.LaneInteractive, 10, 50*time.Millisecond, never)
	must(t, "next on empty", err)
	if len(got) != 0 {
		t.Fatalf("Next on empty outbox = %+v", got)
	}
	if took := time.Since(start); took < 40*time.Millisecond || took > 5*time.Second {
		t.Errorf("Next with block 50ms took %v", took)
	}

	ns := []flows.Notice{notice(42, flows.NoticeNewRequest, 7), notice(42, flows.NoticeFollowup, 7), notice(43, flows.NoticeHelp, 0)}
	must(t, "enqueue", s.Enqueue(ctx, "", ns))

	first, err := s.Next(ctx, "w1", flows.LaneInteractive, 2, short, never)
	must(t, "next", err)
	if !reflect.DeepEqual(queuedNotices(first), ns[:2]) {
		t.Fatalf("Next(n=2) = %+v", first)
	}
	rest, err := s.Next(ctx, "w1", flows.LaneInteractive, 10, short, never)
	must(t, "next", err)
	if !reflect.DeepEqual(queuedNotices(rest), ns[2:]) {
		t.Fatalf("second Next = %+v, want only the third notice (no redelivery)", rest)
	}
	if again, _ := s.Next(ctx, "w1", flows.LaneInteractive, 10, short, never); len(again) != 0 {
		t.Fatalf("third Next redelivered %v", queuedIDs(again))
	}

	for _, q := range append(first, rest...) {
		if sent, err := s.Sent(ctx, q.ID); err != nil || sent {
			t.Fatalf("Sent(%s) before Done = %v, %v", q.ID, sent, err)
		}
	}

	must(t, "done", s.Done(ctx, first[0], []int{501, 502}))
	// Two entries in one write, one of them without a request.
	must(t, "done all", s.DoneAll(ctx, []flows.Delivered{{Queued: first[1], MessageIDs: []int{503}}, {Queued: rest[0], MessageIDs: []int{601}}}))
	must(t, "done all of nothing", s.DoneAll(ctx, nil))

	links := []struct {
		chat    int64
		msg     int
		want    int64
		wantErr string
	}{
		{42, 501, 7, ""},
		{42, 502, 7, ""},
		{42, 503, 7, ""},
		{42, 504, 0, flows.ENOTFOUND},
		{43, 501, 0, flows.ENOTFOUND}, // message ids are per chat
		{43, 601, 0, flows.ENOTFOUND}, // a notice without a request links nothing
	}
	for _, l := range links {
		got, err := s.Linked(ctx, l.chat, l.msg)
		wantCode(t, "linked", err, l.wantErr)
		if got.RequestID != l.want {
			t.Errorf("Linked(%d, %d) = %d, want %d", l.chat, l.msg, got.RequestID, l.want)
		}
	}
	for _, q := range append(first, rest...) {
		if sent, err := s.Sent(ctx, q.ID); err != nil || !sent {
			t.Errorf("Sent(%s) after Done = %v, %v", q.ID, sent, err)
		}
	}
	if sent, _ := s.Sent(ctx, "0-1"); sent {
		t.Error("Sent of an unknown id is true")
	}
	if n := xlen(t, s, s.k.outboxLane(flows.LaneInteractive)); n != 0 {
		t.Errorf("outbox keeps %d entries after Done", n)
	}
	if p := pendingOf(t, s, s.k.outboxLane(flows.LaneInteractive), groupSend); len(p) != 0 {
		t.Errorf("pending after Done: %v", p)
	}
	ttl, _ := s.rdb.TTL(ctx, s.k.sent(first[0].ID)).Result()
	if ttl <= 0 || ttl > s.SeenTTL {
		t.Errorf("sent marker TTL %v", ttl)
	}
	// Done twice (a retry) is harmless.
	must(t, "done again", s.Done(ctx, first[0], []int{501}))
}

// A blocked Next wakes up for a notice queued meanwhile.
func TestNextWakesUp(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	type result struct {
		qs  []flows.Queued
		err error
	}
	ch := make(chan result, 1)
	go func() {
		qs, err := s.Next(ctx, "w1", flows.LaneInteractive, 10, 10*time.Second, never)
		ch <- result{qs, err}
	}()
	must(t, "enqueue", s.Enqueue(ctx, "", []flows.Notice{notice(1, flows.NoticeHelp, 0)}))
	select {
	case r := <-ch:
		must(t, "next", r.err)
		if len(r.qs) != 1 || r.qs[0].Notice.ChatID != 1 {
			t.Errorf("Next = %+v", r.qs)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("Next did not wake up for a new notice")
	}
}

// An entry that cannot be decoded is dropped instead of blocking the queue;
// a good entry of the old single stream (before lanes) is read, in its lane.
func TestNextDropsUndecodable(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	good, _ := json.Marshal(notice(1, flows.NoticeReminder, 7))
	must(t, "xadd", s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.k.outbox(), Values: []any{"n", "not json"}}).Err())
	must(t, "xadd", s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.k.outbox(), Values: []any{"other", "field"}}).Err())
	must(t, "xadd", s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.k.outbox(), Values: []any{"n", string(good)}}).Err())
	got, err := s.Next(ctx, "w1", flows.LaneLegacy, 10, short, never)
	must(t, "next", err)
	if len(got) != 1 || got[0].Notice.ChatID != 1 || got[0].Lane != flows.LaneBulk || strings.Contains(got[0].ID, "/") {
		t.Fatalf("Next = %+v, want only the good notice, in the bulk lane, with a bare id", got)
	}
	if n := xlen(t, s, s.k.outbox()); n != 1 {
		t.Errorf("outbox has %d entries, want the bad ones removed", n)
	}
	must(t, "done", s.Done(ctx, got[0], []int{5}))
	if sent, _ := s.Sent(ctx, got[0].ID); !sent {
		t.Error("old entry not marked sent under its old name")
	}
	if n := xlen(t, s, s.k.outbox()); n != 0 {
		t.Errorf("old outbox has %d entries after done", n)
	}
}

// A sender that died leaves entries pending; another sender (a new Store,
// another consumer name) takes them over once they are stale.
func TestNextTakeover(t *testing.T) {
	srv := newServer(t)
	ctx := testCtx(t)
	s1 := newStore(t, srv)
	must(t, "enqueue", s1.Enqueue(ctx, "", []flows.Notice{notice(1, flows.NoticeHelp, 1), notice(2, flows.NoticeHelp, 2), notice(3, flows.NoticeHelp, 3)}))
	got1, err := s1.Next(ctx, "dead", flows.LaneInteractive, 2, short, never)
	must(t, "next", err)
	if len(got1) != 2 {
		t.Fatalf("first sender got %d", len(got1))
	}
	must(t, "done", s1.Done(ctx, got1[0], []int{10})) // one sent before dying

	s2 := newStore(t, srv)
	// Not stale for an hour: only the never-read third entry is given.
	got2, err := s2.Next(ctx, "alive", flows.LaneInteractive, 10, short, never)
	must(t, "next", err)
	if len(got2) != 1 || got2[0].Notice.ChatID != 3 {
		t.Fatalf("live sender got %+v, want only the unread entry", got2)
	}
	must(t, "done", s2.Done(ctx, got2[0], nil))

	// With stale = 50ms the dead sender's entry comes over once idle.
	var taken []flows.Queued
	waitFor(t, 5*time.Second, "takeover", func() bool {
		qs, err := s2.Next(ctx, "alive", flows.LaneInteractive, 10, short, 50*time.Millisecond)
		must(t, "next", err)
		taken = append(taken, qs...)
		return len(taken) > 0
	})
	if !reflect.DeepEqual(queuedIDs(taken), []string{got1[1].ID}) || taken[0].Notice.ChatID != 2 {
		t.Fatalf("taken over %+v, want %s", taken, got1[1].ID)
	}
	if p := pendingOf(t, s2, s2.k.outboxLane(flows.LaneInteractive), groupSend); !reflect.DeepEqual(p, map[string][]string{"alive": {strings.TrimPrefix(got1[1].ID, "i/")}}) {
		t.Errorf("pending %v", p)
	}
	if sent, _ := s2.Sent(ctx, got1[0].ID); !sent {
		t.Error("the entry the dead sender finished is not marked sent")
	}
	must(t, "done", s2.Done(ctx, taken[0], []int{11}))
	if r, err := s2.Linked(ctx, 2, 11); err != nil || r.RequestID != 2 {
		t.Errorf("Linked after takeover = %d, %v", r.RequestID, err)
	}
	if n := xlen(t, s2, s2.k.outboxLane(flows.LaneInteractive)); n != 0 {
		t.Errorf("outbox has %d entries left", n)
	}
}

// A restarted sender (new Store, same consumer name) first gets back the
// entries it had read but not finished, without waiting for them to go stale.
func TestNextRestartSameConsumer(t *testing.T) {
	srv := newServer(t)
	ctx := testCtx(t)
	s1 := newStore(t, srv)
	must(t, "enqueue", s1.Enqueue(ctx, "", []flows.Notice{notice(1, flows.NoticeHelp, 0), notice(2, flows.NoticeHelp, 0)}))
	got1, err := s1.Next(ctx, "sender", flows.LaneInteractive, 10, short, never)
	must(t, "next", err)
	must(t, "enqueue", s1.Enqueue(ctx, "", []flows.Notice{notice(3, flows.NoticeHelp, 0)}))

	s2 := newStore(t, srv)
	back, err := s2.Next(ctx, "sender", flows.LaneInteractive, 10, short, never)
	must(t, "next after restart", err)
	if !reflect.DeepEqual(queuedIDs(back), queuedIDs(got1)) {
		t.Fatalf("restart got %v, want its pending %v", queuedIDs(back), queuedIDs(got1))
	}
	if !reflect.DeepEqual(queuedNotices(back), queuedNotices(got1)) {
		t.Errorf("pending notices changed: %+v", back)
	}
	// Then new entries, without repeating the pending ones.
	next, err := s2.Next(ctx, "sender", flows.LaneInteractive, 10, short, never)
	must(t, "next", err)
	if len(next) != 1 || next[0].Notice.ChatID != 3 {
		t.Fatalf("then got %+v, want only the new entry", next)
	}
	if again, _ := s2.Next(ctx, "sender", flows.LaneInteractive, 10, short, never); len(again) != 0 {
		t.Errorf("pending entries delivered twice: %v", queuedIDs(again))
	}
}

// Next with block 0 must not hang ("waiting up to block"); go-redis sends
// BLOCK 0, which Redis reads as "wait forever".
func TestNextBlockZero(t *testing.T) {
	s, _ := setup(t)
	done := make(chan error, 1)
	go func() {
		_, err := s.Next(t.Context(), "w1", flows.LaneInteractive, 10, 0, never)
		done <- err
	}()
	select {
	case err := <-done:
		must(t, "next", err)
	case <-time.After(3 * time.Second):
		t.Fatal("Next with block 0 on an empty outbox did not return")
	}
}
