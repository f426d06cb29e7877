package cardprint

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// PNGDPI is the resolution of PNG: a card is 90×54 mm, 2126×1276 pixels.
const PNGDPI = 600

const pxPerMM = PNGDPI / 25.4

// PNG writes card c as a PNG image at PNGDPI, with a thin grey outline
// marking the card's edge.
func PNG(w io.Writer, c Card, l Layout) error {
	img, err := renderPNG(c, l)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("cardprint: write PNG: %w", err)
	}
	return nil
}

// renderPNG draws card c.
func renderPNG(c Card, l Layout) (*image.RGBA, error) {
	bits, err := qrBits(c.Link)
	if err != nil {
		return nil, err
	}
	fs, err := loadFonts(l)
	if err != nil {
		return nil, err
	}
	faces := &faceCache{fs: fs, faces: map[faceKey]font.Face{}}
	defer faces.close()

	measure := func(s string, pt float64, mono bool) float64 {
		runs, _ := fs.runs(s, mono)
		var w fixed.Int26_6
		for _, r := range runs {
			f, err := faces.get(r.role, pt)
			if err != nil {
				return math.Inf(1)
			}
			w += font.MeasureString(f, r.s)
		}
		return float64(w) / 64 / pxPerMM
	}
	ops := compose(c, l, bits, measure)
	if faces.err != nil {
		return nil, faces.err
	}

	W, H := px(cardW), px(cardH)
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	border := px(0.15)
	outline := image.NewUniform(rgba(ink{0xcc, 0xcc, 0xcc}))
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, W, border), image.Rect(0, H-border, W, H),
		image.Rect(0, 0, border, H), image.Rect(W-border, 0, W, H),
	} {
		draw.Draw(img, r, outline, image.Point{}, draw.Src)
	}

	for _, r := range ops.rects {
		rect := image.Rect(px(r.x), px(r.y), px(r.x+r.w), max(px(r.y+r.h), px(r.y)+1))
		draw.Draw(img, rect, image.NewUniform(rgba(r.c)), image.Point{}, draw.Src)
	}
	for _, t := range ops.texts {
		runs, err := fs.runs(t.s, t.mono)
		if err != nil {
			return nil, err
		}
		d := font.Drawer{
			Dst: img,
			Src: image.NewUniform(rgba(t.c)),
			Dot: fixed.Point26_6{X: fixed.Int26_6(t.x * pxPerMM * 64), Y: fixed.Int26_6(t.y * pxPerMM * 64)},
		}
		for _, r := range runs {
			if d.Face, err = faces.get(r.role, t.pt); err != nil {
				return nil, err
			}
			d.DrawString(r.s)
		}
	}
	drawQR(img, ops.qr)
	return img, nil
}

// px converts millimetres to pixels.
func px(mm float64) int { return int(math.Round(mm * pxPerMM)) }

func rgba(c ink) color.RGBA { return color.RGBA{c.r, c.g, c.b, 0xff} }

// drawQR paints the modules of q with a whole number of pixels each,
// centred in q's box, so that every module stays sharp.
func drawQR(img *image.RGBA, q qrOp) {
	n := len(q.bits)
	if n == 0 {
		return
	}
	box := q.size * pxPerMM
	mod := int(box) / n
	x0 := px(q.x) + int(box-float64(mod*n))/2
	y0 := px(q.y) + int(box-float64(mod*n))/2
	for y, row := range q.bits {
		for x, dark := range row {
			if dark {
				r := image.Rect(x0+x*mod, y0+y*mod, x0+(x+1)*mod, y0+(y+1)*mod)
				draw.Draw(img, r, image.Black, image.Point{}, draw.Src)
			}
		}
	}
}

// faceCache holds the faces of one rendering, by font and size.
type faceCache struct {
	fs    *fontSet
	faces map[faceKey]font.Face
	err   error // the first error of get
}

type faceKey struct {
	role fontRole
	pt   float64
}

func (c *faceCache) get(role fontRole, pt float64) (font.Face, error) {
	k := faceKey{role, pt}
	if f, ok := c.faces[k]; ok {
		return f, nil
	}
	f, err := opentype.NewFace(c.fs.fonts[role], &opentype.FaceOptions{Size: pt, DPI: PNGDPI, Hinting: font.HintingNone})
	if err != nil {
		err = fmt.Errorf("cardprint: font face: %w", err)
		if c.err == nil {
			c.err = err
		}
		return nil, err
	}
	c.faces[k] = f
	return f, nil
}

func (c *faceCache) close() {
	for _, f := range c.faces {
		f.Close()
	}
}
