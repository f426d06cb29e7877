package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
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
// for errors caused by another key's value, the related keys: first each
// key's own checks (its check tag), then the rules between keys.
func (c *Config) check(report func(key string, err error, related ...string)) {
	for _, k := range keys().list {
		k.check(c, report)
	}
	if c.SLA.EscalateAfter > 0 && c.SLA.EscalateAfter < c.SLA.FirstResponse {
		report("sla.escalate_after", fmt.Errorf("must be ≥ sla.first_response (%v), got %v",
			c.SLA.FirstResponse, c.SLA.EscalateAfter), "sla.first_response")
	}
	c.checkWebhook(report)
	c.checkRedis(report)
	c.checkDates(report)
}

// checkWebhook requires the webhook's keys in webhook mode.
func (c *Config) checkWebhook(report func(string, error, ...string)) {
	if c.Telegram.Mode != ModeWebhook {
		return
	}
	w := &c.Telegram.Webhook
	required := fmt.Errorf("required when telegram.mode is %q", ModeWebhook)
	for _, v := range []struct {
		key   string
		empty bool
	}{
		{"telegram.webhook.listen", w.Listen == ""},
		{"telegram.webhook.url", w.URL == ""},
		{"telegram.webhook.secret", w.Secret == ""},
	} {
		if v.empty {
			report(v.key, required, "telegram.mode")
		}
	}
}

// checkRedis checks that redis.addrs, redis.master_name and redis.url
// agree.
func (c *Config) checkRedis(report func(string, error, ...string)) {
	r := &c.Redis
	var db int
	if opt, err := redis.ParseURL(r.URL); err == nil {
		db = opt.DB
	}
	switch {
	case r.MasterName != "" && len(r.Addrs) == 0:
		report("redis.master_name", errors.New("requires redis.addrs, the Sentinel addresses"))
	case r.MasterName == "" && len(r.Addrs) > 0 && db != 0:
		report("redis.url", fmt.Errorf("Redis Cluster (redis.addrs without redis.master_name) has only database 0, got %d", db),
			"redis.addrs")
	}
}

// checkDates checks that no day is both a holiday and a workday.
func (c *Config) checkDates(report func(string, error, ...string)) {
	holiday := map[Date]bool{}
	for _, d := range c.Holidays {
		holiday[d] = true
	}
	for i, d := range c.Workdays {
		if d.Valid() && holiday[d] {
			report(fmt.Sprintf("workdays[%d]", i), fmt.Errorf("%v is also listed in holidays", d), "workdays")
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
