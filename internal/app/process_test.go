package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/redistest"
	"github.com/minqing/minqing/store"
)

// proc runs the minqing binary as a separate process, so that tests can kill
// it the way an operating system does.
type proc struct {
	t    *testing.T
	bin  string
	cfg  string
	env  []string
	cmd  *exec.Cmd
	logs *syncBuffer
	exit chan error
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "minqing")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/minqing/minqing").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// run runs a subcommand to completion and returns its standard output.
func (p *proc) run(args ...string) string {
	p.t.Helper()
	cmd := exec.Command(p.bin, append(args[:1:1], append([]string{"-config", p.cfg}, args[1:]...)...)...)
	cmd.Env = append(p.env[:len(p.env):len(p.env)], config.EnvCardsSecret+"="+testSecret.Reveal()) // `run` goes without it
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		p.t.Fatalf("minqing %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

// start starts `minqing run`.
func (p *proc) start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, "run", "-config", p.cfg)
	p.cmd.Env = p.env
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.exit = make(chan error, 1)
	go func(c *exec.Cmd, ch chan error) { ch <- c.Wait() }(p.cmd, p.exit)
}

// stop sends sig and waits for the process to end.
func (p *proc) stop(sig syscall.Signal) error {
	p.t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case err := <-p.exit:
		return err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		p.t.Fatalf("minqing did not stop on %v", sig)
		return nil
	}
}

// codes reads the card and invite links the binary prints.
func (p *proc) codes() map[string]string {
	out := map[string]string{}
	for _, cmd := range []string{"cards", "invites"} {
		rows, err := csv.NewReader(strings.NewReader(p.run(cmd))).ReadAll()
		if err != nil {
			p.t.Fatal(err)
		}
		for _, r := range rows[1:] {
			_, code, _ := strings.Cut(r[len(r)-1], "?start=")
			out[r[0]] = code
		}
	}
	return out
}

// TestKillAndTerminate: kill -9 in the middle of a burst of 30 households'
// messages, then SIGTERM in the middle of another burst: after restarts
// every message reaches the cadre, and reply routing survives. As the
// README promises: after SIGTERM each reaches the cadre once; after kill -9
// at least once, and only the last message sent to the cadre before the
// kill may arrive twice (Telegram took it, the kill came before its id was
// recorded; a chat's messages go one at a time, each recorded before the
// next, so no other can repeat).
func TestKillAndTerminate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	rs := redistest.Start(t)
	dir := t.TempDir()
	p := &proc{t: t, bin: buildBinary(t), cfg: filepath.Join(dir, "config.yaml"), logs: &syncBuffer{},
		env: append(os.Environ(), "TELEGRAM_BOT_TOKEN="+tg.Token())}
	os.WriteFile(p.cfg, []byte(fmt.Sprintf("telegram:\n  api_url: %q\n  username: test_bot\n  rate:\n    per_chat: 30\nredis:\n  url: %q\nhttp:\n  listen: \"\"\nquiet_hours: \"\"\n", tg.URL(), rs.URL())), 0o644)
	var hh strings.Builder
	hh.WriteString("id,name,village,cadre_id\n")
	users := make([]telegramtest.User, 30)
	for i := range users {
		fmt.Fprintf(&hh, "H%02d,户主%02d,保安村,C001\n", i+1, i+1)
		users[i] = telegramtest.User{ID: int64(5000 + i), FirstName: fmt.Sprintf("户%02d", i+1), LanguageCode: "zh"}
	}
	os.WriteFile(filepath.Join(dir, "c.csv"), []byte("id,name,unit,role\nC001,刘建国,县财政局,cadre\nL001,赵志强,县财政局,leader\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "h.csv"), []byte(hh.String()), 0o644)
	p.run("import", "-cadres", filepath.Join(dir, "c.csv"), "-households", filepath.Join(dir, "h.csv"))
	codes := p.codes()
	p.start()
	defer func() {
		if t.Failed() {
			t.Log(p.logs.String())
		}
	}()

	tg.SendText(cadreLiu, "/start "+codes["C001"])
	for i, u := range users {
		tg.SendText(u, "/start "+codes[fmt.Sprintf("H%02d", i+1)])
	}
	for _, u := range users {
		if _, err := tg.WaitBotMessages(u.ID, 1, waitFor); err != nil {
			t.Fatal(err)
		}
	}
	count := func(text string) int {
		n := 0
		for _, m := range tg.BotMessages(cadreLiu.ID) {
			if strings.Contains(m.Text, text) {
				n++
			}
		}
		return n
	}
	arrived := func(prefix string, n int) int {
		got := 0
		for i := 0; i < n; i++ {
			if count(fmt.Sprintf("%s%02d号", prefix, i)) > 0 {
				got++
			}
		}
		return got
	}

	// A burst, and kill -9 in the middle of it.
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Add(1)
		go func(i int, u telegramtest.User) { defer wg.Done(); tg.SendText(u, fmt.Sprintf("急事%02d号", i)) }(i, u)
	}
	wg.Wait()
	tg.Wait(waitFor, func() bool { return arrived("急事", 30) >= 5 })
	p.stop(syscall.SIGKILL)
	// What the dead process had sent is all in the chat once the emulator
	// has finished the requests it got before the kill.
	if !tg.Wait(waitFor, func() bool { return tg.InFlight() == 0 }) {
		t.Fatalf("%d requests of the killed process still in hand", tg.InFlight())
	}
	before := arrived("急事", 30)
	lastBeforeKill := ""
	if msgs := tg.BotMessages(cadreLiu.ID); len(msgs) > 0 {
		lastBeforeKill = msgs[len(msgs)-1].Text
	}
	p.start()
	if !tg.Wait(2*waitFor, func() bool { return arrived("急事", 30) == 30 }) {
		c := rs.Client()
		ctx := context.Background()
		for _, k := range []string{"mq:{county}:inbox", "mq:{county}:outbox:interactive", "mq:{county}:outbox:lifecycle", "mq:{county}:outbox:bulk", "mq:{county}:outbox"} {
			n, _ := c.XLen(ctx, k).Result()
			group := "send"
			if k == "mq:{county}:inbox" {
				group = "work"
			}
			pend, _ := c.Do(ctx, "XPENDING", k, group).Result()
			t.Logf("%s len %d pending %v", k, n, pend)
		}
		for i := 0; i < 30; i++ {
			if count(fmt.Sprintf("急事%02d号", i)) == 0 {
				t.Logf("missing %02d; household got %d msgs", i, len(tg.BotMessages(users[i].ID)))
			}
		}
		n, _ := store.New(c, "mq", "county").LastRequestID(ctx)
		t.Logf("requests %d", n)
		t.Fatalf("after kill -9: %d of 30 requests reached the cadre (%d before the restart)", arrived("急事", 30), before)
	}
	t.Logf("kill -9 after %d of 30 notifications", before)

	// SIGTERM in the middle of a burst: exit 0, nothing lost.
	for i := 0; i < 10; i++ {
		tg.SendText(users[i], fmt.Sprintf("追加%02d号", i))
	}
	tg.Wait(waitFor, func() bool { return arrived("追加", 10) >= 2 })
	if err := p.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	p.start()
	if !tg.Wait(2*waitFor, func() bool { return arrived("追加", 10) == 10 }) {
		t.Fatalf("after SIGTERM: %d of 10 follow-ups arrived", arrived("追加", 10))
	}

	// Reply routing survives: the cadre answers a notification from before.
	var note telegramtest.Message
	for _, m := range tg.BotMessages(cadreLiu.ID) {
		if strings.Contains(m.Text, "急事07号") {
			note = m
		}
	}
	hn := len(tg.BotMessages(users[7].ID))
	tg.SendReply(cadreLiu, "下午到", note.ID)
	if !tg.Wait(waitFor, func() bool {
		for _, m := range tg.BotMessages(users[7].ID)[hn:] {
			if strings.Contains(m.Text, "下午到") {
				return true
			}
		}
		return false
	}) {
		t.Fatal("the cadre's reply to a notification from before the restarts did not arrive")
	}
	p.stop(syscall.SIGTERM)

	for i := 0; i < 30; i++ {
		text := fmt.Sprintf("急事%02d号", i)
		switch n := count(text); {
		case n == 2 && strings.Contains(lastBeforeKill, text):
			t.Logf("request %02d reached the cadre twice: it was the send in hand at the kill", i)
		case n != 1:
			t.Errorf("request %02d reached the cadre %d times (the last message before the kill: %q)", i, n, lastBeforeKill)
		}
	}
	for i := 0; i < 10; i++ {
		if n := count(fmt.Sprintf("追加%02d号", i)); n != 1 {
			t.Errorf("follow-up %02d reached the cadre %d times", i, n)
		}
	}
}
