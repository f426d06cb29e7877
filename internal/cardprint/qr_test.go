package cardprint

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minqing/minqing/internal/qrtest"
)

// randomLink returns a binding link as the cards print it: a bot name of
// 5 to 32 characters ending in "bot" (Telegram's limits) and a 20-character
// Crockford code.
func randomLink(rng *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789_"
	name := make([]byte, 2+rng.Intn(30))
	for i := range name {
		name[i] = letters[rng.Intn(len(letters))]
	}
	name[0] = 'a' + byte(rng.Intn(26))
	code := make([]byte, 20)
	for i := range code {
		code[i] = codeAlphabet[rng.Intn(len(codeAlphabet))]
	}
	return "https://t.me/" + string(name) + "bot?start=" + string(code)
}

// cardModulePx is the size in pixels of a module of bits on a PNG card
// (drawQR's whole pixels).
func cardModulePx(bits [][]bool) int {
	box := qrSize * pxPerMM
	return int(box) / len(bits)
}

// TestQRCodesRead: the QR codes of many random links, drawn as the PNG card
// draws them (whole pixels a module, here 6: the check of qrBits draws 4)
// with the card's smallest quiet zone, read back with gozxing and with zbar. The seed is logged: a failure names
// the decoder and the link, and the seed replays it.
func TestQRCodesRead(t *testing.T) {
	t.Parallel()
	n := 300
	if testing.Short() {
		n = 40
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("CARDPRINT_QR_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("%d links, seed %d (CARDPRINT_QR_SEED replays it)", n, seed)
	rng := rand.New(rand.NewSource(seed))
	zbarimg := qrtest.Zbar(t)
	dir := t.TempDir()

	// zbar reads a sheet of many codes at once (one process per sheet);
	// a code missing from a sheet's answer is then read alone.
	const perSheet = 25
	var sheet []image.Image
	var sheetLinks []string
	flush := func() {
		if zbarimg == "" || len(sheet) == 0 {
			return
		}
		got, err := qrtest.ZbarImage(zbarimg, dir, tile(sheet))
		if err != nil {
			t.Fatal(err)
		}
		read := map[string]bool{}
		for _, s := range got {
			read[s] = true
		}
		for i, link := range sheetLinks {
			if !read[link] {
				qrtest.Check(t, zbarimg, "QR code alone", sheet[i], "", link)
			}
		}
		sheet, sheetLinks = nil, nil
	}
	versions := map[int]int{}
	for range n {
		link := randomLink(rng)
		bits, err := qrBits(link)
		if err != nil {
			t.Fatalf("%s: %v", link, err)
		}
		versions[(len(bits)-17)/4]++
		img := symbolImage(bits, 6)
		if got, err := qrtest.Gozxing(img); err != nil || got != link {
			t.Errorf("gozxing cannot read %q at 6 px a module: %q, %v", link, got, err)
		}
		if sheet, sheetLinks = append(sheet, img), append(sheetLinks, link); len(sheet) == perSheet {
			flush()
		}
	}
	flush()
	t.Logf("QR versions: %v", versions)
}

// tile lays imgs out in a square grid on one white image.
func tile(imgs []image.Image) image.Image {
	cols := 1
	for cols*cols < len(imgs) {
		cols++
	}
	cell := 0
	for _, im := range imgs {
		cell = max(cell, im.Bounds().Dx(), im.Bounds().Dy())
	}
	rows := (len(imgs) + cols - 1) / cols
	out := image.NewGray(image.Rect(0, 0, cols*cell, rows*cell))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for i, im := range imgs {
		at := image.Pt(i%cols*cell, i/cols*cell)
		draw.Draw(out, im.Bounds().Sub(im.Bounds().Min).Add(at), im, im.Bounds().Min, draw.Src)
	}
	return out
}

// TestQRMaskChosen: a symbol whose standard mask ZXing's detector misreads
// (it takes a pattern in the data for a finder pattern) is printed with
// another mask that reads, and every printed mask reads in all four turns.
func TestQRMaskChosen(t *testing.T) {
	// Found by a search of random codes: with the mask the standard's
	// penalty picks (4), gozxing fails on this link upright ("dimension =
	// 31": a false finder pattern), while zbar reads it.
	const link = "https://t.me/test_bot?start=SYQA9K1ACMRQC1KTA9F8"
	std, mask, err := encodeQR(link, -1)
	if err != nil {
		t.Fatal(err)
	}
	if readsBack(std, link) {
		t.Fatalf("mask %d of %s reads back: pick another link for this test", mask, link)
	}
	if zbarimg := qrtest.Zbar(t); zbarimg != "" {
		got, err := qrtest.ZbarImage(zbarimg, t.TempDir(), symbolImage(std, 19))
		if err != nil || len(got) != 1 || got[0] != link {
			t.Errorf("zbar reads mask %d as %q, %v: the symbol itself is bad", mask, got, err)
		}
	}
	bits, err := qrBits(link)
	if err != nil {
		t.Fatal(err)
	}
	if !readsBack(bits, link) {
		t.Fatal("qrBits returned a symbol that does not read back")
	}
	if equalBits(bits, std) {
		t.Fatal("qrBits kept the mask that does not read back")
	}
}

func equalBits(a, b [][]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for y := range a {
		for x := range a[y] {
			if a[y][x] != b[y][x] {
				return false
			}
		}
	}
	return true
}

// TestLongestLinkFits: the longest link (a 32-character bot name) fits a
// version 6 symbol at level Q, its modules are at least 0.7 mm on the card
// and 17 whole pixels on the PNG, and the PNG keeps QuietModules of white
// around the code: no text, rule or outline inside.
func TestLongestLinkFits(t *testing.T) {
	t.Parallel()
	l := testLayout(t)
	l.Bot = strings.Repeat("q", 29) + "bot"
	c := testCards(1)[0]
	c.Link = "https://t.me/" + l.Bot + "?start=" + c.Code
	bits, err := qrBits(c.Link)
	if err != nil {
		t.Fatal(err)
	}
	if v := (len(bits) - 17) / 4; v > 6 {
		t.Errorf("a %d-byte link needs version %d", len(c.Link), v)
	}
	if mm := qrSize / float64(len(bits)); mm < 0.7 {
		t.Errorf("modules of %.2f mm", mm)
	}
	img, err := renderPNG(c, l)
	if err != nil {
		t.Fatal(err)
	}
	mod := cardModulePx(bits)
	if mod < 17 {
		t.Errorf("modules of %d px", mod)
	}
	quietZoneWhite(t, img, bits)
	file := filepath.Join(t.TempDir(), "card.png")
	writePNG(t, file, img)
	qrtest.Check(t, qrtest.Zbar(t), "card with the longest link", img, file, c.Link)
}

// quietZoneWhite checks that the ring of QuietModules around the QR code of
// a PNG card is white.
func quietZoneWhite(t *testing.T, img *image.RGBA, bits [][]bool) {
	t.Helper()
	n, mod := len(bits), cardModulePx(bits)
	box := qrSize * pxPerMM
	x0 := px(cardW-pad-qrSize) + int(box-float64(mod*n))/2
	y0 := px(pad) + int(box-float64(mod*n))/2
	sym := image.Rect(x0, y0, x0+mod*n, y0+mod*n)
	ring := sym.Inset(-QuietModules * mod)
	if !ring.In(img.Bounds()) {
		t.Fatalf("quiet zone %v leaves the card %v", ring, img.Bounds())
	}
	for y := ring.Min.Y; y < ring.Max.Y; y++ {
		for x := ring.Min.X; x < ring.Max.X; x++ {
			if image.Pt(x, y).In(sym) {
				continue
			}
			if c := img.RGBAAt(x, y); c.R != 0xff || c.G != 0xff || c.B != 0xff {
				t.Fatalf("pixel (%d, %d) in the quiet zone is %v (symbol %v, quiet zone %v)", x, y, c, sym, ring)
			}
		}
	}
}

func writePNG(t *testing.T, file string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
