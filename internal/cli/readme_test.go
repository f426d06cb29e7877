package cli

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The two guides, README.md and README.zh-CN.md, describe the same
// program: the commands they tell an office to type, and the config keys
// they name, are the same in both.

// commandPrefixes start the lines and code spans that are commands.
var commandPrefixes = []string{"go ", "./minqing ", "minqing ", "make ", "TELEGRAM_BOT_TOKEN=", "GOTOOLCHAIN=", "apt-get ",
	"export ", "openssl "}

var (
	codeSpan  = regexp.MustCompile("`([^`]+)`") // may wrap over lines
	configKey = regexp.MustCompile(`^(telegram|redis|sla|schedule|household|flood|http|cards|log|visits|checkin)\.[a-z_.*]+$`)
	spaces    = regexp.MustCompile(`\s+`)
)

// readme is what a guide tells its reader to type, and the config keys it
// names.
type readme struct {
	first    []string // the commands of the first code block
	commands []string // every command, in order of first appearance
	keys     []string // every dotted config key
}

func readReadme(t *testing.T, name string) readme {
	t.Helper()
	data, err := os.ReadFile("../../" + name)
	if err != nil {
		t.Fatal(err)
	}
	var r readme
	var prose strings.Builder // the text outside code blocks
	in, blocks := false, 0
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			if in = !in; in {
				blocks++
			}
			continue
		}
		if in {
			if c, ok := command(trimmed); ok {
				r.add(c)
				if blocks == 1 {
					r.first = append(r.first, c)
				}
			}
			continue
		}
		prose.WriteString(line + "\n")
	}
	for _, m := range codeSpan.FindAllStringSubmatch(prose.String(), -1) {
		if c, ok := command(m[1]); ok {
			r.add(c)
		} else if configKey.MatchString(m[1]) && !slices.Contains(r.keys, m[1]) {
			r.keys = append(r.keys, m[1])
		}
	}
	return r
}

func (r *readme) add(c string) {
	if !slices.Contains(r.commands, c) {
		r.commands = append(r.commands, c)
	}
}

// command returns s without a trailing comment and with single spaces, if
// it is a command.
func command(s string) (string, bool) {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	s = spaces.ReplaceAllString(strings.TrimSpace(s), " ")
	for _, p := range commandPrefixes {
		if strings.HasPrefix(s, p) {
			return s, true
		}
	}
	return "", false
}

// TestReadmesInStep: README.zh-CN.md begins, like README.md, with `go run
// . demo` and `make test`; every command and config key of one guide is in
// the other; each links to the other in its first lines.
func TestReadmesInStep(t *testing.T) {
	en, zh := readReadme(t, "README.md"), readReadme(t, "README.zh-CN.md")
	want := []string{"go run . demo", "make test"}
	for name, r := range map[string]readme{"README.md": en, "README.zh-CN.md": zh} {
		if !slices.Equal(r.first, want) {
			t.Errorf("%s begins with %q, want %q", name, r.first, want)
		}
		if len(r.commands) < 10 || len(r.keys) < 10 {
			t.Errorf("%s: only %d commands and %d config keys found", name, len(r.commands), len(r.keys))
		}
	}
	missing := func(what, from, to string, a, b []string) {
		for _, c := range a {
			if !slices.Contains(b, c) {
				t.Errorf("the %s %q of %s is not in %s", what, c, from, to)
			}
		}
	}
	missing("command", "README.md", "README.zh-CN.md", en.commands, zh.commands)
	missing("command", "README.zh-CN.md", "README.md", zh.commands, en.commands)
	missing("config key", "README.md", "README.zh-CN.md", en.keys, zh.keys)
	missing("config key", "README.zh-CN.md", "README.md", zh.keys, en.keys)

	for name, link := range map[string]string{"README.md": "(README.zh-CN.md)", "README.zh-CN.md": "(README.md)"} {
		data, err := os.ReadFile("../../" + name)
		if err != nil {
			t.Fatal(err)
		}
		head := strings.Join(strings.SplitN(string(data), "\n", 5)[:4], "\n")
		if !strings.Contains(head, link) {
			t.Errorf("%s does not link to %s in its first lines", name, link)
		}
	}
}
