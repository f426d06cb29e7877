package app_test

import (
	"strings"
	"testing"
)

// TestSubcommandsRefuseWhatMatchesNothing: a flag value that names nothing,
// an unknown language, an argument left after the flags, forgetting an
// unknown household: each is an error that says so, never a silent
// fallback (the whole county, the default language, an empty file, exit 0).
func TestSubcommandsRefuseWhatMatchesNothing(t *testing.T) {
	h := start(t)
	h.stop() // the subcommands run on their own
	tests := []struct {
		args []string
		want string // in standard error; "" = the command succeeds
	}{
		{[]string{"digest", "-unit", "县财政局"}, ""},
		{[]string{"digest", "-unit", "县财政"}, `-unit "县财政": no such unit on the roster (units: 县住建局, 县财政局)`},
		{[]string{"digest", "-lang", "fr"}, `-lang "fr": want zh or en`},
		{[]string{"cards", "-lang", "de"}, `-lang "de": want zh or en`},
		{[]string{"cards", "-cadre", "C001"}, ""},
		{[]string{"cards", "-cadre", "C999"}, `-cadre "C999": no household on the roster has this cadre`},
		{[]string{"cards", "-village", "保兴镇"}, `-village "保兴镇": no household on the roster lives there`},
		{[]string{"cards", "-household", "H999"}, `-household "H999": no such household on the roster`},
		{[]string{"cards", "-village", "保兴镇保安村", "-cadre", "C002"}, "no household matches all the filters together"},
		{[]string{"cards", "-rotate", "-household", "H999"}, "household H999 is not on the roster"},
		{[]string{"invites", "-cadre", "C001"}, ""},
		{[]string{"invites", "-cadre", "C999"}, `-cadre "C999": no such cadre or leader on the roster`},
		{[]string{"invites", "-rotate", "-cadre", "C999"}, "cadre C999 is not on the roster"},
		{[]string{"forget", "-household", "H999"}, "household H999: nothing stored"},
		{[]string{"cards", "-format", "csv", "cards.csv"}, `unexpected argument "cards.csv"`},
		{[]string{"invites", "-o", "x.csv", "extra"}, `unexpected argument "extra"`},
		{[]string{"digest", "县财政局"}, `unexpected argument "县财政局"`},
		{[]string{"export", "-household", "H001", "-o"}, "flag needs an argument"},
		{[]string{"export", "-household", "H001", "H002"}, `unexpected argument "H002"`},
		{[]string{"forget", "H001"}, `unexpected argument "H001"`},
		{[]string{"import", "-cadres", "a.csv", "-households", "b.csv", "-dry-run", "now"}, `unexpected argument "now"`},
		{[]string{"unbind", "-account", "1", "2"}, `unexpected argument "2"`},
		{[]string{"run", "now"}, `unexpected argument "now"`},
	}
	for _, tc := range tests {
		code, _, errs := runCLI(t, h, tc.args...)
		switch {
		case tc.want == "" && code != 0:
			t.Errorf("%v: exit %d: %s", tc.args, code, errs)
		case tc.want != "" && code == 0:
			t.Errorf("%v: exit 0, want an error with %q", tc.args, tc.want)
		case tc.want != "" && !strings.Contains(errs, tc.want):
			t.Errorf("%v: error %q, want %q", tc.args, errs, tc.want)
		}
	}
	// demo takes no -config; an argument after its flags is refused too.
	code, _, errs := runCLIRaw(t, "demo", "-script", "now")
	if code == 0 || !strings.Contains(errs, `unexpected argument "now"`) {
		t.Errorf("demo with an argument: exit %d: %s", code, errs)
	}
}
