package report

import (
	"math"
	"strings"

	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// mixedText is a text.Handler that draws each run of a string in the font
// that has its glyphs: Latin letters, digits and punctuation in Liberation
// Sans, Chinese in the CJK font. Some CJK fonts have no Latin glyphs at
// all (DroidSansFallbackFull draws no digits), and others have poor ones.
type mixedText struct {
	fonts *font.Cache    // the CJK typeface (the default) and Liberation
	cjk   *opentype.Font // to ask which glyphs it has
	latin font.Font      // Typeface and Variant of the Latin font
}

var _ text.Handler = mixedText{}

// latinRunesBelow: runes below it (Latin, Greek, Cyrillic, general
// punctuation, arrows…) are drawn in the Latin font when it has them.
const latinRunesBelow = 0x2E80

// Cache returns the fonts.
func (h mixedText) Cache() *font.Cache { return h.fonts }

// Lines splits txt at newlines.
func (h mixedText) Lines(txt string) []string {
	return strings.Split(strings.TrimRight(txt, "\n"), "\n")
}

// latinOf is fnt in the Latin typeface, same size, weight and style.
func (h mixedText) latinOf(fnt font.Font) font.Font {
	fnt.Typeface, fnt.Variant = h.latin.Typeface, h.latin.Variant
	return fnt
}

// Extents are the larger of the two fonts' extents, so that mixed lines
// keep one baseline and height.
func (h mixedText) Extents(fnt font.Font) font.Extents {
	fa := h.fonts.Lookup(fnt, fnt.Size)
	fb := h.fonts.Lookup(h.latinOf(fnt), fnt.Size)
	a, b := fa.Extents(), fb.Extents()
	return font.Extents{
		Ascent:  max(a.Ascent, b.Ascent),
		Descent: max(a.Descent, b.Descent),
		Height:  max(a.Height, b.Height),
	}
}

// run is a piece of a line drawn in one face.
type run struct {
	text string
	face font.Face
}

// runs cuts a line into runs of one face each.
func (h mixedText) runs(line string, fnt font.Font) []run {
	cjk := h.fonts.Lookup(fnt, fnt.Size)
	latin := h.fonts.Lookup(h.latinOf(fnt), fnt.Size)
	var (
		buf   sfnt.Buffer
		out   []run
		cur   strings.Builder
		isCJK bool
	)
	for i, r := range line {
		useCJK := false
		if r >= latinRunesBelow || !hasGlyph(latin.Face, &buf, r) {
			useCJK = hasGlyph(h.cjk, &buf, r)
		}
		if i > 0 && useCJK != isCJK {
			out = append(out, run{cur.String(), pick(isCJK, cjk, latin)})
			cur.Reset()
		}
		isCJK = useCJK
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, run{cur.String(), pick(isCJK, cjk, latin)})
	}
	return out
}

func pick(cjk bool, a, b font.Face) font.Face {
	if cjk {
		return a
	}
	return b
}

// hasGlyph reports whether f draws r.
func hasGlyph(f *opentype.Font, buf *sfnt.Buffer, r rune) bool {
	if f == nil {
		return false
	}
	i, err := f.GlyphIndex(buf, r)
	return err == nil && i != 0
}

// Box returns the width of a line and the font's ascent and descent.
func (h mixedText) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	for _, r := range h.runs(txt, fnt) {
		width += r.face.Width(r.text)
	}
	e := h.Extents(fnt)
	return width, e.Ascent, e.Descent
}

// Draw draws txt as text.Plain does, one run at a time.
func (h mixedText) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	txt = strings.TrimRight(txt, "\n")
	if len(txt) == 0 {
		return
	}
	c.SetColor(sty.Color)
	if sty.Rotation != 0 {
		c.Push()
		c.Rotate(sty.Rotation)
	}
	sin64, cos64 := math.Sincos(sty.Rotation)
	cos, sin := vg.Length(cos64), vg.Length(sin64)
	pt.X, pt.Y = pt.Y*sin+pt.X*cos, pt.Y*cos-pt.X*sin

	lines := h.Lines(txt)
	pt.Y += sty.Height(txt)*vg.Length(sty.YAlign) - h.Extents(sty.Font).Ascent
	for i, line := range lines {
		w, _, _ := h.Box(line, sty.Font)
		at := pt.Add(vg.Point{
			X: vg.Length(sty.XAlign) * w,
			Y: vg.Length(len(lines)-i) * sty.Font.Size,
		})
		for _, r := range h.runs(line, sty.Font) {
			c.FillString(r.face, at, r.text)
			at.X += r.face.Width(r.text)
		}
	}
	if sty.Rotation != 0 {
		c.Pop()
	}
}
