package demo

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSendShowsEcho(t *testing.T) {
	e := newEnv(t)
	var sent sentJSON
	if code := e.call(t, "POST", "/api/send", sendReq{User: household.ID, Text: "<script>x</script> 路灯坏了"}, &sent); code != 200 {
		t.Fatalf("send: %d", code)
	}
	e.waitBot(t, household.ID, 1)
	c := e.chat(t, household.ID)
	if len(c.Messages) != 2 || !c.Started {
		t.Fatalf("chat = %+v, want the user's message and the echo", c)
	}
	u, b := c.Messages[0], c.Messages[1]
	if u.Bot || u.ID != sent.ID || u.HTML != "&lt;script&gt;x&lt;/script&gt; 路灯坏了" {
		t.Errorf("user message = %+v", u)
	}
	if !b.Bot || b.HTML != "<b>echo</b>: &lt;script&gt;x&lt;/script&gt; 路灯坏了" {
		t.Errorf("echo html = %q", b.HTML)
	}
	if len(b.Buttons) != 1 || len(b.Buttons[0]) != 1 || b.Buttons[0][0] != (buttonJSON{Text: "👍 收到", Data: "ack"}) {
		t.Errorf("echo buttons = %+v", b.Buttons)
	}
	if b.Time != "09:00" || b.Day != "3月5日 周三" {
		t.Errorf("echo stamped %q %q, want the simulated 09:00 on 3月5日 周三", b.Time, b.Day)
	}

	// A reply quotes the bot's message.
	if code := e.call(t, "POST", "/api/send", sendReq{User: household.ID, Text: "好的", ReplyTo: b.ID}, nil); code != 200 {
		t.Fatalf("reply: %d", code)
	}
	e.waitBot(t, household.ID, 2)
	c = e.chat(t, household.ID)
	r := c.Messages[2]
	if r.ReplyTo != b.ID || r.ReplyName != "民情联系卡" || r.ReplyText != "echo: <script>x</script> 路灯坏了" {
		t.Errorf("reply = %+v", r)
	}
}

func TestPressReturnsToast(t *testing.T) {
	e := newEnv(t)
	e.call(t, "POST", "/api/send", sendReq{User: household.ID, Text: "你好"}, nil)
	msgs := e.waitBot(t, household.ID, 1)
	var p pressJSON
	if code := e.call(t, "POST", "/api/press", pressReq{User: household.ID, MessageID: msgs[0].ID, Data: "ack"}, &p); code != 200 {
		t.Fatalf("press: %d", code)
	}
	if !p.Answered || p.Text != "你按了 ack" {
		t.Errorf("press = %+v, want the bot's answer", p)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	e.call(t, "POST", "/api/send", sendReq{User: household.ID, Text: "hi"}, nil)
	e.waitBot(t, household.ID, 1)
	userMsg := e.tg.Messages(household.ID)[0].ID
	for _, tc := range []struct {
		method, path string
		body         any
		code         int
	}{
		{"POST", "/api/send", "{not json", 400},
		{"POST", "/api/send", `{"user":1001,"text":"a"} {"x":1}`, 400},
		{"POST", "/api/send", `{"user":"1001","text":"a"}`, 400},
		{"POST", "/api/send", sendReq{User: 9999, Text: "a"}, 400},
		{"POST", "/api/send", sendReq{User: household.ID, Text: "  "}, 400},
		{"POST", "/api/send", sendReq{User: household.ID, Text: strings.Repeat("长", 4097)}, 400},
		{"POST", "/api/send", sendReq{User: household.ID, Text: "a", ReplyTo: 999}, 400},
		{"POST", "/api/send", sendReq{User: household.ID, Text: "a", ReplyTo: -1}, 400},
		{"POST", "/api/send", strings.Repeat(" ", maxBody+1), 413},
		{"POST", "/api/media", mediaReq{User: household.ID, Kind: "video"}, 400},
		{"POST", "/api/media", mediaReq{User: household.ID, Kind: "location", Caption: "x"}, 400},
		{"POST", "/api/press", pressReq{User: household.ID, MessageID: userMsg, Data: "ack"}, 400},
		{"POST", "/api/press", pressReq{User: household.ID, MessageID: 999, Data: "ack"}, 400},
		{"POST", "/api/press", pressReq{User: household.ID, MessageID: userMsg + 1, Data: ""}, 400},
		{"POST", "/api/forward", forwardReq{Hours: -1}, 400},
		{"POST", "/api/forward", forwardReq{Hours: 0}, 400},
		{"POST", "/api/forward", forwardReq{Hours: 1e9}, 400},
		{"POST", "/api/forward", `{"hours":"x"}`, 400},
		{"POST", "/api/start", startReq{User: leader.ID}, 409},
		{"POST", "/api/start", `[]`, 400},
		{"GET", "/api/chat?user=abc", nil, 400},
		{"GET", "/api/chat?user=42", nil, 400},
		{"GET", "/api/chat", nil, 400},
		{"GET", "/api/wait?since=abc", nil, 400},
		{"GET", "/api/wait?since=1&timeout=-1", nil, 400},
		{"GET", "/api/file?user=1001&id=x", nil, 400},
		{"GET", "/api/file?user=1001&id=1", nil, 404},
		{"GET", "/api/send", nil, 404},
		{"GET", "/api/nope", nil, 404},
	} {
		var out apiError
		if code := e.call(t, tc.method, tc.path, tc.body, &out); code != tc.code || out.Error == "" {
			t.Errorf("%s %s %v: %d %+v, want %d and an error", tc.method, tc.path, tc.body, code, out, tc.code)
		}
	}
}

func TestWaitReturnsAfterChange(t *testing.T) {
	e := newEnv(t)
	var st stateJSON
	e.call(t, "GET", "/api/state", nil, &st)

	// Nothing changes: the long poll ends at its timeout with the same version.
	var w waitJSON
	e.call(t, "GET", "/api/wait?timeout=0.2&since="+itoa(st.Version), nil, &w)
	if w.Version != st.Version {
		t.Fatalf("idle wait: version %d, want %d", w.Version, st.Version)
	}
	// An old version answers at once.
	e.call(t, "GET", "/api/wait?since=-5", nil, &w)
	if w.Version != st.Version {
		t.Fatalf("stale wait: version %d, want %d", w.Version, st.Version)
	}

	done := make(chan waitJSON, 1)
	go func() {
		var w waitJSON
		if resp, err := http.Get(e.srv.URL + "/api/wait?since=" + itoa(st.Version)); err == nil {
			_ = json.NewDecoder(resp.Body).Decode(&w)
			resp.Body.Close()
		}
		done <- w
	}()
	// Whether the long poll is parked yet or not, it must answer with the new version.
	e.tg.SendText(tgUser(household), "有人吗")
	select {
	case w := <-done:
		if w.Version <= st.Version {
			t.Fatalf("wait: version %d, want above %d", w.Version, st.Version)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("wait did not return after a change")
	}
}

func TestStartBinds(t *testing.T) {
	e := newEnv(t)
	var st stateJSON
	e.call(t, "GET", "/api/state", nil, &st)
	started := map[int64]bool{}
	for _, p := range st.People {
		started[p.ID] = p.Started
	}
	if len(st.People) != 4 || started[newcomer.ID] || st.Defaults != [3]int64{household.ID, cadre.ID, leader.ID} {
		t.Fatalf("state = %+v", st)
	}
	if st.NowText != "2025年3月5日 周三 09:00" || st.Bot != "民情联系卡" {
		t.Errorf("state clock %q, bot %q", st.NowText, st.Bot)
	}
	if code := e.call(t, "POST", "/api/start", startReq{User: newcomer.ID}, nil); code != 200 {
		t.Fatalf("start: %d", code)
	}
	e.waitBot(t, newcomer.ID, 1)
	c := e.chat(t, newcomer.ID)
	if !c.Started || c.Messages[0].HTML != "/start card-赵秀英" {
		t.Errorf("chat after start = %+v", c)
	}
}

func TestMedia(t *testing.T) {
	e := newEnv(t)
	for _, kind := range []string{"photo", "voice", "location"} {
		caption := "墙裂了"
		if kind == "location" {
			caption = ""
		}
		if code := e.call(t, "POST", "/api/media", mediaReq{User: household.ID, Kind: kind, Caption: caption}, nil); code != 200 {
			t.Fatalf("media %s: %d", kind, code)
		}
	}
	c := e.chat(t, household.ID)
	if len(c.Messages) != 3 {
		t.Fatalf("chat = %+v", c.Messages)
	}
	for i, want := range []string{"📷 照片", "🎤 语音 0:07", "📍 位置 48.8887, 130.3976"} {
		if c.Messages[i].MediaLabel != want {
			t.Errorf("message %d label %q, want %q", i, c.Messages[i].MediaLabel, want)
		}
	}
	if c.Messages[0].Caption != "墙裂了" || !c.Messages[0].Image {
		t.Errorf("photo = %+v", c.Messages[0])
	}

	// The echo bot copies the photo to the cadre, who sees it as a copy.
	e.waitBot(t, cadre.ID, 1)
	cc := e.chat(t, cadre.ID)
	m := cc.Messages[0]
	if !m.Bot || !m.CopyOf || m.Origin != household.Name || !m.Image || m.Caption != "墙裂了" {
		t.Fatalf("copied photo = %+v", m)
	}
	resp, err := http.Get(e.srv.URL + m.File)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || len(data) < 1000 {
		t.Errorf("photo file: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(data))
	}
}

func TestForwardMovesClock(t *testing.T) {
	e := newEnv(t)
	var c clockJSON
	if code := e.call(t, "POST", "/api/forward", forwardReq{Hours: 24}, &c); code != 200 {
		t.Fatalf("forward: %d", code)
	}
	if c.NowText != "2025年3月6日 周四 09:00" || !c.Now.Equal(e.clock.Now()) {
		t.Errorf("forward → %+v", c)
	}
	e.call(t, "POST", "/api/forward", forwardReq{Hours: 0.5}, &c)
	if c.Clock != "09:30" {
		t.Errorf("half an hour later: %q", c.Clock)
	}
}

func TestPageIsSelfContained(t *testing.T) {
	e := newEnv(t)
	for path, want := range map[string]string{
		"/":          "phone-template",
		"/app.js":    "/api/wait?since=",
		"/style.css": ".msg.bot",
	} {
		resp, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(data), want) {
			t.Errorf("GET %s: %d, missing %q", path, resp.StatusCode, want)
		}
		if strings.Contains(string(data), "http://") || strings.Contains(string(data), "https://") {
			t.Errorf("GET %s refers to an external URL", path)
		}
		if path == "/" && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("page CSP = %q", resp.Header.Get("Content-Security-Policy"))
		}
	}
}

func TestNoEmulator(t *testing.T) {
	for _, s := range []*Sim{nil, {}} {
		rec := httptest.NewRecorder()
		Handler(s).ServeHTTP(rec, httptest.NewRequest("GET", "/api/state", nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("Handler(%v): %d", s, rec.Code)
		}
	}
}
