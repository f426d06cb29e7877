package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"
)

// A checkFunc checks a key's value v; arg is what follows "=" in the check
// tag. The error says what is wrong without naming the key.
type checkFunc func(v reflect.Value, arg string) error

// checks are the checks a key's check tag can name.
var checks = map[string]checkFunc{
	"nonblank":       checkNonblank,
	"set":            checkSet,
	"oneof":          checkOneOf,
	"url":            func(v reflect.Value, arg string) error { return checkURL(v.String(), strings.Split(arg, "|")...) },
	"hostport":       func(v reflect.Value, _ string) error { return checkHostPort(v.String()) },
	"cron":           checkCron,
	"font_file":      checkFontFile,
	"level":          checkLevel,
	"redis_url":      checkRedisURL,
	"positive":       checkPositive,
	"min":            checkMin,
	"range":          checkRange,
	"botapi_rate":    checkBotAPIRate,
	"proxy_url":      func(v reflect.Value, _ string) error { return checkProxy(SecretURL(v.String())) },
	"username":       patterns["username"].check,
	"webhook_secret": patterns["webhook_secret"].check,
	"cards_secret":   checkCardsSecret,
	"prefix":         patterns["prefix"].check,
	"namespace":      patterns["namespace"].check,
}

// pattern is a check that a string matches re.
type pattern struct {
	re   *regexp.Regexp
	want string // what a value must be
	hide bool   // the value is secret: the message does not quote it
}

var patterns = map[string]pattern{
	"username": {re: regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{4,31}$`),
		want: "5–32 letters, digits or underscores starting with a letter"},
	"webhook_secret": {re: regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`),
		want: "1–256 characters, each A-Z, a-z, 0-9, _ or -", hide: true},
	"prefix":    {re: regexp.MustCompile(`^[A-Za-z0-9_:-]+$`), want: "non-empty and only A-Z, a-z, 0-9, _, : or -"},
	"namespace": {re: regexp.MustCompile(`^[A-Za-z0-9_-]+$`), want: "non-empty and only A-Z, a-z, 0-9, _ or -"},
}

func (p pattern) check(v reflect.Value, _ string) error {
	switch s := v.String(); {
	case p.re.MatchString(s):
		return nil
	case p.hide:
		return errors.New("must be " + p.want)
	default:
		return fmt.Errorf("must be %s, got %q", p.want, s)
	}
}

// checkCardsSecret checks the length of the secret codes are derived from,
// without quoting it.
func checkCardsSecret(v reflect.Value, _ string) error {
	if n := len([]rune(v.String())); n < 32 || n > 1024 {
		return fmt.Errorf("must be 32–1024 characters (e.g. the output of `openssl rand -hex 32`), got %d", n)
	}
	return nil
}

func checkNonblank(v reflect.Value, _ string) error {
	if strings.TrimSpace(v.String()) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func checkSet(v reflect.Value, _ string) error {
	if v.IsNil() {
		return errors.New("must be set")
	}
	return nil
}

// checkOneOf checks that the value is one of arg's "|"-separated words.
func checkOneOf(v reflect.Value, arg string) error {
	words := strings.Split(arg, "|")
	if slices.Contains(words, v.String()) {
		return nil
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = strconv.Quote(w)
	}
	last := len(quoted) - 1
	list := quoted[last]
	if last > 0 {
		list = strings.Join(quoted[:last], ", ") + " or " + list
	}
	return fmt.Errorf("must be %s, got %q", list, v.String())
}

func checkCron(v reflect.Value, _ string) error {
	sched, err := cron.ParseStandard(v.String())
	if err != nil {
		return fmt.Errorf("invalid cron spec %q: %v", v.String(), err)
	}
	// robfig/cron looks five years ahead: a spec that matches no time in
	// that span (such as February 30) never fires.
	if sched.Next(time.Now()).IsZero() {
		return fmt.Errorf("cron spec %q never fires (no such date)", v.String())
	}
	return nil
}

func checkFontFile(v reflect.Value, _ string) error {
	switch strings.ToLower(filepath.Ext(v.String())) {
	case ".ttf", ".otf", ".ttc":
		return nil
	}
	return fmt.Errorf("must be a .ttf, .otf or .ttc font file, got %q", v.String())
}

// levelNames are the slog levels log.level can name.
var levelNames = func() map[slog.Level]string {
	m := map[slog.Level]string{}
	for name, l := range levels {
		m[l] = name
	}
	return m
}()

func checkLevel(v reflect.Value, _ string) error {
	l := slog.Level(v.Int())
	if _, ok := levelNames[l]; !ok {
		return fmt.Errorf("must be debug, info, warn or error, got %v", l)
	}
	return nil
}

func checkRedisURL(v reflect.Value, _ string) error {
	s := v.String()
	if _, err := url.Parse(s); err != nil {
		// url.Parse quotes the URL, which may hold a password.
		return errors.New(`not a valid URL; want e.g. "redis://127.0.0.1:6379/0"`)
	}
	if _, err := redis.ParseURL(s); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "redis: "))
	}
	return nil
}

var durationType = reflect.TypeFor[time.Duration]()

// checkPositive checks that a duration or a number is > 0 (and finite).
func checkPositive(v reflect.Value, _ string) error {
	switch {
	case v.Type() == durationType:
		if d := time.Duration(v.Int()); d <= 0 {
			return fmt.Errorf("must be > 0, got %v", d)
		}
	case v.Kind() == reflect.Float64:
		if f := v.Float(); !(f > 0) || math.IsInf(f, 1) {
			return fmt.Errorf("must be a number > 0, got %g", f)
		}
	default:
		panic("config: positive: unsupported type " + v.Type().String())
	}
	return nil
}

// checkMin checks that a duration or an integer is at least arg.
func checkMin(v reflect.Value, arg string) error {
	if v.Type() == durationType {
		if d := time.Duration(v.Int()); d < mustDuration(arg) {
			return fmt.Errorf("must be at least %s, got %v", arg, d)
		}
		return nil
	}
	if n := v.Int(); n < mustInt(arg) {
		return fmt.Errorf("must be ≥ %s, got %d", arg, n)
	}
	return nil
}

// checkRange checks that an integer is within arg, "lo..hi".
func checkRange(v reflect.Value, arg string) error {
	lo, hi, _ := strings.Cut(arg, "..")
	if n := v.Int(); n < mustInt(lo) || n > mustInt(hi) {
		return fmt.Errorf("must be %s–%s, got %d", lo, hi, n)
	}
	return nil
}

// proxySchemes are the proxies Go's HTTP client speaks.
var proxySchemes = []string{"http", "https", "socks5", "socks5h"}

// checkProxy checks a proxy URL: a scheme of proxySchemes, a host, and
// nothing else but a user and password. Its messages never hold the password.
func checkProxy(p SecretURL) error {
	u, err := url.Parse(p.Reveal())
	if err != nil || u.Opaque != "" || !slices.Contains(proxySchemes, u.Scheme) || u.Host == "" {
		return fmt.Errorf(`must be an http, https or socks5 URL such as "socks5://127.0.0.1:1080", got %q`, p.String())
	}
	if u.Port() == "" && strings.HasPrefix(u.Scheme, "socks5") {
		return fmt.Errorf("a socks5 proxy needs a port, got %q", p.String())
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("a proxy URL has no path, query or fragment, got %q", p.String())
	}
	return nil
}

// checkBotAPIRate checks a rate of messages a second over all chats.
func checkBotAPIRate(v reflect.Value, _ string) error {
	if g := v.Float(); !(g > 0 && g <= 30) {
		return fmt.Errorf("must be > 0 and ≤ 30 messages a second (Telegram's limit), got %g", g)
	}
	return nil
}

func mustInt(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic("config: bad check argument: " + err.Error())
	}
	return n
}

func mustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic("config: bad check argument: " + err.Error())
	}
	return d
}
