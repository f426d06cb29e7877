package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// User is a Telegram user played by a test. Their private chat with the bot
// has the same id as the user.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
}

// Model returns the user as the Bot API describes them.
func (u User) Model() models.User {
	return models.User{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username, LanguageCode: u.LanguageCode}
}

// SendMessage injects a message written by u and queues the matching
// "message" update. Fields of m the emulator owns are overwritten: id, date,
// from and chat (u's private chat unless m.Chat.ID names another chat, e.g. a
// group, which is created if unknown). A leading /command in m.Text gets its
// bot_command entity when m.Entities is nil. A non-nil m.ReplyToMessage is
// replaced by the stored message with that id, if it exists. Sending marks u
// as having started the bot (it does not undo [Server.Block]).
func (s *Server) SendMessage(u User, m models.Message) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cs *chatState
	if m.Chat.ID != 0 && m.Chat.ID != u.ID {
		cs = s.groupChatLocked(m.Chat.ID, m.Chat.Title)
	} else {
		cs = s.privateChatLocked(u)
	}
	from := u.Model()
	m.From = &from
	if m.Text != "" && m.Entities == nil {
		m.Entities = commandEntities(m.Text)
	}
	if m.ReplyToMessage != nil {
		if r := cs.find(m.ReplyToMessage.ID); r != nil {
			m.ReplyToMessage = r.quoted()
		}
	}
	rec := s.appendLocked(cs, m, &record{})
	msg := rec.msg
	rec.updateID = s.enqueueLocked(&models.Update{Message: &msg})
	return rec.snapshot()
}

// SendText injects a text message from u to the bot. "/start abc" carries a
// bot_command entity, as from Telegram.
func (s *Server) SendText(u User, text string) Message {
	return s.SendMessage(u, models.Message{Text: text})
}

// SendReply injects a text message from u replying to message replyTo of
// their private chat (e.g. a bot message); reply_to_message carries the full
// replied message.
func (s *Server) SendReply(u User, text string, replyTo int) Message {
	return s.SendMessage(u, models.Message{Text: text, ReplyToMessage: &models.Message{ID: replyTo}})
}

// SendPhoto injects a photo with an optional caption.
func (s *Server) SendPhoto(u User, caption string) Message {
	return s.sendMedia(u, MediaPhoto, "", caption, "")
}

// SendVoice injects a voice message.
func (s *Server) SendVoice(u User) Message { return s.sendMedia(u, MediaVoice, "", "", "") }

// SendVideo injects a video with an optional caption.
func (s *Server) SendVideo(u User, caption string) Message {
	return s.sendMedia(u, MediaVideo, "video.mp4", caption, "")
}

// SendSticker injects a sticker showing emoji.
func (s *Server) SendSticker(u User, emoji string) Message {
	return s.sendMedia(u, MediaSticker, "", "", emoji)
}

// SendDocument injects a document upload with the given file name, content
// and optional caption; the bot can fetch it through getFile.
func (s *Server) SendDocument(u User, fileName string, data []byte, caption string) Message {
	fileID := s.PutFile(MediaDocument, fileName, data)
	s.mu.Lock()
	f := s.files[fileID]
	s.mu.Unlock()
	var m models.Message
	setMedia(&m, MediaDocument, f, "")
	m.Caption = caption
	return s.SendMessage(u, m)
}

func (s *Server) sendMedia(u User, kind MediaKind, name, caption, extra string) Message {
	s.mu.Lock()
	f := s.newFileLocked(kind, name, nil)
	s.mu.Unlock()
	var m models.Message
	setMedia(&m, kind, f, extra)
	m.Caption = caption
	return s.SendMessage(u, m)
}

// SendLocation injects a shared location.
func (s *Server) SendLocation(u User, lat, lon float64) Message {
	return s.SendMessage(u, models.Message{Location: &models.Location{Latitude: lat, Longitude: lon}})
}

// SendContact injects a shared contact. Its user_id is u's own id, as when a
// user shares their contact through a request_contact button; inject other
// contacts with [Server.SendMessage].
func (s *Server) SendContact(u User, phone, firstName string) Message {
	return s.SendMessage(u, models.Message{Contact: &models.Contact{PhoneNumber: phone, FirstName: firstName, UserID: u.ID}})
}

// EditText makes u edit one of their text messages and queues an
// "edited_message" update.
func (s *Server) EditText(u User, messageID int, text string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[u.ID]
	if cs == nil || cs.find(messageID) == nil {
		return Message{}, fmt.Errorf("telegramtest: no message %d in chat %d", messageID, u.ID)
	}
	r := cs.find(messageID)
	if r.fromBot || r.msg.Text == "" {
		return Message{}, fmt.Errorf("telegramtest: message %d is not a text message of user %d", messageID, u.ID)
	}
	next := r.msg
	next.Text, next.Entities = text, commandEntities(text)
	if e := s.reviseLocked(r, next, text, ""); e != nil {
		return Message{}, fmt.Errorf("telegramtest: %s", e.desc)
	}
	msg := r.msg
	s.enqueueLocked(&models.Update{EditedMessage: &msg})
	return r.snapshot(), nil
}

// CallbackAnswer is one answerCallbackQuery call.
type CallbackAnswer struct {
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
	Time      time.Time
}

type callbackState struct {
	chatID    int64
	messageID int
	data      string
	answers   []CallbackAnswer
}

// PressButton makes u press an inline button with callbackData under message
// messageID of their private chat and queues the callback_query update. The
// update's message is the stored message (from the bot, with its keyboard and
// a non-zero date); a missing or deleted message is sent as inaccessible
// (date 0). The data is not checked against the keyboard: any client can send
// any data. It returns the callback query id.
func (s *Server) PressButton(u User, messageID int, callbackData string) string {
	return s.PressButtonIn(u, u.ID, messageID, callbackData)
}

// PressButtonIn is [Server.PressButton] for a message in any chat (e.g. a group).
func (s *Server) PressButtonIn(u User, chatID int64, messageID int, callbackData string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if chatID == u.ID {
		cs = s.privateChatLocked(u)
	} else if cs == nil {
		cs = s.groupChatLocked(chatID, "")
	}
	s.nextCB++
	id := strconv.FormatInt(s.nextCB, 10)
	cq := &models.CallbackQuery{ID: id, From: u.Model(), Data: callbackData,
		ChatInstance: strconv.FormatInt(chatID*7919+1_000_003, 10)}
	if r := cs.find(messageID); r != nil {
		cq.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: r.quoted()}
	} else {
		cq.Message = models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeInaccessibleMessage,
			InaccessibleMessage: &models.InaccessibleMessage{Chat: cs.chat, MessageID: messageID}}
	}
	s.callbacks[id] = &callbackState{chatID: chatID, messageID: messageID, data: callbackData}
	s.cbOrder = append(s.cbOrder, id)
	s.enqueueLocked(&models.Update{CallbackQuery: cq})
	return id
}

// PressButtonText presses the inline button labelled text under a message of
// u's private chat, and returns the callback query id.
func (s *Server) PressButtonText(u User, messageID int, text string) (string, error) {
	m, ok := s.Message(u.ID, messageID)
	if !ok {
		return "", fmt.Errorf("telegramtest: no message %d in chat %d", messageID, u.ID)
	}
	data, ok := m.ButtonData(text)
	if !ok {
		return "", fmt.Errorf("telegramtest: message %d has no callback button %q (buttons: %v)", messageID, text, m.Buttons)
	}
	return s.PressButton(u, messageID, data), nil
}

// CallbackAnswers returns every answerCallbackQuery call for the query, in order.
func (s *Server) CallbackAnswers(queryID string) []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cb := s.callbacks[queryID]; cb != nil {
		return append([]CallbackAnswer(nil), cb.answers...)
	}
	return nil
}

// CallbackAnswer returns the text of the query's first answer and whether it was answered.
func (s *Server) CallbackAnswer(queryID string) (text string, ok bool) {
	answers := s.CallbackAnswers(queryID)
	if len(answers) == 0 {
		return "", false
	}
	return answers[0].Text, true
}

// UnansweredCallbacks lists the ids of button presses the bot has not answered yet.
func (s *Server) UnansweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.cbOrder {
		if len(s.callbacks[id].answers) == 0 {
			out = append(out, id)
		}
	}
	return out
}

func mAnswerCallbackQuery(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[p.str("callback_query_id")]
	if cb == nil {
		return nil, errBadRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if utf8.RuneCountInString(p.str("text")) > 200 {
		return nil, errBadRequest("MESSAGE_TOO_LONG")
	}
	cacheTime, e := p.int("cache_time")
	if e != nil {
		return nil, e
	}
	cb.answers = append(cb.answers, CallbackAnswer{Text: p.str("text"), ShowAlert: p.boolean("show_alert"),
		URL: p.str("url"), CacheTime: cacheTime, Time: time.Now()})
	s.notifyLocked()
	return trueJSON, nil
}
