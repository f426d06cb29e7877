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
// config.yaml, which lists every key with its default value). Three values
// may come from the environment instead of the file: TELEGRAM_BOT_TOKEN,
// TELEGRAM_WEBHOOK_SECRET and MINQING_CARDS_SECRET. Secrets are held in the
// Secret type, which never prints its value.
package config

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	// Embed the time zone database so that the configured time zone loads
	// on hosts without system tzdata (minimal containers, Windows).
	_ "time/tzdata"
)

// Environment variables that override values from the file when they are
// set to a non-empty value (the env tags of the keys they override).
const (
	EnvBotToken      = "TELEGRAM_BOT_TOKEN"      // overrides telegram.token
	EnvWebhookSecret = "TELEGRAM_WEBHOOK_SECRET" // overrides telegram.webhook.secret
	EnvCardsSecret   = "MINQING_CARDS_SECRET"    // overrides cards.secret
)

// Values of Telegram.Mode.
const (
	ModePolling = "polling" // long polling with getUpdates
	ModeWebhook = "webhook" // Telegram posts updates to Telegram.Webhook.URL
)

// Config is the whole configuration.
//
// Each key is defined once, by its field: the yaml tag names it (the
// dotted key is the path of names, e.g. "sla.first_response"), the default
// tag gives its default as written in config.yaml, the check tag lists the
// checks its value must pass (see checks.go; "optional" lets the empty value
// through), the env tag names an environment variable that overrides it, and
// the field's doc comment documents it. The decoder, Default, Validate and
// the test that the shipped config.yaml lists and documents every key are
// all driven by these fields. Adding a key is: a field here (with its doc
// comment), its line in config.yaml, and its use (for a rule of the
// service, in Settings). Rules between keys are in validate.go. A field
// tagged yaml:"-" is not a key: the loader fills it (Telegram.TokenFrom).
type Config struct {
	Telegram Telegram `yaml:"telegram"`
	Redis    Redis    `yaml:"redis"`

	// The county's display name, shown in messages and digests.
	County string `yaml:"county" default:"嘉荫县" check:"nonblank"`
	// IANA time zone of the county: dates, deadlines, quiet hours and
	// schedules use it.
	Timezone *time.Location `yaml:"timezone" default:"Asia/Shanghai" check:"set"`
	// Default language, "zh" or "en", for users whose Telegram language is
	// unknown.
	Language string `yaml:"language" default:"zh" check:"oneof=zh|en"`

	SLA SLA `yaml:"sla"`

	// Days off (e.g. national holidays), as YYYY-MM-DD.
	Holidays []Date `yaml:"holidays"`
	// Make-up working days that fall on a weekend, as YYYY-MM-DD.
	Workdays []Date `yaml:"workdays"`

	// Cron specs (minute hour day-of-month month day-of-week, or @every,
	// @daily …), in the county time zone.
	Schedule Schedule `yaml:"schedule"`

	// Nightly window, HH:MM-HH:MM (may wrap over midnight), in which
	// reminders and nudges wait until it ends; "" for none.
	QuietHours QuietHours `yaml:"quiet_hours" default:"21:00-07:00"`

	Household Household `yaml:"household"`
	Flood     Flood     `yaml:"flood"`
	Visits    Visits    `yaml:"visits"`
	Checkin   Checkin   `yaml:"checkin"`

	// How long closed requests and their messages are kept before deletion
	// (26280h = 3 years; at least 24h).
	Retention time.Duration `yaml:"retention" default:"26280h" check:"min=24h"`

	HTTP  HTTP  `yaml:"http"`
	Cards Cards `yaml:"cards"`
	Log   Log   `yaml:"log"`
}

// Telegram configures the Bot API connection (telegram.*). Token is empty
// in the defaults; the program refuses to start without one.
type Telegram struct {
	// Bot token from @BotFather. Prefer the environment variable
	// TELEGRAM_BOT_TOKEN, which overrides this value, to keep it out of
	// files.
	Token Secret `yaml:"token" env:"TELEGRAM_BOT_TOKEN"`
	// TokenFrom is not a key: Load sets it to where Token came from, for
	// messages about the token (see TokenName): "$TELEGRAM_BOT_TOKEN",
	// "config.yaml:14", or "" when Token is empty or was set in code.
	TokenFrom string `yaml:"-"`
	// Bot API server; change it only for a self-hosted Bot API server.
	APIURL string `yaml:"api_url" default:"https://api.telegram.org" check:"url=http|https"`
	// Proxy for every Bot API call, where Telegram is not reachable
	// directly: "http://host:port", "https://host:port" or
	// "socks5://host:port", with "user:password@" before the host if the
	// proxy needs it. "" for none.
	Proxy SecretURL `yaml:"proxy" check:"optional,proxy_url"`
	// The bot's username (without "@"), used in t.me links on printed
	// cards. Leave empty to ask Telegram (getMe) at start-up.
	Username string `yaml:"username" trim:"@" check:"optional,username"`
	// How updates arrive: "polling" (works anywhere, no public address
	// needed) or "webhook" (Telegram posts to telegram.webhook.url).
	Mode    string  `yaml:"mode" default:"polling" check:"oneof=polling|webhook"`
	Webhook Webhook `yaml:"webhook"`
	Rate    Rate    `yaml:"rate"`
	// Reminders and escalations to one person that fall due within this
	// window are sent as one message listing the requests (a button opens
	// each), instead of one message each. "0s": each is sent alone.
	BatchWindow time.Duration `yaml:"batch_window" default:"90s" check:"min=0s"`
}

// TokenName names the token, never its value, by the key and where its
// value came from: "telegram.token (from $TELEGRAM_BOT_TOKEN)",
// "telegram.token (config.yaml:14)" or "telegram.token".
func (t Telegram) TokenName() string {
	switch {
	case strings.HasPrefix(t.TokenFrom, "$"):
		return "telegram.token (from " + t.TokenFrom + ")"
	case t.TokenFrom != "":
		return "telegram.token (" + t.TokenFrom + ")"
	}
	return "telegram.token"
}

// Webhook configures webhook mode (telegram.webhook.*); its three keys are
// required when telegram.mode is "webhook".
type Webhook struct {
	// Local host:port the webhook server listens on, usually behind a
	// reverse proxy that terminates HTTPS.
	Listen string `yaml:"listen" default:"127.0.0.1:8443" check:"optional,hostport"`
	// Public https URL that Telegram posts updates to; required in webhook
	// mode.
	URL string `yaml:"url" check:"optional,url=https"`
	// Secret Telegram sends in the X-Telegram-Bot-Api-Secret-Token header:
	// 1–256 characters of A-Z a-z 0-9 _ -. Required in webhook mode. The
	// environment variable TELEGRAM_WEBHOOK_SECRET overrides it.
	Secret Secret `yaml:"secret" env:"TELEGRAM_WEBHOOK_SECRET" check:"optional,webhook_secret"`
}

// Rate limits outgoing Bot API messages (telegram.rate.*).
type Rate struct {
	// Messages a second over all chats; Telegram allows about 30.
	Global float64 `yaml:"global" default:"25" check:"botapi_rate"`
	// Messages a second to any one chat.
	PerChat float64 `yaml:"per_chat" default:"1" check:"positive"`
}

// Redis configures the store (redis.*).
//
// With no Addrs, URL names a single server. With Addrs and MasterName, Addrs
// are Sentinels of the master MasterName; with Addrs and no MasterName, Addrs
// are Redis Cluster nodes. In both cases the user name, password, TLS (rediss)
// and options of URL still apply. Redis prints with its password redacted.
type Redis struct {
	// Redis server: redis://[user:password@]host:port/db, or rediss:// for
	// TLS.
	URL string `yaml:"url" default:"redis://127.0.0.1:6379/0" check:"redis_url"`
	// Optional host:port list. With master_name: Sentinel addresses.
	// Without master_name: Redis Cluster nodes (database must be 0). The
	// user, password and TLS of url still apply.
	Addrs []string `yaml:"addrs" check:"hostport"`
	// Sentinel master name; requires addrs.
	MasterName string `yaml:"master_name"`
	// Prefix of every key (A-Z a-z 0-9 _ : -).
	Prefix string `yaml:"prefix" default:"mq" check:"prefix"`
	// Hash tag that keeps this county's keys in one cluster slot
	// (A-Z a-z 0-9 _ -); keys look like "mq:{county}:…".
	Namespace string `yaml:"namespace" default:"county" check:"namespace"`
}

// SLA holds the service-level durations (sla.*).
type SLA struct {
	// Time a cadre has for the first response to a request; also the
	// window of the response rate (响应率).
	FirstResponse time.Duration `yaml:"first_response" default:"24h" check:"positive"`
	// When an unanswered request is escalated to the unit's leader; must be
	// at least first_response.
	EscalateAfter time.Duration `yaml:"escalate_after" default:"48h" check:"positive"`
	// Deadline offered by default when a cadre sets one (限期办理).
	DefaultDeadline time.Duration `yaml:"default_deadline" default:"168h" check:"positive"`
	// How long after "resolved" the household may give a verdict (回访评价)
	// before the request closes without one.
	VerdictWait time.Duration `yaml:"verdict_wait" default:"168h" check:"positive"`
	// true: count the durations above in working days only, skipping
	// weekends and holidays, counting workdays.
	WorkingDays bool `yaml:"working_days"`
	// Time of day at which a cadre is reminded of a deadline, on the day
	// before it (the working day before when working_days is true). Other
	// reminders held by quiet_hours go out when they end.
	EveReminder TimeOfDay `yaml:"eve_reminder" default:"09:00"`
}

// Schedule holds cron specs in the county time zone (schedule.*). Each is
// valid for cron.ParseStandard from github.com/robfig/cron/v3.
type Schedule struct {
	// Scan for due reminders (催办) and escalations (督办).
	Reminders string `yaml:"reminders" default:"@every 1m" check:"cron"`
	// Leaders' weekly digest (周报): Mondays at 08:00.
	Digest string `yaml:"digest" default:"0 8 * * 1" check:"cron"`
	// Delete data older than retention: daily at 03:30.
	Retention string `yaml:"retention" default:"30 3 * * *" check:"cron"`
}

// Household configures households (household.*).
type Household struct {
	// Telegram accounts one household card can bind (family members), 1–10.
	MaxAccounts int `yaml:"max_accounts" default:"3" check:"range=1..10"`
}

// Flood configures flood control (flood.*).
type Flood struct {
	// Messages a minute from one account before the bot slows it down.
	PerMinute int `yaml:"per_minute" default:"20" check:"min=1"`
}

// Visits configures coverage (visits.*): 全覆盖, every household reached.
type Visits struct {
	// A household not contacted for this long (no visit, request, reply
	// from its cadre or check-in answer) goes on its cadre's coverage
	// list, sent once a working day after the quiet hours; a Go duration
	// or days, e.g. "30d" or "720h".
	Every time.Duration `yaml:"every" default:"30d" check:"min=24h"`
	// How long a visit (走访) stays open before it ends by itself, with its
	// summary, when the cadre does not end it (at least 10m).
	MaxOpen time.Duration `yaml:"max_open" default:"3h" check:"min=10m"`
}

// Checkin configures check-ins (checkin.*): 未诉先办, reaching out first.
type Checkin struct {
	// A household with a bound account that has been silent this long
	// gets one friendly message in its cadre's name, at most once per this
	// long, outside the quiet hours; a Go duration or days, e.g. "30d";
	// "0" turns check-ins off.
	After time.Duration `yaml:"after" default:"30d" check:"min=0s"`
}

// HTTP configures the health and metrics server (http.*).
type HTTP struct {
	// host:port for /healthz and /metrics; "" disables.
	Listen string `yaml:"listen" default:"127.0.0.1:9090" check:"optional,hostport"`
}

// Cards configures the printed contact cards (cards.*).
type Cards struct {
	// Font file (.ttf, .otf or .ttc) with Chinese glyphs for printed cards;
	// "" uses the built-in choice.
	Font string `yaml:"font" check:"optional,font_file"`
	// Secret the codes on cards and invites are derived from, at least 32
	// characters (e.g. `openssl rand -hex 32`). Needed by import, cards and
	// invites, not by run. Prefer the environment variable
	// MINQING_CARDS_SECRET, which overrides this value; it is never stored
	// in Redis, so a copy of Redis holds no working code. Keep it safe and
	// unchanged: with another secret cards cannot be reprinted (cards
	// refuses), though the printed ones still bind.
	Secret Secret `yaml:"secret" env:"MINQING_CARDS_SECRET" check:"optional,cards_secret"`
}

// Log configures logging (log.*).
type Log struct {
	// Minimum level logged: debug, info, warn or error.
	Level slog.Level `yaml:"level" default:"info" check:"level"`
}

// Default returns a new Config holding the defaults (each key's default
// tag): the same values as the shipped config.yaml.
func Default() *Config {
	c := &Config{}
	d := newDecoder("default", c)
	for _, k := range keys().list {
		if k.def == "" {
			continue
		}
		if err := k.decode(d, k, k.defaultNode(), k.value(c)); err != nil {
			panic(fmt.Sprintf("config: the default of %s: %v", k.name, err)) // a test catches it
		}
	}
	return c
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
	d.environment(getenv)
	if o, ok := d.origins["telegram.token"]; ok && c.Telegram.Token != "" {
		c.Telegram.TokenFrom = fmt.Sprintf("%s:%d", name, o.line)
		if o.env != "" {
			c.Telegram.TokenFrom = "$" + o.env
		}
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
