package config

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrUnknownKey is wrapped by the Err of an Error about a key that
// Minqing does not know.
var ErrUnknownKey = errors.New("unknown key")

// Error is one problem found in a configuration. Load and Parse return a
// single *Error, or several joined with errors.Join (one per line of the
// message); errors.As finds the first.
type Error struct {
	File string // the name given to Parse, or the path given to Load
	Line int    // 1-based line in File; 0 when the value is not from the file
	Key  string // full dotted key, e.g. "sla.first_response"; "" for syntax errors
	Env  string // the environment variable that supplied the value, if any
	Err  error  // what is wrong; never contains a secret
}

// Error formats as "file:line: key: problem", or for unknown keys as
// `file:line: unknown key "a.b"`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Key != "" && !errors.Is(e.Err, ErrUnknownKey) {
		b.WriteString(e.Key)
		if e.Env != "" {
			b.WriteString(" (from $" + e.Env + ")")
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// yamlLine matches yaml.v3's syntax errors, "yaml: line 3: ...".
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a yaml.v3 parse error into an *Error with a line.
func syntaxError(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Err: errors.New(m[2])}
	}
	return &Error{File: file, Err: errors.New(strings.TrimPrefix(msg, "yaml: "))}
}

// joinErrors sorts errs by line (those without a line last) and joins them.
func joinErrors(errs []*Error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i].Line, errs[j].Line
		if a == 0 || b == 0 {
			return a != 0 && b == 0
		}
		return a < b
	})
	all := make([]error, len(errs))
	for i, e := range errs {
		all[i] = e
	}
	return errors.Join(all...)
}

// suggest returns the candidate closest to key by edit distance, if it is
// close enough to be a typo, or "".
func suggest(key string, candidates []string) string {
	best, bestD := "", 3
	if len(key) <= 4 {
		bestD = 2
	}
	for _, c := range candidates {
		if d := editDistance(key, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// describe names a value for messages about wrong types.
func describe(kind string, value string) string {
	if value == "" {
		return kind
	}
	return fmt.Sprintf("%s %q", kind, value)
}
