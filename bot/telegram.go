package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// telegram wraps the go-telegram client for the few calls Minqing makes.
type telegram struct{ c *tgbot.Bot }

// newTelegram makes a client for apiURL; it does not call getMe.
func newTelegram(token, apiURL string, hc *http.Client) (*telegram, error) {
	opts := []tgbot.Option{tgbot.WithSkipGetMe(), tgbot.WithServerURL(apiURL)}
	if hc != nil {
		opts = append(opts, tgbot.WithHTTPClient(0, hc))
	}
	c, err := tgbot.New(token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", err)
	}
	return &telegram{c: c}, nil
}

// ErrTokenRejected is wrapped by the error of Bot.Username when Telegram
// refuses the token: 401 Unauthorized (a revoked or mistyped token), or 404
// Not Found (a string that is not a token at all). Asking again cannot help.
var ErrTokenRejected = errors.New("rejected by Telegram")

// username asks getMe for the bot's username.
func (t *telegram) username(ctx context.Context) (string, error) {
	me, err := t.c.GetMe(ctx)
	switch {
	case errors.Is(err, tgbot.ErrorUnauthorized):
		return "", fmt.Errorf("%w: 401 Unauthorized", ErrTokenRejected)
	case errors.Is(err, tgbot.ErrorNotFound):
		return "", fmt.Errorf("%w: 404 Not Found", ErrTokenRejected)
	case err != nil:
		return "", fmt.Errorf("getMe: %w", scrub(err))
	}
	return me.Username, nil
}

func (t *telegram) sendText(ctx context.Context, chat int64, text string, kb models.ReplyMarkup, silent bool) (int, error) {
	off := true
	p := &tgbot.SendMessageParams{ChatID: chat, Text: text, ParseMode: models.ParseModeHTML,
		DisableNotification: silent, LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: &off}}
	if kb != nil {
		p.ReplyMarkup = kb
	}
	m, err := t.c.SendMessage(ctx, p)
	if err != nil {
		return 0, scrub(err)
	}
	return m.ID, nil
}

func (t *telegram) copy(ctx context.Context, chat, from int64, msgID int, kb models.ReplyMarkup, silent bool) (int, error) {
	p := &tgbot.CopyMessageParams{ChatID: chat, FromChatID: from, MessageID: msgID, DisableNotification: silent}
	if kb != nil {
		p.ReplyMarkup = kb
	}
	id, err := t.c.CopyMessage(ctx, p)
	if err != nil {
		return 0, scrub(err)
	}
	return id.ID, nil
}

func (t *telegram) answer(ctx context.Context, id, text string) error {
	_, err := t.c.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text})
	return scrub(err)
}

func (t *telegram) editButtons(ctx context.Context, chat int64, msgID int, kb *models.InlineKeyboardMarkup) error {
	p := &tgbot.EditMessageReplyMarkupParams{ChatID: chat, MessageID: msgID}
	if kb != nil {
		p.ReplyMarkup = kb
	} else {
		p.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}
	}
	_, err := t.c.EditMessageReplyMarkup(ctx, p)
	return scrub(err)
}

func (t *telegram) setCommands(ctx context.Context, lang string, cmds []models.BotCommand) error {
	_, err := t.c.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: cmds, LanguageCode: lang})
	return scrub(err)
}

// sendError classifies a failed send.
type sendError int

const (
	sendRetry     sendError = iota // network or 5xx: back off and retry
	sendWait                       // 429: wait retry_after
	sendForbidden                  // 403: the person blocked the bot
	sendRejected                   // 400 and the like: retrying cannot help
)

// classify sorts a send error and, for 429, the seconds to wait.
func classify(err error) (sendError, int) {
	var tmr *tgbot.TooManyRequestsError
	switch {
	case errors.As(err, &tmr):
		return sendWait, tmr.RetryAfter
	case errors.Is(err, tgbot.ErrorForbidden):
		return sendForbidden, 0
	case errors.Is(err, tgbot.ErrorBadRequest), errors.Is(err, tgbot.ErrorNotFound), errors.Is(err, tgbot.ErrorUnauthorized):
		return sendRejected, 0
	}
	return sendRetry, 0
}

func (t *telegram) setWebhook(ctx context.Context, url, secret string) error {
	_, err := t.c.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: url, SecretToken: secret,
		AllowedUpdates: []string{"message", "callback_query"}})
	return scrub(err)
}

func (t *telegram) deleteWebhook(ctx context.Context) error {
	_, err := t.c.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{})
	return scrub(err)
}

func (t *telegram) sendFile(ctx context.Context, chat int64, photo bool, name string, data []byte, caption string) (int, error) {
	file := &models.InputFileUpload{Filename: name, Data: bytes.NewReader(data)}
	var m *models.Message
	var err error
	if photo {
		m, err = t.c.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: chat, Photo: file, Caption: caption, ParseMode: models.ParseModeHTML})
	} else {
		m, err = t.c.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: chat, Document: file, Caption: caption, ParseMode: models.ParseModeHTML})
	}
	if err != nil {
		return 0, scrub(err)
	}
	return m.ID, nil
}
