package config

import (
	"strings"
	"testing"
	"time"
)

// TestCoverageKeys: visits.every and checkin.after take a Go duration or
// whole days; checkin.after 0 turns check-ins off; visits.every is at
// least a day.
func TestCoverageKeys(t *testing.T) {
	c, err := Parse("config.yaml", []byte("visits:\n  every: 14d\ncheckin:\n  after: \"0\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Visits.Every != 14*24*time.Hour || c.Checkin.After != 0 {
		t.Fatalf("every %v after %v", c.Visits.Every, c.Checkin.After)
	}
	if s := c.Settings(); s.VisitsEvery != 14*24*time.Hour || s.CheckinAfter != 0 {
		t.Fatalf("settings %v %v", s.VisitsEvery, s.CheckinAfter)
	}
	d := Default()
	if d.Visits.Every != 30*24*time.Hour || d.Checkin.After != 30*24*time.Hour {
		t.Fatalf("defaults %v %v", d.Visits.Every, d.Checkin.After)
	}
	for in, want := range map[string]string{
		"visits:\n  every: 12h\n":   "visits.every",
		"visits:\n  every: 1.5d\n":  "visits.every",
		"checkin:\n  after: -1d\n":  "checkin.after",
		"checkin:\n  after: soon\n": "checkin.after",
	} {
		if _, err := Parse("config.yaml", []byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", in, err)
		}
	}
	for in, want := range map[string]time.Duration{"30d": 720 * time.Hour, "720h": 720 * time.Hour, "1d12h": 0} {
		got, err := ParseDuration(in)
		if (err != nil) != (want == 0) || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v", in, got, err)
		}
	}
}
