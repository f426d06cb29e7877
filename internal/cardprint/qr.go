package cardprint

import (
	"errors"
	"fmt"
	"image"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
)

// qrLevel is the error correction of the QR codes: Q (25 % recovery), for
// worn cards. The longest link (a 32-character bot name and a 20-character
// code, 72 bytes) needs version 6 (41 modules, 0.73 mm on the card).
var qrLevel = decoder.ErrorCorrectionLevel_Q

// QuietModules is the white margin, in modules, that the cards keep around
// the QR code on every side (ISO/IEC 18004 asks for 4).
const QuietModules = 4

// ErrUnreadableQR is returned (wrapped) when none of the eight masks of a
// link's QR code reads back in the check of qrBits; rotating the card's
// code gives another link.
var ErrUnreadableQR = errors.New("cardprint: no mask of the QR code reads back")

// qrBits encodes link without the quiet zone (the card's white space is
// the quiet zone); true is a dark module.
//
// Every mask makes a valid symbol, but in about one symbol in a hundred the
// data forms a pattern that ZXing's detector (many Android scanners use it)
// takes for a finder pattern, and it then misreads or cannot find an upright
// card that zbar reads. So the mask the standard's penalty rules choose is
// checked by decoding it, upright and turned; if it fails, the
// other masks are tried in turn and the first that reads is printed.
func qrBits(link string) ([][]bool, error) {
	if link == "" {
		return nil, ErrNoLink
	}
	first := -1
	for try := -1; try < 8; try++ {
		if try == first {
			continue
		}
		bits, mask, err := encodeQR(link, try)
		if err != nil {
			return nil, err
		}
		if try == -1 {
			first = mask
		}
		if readsBack(bits, link) {
			return bits, nil
		}
	}
	return nil, fmt.Errorf("%w (link of %d bytes)", ErrUnreadableQR, len(link))
}

// encodeQR encodes link at qrLevel with mask (-1: the standard's choice),
// returning the modules and the mask used.
func encodeQR(link string, mask int) ([][]bool, int, error) {
	hints := map[gozxing.EncodeHintType]any{}
	if mask >= 0 {
		hints[gozxing.EncodeHintType_QR_MASK_PATTERN] = mask
	}
	code, err := encoder.Encoder_encode(link, qrLevel, hints)
	if err != nil {
		return nil, 0, fmt.Errorf("cardprint: QR code: %w", err)
	}
	m := code.GetMatrix()
	bits := make([][]bool, m.GetHeight())
	for y := range bits {
		bits[y] = make([]bool, m.GetWidth())
		for x := range bits[y] {
			bits[y][x] = m.Get(x, y) == 1
		}
	}
	return bits, code.GetMaskPattern(), nil
}

// readsBack reports whether ZXing's QR reader reads link from bits drawn
// with a quiet zone of QuietModules, 4 pixels a module, in each of the four
// quarter turns. (What misleads the detector is the pattern of the modules,
// whatever their size; the tests read the chosen symbols at other sizes.)
func readsBack(bits [][]bool, link string) bool {
	for range 4 {
		if got, err := decodeGozxing(symbolImage(bits, 4)); err != nil || got != link {
			return false
		}
		bits = turn(bits)
	}
	return true
}

// turn returns bits turned a quarter clockwise.
func turn(bits [][]bool) [][]bool {
	n := len(bits)
	out := make([][]bool, n)
	for y := range out {
		out[y] = make([]bool, n)
		for x := range out[y] {
			out[y][x] = bits[n-1-x][y]
		}
	}
	return out
}

// symbolImage draws bits black on white, px pixels a module, with a quiet
// zone of QuietModules on every side: what a scanner sees of a card's code.
func symbolImage(bits [][]bool, px int) *image.Gray {
	side := (len(bits) + 2*QuietModules) * px
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range bits {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range px {
				off := ((y+QuietModules)*px+dy)*img.Stride + (x+QuietModules)*px
				clear(img.Pix[off : off+px])
			}
		}
	}
	return img
}

// decodeGozxing reads one QR code from img with gozxing (a port of ZXing),
// without hints, as a scanner's first look does.
func decodeGozxing(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}
