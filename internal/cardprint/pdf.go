package cardprint

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/go-pdf/fpdf"
)

// Sheet layout of PDF, in millimetres: A4 portrait, 2 columns × 5 rows of
// cards touching each other, so that one cut separates two cards; the grid
// is centred on the page.
const (
	pageW, pageH = 210.0, 297.0
	cols, rows   = 2, 5
	// PerPage is the number of cards on one A4 sheet.
	PerPage = cols * rows

	marginX = (pageW - cols*cardW) / 2 // 15
	marginY = (pageH - rows*cardH) / 2 // 13.5

	markGap = 1.5 // cut marks in the margins stop this far from the cards
	markLen = 5.0
	crossA  = 1.5 // arm of the small crosses where four cards meet
)

// PDF writes cards, in the order given, on A4 sheets of PerPage cards with
// cut marks. The text is real text in the embedded (subset) font, so it can
// be searched and copied. It stops with ctx's error between two cards once
// ctx ends, having written nothing.
func PDF(ctx context.Context, w io.Writer, cards []Card, l Layout) (err error) {
	if len(cards) == 0 {
		return ErrNoCards
	}
	bits := make([][][]bool, len(cards))
	for i, c := range cards {
		if err := ctx.Err(); err != nil {
			return err
		}
		if bits[i], err = qrBits(c.Link); err != nil {
			return fmt.Errorf("card %d: %w", i+1, err)
		}
	}
	fs, err := loadFonts(l)
	if err != nil {
		return err
	}
	// fpdf panics on some malformed fonts; report that as an error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cardprint: PDF: %v", r)
		}
	}()

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetTitle(oneLine(l.Title), true)
	pdf.SetCreator("minqing cardprint", false)
	pf := &pdfFonts{pdf: pdf, fs: fs, family: map[string]string{}}
	measure := func(s string, pt float64, mono bool) float64 {
		runs, _ := fs.runs(s, mono)
		w := 0.0
		for _, r := range runs {
			if pf.set(r.role, pt) != nil {
				return math.Inf(1)
			}
			w += pdf.GetStringWidth(r.s)
		}
		return w
	}

	for i, c := range cards {
		if err := ctx.Err(); err != nil {
			return err
		}
		slot := i % PerPage
		if slot == 0 {
			pdf.AddPage()
			cutMarks(pdf, min(len(cards)-i, PerPage))
		}
		ox := marginX + float64(slot%cols)*cardW
		oy := marginY + float64(slot/cols)*cardH
		ops := compose(c, l, bits[i], measure)
		if pf.err != nil {
			return pf.err
		}
		for _, r := range ops.rects {
			pdf.SetFillColor(int(r.c.r), int(r.c.g), int(r.c.b))
			pdf.Rect(ox+r.x, oy+r.y, r.w, r.h, "F")
		}
		for _, t := range ops.texts {
			runs, err := fs.runs(t.s, t.mono)
			if err != nil {
				return fmt.Errorf("card %d: %w", i+1, err)
			}
			pdf.SetTextColor(int(t.c.r), int(t.c.g), int(t.c.b))
			x := ox + t.x
			for _, r := range runs {
				if err := pf.set(r.role, t.pt); err != nil {
					return err
				}
				pdf.Text(x, oy+t.y, r.s)
				x += pdf.GetStringWidth(r.s)
			}
		}
		pdfQR(pdf, ox, oy, ops.qr)
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("cardprint: PDF: %w", err)
	}
	return nil
}

// pdfFonts embeds the fonts of a fontSet on first use, one family per file.
type pdfFonts struct {
	pdf    *fpdf.Fpdf
	fs     *fontSet
	family map[string]string // font path -> fpdf family
	err    error             // the first error of set
}

// set makes the font of role current at pt points.
func (p *pdfFonts) set(role fontRole, pt float64) error {
	if p.err != nil {
		return p.err
	}
	path := p.fs.paths[role]
	fam, ok := p.family[path]
	if !ok {
		fam = fmt.Sprintf("cardfont%d", len(p.family))
		data, err := fontData(path)
		if err == nil {
			p.pdf.AddUTF8FontFromBytes(fam, "", data)
			if err = p.pdf.Error(); err != nil {
				err = fmt.Errorf("cardprint: font %s (PDF needs a .ttf, not a .ttc collection): %w", path, err)
			}
		}
		if err != nil {
			p.err = err
			return err
		}
		p.family[path] = fam
	}
	p.pdf.SetFont(fam, "", pt)
	return nil
}

// pdfQR draws the dark modules of q as one filled path, so that no seams
// show between neighbouring modules.
func pdfQR(pdf *fpdf.Fpdf, ox, oy float64, q qrOp) {
	n := len(q.bits)
	if n == 0 {
		return
	}
	m := q.size / float64(n)
	pdf.SetFillColor(0, 0, 0)
	for y, row := range q.bits {
		for x := 0; x < n; {
			if !row[x] {
				x++
				continue
			}
			end := x
			for end < n && row[end] {
				end++
			}
			x0, y0 := ox+q.x+float64(x)*m, oy+q.y+float64(y)*m
			x1, y1 := ox+q.x+float64(end)*m, y0+m
			pdf.MoveTo(x0, y0)
			pdf.LineTo(x1, y0)
			pdf.LineTo(x1, y1)
			pdf.LineTo(x0, y1)
			pdf.ClosePath()
			x = end
		}
	}
	pdf.DrawPath("F")
}

// cutMarks draws the cut marks of a page holding n cards: lines in the
// margins along every cut, and small crosses where four cards meet.
func cutMarks(pdf *fpdf.Fpdf, n int) {
	usedCols := min(n, cols)
	usedRows := (n + cols - 1) / cols
	left, top := marginX, marginY
	right := marginX + float64(usedCols)*cardW
	bottom := marginY + float64(usedRows)*cardH

	pdf.SetLineWidth(0.2)
	pdf.SetDrawColor(0, 0, 0)
	for c := 0; c <= usedCols; c++ {
		x := marginX + float64(c)*cardW
		pdf.Line(x, top-markGap-markLen, x, top-markGap)
		pdf.Line(x, bottom+markGap, x, bottom+markGap+markLen)
	}
	for r := 0; r <= usedRows; r++ {
		y := marginY + float64(r)*cardH
		pdf.Line(left-markGap-markLen, y, left-markGap, y)
		pdf.Line(right+markGap, y, right+markGap+markLen, y)
	}
	pdf.SetLineWidth(0.1)
	pdf.SetDrawColor(0x99, 0x99, 0x99)
	for c := 1; c < usedCols; c++ {
		for r := 1; r < usedRows; r++ {
			x, y := marginX+float64(c)*cardW, marginY+float64(r)*cardH
			pdf.Line(x-crossA, y, x+crossA, y)
			pdf.Line(x, y-crossA, x, y+crossA)
		}
	}
}
