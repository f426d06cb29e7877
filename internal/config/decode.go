package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// A setter decodes the value node n of the dotted key into the Config.
// An error that is not an *Error is reported at n's line under key.
type setter func(key string, n *yaml.Node) error

// origin records where a value came from: a line of the file or an
// environment variable.
type origin struct {
	line int
	env  string
}

// decoder walks a yaml.v3 node tree into a Config, collecting errors.
type decoder struct {
	file     string
	c        *Config
	fields   map[string]setter // dotted key → setter
	sections map[string]bool   // dotted prefixes of keys: "telegram", "telegram.rate", …
	origins  map[string]origin // dotted key (or "key[i]") → where its value came from
	failed   map[string]bool   // keys whose value did not decode
	errs     []*Error
	fatal    bool // the file did not parse; skip validation
}

func newDecoder(file string, c *Config) *decoder {
	d := &decoder{
		file:     file,
		c:        c,
		sections: map[string]bool{},
		origins:  map[string]origin{},
		failed:   map[string]bool{},
	}
	d.fields = d.table()
	for key := range d.fields {
		for i := strings.IndexByte(key, '.'); i >= 0; i = nextDot(key, i) {
			d.sections[key[:i]] = true
		}
	}
	return d
}

// nextDot returns the index of the next '.' in key after i, or -1.
func nextDot(key string, i int) int {
	j := strings.IndexByte(key[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// table maps every dotted key to the setter that stores it in d.c.
func (d *decoder) table() map[string]setter {
	c := d.c
	return map[string]setter{
		"telegram.token":   secretValue(&c.Telegram.Token),
		"telegram.api_url": stringValue(&c.Telegram.APIURL),
		"telegram.username": func(_ string, n *yaml.Node) error {
			s, err := scalarString(n)
			c.Telegram.Username = strings.TrimPrefix(s, "@")
			return err
		},
		"telegram.mode":           stringValue(&c.Telegram.Mode),
		"telegram.webhook.listen": stringValue(&c.Telegram.Webhook.Listen),
		"telegram.webhook.url":    stringValue(&c.Telegram.Webhook.URL),
		"telegram.webhook.secret": secretValue(&c.Telegram.Webhook.Secret),
		"telegram.rate.global":    floatValue(&c.Telegram.Rate.Global),
		"telegram.rate.per_chat":  floatValue(&c.Telegram.Rate.PerChat),

		"redis.url":         stringValue(&c.Redis.URL),
		"redis.addrs":       d.stringList(&c.Redis.Addrs),
		"redis.master_name": stringValue(&c.Redis.MasterName),
		"redis.prefix":      stringValue(&c.Redis.Prefix),
		"redis.namespace":   stringValue(&c.Redis.Namespace),

		"county":   stringValue(&c.County),
		"timezone": locationValue(&c.Timezone),
		"language": stringValue(&c.Language),

		"sla.first_response":   durationValue(&c.SLA.FirstResponse),
		"sla.escalate_after":   durationValue(&c.SLA.EscalateAfter),
		"sla.default_deadline": durationValue(&c.SLA.DefaultDeadline),
		"sla.verdict_wait":     durationValue(&c.SLA.VerdictWait),
		"sla.working_days":     boolValue(&c.SLA.WorkingDays),

		"holidays": d.dateList(&c.Holidays),
		"workdays": d.dateList(&c.Workdays),

		"schedule.reminders": stringValue(&c.Schedule.Reminders),
		"schedule.digest":    stringValue(&c.Schedule.Digest),
		"schedule.retention": stringValue(&c.Schedule.Retention),

		"quiet_hours": func(_ string, n *yaml.Node) error {
			s, err := scalarString(n)
			if err != nil {
				return err
			}
			q, err := ParseQuietHours(s)
			if err == nil {
				c.QuietHours = q
			}
			return err
		},

		"household.max_accounts": intValue(&c.Household.MaxAccounts),
		"flood.per_minute":       intValue(&c.Flood.PerMinute),
		"retention":              durationValue(&c.Retention),
		"http.listen":            stringValue(&c.HTTP.Listen),
		"cards.font":             stringValue(&c.Cards.Font),
		"log.level":              levelValue(&c.Log.Level),
	}
}

// decode parses data and stores every key it holds in d.c.
func (d *decoder) decode(data []byte) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) { // io.EOF: empty file, all defaults
			d.fail(syntaxError(d.file, err))
		}
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.fail(&Error{File: d.file, Line: extra.Line, Err: errors.New("only one YAML document is allowed")})
		return
	} else if !errors.Is(err, io.EOF) {
		d.fail(syntaxError(d.file, err))
		return
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return
		}
		root = root.Content[0]
	}
	root = resolve(root)
	if isNull(root) {
		return
	}
	if root.Kind != yaml.MappingNode {
		d.fail(&Error{File: d.file, Line: root.Line,
			Err: fmt.Errorf("the file must be a mapping of keys to values, not %s", kindName(root))})
		return
	}
	d.mapping("", root)
}

// fail records an error that stops validation.
func (d *decoder) fail(e *Error) {
	d.errs = append(d.errs, e)
	d.fatal = true
}

// mapping decodes the keys of the mapping n, whose dotted key is prefix.
func (d *decoder) mapping(prefix string, n *yaml.Node) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.errs = append(d.errs, &Error{File: d.file, Line: k.Line, Key: prefix,
				Err: fmt.Errorf("keys must be names, not %s", kindName(k))})
			continue
		}
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		if k.Tag == "!!merge" {
			d.errs = append(d.errs, &Error{File: d.file, Line: k.Line, Key: key,
				Err: errors.New("merge keys (<<) are not supported")})
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errs = append(d.errs, &Error{File: d.file, Line: k.Line, Key: key,
				Err: fmt.Errorf("duplicate key (first set at line %d)", first)})
			d.failed[key] = true
			continue
		}
		seen[k.Value] = k.Line
		if set, ok := d.fields[key]; ok {
			d.origins[key] = origin{line: k.Line}
			d.set(key, v, set)
			continue
		}
		if d.sections[key] {
			switch {
			case v.Kind == yaml.MappingNode:
				d.mapping(key, v)
			case !isNull(v): // an empty section keeps its defaults
				d.errs = append(d.errs, &Error{File: d.file, Line: v.Line, Key: key,
					Err: fmt.Errorf("expected a mapping of keys, got %s", got(v, false))})
			}
			continue
		}
		d.errs = append(d.errs, &Error{File: d.file, Line: k.Line, Key: key,
			Err: fmt.Errorf("%w %q%s", ErrUnknownKey, key, d.hint(prefix, key))})
	}
}

// set runs the setter of key on v and records its error.
func (d *decoder) set(key string, v *yaml.Node, set setter) {
	err := set(key, v)
	if err == nil {
		return
	}
	d.failed[key] = true
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Line: v.Line, Key: key, Err: err}
	}
	e.File = d.file
	d.errs = append(d.errs, e)
}

// hint suggests a known key for the unknown key, as ` (did you mean "x"?)`.
func (d *decoder) hint(prefix, key string) string {
	var siblings, sameName []string
	last := key[strings.LastIndexByte(key, '.')+1:]
	add := func(k string) {
		if parent, name := splitKey(k); parent == prefix {
			siblings = append(siblings, k)
		} else if name == last {
			sameName = append(sameName, k)
		}
	}
	for k := range d.fields {
		add(k)
	}
	for k := range d.sections {
		add(k)
	}
	sort.Strings(siblings)
	sort.Strings(sameName)
	s := suggest(key, siblings)
	if s == "" && len(sameName) > 0 {
		s = sameName[0]
	}
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", s)
}

// splitKey splits "a.b.c" into "a.b" and "c".
func splitKey(key string) (parent, name string) {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[:i], key[i+1:]
	}
	return "", key
}

// setEnv records that key's value came from the environment variable env.
func (d *decoder) setEnv(key, env string) {
	d.origins[key] = origin{env: env}
	delete(d.failed, key)
}

// report records a validation error about key. The line is that of key or,
// when key is not in the file, of the first related key that is. Errors
// about keys that failed to decode are dropped: they were reported already.
func (d *decoder) report(key string, err error, related ...string) {
	e := &Error{File: d.file, Key: key, Err: err}
	for _, k := range append([]string{key}, related...) {
		if d.failed[k] {
			return
		}
		if o, ok := d.origins[k]; ok && e.Line == 0 && e.Env == "" {
			e.Line = o.line
			if k == key {
				e.Env = o.env
			}
		}
	}
	d.errs = append(d.errs, e)
}

// err returns the collected errors, or nil.
func (d *decoder) err() error { return joinErrors(d.errs) }
