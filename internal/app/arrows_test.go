package app_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestArrowsPointInward: flows needs only the standard library; bot and
// store depend on flows, not on each other, and bot stays free of the
// report package's chart and spreadsheet libraries.
func TestArrowsPointInward(t *testing.T) {
	const mod = "github.com/minqing/minqing/"
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, tc := range []struct {
		pkg    string
		banned []string
	}{
		{"flows", []string{""}}, // anything outside the standard library
		{"bot", []string{mod + "store", mod + "internal/", "gonum.org/", "github.com/xuri/excelize"}},
		{"store", []string{mod + "bot", mod + "internal/"}},
	} {
		for _, d := range deps(tc.pkg) {
			if d == mod+tc.pkg || strings.HasPrefix(d, mod+tc.pkg+"/") {
				continue
			}
			for _, b := range tc.banned {
				if strings.HasPrefix(d, b) {
					t.Errorf("%s depends on %s", tc.pkg, d)
				}
			}
		}
	}
}
