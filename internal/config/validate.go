package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"
)

var (
	usernameRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{4,31}$`)
	secretRE    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	prefixRE    = regexp.MustCompile(`^[A-Za-z0-9_:-]+$`)
	namespaceRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// Validate checks c as Load does after decoding. Its errors name keys but
// no file or line. Use it after changing a Config in code.
func (c *Config) Validate() error {
	var errs []*Error
	c.check(func(key string, err error, _ ...string) {
		errs = append(errs, &Error{Key: key, Err: err})
	})
	return joinErrors(errs)
}

// check reports every invalid value of c to report, naming its key and,
// for errors caused by another key's value, the related keys.
func (c *Config) check(report func(key string, err error, related ...string)) {
	c.checkTelegram(report)
	c.checkRedis(report)

	if strings.TrimSpace(c.County) == "" {
		report("county", errors.New("must not be empty"))
	}
	if c.Timezone == nil {
		report("timezone", errors.New("must be set"))
	}
	if c.Language != "zh" && c.Language != "en" {
		report("language", fmt.Errorf(`must be "zh" or "en", got %q`, c.Language))
	}

	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"sla.first_response", c.SLA.FirstResponse},
		{"sla.escalate_after", c.SLA.EscalateAfter},
		{"sla.default_deadline", c.SLA.DefaultDeadline},
		{"sla.verdict_wait", c.SLA.VerdictWait},
	} {
		if d.v <= 0 {
			report(d.key, fmt.Errorf("must be > 0, got %v", d.v))
		}
	}
	if c.SLA.EscalateAfter > 0 && c.SLA.EscalateAfter < c.SLA.FirstResponse {
		report("sla.escalate_after", fmt.Errorf("must be ≥ sla.first_response (%v), got %v",
			c.SLA.FirstResponse, c.SLA.EscalateAfter), "sla.first_response")
	}

	c.checkDates(report)

	for _, s := range []struct{ key, spec string }{
		{"schedule.reminders", c.Schedule.Reminders},
		{"schedule.digest", c.Schedule.Digest},
		{"schedule.retention", c.Schedule.Retention},
	} {
		if _, err := cron.ParseStandard(s.spec); err != nil {
			report(s.key, fmt.Errorf("invalid cron spec %q: %v", s.spec, err))
		}
	}

	if err := c.QuietHours.check(); err != nil {
		report("quiet_hours", err)
	}
	if n := c.Household.MaxAccounts; n < 1 || n > 10 {
		report("household.max_accounts", fmt.Errorf("must be 1–10, got %d", n))
	}
	if n := c.Flood.PerMinute; n < 1 {
		report("flood.per_minute", fmt.Errorf("must be ≥ 1, got %d", n))
	}
	if c.Retention < 24*time.Hour {
		report("retention", fmt.Errorf("must be at least 24h, got %v", c.Retention))
	}
	if c.HTTP.Listen != "" {
		if err := checkHostPort(c.HTTP.Listen); err != nil {
			report("http.listen", err)
		}
	}
	if f := c.Cards.Font; f != "" {
		switch strings.ToLower(filepath.Ext(f)) {
		case ".ttf", ".otf", ".ttc":
		default:
			report("cards.font", fmt.Errorf("must be a .ttf, .otf or .ttc font file, got %q", f))
		}
	}
	if _, ok := levelNames[c.Log.Level]; !ok {
		report("log.level", fmt.Errorf("must be debug, info, warn or error, got %v", c.Log.Level))
	}
}

// levelNames are the slog levels log.level can name.
var levelNames = func() map[slog.Level]string {
	m := map[slog.Level]string{}
	for name, l := range levels {
		m[l] = name
	}
	return m
}()

func (c *Config) checkTelegram(report func(string, error, ...string)) {
	t := &c.Telegram
	if err := checkURL(t.APIURL, "http", "https"); err != nil {
		report("telegram.api_url", err)
	}
	if t.Username != "" && !usernameRE.MatchString(t.Username) {
		report("telegram.username", fmt.Errorf("must be 5–32 letters, digits or underscores starting with a letter, got %q", t.Username))
	}
	webhook := t.Mode == ModeWebhook
	if t.Mode != ModePolling && !webhook {
		report("telegram.mode", fmt.Errorf("must be %q or %q, got %q", ModePolling, ModeWebhook, t.Mode))
	}
	w := &t.Webhook
	required := fmt.Errorf("required when telegram.mode is %q", ModeWebhook)
	switch {
	case w.Listen != "":
		if err := checkHostPort(w.Listen); err != nil {
			report("telegram.webhook.listen", err)
		}
	case webhook:
		report("telegram.webhook.listen", required, "telegram.mode")
	}
	switch {
	case w.URL != "":
		if err := checkURL(w.URL, "https"); err != nil {
			report("telegram.webhook.url", err)
		}
	case webhook:
		report("telegram.webhook.url", required, "telegram.mode")
	}
	switch {
	case w.Secret != "":
		if !secretRE.MatchString(w.Secret.Reveal()) {
			report("telegram.webhook.secret", errors.New("must be 1–256 characters, each A-Z, a-z, 0-9, _ or -"))
		}
	case webhook:
		report("telegram.webhook.secret", required, "telegram.mode")
	}
	if g := t.Rate.Global; !(g > 0 && g <= 30) {
		report("telegram.rate.global", fmt.Errorf("must be > 0 and ≤ 30 messages a second (Telegram's limit), got %g", g))
	}
	if p := t.Rate.PerChat; !(p > 0) || math.IsInf(p, 1) {
		report("telegram.rate.per_chat", fmt.Errorf("must be a number > 0, got %g", p))
	}
}

func (c *Config) checkRedis(report func(string, error, ...string)) {
	r := &c.Redis
	var db int
	if _, err := url.Parse(r.URL); err != nil {
		// url.Parse quotes the URL, which may hold a password.
		report("redis.url", errors.New(`not a valid URL; want e.g. "redis://127.0.0.1:6379/0"`))
	} else if opt, err := redis.ParseURL(r.URL); err != nil {
		report("redis.url", errors.New(strings.TrimPrefix(err.Error(), "redis: ")))
	} else {
		db = opt.DB
	}
	for i, a := range r.Addrs {
		if err := checkHostPort(a); err != nil {
			report(fmt.Sprintf("redis.addrs[%d]", i), err, "redis.addrs")
		}
	}
	switch {
	case r.MasterName != "" && len(r.Addrs) == 0:
		report("redis.master_name", errors.New("requires redis.addrs, the Sentinel addresses"))
	case r.MasterName == "" && len(r.Addrs) > 0 && db != 0:
		report("redis.url", fmt.Errorf("Redis Cluster (redis.addrs without redis.master_name) has only database 0, got %d", db),
			"redis.addrs")
	}
	if !prefixRE.MatchString(r.Prefix) {
		report("redis.prefix", fmt.Errorf("must be non-empty and only A-Z, a-z, 0-9, _, : or -, got %q", r.Prefix))
	}
	if !namespaceRE.MatchString(r.Namespace) {
		report("redis.namespace", fmt.Errorf("must be non-empty and only A-Z, a-z, 0-9, _ or -, got %q", r.Namespace))
	}
}

func (c *Config) checkDates(report func(string, error, ...string)) {
	holiday := map[Date]bool{}
	for i, d := range c.Holidays {
		if !d.Valid() {
			report(fmt.Sprintf("holidays[%d]", i), fmt.Errorf("invalid date %v", d), "holidays")
		}
		holiday[d] = true
	}
	for i, d := range c.Workdays {
		key := fmt.Sprintf("workdays[%d]", i)
		switch {
		case !d.Valid():
			report(key, fmt.Errorf("invalid date %v", d), "workdays")
		case holiday[d]:
			report(key, fmt.Errorf("%v is also listed in holidays", d), "workdays")
		}
	}
}

// checkURL checks that s is an absolute URL with a host and one of schemes.
func checkURL(s string, schemes ...string) error {
	want := fmt.Errorf("must be an absolute %s URL, got %q", strings.Join(schemes, " or "), s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return want
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			return nil
		}
	}
	return want
}

// checkHostPort checks a host:port address; the host may be empty.
func checkHostPort(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("must be host:port such as \"127.0.0.1:9090\", got %q", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port must be a number 1–65535, got %q", port)
	}
	return nil
}
