package report

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"gonum.org/v1/plot/vg"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/fonts"
)

// needCJK skips a test when this machine has no CJK font.
func needCJK(t *testing.T) {
	t.Helper()
	if _, err := fonts.Find("", false); err != nil {
		t.Skipf("no CJK font: %v", err)
	}
}

// decode checks that b is a PNG and returns it.
func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

// colors counts distinct colours, and the pixels of colour want.
func colors(img image.Image, want color.Color) (distinct, matching int) {
	seen := map[color.RGBA]bool{}
	wr, wg, wb, _ := want.RGBA()
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}] = true
			if r == wr && g == wg && bl == wb {
				matching++
			}
		}
	}
	return len(seen), matching
}

func TestChart(t *testing.T) {
	needCJK(t)
	d := countyDigest(shanghai(t), 6)
	for _, lang := range []string{"zh", "en"} {
		b, err := Chart(d, ChartOptions{Lang: lang})
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		img := decode(t, b)
		if got, want := img.Bounds().Size(), (image.Point{ChartWidth, chartHeight(6)}); got != want {
			t.Errorf("%s: size %v, want %v", lang, got, want)
		}
		distinct, _ := colors(img, colLate)
		if distinct < 50 {
			t.Errorf("%s: %d distinct colours: blank?", lang, distinct)
		}
		for name, c := range map[string]color.Color{"open": colOpen, "late": colLate, "resolved": colResolved} {
			if _, n := colors(img, c); n < 500 {
				t.Errorf("%s: %d pixels of the %s bars' colour", lang, n, name)
			}
		}
	}
}

func TestChartGolden(t *testing.T) {
	if os.Getenv("UPDATE_GOLDEN") != "1" {
		t.Skip("set UPDATE_GOLDEN=1 to write testdata/example-chart.png")
	}
	needCJK(t)
	d := countyDigest(shanghai(t), 18)
	b, err := Chart(d, ChartOptions{Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "example-chart.png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestChartMissingFont(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-font.ttf")
	_, err := Chart(countyDigest(shanghai(t), 3), ChartOptions{FontPath: path})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want one naming %s", err, path)
	}
}

func TestChartBadFont(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.ttf")
	if err := os.WriteFile(path, []byte("not a font"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Chart(countyDigest(shanghai(t), 3), ChartOptions{FontPath: path})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want one naming %s", err, path)
	}
}

func TestChartMaxRows(t *testing.T) {
	needCJK(t)
	d := countyDigest(shanghai(t), 40)
	for _, tc := range []struct{ max, shown int }{{0, DefaultMaxRows}, {5, 5}, {50, 40}} {
		b, err := Chart(d, ChartOptions{MaxRows: tc.max})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := decode(t, b).Bounds().Dy(), chartHeight(tc.shown); got != want {
			t.Errorf("MaxRows %d: height %d, want %d (%d rows)", tc.max, got, want, tc.shown)
		}
	}

	kept, more := selectRows(d.Rows, 15)
	if len(kept) != 15 || more != 25 {
		t.Fatalf("kept %d, more %d; want 15, 25", len(kept), more)
	}
	least := kept[len(kept)-1].row
	inKept := map[int]bool{}
	for i, k := range kept {
		inKept[k.index] = true
		if d.Rows[k.index].Name != k.row.Name {
			t.Errorf("kept[%d] has index %d of another row", i, k.index)
		}
		if i > 0 && k.row.Late+k.row.Open > kept[i-1].row.Late+kept[i-1].row.Open {
			t.Errorf("kept[%d] out of order", i)
		}
	}
	for i, r := range d.Rows {
		if !inKept[i] && r.Late+r.Open > least.Late+least.Open {
			t.Errorf("row %d (%s, late+open %d) left out, but kept one has %d", i, r.Name, r.Late+r.Open, least.Late+least.Open)
		}
	}
}

func TestChartEmpty(t *testing.T) {
	needCJK(t)
	d := flows.Digest{County: "嘉荫县", Week: week48(shanghai(t))}
	b, err := Chart(d, ChartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	if got := img.Bounds().Size(); got != (image.Point{ChartWidth, minHeightPx}) {
		t.Errorf("size %v", got)
	}
	if distinct, _ := colors(img, colLate); distinct < 10 {
		t.Errorf("%d distinct colours: no text?", distinct)
	}
}

func TestChartASCIIFallback(t *testing.T) {
	findFont = func(string, bool) (string, error) { return "", fonts.ErrNoFont }
	t.Cleanup(func() { findFont = fonts.Find })

	d := countyDigest(shanghai(t), 4)
	d.Rows[1].Name = "Water Bureau"
	b, err := Chart(d, ChartOptions{Lang: "zh"})
	if err != nil {
		t.Fatalf("no CJK font must not fail: %v", err)
	}
	img := decode(t, b)
	if distinct, _ := colors(img, colLate); distinct < 50 {
		t.Errorf("%d distinct colours: blank?", distinct)
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		_ = os.WriteFile(filepath.Join(t.TempDir(), "ascii.png"), b, 0o644)
	}

	_, err = Chart(d, ChartOptions{FontPath: "/no/such/font.ttf"})
	if err == nil {
		t.Error("a configured font that is missing must fail even without CJK fonts")
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want os.ErrNotExist", err)
	}
}

func TestChartConcurrent(t *testing.T) {
	needCJK(t)
	d := countyDigest(shanghai(t), 8)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = Chart(d, ChartOptions{Lang: []string{"zh", "en"}[i%2]})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestShortenLinear: a long name is cut to the width measuring each rune a
// bounded number of times.
func TestShortenLinear(t *testing.T) {
	for _, n := range []int{100, 10000} {
		measured := 0
		width := func(s string) vg.Length {
			measured += utf8.RuneCountInString(s)
			return vg.Length(utf8.RuneCountInString(s))
		}
		for _, name := range []string{strings.Repeat("县", n), strings.Repeat("x", n)} {
			got := shorten(width, name, 20)
			if utf8.RuneCountInString(got) > 20 || !strings.HasSuffix(got, ".") && !strings.HasSuffix(got, "…") {
				t.Errorf("shorten(%d runes) = %q", n, got)
			}
		}
		if measured > 10*2*n {
			t.Errorf("%d runes: %d measured", n, measured)
		}
	}
	if got := shorten(func(s string) vg.Length { return vg.Length(len(s)) }, "short", 20); got != "short" {
		t.Errorf("a name that fits was cut: %q", got)
	}
}
