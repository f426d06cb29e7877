package demo

import (
	"testing"

	"github.com/go-telegram/bot/models"
)

func TestRenderEntities(t *testing.T) {
	ent := func(typ string, off, n int) models.MessageEntity {
		return models.MessageEntity{Type: models.MessageEntityType(typ), Offset: off, Length: n}
	}
	for _, tc := range []struct {
		name, text string
		ents       []models.MessageEntity
		want       string
	}{
		{"plain", "a<b>&\"'", nil, "a&lt;b&gt;&amp;&#34;&#39;"},
		{"bold", "请在3日内回复", []models.MessageEntity{ent("bold", 2, 3)}, "请在<b>3日内</b>回复"},
		{"nested", "abcd", []models.MessageEntity{ent("bold", 0, 4), ent("italic", 1, 2)}, "<b>a</b><b><i>bc</i></b><b>d</b>"},
		{"overlap", "abcd", []models.MessageEntity{ent("bold", 0, 3), ent("italic", 2, 2)}, "<b>ab</b><b><i>c</i></b><i>d</i>"},
		{"code", "run <x>", []models.MessageEntity{ent("code", 4, 3)}, "run <code>&lt;x&gt;</code>"},
		{"pre", "x\ny", []models.MessageEntity{ent("pre", 0, 3), ent("code", 0, 3)}, "<pre>x\ny</pre>"},
		// 👍 is two UTF-16 units: the bold starts after it.
		{"utf16", "👍好的", []models.MessageEntity{ent("bold", 2, 2)}, "👍<b>好的</b>"},
		{"link is text", "see <here>", []models.MessageEntity{ent("text_link", 4, 6)}, "see &lt;here&gt;"},
		{"out of range", "ab", []models.MessageEntity{ent("bold", 1, 99), ent("italic", 5, 1), ent("bold", -1, 2), ent("italic", 0, -3)}, "a<b>b</b>"},
		{"split surrogate", "👍", []models.MessageEntity{ent("bold", 1, 1)}, "\uFFFD<b>\uFFFD</b>"},
		{"empty", "", []models.MessageEntity{ent("bold", 0, 1)}, ""},
	} {
		if got := renderEntities(tc.text, tc.ents); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
