package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
)

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the minqing module")
	}
	return filepath.Dir(mod), nil
}

// startup builds the real binary and times `minqing run` from process start
// to its first getUpdates, with a county's roster (all bound) in Redis. The
// first start also sends the digest of the last occurrence (claimed once per
// occurrence, so later starts skip it).
func (e *env) startup(ctx context.Context) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "minqing-bench-start-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "minqing")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir, build.Stderr = root, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	m, err := program(ctx, benchConfig(e.redis.url(), "startup"), nil)
	if err != nil {
		return err
	}
	c := makeCounty(e.sz.Households, e.sz.Cadres)
	err = populate(ctx, m.Service, m.Store, c, true)
	m.Close()
	if err != nil {
		return err
	}
	tg := telegramtest.New(telegramtest.WithBotUsername("bench_bot")) // as in the config: a start checks it
	defer tg.Close()
	for _, cd := range c.roster.Cadres {
		tg.AddUser(telegramtest.User{ID: accountOf(cd.ID), FirstName: cd.Name, LanguageCode: "zh-hans"})
	}
	rec := newRecorder(tg) // notes each getUpdates as it arrives (the emulator logs a long poll when it ends)
	defer rec.close()
	cfg := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf(`telegram:
  api_url: %q
  username: "bench_bot"
redis:
  url: %q
  namespace: "startup"
quiet_hours: ""
http:
  listen: ""
log:
  level: "error"
`, rec.url(), e.redis.url())
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		return err
	}
	var times []float64
	var stops []string
	for i := 0; i < e.sz.Starts; i++ {
		polls := rec.polls.Load()
		cmd := exec.CommandContext(ctx, bin, "run", "-config", cfg)
		cmd.Env = append(os.Environ(), "TELEGRAM_BOT_TOKEN="+tg.Token())
		var logs bytes.Buffer // shown only if the start fails
		cmd.Stderr = &logs
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		ok := rec.waitPoll(polls, 60*time.Second)
		var first time.Time
		if ok {
			first = rec.pollTime(polls)
		}
		stopped := stop(cmd, 30*time.Second)
		stops = append(stops, stopped)
		if !ok {
			return fmt.Errorf("start %d: no getUpdates within 60 s:\n%s", i+1, logs.String())
		}
		times = append(times, float64(first.Sub(start))/float64(time.Millisecond))
	}
	e.add("startup_first_ms", fmt.Sprintf("%.0f (%d households, %d cadres bound; this start also owes last week's digest to %d leaders)",
		times[0], len(c.roster.Households), len(c.roster.Cadres), len(c.leaders)))
	if len(times) > 1 {
		e.add("startup_restart_ms", fmt.Sprintf("%.0f (median of %d restarts: %s)", median(times[1:]), len(times)-1, floats(times[1:])))
	}
	e.add("shutdown_after_start", strings.Join(stops, "; ")+" (SIGTERM right after the first getUpdates)")
	return nil
}

// stop sends SIGTERM and waits up to grace before killing the process; it
// says how long the graceful stop took.
func stop(cmd *exec.Cmd, grace time.Duration) string {
	t := time.Now()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
		return fmt.Sprintf("%.0f ms", float64(time.Since(t))/float64(time.Millisecond))
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-done
		return fmt.Sprintf("did not stop within %s (killed)", grace)
	}
}
