package demo

import (
	"html"
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// Styles the page renders; every other entity shows as plain text.
const (
	stPre uint8 = 1 << iota
	stBold
	stItalic
	stUnderline
	stStrike
	stCode
)

// styleTags are the tags of each style, outermost first.
var styleTags = []struct {
	bit        uint8
	open, shut string
}{
	{stPre, "<pre>", "</pre>"},
	{stBold, "<b>", "</b>"},
	{stItalic, "<i>", "</i>"},
	{stUnderline, "<u>", "</u>"},
	{stStrike, "<s>", "</s>"},
	{stCode, "<code>", "</code>"},
}

func entityStyle(t models.MessageEntityType) uint8 {
	switch string(t) {
	case "pre":
		return stPre
	case "bold":
		return stBold
	case "italic":
		return stItalic
	case "underline":
		return stUnderline
	case "strikethrough":
		return stStrike
	case "code":
		return stCode
	}
	return 0
}

// renderEntities turns a message's text and its entities (offsets and lengths
// in UTF-16 code units, as in the Bot API) into safe HTML: bold, italic,
// underline, strikethrough, code and pre become tags, all text is escaped,
// and other entities (links, mentions...) show as their plain text. Each run
// of equally styled text is wrapped on its own, so overlapping or malformed
// entities still give well-formed markup.
func renderEntities(text string, ents []models.MessageEntity) string {
	if text == "" {
		return ""
	}
	units := utf16.Encode([]rune(text))
	n := len(units)
	var mask []uint8
	for _, e := range ents {
		bit := entityStyle(e.Type)
		if bit == 0 || e.Length <= 0 || e.Offset >= n || e.Offset < 0 {
			continue
		}
		end := n
		if e.Length < n-e.Offset {
			end = e.Offset + e.Length
		}
		if mask == nil {
			mask = make([]uint8, n)
		}
		for i := e.Offset; i < end; i++ {
			mask[i] |= bit
		}
	}
	if mask == nil {
		return html.EscapeString(text)
	}
	var b strings.Builder
	for start := 0; start < n; {
		end := start + 1
		for end < n && mask[end] == mask[start] {
			end++
		}
		m := mask[start]
		if m&stPre != 0 {
			m &^= stCode // a pre block is already code
		}
		for _, t := range styleTags {
			if m&t.bit != 0 {
				b.WriteString(t.open)
			}
		}
		b.WriteString(html.EscapeString(string(utf16.Decode(units[start:end]))))
		for i := len(styleTags) - 1; i >= 0; i-- {
			if m&styleTags[i].bit != 0 {
				b.WriteString(styleTags[i].shut)
			}
		}
		start = end
	}
	return b.String()
}
