package telegramtest

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// editableLocked finds the bot message an edit* call targets.
func (s *Server) editableLocked(p *params) (*record, *apiError) {
	if p.str("inline_message_id") != "" && p.str("chat_id") == "" {
		return nil, errBadRequest("MESSAGE_ID_INVALID")
	}
	cs, e := s.chatLocked(p, "chat_id", true)
	if e != nil {
		return nil, e
	}
	id, e := p.int("message_id")
	if e != nil {
		return nil, e
	}
	r := cs.find(id)
	if r == nil {
		return nil, errBadRequest("message to edit not found")
	}
	if !r.fromBot {
		return nil, errBadRequest("message can't be edited")
	}
	return r, nil
}

// reviseLocked replaces r's message by next, keeping the old version in its
// history; an edit that changes nothing fails like Telegram's.
func (s *Server) reviseLocked(r *record, next models.Message, source, parseMode string) *apiError {
	type shown struct {
		Text, Caption     string
		Entities, CapEnts []models.MessageEntity
		Markup            *models.InlineKeyboardMarkup
	}
	view := func(m *models.Message) string {
		return string(mustJSON(shown{m.Text, m.Caption, m.Entities, m.CaptionEntities, m.ReplyMarkup}))
	}
	if view(&r.msg) == view(&next) {
		return errBadRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	old := r.source
	if old == "" {
		old = r.msg.Text + r.msg.Caption
	}
	r.history = append(r.history, Revision{Time: time.Now(), Text: r.msg.Text, Caption: r.msg.Caption,
		SourceText: old, Buttons: buttonsOf(r.msg.ReplyMarkup)})
	next.EditDate = int(time.Now().Unix())
	r.msg = next
	r.source, r.parseMode = source, parseMode
	s.notifyLocked()
	return nil
}

func mEditMessageText(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, e := s.editableLocked(p)
	if e != nil {
		return nil, e
	}
	if r.msg.Text == "" {
		return nil, errBadRequest("there is no text in the message to edit")
	}
	text := p.str("text")
	plain, ents, e := parseText(p, text, "entities", 4096, "MESSAGE_TOO_LONG")
	if e != nil {
		return nil, e
	}
	if strings.TrimSpace(plain) == "" {
		return nil, errBadRequest("message text is empty")
	}
	next := r.msg
	next.Text, next.Entities = plain, ents
	if p.has("link_preview_options") {
		var lpo models.LinkPreviewOptions
		if e := p.decode("link_preview_options", &lpo); e != nil {
			return nil, e
		}
		next.LinkPreviewOptions = &lpo
	}
	if e := applyReplyMarkup(p, &next, &record{}, true); e != nil {
		return nil, e
	}
	if e := s.reviseLocked(r, next, text, p.str("parse_mode")); e != nil {
		return nil, e
	}
	return mustJSON(&r.msg), nil
}

func mEditMessageCaption(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, e := s.editableLocked(p)
	if e != nil {
		return nil, e
	}
	if kind, _, _ := mediaOf(&r.msg); kind == MediaNone || r.msg.Text != "" {
		return nil, errBadRequest("there is no caption in the message to edit")
	}
	caption := p.str("caption")
	plain, ents, e := parseText(p, caption, "caption_entities", 1024, "message caption is too long")
	if e != nil {
		return nil, e
	}
	next := r.msg
	next.Caption, next.CaptionEntities = plain, ents
	if e := applyReplyMarkup(p, &next, &record{}, true); e != nil {
		return nil, e
	}
	if e := s.reviseLocked(r, next, caption, p.str("parse_mode")); e != nil {
		return nil, e
	}
	return mustJSON(&r.msg), nil
}

func mEditMessageReplyMarkup(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, e := s.editableLocked(p)
	if e != nil {
		return nil, e
	}
	next := r.msg
	if e := applyReplyMarkup(p, &next, &record{}, true); e != nil {
		return nil, e
	}
	if e := s.reviseLocked(r, next, r.source, r.parseMode); e != nil {
		return nil, e
	}
	return mustJSON(&r.msg), nil
}

func mDeleteMessage(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e := s.chatLocked(p, "chat_id", false)
	if e != nil {
		return nil, e
	}
	id, e := p.int("message_id")
	if e != nil {
		return nil, e
	}
	r := cs.find(id)
	if r == nil {
		return nil, errBadRequest("message to delete not found")
	}
	r.deleted = true
	s.notifyLocked()
	return trueJSON, nil
}
