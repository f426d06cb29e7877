package demo

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// browser starts a headless Chromium for the test, or skips the test when
// there is none (fails in CI, where it must be installed).
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found: CI must `apt-get install -y chromium` for the browser test", chromiumPath)
		}
		t.Skipf("%s not found: `apt-get install -y chromium` to run the browser test", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium's process singleton puts a socket directory in TMPDIR and
		// leaves it behind: keep it inside the test's temp dir.
		chromedp.Env("TMPDIR=" + t.TempDir()),
		chromedp.WindowSize(1280, 960),
	}
	// One deadline for the whole browser session: a stuck step fails the test.
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 90*time.Second)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})
	return bctx
}

// TestBrowser plays the demo as a person would: the household writes, the
// bot's echo appears with a button, pressing it shows the toast; a photo
// reaches the cadre, who answers it in reply mode.
func TestBrowser(t *testing.T) {
	e := newEnv(t)
	ctx := browser(t)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL),
		chromedp.WaitVisible(css("body.ready")),
		chromedp.WaitVisible(css("#phone-1 .bind")), // the cadre has no messages yet
		// The household writes; the echo comes back with an inline button.
		chromedp.SendKeys(css("#phone-0 .input"), "村里的路灯坏了，晚上看不见路"),
		chromedp.Click(css("#phone-0 .send")),
		chromedp.WaitVisible(css("#phone-0 .msg.user")),
		chromedp.WaitVisible(css("#phone-0 .msg.bot .text b")),
		chromedp.WaitNotVisible(css("#phone-0 .bind")),
	)
	if err != nil {
		t.Fatalf("household writes: %v", err)
	}
	echo, err := chromedp.Run(ctx, chromedp.Text(css("#phone-0 .msg.bot .text")))
	if err != nil || !strings.Contains(echo, "echo: 村里的路灯坏了") {
		t.Fatalf("echo bubble = %q, %v", echo, err)
	}

	// A photo goes to the cadre's phone as a copy; the cadre replies to it.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css("#phone-0 .input"), "房子墙裂了"),
		chromedp.Click(css("#phone-0 .photo")),
		chromedp.WaitVisible(css("#phone-1 .msg.bot img.photo-img")),
		chromedp.Click(css("#phone-1 .msg.bot")),
		chromedp.WaitVisible(css("#phone-1 .reply-bar")),
		chromedp.SendKeys(css("#phone-1 .input"), "收到，明天上午去看"),
		chromedp.Click(css("#phone-1 .send")),
		chromedp.WaitVisible(css("#phone-1 .msg.user .quote")),
		chromedp.WaitNotVisible(css("#phone-1 .reply-bar")),
		chromedp.WaitVisible(css("#phone-1 .row.in + .row.out + .row.in .msg.bot")), // the echo of the reply
	)
	if err != nil {
		t.Fatalf("cadre replies: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`[...document.querySelectorAll("img.photo-img")].every(i => i.complete && i.naturalWidth > 0)`)); err != nil {
		t.Fatalf("photo does not load: %v", err)
	}

	// Pressing the echo's button shows the bot's answer as a toast.
	err = chromedp.Do(ctx,
		chromedp.Click(css("#phone-0 .kb button")),
		chromedp.WaitVisible(css("#toast.show")),
	)
	if err == nil { // let its pop-in animation finish, for the screenshot
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("toast").getAnimations().length === 0`))
	}
	if err != nil {
		t.Fatalf("press: %v", err)
	}
	toast, err := chromedp.Run(ctx, chromedp.Text(css("#toast")))
	if err != nil || toast != "你按了 ack" {
		t.Fatalf("toast = %q, %v", toast, err)
	}

	if os.Getenv("UPDATE_GOLDEN") == "1" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/screenshot.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
