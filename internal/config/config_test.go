package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// env returns an environment holding m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestShippedConfigEqualsDefault(t *testing.T) {
	data, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parse("config.yaml", data, noEnv)
	if err != nil {
		t.Fatalf("shipped config.yaml: %v", err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("shipped config.yaml differs from Default():\n got %+v\nwant %+v", got, want)
	}

	// Every key is documented in the shipped file.
	d := newDecoder("config.yaml", Default())
	d.decode(data)
	for key := range d.keys.byName {
		if _, ok := d.origins[key]; !ok {
			t.Errorf("key %s is missing from the shipped config.yaml", key)
		}
	}
}

func TestDefaultValidates(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
	if a, b := Default(), Default(); a == b {
		t.Error("Default returns a shared Config")
	}
}

func TestEmptyFileIsDefault(t *testing.T) {
	for _, src := range []string{"", "# only a comment\n", "~\n", "telegram:\nsla: ~\n"} {
		got, err := parse("config.yaml", []byte(src), noEnv)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if !reflect.DeepEqual(got, Default()) {
			t.Errorf("%q: got %+v, want defaults", src, got)
		}
	}
}

func TestParseValues(t *testing.T) {
	src := `
telegram:
  username: "@MinqingBot"
  proxy: "socks5://u:pw@127.0.0.1:1080"
  mode: webhook
  webhook: {listen: ":8443", url: "https://bot.example.org/tg", secret: "s3cr_et-"}
  rate: {global: 30, per_chat: 0.5}
redis:
  url: "redis://:pw@10.0.0.1:6379/0"
  addrs: ["10.0.0.1:26379", "10.0.0.2:26379"]
  master_name: mymaster
timezone: Asia/Urumqi
language: en
sla: {first_response: 3s, escalate_after: 1h30m, working_days: true, eve_reminder: "08:30"}
holidays: [2026-10-01, "2026-10-02"]
workdays:
  - 2026-10-10
quiet_hours: ""
household: {max_accounts: 10}
retention: 720h
http: {listen: ""}
cards: {font: /usr/share/fonts/NotoSansCJK.TTC}
log: {level: debug}
`
	c, err := parse("config.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Telegram.Username = "MinqingBot"
	want.Telegram.Proxy = "socks5://u:pw@127.0.0.1:1080"
	want.Telegram.Mode = ModeWebhook
	want.Telegram.Webhook = Webhook{Listen: ":8443", URL: "https://bot.example.org/tg", Secret: "s3cr_et-"}
	want.Telegram.Rate = Rate{Global: 30, PerChat: 0.5}
	want.Redis.URL = "redis://:pw@10.0.0.1:6379/0"
	want.Redis.Addrs = []string{"10.0.0.1:26379", "10.0.0.2:26379"}
	want.Redis.MasterName = "mymaster"
	want.Timezone, _ = time.LoadLocation("Asia/Urumqi")
	want.Language = "en"
	want.SLA.FirstResponse = 3 * time.Second
	want.SLA.EscalateAfter = 90 * time.Minute
	want.SLA.WorkingDays = true
	want.SLA.EveReminder = TimeOfDay(8*time.Hour + 30*time.Minute)
	want.Holidays = []Date{{2026, 10, 1}, {2026, 10, 2}}
	want.Workdays = []Date{{2026, 10, 10}}
	want.QuietHours = QuietHours{}
	want.Household.MaxAccounts = 10
	want.Retention = 720 * time.Hour
	want.HTTP.Listen = ""
	want.Cards.Font = "/usr/share/fonts/NotoSansCJK.TTC"
	want.Log.Level = slog.LevelDebug
	if c.Timezone.String() != "Asia/Urumqi" {
		t.Errorf("Timezone = %v", c.Timezone)
	}
	c.Timezone, want.Timezone = nil, nil
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %#v\nwant %#v", c, want)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // substrings of the error message, in order
	}{
		{"unknown nested key", "telegram:\n  mode: polling\n  tokn: x\n",
			[]string{`config.yaml:3: unknown key "telegram.tokn" (did you mean "telegram.token"?)`}},
		{"unknown deep key", "telegram:\n  rate:\n\n    globl: 3\n",
			[]string{`config.yaml:4: unknown key "telegram.rate.globl"`}},
		{"unknown top key", "county: x\nfirst_response: 24h\n",
			[]string{`config.yaml:2: unknown key "first_response" (did you mean "sla.first_response"?)`}},
		{"unknown section", "telegarm:\n  token: x\n", []string{`config.yaml:1: unknown key "telegarm" (did you mean "telegram"?)`}},
		{"duplicate key", "county: a\ncounty: b\n", []string{`config.yaml:2: county: duplicate key (first set at line 1)`}},
		{"bad duration", "sla:\n  first_response: abc\n",
			[]string{`config.yaml:2: sla.first_response: time: invalid duration "abc"`}},
		{"duration without unit", "retention: 24\n", []string{`config.yaml:1: retention: time: missing unit`}},
		{"negative duration", "sla:\n  verdict_wait: -1h\n", []string{`config.yaml:2: sla.verdict_wait: must be > 0`}},
		{"escalate before first response", "sla:\n  first_response: 72h\n  escalate_after: 48h\n",
			[]string{`config.yaml:3: sla.escalate_after: must be ≥ sla.first_response (72h0m0s)`}},
		{"escalate default below first response", "sla:\n  first_response: 72h\n",
			[]string{`config.yaml:2: sla.escalate_after: must be ≥`}},
		{"bad cron", "schedule:\n  digest: \"0 8 * *\"\n",
			[]string{`config.yaml:2: schedule.digest: invalid cron spec "0 8 * *"`}},
		{"bad cron descriptor", "schedule:\n  reminders: \"@evry 1m\"\n", []string{`config.yaml:2: schedule.reminders:`}},
		{"cron that never fires", "county: x\nschedule:\n  digest: \"0 0 30 2 *\"\n",
			[]string{`config.yaml:3: schedule.digest: cron spec "0 0 30 2 *" never fires`}},
		{"bad timezone", "county: x\ntimezone: Asia/Shangai\n",
			[]string{`config.yaml:2: timezone: unknown time zone Asia/Shangai`}},
		{"local timezone", "timezone: Local\n", []string{`config.yaml:1: timezone: must be an IANA time zone name`}},
		{"bad api url", "telegram:\n  api_url: api.telegram.org\n",
			[]string{`config.yaml:2: telegram.api_url: must be an absolute http or https URL`}},
		{"ftp api url", "telegram:\n  api_url: ftp://x.org\n", []string{`config.yaml:2: telegram.api_url:`}},
		{"ftp proxy", "telegram:\n  proxy: ftp://p.example:21\n",
			[]string{`config.yaml:2: telegram.proxy: must be an http, https or socks5 URL such as "socks5://127.0.0.1:1080", got "ftp://p.example:21"`}},
		{"proxy without scheme", "telegram:\n  proxy: 127.0.0.1:1080\n", []string{`config.yaml:2: telegram.proxy: must be an http, https or socks5 URL`}},
		{"socks5 proxy without port", "telegram:\n  proxy: socks5://p.example\n",
			[]string{`config.yaml:2: telegram.proxy: a socks5 proxy needs a port`}},
		{"proxy with path", "telegram:\n  proxy: http://p.example:3128/x\n",
			[]string{`config.yaml:2: telegram.proxy: a proxy URL has no path, query or fragment`}},
		{"proxy not a string", "telegram:\n  proxy: [a]\n", []string{`config.yaml:2: telegram.proxy: expected a string, got a list`}},
		{"http webhook url", "telegram:\n  webhook:\n    url: http://x.org/tg\n",
			[]string{`config.yaml:3: telegram.webhook.url: must be an absolute https URL`}},
		{"bad redis url", "redis:\n  url: http://127.0.0.1:6379\n", []string{`config.yaml:2: redis.url: invalid URL scheme: http`}},
		{"bad redis db", "redis:\n  url: redis://h:6379/x\n", []string{`config.yaml:2: redis.url: invalid database number`}},
		{"master without addrs", "redis:\n  master_name: m\n", []string{`config.yaml:2: redis.master_name: requires redis.addrs`}},
		{"cluster with db", "redis:\n  url: redis://h:6379/3\n  addrs: [\"a:1\"]\n", []string{`config.yaml:2: redis.url: Redis Cluster`}},
		{"bad redis addr", "redis:\n  addrs:\n    - a:1\n    - nope\n", []string{`config.yaml:4: redis.addrs[1]: must be host:port`}},
		{"bad prefix", "redis:\n  prefix: \"m q\"\n", []string{`config.yaml:2: redis.prefix:`}},
		{"bad namespace", "redis:\n  namespace: \"{c}\"\n", []string{`config.yaml:2: redis.namespace:`}},
		{"bad eve reminder", "sla:\n  eve_reminder: \"9\"\n",
			[]string{`config.yaml:2: sla.eve_reminder: invalid time of day "9", want HH:MM`}},
		{"eve reminder out of range", "sla:\n  eve_reminder: \"24:00\"\n", []string{`config.yaml:2: sla.eve_reminder: invalid time of day`}},
		{"bad quiet hours", "quiet_hours: 21-7\n",
			[]string{`config.yaml:1: quiet_hours: invalid quiet hours "21-7", want HH:MM-HH:MM`}},
		{"quiet hours out of range", "quiet_hours: \"24:00-07:00\"\n", []string{`config.yaml:1: quiet_hours: invalid quiet hours`}},
		{"empty quiet window", "quiet_hours: \"07:00-07:00\"\n", []string{`config.yaml:1: quiet_hours: start and end are equal`}},
		{"bad holiday", "holidays:\n  - 2026-10-01\n  - 2026-13-01\n",
			[]string{`config.yaml:3: holidays[1]: invalid date "2026-13-01", want YYYY-MM-DD`}},
		{"short holiday", "holidays: [\"2026-1-1\"]\n", []string{`config.yaml:1: holidays[0]: invalid date "2026-1-1"`}},
		{"workday also holiday", "holidays: [2026-10-01]\nworkdays:\n  - 2026-10-01\n",
			[]string{`config.yaml:3: workdays[0]: 2026-10-01 is also listed in holidays`}},
		{"holidays not a list", "holidays: 2026-10-01\n", []string{`config.yaml:1: holidays: expected a list, got a date "2026-10-01"`}},
		{"rate too high", "telegram:\n  rate:\n    global: 31\n", []string{`config.yaml:3: telegram.rate.global: must be > 0 and ≤ 30`}},
		{"rate zero", "telegram:\n  rate:\n    per_chat: 0\n", []string{`config.yaml:3: telegram.rate.per_chat: must be a number > 0`}},
		{"rate string", "telegram:\n  rate:\n    global: fast\n",
			[]string{`config.yaml:3: telegram.rate.global: expected a number, got a string "fast"`}},
		{"int float", "household:\n  max_accounts: 2.5\n",
			[]string{`config.yaml:2: household.max_accounts: expected an integer, got a number "2.5"`}},
		{"int range", "household:\n  max_accounts: 11\n", []string{`config.yaml:2: household.max_accounts: must be 1–10, got 11`}},
		{"flood zero", "flood:\n  per_minute: 0\n", []string{`config.yaml:2: flood.per_minute: must be ≥ 1`}},
		{"bool string", "sla:\n  working_days: \"yes\"\n",
			[]string{`config.yaml:2: sla.working_days: expected true or false, got a string "yes"`}},
		{"section scalar", "telegram: x\n", []string{`config.yaml:1: telegram: expected a mapping of keys, got a string "x"`}},
		{"string got map", "county:\n  name: x\n", []string{`config.yaml:2: county: expected a string, got a mapping`}},
		{"bad mode", "telegram:\n  mode: push\n", []string{`config.yaml:2: telegram.mode: must be "polling" or "webhook", got "push"`}},
		{"bad username", "telegram:\n  username: ab\n", []string{`config.yaml:2: telegram.username:`}},
		{"bad language", "language: fr\n", []string{`config.yaml:1: language: must be "zh" or "en"`}},
		{"empty county", "county: \"\"\n", []string{`config.yaml:1: county: must not be empty`}},
		{"short retention", "retention: 1h\n", []string{`config.yaml:1: retention: must be at least 24h`}},
		{"bad http listen", "http:\n  listen: localhost\n", []string{`config.yaml:2: http.listen: must be host:port`}},
		{"bad port", "http:\n  listen: \":99999\"\n", []string{`config.yaml:2: http.listen: port must be`}},
		{"bad font", "cards:\n  font: /x/font.png\n", []string{`config.yaml:2: cards.font: must be a .ttf`}},
		{"bad level", "log:\n  level: trace\n", []string{`config.yaml:2: log.level: must be debug, info, warn or error, got "trace"`}},
		{"webhook needs url and secret", "telegram:\n  mode: webhook\n",
			[]string{`config.yaml:2: telegram.webhook.url: required when telegram.mode is "webhook"`,
				`config.yaml:2: telegram.webhook.secret: required when telegram.mode is "webhook"`}},
		{"webhook needs listen", "telegram:\n  mode: webhook\n  webhook: {listen: \"\", url: \"https://a.b/c\", secret: s}\n",
			[]string{`config.yaml:3: telegram.webhook.listen: required`}},
		{"syntax error", "telegram:\n  mode: [\n", []string{`config.yaml:`, `did not find expected`}},
		{"tab indentation", "telegram:\n\tmode: polling\n", []string{`config.yaml:2: found character that cannot start any token`}},
		{"two documents", "county: a\n---\ncounty: b\n", []string{`config.yaml:2: only one YAML document is allowed`}},
		{"not a mapping", "- a\n- b\n", []string{`config.yaml:1: the file must be a mapping`}},
		{"merge key", "base: &b {mode: polling}\n", []string{`config.yaml:1: unknown key "base"`}},
		{"merge", "telegram:\n  <<: {mode: polling}\n", []string{`config.yaml:2: telegram.<<: merge keys (<<) are not supported`}},
		{"several errors sorted by line", "sla:\n  first_response: x\nlanguage: fr\ntelegram: {tokn: y}\n",
			[]string{`config.yaml:2: sla.first_response:`, "\nconfig.yaml:3: language:", "\nconfig.yaml:4: unknown key \"telegram.tokn\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parse("config.yaml", []byte(tt.src), noEnv)
			if err == nil {
				t.Fatalf("no error; config %+v", c)
			}
			if c != nil {
				t.Error("config returned with an error")
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error\n%s\ndoes not contain (in order)\n%s", msg, w)
				}
				rest = rest[i+len(w):]
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "config.yaml" {
				t.Errorf("errors.As(*Error) = %+v", e)
			}
		})
	}
}

func TestUnknownKeyError(t *testing.T) {
	_, err := parse("/etc/minqing.yaml", []byte("telegram:\n  webhook:\n    secrte: x\n"), noEnv)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not an *Error", err)
	}
	if e.File != "/etc/minqing.yaml" || e.Line != 3 || e.Key != "telegram.webhook.secrte" || !errors.Is(err, ErrUnknownKey) {
		t.Errorf("got %+v", e)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "minqing.yaml")
	if err := os.WriteFile(path, []byte("county: 汤旺县\nsla:\n  first_response: 2x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvBotToken, "")
	t.Setenv(EnvWebhookSecret, "")
	t.Setenv(EnvCardsSecret, "")
	_, err := Load(path)
	if want := path + `:3: sla.first_response: time: unknown unit "x"`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Load error %v, want %s", err, want)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestEnvOverrides(t *testing.T) {
	const token = "123456:AAE-very-secret-token"
	t.Setenv(EnvBotToken, token)
	t.Setenv(EnvWebhookSecret, "hook_secret")
	c, err := Parse("config.yaml", []byte("telegram:\n  token: file-token\n  mode: webhook\n  webhook:\n    url: https://a.b/tg\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Telegram.Token.Reveal() != token || c.Telegram.Webhook.Secret.Reveal() != "hook_secret" {
		t.Errorf("token %q secret %q", c.Telegram.Token.Reveal(), c.Telegram.Webhook.Secret.Reveal())
	}
	if got, want := c.Telegram.TokenName(), "telegram.token (from $TELEGRAM_BOT_TOKEN)"; got != want {
		t.Errorf("TokenName() = %q, want %q", got, want)
	}

	// Without the environment the file's value stays.
	c, err = parse("config.yaml", []byte("telegram:\n  token: file-token\n"), noEnv)
	if err != nil || c.Telegram.Token.Reveal() != "file-token" {
		t.Errorf("file token: %v %v", c, err)
	}
	if got, want := c.Telegram.TokenName(), "telegram.token (config.yaml:2)"; got != want {
		t.Errorf("TokenName() = %q, want %q", got, want)
	}
	if got := Default().Telegram.TokenName(); got != "telegram.token" {
		t.Errorf("TokenName() of the defaults = %q", got)
	}

	// A bad secret from the environment is blamed on the variable, and its
	// value is not in the message.
	bad := "bad secret with spaces"
	_, err = parse("config.yaml", []byte("county: x\n"), env(map[string]string{EnvWebhookSecret: bad}))
	want := `config.yaml: telegram.webhook.secret (from $TELEGRAM_WEBHOOK_SECRET): must be 1–256 characters`
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), bad) {
		t.Errorf("error %v, want %s", err, want)
	}

	// The cards secret: from the file or the environment, at least 32
	// characters, never quoted in an error.
	const cards = "0123456789abcdef0123456789abcdef"
	c, err = parse("config.yaml", []byte("cards:\n  secret: \"file-secret-file-secret-file-secret\"\n"), env(map[string]string{EnvCardsSecret: cards}))
	if err != nil || c.Cards.Secret.Reveal() != cards {
		t.Errorf("cards secret from the environment: %v", err)
	}
	_, err = parse("config.yaml", []byte("cards:\n  secret: \"too-short-secret\"\n"), noEnv)
	if want := `config.yaml:2: cards.secret: must be 32–1024 characters`; err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "too-short") {
		t.Errorf("short cards secret: %v, want %s", err, want)
	}
	_, err = parse("config.yaml", []byte("county: x\n"), env(map[string]string{EnvCardsSecret: "short"}))
	if want := `cards.secret (from $MINQING_CARDS_SECRET): must be 32–1024 characters`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("short cards secret from the environment: %v, want %s", err, want)
	}

	// The environment also fills a required value in webhook mode.
	src := "telegram:\n  mode: webhook\n  webhook:\n    url: https://a.b/tg\n"
	if _, err := parse("config.yaml", []byte(src), env(map[string]string{EnvWebhookSecret: "x"})); err != nil {
		t.Error(err)
	}
	if _, err := parse("config.yaml", []byte(src), noEnv); err == nil {
		t.Error("webhook mode without a secret: no error")
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	const token = "123456:AAE-very-secret-token"
	const hook = "hook-secret-value"
	const redisPW = "redis-password"
	const cards = "cards-secret-cards-secret-cards-secret"
	const proxyPW = "proxy-password"
	src := fmt.Sprintf("telegram:\n  token: %q\n  proxy: \"http://u:%s@p:3128\"\n  mode: webhook\n  webhook: {url: \"https://a.b/tg\", secret: %q}\nredis:\n  url: \"redis://u:%s@h:6379/0\"\ncards:\n  secret: %q\n", token, proxyPW, hook, redisPW, cards)
	c, err := parse("config.yaml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", c, "val", *c)
	outputs := []string{
		fmt.Sprintf("%v %+v %#v", c, c, c),
		fmt.Sprintf("%v %+v %#v", *c, *c, *c),
		fmt.Sprintf("%v %+v %#v", c.Telegram, c.Telegram, c.Telegram),
		fmt.Sprintf("%v %s %q %x %X %d %#v %10s", c.Telegram.Token, c.Telegram.Token, c.Telegram.Token,
			c.Telegram.Token, c.Telegram.Token, c.Telegram.Token, c.Telegram.Token, c.Telegram.Token),
		fmt.Sprintf("%v %+v %d %x", c.Redis, c.Redis, c.Redis, c.Redis),
		fmt.Sprintf("%v %s %q %x %#v", c.Telegram.Proxy, c.Telegram.Proxy, c.Telegram.Proxy, c.Telegram.Proxy, c.Telegram.Proxy),
		fmt.Sprint(c.Telegram.Webhook), fmt.Sprintln(*c),
		string(js), logged.String(),
	}
	for _, out := range outputs {
		for _, secret := range []string{token, hook, redisPW, proxyPW, "very-secret", "AAE", cards, "cards-secret"} {
			if strings.Contains(out, secret) {
				t.Errorf("output contains %q:\n%s", secret, out)
			}
		}
	}
	if !strings.Contains(outputs[0], redacted) || !strings.Contains(outputs[4], "h:6379") || !strings.Contains(outputs[5], "p:3128") {
		t.Errorf("redacted output lost information:\n%s\n%s\n%s", outputs[0], outputs[4], outputs[5])
	}
	// A bad proxy URL is named without its password.
	_, err = parse("config.yaml", []byte("telegram:\n  proxy: \"ftp://u:"+proxyPW+"@p:21\"\n"), noEnv)
	if err == nil || strings.Contains(err.Error(), proxyPW) || !strings.Contains(err.Error(), "telegram.proxy") {
		t.Errorf("bad proxy: %v", err)
	}
	if s := Secret("").String(); s != "" {
		t.Errorf("empty Secret prints %q", s)
	}
}

func TestValidate(t *testing.T) {
	c := Default()
	c.SLA.FirstResponse = 0
	c.SLA.EveReminder = TimeOfDay(24 * time.Hour)
	c.QuietHours = QuietHours{Start: 25 * time.Hour, Enabled: true}
	c.Holidays = []Date{{2026, 2, 30}}
	c.Log.Level = slog.Level(2)
	c.Timezone = nil
	err := c.Validate()
	for _, want := range []string{"sla.first_response: must be > 0", "quiet_hours: start and end must be whole minutes",
		"holidays[0]: invalid date 2026-02-30", "log.level: must be", "timezone: must be set", "sla.eve_reminder: must be a whole minute"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want %s", err, want)
		}
	}
}
