// Package config loads Minqing's config.yaml.
//
// The file is parsed strictly: an unknown key, a value of the wrong type or
// a value that does not validate is an error that names the file, the line
// and the full dotted key, for example
//
//	config.yaml:12: unknown key "telegram.tokn" (did you mean "telegram.token"?)
//	config.yaml:9: sla.first_response: time: invalid duration "abc"
//
// Keys that are absent keep their defaults (see Default, and the shipped
// config.yaml, which lists every key with its default value). Two values may
// come from the environment instead of the file: TELEGRAM_BOT_TOKEN and
// TELEGRAM_WEBHOOK_SECRET. Secrets are held in the Secret type, which never
// prints its value.
package config

import (
	"log/slog"
	"os"
	"sync"
	"time"

	// Embed the time zone database so that the configured time zone loads
	// on hosts without system tzdata (minimal containers, Windows).
	_ "time/tzdata"
)

// Environment variables that override values from the file when they are
// set to a non-empty value.
const (
	EnvBotToken      = "TELEGRAM_BOT_TOKEN"      // overrides telegram.token
	EnvWebhookSecret = "TELEGRAM_WEBHOOK_SECRET" // overrides telegram.webhook.secret
)

// Values of Telegram.Mode.
const (
	ModePolling = "polling" // long polling with getUpdates
	ModeWebhook = "webhook" // Telegram posts updates to Telegram.Webhook.URL
)

// Config is the whole configuration. Each field documents the dotted key it
// comes from.
type Config struct {
	Telegram Telegram // telegram.*
	Redis    Redis    // redis.*

	// County is the county's display name (county), e.g. "嘉荫县".
	County string
	// Timezone is the county's time zone (timezone). All dates, deadlines,
	// quiet hours and schedules are in this location.
	Timezone *time.Location
	// Language is the default language, "zh" or "en" (language), for users
	// whose Telegram language is unknown.
	Language string

	SLA SLA // sla.*

	// Holidays are days off (holidays), e.g. the national holidays.
	Holidays []Date
	// Workdays are make-up working days that fall on a weekend (workdays, 调休).
	Workdays []Date

	Schedule Schedule // schedule.*

	// QuietHours is the nightly window in which households and cadres are
	// not sent reminders (quiet_hours).
	QuietHours QuietHours

	Household Household // household.*
	Flood     Flood     // flood.*

	// Retention is how long closed requests and their messages are kept
	// before deletion (retention).
	Retention time.Duration

	HTTP  HTTP  // http.*
	Cards Cards // cards.*
	Log   Log   // log.*
}

// Telegram configures the Bot API connection (telegram.*).
type Telegram struct {
	// Token is the bot token from @BotFather (telegram.token, or
	// $TELEGRAM_BOT_TOKEN). Empty in the defaults; the program must refuse
	// to start without one.
	Token Secret
	// APIURL is the Bot API server (telegram.api_url), without a trailing
	// method path, e.g. "https://api.telegram.org".
	APIURL string
	// Username is the bot's username without "@" (telegram.username), used
	// in t.me links. Empty means: ask getMe.
	Username string
	// Mode is ModePolling or ModeWebhook (telegram.mode).
	Mode    string
	Webhook Webhook // telegram.webhook.*
	Rate    Rate    // telegram.rate.*
}

// Webhook configures webhook mode (telegram.webhook.*).
type Webhook struct {
	// Listen is the local host:port the webhook server binds
	// (telegram.webhook.listen).
	Listen string
	// URL is the public https URL Telegram posts to (telegram.webhook.url).
	URL string
	// Secret is sent by Telegram in X-Telegram-Bot-Api-Secret-Token
	// (telegram.webhook.secret, or $TELEGRAM_WEBHOOK_SECRET).
	Secret Secret
}

// Rate limits outgoing Bot API messages (telegram.rate.*).
type Rate struct {
	Global  float64 // messages per second over all chats (telegram.rate.global)
	PerChat float64 // messages per second to one chat (telegram.rate.per_chat)
}

// Redis configures the store (redis.*).
//
// With no Addrs, URL names a single server. With Addrs and MasterName, Addrs
// are Sentinels of the master MasterName; with Addrs and no MasterName, Addrs
// are Redis Cluster nodes. In both cases the user name, password, TLS (rediss)
// and options of URL still apply. Redis prints with its password redacted.
type Redis struct {
	URL        string   // redis.url, e.g. "redis://127.0.0.1:6379/0"
	Addrs      []string // redis.addrs: Sentinel or Cluster host:port list
	MasterName string   // redis.master_name: Sentinel master name
	// Prefix starts every key (redis.prefix).
	Prefix string
	// Namespace is the hash tag that keeps one county's keys in one
	// cluster slot (redis.namespace): keys look like "mq:{county}:...".
	Namespace string
}

// SLA holds the service-level durations (sla.*).
type SLA struct {
	// FirstResponse is the time a cadre has for the first response
	// (sla.first_response); it also defines the response rate.
	FirstResponse time.Duration
	// EscalateAfter is when an unanswered request goes to the unit's leader
	// (sla.escalate_after); at least FirstResponse.
	EscalateAfter time.Duration
	// DefaultDeadline is the deadline offered by default (sla.default_deadline).
	DefaultDeadline time.Duration
	// VerdictWait is how long after "resolved" the household is asked for a
	// verdict before the request closes without one (sla.verdict_wait).
	VerdictWait time.Duration
	// WorkingDays counts the durations above in working days, skipping
	// weekends and Holidays, counting Workdays (sla.working_days).
	WorkingDays bool
}

// Schedule holds cron specs in the county time zone (schedule.*). Each is
// valid for cron.ParseStandard from github.com/robfig/cron/v3.
type Schedule struct {
	Reminders string // schedule.reminders: scan for due reminders and escalations
	Digest    string // schedule.digest: leaders' weekly digest
	Retention string // schedule.retention: delete data older than Config.Retention
}

// Household configures households (household.*).
type Household struct {
	// MaxAccounts is how many Telegram accounts one household card binds
	// (household.max_accounts), 1–10.
	MaxAccounts int
}

// Flood configures flood control (flood.*).
type Flood struct {
	// PerMinute is how many messages one account may send a minute before
	// the bot slows it down (flood.per_minute).
	PerMinute int
}

// HTTP configures the health and metrics server (http.*).
type HTTP struct {
	// Listen is the host:port for /healthz and /metrics (http.listen);
	// empty disables the server.
	Listen string
}

// Cards configures the printed contact cards (cards.*).
type Cards struct {
	// Font is a TTF, OTF or TTC font file with CJK glyphs (cards.font);
	// empty means the renderer's built-in choice.
	Font string
}

// Log configures logging (log.*).
type Log struct {
	// Level is the minimum level logged (log.level: debug, info, warn, error).
	Level slog.Level
}

// defaultTimezone is the default of the timezone key.
const defaultTimezone = "Asia/Shanghai"

// Default returns a new Config holding the defaults: the same values as the
// shipped config.yaml.
func Default() *Config {
	loc, err := loadLocation(defaultTimezone)
	if err != nil { // cannot happen: time/tzdata is embedded
		panic("config: " + err.Error())
	}
	return &Config{
		Telegram: Telegram{
			APIURL:  "https://api.telegram.org",
			Mode:    ModePolling,
			Webhook: Webhook{Listen: "127.0.0.1:8443"},
			Rate:    Rate{Global: 25, PerChat: 1},
		},
		Redis: Redis{
			URL:       "redis://127.0.0.1:6379/0",
			Prefix:    "mq",
			Namespace: "county",
		},
		County:   "嘉荫县",
		Timezone: loc,
		Language: "zh",
		SLA: SLA{
			FirstResponse:   24 * time.Hour,
			EscalateAfter:   48 * time.Hour,
			DefaultDeadline: 168 * time.Hour,
			VerdictWait:     168 * time.Hour,
		},
		Schedule: Schedule{
			Reminders: "@every 1m",
			Digest:    "0 8 * * 1",
			Retention: "30 3 * * *",
		},
		QuietHours: QuietHours{Start: 21 * time.Hour, End: 7 * time.Hour, Enabled: true},
		Household:  Household{MaxAccounts: 3},
		Flood:      Flood{PerMinute: 20},
		Retention:  26280 * time.Hour,
		HTTP:       HTTP{Listen: "127.0.0.1:9090"},
		Log:        Log{Level: slog.LevelInfo},
	}
}

// Load reads the file at path, applies the environment overrides and
// validates the result. Messages name the file as path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse is Load for a file's contents; name is used in messages. Keys
// absent from data keep their defaults, and the environment overrides apply.
func Parse(name string, data []byte) (*Config, error) {
	return parse(name, data, os.Getenv)
}

// parse is Parse with the environment as a function, for tests.
func parse(name string, data []byte, getenv func(string) string) (*Config, error) {
	c := Default()
	d := newDecoder(name, c)
	d.decode(data)
	if v := getenv(EnvBotToken); v != "" {
		c.Telegram.Token = Secret(v)
		d.setEnv("telegram.token", EnvBotToken)
	}
	if v := getenv(EnvWebhookSecret); v != "" {
		c.Telegram.Webhook.Secret = Secret(v)
		d.setEnv("telegram.webhook.secret", EnvWebhookSecret)
	}
	if !d.fatal {
		c.check(d.report)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// locations caches loaded time zones so that equal configurations share
// one *time.Location (and compare equal with reflect.DeepEqual).
var locations sync.Map // string → *time.Location

// loadLocation is time.LoadLocation with a cache.
func loadLocation(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	actual, _ := locations.LoadOrStore(name, l)
	return actual.(*time.Location), nil
}
