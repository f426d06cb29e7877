package telegramtest

import (
	"fmt"
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// utf16Len is the length of s in UTF-16 code units, the unit of entity offsets.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// textBuilder accumulates plain text and tracks its UTF-16 length.
type textBuilder struct {
	b strings.Builder
	n int
}

func (t *textBuilder) add(s string) {
	t.b.WriteString(s)
	t.n += utf16Len(s)
}

func sortEntities(ents []models.MessageEntity) []models.MessageEntity {
	sort.SliceStable(ents, func(i, j int) bool {
		if ents[i].Offset != ents[j].Offset {
			return ents[i].Offset < ents[j].Offset
		}
		return ents[i].Length > ents[j].Length
	})
	return ents
}

// formatText turns text sent with parse_mode into the plain text and entities
// Telegram stores, failing like Telegram on malformed markup.
func formatText(text, parseMode string) (string, []models.MessageEntity, error) {
	var (
		plain string
		ents  []models.MessageEntity
		err   error
	)
	switch strings.ToLower(parseMode) {
	case "":
		return text, nil, nil
	case "html":
		plain, ents, err = parseHTML(text)
	case "markdownv2":
		plain, ents, err = parseMarkdownV2(text)
	case "markdown":
		plain, ents, err = parseMarkdownV1(text)
	default:
		return "", nil, fmt.Errorf("unsupported parse_mode")
	}
	if err != nil {
		msg := err.Error()
		return "", nil, fmt.Errorf("can't parse entities: %s%s", strings.ToUpper(msg[:1]), msg[1:])
	}
	return plain, sortEntities(ents), nil
}

// ParseHTML parses text as Telegram's HTML parse mode does: it returns the
// plain text Telegram stores (whose UTF-16 length the 4096 limit counts), or
// the error Telegram answers with. Tests of message splitting use it.
func ParseHTML(text string) (string, error) {
	plain, _, err := formatText(text, "HTML")
	return plain, err
}

var htmlTags = map[string]models.MessageEntityType{
	"b": models.MessageEntityTypeBold, "strong": models.MessageEntityTypeBold,
	"i": models.MessageEntityTypeItalic, "em": models.MessageEntityTypeItalic,
	"u": models.MessageEntityTypeUnderline, "ins": models.MessageEntityTypeUnderline,
	"s": models.MessageEntityTypeStrikethrough, "strike": models.MessageEntityTypeStrikethrough,
	"del": models.MessageEntityTypeStrikethrough, "tg-spoiler": models.MessageEntityTypeSpoiler,
	"span": models.MessageEntityTypeSpoiler, "a": models.MessageEntityTypeTextLink,
	"code": models.MessageEntityTypeCode, "pre": models.MessageEntityTypePre,
	"blockquote": models.MessageEntityTypeBlockquote, "tg-emoji": models.MessageEntityTypeCustomEmoji,
}

var (
	htmlAttrRe   = regexp.MustCompile(`^\s*([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>]+)))?`)
	htmlEntityRe = regexp.MustCompile(`^&(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});`)
)

type openTag struct {
	name   string
	ent    models.MessageEntity
	skip   bool
	offset int // byte offset of the tag, for errors
}

// parseHTML implements Telegram's HTML parse mode.
func parseHTML(s string) (string, []models.MessageEntity, error) {
	var (
		out   textBuilder
		stack []*openTag
		ents  []models.MessageEntity
	)
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return "", nil, fmt.Errorf("unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+j]
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 {
					return "", nil, fmt.Errorf("unexpected end tag at byte offset %d", i)
				}
				top := stack[len(stack)-1]
				if name != top.name {
					return "", nil, fmt.Errorf("unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top.name, name)
				}
				stack = stack[:len(stack)-1]
				top.ent.Length = out.n - top.ent.Offset
				if !top.skip && top.ent.Length > 0 {
					ents = append(ents, top.ent)
				}
			} else {
				t, err := openHTMLTag(tag, i, stack)
				if err != nil {
					return "", nil, err
				}
				t.ent.Offset = out.n
				stack = append(stack, t)
			}
			i += j + 1
		case '&':
			if m := htmlEntityRe.FindString(s[i:]); m != "" {
				out.add(html.UnescapeString(m))
				i += len(m)
			} else {
				out.add("&")
				i++
			}
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			out.add(s[i : i+size])
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	return out.b.String(), ents, nil
}

func openHTMLTag(tag string, offset int, stack []*openTag) (*openTag, error) {
	tag = strings.TrimSuffix(tag, "/")
	end := strings.IndexAny(tag, " \t\n\r")
	if end < 0 {
		end = len(tag)
	}
	name := strings.ToLower(tag[:end])
	typ, ok := htmlTags[name]
	if !ok {
		return nil, fmt.Errorf("unsupported start tag \"%s\" at byte offset %d", name, offset)
	}
	attrs := map[string]string{}
	for rest := tag[end:]; strings.TrimSpace(rest) != ""; {
		m := htmlAttrRe.FindStringSubmatch(rest)
		if m == nil {
			return nil, fmt.Errorf("expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", name, offset)
		}
		attrs[strings.ToLower(m[1])] = html.UnescapeString(m[2] + m[3] + m[4])
		rest = rest[len(m[0]):]
	}
	t := &openTag{name: name, offset: offset, ent: models.MessageEntity{Type: typ}}
	switch name {
	case "span":
		if attrs["class"] != "tg-spoiler" {
			return nil, fmt.Errorf("tag \"span\" must have class \"tg-spoiler\" at byte offset %d", offset)
		}
	case "a":
		href := attrs["href"]
		t.ent.URL = href
		if id, ok := strings.CutPrefix(href, "tg://user?id="); ok {
			uid, _ := strconv.ParseInt(id, 10, 64)
			t.ent = models.MessageEntity{Type: models.MessageEntityTypeTextMention, User: &models.User{ID: uid}}
		}
		t.skip = href == ""
	case "tg-emoji":
		t.ent.CustomEmojiID = attrs["emoji-id"]
		if t.ent.CustomEmojiID == "" {
			return nil, fmt.Errorf("tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset %d", offset)
		}
	case "blockquote":
		if _, ok := attrs["expandable"]; ok {
			t.ent.Type = models.MessageEntityTypeExpandableBlockquote
		}
	case "code":
		if lang, ok := strings.CutPrefix(attrs["class"], "language-"); ok && len(stack) > 0 && stack[len(stack)-1].name == "pre" {
			stack[len(stack)-1].ent.Language = lang
			t.skip = true
		}
	}
	return t, nil
}

const mdv2Reserved = "_*[]()~`>#+-=|{}.!"

var mdv2Names = map[models.MessageEntityType]string{
	models.MessageEntityTypeBold: "Bold", models.MessageEntityTypeItalic: "Italic",
	models.MessageEntityTypeUnderline: "Underline", models.MessageEntityTypeStrikethrough: "Strikethrough",
	models.MessageEntityTypeSpoiler: "Spoiler", models.MessageEntityTypeTextLink: "TextUrl",
	models.MessageEntityTypeCustomEmoji: "CustomEmoji",
}

// parseMarkdownV2 implements Telegram's MarkdownV2 parse mode: every reserved
// character outside markup must be escaped with a backslash.
func parseMarkdownV2(s string) (string, []models.MessageEntity, error) {
	var (
		out     textBuilder
		stack   []*openTag
		ents    []models.MessageEntity
		quoteAt = -1
	)
	endQuote := func() {
		if quoteAt >= 0 && out.n > quoteAt {
			ents = append(ents, models.MessageEntity{Type: models.MessageEntityTypeBlockquote, Offset: quoteAt, Length: out.n - quoteAt})
		}
		quoteAt = -1
	}
	for i := 0; i < len(s); {
		c := s[i]
		var next byte
		if i+1 < len(s) {
			next = s[i+1]
		}
		var top *openTag
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		marker := func(typ models.MessageEntityType, width int) {
			if top != nil && top.ent.Type == typ {
				stack = stack[:len(stack)-1]
				top.ent.Length = out.n - top.ent.Offset
				if top.ent.Length > 0 {
					ents = append(ents, top.ent)
				}
			} else {
				stack = append(stack, &openTag{offset: i, ent: models.MessageEntity{Type: typ, Offset: out.n}})
			}
			i += width
		}
		switch {
		case c == '\\' && next > 0 && next <= 126:
			out.add(string(next))
			i += 2
		case c == '`':
			typ, width := models.MessageEntityTypeCode, 1
			if strings.HasPrefix(s[i:], "```") {
				typ, width = models.MessageEntityTypePre, 3
			}
			body, n, ok := scanCode(s[i+width:], s[i:i+width])
			if !ok {
				name := map[bool]string{true: "PreCode", false: "Code"}[width == 3]
				return "", nil, fmt.Errorf("can't find end of %s entity at byte offset %d", name, i)
			}
			ent := models.MessageEntity{Type: typ}
			if width == 3 {
				if nl := strings.IndexByte(body, '\n'); nl >= 0 && !strings.ContainsAny(body[:nl], " \t") {
					ent.Language, body = body[:nl], body[nl+1:]
				}
			}
			ent.Offset = out.n
			out.add(body)
			if ent.Length = out.n - ent.Offset; ent.Length > 0 {
				ents = append(ents, ent)
			}
			i += width + n
		case c == '[' || c == '!' && next == '[':
			typ, width := models.MessageEntityTypeTextLink, 1
			if c == '!' {
				typ, width = models.MessageEntityTypeCustomEmoji, 2
			}
			stack = append(stack, &openTag{offset: i, ent: models.MessageEntity{Type: typ, Offset: out.n}})
			i += width
		case c == ']' && top != nil && (top.ent.Type == models.MessageEntityTypeTextLink || top.ent.Type == models.MessageEntityTypeCustomEmoji):
			stack = stack[:len(stack)-1]
			i++
			url := ""
			if i < len(s) && s[i] == '(' {
				u, n, ok := scanCode(s[i+1:], ")")
				if !ok {
					return "", nil, fmt.Errorf("can't find end of a url at byte offset %d", i)
				}
				url, i = u, i+1+n
			}
			top.ent.Length = out.n - top.ent.Offset
			if top.ent.Type == models.MessageEntityTypeCustomEmoji {
				id, ok := strings.CutPrefix(url, "tg://emoji?id=")
				if !ok {
					return "", nil, fmt.Errorf("custom emoji entity must contain a tg://emoji URL")
				}
				top.ent.CustomEmojiID = id
			} else if id, ok := strings.CutPrefix(url, "tg://user?id="); ok {
				uid, _ := strconv.ParseInt(id, 10, 64)
				top.ent = models.MessageEntity{Type: models.MessageEntityTypeTextMention, Offset: top.ent.Offset, Length: top.ent.Length, User: &models.User{ID: uid}}
			} else {
				top.ent.URL = url
			}
			if url != "" && top.ent.Length > 0 {
				ents = append(ents, top.ent)
			}
		case c == '*':
			marker(models.MessageEntityTypeBold, 1)
		case c == '_' && top != nil && top.ent.Type == models.MessageEntityTypeItalic:
			marker(models.MessageEntityTypeItalic, 1)
		case c == '_' && next == '_':
			marker(models.MessageEntityTypeUnderline, 2)
		case c == '_':
			marker(models.MessageEntityTypeItalic, 1)
		case c == '~':
			marker(models.MessageEntityTypeStrikethrough, 1)
		case c == '|' && next == '|':
			marker(models.MessageEntityTypeSpoiler, 2)
		case c == '>' && (i == 0 || s[i-1] == '\n'):
			if quoteAt < 0 {
				quoteAt = out.n
			}
			i++
		case c == '\n':
			if quoteAt >= 0 && next != '>' {
				endQuote()
			}
			out.add("\n")
			i++
		case strings.IndexByte(mdv2Reserved, c) >= 0:
			return "", nil, fmt.Errorf("character '%c' is reserved and must be escaped with the preceding '\\'", c)
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			out.add(s[i : i+size])
			i += size
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return "", nil, fmt.Errorf("can't find end of %s entity at byte offset %d", mdv2Names[top.ent.Type], top.offset)
	}
	endQuote()
	return out.b.String(), ents, nil
}

// scanCode reads up to the unescaped terminator, resolving backslash escapes.
// It returns the content, the bytes consumed (terminator included) and
// whether the terminator was found.
func scanCode(s, term string) (string, int, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) {
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		if strings.HasPrefix(s[i:], term) {
			return b.String(), i + len(term), true
		}
		b.WriteByte(s[i])
		i++
	}
	return "", 0, false
}

// parseMarkdownV1 implements the legacy Markdown parse mode: *bold*, _italic_,
// `code`, ```pre```, [text](url); no nesting.
func parseMarkdownV1(s string) (string, []models.MessageEntity, error) {
	var (
		out  textBuilder
		ents []models.MessageEntity
	)
	kinds := map[byte]models.MessageEntityType{'*': models.MessageEntityTypeBold, '_': models.MessageEntityTypeItalic, '`': models.MessageEntityTypeCode}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("_*`[", s[i+1]) >= 0:
			out.add(s[i+1 : i+2])
			i += 2
		case strings.HasPrefix(s[i:], "```"):
			end := strings.Index(s[i+3:], "```")
			if end < 0 {
				return "", nil, fmt.Errorf("can't find end of the entity starting at byte offset %d", i)
			}
			body := s[i+3 : i+3+end]
			ent := models.MessageEntity{Type: models.MessageEntityTypePre, Offset: out.n}
			out.add(body)
			ent.Length = out.n - ent.Offset
			ents = append(ents, ent)
			i += end + 6
		case kinds[c] != "" || c == '[':
			term := string(c)
			if c == '[' {
				term = "]"
			}
			end := strings.Index(s[i+1:], term)
			if end < 0 {
				return "", nil, fmt.Errorf("can't find end of the entity starting at byte offset %d", i)
			}
			body := s[i+1 : i+1+end]
			ent := models.MessageEntity{Type: kinds[c], Offset: out.n}
			i += end + 2
			if c == '[' {
				ent.Type = models.MessageEntityTypeTextLink
				if i < len(s) && s[i] == '(' {
					if e := strings.IndexByte(s[i:], ')'); e > 0 {
						ent.URL = s[i+1 : i+e]
						i += e + 1
					}
				}
			}
			out.add(body)
			if ent.Length = out.n - ent.Offset; ent.Length > 0 && (c != '[' || ent.URL != "") {
				ents = append(ents, ent)
			}
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			out.add(s[i : i+size])
			i += size
		}
	}
	return out.b.String(), ents, nil
}

var commandRe = regexp.MustCompile(`^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?`)

// commandEntities marks a leading /command as Telegram does for user messages.
func commandEntities(text string) []models.MessageEntity {
	m := commandRe.FindString(text)
	if m == "" {
		return nil
	}
	return []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(m)}}
}
