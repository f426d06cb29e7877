package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/minqing/minqing/flows"
)

// Service is what the bot needs of package flows.
type Service interface {
	Start(ctx context.Context, m flows.Message, payload string) error
	Help(ctx context.Context, m flows.Message) error
	SetLang(ctx context.Context, m flows.Message, arg string) error
	Receive(ctx context.Context, m flows.Message) error
	My(ctx context.Context, m flows.Message) error
	OpenList(ctx context.Context, m flows.Message) error
	Digest(ctx context.Context, m flows.Message) error
	Press(ctx context.Context, p flows.Press) (flows.PressResult, error)
	VisitCmd(ctx context.Context, m flows.Message, arg string) error
	VisitsCmd(ctx context.Context, m flows.Message) error
	Revisits(ctx context.Context, m flows.Message) error
}

// Handle decodes one stored update and hands it to the service. Updates the
// bot does not handle (edits, group chats, channel posts) are ignored.
func (b *Bot) Handle(ctx context.Context, in flows.Inbound) error {
	var u models.Update
	if err := json.Unmarshal(in.Raw, &u); err != nil {
		b.log.Warn("undecodable update ignored", "update", in.UpdateID, "err", err)
		return nil
	}
	switch {
	case u.Message != nil:
		return b.message(ctx, u.ID, u.Message)
	case u.CallbackQuery != nil:
		return b.callback(ctx, u.ID, u.CallbackQuery)
	}
	return nil
}

// message routes a private message: a command or anything else.
func (b *Bot) message(ctx context.Context, updateID int64, msg *models.Message) error {
	if msg.From == nil || msg.Chat.Type != models.ChatTypePrivate {
		return nil
	}
	m := toMessage(updateID, msg)
	cmd, arg, ok := command(msg.Text)
	if !ok {
		return b.svc.Receive(ctx, m)
	}
	switch cmd {
	case "start":
		return b.svc.Start(ctx, m, arg)
	case "my":
		return b.svc.My(ctx, m)
	case "open":
		return b.svc.OpenList(ctx, m)
	case "digest":
		return b.svc.Digest(ctx, m)
	case "lang":
		return b.svc.SetLang(ctx, m, arg)
	case "visit":
		return b.svc.VisitCmd(ctx, m, arg)
	case "visits":
		return b.svc.VisitsCmd(ctx, m)
	case "revisits":
		return b.svc.Revisits(ctx, m)
	}
	return b.svc.Help(ctx, m)
}

// command splits "/cmd@bot arg" into its parts; ok is false for non-commands.
func command(text string) (cmd, arg string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	head, rest, _ := strings.Cut(text[1:], " ")
	head, _, _ = strings.Cut(head, "@")
	return strings.ToLower(head), strings.TrimSpace(rest), head != ""
}

// toMessage strips a Telegram message down to the domain's Message.
func toMessage(updateID int64, msg *models.Message) flows.Message {
	m := flows.Message{
		UpdateID: updateID, AccountID: msg.From.ID, ChatID: msg.Chat.ID, MessageID: msg.ID,
		Lang: msg.From.LanguageCode, Name: strings.TrimSpace(msg.From.FirstName + " " + msg.From.LastName),
		Kind: kindOf(msg), Text: msg.Text,
	}
	if m.Text == "" {
		m.Text = msg.Caption
	}
	if msg.ReplyToMessage != nil {
		m.ReplyTo = msg.ReplyToMessage.ID
	}
	switch {
	case msg.Location != nil:
		m.Lat, m.Lon = msg.Location.Latitude, msg.Location.Longitude
	case msg.Venue != nil:
		m.Lat, m.Lon = msg.Venue.Location.Latitude, msg.Venue.Location.Longitude
	}
	return m
}

// kindOf classifies a message's content.
func kindOf(msg *models.Message) flows.MsgKind {
	switch {
	case msg.Text != "":
		return flows.KindText
	case msg.Voice != nil || msg.Audio != nil:
		return flows.KindVoice
	case len(msg.Photo) > 0:
		return flows.KindPhoto
	case msg.Video != nil || msg.VideoNote != nil:
		return flows.KindVideo
	case msg.Document != nil:
		return flows.KindDocument
	case msg.Location != nil || msg.Venue != nil:
		return flows.KindLocation
	case msg.Contact != nil:
		return flows.KindContact
	}
	return flows.KindUnsupported
}

// callback handles a button press. Every press is answered, even a forged
// or stale one.
func (b *Bot) callback(ctx context.Context, updateID int64, q *models.CallbackQuery) error {
	btn, ok := decodeButton(q.Data)
	p := flows.Press{UpdateID: updateID, AccountID: q.From.ID, ChatID: q.From.ID, Lang: q.From.LanguageCode, Button: btn}
	if q.Message.Message != nil {
		p.ChatID, p.MessageID = q.Message.Message.Chat.ID, q.Message.Message.ID
	}
	res := flows.PressResult{Toast: flows.ToastInvalid, Lang: flows.Lang(q.From.LanguageCode, b.opts.DefaultLang)}
	var err error
	if ok {
		res, err = b.svc.Press(ctx, p)
	}
	if aerr := b.tg.answer(ctx, q.ID, b.render.Text(res.Lang, "toast."+string(res.Toast), nil)); aerr != nil {
		b.log.Warn("answer callback failed", "err", aerr)
	}
	if res.Edit && p.MessageID != 0 {
		if eerr := b.tg.editButtons(ctx, p.ChatID, p.MessageID, b.keyboard(res.Lang, res.Buttons)); eerr != nil {
			b.log.Debug("edit buttons failed", "err", eerr)
		}
	}
	if err != nil {
		return fmt.Errorf("press: %w", err)
	}
	return nil
}
