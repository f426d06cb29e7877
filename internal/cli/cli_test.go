package cli

import (
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
)

// flagLine matches a flag in a FlagSet's -h output.
var flagLine = regexp.MustCompile(`(?m)^  -(\w+)`)

// TestUsageIsTrue: `minqing help` describes every command and every flag
// each command takes, and what the commands make.
func TestUsageIsTrue(t *testing.T) {
	blocks := commandBlocks(usage)
	for _, name := range []string{"run", "demo", "import", "cards", "invites", "unbind", "digest", "export", "forget"} {
		block, ok := blocks[name]
		if !ok {
			t.Errorf("usage does not describe %s", name)
			continue
		}
		for _, f := range flagsOf(t, name) {
			if f != "config" && !strings.Contains(block, "-"+f) {
				t.Errorf("usage of %s does not mention -%s:\n%s", name, f, block)
			}
		}
	}
	for name, wants := range map[string][]string{
		"cards":  {"csv", "pdf", "png", "-rotate"},
		"digest": {"response", "resolution", "satisfaction", "week"},
	} {
		for _, w := range wants {
			if !strings.Contains(blocks[name], w) {
				t.Errorf("usage of %s does not say %q:\n%s", name, w, blocks[name])
			}
		}
	}
	if !strings.Contains(usage, "-config FILE") {
		t.Error("usage does not mention -config")
	}
}

// commandBlocks splits the usage into each command's description.
func commandBlocks(u string) map[string]string {
	out := map[string]string{}
	name := ""
	for _, line := range strings.Split(u, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") {
			name = f[0]
		} else if !strings.HasPrefix(line, "   ") {
			name = ""
		}
		if name != "" {
			out[name] += line + "\n"
		}
	}
	return out
}

// flagsOf returns the flags command name takes, from its -h output.
func flagsOf(t *testing.T, name string) []string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w // the flag package prints -h to os.Stderr
	code := Run(context.Background(), []string{name, "-h"}, io.Discard, io.Discard)
	os.Stderr = stderr
	w.Close()
	out, _ := io.ReadAll(r)
	if code != 2 {
		t.Errorf("%s -h: exit %d", name, code)
	}
	var flags []string
	for _, m := range flagLine.FindAllStringSubmatch(string(out), -1) {
		flags = append(flags, m[1])
	}
	if len(flags) == 0 {
		t.Errorf("%s -h lists no flags:\n%s", name, out)
	}
	return flags
}
