package config

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" || n.Kind == 0
}

// kindName names the kind of a node for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return "a string"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!null":
			return "nothing (null)"
		case "!!timestamp":
			return "a date"
		}
		return "a value tagged " + n.Tag
	}
	return "an unsupported value"
}

// got describes n for a type error; secret values are never quoted.
func got(n *yaml.Node, secret bool) string {
	if n.Kind != yaml.ScalarNode || isNull(n) || secret {
		return kindName(n)
	}
	v := n.Value
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "…"
	}
	return describe(kindName(n), v)
}

// typeError says what was expected at n.
func typeError(want string, n *yaml.Node, secret bool) error {
	return fmt.Errorf("expected %s, got %s", want, got(n, secret))
}

// stringTags are the scalar tags accepted where a string is expected.
var stringTags = map[string]bool{"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!timestamp": true}

// scalarString returns a string value; null is "".
func scalarString(n *yaml.Node) (string, error) {
	if isNull(n) {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode || !stringTags[n.Tag] {
		return "", typeError("a string", n, false)
	}
	return n.Value, nil
}

func stringValue(p *string) setter {
	return func(_ string, n *yaml.Node) error {
		s, err := scalarString(n)
		if err == nil {
			*p = s
		}
		return err
	}
}

func secretValue(p *Secret) setter {
	return func(_ string, n *yaml.Node) error {
		if !isNull(n) && (n.Kind != yaml.ScalarNode || !stringTags[n.Tag]) {
			return typeError("a string", n, true)
		}
		*p = Secret(n.Value)
		return nil
	}
}

func durationValue(p *time.Duration) setter {
	return func(_ string, n *yaml.Node) error {
		if n.Kind != yaml.ScalarNode || isNull(n) || !stringTags[n.Tag] {
			return typeError(`a duration such as "24h"`, n, false)
		}
		v, err := time.ParseDuration(n.Value)
		if err == nil {
			*p = v
		}
		return err
	}
}

func floatValue(p *float64) setter {
	return func(_ string, n *yaml.Node) error {
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			return typeError("a number", n, false)
		}
		return n.Decode(p)
	}
}

func intValue(p *int) setter {
	return func(_ string, n *yaml.Node) error {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			return typeError("an integer", n, false)
		}
		if _, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 32); err != nil {
			return fmt.Errorf("integer %s is out of range", n.Value)
		}
		return n.Decode(p)
	}
}

func boolValue(p *bool) setter {
	return func(_ string, n *yaml.Node) error {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			return typeError("true or false", n, false)
		}
		return n.Decode(p)
	}
}

func locationValue(p **time.Location) setter {
	return func(_ string, n *yaml.Node) error {
		s, err := scalarString(n)
		switch {
		case err != nil:
			return err
		case s == "" || s == "Local":
			return fmt.Errorf(`must be an IANA time zone name such as %q, got %q`, defaultTimezone, s)
		}
		loc, err := loadLocation(s)
		if err == nil {
			*p = loc
		}
		return err
	}
}

func levelValue(p *slog.Level) setter {
	return func(_ string, n *yaml.Node) error {
		s, err := scalarString(n)
		if err != nil {
			return err
		}
		l, ok := levels[s]
		if !ok {
			return fmt.Errorf("must be debug, info, warn or error, got %q", s)
		}
		*p = l
		return nil
	}
}

// levels are the accepted values of log.level.
var levels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
}

// list decodes a list (null is empty), calling item for each element; an
// item's errors are reported at its own line as key[i].
func (d *decoder) list(key string, n *yaml.Node, item func(*yaml.Node) error) error {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return typeError("a list", n, false)
	}
	for i, it := range n.Content {
		it = resolve(it)
		ik := fmt.Sprintf("%s[%d]", key, i)
		d.origins[ik] = origin{line: it.Line}
		if err := item(it); err != nil {
			return &Error{Line: it.Line, Key: ik, Err: err}
		}
	}
	return nil
}

func (d *decoder) stringList(p *[]string) setter {
	return func(key string, n *yaml.Node) error {
		var out []string
		err := d.list(key, n, func(it *yaml.Node) error {
			if it.Kind != yaml.ScalarNode || isNull(it) || !stringTags[it.Tag] {
				return typeError("a string", it, false)
			}
			out = append(out, it.Value)
			return nil
		})
		if err == nil {
			*p = out
		}
		return err
	}
}

func (d *decoder) dateList(p *[]Date) setter {
	return func(key string, n *yaml.Node) error {
		var out []Date
		err := d.list(key, n, func(it *yaml.Node) error {
			if it.Kind != yaml.ScalarNode || isNull(it) || !stringTags[it.Tag] {
				return typeError(`a date such as "2026-10-01"`, it, false)
			}
			day, err := ParseDate(it.Value)
			out = append(out, day)
			return err
		})
		if err == nil {
			*p = out
		}
		return err
	}
}
