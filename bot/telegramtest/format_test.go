package telegramtest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
)

func TestFormatText(t *testing.T) {
	ent := func(typ models.MessageEntityType, off, n int) models.MessageEntity {
		return models.MessageEntity{Type: typ, Offset: off, Length: n}
	}
	tests := []struct {
		mode, in, plain string
		ents            []models.MessageEntity
		err             string
	}{
		{mode: "", in: "a <b> & c", plain: "a <b> & c"},
		{mode: "HTML", in: "<b>bold</b> &lt;x&gt; &amp; 5 & 6", plain: "bold <x> & 5 & 6",
			ents: []models.MessageEntity{ent(models.MessageEntityTypeBold, 0, 4)}},
		{mode: "HTML", in: "😀 <i>é<b>x</b></i>", plain: "😀 éx",
			ents: []models.MessageEntity{ent(models.MessageEntityTypeItalic, 3, 2), ent(models.MessageEntityTypeBold, 4, 1)}},
		{mode: "HTML", in: `<a href="https://x.org/?a=1&amp;b=2">link</a>`, plain: "link",
			ents: []models.MessageEntity{{Type: models.MessageEntityTypeTextLink, Length: 4, URL: "https://x.org/?a=1&b=2"}}},
		{mode: "HTML", in: `<pre><code class="language-go">x := 1</code></pre>`, plain: "x := 1",
			ents: []models.MessageEntity{{Type: models.MessageEntityTypePre, Length: 6, Language: "go"}}},
		{mode: "HTML", in: "1 < 2", err: "Unclosed start tag"},
		{mode: "HTML", in: "a<br>b", err: `Unsupported start tag "br"`},
		{mode: "HTML", in: "<b>x</i>", err: "Unmatched end tag"},
		{mode: "HTML", in: "<b>x", err: `Can't find end tag corresponding to start tag "b"`},
		{mode: "HTML", in: "x</b>", err: "Unexpected end tag"},
		{mode: "MarkdownV2", in: `*bold* \. _it_ __u__`, plain: "bold . it u",
			ents: []models.MessageEntity{ent(models.MessageEntityTypeBold, 0, 4), ent(models.MessageEntityTypeItalic, 7, 2), ent(models.MessageEntityTypeUnderline, 10, 1)}},
		{mode: "MarkdownV2", in: "[site](https://x.org) `a*b`", plain: "site a*b",
			ents: []models.MessageEntity{{Type: models.MessageEntityTypeTextLink, Length: 4, URL: "https://x.org"}, ent(models.MessageEntityTypeCode, 5, 3)}},
		{mode: "MarkdownV2", in: "Price: 5.00", err: "Character '.' is reserved"},
		{mode: "MarkdownV2", in: "*open", err: "Can't find end of Bold entity"},
		{mode: "Markdown", in: "*b* _i_ 1.5", plain: "b i 1.5",
			ents: []models.MessageEntity{ent(models.MessageEntityTypeBold, 0, 1), ent(models.MessageEntityTypeItalic, 2, 1)}},
		{mode: "Markdown", in: "*open", err: "Can't find end of the entity"},
		{mode: "Klingon", in: "x", err: "unsupported parse_mode"},
	}
	for _, tt := range tests {
		plain, ents, err := formatText(tt.in, tt.mode)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s %q: err = %v, want %q", tt.mode, tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || plain != tt.plain || !reflect.DeepEqual(ents, tt.ents) {
			t.Errorf("%s %q = %q %+v %v, want %q %+v", tt.mode, tt.in, plain, ents, err, tt.plain, tt.ents)
		}
	}
}

func TestCommandEntities(t *testing.T) {
	for in, want := range map[string]int{"/start abc": 6, "/start@test_bot x": 15, "/": 0, "hi /start": 0, "/привет": 0} {
		ents := commandEntities(in)
		got := 0
		if len(ents) == 1 {
			got = ents[0].Length
		}
		if got != want {
			t.Errorf("commandEntities(%q) length = %d, want %d", in, got, want)
		}
	}
}
