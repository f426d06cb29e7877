package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/minqing/minqing/bot"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/store"
)

// Main is the whole program, wired: tests run it against the Bot API
// emulator and a real Redis exactly as `minqing run` does.
type Main struct {
	Config     *config.Config
	Clock      flows.Clock   // nil: the wall clock
	HTTPClient *http.Client  // nil: a default client
	Log        *slog.Logger  // nil: JSON to stderr at the configured level
	Consumer   string        // queue consumer name; "" = hostname
	IdleRead   time.Duration // longest wait of an idle queue read; 0 = the bot's default
	// Listening, if set, is told the address of each server Run starts
	// ("ops" for /healthz and /metrics, "webhook").
	Listening func(name string, addr net.Addr)

	Store   *store.Store
	Service *flows.Service
	Bot     *bot.Bot
	ops     *ops
}

// Open connects to Redis and builds the service and the bot.
func (m *Main) Open(ctx context.Context) error {
	if m.Log == nil {
		m.Log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: m.Config.Log.Level}))
	}
	store.LogDriverTo(m.Log)
	if m.Clock == nil {
		m.Clock = flows.SystemClock{}
	}
	c := m.Config
	st, err := store.Open(ctx, store.Options{URL: c.Redis.URL, Addrs: c.Redis.Addrs, MasterName: c.Redis.MasterName, Prefix: c.Redis.Prefix, Namespace: c.Redis.Namespace})
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	m.Store = st
	if n, err := st.MigratePlainCodes(ctx); err != nil {
		_ = st.Close()
		m.Store = nil
		return fmt.Errorf("open store: %w", err)
	} else if n > 0 {
		m.Log.Info("plain-text codes removed from Redis; printed cards still bind", "codes", n)
	}
	if n, err := st.MigrateResolvedIndex(ctx); err != nil {
		_ = st.Close()
		m.Store = nil
		return fmt.Errorf("open store: %w", err)
	} else if n > 0 {
		m.Log.Info("resolved requests indexed for /revisits", "requests", n)
	}
	m.Service = NewService(c, st, m.Clock, m.Log)
	if _, err := m.Service.SeedContacts(ctx); err != nil {
		_ = st.Close()
		m.Store = nil
		return fmt.Errorf("open store: %w", err)
	}
	return nil
}

// NewService builds the service of Minqing's rules as Open does, on st: its
// settings from c (Config.Settings), the card codes from cards.secret (none
// without it). The bench uses it for phases that time the service alone.
func NewService(c *config.Config, st flows.Store, clock flows.Clock, log *slog.Logger) *flows.Service {
	svc := &flows.Service{Store: st, Clock: clock, Settings: c.Settings(), Log: log}
	if secret := c.Cards.Secret.Reveal(); secret != "" {
		svc.Codes = flows.NewCardCodes(secret, c.Redis.Namespace)
	}
	return svc
}

// OpenBot builds the Telegram side; it needs a token.
func (m *Main) OpenBot() error {
	c := m.Config
	token := c.Telegram.Token.Reveal()
	if token == "" {
		return errors.New("telegram.token is empty: set TELEGRAM_BOT_TOKEN or telegram.token in the config")
	}
	consumer := m.Consumer
	if consumer == "" {
		consumer, _ = os.Hostname()
	}
	m.ops = newOps(m)
	var hook *bot.WebhookOptions
	if c.Telegram.Mode == config.ModeWebhook {
		hook = &bot.WebhookOptions{URL: c.Telegram.Webhook.URL, Secret: c.Telegram.Webhook.Secret.Reveal()}
	}
	proxy, err := proxyURL(c.Telegram.Proxy)
	if err != nil {
		return err
	}
	b, err := bot.New(m.Service, m.Store, m.Store, bot.Options{
		Metrics: bot.NewMetrics(m.ops.reg), OnPoll: m.ops.polled, Webhook: hook, Files: m.digestFiles,
		Token: token, APIURL: c.Telegram.APIURL, DefaultLang: c.Language, Consumer: consumer,
		GlobalRate: c.Telegram.Rate.Global, PerChatRate: c.Telegram.Rate.PerChat, BatchWindow: c.Telegram.BatchWindow,
		HTTPClient: m.HTTPClient, Proxy: proxy, Log: m.Log, IdleRead: m.IdleRead,
		Unreachable: func(ctx context.Context, chat int64, n flows.Notice) {
			if err := m.Service.Unreachable(ctx, chat, n); err != nil {
				m.Log.Error("unreachable chat not handed over", "err", err)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("open bot: %w", err)
	}
	m.Bot = b
	return nil
}

// proxyURL parses telegram.proxy (validated at load); nil when it is empty.
func proxyURL(p config.SecretURL) (*url.URL, error) {
	if p == "" {
		return nil, nil
	}
	u, err := url.Parse(p.Reveal())
	if err != nil {
		return nil, fmt.Errorf("telegram.proxy %s: not a URL", p)
	}
	return u, nil
}

// Run runs the bot until ctx ends. It first asks Telegram who the bot is
// (see identify): a rejected token or a wrong telegram.username is an error
// before anything runs; /healthz is served meanwhile.
func (m *Main) Run(ctx context.Context) error {
	if m.Bot == nil {
		if err := m.OpenBot(); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, 2)
	servers := 0
	start := func(name, addr string, h http.Handler) {
		servers++
		go func() {
			errs <- Serve(ctx, addr, h, func(a net.Addr) {
				m.Log.Info("listening", "server", name, "addr", a.String())
				if m.Listening != nil {
					m.Listening(name, a)
				}
			})
		}()
	}
	wait := func(err error) error {
		cancel()
		for ; servers > 0; servers-- {
			if serr := <-errs; serr != nil && err == nil {
				err = serr
			}
		}
		return err
	}
	if addr := m.Config.HTTP.Listen; addr != "" {
		start("ops", addr, m.ops.handler())
	}
	if err := m.identify(ctx); err != nil || ctx.Err() != nil {
		return wait(err)
	}
	m.Log.Info("minqing running", "mode", m.Config.Telegram.Mode)
	sched, err := m.startCron(ctx)
	if err != nil {
		return wait(err)
	}
	defer func() { <-sched.Stop().Done() }()
	if m.Config.Telegram.Mode == config.ModeWebhook {
		start("webhook", m.Config.Telegram.Webhook.Listen, m.webhookMux())
	}
	return wait(m.Bot.Run(ctx))
}

// webhookMux serves the webhook at the path of telegram.webhook.url.
func (m *Main) webhookMux() http.Handler {
	path := "/"
	if u, err := url.Parse(m.Config.Telegram.Webhook.URL); err == nil && u.Path != "" {
		path = u.Path
	}
	mux := http.NewServeMux()
	mux.Handle(path, m.Bot.WebhookHandler())
	return mux
}

// Close releases the connection to Redis.
func (m *Main) Close() error {
	if m.Store != nil {
		return m.Store.Close()
	}
	return nil
}

// usernameTimeout bounds the getMe of Username: a command waits no longer
// for a Telegram it cannot reach.
const usernameTimeout = 20 * time.Second

// Username returns the bot's username, for the links on cards and
// invites: telegram.username, or else getMe with the token. Its error is one
// sentence that says to set telegram.username.
func (m *Main) Username(ctx context.Context) (string, error) {
	if u := m.Config.Telegram.Username; u != "" {
		return u, nil
	}
	const need = "the links need the bot's username: set telegram.username in the config"
	if m.Config.Telegram.Token == "" {
		return "", errors.New(need + " (or give the token in TELEGRAM_BOT_TOKEN to ask Telegram)")
	}
	if m.Bot == nil {
		if err := m.OpenBot(); err != nil {
			return "", fmt.Errorf("%s (%w)", need, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, usernameTimeout)
	defer cancel()
	u, err := m.Bot.Username(ctx)
	if err != nil {
		return "", fmt.Errorf("%s (asking Telegram with %s failed: %w)", need, m.Config.Telegram.TokenName(), err)
	}
	return u, nil
}
