package demo

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/minqing/minqing/internal/config"
)

// TestDemoScript: `minqing demo -script` plays a complete week offline.
func TestDemoScript(t *testing.T) {
	w, err := Start(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
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
		"超期：诉求 #1", "退回", "谢谢您的评价", "周报 2026-W49", "[photo]", "[document]",
		"走访开始", "已记入日记（第 3 条）", "代录诉求 #3", "走访结束", "回访 #3", "回访已记录", "走访代录 1",
		"最近家里都好吗", "知道家里一切都好", "走访覆盖（近30天）覆盖率 50%",
		"响应率 67%",             // #1 and #3 (recorded: contacted) answered in time, #2 not
		"解决率 75%", "满意率 100%") // #2, #3 (by phone) solved; #1 not solved, then solved: 3 of 4 answers
}

// TestDemoInBrowser drives the simulator page, with the real bot behind it,
// in Debian's Chromium: the household writes, the request reaches the
// cadre's phone, the cadre presses a button, the household's chat changes.
func TestDemoInBrowser(t *testing.T) {
	ctx := browser(t)
	s, err := Start(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	srv := serve(t, s.handler())
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

// contains checks that got holds every want.
func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: want %q in:\n%s", what, w, got)
		}
	}
}

// TestDemoSettings: an office's configuration gives the demo its county,
// time zone and SLAs, never its Telegram, Redis or HTTP settings.
func TestDemoSettings(t *testing.T) {
	settings, err := config.Parse("office.yaml", []byte(`telegram:
  token: "1:office-token"
  api_url: "https://bot-api.office.example"
  username: office_bot
  proxy: "socks5://127.0.0.1:1080"
redis:
  url: "redis://127.0.0.1:1/0"
county: 汤旺县
timezone: Asia/Urumqi
sla: {first_response: 2h, escalate_after: 3h}
http: {listen: "127.0.0.1:9999"}
`))
	if err != nil {
		t.Fatal(err)
	}
	w, err := Start(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), settings)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := w.m.Config
	if c.County != "汤旺县" || c.Timezone.String() != "Asia/Urumqi" || c.SLA.FirstResponse != 2*time.Hour || c.SLA.EscalateAfter != 3*time.Hour {
		t.Errorf("the office's settings were not taken: %s %s %v %v", c.County, c.Timezone, c.SLA.FirstResponse, c.SLA.EscalateAfter)
	}
	if c.Telegram.APIURL != w.tg.URL() || c.Telegram.Token.Reveal() != w.tg.Token() || c.Telegram.Proxy != "" ||
		c.Telegram.Username != "minqing_demo_bot" || c.Redis.URL != "redis://"+w.redis.Addr()+"/0" || c.HTTP.Listen != "" {
		t.Errorf("the demo took the office's Telegram, Redis or HTTP settings: %+v %v %q", c.Telegram, c.Redis, c.HTTP.Listen)
	}
	if settings.County != "汤旺县" || settings.Telegram.APIURL != "https://bot-api.office.example" {
		t.Error("Start changed the caller's configuration")
	}
	if p := w.person("L01"); p.Role == "leader" && strings.Contains(p.Label, "全县") && !strings.Contains(p.Label, "汤旺县") {
		t.Errorf("the county leader's label %q", p.Label)
	}
}
