package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

type webhookState struct {
	url, secret    string
	maxConnections int
	allowed        []string
}

var (
	secretTokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	botCommandRe  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
)

// Webhook returns the URL and secret token set by setWebhook ("" when none).
// Updates are not pushed to the URL: they stay queued, see [Server.PendingUpdates].
func (s *Server) Webhook() (url, secretToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}

// dropPendingLocked forgets every queued update.
func (s *Server) dropPendingLocked() {
	s.queue = nil
	s.notifyLocked()
}

func mSetWebhook(s *Server, ctx context.Context, p *params) (json.RawMessage, *apiError) {
	url := p.str("url")
	if url == "" {
		return mDeleteWebhook(s, ctx, p)
	}
	if !strings.HasPrefix(url, "https://") {
		return nil, errBadRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	secret := p.str("secret_token")
	if secret != "" && !secretTokenRe.MatchString(secret) {
		return nil, errBadRequest("secret token contains unallowed characters")
	}
	w := webhookState{url: url, secret: secret}
	var e *apiError
	if w.maxConnections, e = p.int("max_connections"); e != nil {
		return nil, e
	}
	if e := p.decode("allowed_updates", &w.allowed); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = w
	if p.boolean("drop_pending_updates") {
		s.dropPendingLocked()
	}
	close(s.pollKick) // a pending long poll ends with a conflict
	s.pollKick = make(chan struct{})
	s.notifyLocked()
	return trueJSON, nil
}

func mDeleteWebhook(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = webhookState{}
	if p.boolean("drop_pending_updates") {
		s.dropPendingLocked()
	}
	s.notifyLocked()
	return trueJSON, nil
}

func mGetWebhookInfo(s *Server, _ context.Context, _ *params) (json.RawMessage, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return mustJSON(models.WebhookInfo{
		URL: s.webhook.url, PendingUpdateCount: len(s.queue),
		MaxConnections: s.webhook.maxConnections, AllowedUpdates: s.webhook.allowed,
	}), nil
}

// commandKey identifies a command list by scope (JSON BotCommandScope, ""
// for default) and language code.
func commandKey(scope, lang string) (string, *apiError) {
	sc := struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID json.RawMessage `json:"user_id"`
	}{Type: "default"}
	if scope != "" {
		if err := json.Unmarshal([]byte(scope), &sc); err != nil {
			return "", errBadRequest("can't parse BotCommandScope JSON object")
		}
	}
	return fmt.Sprintf("%s:%s:%s|%s", sc.Type, strings.Trim(string(sc.ChatID), `"`), sc.UserID, lang), nil
}

// Commands returns the commands setMyCommands set for a scope (nil = default
// scope) and language code ("" = all languages), and whether any were set.
func (s *Server) Commands(scope models.BotCommandScope, languageCode string) ([]models.BotCommand, bool) {
	raw := ""
	if scope != nil {
		data, err := scope.MarshalCustom()
		if err != nil {
			return nil, false
		}
		raw = string(data)
	}
	key, e := commandKey(raw, languageCode)
	if e != nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds, ok := s.commands[key]
	return slices.Clone(cmds), ok
}

func mSetMyCommands(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	var cmds []models.BotCommand
	if e := p.decode("commands", &cmds); e != nil {
		return nil, e
	}
	if len(cmds) > 100 {
		return nil, errBadRequest("too many commands")
	}
	for _, c := range cmds {
		if !botCommandRe.MatchString(c.Command) {
			return nil, errBadRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(c.Description); n == 0 || n > 256 {
			return nil, errBadRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, e := commandKey(p.str("scope"), p.str("language_code"))
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	s.notifyLocked()
	return trueJSON, nil
}

func mGetMyCommands(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	key, e := commandKey(p.str("scope"), p.str("language_code"))
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[key]
	if cmds == nil {
		cmds = []models.BotCommand{}
	}
	return mustJSON(cmds), nil
}

func mDeleteMyCommands(s *Server, _ context.Context, p *params) (json.RawMessage, *apiError) {
	key, e := commandKey(p.str("scope"), p.str("language_code"))
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, key)
	s.notifyLocked()
	return trueJSON, nil
}
