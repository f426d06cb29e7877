package flows

import "unicode/utf8"

// MsgKind is what a message carries.
type MsgKind string

// Message kinds a household or cadre can send.
const (
	KindText        MsgKind = "text"
	KindVoice       MsgKind = "voice"
	KindPhoto       MsgKind = "photo"
	KindVideo       MsgKind = "video"
	KindDocument    MsgKind = "document"
	KindLocation    MsgKind = "location"
	KindContact     MsgKind = "contact"
	KindUnsupported MsgKind = "unsupported" // stickers, polls, dice, …
)

// Media reports whether the message must be copied rather than quoted.
func (k MsgKind) Media() bool {
	return k != KindText && k != KindUnsupported && k != ""
}

// Message is an incoming message, stripped of its transport.
type Message struct {
	UpdateID  int64  // the transport's id of the update, for idempotency
	AccountID int64  // the sender's account
	ChatID    int64  // where it was sent (a private chat)
	MessageID int    // its id in that chat
	Lang      string // the sender's client language, e.g. "zh-hans", "en"
	Name      string // the sender's display name (only shown to staff)
	Kind      MsgKind
	Text      string  // text, or the caption of media
	ReplyTo   int     // id of the message it replies to in the same chat, 0 if none
	Lat, Lon  float64 // a location's coordinates (KindLocation)
}

// summaryRunes bounds a request's summary.
const summaryRunes = 60

// Summarize returns the first words of text, at most n runes, with an
// ellipsis when cut.
func Summarize(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return string(r[:n]) + "…"
}
