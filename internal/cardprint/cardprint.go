// Package cardprint draws the printed 民情联系卡 (household contact card):
// a business-card sized card with the household, its cadre, a QR code of the
// Telegram binding link and the binding code printed for typing.
//
// PDF lays out A4 sheets of ten cards with cut marks, for the office printer;
// PNG draws one card as a 600 dpi image, for sending or previewing. The
// package knows nothing of Redis or Telegram: the caller passes the texts,
// the link and the code. All wording comes from a Layout (see DefaultLayout).
//
// Chinese text needs a CJK TrueType font (see internal/fonts); without one
// the renderers return an error wrapping fonts.ErrNoFont. Characters the CJK
// font lacks (DroidSansFallbackFull has no digits or Latin letters) are drawn
// with a Latin font, and the binding code with a monospace one (both from
// fonts-dejavu-core by default). A character that no font has is an error
// (ErrMissingGlyph), never a blank on the card.
package cardprint

import (
	"errors"
	"strings"
)

// Card is what one printed card shows.
type Card struct {
	HouseholdName, Village           string
	CadreName, CadreUnit, CadrePhone string
	// Link is the binding link encoded in the QR code, for example
	// https://t.me/<bot>?start=<code>. It must not be empty.
	Link string
	// Code is the binding code, printed in groups of four (see GroupCode)
	// for people who type it instead of scanning. Empty prints no code line.
	Code string
}

// Layout holds the wording and fonts of the cards. Every user-facing text
// comes from here; empty labels print the value alone.
type Layout struct {
	Title  string // "民情联系卡"
	County string // e.g. "嘉荫县", from the config; printed next to the title
	HowTo  string // one line, e.g. "打开 Telegram，扫描二维码，按“开始”"
	// HowToType tells people who cannot scan to send the code to the bot,
	// e.g. "不能扫码？在 Telegram 搜索 {bot}，把绑定码发给它"; {bot} is
	// replaced with "@" and Bot. It is printed only when Bot is set.
	HowToType string
	// Bot is the bot's username without "@", for HowToType.
	Bot string

	CadreLabel, UnitLabel, PhoneLabel, CodeLabel string // "帮扶干部", "单位", "电话", "绑定码"

	// FontPath is a TrueType font that can draw Chinese; "" means
	// fonts.Find("", true).
	FontPath string
	// LatinFontPath draws the characters the main font lacks: some CJK
	// fonts (DroidSansFallbackFull) have no digits or Latin letters. ""
	// means the first of LatinFontCandidates that exists.
	LatinFontPath string
	// CodeFontPath is the font of the binding code. "" means the first of
	// MonoFontCandidates that exists, else the other fonts. A monospace font
	// keeps l, I, 1 and O, 0 apart for people who type the code.
	CodeFontPath string
}

// LatinFontCandidates are TrueType fonts tried, in order, for the characters
// the main font lacks when Layout.LatinFontPath is empty (Debian packages
// fonts-dejavu-core, fonts-liberation, fonts-noto-core).
var LatinFontCandidates = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
}

// MonoFontCandidates are monospace TrueType fonts tried, in order, for the
// binding code when Layout.CodeFontPath is empty (fonts-dejavu-core,
// fonts-liberation, fonts-noto-mono).
var MonoFontCandidates = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
	"/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf",
}

// ErrNoCards is returned by PDF when given no cards.
var ErrNoCards = errors.New("cardprint: no cards to print")

// ErrMissingGlyph is returned (wrapped, with the character) when no font
// can draw a character of a card: a blank where a digit or a name should be
// would be worse than no card.
var ErrMissingGlyph = errors.New("cardprint: no font can draw a character")

// ErrNoLink is returned (wrapped, with the card's position) for a card
// without a binding link.
var ErrNoLink = errors.New("cardprint: card has no binding link")

// DefaultLayout returns the wording for lang: "en" (or "en-…") for English,
// anything else for Chinese. County and the font paths are left empty: the
// county comes from the config.
func DefaultLayout(lang string) Layout {
	if l := strings.ToLower(lang); l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_") {
		return Layout{
			Title:      "Contact Card",
			HowTo:      "Open Telegram, scan the QR code, tap “Start”",
			HowToType:  "Cannot scan? In Telegram, find {bot} and send it the code",
			CadreLabel: "Cadre",
			UnitLabel:  "Unit",
			PhoneLabel: "Phone",
			CodeLabel:  "Code",
		}
	}
	return Layout{
		Title:      "民情联系卡",
		HowTo:      "打开 Telegram，扫描二维码，按“开始”",
		HowToType:  "不能扫码？在 Telegram 搜索 {bot}，把绑定码发给它",
		CadreLabel: "帮扶干部",
		UnitLabel:  "单位",
		PhoneLabel: "电话",
		CodeLabel:  "绑定码",
	}
}

// CodeGroupSeparator separates the groups of GroupCode. It is a space, not a
// hyphen, because codes printed before the current alphabet may themselves
// contain '-' and '_'.
const CodeGroupSeparator = " "

// GroupCode splits code into groups of four characters for reading and
// typing: "7K2M9QXR4T" -> "7K2M 9QXR 4T". Whitespace in code is dropped
// first, so grouping twice is harmless. UngroupCode is the inverse.
func GroupCode(code string) string {
	r := []rune(UngroupCode(code))
	var b strings.Builder
	for i, c := range r {
		if i > 0 && i%4 == 0 {
			b.WriteString(CodeGroupSeparator)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// UngroupCode removes the whitespace a person may type between the groups
// printed by GroupCode, giving back the code.
func UngroupCode(typed string) string {
	return strings.Join(strings.Fields(typed), "")
}

// oneLine turns s into a single trimmed line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
