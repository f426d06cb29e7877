package bot

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Splitting long messages. Telegram limits a message to 4096 characters
// counted as it does: UTF-16 code units of the text once the HTML is parsed
// (tags count nothing, an entity such as &lt; counts as the character it
// stands for). A part must be valid HTML on its own, so a cut never falls
// inside a tag or an entity, and the tags open at a cut are closed at the
// end of the part and opened again, as they were written, at the start of
// the next.

// entityLen returns the length of the HTML entity s starts with, or 0. An
// entity is one of the four named ones Telegram decodes (&lt; &gt; &amp;
// &quot;) or a numeric one (&#1234; &#x4E2D;); any other '&' is a
// character of its own.
func entityLen(s string) int {
	end := strings.IndexByte(s[:min(len(s), 10)], ';')
	if end < 2 {
		return 0
	}
	body := s[1:end]
	switch body {
	case "lt", "gt", "amp", "quot":
		return end + 1
	}
	digits, max, isDigit := body[min(1, len(body)):], 7, func(c byte) bool { return c >= '0' && c <= '9' }
	if len(body) > 1 && (body[1] == 'x' || body[1] == 'X') {
		digits, max = body[2:], 6
		isDigit = func(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }
	}
	if body[0] != '#' || len(digits) == 0 || len(digits) > max {
		return 0
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return 0
		}
	}
	return end + 1
}

// token is a piece of HTML text: a tag, an entity or one character.
type token struct {
	start, end int    // byte offsets in the text
	units      int    // UTF-16 code units it adds to the parsed text
	tag        string // lower-case name of a tag ("" for text)
	closing    bool   // a closing tag
	newline    bool   // the character '\n'
	blank      bool   // text that is white space
}

// tokenize cuts text into tokens, in one pass.
func tokenize(text string) []token {
	toks := make([]token, 0, len(text)/2)
	for i := 0; i < len(text); {
		t := token{start: i}
		switch text[i] {
		case '<':
			if j := strings.IndexByte(text[i:], '>'); j > 0 {
				t.end = i + j + 1
				t.tag, t.closing = tagName(text[i+1 : i+j])
				toks = append(toks, t)
				i = t.end
				continue
			}
		case '&':
			if n := entityLen(text[i:]); n > 0 {
				s := html.UnescapeString(text[i : i+n])
				t.end, t.units, t.blank = i+n, utf16Units(s), strings.TrimSpace(s) == ""
				toks = append(toks, t)
				i = t.end
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		t.end, t.units = i+size, utf16Units(string(r))
		t.newline, t.blank = r == '\n', unicode.IsSpace(r)
		toks = append(toks, t)
		i = t.end
	}
	return toks
}

// tagName returns the lower-case name of the tag written between < and >.
func tagName(inner string) (string, bool) {
	closing := strings.HasPrefix(inner, "/")
	inner = strings.TrimPrefix(inner, "/")
	if end := strings.IndexAny(inner, " \t\r\n/"); end >= 0 {
		inner = inner[:end]
	}
	return strings.ToLower(inner), closing
}

// Split cuts an HTML text into parts of at most limit UTF-16 code units of
// parsed text each (see above), at line breaks where one falls in the second
// half of a part. Line breaks at a cut are dropped, and so is a part with
// no visible character. Its cost is linear in the length of text (and in
// the depth of nested tags times the number of parts).
func Split(text string, limit int) []string {
	toks := tokenize(text)
	total := 0
	for _, t := range toks {
		total += t.units
	}
	if total <= limit {
		return []string{text}
	}
	var (
		parts []string
		open  []token // tags open at the start of the part, outermost first
	)
	for i := 0; i < len(toks); {
		if len(parts) > 0 {
			for i < len(toks) && toks[i].newline {
				i++ // the line break the previous part ended at
			}
		}
		end, next := fill(toks, i, limit)
		part, visible, after := render(text, toks, open, i, end)
		if visible {
			parts = append(parts, part)
		}
		open, i = after, next
	}
	return parts
}

// fill finds where a part that starts at token i ends (exclusive), and where
// the next one starts: as many tokens as fit in limit units, or up to the
// last line break in the part's second half.
func fill(toks []token, i, limit int) (end, next int) {
	units, nl, j := 0, -1, i
	for ; j < len(toks); j++ {
		t := toks[j]
		if units+t.units > limit && units > 0 {
			break
		}
		if t.newline && units > limit/2 {
			nl = j
		}
		units += t.units
	}
	if j == len(toks) || nl < 0 {
		return j, j
	}
	return nl, nl + 1
}

// render writes the part of tokens [i, end): the tags open before it, its
// text, and the closing tags of what is still open at its end. It returns
// whether the part shows a visible character, and the tags open after it.
func render(text string, toks []token, open []token, i, end int) (string, bool, []token) {
	var b strings.Builder
	for _, t := range open {
		b.WriteString(text[t.start:t.end])
	}
	stack := append([]token(nil), open...)
	visible := false
	for _, t := range toks[i:end] {
		switch {
		case t.tag != "" && t.closing:
			if n := len(stack); n > 0 && stack[n-1].tag == t.tag {
				stack = stack[:n-1]
			}
		case t.tag != "":
			stack = append(stack, t)
		case !t.blank:
			visible = true
		}
	}
	if end > i {
		b.WriteString(text[toks[i].start:toks[end-1].end])
	}
	for k := len(stack) - 1; k >= 0; k-- {
		b.WriteString("</" + stack[k].tag + ">")
	}
	return b.String(), visible, stack
}

// utf16Units is the length of s in UTF-16 code units.
func utf16Units(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}
