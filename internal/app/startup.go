package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/minqing/minqing/bot"
)

// The pauses between attempts to reach Telegram at start, and the longest
// one attempt may take (a network that drops packets answers nothing).
const (
	reachFirst   = time.Second
	reachMax     = time.Minute
	reachAttempt = 30 * time.Second
)

// identify asks Telegram who the bot is (getMe) before anything else runs.
// A token Telegram rejects, or a telegram.username that is not the token's
// bot, is an error at once: retrying cannot help and running would only
// look like success. While Telegram cannot be reached (network, proxy, a
// Bot API server down) it retries with growing pauses, logs each failure
// and /healthz reports it. It returns nil when ctx ends first.
func (m *Main) identify(ctx context.Context) error {
	pause := reachFirst
	for since := time.Now(); ; {
		actx, cancel := context.WithTimeout(ctx, reachAttempt)
		user, err := m.Bot.Username(actx)
		cancel()
		switch {
		case err == nil:
			m.ops.started()
			return m.checkUsername(user)
		case errors.Is(err, bot.ErrTokenRejected):
			return fmt.Errorf("%s was %w: check the token @BotFather gave for this bot", m.Config.Telegram.TokenName(), err)
		case ctx.Err() != nil:
			return nil
		}
		m.ops.unreachable(fmt.Sprintf("telegram unreachable since %s: %v", since.Format(time.RFC3339), err))
		m.Log.Warn("telegram unreachable at start; retrying", "err", err, "api_url", m.Config.Telegram.APIURL,
			"proxy", m.Config.Telegram.Proxy.String(), "retry_in", pause.String())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, reachMax)
	}
}

// checkUsername compares telegram.username, when set, with the token's bot.
func (m *Main) checkUsername(actual string) error {
	want := m.Config.Telegram.Username
	if want == "" || strings.EqualFold(want, actual) {
		return nil
	}
	return fmt.Errorf("telegram.username is %q, but %s belongs to the bot @%s: set telegram.username to %q, or use the token of @%s",
		want, m.Config.Telegram.TokenName(), actual, actual, want)
}
