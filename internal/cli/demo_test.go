package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoConfig: `demo -config FILE` plays the week with the file's county
// and SLAs and says so; a bad file stops it with file, line and key; without
// -config the demo needs no file at all.
func TestDemoConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("plays the demo's week")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "office.yaml")
	office := "county: 汤旺县\nquiet_hours: \"\"\nsla:\n  first_response: 2h\n  escalate_after: 3h\nredis:\n  url: \"redis://127.0.0.1:1/0\"\n"
	if err := os.WriteFile(path, []byte(office), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append([]string{"demo", "-script"}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, errs := run("-config", path)
	if code != 0 {
		t.Fatalf("demo -config: exit %d\n%s\n%s", code, errs, out)
	}
	for _, want := range []string{"demo: county 汤旺县, time zone, language, SLAs, quiet hours, holidays and limits from " + path,
		"its telegram, redis, http and log settings do not apply", "a scripted week in 汤旺县", "周报"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// With first_response 2h and escalate_after 3h, both the reminder and
	// the escalation fall in the first 25 hours (with the defaults the
	// escalation comes a day later).
	_, after, _ := strings.Cut(out, "25 hours later")
	first, _, _ := strings.Cut(after, "another day")
	if !strings.Contains(first, "提醒：诉求 #2") || !strings.Contains(first, "督办：诉求 #2") {
		t.Errorf("the office's SLAs did not apply; the first 25 hours:\n%s", first)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("county: x\nsla:\n  first_respons: 2h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run("-config", bad)
	if want := bad + `:3: unknown key "sla.first_respons"`; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("demo -config bad.yaml: exit %d, %q, want %q", code, errs, want)
	}
	code, _, errs = run("-config", filepath.Join(dir, "missing.yaml"))
	if code != 1 || !strings.Contains(errs, "missing.yaml") {
		t.Errorf("demo -config missing.yaml: exit %d, %q", code, errs)
	}
}
