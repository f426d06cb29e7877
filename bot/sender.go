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

// sender drains the outbox: it renders each notice, sends it within
// Telegram's limits, and records the sent message ids (which links them to
// their request for reply routing) before removing the entry. Each chat has
// its own queue, in order, so a chat waiting for its rate limit does not
// hold up the others.
type sender struct {
	b       *Bot
	limit   *limiter
	stale   time.Duration
	onBlock Unreachable

	held  *heldEntries
	sent  *batcher[flows.Delivered]
	mu    sync.Mutex
	chats map[int64][]flows.Queued // waiting per chat; a chat with a key has a goroutine
	wg    sync.WaitGroup
}

// maxHeld bounds the outbox entries a sender holds in memory.
const maxHeld = 1000

// run sends until ctx ends; entries held when it ends stay queued.
func (s *sender) run(ctx context.Context) {
	s.chats = map[int64][]flows.Queued{}
	s.held = newHeldEntries(s.stale/3, func(ctx context.Context, ids []string) error {
		return s.b.outbox.TouchOutbox(ctx, s.b.consumer, ids)
	}, s.b.log)
	go s.held.heartbeat(ctx)
	s.sent = newBatcher(s.b.outbox.DoneAll)
	backoff := newBackoff(100*time.Millisecond, 5*time.Second)
	for ctx.Err() == nil && s.held.waitBelow(ctx, maxHeld) {
		qs, err := s.b.outbox.Next(ctx, s.b.consumer, 64, s.b.opts.IdleRead, s.stale)
		if err != nil {
			if ctx.Err() == nil {
				s.b.log.Warn("outbox read failed", "err", err)
				backoff.wait(ctx)
			}
			continue
		}
		backoff.reset()
		for _, q := range qs {
			if s.held.take(q.ID) {
				s.dispatch(ctx, q)
			}
		}
	}
	s.wg.Wait()
}

// dispatch queues q behind its chat's earlier entries.
func (s *sender) dispatch(ctx context.Context, q flows.Queued) {
	s.mu.Lock()
	defer s.mu.Unlock()
	chat := q.Notice.ChatID
	_, busy := s.chats[chat]
	s.chats[chat] = append(s.chats[chat], q)
	if !busy {
		s.wg.Add(1)
		go s.drainChat(ctx, chat)
	}
}

// drainChat sends a chat's entries in order, and ends when none is left.
func (s *sender) drainChat(ctx context.Context, chat int64) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		queue := s.chats[chat]
		if len(queue) == 0 || ctx.Err() != nil {
			delete(s.chats, chat)
			s.mu.Unlock()
			return
		}
		q := queue[0]
		s.chats[chat] = queue[1:]
		s.mu.Unlock()
		s.deliver(ctx, q)
		s.held.drop(q.ID)
	}
}

// deliver sends one entry, retrying until it is sent, refused for good, or
// ctx ends.
func (s *sender) deliver(ctx context.Context, q flows.Queued) {
	if q.Again { // handed out before: it may have been sent just before a crash
		if sent, err := s.b.outbox.Sent(ctx, q.ID); err == nil && sent {
			s.done(ctx, q, nil)
			return
		}
	}
	backoff := newBackoff(200*time.Millisecond, 30*time.Second)
	for ctx.Err() == nil {
		if !s.limit.wait(ctx, q.Notice.ChatID) {
			return
		}
		// A send once started is finished even when ctx ends (shutdown), so
		// that a message Telegram accepted is recorded and not sent again.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
		ids, err := s.send(sctx, q.Notice)
		cancel()
		if err == nil {
			s.b.opts.Metrics.out("sent")
			s.done(ctx, q, ids)
			return
		}
		kind, after := classify(err)
		switch kind {
		case sendWait:
			s.b.opts.Metrics.limited()
			s.b.log.Warn("telegram rate limit", "retry_after", after)
			s.limit.pause(q.Notice.ChatID, time.Duration(after)*time.Second)
		case sendForbidden:
			s.b.log.Info("chat unreachable", "kind", q.Notice.Kind, "request", q.Notice.RequestID)
			s.b.opts.Metrics.out("blocked")
			if s.onBlock != nil {
				s.onBlock(ctx, q.Notice.ChatID, q.Notice)
			}
			s.done(ctx, q, nil)
			return
		case sendRejected:
			s.b.opts.Metrics.out("rejected")
			s.b.log.Error("telegram refused a message", "kind", q.Notice.Kind, "request", q.Notice.RequestID, "err", err)
			s.done(ctx, q, nil)
			return
		default:
			s.b.log.Warn("send failed, retrying", "kind", q.Notice.Kind, "err", err)
			backoff.wait(ctx)
		}
	}
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
// chat (with a small burst), and honours Telegram's retry_after.
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

func newLimiter(global, perChat float64, burst int) *limiter {
	return &limiter{
		every: time.Duration(float64(time.Second) / global), perChat: time.Duration(float64(time.Second) / perChat),
		burst: burst, chats: map[int64]*chatWindow{}, clock: time.Now,
	}
}

// wait blocks until a send to chat is allowed, then books it; false if
// ctx ended first.
func (l *limiter) wait(ctx context.Context, chat int64) bool {
	for {
		d := l.reserve(chat)
		if d <= 0 {
			return true
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

// reserve books a send now, or says how long to wait.
func (l *limiter) reserve(chat int64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	w := l.chats[chat]
	if w == nil {
		w = &chatWindow{tokens: float64(l.burst), last: now}
		l.chats[chat] = w
	}
	w.tokens += now.Sub(w.last).Seconds() * float64(time.Second) / float64(l.perChat)
	if w.tokens > float64(l.burst) {
		w.tokens = float64(l.burst)
	}
	w.last = now
	wait := maxDur(l.next.Sub(now), w.next.Sub(now))
	if w.tokens < 1 {
		wait = maxDur(wait, time.Duration((1-w.tokens)*float64(l.perChat)))
	}
	if wait > 0 {
		return wait
	}
	w.tokens--
	l.next = now.Add(l.every)
	if len(l.chats) > 10000 {
		l.chats = map[int64]*chatWindow{} // forget idle chats now and then
	}
	return 0
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
