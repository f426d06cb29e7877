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

// origin records where a value came from: a line of the file or an
// environment variable.
type origin struct {
	line int
	env  string
}

// decoder walks a yaml.v3 node tree into a Config, collecting errors.
type decoder struct {
	file    string
	c       *Config
	keys    *keyTable
	origins map[string]origin // dotted key (or "key[i]") → where its value came from
	failed  map[string]bool   // keys whose value did not decode
	errs    []*Error
	fatal   bool // the file did not parse; skip validation
}

func newDecoder(file string, c *Config) *decoder {
	return &decoder{file: file, c: c, keys: keys(), origins: map[string]origin{}, failed: map[string]bool{}}
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
		if f, ok := d.keys.byName[key]; ok {
			d.origins[key] = origin{line: k.Line}
			d.set(f, v)
			continue
		}
		if d.keys.sections[key] {
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

// set decodes v into the key k and records its error.
func (d *decoder) set(k *key, v *yaml.Node) {
	err := k.decode(d, k, v, k.value(d.c))
	if err == nil {
		return
	}
	d.failed[k.name] = true
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Line: v.Line, Key: k.name, Err: err}
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
	for k := range d.keys.byName {
		add(k)
	}
	for k := range d.keys.sections {
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

// environment applies the keys' environment variables that getenv sets
// to a non-empty value, over the values from the file.
func (d *decoder) environment(getenv func(string) string) {
	for _, k := range d.keys.list {
		val := ""
		if k.env != "" {
			val = getenv(k.env)
		}
		if val == "" {
			continue
		}
		n := &yaml.Node{}
		n.SetString(val)
		d.origins[k.name] = origin{env: k.env}
		delete(d.failed, k.name)
		if err := k.decode(d, k, n, k.value(d.c)); err != nil {
			d.failed[k.name] = true
			d.errs = append(d.errs, &Error{File: d.file, Key: k.name, Env: k.env, Err: err})
		}
	}
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
