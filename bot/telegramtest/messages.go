package telegramtest

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/go-telegram/bot/models"
)

// MediaKind names the content type of a message ("" for plain text).
type MediaKind string

// Media kinds a Message can carry.
const (
	MediaNone      MediaKind = ""
	MediaPhoto     MediaKind = "photo"
	MediaVoice     MediaKind = "voice"
	MediaVideo     MediaKind = "video"
	MediaVideoNote MediaKind = "video_note"
	MediaAudio     MediaKind = "audio"
	MediaAnimation MediaKind = "animation"
	MediaDocument  MediaKind = "document"
	MediaSticker   MediaKind = "sticker"
	MediaLocation  MediaKind = "location"
	MediaVenue     MediaKind = "venue"
	MediaContact   MediaKind = "contact"
	MediaPoll      MediaKind = "poll"
	MediaDice      MediaKind = "dice"
)

// Button is one inline keyboard button.
type Button struct {
	Text         string
	CallbackData string
	URL          string
}

// Ref points at a message in a chat.
type Ref struct {
	ChatID    int64
	MessageID int
}

// Revision is a message's content before one of its edits.
type Revision struct {
	Time       time.Time
	Text       string
	Caption    string
	SourceText string
	Buttons    [][]Button
}

// Message is a snapshot of one message in a chat, in either direction.
type Message struct {
	ChatID   int64
	ID       int
	UpdateID int64 // update that delivered a user's message to the bot; 0 for bot messages
	From     models.User
	FromBot  bool
	Date     time.Time

	Text       string // text as the user sees it (formatting parsed away)
	Caption    string // caption as the user sees it
	SourceText string // text or caption as the bot sent it, before parse_mode
	ParseMode  string
	Entities   []models.MessageEntity // entities of Text or Caption

	Media    MediaKind
	FileID   string // largest photo size, or the voice/document/... file
	FileName string

	Buttons        [][]Button // inline keyboard
	ReplyKeyboard  [][]string // texts of a reply keyboard sent with the message
	RemoveKeyboard bool       // the message removed the reply keyboard

	ReplyTo             int // id of the replied message, 0 if none
	DisableNotification bool
	LinkPreviewDisabled bool
	ProtectContent      bool
	CopyOf              Ref // source of a copyMessage, zero if none
	ForwardOf           Ref // source of a forwardMessage, zero if none

	Edited  bool
	History []Revision // earlier versions, oldest first
	Deleted bool

	Raw models.Message // the message as the Bot API returns it
}

// ButtonData returns the callback data of the first inline button with the given text.
func (m Message) ButtonData(text string) (string, bool) {
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == text && b.CallbackData != "" {
				return b.CallbackData, true
			}
		}
	}
	return "", false
}

type record struct {
	msg                 models.Message
	updateID            int64
	fromBot             bool
	source              string
	parseMode           string
	disableNotification bool
	replyKeyboard       [][]string
	removeKeyboard      bool
	copyOf, forwardOf   Ref
	history             []Revision
	deleted             bool
}

type chatState struct {
	chat       models.Chat
	nextID     int
	recs       []*record
	byID       map[int]*record
	blocked    bool
	notStarted bool
}

func (cs *chatState) find(id int) *record {
	r := cs.byID[id]
	if r == nil || r.deleted {
		return nil
	}
	return r
}

func newChat(chat models.Chat) *chatState {
	return &chatState{chat: chat, nextID: 1, byID: map[int]*record{}}
}

// privateChatLocked returns u's private chat, creating it; it refreshes the
// user's names and marks the bot as started.
func (s *Server) privateChatLocked(u User) *chatState {
	cs := s.chats[u.ID]
	if cs == nil {
		cs = newChat(models.Chat{})
		s.chats[u.ID] = cs
	}
	cs.chat = models.Chat{ID: u.ID, Type: models.ChatTypePrivate, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
	cs.notStarted = false
	return cs
}

// appendLocked stores a new message in cs, assigning its id, date and chat.
func (s *Server) appendLocked(cs *chatState, m models.Message, rec *record) *record {
	m.ID = cs.nextID
	cs.nextID++
	m.Date = int(time.Now().Unix())
	m.Chat = cs.chat
	rec.msg = m
	cs.recs = append(cs.recs, rec)
	cs.byID[m.ID] = rec
	s.notifyLocked()
	return rec
}

// quoted returns a copy of r's message for embedding as reply_to_message or
// a callback's message (Telegram does not nest replies further).
func (r *record) quoted() *models.Message {
	m := r.msg
	m.ReplyToMessage = nil
	return &m
}

func cloneMessage(m *models.Message) models.Message {
	var out models.Message
	data, err := json.Marshal(m)
	if err == nil {
		err = json.Unmarshal(data, &out)
	}
	if err != nil {
		panic("telegramtest: clone message: " + err.Error())
	}
	return out
}

func buttonsOf(kb *models.InlineKeyboardMarkup) [][]Button {
	if kb == nil {
		return nil
	}
	out := make([][]Button, len(kb.InlineKeyboard))
	for i, row := range kb.InlineKeyboard {
		out[i] = make([]Button, len(row))
		for j, b := range row {
			out[i][j] = Button{Text: b.Text, CallbackData: b.CallbackData, URL: b.URL}
		}
	}
	return out
}

func mediaOf(m *models.Message) (kind MediaKind, fileID, fileName string) {
	switch {
	case len(m.Photo) > 0:
		return MediaPhoto, m.Photo[len(m.Photo)-1].FileID, ""
	case m.Voice != nil:
		return MediaVoice, m.Voice.FileID, ""
	case m.Video != nil:
		return MediaVideo, m.Video.FileID, m.Video.FileName
	case m.VideoNote != nil:
		return MediaVideoNote, m.VideoNote.FileID, ""
	case m.Audio != nil:
		return MediaAudio, m.Audio.FileID, m.Audio.FileName
	case m.Animation != nil:
		return MediaAnimation, m.Animation.FileID, m.Animation.FileName
	case m.Document != nil:
		return MediaDocument, m.Document.FileID, m.Document.FileName
	case m.Sticker != nil:
		return MediaSticker, m.Sticker.FileID, ""
	case m.Venue != nil:
		return MediaVenue, "", ""
	case m.Location != nil:
		return MediaLocation, "", ""
	case m.Contact != nil:
		return MediaContact, "", ""
	case m.Poll != nil:
		return MediaPoll, "", ""
	case m.Dice != nil:
		return MediaDice, "", ""
	}
	return MediaNone, "", ""
}

func (r *record) snapshot() Message {
	raw := cloneMessage(&r.msg)
	m := Message{
		ChatID: raw.Chat.ID, ID: raw.ID, UpdateID: r.updateID, FromBot: r.fromBot,
		Date: time.Unix(int64(raw.Date), 0), Text: raw.Text, Caption: raw.Caption,
		SourceText: r.source, ParseMode: r.parseMode, Entities: raw.Entities,
		Buttons: buttonsOf(raw.ReplyMarkup), RemoveKeyboard: r.removeKeyboard,
		DisableNotification: r.disableNotification, ProtectContent: raw.HasProtectedContent,
		CopyOf: r.copyOf, ForwardOf: r.forwardOf, Edited: len(r.history) > 0, Deleted: r.deleted,
		Raw: raw,
	}
	if raw.Text == "" {
		m.Entities = raw.CaptionEntities
	}
	if m.SourceText == "" {
		m.SourceText = raw.Text + raw.Caption
	}
	if raw.From != nil {
		m.From = *raw.From
	}
	m.Media, m.FileID, m.FileName = mediaOf(&raw)
	for _, row := range r.replyKeyboard {
		m.ReplyKeyboard = append(m.ReplyKeyboard, append([]string(nil), row...))
	}
	if raw.ReplyToMessage != nil {
		m.ReplyTo = raw.ReplyToMessage.ID
	}
	if lp := raw.LinkPreviewOptions; lp != nil && lp.IsDisabled != nil {
		m.LinkPreviewDisabled = *lp.IsDisabled
	}
	for _, h := range r.history {
		h.Buttons = copyButtons(h.Buttons)
		m.History = append(m.History, h)
	}
	return m
}

func copyButtons(rows [][]Button) [][]Button {
	if rows == nil {
		return nil
	}
	out := make([][]Button, len(rows))
	for i, row := range rows {
		out[i] = append([]Button(nil), row...)
	}
	return out
}

// Messages returns a snapshot of every message in the chat (both directions,
// deleted ones included and flagged), oldest first.
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	out := make([]Message, 0, len(cs.recs))
	for _, r := range cs.recs {
		out = append(out, r.snapshot())
	}
	return out
}

// BotMessages returns the bot's messages in the chat, oldest first.
func (s *Server) BotMessages(chatID int64) []Message {
	var out []Message
	for _, m := range s.Messages(chatID) {
		if m.FromBot {
			out = append(out, m)
		}
	}
	return out
}

// botMessageCount counts the bot's messages in a chat without snapshotting them.
func (s *Server) botMessageCount(chatID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	if cs := s.chats[chatID]; cs != nil {
		for _, r := range cs.recs {
			if r.fromBot {
				n++
			}
		}
	}
	return n
}

// LastBotMessage returns the bot's latest message in the chat.
func (s *Server) LastBotMessage(chatID int64) (Message, bool) {
	msgs := s.BotMessages(chatID)
	if len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[len(msgs)-1], true
}

// Message returns one message of a chat by id.
func (s *Server) Message(chatID int64, id int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.chats[chatID]; cs != nil && cs.byID[id] != nil {
		return cs.byID[id].snapshot(), true
	}
	return Message{}, false
}

// Chats returns the ids of every chat the emulator knows, in ascending order.
func (s *Server) Chats() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int64, 0, len(s.chats))
	for id := range s.chats {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// AddUser registers a user who has started the bot, so the bot may message
// them before they write anything.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.privateChatLocked(u)
	s.notifyLocked()
}

// AddUserNotStarted registers a user who never started the bot: sends to
// them fail with 403 "bot can't initiate conversation with a user" until the
// user writes to the bot.
func (s *Server) AddUserNotStarted(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.privateChatLocked(u).notStarted = true
	s.notifyLocked()
}

// AddGroup registers a group the bot is a member of (use a negative id; ids
// below -1000000000000 are supergroups).
func (s *Server) AddGroup(chatID int64, title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groupChatLocked(chatID, title)
	s.notifyLocked()
}

func (s *Server) groupChatLocked(chatID int64, title string) *chatState {
	cs := s.chats[chatID]
	if cs == nil {
		typ := models.ChatTypeGroup
		if chatID < -1_000_000_000_000 {
			typ = models.ChatTypeSupergroup
		}
		cs = newChat(models.Chat{ID: chatID, Type: typ})
		s.chats[chatID] = cs
	}
	if title != "" {
		cs.chat.Title = title
	}
	return cs
}

// Block makes the chat's user block the bot: every send to the chat fails with
// 403 "bot was blocked by the user" until [Server.Unblock]. Messages from the
// user do not unblock.
func (s *Server) Block(chatID int64) { s.setBlocked(chatID, true) }

// Unblock undoes [Server.Block].
func (s *Server) Unblock(chatID int64) { s.setBlocked(chatID, false) }

func (s *Server) setBlocked(chatID int64, blocked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		cs = newChat(models.Chat{ID: chatID, Type: models.ChatTypePrivate})
		s.chats[chatID] = cs
	}
	cs.blocked = blocked
	s.notifyLocked()
}
