package telegramtest

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

type failRule struct {
	chatID     int64
	method     string
	left       int
	code       int
	retryAfter int
	desc       string
}

// isSendingMethod reports whether a method delivers or changes a message in a
// chat: send* (except sendChatAction), copy*, forward* and edit*. These are
// the methods FailNext("") and EnforceLimits apply to.
func isSendingMethod(method string) bool {
	m := strings.ToLower(method)
	if m == "sendchataction" {
		return false
	}
	for _, p := range []string{"send", "copymessage", "forwardmessage", "editmessage"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// FailNext makes the next `times` matching calls fail with error_code `code`
// (429, 403, 500, ...) instead of running. method "" matches any sending
// method (send* except sendChatAction, copyMessage, forwardMessage,
// editMessage*); otherwise it names one method, case-insensitively, e.g.
// "getUpdates". chatID 0 matches any chat. retryAfter sets
// parameters.retry_after (the library's TooManyRequestsError.RetryAfter).
// Rules are consulted in the order they were added.
func (s *Server) FailNext(chatID int64, method string, times, code, retryAfter int) {
	s.FailNextWith(chatID, method, times, code, retryAfter, "")
}

// FailNextWith is [Server.FailNext] with a custom description ("" picks the
// usual Telegram wording for the code).
func (s *Server) FailNextWith(chatID int64, method string, times, code, retryAfter int, description string) {
	if times <= 0 {
		return
	}
	if description == "" {
		description = defaultDescription(code, retryAfter)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &failRule{chatID: chatID, method: method, left: times, code: code, retryAfter: retryAfter, desc: description})
}

// SetOffline makes the server unreachable (true) or reachable again
// (false): while it is offline every request's connection is closed without
// an answer and nothing is logged, as when a network or proxy cuts the way
// to Telegram. The bot's HTTP client sees a transport error, not an API
// error.
func (s *Server) SetOffline(offline bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offline = offline
	s.notifyLocked()
}

func (s *Server) isOffline() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offline
}

// dropConnection closes the connection of w without writing a response.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server closes the connection unanswered
	}
	_ = conn.Close()
}

// ClearFailures drops every pending FailNext rule.
func (s *Server) ClearFailures() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = nil
}

func defaultDescription(code, retryAfter int) string {
	switch code {
	case 400:
		return "Bad Request: injected failure"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden: bot was blocked by the user"
	case 404:
		return "Not Found"
	case 409:
		return "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	case 429:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	}
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "Injected failure"
}

// injected returns the error a FailNext rule or the rate limiter imposes on this call, if any.
func (s *Server) injected(method string, chatID int64) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.failures {
		if r.chatID != 0 && r.chatID != chatID {
			continue
		}
		if r.method == "" && !isSendingMethod(method) || r.method != "" && !strings.EqualFold(r.method, method) {
			continue
		}
		r.left--
		if r.left == 0 {
			s.failures = append(s.failures[:i:i], s.failures[i+1:]...)
		}
		return &apiError{code: r.code, desc: r.desc, retryAfter: r.retryAfter}
	}
	if isSendingMethod(method) && !strings.HasPrefix(strings.ToLower(method), "edit") {
		if wait, ok := s.limits.take(chatID, time.Now()); !ok {
			secs := max(1, int(math.Ceil(wait.Seconds())))
			return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), retryAfter: secs}
		}
	}
	return nil
}

// EnforceLimits turns on Telegram-like flood control for message-creating
// methods (send*, copyMessage, forwardMessage; not edits or chat actions):
// each chat may send perChatPerSec messages per second with a burst of 3, the
// whole bot globalPerSec with a burst of one second's worth. Excess calls get
// 429 with retry_after. Zero disables a limit; EnforceLimits(0, 0) turns flood
// control off (the default).
func (s *Server) EnforceLimits(perChatPerSec, globalPerSec float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = limiter{perChat: perChatPerSec, global: globalPerSec, chats: map[int64]*bucket{}}
}

type bucket struct {
	tokens float64
	last   time.Time
}

// refill tops the bucket up for the time elapsed since its last use.
func (b *bucket) refill(rate, burst float64, now time.Time) {
	if b.last.IsZero() {
		b.tokens = burst
	} else {
		b.tokens = math.Min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	}
	b.last = now
}

// wait is how long until the bucket holds one token.
func (b *bucket) wait(rate float64) time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / rate * float64(time.Second))
}

type limiter struct {
	perChat, global float64
	globalBucket    bucket
	chats           map[int64]*bucket
}

const perChatBurst = 3

// take consumes one token from the chat's and the global bucket, or reports
// how long to wait when either is empty.
func (l *limiter) take(chatID int64, now time.Time) (time.Duration, bool) {
	var wait time.Duration
	var cb *bucket
	if l.perChat > 0 {
		cb = l.chats[chatID]
		if cb == nil {
			cb = &bucket{}
			l.chats[chatID] = cb
		}
		cb.refill(l.perChat, perChatBurst, now)
		wait = cb.wait(l.perChat)
	}
	if l.global > 0 {
		l.globalBucket.refill(l.global, math.Max(1, l.global), now)
		wait = max(wait, l.globalBucket.wait(l.global))
	}
	if wait > 0 {
		return wait, false
	}
	if cb != nil {
		cb.tokens--
	}
	if l.global > 0 {
		l.globalBucket.tokens--
	}
	return 0, true
}
