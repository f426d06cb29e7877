package bot

import (
	"context"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/minqing/minqing/flows"
)

// Unreachable is told when Telegram refuses to deliver to a chat (403: the
// person blocked the bot or never started it).
type Unreachable func(ctx context.Context, chatID int64, n flows.Notice)

// sendTimeout bounds one call to Telegram.
const sendTimeout = 30 * time.Second

// sender drains the outbox: it reads every lane's queue, and sends what
// lanes picks (see lanes.go) as fast as the limiter allows: it renders each
// notice (or batch), sends it within Telegram's limits, and records the sent
// message ids (which links them to their request for reply routing) before
// removing the entries.
type sender struct {
	b       *Bot
	limit   *limiter
	stale   time.Duration
	onBlock Unreachable
	window  time.Duration // batch window (0: no merging)

	sent  *batcher[flows.Delivered]
	mu    sync.Mutex
	lanes *lanes
	owner map[string]*heldEntries // the held set each entry is in
	wake  chan struct{}
	wg    sync.WaitGroup
}

// maxHeld bounds the outbox entries a sender holds in memory, per queue.
const maxHeld = 1000

// maxBatch bounds the entries merged into one message.
const maxBatch = 40

// sources are the queues the sender reads: every lane, and the single
// queue of the versions before lanes.
var sources = []flows.Lane{flows.LaneInteractive, flows.LaneLifecycle, flows.LaneBulk, flows.LaneLegacy}

// run sends until ctx ends; entries held when it ends stay queued.
func (s *sender) run(ctx context.Context) {
	s.lanes = newLanes(s.window, maxBatch)
	s.owner = map[string]*heldEntries{}
	s.wake = make(chan struct{}, 1)
	s.sent = newBatcher(s.b.outbox.DoneAll)
	var readers sync.WaitGroup
	for _, src := range sources {
		h := newHeldEntries(s.stale/3, func(ctx context.Context, ids []string) error {
			return s.b.outbox.TouchOutbox(ctx, s.b.consumer, ids)
		}, s.b.log)
		go h.heartbeat(ctx)
		readers.Add(1)
		go func() { defer readers.Done(); s.read(ctx, src, h) }()
	}
	s.dispatch(ctx)
	readers.Wait()
	s.wg.Wait()
}

// read takes entries of one queue into the lanes until ctx ends.
func (s *sender) read(ctx context.Context, src flows.Lane, h *heldEntries) {
	backoff := newBackoff(100*time.Millisecond, 5*time.Second)
	for ctx.Err() == nil && h.waitBelow(ctx, maxHeld) {
		qs, err := s.b.outbox.Next(ctx, s.b.consumer, src, 64, s.b.opts.IdleRead, s.stale)
		if err != nil {
			if ctx.Err() == nil {
				s.b.log.Warn("outbox read failed", "err", err)
				backoff.wait(ctx)
			}
			continue
		}
		backoff.reset()
		s.mu.Lock()
		for _, q := range qs {
			if h.take(q.ID) {
				s.owner[q.ID] = h
				s.lanes.add(q)
			}
		}
		s.mu.Unlock()
		if len(qs) > 0 {
			s.poke()
		}
	}
}

// poke wakes the dispatcher.
func (s *sender) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// dispatch starts each send when the limiter allows one, picking it from
// the lanes, until ctx ends.
func (s *sender) dispatch(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for ctx.Err() == nil {
		u, wait := s.pick()
		if u != nil {
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.deliver(ctx, u) }()
			continue
		}
		if wait <= 0 {
			wait = time.Hour // nothing queued: until poked
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-t.C:
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
	}
}

// pick takes the unit to send now and books its send with the limiter, or
// says how long to wait.
func (s *sender) pick() (*unit, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.limit.clock()
	if w := s.limit.globalWait(now); w > 0 {
		return nil, w
	}
	u, wait := s.lanes.next(now, func(chat int64) time.Duration { return s.limit.chatWait(chat, now) })
	if u != nil {
		s.limit.book(u.chat, now)
	}
	return u, wait
}

// finish ends a unit's send: its entries are done, or (retry) it goes back
// to the head of its chat's queue not before at.
func (s *sender) finish(u *unit, retry bool, at time.Time) {
	s.mu.Lock()
	if retry {
		s.lanes.again(u, at)
	} else {
		s.lanes.done(u)
		for _, q := range u.qs {
			s.release(q.ID)
		}
	}
	s.mu.Unlock()
	s.poke()
}

// release forgets a finished entry (s.mu held).
func (s *sender) release(id string) {
	if h := s.owner[id]; h != nil {
		delete(s.owner, id)
		h.drop(id)
	}
}

// deliver makes one attempt at sending a unit; on a 429 or a transient
// failure the unit goes back to wait its turn (and the limiter's pause or
// a backoff).
func (s *sender) deliver(ctx context.Context, u *unit) {
	if u.qs = s.unsent(ctx, u.qs); len(u.qs) == 0 {
		s.finish(u, false, time.Time{})
		return
	}
	// A send once started is finished even when ctx ends (shutdown), so
	// that a message Telegram accepted is recorded and not sent again.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	var ids []int
	var err error
	if u.merged() {
		err = s.sendBatch(sctx, u.qs)
	} else {
		ids, err = s.send(sctx, u.qs[0].Notice)
	}
	cancel()
	n := u.qs[0].Notice
	if err == nil {
		for _, q := range u.qs {
			s.b.opts.Metrics.out("sent")
			if u.merged() {
				s.done(ctx, q, nil)
			} else {
				s.done(ctx, q, ids)
			}
		}
		s.finish(u, false, time.Time{})
		return
	}
	kind, after := classify(err)
	switch kind {
	case sendWait:
		s.b.opts.Metrics.limited()
		s.b.log.Warn("telegram rate limit", "retry_after", after)
		s.limit.pause(u.chat, time.Duration(after)*time.Second)
		s.finish(u, true, time.Time{})
		return
	case sendForbidden:
		s.b.log.Info("chat unreachable", "kind", n.Kind, "request", n.RequestID)
		for _, q := range u.qs {
			s.b.opts.Metrics.out("blocked")
			if s.onBlock != nil {
				s.onBlock(ctx, q.Notice.ChatID, q.Notice)
			}
			s.done(ctx, q, nil)
		}
	case sendRejected:
		s.b.log.Error("telegram refused a message", "kind", n.Kind, "request", n.RequestID, "err", err)
		for _, q := range u.qs {
			s.b.opts.Metrics.out("rejected")
			s.done(ctx, q, nil)
		}
	default:
		s.b.log.Warn("send failed, retrying", "kind", n.Kind, "err", err)
		u.fails++
		s.finish(u, true, s.limit.clock().Add(retryDelay(u.fails)))
		return
	}
	s.finish(u, false, time.Time{})
}

// retryDelay is the wait before the attempt after the n-th failure: from
// 200ms, doubling, up to 30s.
func retryDelay(n int) time.Duration {
	d := 200 * time.Millisecond
	for i := 1; i < n && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, 30*time.Second)
}

// unsent drops (as done) the entries handed out before that a sender
// already sent just before a crash.
func (s *sender) unsent(ctx context.Context, qs []flows.Queued) []flows.Queued {
	out := qs[:0:0]
	for _, q := range qs {
		if q.Again {
			if sent, err := s.b.outbox.Sent(ctx, q.ID); err == nil && sent {
				s.done(ctx, q, nil)
				s.mu.Lock()
				s.release(q.ID)
				s.mu.Unlock()
				continue
			}
		}
		out = append(out, q)
	}
	return out
}

// done records a sent (or abandoned) entry, retrying while Redis is away.
// Entries of other chats done at the same time go in the same write.
func (s *sender) done(ctx context.Context, q flows.Queued, ids []int) {
	backoff := newBackoff(100*time.Millisecond, 5*time.Second)
	for {
		err := s.sent.do(context.WithoutCancel(ctx), flows.Delivered{Queued: q, MessageIDs: ids})
		if err == nil {
			return
		}
		s.b.log.Warn("outbox done failed", "err", err)
		if !backoff.wait(ctx) {
			return
		}
	}
}

// send renders and sends one notice; a split text sends several messages
// (if a later part fails, a retry sends the earlier parts again).
func (s *sender) send(ctx context.Context, n flows.Notice) ([]int, error) {
	r := s.b.render.Render(n)
	kb := s.b.keyboard(n.Lang, r.Buttons)
	var markup models.ReplyMarkup
	if kb != nil {
		markup = kb
	}
	if r.Copy != nil {
		id, err := s.b.tg.copy(ctx, n.ChatID, r.Copy.FromChatID, r.Copy.MessageID, markup, n.Silent)
		return []int{id}, err
	}
	if n.Kind == flows.NoticeDigestChart || n.Kind == flows.NoticeDigestSheet {
		return s.sendFile(ctx, n, r)
	}
	var ids []int
	for i, text := range r.Texts {
		var m models.ReplyMarkup
		if i == len(r.Texts)-1 {
			m = markup
		}
		id, err := s.b.tg.sendText(ctx, n.ChatID, text, m, n.Silent)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// sendFile makes a digest's chart or spreadsheet and sends it.
func (s *sender) sendFile(ctx context.Context, n flows.Notice, r Rendered) ([]int, error) {
	if s.b.opts.Files == nil {
		return nil, nil // nothing makes files here: skip them
	}
	name, data, err := s.b.opts.Files(ctx, n)
	if err != nil {
		s.b.log.Error("digest file not made", "kind", n.Kind, "err", err)
		return nil, nil // a missing file must not block the chat's queue
	}
	caption := ""
	if len(r.Texts) > 0 {
		caption = r.Texts[0]
	}
	id, err := s.b.tg.sendFile(ctx, n.ChatID, n.Kind == flows.NoticeDigestChart, name, data, caption)
	return []int{id}, err
}

// limiter keeps sends within a global rate and about one per second per
// chat (with a small burst), and honours Telegram's retry_after. The sender
// asks it how long to wait (globalWait, chatWait) and books each send.
type limiter struct {
	mu      sync.Mutex
	every   time.Duration // between any two sends
	perChat time.Duration // between two sends to one chat, after the burst
	burst   int
	next    time.Time
	chats   map[int64]*chatWindow
	clock   func() time.Time
}

type chatWindow struct {
	next   time.Time // earliest next send
	tokens float64
	last   time.Time
}

// chatMargin stretches the per-chat interval a little: a send reaches
// Telegram some milliseconds after it is booked, and two sends to a chat
// booked exactly one interval apart may arrive closer than that.
const chatMargin = 1.05

func newLimiter(global, perChat float64, burst int) *limiter {
	return &limiter{
		every: time.Duration(float64(time.Second) / global), perChat: time.Duration(float64(time.Second) / perChat * chatMargin),
		burst: burst, chats: map[int64]*chatWindow{}, clock: time.Now,
	}
}

// globalWait says how long until the global rate allows a send.
func (l *limiter) globalWait(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next.Sub(now)
}

// chatWait says how long until chat may be sent to.
func (l *limiter) chatWait(chat int64, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.window(chat, now)
	wait := w.next.Sub(now)
	if w.tokens < 1 {
		wait = maxDur(wait, time.Duration((1-w.tokens)*float64(l.perChat)))
	}
	return wait
}

// book records a send to chat at now (after the waits said it may go).
func (l *limiter) book(chat int64, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.window(chat, now)
	w.tokens--
	// Paced from the slot, not from now: a send that starts a little late
	// (the dispatcher woke late) does not push every later one back, so a
	// busy bot keeps the whole rate; after an idle spell it starts afresh.
	if now.Sub(l.next) < l.every {
		l.next = l.next.Add(l.every)
	} else {
		l.next = now.Add(l.every)
	}
	if len(l.chats) > 10000 {
		l.chats = map[int64]*chatWindow{} // forget idle chats now and then
	}
}

// window returns chat's window with its tokens refilled to now.
func (l *limiter) window(chat int64, now time.Time) *chatWindow {
	w := l.chats[chat]
	if w == nil {
		w = &chatWindow{tokens: float64(l.burst), last: now}
		l.chats[chat] = w
	}
	if now.After(w.last) {
		w.tokens = min(float64(l.burst), w.tokens+now.Sub(w.last).Seconds()*float64(time.Second)/float64(l.perChat))
		w.last = now
	}
	return w
}

// pause holds a chat (and, for safety, the whole bot) for d.
func (l *limiter) pause(chat int64, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	until := l.clock().Add(d)
	if w := l.chats[chat]; w != nil {
		w.next = until
	}
	if until.After(l.next) {
		l.next = until
	}
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
