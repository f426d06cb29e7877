package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
)

// Service runs Minqing's rules over a Store. The transport calls it with
// domain values; it answers by queuing Notices in the store's outbox.
type Service struct {
	Store    Store
	Clock    Clock
	Settings Settings
	// Codes derives the codes of cards and invites; nil in a process that
	// only checks codes (the running bot), which cannot make or print them.
	Codes *CardCodes
	// Log, if set, records binding attempts (their outcome, never the code
	// or who tried).
	Log *slog.Logger
}

// maxAttempts bounds retries of a change that lost an optimistic race.
const maxAttempts = 5

// lang picks the catalog language for a client's language code.
func (s *Service) lang(client string) string {
	return Lang(client, s.Settings.DefaultLang)
}

// guard returns the idempotency key of an update's effects; part tells apart
// several effects of one update.
func guard(updateID int64, part string) string {
	if updateID == 0 {
		return ""
	}
	return strconv.FormatInt(updateID, 10) + ":" + part
}

// enqueue queues notices, ignoring a duplicate guard (an update seen again).
func (s *Service) enqueue(ctx context.Context, g string, notices ...Notice) error {
	if len(notices) == 0 {
		return nil
	}
	err := s.Store.Enqueue(ctx, g, notices)
	if ErrorCode(err) == EDUPLICATE {
		return nil
	}
	return err
}

// reply queues one notice to the chat a message came from.
func (s *Service) reply(ctx context.Context, m Message, lang string, kind NoticeKind, args map[string]string) error {
	return s.enqueue(ctx, guard(m.UpdateID, "reply"), Notice{ChatID: m.ChatID, Lang: lang, Kind: kind, Args: args})
}

// account returns the sender's account, or ok=false for a stranger. An
// account that was unreachable is reachable again: its person just wrote.
func (s *Service) account(ctx context.Context, id int64) (Account, bool, error) {
	a, err := s.Store.Account(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return Account{}, false, nil
	}
	if err != nil {
		return Account{}, false, fmt.Errorf("load account: %w", err)
	}
	if a.Unreachable {
		if err := s.Store.SetUnreachable(ctx, a.ID, false); err != nil {
			return a, false, fmt.Errorf("account reachable again: %w", err)
		}
		a.Unreachable = false
	}
	return a, true, nil
}

// langOf returns the language to answer an account in.
func (s *Service) langOf(a Account, client string) string {
	if a.Lang != "" {
		return a.Lang
	}
	return s.lang(client)
}

// apply stores a change, treating a duplicate guard as done.
func (s *Service) apply(ctx context.Context, c Change) error {
	if err := s.tellContact(ctx, &c); err != nil {
		return err
	}
	err := s.Store.Apply(ctx, c)
	if ErrorCode(err) == EDUPLICATE {
		return nil
	}
	return err
}

// retry runs fn until it does not fail with ECONFLICT.
func retry(fn func() error) error {
	var err error
	for i := 0; i < maxAttempts; i++ {
		if err = fn(); ErrorCode(err) != ECONFLICT {
			return err
		}
	}
	return err
}

// isNotFound reports whether err is a domain ENOTFOUND.
func isNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == ENOTFOUND
}
