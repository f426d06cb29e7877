package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"
)

type queuedUpdate struct {
	id  int64
	raw json.RawMessage
}

// enqueueLocked assigns the next update_id to u, freezes it as JSON and queues it.
func (s *Server) enqueueLocked(u *models.Update) int64 {
	u.ID = s.nextUpd
	s.nextUpd++
	s.queue = append(s.queue, queuedUpdate{id: u.ID, raw: mustJSON(u)})
	s.notifyLocked()
	return u.ID
}

// PostUpdate queues an arbitrary update, e.g. for fuzzing. raw must be a JSON
// object; its update_id is replaced by the next id, which is returned. Nothing
// else is checked or recorded: the bot gets the bytes as they are.
func (s *Server) PostUpdate(raw []byte) (int64, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return 0, fmt.Errorf("telegramtest: update must be a JSON object: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextUpd
	s.nextUpd++
	obj["update_id"] = json.RawMessage(fmt.Sprint(id))
	s.queue = append(s.queue, queuedUpdate{id: id, raw: mustJSON(obj)})
	s.notifyLocked()
	return id, nil
}

// PendingUpdates returns the queued updates not yet confirmed by a getUpdates
// offset (delivered or not), oldest first.
func (s *Server) PendingUpdates() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queuedLocked()
}

// queuedLocked copies the queued updates; s.mu must be held.
func (s *Server) queuedLocked() []json.RawMessage {
	out := make([]json.RawMessage, len(s.queue))
	for i, q := range s.queue {
		out[i] = bytes.Clone(q.raw)
	}
	return out
}

// TakeUpdates returns the queued updates and forgets them, as Telegram does
// once a webhook accepted them; tests then post them to the bot's webhook.
func (s *Server) TakeUpdates() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.queuedLocked()
	s.queue = nil
	s.notifyLocked()
	return out
}

// DeliveryCount reports how many getUpdates answers carried the update.
func (s *Server) DeliveryCount(updateID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered[updateID]
}

// Confirmed reports whether the update was confirmed (a getUpdates offset
// above its id arrived), after which Telegram never delivers it again.
func (s *Server) Confirmed(updateID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if updateID >= s.nextUpd {
		return false
	}
	for _, q := range s.queue {
		if q.id == updateID {
			return false
		}
	}
	return true
}

// Changed returns a channel that is closed at the next state change: a
// message, an update, an edit, a callback answer, an API call...
// Take the channel before checking a condition, then wait on it.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// WaitContext blocks until cond returns true or ctx ends. cond is re-evaluated
// after each state change; it runs without the server's lock held, so it may
// call any Server method.
func (s *Server) WaitContext(ctx context.Context, cond func() bool) error {
	for {
		ch := s.Changed()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closed:
			if cond() {
				return nil
			}
			return errors.New("telegramtest: server closed")
		}
	}
}

// Wait is [Server.WaitContext] with a timeout; it reports whether cond became true.
func (s *Server) Wait(timeout time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.WaitContext(ctx, cond) == nil
}

// WaitBotMessages waits until the chat holds at least n messages from the bot
// and returns them all. On timeout it returns those present and an error.
func (s *Server) WaitBotMessages(chatID int64, n int, timeout time.Duration) ([]Message, error) {
	ok := s.Wait(timeout, func() bool { return s.botMessageCount(chatID) >= n })
	msgs := s.BotMessages(chatID)
	if !ok {
		return msgs, fmt.Errorf("telegramtest: chat %d has %d bot messages after %v, want %d%s",
			chatID, len(msgs), timeout, n, describe(msgs))
	}
	return msgs, nil
}

// WaitCallbackAnswer waits until the callback query was answered and returns the first answer.
func (s *Server) WaitCallbackAnswer(queryID string, timeout time.Duration) (CallbackAnswer, error) {
	var answers []CallbackAnswer
	if !s.Wait(timeout, func() bool {
		answers = s.CallbackAnswers(queryID)
		return len(answers) > 0
	}) {
		return CallbackAnswer{}, fmt.Errorf("telegramtest: callback query %s not answered after %v", queryID, timeout)
	}
	return answers[0], nil
}

func describe(msgs []Message) string {
	var b bytes.Buffer
	for _, m := range msgs {
		fmt.Fprintf(&b, "\n  #%d: %q", m.ID, m.Text+m.Caption)
	}
	return b.String()
}

// confirmLocked forgets updates below offset (a negative offset keeps only
// the last -offset updates), as Telegram does.
func (s *Server) confirmLocked(offset int64) {
	drop := 0
	switch {
	case offset > 0:
		for drop < len(s.queue) && s.queue[drop].id < offset {
			drop++
		}
	case offset < 0 && int64(len(s.queue)) > -offset:
		drop = len(s.queue) - int(-offset)
	}
	if drop > 0 {
		s.queue = append([]queuedUpdate(nil), s.queue[drop:]...)
		s.notifyLocked()
	}
}

// getUpdates implements long polling: it answers at once when updates are
// queued, otherwise it holds the request until one arrives, the timeout
// passes, the client goes away, or a newer getUpdates call terminates it.
func (s *Server) getUpdates(ctx context.Context, p *params) (json.RawMessage, *apiError) {
	offset, e := p.int64("offset")
	if e != nil {
		return nil, e
	}
	limit, e := p.int("limit")
	if e != nil {
		return nil, e
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, e := p.int("timeout")
	if e != nil {
		return nil, e
	}
	deadline := time.Now().Add(time.Duration(max(timeout, 0)) * time.Second)
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()

	s.mu.Lock()
	if s.webhook.url != "" {
		s.mu.Unlock()
		return nil, &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	s.confirmLocked(offset)
	close(s.pollKick) // terminate an older long poll, as Telegram does
	s.pollKick = make(chan struct{})
	kick := s.pollKick
	for {
		if n := min(limit, len(s.queue)); n > 0 || !time.Now().Before(deadline) {
			var b bytes.Buffer
			b.WriteByte('[')
			for i, q := range s.queue[:n] {
				if i > 0 {
					b.WriteByte(',')
				}
				b.Write(q.raw)
				s.delivered[q.id]++
			}
			b.WriteByte(']')
			s.mu.Unlock()
			return b.Bytes(), nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
		case <-kick:
			return nil, &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		case <-ctx.Done():
			return json.RawMessage("[]"), nil
		case <-s.closed:
			return json.RawMessage("[]"), nil
		}
		s.mu.Lock()
	}
}
