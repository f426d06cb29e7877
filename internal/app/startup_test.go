package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/cli"
	"github.com/minqing/minqing/internal/redistest"
)

// TestStartRefusesWrongToken: `minqing run` with a token Telegram rejects,
// or with a telegram.username that is not the token's bot, stops at once
// with exit code 1 and an error that says which, naming where the token
// came from and never its value; it never says it is running.
func TestStartRefusesWrongToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	rs := redistest.Start(t)
	bin := buildBinary(t)
	const wrong = "987654321:AAE-a-token-telegram-rejects"
	for _, tc := range []struct {
		name, config, token, want string
	}{
		{"rejected token from the environment", "", wrong,
			"minqing run: telegram.token (from $TELEGRAM_BOT_TOKEN) was rejected by Telegram: 401 Unauthorized"},
		{"rejected token from the file", "  token: \"" + wrong + "\"\n", "",
			"config.yaml:3) was rejected by Telegram: 401 Unauthorized"},
		{"a token that is not a token", "", "not-a-token",
			"minqing run: telegram.token (from $TELEGRAM_BOT_TOKEN) was rejected by Telegram: 404 Not Found"},
		{"another bot's username", "  username: other_bot\n", tg.Token(),
			`minqing run: telegram.username is "other_bot", but telegram.token (from $TELEGRAM_BOT_TOKEN) belongs to the bot @test_bot`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(tg.CallsTo("getUpdates"))
			cfg := filepath.Join(t.TempDir(), "config.yaml")
			body := fmt.Sprintf("telegram:\n  api_url: %q\n%sredis:\n  url: %q\nhttp:\n  listen: \"\"\n", tg.URL(), tc.config, rs.URL())
			if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "run", "-config", cfg)
			cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+tc.token)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit: %v, want code 1\n%s", err, stderr.String())
			}
			out := stderr.String()
			contains(t, "stderr", out, tc.want)
			for _, never := range []string{"minqing running", wrong, "AAE-a-token", "not-a-token", tg.Token()} {
				if strings.Contains(out, never) {
					t.Errorf("stderr holds %q:\n%s", never, out)
				}
			}
			if n := len(tg.CallsTo("getUpdates")); n != before {
				t.Errorf("the bot polled (%d getUpdates) after a failed start", n-before)
			}
		})
	}
}

// TestStartWaitsForTelegram: when Telegram cannot be reached at start, the
// bot retries, logs why, and /healthz answers 503 with the reason; once
// Telegram answers, it runs.
func TestStartWaitsForTelegram(t *testing.T) {
	h := start(t)
	h.stop()
	running := strings.Count(h.logs.String(), "minqing running") // the first boot's, if it got that far
	h.tg.SetOffline(true)
	ops := make(chan string, 1)
	h.bootWith(func(m *app.Main) {
		m.Listening = func(name string, a net.Addr) {
			if name == "ops" {
				ops <- a.String()
			}
		}
	})
	health := "http://" + <-ops + "/healthz"
	var body string
	if !waitUntil(waitFor, func() bool {
		var code int
		code, body = get(t, health)
		return code == 503 && strings.Contains(body, "telegram unreachable since")
	}) {
		t.Fatalf("healthz while Telegram is unreachable: %s", body)
	}
	if !waitUntil(waitFor, func() bool { return strings.Contains(h.logs.String(), "telegram unreachable at start; retrying") }) {
		t.Fatalf("no log line says Telegram is unreachable:\n%s", h.logs.String())
	}
	if n := strings.Count(h.logs.String(), "minqing running"); n != running {
		t.Fatalf("%d running lines while Telegram is unreachable", n-running)
	}
	h.tg.SetOffline(false)
	if !waitUntil(2*waitFor, func() bool { code, _ := get(t, health); return code == 200 }) {
		_, body = get(t, health)
		t.Fatalf("healthz after Telegram returned: %s", body)
	}
	contains(t, "cadre welcome", h.bind(cadreLiu, "C001").Text, "刘建国")
	if n := strings.Count(h.logs.String(), "minqing running"); n != running+1 {
		t.Errorf("%d running lines once Telegram answered, want 1", n-running)
	}
}

// TestCardsNeedUsername: without telegram.username, `cards` and `invites`
// ask Telegram; when they cannot (no token, or Telegram unreachable), they
// say in one sentence to set telegram.username.
func TestCardsNeedUsername(t *testing.T) {
	h := start(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	base := "redis:\n  url: \"" + h.redis.URL() + "\"\ncards:\n  secret: \"" + testSecret.Reveal() + "\"\n"
	noUser := write("nouser.yaml", "telegram:\n  api_url: \""+h.tg.URL()+"\"\n"+base)
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := cli.Run(context.Background(), args, &out, &errb)
		return code, out.String(), errb.String()
	}
	const want = "the links need the bot's username: set telegram.username in the config"
	for _, cmd := range []string{"cards", "invites"} {
		code, _, errs := run(cmd, "-config", noUser)
		if code != 1 || !strings.Contains(errs, want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%s without username or token: exit %d, %q", cmd, code, errs)
		}
	}
	// With a token, the username comes from getMe.
	t.Setenv("TELEGRAM_BOT_TOKEN", h.tg.Token())
	if code, out, errs := run("invites", "-config", noUser); code != 0 || !strings.Contains(out, "https://t.me/test_bot?start=") {
		t.Errorf("invites with a token: exit %d %s %s", code, out, errs)
	}
	// With a token but no way to Telegram, the same sentence, and why.
	h.tg.SetOffline(true)
	code, _, errs := run("cards", "-config", noUser)
	h.tg.SetOffline(false)
	if code != 1 || !strings.Contains(errs, want) || !strings.Contains(errs, "asking Telegram with telegram.token (from $TELEGRAM_BOT_TOKEN) failed") ||
		strings.Contains(errs, h.tg.Token()) {
		t.Errorf("cards with Telegram unreachable: exit %d, %q", code, errs)
	}
}
