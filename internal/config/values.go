package config

import (
	"fmt"
	"log/slog"
	"reflect"
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

// A decodeFunc stores the YAML value n of the key k in v, a field of the
// Config. An error that is not an *Error is reported at n's line under k.
type decodeFunc func(d *decoder, k *key, n *yaml.Node, v reflect.Value) error

// decoderFor returns the decoder of a field of type t, or nil for a type
// that is not a value (a section, or a type the file cannot hold).
func decoderFor(t reflect.Type) decodeFunc {
	switch t {
	case reflect.TypeFor[Secret](), reflect.TypeFor[SecretURL]():
		return decodeSecret
	case reflect.TypeFor[time.Duration]():
		return decodeDuration
	case reflect.TypeFor[*time.Location]():
		return decodeLocation
	case reflect.TypeFor[slog.Level]():
		return decodeLevel
	case reflect.TypeFor[QuietHours]():
		return decodeQuietHours
	case reflect.TypeFor[TimeOfDay]():
		return decodeTimeOfDay
	case reflect.TypeFor[[]string]():
		return decodeList(stringItem)
	case reflect.TypeFor[[]Date]():
		return decodeList(dateItem)
	}
	switch t.Kind() {
	case reflect.String:
		return decodeString
	case reflect.Float64:
		return decodeFloat
	case reflect.Int:
		return decodeInt
	case reflect.Bool:
		return decodeBool
	}
	return nil
}

func decodeString(_ *decoder, k *key, n *yaml.Node, v reflect.Value) error {
	s, err := scalarString(n)
	if err == nil {
		v.SetString(strings.TrimPrefix(s, k.trim))
	}
	return err
}

func decodeSecret(_ *decoder, _ *key, n *yaml.Node, v reflect.Value) error {
	if isNull(n) {
		v.SetString("")
		return nil
	}
	if n.Kind != yaml.ScalarNode || !stringTags[n.Tag] {
		return typeError("a string", n, true)
	}
	v.SetString(n.Value)
	return nil
}

func decodeDuration(_ *decoder, _ *key, n *yaml.Node, v reflect.Value) error {
	if n.Kind != yaml.ScalarNode || isNull(n) || !stringTags[n.Tag] {
		return typeError(`a duration such as "24h"`, n, false)
	}
	d, err := ParseDuration(n.Value)
	if err == nil {
		v.SetInt(int64(d))
	}
	return err
}

// ParseDuration parses a Go duration ("720h", "90m") or a whole number of
// days ("30d").
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && strings.Trim(days, "0123456789") == "" {
		n, err := strconv.Atoi(days)
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("invalid duration %q: too many days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

func decodeFloat(_ *decoder, _ *key, n *yaml.Node, v reflect.Value) error {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		return typeError("a number", n, false)
	}
	return n.Decode(v.Addr().Interface())
}

func decodeInt(_ *decoder, _ *key, n *yaml.Node, v reflect.Value) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return typeError("an integer", n, false)
	}
	if _, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 32); err != nil {
		return fmt.Errorf("integer %s is out of range", n.Value)
	}
	return n.Decode(v.Addr().Interface())
}

func decodeBool(_ *decoder, _ *key, n *yaml.Node, v reflect.Value) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return typeError("true or false", n, false)
	}
	return n.Decode(v.Addr().Interface())
}

func decodeLocation(_ *decoder, _ *key, n *yaml.Node, v reflect.Value) error {
	s, err := scalarString(n)
	switch {
	case err != nil:
		return err
	case s == "" || s == "Local":
		return fmt.Errorf(`must be an IANA time zone name such as "Asia/Shanghai", got %q`, s)
	}
	loc, err := loadLocation(s)
	if err == nil {
		v.Set(reflect.ValueOf(loc))
	}
	return err
}

func decodeLevel(_ *decoder, _ *key, n *yaml.Node, v reflect.Value) error {
	s, err := scalarString(n)
	if err != nil {
		return err
	}
	l, ok := levels[s]
	if !ok {
		return fmt.Errorf("must be debug, info, warn or error, got %q", s)
	}
	v.Set(reflect.ValueOf(l))
	return nil
}

func decodeQuietHours(_ *decoder, _ *key, n *yaml.Node, v reflect.Value) error {
	s, err := scalarString(n)
	if err != nil {
		return err
	}
	q, err := ParseQuietHours(s)
	if err == nil {
		v.Set(reflect.ValueOf(q))
	}
	return err
}

func decodeTimeOfDay(_ *decoder, _ *key, n *yaml.Node, v reflect.Value) error {
	s, err := scalarString(n)
	if err != nil {
		return err
	}
	t, err := ParseTimeOfDay(s)
	if err == nil {
		v.Set(reflect.ValueOf(t))
	}
	return err
}

// levels are the accepted values of log.level.
var levels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
}

// decodeList decodes a list (null is empty) whose items item decodes into
// a new element; an item's errors are reported at its own line as key[i].
func decodeList(item func(n *yaml.Node, v reflect.Value) error) decodeFunc {
	return func(d *decoder, k *key, n *yaml.Node, v reflect.Value) error {
		if isNull(n) {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return typeError("a list", n, false)
		}
		out := reflect.Zero(v.Type())
		for i, it := range n.Content {
			it = resolve(it)
			ik := fmt.Sprintf("%s[%d]", k.name, i)
			d.origins[ik] = origin{line: it.Line}
			e := reflect.New(v.Type().Elem()).Elem()
			if err := item(it, e); err != nil {
				return &Error{Line: it.Line, Key: ik, Err: err}
			}
			out = reflect.Append(out, e)
		}
		v.Set(out)
		return nil
	}
}

func stringItem(n *yaml.Node, v reflect.Value) error {
	if n.Kind != yaml.ScalarNode || isNull(n) || !stringTags[n.Tag] {
		return typeError("a string", n, false)
	}
	v.SetString(n.Value)
	return nil
}

func dateItem(n *yaml.Node, v reflect.Value) error {
	if n.Kind != yaml.ScalarNode || isNull(n) || !stringTags[n.Tag] {
		return typeError(`a date such as "2026-10-01"`, n, false)
	}
	day, err := ParseDate(n.Value)
	if err == nil {
		v.Set(reflect.ValueOf(day))
	}
	return err
}
