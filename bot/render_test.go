package bot

import (
	"strings"
	"testing"

	"github.com/minqing/minqing/flows"
)

func TestCatalogComplete(t *testing.T) {
	for key := range catalog["zh"] {
		if _, ok := catalog["en"][key]; !ok {
			t.Errorf("en lacks %q", key)
		}
	}
	for key := range catalog["en"] {
		if _, ok := catalog["zh"][key]; !ok {
			t.Errorf("zh lacks %q", key)
		}
	}
	r, err := NewRenderer("zh")
	if err != nil {
		t.Fatal(err)
	}
	kinds := []flows.NoticeKind{flows.NoticeStranger, flows.NoticeBadCode, flows.NoticeCardFull, flows.NoticeInviteUsed,
		flows.NoticeBoundOther, flows.NoticeTooManyTries, flows.NoticeSlowDown, flows.NoticeHouseholdCard, flows.NoticeCadreWelcome, flows.NoticeRequestAck,
		flows.NoticeFollowupAck, flows.NoticeNewRequest, flows.NoticeFollowup, flows.NoticeCadreReply, flows.NoticeReplySent,
		flows.NoticeContacted, flows.NoticeSolved, flows.NoticeDeadlineSet, flows.NoticeResolved, flows.NoticeNewCadre,
		flows.NoticeMyRequests, flows.NoticeOpenRequests, flows.NoticeTimeline, flows.NoticeNoRoute,
		flows.NoticeForbidden, flows.NoticeRoleEnded, flows.NoticeUnsupported, flows.NoticeLangSet, flows.NoticeRequestClosed,
		flows.NoticeCadreUnreachable, flows.NoticeRequestWaiting, flows.NoticeReminder, flows.NoticeEscalation, flows.NoticeDeadlineSoon, flows.NoticeOverdue,
		flows.NoticeDefaultDeadline, flows.NoticeDeadlinePrompt, flows.NoticeDeadlineFormat, flows.NoticeDeadlineMoved, flows.NoticeDeadlineConfirm,
		flows.NoticeVerdictAsk, flows.NoticeThanks, flows.NoticeReopened, flows.NoticeReopenAck, flows.NoticeClosedUnrated, flows.NoticeCategoryPrompt, flows.NoticeResolvePrompt, flows.NoticeResolveNote}
	for _, lang := range []string{"zh", "en"} {
		for _, k := range kinds {
			out := r.Render(flows.Notice{Lang: lang, Kind: k, Args: map[string]string{"no": "1"}})
			if len(out.Texts) == 0 || strings.TrimSpace(out.Texts[0]) == "" {
				t.Errorf("%s/%s renders empty", lang, k)
			}
		}
		for _, b := range []flows.Button{{Action: flows.ActDeadline, Arg: ""}, {Action: flows.ActDeadline, Arg: "3"},
			{Action: flows.ActMoveDeadline}, {Action: flows.ActSolvedQ, Arg: "y"}, {Action: flows.ActSolvedQ, Arg: "n"},
			{Action: flows.ActRate, Arg: "1"}, {Action: flows.ActRate, Arg: "2"}, {Action: flows.ActRate, Arg: "3"},
			{Action: flows.ActContact}, {Action: flows.ActSolve}, {Action: flows.ActResolve}, {Action: flows.ActTimeline}, {Action: flows.ActSplit}, {Action: flows.ActCategory}, {Action: flows.ActCategory, Arg: "7"}} {
			if l := r.ButtonLabel(lang, b); l == "" || strings.Contains(l, "<no value>") {
				t.Errorf("%s: label of %+v is %q", lang, b, l)
			}
		}
		for _, role := range []string{"household", "cadre", "leader"} {
			if out := r.Render(flows.Notice{Lang: lang, Kind: flows.NoticeHelp, Args: map[string]string{"role": role}}); out.Texts[0] == "" {
				t.Errorf("%s help for %s empty", lang, role)
			}
		}
	}
}

func TestRenderEscapesUserText(t *testing.T) {
	r, _ := NewRenderer("zh")
	out := r.Render(flows.Notice{Lang: "zh", Kind: flows.NoticeNewRequest, Args: map[string]string{
		"no": "3", "household": "<i>王</i>", "village": "a&b", "text": `<a href="http://x">点我</a> <b>`, "kind": "text"}})
	text := out.Texts[0]
	for _, bad := range []string{"<i>", "<a href", "<b>点"} {
		if strings.Contains(text, bad) {
			t.Errorf("unescaped %q in %s", bad, text)
		}
	}
	for _, want := range []string{"&lt;i&gt;王&lt;/i&gt;", "a&amp;b", "&lt;a href=&#34;http://x&#34;&gt;"} {
		if !strings.Contains(text, want) {
			t.Errorf("want %q in %s", want, text)
		}
	}
}

func TestButtonsRoundTrip(t *testing.T) {
	for _, b := range []flows.Button{{Action: flows.ActDeadline, RequestID: 42, Arg: "7"}, {Action: flows.ActContact, RequestID: 1}} {
		got, ok := decodeButton(encodeButton(b))
		if !ok || got != b {
			t.Errorf("%+v -> %+v %v", b, got, ok)
		}
		if len(encodeButton(b)) > 64 {
			t.Errorf("callback data over 64 bytes")
		}
	}
	for _, bad := range []string{"", "ct", "ct:1", "ct:x:", "ct:-1:", "ct:0:", "xx:1:", "ct:1:a:b", "ct:1:<b>", "ct:99999999999999999999:", strings.Repeat("ct:1:", 20)} {
		if _, ok := decodeButton(bad); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

// TestButtonsOfEarlierReleases: a button sent before an action's code was
// renamed still works, as the action it meant.
func TestButtonsOfEarlierReleases(t *testing.T) {
	got, ok := decodeButton("mv2:7:")
	if want := (flows.Button{Action: flows.ActMoveDeadline, RequestID: 7}); !ok || got != want {
		t.Errorf("mv2:7: -> %+v %v, want %+v", got, ok, want)
	}
	if b, ok := decodeButton("mv:7:"); ok { // the roster's reassignment was never a button
		t.Errorf("accepted mv:7: as %+v", b)
	}
}

func FuzzDecodeButton(f *testing.F) {
	f.Add("dl:12:3")
	f.Add("sp:1:99")
	f.Fuzz(func(t *testing.T, data string) {
		b, ok := decodeButton(data)
		code, rest, _ := strings.Cut(data, ":")
		current := string(flows.Action(code).Canonical()) + ":" + rest // an earlier release's code reads as today's
		if ok && (b.RequestID <= 0 || !knownActions[b.Action] || encodeButton(b) != current) {
			t.Fatalf("accepted %q as %+v", data, b)
		}
	})
}

func TestCommandParsing(t *testing.T) {
	cases := map[string][3]string{
		"/start abc":       {"start", "abc", "t"},
		"/START@test_bot":  {"start", "", "t"},
		"/my":              {"my", "", "t"},
		"/lang en":         {"lang", "en", "t"},
		"你好 /my":           {"", "", ""},
		"/":                {"", "", ""},
		"/digest@bot more": {"digest", "more", "t"},
	}
	for in, want := range cases {
		cmd, arg, ok := command(in)
		if cmd != want[0] || arg != want[1] || ok != (want[2] == "t") {
			t.Errorf("%q: %q %q %v", in, cmd, arg, ok)
		}
	}
}
