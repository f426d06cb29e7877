package bot

import (
	"html"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
)

// checkParts fails unless every part is HTML Telegram accepts, of at most
// limit UTF-16 units once parsed and not blank, and the parts together show
// the text of whole (line breaks and blanks at cuts aside).
func checkParts(t *testing.T, whole string, parts []string, limit int) {
	t.Helper()
	want, err := telegramtest.ParseHTML(whole)
	if err != nil {
		t.Fatalf("the text itself is not valid: %v", err)
	}
	var got strings.Builder
	for i, p := range parts {
		plain, err := telegramtest.ParseHTML(p)
		if err != nil {
			t.Fatalf("part %d of %d is rejected: %v\n%q", i+1, len(parts), err, p)
		}
		if n := len(utf16.Encode([]rune(plain))); n > limit || len(parts) > 1 && strings.TrimSpace(plain) == "" {
			t.Fatalf("part %d of %d: %d UTF-16 units (limit %d)\n%q", i+1, len(parts), n, limit, p)
		}
		got.WriteString(plain)
	}
	squeeze := func(s string) string {
		return strings.Map(func(r rune) rune { return map[bool]rune{true: -1, false: r}[unicode.IsSpace(r)] }, s)
	}
	if squeeze(got.String()) != squeeze(want) {
		t.Fatalf("the parts show other text than the whole:\n%q\nwant\n%q", got.String(), want)
	}
}

// TestSplitLongName: a household with a 5 000-character name still gets its
// card: every part of the message is valid HTML (the <b> around the cadre's
// name was once cut open) and within Telegram's limit.
func TestSplitLongName(t *testing.T) {
	r, _ := NewRenderer("zh")
	for _, name := range []string{strings.Repeat("张", 5000), strings.Repeat("<&>\"'", 2000), strings.Repeat("😀", 3000) + strings.Repeat("a", 2100)} {
		n := flows.Notice{Lang: "zh", Kind: flows.NoticeHouseholdCard, Args: map[string]string{
			"household": name, "village": name, "cadre": name, "unit": "县财政局", "phone": "138"}}
		whole := r.Text("zh", "household_card", view{A: escapeAll(n.Args)})
		parts := r.Render(n).Texts
		if len(parts) < 2 {
			t.Fatalf("%d parts", len(parts))
		}
		checkParts(t, whole, parts, maxText)
	}
}

func escapeAll(args map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range args {
		out[k] = html.EscapeString(v)
	}
	return out
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		limit      int
		want       []string
	}{
		{"fits", "<b>短</b>", 4096, []string{"<b>短</b>"}},
		{"entities count once", "&lt;&lt;&lt;&lt;", 4, []string{"&lt;&lt;&lt;&lt;"}},
		{"entity kept whole", "ab&amp;cd", 3, []string{"ab&amp;", "cd"}},
		{"tag closed and reopened", `x<b>abcd</b>y`, 3, []string{"x<b>ab</b>", "<b>cd</b>y"}},
		{"nested, with attributes", `<a href="https://a.b/?x=1&amp;y=2"><i>abcdef</i></a>`, 4,
			[]string{`<a href="https://a.b/?x=1&amp;y=2"><i>abcd</i></a>`, `<a href="https://a.b/?x=1&amp;y=2"><i>ef</i></a>`}},
		{"at a line break", "aaaa\nbb\ncc", 8, []string{"aaaa\nbb", "cc"}},
		{"line breaks dropped at a cut", "abc\n\n\ndef", 3, []string{"abc", "def"}},
		{"surrogate pairs", "😀😀😀", 4, []string{"😀😀", "😀"}},
		{"blank part dropped", "<b>abc</b>\n\n", 3, []string{"<b>abc</b>"}},
	} {
		got := Split(tc.text, tc.limit)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: Split(%q, %d) = %q, want %q", tc.name, tc.text, tc.limit, got, tc.want)
		}
		checkParts(t, tc.text, got, tc.limit)
	}
}

// htmlFrom builds valid Telegram HTML from fuzz data: tags Telegram
// supports, opened and closed in order, entities, line breaks, characters
// of every width, and the fuzzer's own text, escaped.
func htmlFrom(data []byte, text string) string {
	opens := []string{"<b>", "<i>", "<u>", "<s>", "<code>", "<pre>", `<a href="https://t.me/x?start=a&amp;b">`,
		`<span class="tg-spoiler">`, "<blockquote>", "<tg-spoiler>", "<strong>", "<blockquote expandable>"}
	names := []string{"b", "i", "u", "s", "code", "pre", "a", "span", "blockquote", "tg-spoiler", "strong", "blockquote"}
	pieces := []string{"\n", "&lt;", "&gt;", "&amp;", "&quot;", "&#39;", "&#128512;", "&#x4E2D;", "😀", "张", "a", " ", "é", "&", "\n\n"}
	var b strings.Builder
	var stack []string
	words := strings.Fields(strings.ToValidUTF8(text, "\uFFFD")) // what JSON carries
	for i, c := range data {
		switch c % 4 {
		case 0:
			if len(stack) == 8 { // as deep as messages go, and deeper
				continue
			}
			k := int(c/4) % len(opens)
			b.WriteString(opens[k])
			stack = append(stack, names[k])
		case 1:
			if n := len(stack); n > 0 {
				b.WriteString("</" + stack[n-1] + ">")
				stack = stack[:n-1]
			}
		case 2:
			b.WriteString(strings.Repeat(pieces[int(c/4)%len(pieces)], 1+i%7))
		default:
			if len(words) > 0 {
				b.WriteString(html.EscapeString(words[i%len(words)]))
			}
		}
	}
	for n := len(stack) - 1; n >= 0; n-- {
		b.WriteString("</" + stack[n] + ">")
	}
	return b.String()
}

// FuzzSplit: whatever the text, every part is valid Telegram HTML (tags
// balanced, entities whole) within the limit, and no text is lost.
func FuzzSplit(f *testing.F) {
	f.Add([]byte{0, 2, 2, 2, 1, 10, 3, 3, 3}, "张福来 <b> & 😀", uint16(16))
	f.Add([]byte("\x00\x04\x08\x0a\x0e\x12\x16\x1a\x05\x09"), "a b c", uint16(3))
	f.Add([]byte(strings.Repeat("\x02\x06\x0a\x00\x03\x01", 200)), "漏雨了，请来修 房顶", uint16(40))
	f.Fuzz(func(t *testing.T, data []byte, text string, limit uint16) {
		if len(data) > 8192 || len(text) > 512 { // the text is written once a data byte
			return
		}
		l := 2 + int(limit)%300
		whole := htmlFrom(data, text)
		checkParts(t, whole, Split(whole, l), l)
		if len(whole) > 4096 {
			checkParts(t, whole, Split(whole, maxText), maxText)
		}
	})
}

// BenchmarkSplit: splitting costs the same per byte at any length.
func BenchmarkSplit(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		var s strings.Builder
		for s.Len() < n {
			s.WriteString("<b>张福来</b>（保兴镇保安村）&lt;房顶&gt; 漏雨了 😀\n")
		}
		text := s.String()
		b.Run(strconv.Itoa(n/1000)+"kB", func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				Split(text, maxText)
			}
		})
	}
}

// TestEntityLen: the entities Telegram decodes, as the emulator knows them.
func TestEntityLen(t *testing.T) {
	for s, want := range map[string]int{
		"&lt;x": 4, "&gt;": 4, "&amp;": 5, "&quot;": 6, "&#39;": 5, "&#1234567;": 10, "&#12345678;": 0, "&#x4E2D;": 8, "&#X4e2d;": 8,
		"&#x1234567;": 0, "&#;": 0, "&#x;": 0, "&apos;": 0, "&nbsp;": 0, "&lt": 0, "&": 0, "&;": 0, "&#1a;": 0, "&#xg;": 0,
	} {
		if got := entityLen(s); got != want {
			t.Errorf("entityLen(%q) = %d, want %d", s, got, want)
		}
	}
}
