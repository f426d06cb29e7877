package report

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/minqing/minqing/internal/fonts"
	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// chartFont is the typeface a chart draws all its text with, and the text
// handler that knows it.
type chartFont struct {
	face    font.Font // Size is set per use
	handler text.Handler
	cjk     bool // false: the ASCII fallback (Liberation Sans)
}

// cjkTypeface names the CJK font in its private cache.
const cjkTypeface font.Typeface = "MinqingCJK"

// Parsed fonts by path. Each gets its own font.Cache, with Liberation for
// Latin text (see mixedText), rather than being added to font.DefaultCache, and charts set every text style's handler and font
// explicitly: plot.DefaultFont and the default cache are globals other
// packages may use, and changing them would race with charts being drawn.
var (
	fontMu    sync.Mutex
	fontCache = map[string]chartFont{}
)

// findFont is fonts.Find; tests replace it to see the ASCII fallback.
var findFont = fonts.Find

// loadChartFont returns the font of a chart: configured if set (it must
// exist and parse), else the first CJK font fonts.Find knows, else the
// ASCII fallback.
func loadChartFont(configured string) (chartFont, error) {
	path := configured
	if configured != "" {
		if _, err := os.Stat(configured); err != nil {
			return chartFont{}, fmt.Errorf("report: chart font: %w", err)
		}
	} else {
		p, err := findFont("", false)
		if errors.Is(err, fonts.ErrNoFont) {
			return asciiFont(), nil
		}
		if err != nil {
			return chartFont{}, fmt.Errorf("report: chart font: %w", err)
		}
		path = p
	}

	fontMu.Lock()
	defer fontMu.Unlock()
	if f, ok := fontCache[path]; ok {
		return f, nil
	}
	otf, err := parseFont(path)
	if err != nil {
		return chartFont{}, fmt.Errorf("report: chart font %s: %w", path, err)
	}
	desc := font.Font{Typeface: cjkTypeface}
	cache := font.NewCache(font.Collection{{Font: desc, Face: otf}}) // the default typeface
	cache.Add(liberation.Collection())
	latin := font.Font{Typeface: plot.DefaultFont.Typeface, Variant: "Sans"}
	f := chartFont{face: desc, handler: mixedText{fonts: cache, cjk: otf, latin: latin}, cjk: true}
	fontCache[path] = f
	return f, nil
}

// parseFont reads a TrueType/OpenType font, or the first font of a
// collection (.ttc).
func parseFont(path string) (*opentype.Font, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) >= 4 && string(data[:4]) == "ttcf" {
		coll, err := opentype.ParseCollection(data)
		if err != nil {
			return nil, err
		}
		if coll.NumFonts() == 0 {
			return nil, errors.New("empty font collection")
		}
		return coll.Font(0)
	}
	return opentype.Parse(data)
}

// asciiFont is gonum's own Liberation Sans, which cannot draw Chinese.
func asciiFont() chartFont {
	return chartFont{
		face:    font.Font{Typeface: plot.DefaultFont.Typeface, Variant: "Sans"},
		handler: text.Plain{Fonts: font.DefaultCache},
	}
}

// style is a text style of this font.
func (f chartFont) style(size vg.Length, bold bool) text.Style {
	fnt := font.From(f.face, size)
	if bold {
		fnt.Weight = xfont.WeightBold // a CJK font without a bold face falls back to regular
	}
	return text.Style{Color: colText, Font: fnt, Handler: f.handler}
}

// set gives a plot style this font, keeping its alignment.
func (f chartFont) set(sty *text.Style, size vg.Length) {
	sty.Font = font.From(f.face, size)
	sty.Handler = f.handler
	sty.Color = colText
}
