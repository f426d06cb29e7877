package demo

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
)

// buttonJSON is one inline keyboard button.
type buttonJSON struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// msgJSON is one message of GET /api/chat. HTML fields are safe to insert
// as markup; every other string is plain text.
type msgJSON struct {
	ID          int            `json:"id"`
	Bot         bool           `json:"bot"`                   // from the bot (else from the user)
	HTML        string         `json:"html"`                  // the text, rendered
	Media       string         `json:"media,omitempty"`       // photo, voice, location, document...
	MediaLabel  string         `json:"mediaLabel,omitempty"`  // e.g. "📷 照片"
	Caption     string         `json:"caption,omitempty"`     // the caption, rendered
	File        string         `json:"file,omitempty"`        // URL of the file, when there is one
	Image       bool           `json:"image,omitempty"`       // File is a picture to show
	ReplyTo     int            `json:"replyTo,omitempty"`     // id of the quoted message
	ReplyName   string         `json:"replyName,omitempty"`   // who wrote it
	ReplyText   string         `json:"replyText,omitempty"`   // its first words
	CopyOf      bool           `json:"copyOf,omitempty"`      // sent with copyMessage
	ForwardOf   bool           `json:"forwardOf,omitempty"`   // sent with forwardMessage
	Origin      string         `json:"origin,omitempty"`      // whose chat a copy or forward came from
	Buttons     [][]buttonJSON `json:"buttons,omitempty"`     // inline keyboard
	Silent      bool           `json:"silent,omitempty"`      // sent with disable_notification
	Edited      bool           `json:"edited,omitempty"`      // edited at least once
	Time        string         `json:"time"`                  // simulated time it arrived, "15:04"
	Day         string         `json:"day"`                   // and its day, "3月5日 周三"
	Unavailable bool           `json:"unavailable,omitempty"` // a kind the page cannot show
}

// chatJSON is the answer of GET /api/chat.
type chatJSON struct {
	User     int64      `json:"user"`
	Started  bool       `json:"started"` // the chat has messages
	Messages []msgJSON  `json:"messages"`
	Keyboard [][]string `json:"keyboard,omitempty"` // the reply keyboard in force
	Version  int64      `json:"version"`
	Person   personJSON `json:"person"`
}

// observe fingerprints the roster's chats and the clock's minute, bumps the
// version when the fingerprint changed, stamps newly seen messages with the
// simulated time, and returns the version.
func (h *server) observe() int64 {
	now := h.now()
	sum := fnv.New64a()
	var buf [8]byte
	put := func(n int64) {
		binary.LittleEndian.PutUint64(buf[:], uint64(n))
		sum.Write(buf[:])
	}
	put(now.Truncate(time.Minute).Unix())
	chats := make([][]telegramtest.Message, len(h.people))
	for i, p := range h.people {
		msgs := h.sim.TG.Messages(p.ID)
		chats[i] = msgs
		put(p.ID)
		put(int64(len(msgs)))
		for _, m := range msgs {
			deleted := int64(0)
			if m.Deleted {
				deleted = 1
			}
			put(int64(m.ID)<<20 | int64(len(m.History))<<1 | deleted)
		}
	}
	wall := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, p := range h.people {
		for _, m := range chats[i] {
			k := msgKey{p.ID, m.ID}
			if _, ok := h.stamps[k]; ok {
				continue
			}
			at := now
			if lag := wall.Sub(m.Date); lag > time.Minute { // seen late: it is older than now
				at = now.Add(-lag)
			}
			h.stamps[k] = at
		}
	}
	if fp := sum.Sum64(); fp != h.fp || h.version == 0 {
		h.fp = fp
		h.version++
	}
	return h.version
}

// stamp returns the simulated time a message was first seen.
func (h *server) stamp(chat int64, id int) time.Time {
	h.mu.Lock()
	t, ok := h.stamps[msgKey{chat, id}]
	h.mu.Unlock()
	if !ok {
		return h.now()
	}
	return t
}

// isImage reports whether a stored file is a picture (cached per file id).
func (h *server) isImage(fileID string) bool {
	h.mu.Lock()
	v, ok := h.images[fileID]
	h.mu.Unlock()
	if ok {
		return v
	}
	data, _, found := h.sim.TG.File(fileID)
	v = found && isPicture(http.DetectContentType(data))
	h.mu.Lock()
	h.images[fileID] = v
	h.mu.Unlock()
	return v
}

// chat renders p's private chat.
func (h *server) chat(p Person, version int64) chatJSON {
	msgs := h.sim.TG.Messages(p.ID)
	out := chatJSON{User: p.ID, Started: len(msgs) > 0, Messages: []msgJSON{}, Version: version,
		Person: personJSON{ID: p.ID, Name: p.Name, Role: p.Role, Label: p.Label, Lang: p.Lang, Started: len(msgs) > 0}}
	byID := make(map[int]telegramtest.Message, len(msgs))
	for _, m := range msgs {
		byID[m.ID] = m
	}
	bot := h.sim.TG.Bot().FirstName
	for _, m := range msgs {
		if m.FromBot {
			if m.ReplyKeyboard != nil {
				out.Keyboard = m.ReplyKeyboard
			} else if m.RemoveKeyboard {
				out.Keyboard = nil
			}
		}
		if m.Deleted {
			continue
		}
		out.Messages = append(out.Messages, h.message(p, m, byID, bot))
	}
	return out
}

// message renders one message of p's chat.
func (h *server) message(p Person, m telegramtest.Message, byID map[int]telegramtest.Message, bot string) msgJSON {
	at := h.stamp(p.ID, m.ID)
	j := msgJSON{ID: m.ID, Bot: m.FromBot, Silent: m.DisableNotification, Edited: m.Edited,
		Time: at.Format("15:04"), Day: shortDay(at)}
	if m.Media == telegramtest.MediaNone {
		j.HTML = renderEntities(m.Text, m.Entities)
	} else {
		j.Media = string(m.Media)
		j.MediaLabel, j.Unavailable = mediaLabel(m)
		j.Caption = renderEntities(m.Caption, m.Entities)
		if m.FileID != "" {
			j.File = "/api/file?" + url.Values{"user": {strconv.FormatInt(p.ID, 10)}, "id": {strconv.Itoa(m.ID)}}.Encode()
			j.Image = (m.Media == telegramtest.MediaPhoto || m.Media == telegramtest.MediaDocument) && h.isImage(m.FileID)
		}
	}
	if m.ReplyTo != 0 {
		j.ReplyTo = m.ReplyTo
		if q, ok := byID[m.ReplyTo]; ok && !q.Deleted {
			j.ReplyName = p.Name
			if q.FromBot {
				j.ReplyName = bot
			}
			j.ReplyText = snippet(q)
		}
	}
	switch {
	case m.CopyOf != telegramtest.Ref{}:
		j.CopyOf, j.Origin = true, h.byID[m.CopyOf.ChatID].Name
	case m.ForwardOf != telegramtest.Ref{}:
		j.ForwardOf, j.Origin = true, h.byID[m.ForwardOf.ChatID].Name
	}
	for _, row := range m.Buttons {
		var r []buttonJSON
		for _, b := range row {
			r = append(r, buttonJSON{Text: b.Text, Data: b.CallbackData, URL: b.URL})
		}
		j.Buttons = append(j.Buttons, r)
	}
	return j
}

// snippet is the first words of a message, for a reply's quote.
func snippet(m telegramtest.Message) string {
	s := m.Text
	if s == "" {
		label, _ := mediaLabel(m)
		s = label
		if m.Caption != "" {
			s += " " + m.Caption
		}
	}
	r := []rune(s)
	if len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// mediaLabel names a media message for the page, and reports kinds it
// cannot show at all.
func mediaLabel(m telegramtest.Message) (string, bool) {
	raw := m.Raw
	switch m.Media {
	case telegramtest.MediaPhoto:
		return "📷 照片", false
	case telegramtest.MediaVoice:
		d := 0
		if raw.Voice != nil {
			d = raw.Voice.Duration
		}
		return fmt.Sprintf("🎤 语音 %d:%02d", d/60, d%60), false
	case telegramtest.MediaLocation, telegramtest.MediaVenue:
		if l := raw.Location; l != nil {
			return fmt.Sprintf("📍 位置 %.4f, %.4f", l.Latitude, l.Longitude), false
		}
		return "📍 位置", false
	case telegramtest.MediaDocument:
		name := m.FileName
		if name == "" {
			name = "文件"
		}
		return "📄 " + name, false
	case telegramtest.MediaVideo, telegramtest.MediaVideoNote, telegramtest.MediaAnimation:
		return "🎬 视频", false
	case telegramtest.MediaAudio:
		return "🎵 音频", false
	case telegramtest.MediaSticker:
		if raw.Sticker != nil && raw.Sticker.Emoji != "" {
			return raw.Sticker.Emoji, false
		}
		return "贴纸", false
	case telegramtest.MediaContact:
		if c := raw.Contact; c != nil {
			return "👤 " + c.FirstName + " " + c.PhoneNumber, false
		}
		return "👤 联系人", false
	case telegramtest.MediaPoll:
		return "📊 投票", false
	case telegramtest.MediaDice:
		return "🎲", false
	}
	return "（不支持的消息 unsupported message）", true
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// shortDay is "3月5日 周三".
func shortDay(t time.Time) string {
	return fmt.Sprintf("%d月%d日 %s", t.Month(), t.Day(), weekdays[t.Weekday()])
}

// longTime is "2025年3月5日 周三 09:00".
func longTime(t time.Time) string {
	return fmt.Sprintf("%d年%s", t.Year(), shortDay(t)) + " " + t.Format("15:04")
}
