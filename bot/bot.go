package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/minqing/minqing/flows"
)

// Options configure a Bot.
type Options struct {
	Token       string
	APIURL      string
	DefaultLang string
	Consumer    string  // this process's name in the queues' consumer groups
	GlobalRate  float64 // messages a second, whole bot
	PerChatRate float64 // messages a second, one chat (after a burst of 3)
	// BatchWindow: reminders and escalations to one chat queued within it
	// go as one message (0: each alone, unless they wait in line together).
	BatchWindow time.Duration
	PollTimeout time.Duration
	Shards      int           // parallel chats
	Stale       time.Duration // queue entries idle this long are taken over
	// IdleRead is the longest a queue read waits for an entry (default 2s).
	// A read in flight is not interrupted, so shutting down waits it out.
	IdleRead time.Duration
	// HTTPClient makes every call to the Bot API; nil: a client with enough
	// idle connections for the sender, through Proxy if set.
	HTTPClient *http.Client
	// Proxy is the proxy (http, https or socks5 URL) every Bot API call
	// goes through, when the bot builds its client (HTTPClient is nil).
	Proxy       *url.URL
	Log         *slog.Logger
	Unreachable Unreachable
	Metrics     *Metrics // nil: no metrics
	// Webhook, when set, makes the bot receive updates by webhook (served
	// by WebhookHandler) instead of polling.
	Webhook *WebhookOptions
	// OnPoll is called after every successful getUpdates (for health).
	OnPoll func()
	// Files makes the file a notice sends (a digest's chart or spreadsheet).
	Files func(ctx context.Context, n flows.Notice) (name string, data []byte, err error)
}

// WebhookOptions are given to Telegram's setWebhook.
type WebhookOptions struct {
	URL    string // the public https URL Telegram posts to
	Secret string // sent back in X-Telegram-Bot-Api-Secret-Token
}

// Bot connects Telegram to the service through the inbox and the outbox.
type Bot struct {
	svc      Service
	inbox    flows.Inbox
	outbox   flows.Outbox
	tg       *telegram
	render   *Renderer
	log      *slog.Logger
	consumer string
	opts     Options
}

// New builds a Bot; it makes no network call.
func New(svc Service, inbox flows.Inbox, outbox flows.Outbox, o Options) (*Bot, error) {
	if o.Proxy != nil && o.HTTPClient != nil {
		return nil, errors.New("bot: Options.Proxy applies to the client the bot builds; leave HTTPClient nil")
	}
	defaults(&o)
	tg, err := newTelegram(o.Token, o.APIURL, o.HTTPClient)
	if err != nil {
		return nil, err
	}
	r, err := NewRenderer(o.DefaultLang)
	if err != nil {
		return nil, err
	}
	return &Bot{svc: svc, inbox: inbox, outbox: outbox, tg: tg, render: r, log: o.Log, consumer: o.Consumer, opts: o}, nil
}

func defaults(o *Options) {
	if o.DefaultLang == "" {
		o.DefaultLang = "zh"
	}
	if o.Consumer == "" {
		o.Consumer = "minqing"
	}
	if o.GlobalRate <= 0 {
		o.GlobalRate = 25
	}
	if o.PerChatRate <= 0 {
		o.PerChatRate = 1
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 50 * time.Second
	}
	if o.Shards <= 0 {
		o.Shards = 16
	}
	if o.IdleRead <= 0 {
		o.IdleRead = 2 * time.Second
	}
	if o.Stale <= 0 {
		o.Stale = time.Minute
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.PollTimeout + 15*time.Second, Transport: newTransport(o.Proxy)}
	}
}

// idleConns is how many idle connections to Telegram are kept: the sender
// sends to many chats at once, and the default transport's two idle
// connections a host would make it dial (a TLS handshake each time) for
// nearly every message.
const idleConns = 64

// newTransport is the default transport with enough idle connections for
// the sender's parallel chats, through proxy if it is not nil (Go's
// transport speaks http and https proxies, by CONNECT for https targets, and
// socks5). A proxy set here is used for every address, loopback included.
func newTransport(proxy *url.URL) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = idleConns * 2
	t.MaxIdleConnsPerHost = idleConns
	if proxy != nil {
		t.Proxy = http.ProxyURL(proxy)
	}
	return t
}

// Username asks Telegram (getMe) for the bot's username, for t.me links and
// to check the token at start. An error wrapping ErrTokenRejected means the
// token is wrong; any other (network, proxy, 5xx, 429) may pass.
func (b *Bot) Username(ctx context.Context) (string, error) { return b.tg.username(ctx) }

// Run registers the commands, then polls, works and sends until ctx ends.
// On return every update is either handled or still in the inbox, and every
// notice either sent or still in the outbox.
func (b *Bot) Run(ctx context.Context) error {
	if err := b.RegisterCommands(ctx); err != nil {
		b.log.Warn("setMyCommands failed", "err", err)
	}
	var wg sync.WaitGroup
	run := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	if b.opts.Webhook == nil {
		poller := &Poller{APIURL: b.opts.APIURL, Token: b.opts.Token, Inbox: b.inbox, Client: b.opts.HTTPClient,
			Timeout: b.opts.PollTimeout, Log: b.log, Metrics: b.opts.Metrics, OnPoll: b.opts.OnPoll}
		if err := b.tg.deleteWebhook(ctx); err != nil {
			b.log.Warn("deleteWebhook failed", "err", err)
		}
		run(func(ctx context.Context) { _ = poller.Run(ctx) })
	} else if err := b.tg.setWebhook(ctx, b.opts.Webhook.URL, b.opts.Webhook.Secret); err != nil {
		return fmt.Errorf("setWebhook: %w", err)
	}
	run(func(ctx context.Context) { _ = b.Workers().Run(ctx) })
	run(b.Sender().run)
	wg.Wait()
	return nil
}

// WebhookHandler returns the HTTP handler Telegram posts updates to.
func (b *Bot) WebhookHandler() http.Handler {
	secret := ""
	if b.opts.Webhook != nil {
		secret = b.opts.Webhook.Secret
	}
	return &Webhook{Secret: secret, Inbox: b.inbox, Log: b.log, Metrics: b.opts.Metrics}
}

// Workers returns the inbox workers, which handle the updates the poller or
// the webhook stored.
func (b *Bot) Workers() *Workers {
	return &Workers{Inbox: b.inbox, Handle: b.Handle, Consumer: b.consumer, Shards: b.opts.Shards, Stale: b.opts.Stale, Block: b.opts.IdleRead, Attempts: 5, Log: b.log}
}

// Sender returns the outbox sender.
func (b *Bot) Sender() *sender {
	return &sender{b: b, limit: newLimiter(b.opts.GlobalRate, b.opts.PerChatRate, 3), stale: b.opts.Stale, onBlock: b.opts.Unreachable, window: b.opts.BatchWindow}
}

// RegisterCommands tells Telegram the command menu in each language.
func (b *Bot) RegisterCommands(ctx context.Context) error {
	for _, lang := range []string{"zh", "en"} {
		var cmds []models.BotCommand
		for _, c := range []string{"help", "my", "open", "visit", "visits", "revisits", "digest", "lang"} {
			cmds = append(cmds, models.BotCommand{Command: c, Description: b.render.Text(lang, "cmd."+c, nil)})
		}
		code := lang
		if lang == b.opts.DefaultLang {
			code = "" // the default menu for every other language
		}
		if err := b.tg.setCommands(ctx, code, cmds); err != nil {
			return fmt.Errorf("set commands %s: %w", lang, err)
		}
	}
	return nil
}

// keyboard renders buttons as an inline keyboard; nil when there are none.
func (b *Bot) keyboard(lang string, rows [][]flows.Button) *models.InlineKeyboardMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := &models.InlineKeyboardMarkup{}
	for _, row := range rows {
		var out []models.InlineKeyboardButton
		for _, btn := range row {
			out = append(out, models.InlineKeyboardButton{Text: b.render.ButtonLabel(lang, btn), CallbackData: encodeButton(btn)})
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, out)
	}
	return kb
}
