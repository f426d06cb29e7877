package cardprint

import "strings"

// The card is composed once, in millimetres from the card's top-left corner,
// as a list of texts, filled rectangles and a QR code; the PDF and PNG
// renderers only draw that list.

// Card size and inner layout, in millimetres.
const (
	cardW = 90.0
	cardH = 54.0

	pad    = 4.5  // inner margin
	qrSize = 30.0 // QR symbol without quiet zone; the white around it is the quiet zone
	qrGap  = 4.5  // white space between the text column and the QR code
)

// ink is an RGB colour.
type ink struct{ r, g, b uint8 }

var (
	inkText  = ink{0x1a, 0x1a, 0x1a}
	inkLabel = ink{0x5f, 0x5f, 0x5f}
	inkTitle = ink{0xb0, 0x1c, 0x1c} // a printable dark red
	inkRule  = ink{0xb0, 0x1c, 0x1c}
	inkFaint = ink{0xb4, 0xb4, 0xb4}
)

// textOp draws s with its baseline's left end at (x, y).
type textOp struct {
	x, y, pt float64
	s        string
	c        ink
	mono     bool // the code font
}

// rectOp fills a rectangle.
type rectOp struct {
	x, y, w, h float64
	c          ink
}

// qrOp draws a QR symbol of size×size with its top-left corner at (x, y).
type qrOp struct {
	x, y, size float64
	bits       [][]bool
}

type cardOps struct {
	texts []textOp
	rects []rectOp
	qr    qrOp
}

// measureFunc returns the advance width of s in millimetres at pt points.
type measureFunc func(s string, pt float64, mono bool) float64

// fitText shrinks s from pt down to minPt, then cuts it with an ellipsis,
// until it is at most maxW millimetres wide. Its cost is linear in the
// length of s: a bounded number of whole measures, then one rune at a time.
func fitText(m measureFunc, s string, pt, minPt, maxW float64, mono bool) (string, float64) {
	for m(s, pt, mono) > maxW && pt > minPt {
		pt -= 0.25
	}
	if m(s, pt, mono) <= maxW {
		return s, pt
	}
	// The longest prefix whose runes, measured one by one, fit with the
	// ellipsis; then back off while the prefix measured whole (kerning)
	// does not: the prefix is as short as maxW allows, so that is cheap.
	const ell = "…"
	room := maxW - m(ell, pt, mono)
	r := []rune(s)
	n, w := 0, 0.0
	for ; n < len(r); n++ {
		if w += m(string(r[n]), pt, mono); w > room {
			break
		}
	}
	for ; n > 0; n-- {
		if t := string(r[:n]) + ell; m(t, pt, mono) <= maxW {
			return t, pt
		}
	}
	return "", pt
}

// pairLine draws a big text and a small one after it on the baseline y,
// between pad and right: it shrinks the small text, then the big one, then
// cuts the small one, then drops it.
func pairLine(m measureFunc, text func(x, y, pt float64, s string, col ink, mono bool) float64,
	y, right float64, big string, bigPt, bigMin float64, bigInk ink, small string, smallPt, smallMin float64, smallInk ink) {
	const gap = 2.5
	width := func() float64 {
		w := m(big, bigPt, false)
		if small != "" {
			w += gap + m(small, smallPt, false)
		}
		return w
	}
	for width() > right-pad {
		if small != "" && smallPt > smallMin {
			smallPt -= 0.25
		} else if big != "" && bigPt > bigMin {
			bigPt -= 0.25
		} else {
			break
		}
	}
	x := pad
	if big != "" {
		big, bigPt = fitText(m, big, bigPt, bigPt, right-x, false)
		x += text(x, y, bigPt, big, bigInk, false) + gap
	}
	if small != "" {
		if s, pt := fitText(m, small, smallPt, smallPt, right-x, false); s == small || len([]rune(s)) > 2 {
			text(x, y, pt, s, smallInk, false)
		}
	}
}

// compose lays out card c.
func compose(c Card, l Layout, bits [][]bool, m measureFunc) cardOps {
	var ops cardOps
	text := func(x, y, pt float64, s string, col ink, mono bool) float64 {
		if s == "" {
			return 0
		}
		ops.texts = append(ops.texts, textOp{x: x, y: y, pt: pt, s: s, c: col, mono: mono})
		return m(s, pt, mono)
	}
	qrX := cardW - pad - qrSize
	ops.qr = qrOp{x: qrX, y: pad, size: qrSize, bits: bits}
	colR := qrX - qrGap // right edge of the text column

	// Title and county, over a red rule; the household and its village.
	pairLine(m, text, 10, colR, oneLine(l.Title), 14, 10, inkTitle, oneLine(l.County), 8.5, 6.5, inkLabel)
	ops.rects = append(ops.rects, rectOp{x: pad, y: 12.4, w: colR - pad, h: 0.35, c: inkRule})
	pairLine(m, text, 19.5, colR, oneLine(c.HouseholdName), 13, 9, inkText, oneLine(c.Village), 8.5, 6.5, inkLabel)

	// The cadre: labels in a column, values aligned after them.
	type row struct {
		label, value string
		minPt        float64
	}
	var rows []row
	for _, r := range []row{
		{l.CadreLabel, c.CadreName, 6},
		{l.UnitLabel, c.CadreUnit, 6},
		{l.PhoneLabel, c.CadrePhone, 5}, // rather small than cut
	} {
		if r.value = oneLine(r.value); r.value != "" {
			r.label = oneLine(r.label)
			rows = append(rows, r)
		}
	}
	const rowPt, labelPt = 8.5, 7.5
	valX := pad
	for _, r := range rows {
		if r.label != "" {
			valX = max(valX, pad+m(r.label, labelPt, false)+2)
		}
	}
	valX = min(valX, pad+(colR-pad)/2)
	for i, r := range rows {
		y := 24.6 + float64(i)*4.2
		if r.label != "" {
			s, pt := fitText(m, r.label, labelPt, 5, valX-pad-1, false)
			text(pad, y, pt, s, inkLabel, false)
		}
		s, pt := fitText(m, r.value, rowPt, r.minPt, colR-valX, false)
		text(valX, y, pt, s, inkText, false)
	}

	// A faint line under the text column (not under the QR code: its quiet
	// zone stays white), then the code and the how-to across the whole
	// card: scanning, and for those who cannot scan, typing the code.
	ops.rects = append(ops.rects, rectOp{x: pad, y: 36.6, w: colR - pad, h: 0.2, c: inkFaint})
	if code := GroupCode(c.Code); code != "" {
		x := pad
		if s, pt := fitText(m, oneLine(l.CodeLabel), 7.5, 5, 20, false); s != "" {
			x += text(x, 41.6, pt, s, inkLabel, false) + 2.5
		}
		s, pt := fitText(m, code, 10.5, 6, cardW-pad-x, true)
		text(x, 41.6, pt, s, inkText, true)
	}
	if s, pt := fitText(m, oneLine(l.HowTo), 7.5, 5.5, cardW-2*pad, false); s != "" {
		text(pad, 45.8, pt, s, inkText, false)
	}
	if s, pt := fitText(m, oneLine(howToType(l)), 7.5, 5.5, cardW-2*pad, false); s != "" {
		text(pad, 49.8, pt, s, inkText, false)
	}
	return ops
}

// howToType is the layout's line for typing the code, naming the bot; ""
// without a bot.
func howToType(l Layout) string {
	if l.Bot == "" {
		return ""
	}
	return strings.ReplaceAll(l.HowToType, "{bot}", "@"+l.Bot)
}
