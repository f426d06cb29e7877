package demo

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDemoScript: `minqing demo -script` plays a complete week offline.
func TestDemoScript(t *testing.T) {
	w, err := Start(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var out bytes.Buffer
	if err := w.PlayWeek(context.Background(), &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	contains(t, "transcript", out.String(),
		"新诉求 #1", "明天上午我带人过去看看", "将在 2026-12-03 前办结", "提醒：诉求 #2", "督办：诉求 #2",
		"超期：诉求 #1", "退回", "谢谢您的评价", "周报 2026-W49", "响应率 50%", "[photo]", "[document]",
		"解决率 67%", "满意率 100%") // #2 solved; #1 not solved, then solved: 2 of 3 answers
}

// TestDemoInBrowser drives the simulator page, with the real bot behind it,
// in Debian's Chromium: the household writes, the request reaches the
// cadre's phone, the cadre presses a button, the household's chat changes.
func TestDemoInBrowser(t *testing.T) {
	ctx := browserContext(t)
	s, err := Start(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	srv := httptest.NewServer(s.handler())
	t.Cleanup(srv.Close)
	css := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.WaitVisible(chromedp.CSS(sel)) }
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL),
		css("body.ready"),
		click("#phone-1 .bind"), // the cadre opens the invite
		css("#phone-1 .msg.bot"),
		click("#phone-2 .bind"), // the leader too
		css("#phone-2 .msg.bot"),
		click("#phone-0 .bind"), // the household scans its card
		css("#phone-0 .msg.bot"),
		chromedp.SendKeys(chromedp.CSS("#phone-0 .input"), "房顶漏雨了，下雨天屋里都是水"),
		click("#phone-0 .send"),
		css("#phone-1 .kb button"), // the request with its buttons at the cadre
	)
	if err != nil {
		t.Fatalf("household asks: %v", err)
	}
	if cadre, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#phone-1"))); err != nil || !strings.Contains(cadre, "房顶漏雨") {
		t.Fatalf("cadre phone = %q, %v", cadre, err)
	}
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`[...document.querySelectorAll("#phone-1 .kb button")].find(b => b.textContent.includes("限期3天")).click() || true`))
	if err == nil {
		err = chromedp.Do(ctx, css("#toast.show"))
	}
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#phone-0").innerText.includes("2026-12-03 前办结")`))
	}
	if err != nil {
		t.Fatalf("cadre presses: %v", err)
	}
	// Fast-forward a day: the simulated clock moves.
	err = chromedp.Do(ctx, click("#forward-1d"))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#clock").innerText.includes("12月1日")`))
	}
	if err != nil {
		t.Fatalf("fast-forward: %v", err)
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("docs/simulator.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// browserContext starts headless Chromium, or skips (fails in CI) without it.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	const path = "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing: CI must install chromium", path)
		}
		t.Skipf("%s missing: apt-get install -y chromium", path)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancel() })
	return bctx
}

// contains checks that got holds every want.
func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: want %q in:\n%s", what, w, got)
		}
	}
}
