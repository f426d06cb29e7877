package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// A key is one configuration key, read from the tags of its Config field
// (see Config).
type key struct {
	name     string       // full dotted key, e.g. "sla.first_response"
	index    []int        // the field's index path from Config
	typ      reflect.Type // the field's type
	def      string       // the default as written in config.yaml, unquoted; "" is the zero value
	env      string       // the environment variable that overrides the key, if any
	trim     string       // a prefix dropped from the value (telegram.username's "@")
	optional bool         // the zero value skips the checks
	checks   []keyCheck   // the checks the value must pass, in order
	decode   decodeFunc   // stores a YAML value in the field
}

// keyCheck is one entry of a check tag: a named check and its argument.
type keyCheck struct {
	name, arg string
	fn        checkFunc
}

// keyTable is every key of Config, in field order.
type keyTable struct {
	list     []*key
	byName   map[string]*key
	sections map[string]bool // dotted keys of the sections: "telegram", "telegram.rate", …
}

// keys returns the table of keys, built once from Config's tags. A bad tag
// panics: it is a programming error, and every test that loads a config
// finds it.
var keys = sync.OnceValue(func() *keyTable {
	t := &keyTable{byName: map[string]*key{}, sections: map[string]bool{}}
	t.walk(reflect.TypeFor[Config](), "", nil)
	return t
})

// walk adds the keys of the struct type st, whose dotted key is prefix.
// A struct field without a decoder of its own is a section.
func (t *keyTable) walk(st reflect.Type, prefix string, index []int) {
	for i := range st.NumField() {
		f := st.Field(i)
		name, ok := f.Tag.Lookup("yaml")
		if !ok {
			panic(fmt.Sprintf("config: field %s.%s has no yaml tag", st.Name(), f.Name))
		}
		if name == "-" { // not a key: set by the loader
			continue
		}
		if prefix != "" {
			name = prefix + "." + name
		}
		idx := append(slices.Clone(index), i)
		if f.Type.Kind() == reflect.Struct && decoderFor(f.Type) == nil {
			t.sections[name] = true
			t.walk(f.Type, name, idx)
			continue
		}
		k := newKey(name, idx, f)
		t.list = append(t.list, k)
		t.byName[name] = k
	}
}

// newKey reads the tags of the field f.
func newKey(name string, index []int, f reflect.StructField) *key {
	k := &key{name: name, index: index, typ: f.Type, def: f.Tag.Get("default"), env: f.Tag.Get("env"),
		trim: f.Tag.Get("trim"), decode: decoderFor(f.Type)}
	if k.decode == nil {
		panic(fmt.Sprintf("config: %s: no decoder for %v", name, f.Type))
	}
	if tag := f.Tag.Get("check"); tag != "" {
		for _, c := range strings.Split(tag, ",") {
			if c == "optional" {
				k.optional = true
				continue
			}
			cname, arg, _ := strings.Cut(c, "=")
			fn, ok := checks[cname]
			if !ok {
				panic(fmt.Sprintf("config: %s: unknown check %q", name, cname))
			}
			k.checks = append(k.checks, keyCheck{cname, arg, fn})
		}
	}
	return k
}

// value returns k's field in c.
func (k *key) value(c *Config) reflect.Value {
	return reflect.ValueOf(c).Elem().FieldByIndex(k.index)
}

// defaultNode returns k's default as the YAML value config.yaml holds: a
// plain scalar as YAML resolves it, or a string where YAML cannot.
func (k *key) defaultNode() *yaml.Node {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(k.def), &doc) == nil && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.ScalarNode {
		return doc.Content[0]
	}
	n := &yaml.Node{}
	n.SetString(k.def)
	return n
}

// check runs k's checks on its value in c and reports the first failure;
// each item of a list is checked on its own, as key[i].
func (k *key) check(c *Config, report func(key string, err error, related ...string)) {
	v := k.value(c)
	if v.Kind() == reflect.Slice {
		for i := range v.Len() {
			if err := k.checkValue(v.Index(i)); err != nil {
				report(fmt.Sprintf("%s[%d]", k.name, i), err, k.name)
			}
		}
		return
	}
	if err := k.checkValue(v); err != nil {
		report(k.name, err)
	}
}

// checker is a type that checks its own values (QuietHours, Date).
type checker interface{ check() error }

// checkValue runs the type's own check and then k's checks on v.
func (k *key) checkValue(v reflect.Value) error {
	if c, ok := v.Interface().(checker); ok {
		if err := c.check(); err != nil {
			return err
		}
	}
	if k.optional && v.IsZero() {
		return nil
	}
	for _, c := range k.checks {
		if err := c.fn(v, c.arg); err != nil {
			return err
		}
	}
	return nil
}
