package telegramtest

import (
	"context"
	"encoding/json"
	"path"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

type methodFunc func(s *Server, ctx context.Context, p *params) (json.RawMessage, *apiError)

type methodEntry struct {
	name string
	fn   methodFunc
}

var methodTable = map[string]methodEntry{}

func init() {
	for name, fn := range map[string]methodFunc{
		"getMe":                  mGetMe,
		"getUpdates":             (*Server).getUpdates,
		"setWebhook":             mSetWebhook,
		"deleteWebhook":          mDeleteWebhook,
		"getWebhookInfo":         mGetWebhookInfo,
		"setMyCommands":          mSetMyCommands,
		"getMyCommands":          mGetMyCommands,
		"deleteMyCommands":       mDeleteMyCommands,
		"sendMessage":            mSendMessage,
		"copyMessage":            mCopyMessage,
		"forwardMessage":         mForwardMessage,
		"editMessageText":        mEditMessageText,
		"editMessageCaption":     mEditMessageCaption,
		"editMessageReplyMarkup": mEditMessageReplyMarkup,
		"deleteMessage":          mDeleteMessage,
		"answerCallbackQuery":    mAnswerCallbackQuery,
		"sendChatAction":         mSendChatAction,
		"getFile":                mGetFile,
		"sendPhoto":              mSendMedia(MediaPhoto, "photo"),
		"sendDocument":           mSendMedia(MediaDocument, "document"),
		"sendVoice":              mSendMedia(MediaVoice, "voice"),
		"sendVideo":              mSendMedia(MediaVideo, "video"),
		"sendVideoNote":          mSendMedia(MediaVideoNote, "video_note"),
		"sendAudio":              mSendMedia(MediaAudio, "audio"),
		"sendAnimation":          mSendMedia(MediaAnimation, "animation"),
		"sendSticker":            mSendMedia(MediaSticker, "sticker"),
	} {
		methodTable[strings.ToLower(name)] = methodEntry{name: name, fn: fn}
	}
}

// lookupMethod finds a handler; Bot API method names are case-insensitive.
func lookupMethod(name string) (methodFunc, string) {
	e, ok := methodTable[strings.ToLower(name)]
	if !ok {
		return nil, name
	}
	return e.fn, e.name
}

var trueJSON = json.RawMessage("true")

// chatLocked resolves a chat parameter. For sends it also applies the
// user's block / never-started state.
func (s *Server) chatLocked(p *params, key string, sending bool) (*chatState, *apiError) {
	v := strings.TrimSpace(p.str(key))
	if v == "" {
		return nil, errBadRequest(key + " is empty")
	}
	var cs *chatState
	if name, ok := strings.CutPrefix(v, "@"); ok {
		for _, c := range s.chats {
			if strings.EqualFold(c.chat.Username, name) && c.chat.Type != models.ChatTypePrivate {
				cs = c
			}
		}
	} else if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		cs = s.chats[id]
	}
	if cs == nil {
		return nil, errBadRequest("chat not found")
	}
	if sending && cs.blocked {
		return nil, errForbidden("bot was blocked by the user")
	}
	if sending && cs.notStarted {
		return nil, errForbidden("bot can't initiate conversation with a user")
	}
	return cs, nil
}

// parseText applies parse_mode (or explicit entities) and the length limit.
func parseText(p *params, text, entitiesKey string, limit int, tooLong string) (string, []models.MessageEntity, *apiError) {
	pm := p.str("parse_mode")
	plain, ents, err := formatText(text, pm)
	if err != nil {
		return "", nil, errBadRequest(err.Error())
	}
	if pm == "" {
		if e := p.decode(entitiesKey, &ents); e != nil {
			return "", nil, e
		}
	}
	if utf16Len(plain) > limit {
		return "", nil, errBadRequest(tooLong)
	}
	return plain, ents, nil
}

// applyReplyMarkup decodes reply_markup into m (inline keyboards) or rec
// (reply keyboards). Absent markup leaves m.ReplyMarkup nil.
func applyReplyMarkup(p *params, m *models.Message, rec *record, inlineOnly bool) *apiError {
	m.ReplyMarkup = nil
	raw := p.str("reply_markup")
	if raw == "" {
		return nil
	}
	var rm struct {
		InlineKeyboard [][]models.InlineKeyboardButton `json:"inline_keyboard"`
		Keyboard       [][]json.RawMessage             `json:"keyboard"`
		RemoveKeyboard bool                            `json:"remove_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &rm); err != nil {
		return errBadRequest("can't parse reply keyboard markup JSON object")
	}
	if rm.InlineKeyboard == nil && inlineOnly {
		return errBadRequest("inline keyboard expected")
	}
	if rm.InlineKeyboard != nil {
		for _, row := range rm.InlineKeyboard {
			for _, b := range row {
				if len(b.CallbackData) > 64 {
					return errBadRequest("BUTTON_DATA_INVALID")
				}
				if b.CallbackData == "" && b.URL == "" && b.WebApp == nil && b.LoginURL == nil &&
					b.SwitchInlineQuery == "" && b.SwitchInlineQueryCurrentChat == "" && b.SwitchInlineQueryChosenChat == nil &&
					b.CopyText.Text == "" && b.CallbackGame == nil && !b.Pay {
					return errBadRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
				}
			}
		}
		m.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: rm.InlineKeyboard}
		return nil
	}
	rec.removeKeyboard = rm.RemoveKeyboard
	for _, row := range rm.Keyboard {
		var texts []string
		for _, b := range row {
			var btn struct {
				Text string `json:"text"`
			}
			if json.Unmarshal(b, &btn.Text) != nil && json.Unmarshal(b, &btn) != nil {
				return errBadRequest("can't parse keyboard button")
			}
			texts = append(texts, btn.Text)
		}
		rec.replyKeyboard = append(rec.replyKeyboard, texts)
	}
	return nil
}

// decorateLocked applies the options common to every send: reply markup,
// reply parameters, notification and protection flags.
func (s *Server) decorateLocked(p *params, cs *chatState, m *models.Message, rec *record) *apiError {
	if e := applyReplyMarkup(p, m, rec, false); e != nil {
		return e
	}
	var rp models.ReplyParameters
	if e := p.decode("reply_parameters", &rp); e != nil {
		return e
	}
	if rp.MessageID == 0 && p.has("reply_to_message_id") {
		rp.MessageID, _ = p.int("reply_to_message_id")
		rp.AllowSendingWithoutReply = p.boolean("allow_sending_without_reply")
	}
	if rp.MessageID != 0 {
		if r := cs.find(rp.MessageID); r != nil {
			m.ReplyToMessage = r.quoted()
		} else if !rp.AllowSendingWithoutReply {
			return errBadRequest("message to be replied not found")
		}
	}
	rec.disableNotification = p.boolean("disable_notification")
	m.HasProtectedContent = p.boolean("protect_content")
	return nil
}

func mGetMe(s *Server, _ context.Context, _ *params) (json.RawMessage, *apiError) {
	return mustJSON(s.bot), nil
}

func mSendMessage(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e := s.chatLocked(p, "chat_id", true)
	if e != nil {
		return nil, e
	}
	text := p.str("text")
	plain, ents, e := parseText(p, text, "entities", 4096, "message is too long")
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(plain) == "" {
		return nil, errBadRequest("message text is empty")
	}
	bot := s.bot
	m := models.Message{From: &bot, Text: plain, Entities: ents}
	var lpo models.LinkPreviewOptions
	if p.has("link_preview_options") {
		if e := p.decode("link_preview_options", &lpo); e != nil {
			return nil, e
		}
		m.LinkPreviewOptions = &lpo
	} else if p.boolean("disable_web_page_preview") {
		t := true
		m.LinkPreviewOptions = &models.LinkPreviewOptions{IsDisabled: &t}
	}
	rec := &record{fromBot: true, source: text, parseMode: p.str("parse_mode")}
	if e := s.decorateLocked(p, cs, &m, rec); e != nil {
		return nil, e
	}
	s.appendLocked(cs, m, rec)
	return mustJSON(&rec.msg), nil
}

// inputFileLocked resolves an InputFile parameter: an upload, a known
// file_id, or an HTTP URL.
func (s *Server) inputFileLocked(p *params, field string, kind MediaKind) (*fileRec, *apiError) {
	v := p.str(field)
	up, ok := p.files[field]
	if name, isAttach := strings.CutPrefix(v, "attach://"); isAttach {
		up, ok = p.files[name]
	}
	if ok {
		if len(up.data) == 0 {
			return nil, errBadRequest("file must be non-empty")
		}
		return s.newFileLocked(kind, up.name, up.data), nil
	}
	if v == "" {
		return nil, errBadRequest("there is no " + field + " in the request")
	}
	if f := s.files[v]; f != nil {
		return f, nil
	}
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		return s.newFileLocked(kind, path.Base(v), nil), nil
	}
	return nil, errBadRequest("wrong file identifier/HTTP URL specified")
}

func mSendMedia(kind MediaKind, field string) methodFunc {
	return func(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
		s.mu.Lock()
		defer s.mu.Unlock()
		cs, e := s.chatLocked(p, "chat_id", true)
		if e != nil {
			return nil, e
		}
		f, e := s.inputFileLocked(p, field, kind)
		if e != nil {
			return nil, e
		}
		caption := p.str("caption")
		plain, ents, e := parseText(p, caption, "caption_entities", 1024, "message caption is too long")
		if e != nil {
			return nil, e
		}
		bot := s.bot
		m := models.Message{From: &bot, Caption: plain, CaptionEntities: ents, HasMediaSpoiler: p.boolean("has_spoiler")}
		setMedia(&m, kind, f, p.str("emoji"))
		rec := &record{fromBot: true, source: caption, parseMode: p.str("parse_mode")}
		if e := s.decorateLocked(p, cs, &m, rec); e != nil {
			return nil, e
		}
		s.appendLocked(cs, m, rec)
		return mustJSON(&rec.msg), nil
	}
}

// content copies the content fields of a message (what copy/forward carry).
func content(src *models.Message) models.Message {
	return models.Message{
		Text: src.Text, Entities: src.Entities, LinkPreviewOptions: src.LinkPreviewOptions,
		Animation: src.Animation, Audio: src.Audio, Document: src.Document, Photo: src.Photo,
		Sticker: src.Sticker, Video: src.Video, VideoNote: src.VideoNote, Voice: src.Voice,
		Caption: src.Caption, CaptionEntities: src.CaptionEntities, HasMediaSpoiler: src.HasMediaSpoiler,
		Contact: src.Contact, Dice: src.Dice, Poll: src.Poll, Venue: src.Venue, Location: src.Location,
	}
}

// sourceLocked resolves from_chat_id and message_id of a copy or forward.
func (s *Server) sourceLocked(p *params, missing string) (*chatState, *record, *apiError) {
	src, e := s.chatLocked(p, "from_chat_id", false)
	if e != nil {
		return nil, nil, e
	}
	id, e := p.int("message_id")
	if e != nil {
		return nil, nil, e
	}
	r := src.find(id)
	if r == nil {
		return nil, nil, errBadRequest(missing)
	}
	return src, r, nil
}

func mCopyMessage(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e := s.chatLocked(p, "chat_id", true)
	if e != nil {
		return nil, e
	}
	src, sr, e := s.sourceLocked(p, "message to copy not found")
	if e != nil {
		return nil, e
	}
	bot := s.bot
	m := content(&sr.msg)
	m.From = &bot
	rec := &record{fromBot: true, source: sr.source, parseMode: sr.parseMode, copyOf: Ref{src.chat.ID, sr.msg.ID}}
	if kind, _, _ := mediaOf(&m); p.has("caption") && m.Text == "" && kind != MediaNone {
		caption := p.str("caption")
		plain, ents, e := parseText(p, caption, "caption_entities", 1024, "message caption is too long")
		if e != nil {
			return nil, e
		}
		m.Caption, m.CaptionEntities = plain, ents
		rec.source, rec.parseMode = caption, p.str("parse_mode")
	}
	if e := s.decorateLocked(p, cs, &m, rec); e != nil {
		return nil, e
	}
	s.appendLocked(cs, m, rec)
	return mustJSON(models.MessageID{ID: rec.msg.ID}), nil
}

func mForwardMessage(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e := s.chatLocked(p, "chat_id", true)
	if e != nil {
		return nil, e
	}
	src, sr, e := s.sourceLocked(p, "message to forward not found")
	if e != nil {
		return nil, e
	}
	bot := s.bot
	m := content(&sr.msg)
	m.From = &bot
	if sr.msg.ForwardOrigin != nil {
		m.ForwardOrigin = sr.msg.ForwardOrigin
	} else if sr.msg.From != nil {
		m.ForwardOrigin = &models.MessageOrigin{Type: models.MessageOriginTypeUser,
			MessageOriginUser: &models.MessageOriginUser{Type: models.MessageOriginTypeUser, Date: sr.msg.Date, SenderUser: *sr.msg.From}}
	} else {
		m.ForwardOrigin = &models.MessageOrigin{Type: models.MessageOriginTypeChat,
			MessageOriginChat: &models.MessageOriginChat{Type: models.MessageOriginTypeChat, Date: sr.msg.Date, SenderChat: src.chat}}
	}
	rec := &record{fromBot: true, source: sr.source, forwardOf: Ref{src.chat.ID, sr.msg.ID}}
	rec.disableNotification = p.boolean("disable_notification")
	m.HasProtectedContent = p.boolean("protect_content")
	s.appendLocked(cs, m, rec)
	return mustJSON(&rec.msg), nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func mSendChatAction(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.chatLocked(p, "chat_id", true); e != nil {
		return nil, e
	}
	if !chatActions[p.str("action")] {
		return nil, errBadRequest("wrong parameter action in request")
	}
	return trueJSON, nil
}

func mGetFile(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := p.str("file_id")
	f := s.files[id]
	if f == nil {
		return nil, errBadRequest("invalid file_id")
	}
	return mustJSON(models.File{FileID: id, FileUniqueID: f.unique, FileSize: int64(len(f.data)), FilePath: f.path}), nil
}
