package cardprint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/minqing/minqing/internal/fonts"
	"github.com/minqing/minqing/internal/qrtest"
)

const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ" // Crockford's base32, as flows derives codes

var (
	names    = []string{"张桂兰", "李长福", "王秀英", "刘德顺", "陈玉梅", "赵永利", "孙淑珍", "周国强", "吴凤兰", "郑宝山", "冯桂芝", "何春生"}
	villages = []string{"沟通村", "红光村", "保兴乡永胜村", "朝阳镇东升村"}
	units    = []string{"县财政局", "县住房和城乡建设局", "县农业农村局", "县人力资源和社会保障局"}
	cadres   = []string{"刘建国", "马晓燕", "孙立军", "高凤霞"}
)

// testCards returns n cards with random (seeded) 20-character codes.
func testCards(n int) []Card {
	rng := rand.New(rand.NewSource(7))
	cards := make([]Card, n)
	for i := range cards {
		b := make([]byte, 20)
		for j := range b {
			b[j] = codeAlphabet[rng.Intn(len(codeAlphabet))]
		}
		code := string(b)
		phone := fmt.Sprintf("1384567%04d", i)
		if i%5 == 4 {
			phone = "" // some cadres leave no phone
		}
		cards[i] = Card{
			HouseholdName: names[i%len(names)],
			Village:       villages[i%len(villages)],
			CadreName:     cadres[i%len(cadres)],
			CadreUnit:     units[i%len(units)],
			CadrePhone:    phone,
			Link:          "https://t.me/minqing_jiayin_bot?start=" + code,
			Code:          code,
		}
	}
	return cards
}

func testLayout(t *testing.T) Layout {
	t.Helper()
	if _, err := fonts.Find("", true); err != nil {
		t.Skipf("no CJK font on this machine (%v)", err)
	}
	l := DefaultLayout("zh")
	l.County, l.Bot = "嘉荫县", "minqing_jiayin_bot"
	return l
}

func TestGroupCode(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Ab", "Ab"},
		{"AbCd", "AbCd"},
		{"AbCdE", "AbCd E"},
		{"AbCdEfGh", "AbCd EfGh"},
		{"Ab-d_fGhIj", "Ab-d _fGh Ij"},
		{"AbCdEfGhIjKlMnOpQrStUv", "AbCd EfGh IjKl MnOp QrSt Uv"},
		{"AbCd EfGh Ij", "AbCd EfGh Ij"}, // already grouped
		{" AbC dEf\n", "AbCd Ef"},
	} {
		if got := GroupCode(tc.in); got != tc.want {
			t.Errorf("GroupCode(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := UngroupCode(GroupCode(tc.in)); got != UngroupCode(tc.in) || strings.ContainsAny(got, " \n") {
			t.Errorf("UngroupCode(GroupCode(%q)) = %q", tc.in, got)
		}
	}
}

func TestDefaultLayout(t *testing.T) {
	for lang, title := range map[string]string{"": "民情联系卡", "zh": "民情联系卡", "zh-CN": "民情联系卡", "en": "Contact Card", "en-GB": "Contact Card"} {
		l := DefaultLayout(lang)
		if l.Title != title {
			t.Errorf("DefaultLayout(%q).Title = %q, want %q", lang, l.Title, title)
		}
		for _, s := range []string{l.HowTo, l.HowToType, l.CadreLabel, l.UnitLabel, l.PhoneLabel, l.CodeLabel} {
			if s == "" {
				t.Errorf("DefaultLayout(%q) has an empty label: %+v", lang, l)
			}
		}
		if l.County != "" || l.FontPath != "" {
			t.Errorf("DefaultLayout(%q) sets County or FontPath: %+v", lang, l)
		}
	}
}

func TestPNGQRDecodes(t *testing.T) {
	t.Parallel()
	l := testLayout(t)
	zbarimg := qrtest.Zbar(t)
	for i, c := range testCards(3) {
		var buf bytes.Buffer
		if err := PNG(&buf, c, l); err != nil {
			t.Fatalf("card %d: %v", i, err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("card %d: decode PNG: %v", i, err)
		}
		if b := img.Bounds(); b.Dx() != 2126 || b.Dy() != 1276 {
			t.Errorf("card %d: size %v, want 2126×1276", i, b.Size())
		}
		file := filepath.Join(t.TempDir(), "card.png")
		writePNG(t, file, img)
		qrtest.Check(t, zbarimg, fmt.Sprintf("card %d", i), img, file, c.Link)
	}
}

func TestPNGEnglish(t *testing.T) {
	t.Parallel()
	l := testLayout(t)
	en := DefaultLayout("en")
	en.FontPath, en.County = l.FontPath, "Jiayin County"
	c := testCards(1)[0]
	var buf bytes.Buffer
	if err := PNG(&buf, c, en); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "card.png")
	writePNG(t, file, img)
	qrtest.Check(t, qrtest.Zbar(t), "English card", img, file, c.Link)
}

var pageRE = regexp.MustCompile(`/Type\s*/Page\b[^s]`)

func TestPDF(t *testing.T) {
	t.Parallel()
	l := testLayout(t)
	cards := testCards(12)
	var buf bytes.Buffer
	if err := PDF(context.Background(), &buf, cards, l); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if n := len(pageRE.FindAll(data, -1)); n != 2 {
		t.Errorf("PDF has %d pages, want 2", n)
	}
	if !bytes.Contains(data, []byte("/FontFile2")) {
		t.Error("PDF embeds no TrueType font (/FontFile2)")
	}
	if !bytes.Contains(data, []byte("/ToUnicode")) {
		t.Error("PDF has no /ToUnicode CMap: its text cannot be extracted")
	}
	t.Logf("PDF of %d cards: %d bytes", len(cards), len(data))

	dir := t.TempDir()
	file := filepath.Join(dir, "cards.pdf")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("pdftotext", func(t *testing.T) {
		if _, err := exec.LookPath("pdftotext"); err != nil {
			t.Skip("pdftotext not on PATH (apt-get install -y poppler-utils): text extraction not checked")
		}
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := string(out)
		for _, want := range []string{cards[0].HouseholdName, cards[11].HouseholdName, l.Title, l.County, cards[0].CadreUnit, GroupCode(cards[3].Code), "@" + l.Bot} {
			if !strings.Contains(text, want) {
				t.Errorf("pdftotext output lacks %q:\n%s", want, text)
			}
		}
		// The cards are in the order given: page 1 starts with card 1.
		if i, j := strings.Index(text, cards[0].HouseholdName), strings.Index(text, cards[10].HouseholdName); i < 0 || j < i {
			t.Errorf("card 1 (at %d) should come before card 11 (at %d)", i, j)
		}
	})

	t.Run("pdftoppm", func(t *testing.T) {
		if _, err := exec.LookPath("pdftoppm"); err != nil {
			t.Skip("pdftoppm not on PATH (apt-get install -y poppler-utils): QR codes on the page not checked")
		}
		const dpi = 300
		prefix := filepath.Join(dir, "page")
		if out, err := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", file, prefix).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		f, err := os.Open(prefix + ".png")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		page, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		sub, ok := page.(interface {
			SubImage(image.Rectangle) image.Image
		})
		if !ok {
			t.Fatalf("page image %T cannot be cropped", page)
		}
		mm := func(v float64) int { return int(v * dpi / 25.4) }
		for slot := range PerPage {
			x := marginX + float64(slot%cols)*cardW
			y := marginY + float64(slot/cols)*cardH
			card := sub.SubImage(image.Rect(mm(x), mm(y), mm(x+cardW), mm(y+cardH)))
			qrtest.Check(t, "", fmt.Sprintf("card %d on page 1", slot+1), card, "", cards[slot].Link)
		}
		// zbar reads the whole page: every card's code, nothing else.
		if zbarimg := qrtest.Zbar(t); zbarimg != "" {
			got, err := qrtest.ZbarFile(zbarimg, prefix+".png")
			if err != nil {
				t.Fatal(err)
			}
			want := make([]string, PerPage)
			for i := range want {
				want[i] = cards[i].Link
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("zbar reads page 1 as %q, want the links of its %d cards", got, PerPage)
			}
		}
	})
}

func TestErrors(t *testing.T) {
	l := testLayout(t)
	if err := PDF(context.Background(), &bytes.Buffer{}, nil, l); !errors.Is(err, ErrNoCards) {
		t.Errorf("PDF of no cards: %v, want ErrNoCards", err)
	}
	bad := testCards(2)
	bad[1].Link = ""
	if err := PDF(context.Background(), &bytes.Buffer{}, bad, l); !errors.Is(err, ErrNoLink) {
		t.Errorf("PDF of a card without link: %v, want ErrNoLink", err)
	}
	if err := PNG(&bytes.Buffer{}, bad[1], l); !errors.Is(err, ErrNoLink) {
		t.Errorf("PNG of a card without link: %v, want ErrNoLink", err)
	}

	// No font installed: fonts.ErrNoFont comes through.
	saved := fonts.Candidates
	fonts.Candidates = nil
	defer func() { fonts.Candidates = saved }()
	l.FontPath = ""
	if err := PDF(context.Background(), &bytes.Buffer{}, testCards(1), l); !errors.Is(err, fonts.ErrNoFont) {
		t.Errorf("PDF without font: %v, want fonts.ErrNoFont", err)
	}
	if err := PNG(&bytes.Buffer{}, testCards(1)[0], l); !errors.Is(err, fonts.ErrNoFont) {
		t.Errorf("PNG without font: %v, want fonts.ErrNoFont", err)
	}
}

func TestMissingGlyph(t *testing.T) {
	l := testLayout(t)
	cards := testCards(2)
	cards[1].HouseholdName = "王\U0010FFFD" // private use: in no font
	if err := PDF(context.Background(), &bytes.Buffer{}, cards, l); !errors.Is(err, ErrMissingGlyph) {
		t.Errorf("PDF: %v, want ErrMissingGlyph", err)
	} else if !strings.Contains(err.Error(), "card 2") || strings.Contains(err.Error(), "王") {
		t.Errorf("PDF error %q should name the card by number, not by name", err)
	}
	if err := PNG(&bytes.Buffer{}, cards[1], l); !errors.Is(err, ErrMissingGlyph) {
		t.Errorf("PNG: %v, want ErrMissingGlyph", err)
	}
}

// TestRuns checks that mixed text is split by font and each character goes
// to a font that has it: the Droid fallback font has no Latin letters.
func TestRuns(t *testing.T) {
	fs, err := loadFonts(testLayout(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"打开 Telegram，扫描二维码，按“开始”", "电话 13845670001", "Open Telegram, tap “Start”", "Ab-d _fGh", ""} {
		for _, mono := range []bool{false, true} {
			runs, err := fs.runs(s, mono)
			if err != nil {
				t.Errorf("runs(%q): %v", s, err)
			}
			var b strings.Builder
			for _, r := range runs {
				b.WriteString(r.s)
				for _, c := range r.s {
					if !fs.has(r.role, c) {
						t.Errorf("runs(%q): %q put in font %d, which lacks it", s, c, r.role)
					}
				}
			}
			if b.String() != s {
				t.Errorf("runs(%q) joined = %q", s, b.String())
			}
		}
	}
}

// TestLongTextsFit checks that over-long texts are shrunk or cut to stay on
// the card and out of the QR code.
func TestLongTextsFit(t *testing.T) {
	t.Parallel()
	// A fake measure: every rune is one em wide.
	measure := func(s string, pt float64, mono bool) float64 {
		return float64(len([]rune(s))) * pt * 25.4 / 72
	}
	c := Card{
		HouseholdName: "欧阳欧阳欧阳欧阳欧阳欧阳",
		Village:       "很长很长的乡镇名很长很长的村名",
		CadreName:     "很长的干部名字很长的干部名字",
		CadreUnit:     "县人力资源和社会保障局农村社会养老保险管理中心",
		CadrePhone:    "0458-1234567 转 1234 或 13845670001",
		Code:          strings.Repeat("AbCdEfGhIj", 5),
	}
	l := DefaultLayout("zh")
	l.County = "黑龙江省伊春市嘉荫县朝阳镇"
	l.HowTo = strings.Repeat("打开 Telegram，扫描二维码，按“开始”", 3)
	ops := compose(c, l, [][]bool{{true}}, measure)
	qrLeft := ops.qr.x - qrGap
	for _, op := range ops.texts {
		right := op.x + measure(op.s, op.pt, op.mono)
		limit := cardW - pad
		if op.y < ops.qr.y+ops.qr.size+2 { // beside the QR code
			limit = qrLeft
		}
		if right > limit+1e-9 {
			t.Errorf("text %q at %.1f mm ends at %.1f mm, beyond %.1f mm", op.s, op.x, right, limit)
		}
		if op.s == "" || op.pt < 5 {
			t.Errorf("text op %+v is empty or tiny", op)
		}
	}
}

// TestExampleCard writes testdata/example-card.png when UPDATE_GOLDEN=1, to
// look at the layout.
func TestExampleCard(t *testing.T) {
	if os.Getenv("UPDATE_GOLDEN") != "1" {
		t.Skip("set UPDATE_GOLDEN=1 to write testdata/example-card.png")
	}
	l := testLayout(t)
	c := testCards(2)[1]
	var buf bytes.Buffer
	if err := PNG(&buf, c, l); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", "example-card.png"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("CARDPRINT_PDF") != "" { // a sheet too, for a local look
		var pdf bytes.Buffer
		if err := PDF(context.Background(), &pdf, testCards(12), l); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(os.Getenv("CARDPRINT_PDF"), pdf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPDFStops: a PDF stops between two cards once its context ends.
func TestPDFStops(t *testing.T) {
	l := testLayout(t)
	ctx, stop := context.WithCancel(context.Background())
	stop()
	var buf bytes.Buffer
	if err := PDF(ctx, &buf, testCards(3), l); !errors.Is(err, context.Canceled) || buf.Len() != 0 {
		t.Errorf("PDF after a stop: %v, %d bytes written", err, buf.Len())
	}
}

// TestFitTextLinear: fitting a long text onto the card measures each of its
// runes a bounded number of times, however long it is (a 5 000-character
// name once cost millions of rune measures).
func TestFitTextLinear(t *testing.T) {
	for _, n := range []int{500, 5000, 50000} {
		measured := 0
		measure := func(s string, pt float64, mono bool) float64 {
			r := []rune(s)
			measured += len(r)
			return float64(len(r)) * pt * 25.4 / 72
		}
		c := Card{HouseholdName: strings.Repeat("欧", n), Village: strings.Repeat("村", n), CadreName: strings.Repeat("干", n),
			CadreUnit: strings.Repeat("局", n), CadrePhone: strings.Repeat("1", n), Code: strings.Repeat("7", n)}
		l := DefaultLayout("zh")
		l.County, l.Bot, l.HowTo = strings.Repeat("县", n), strings.Repeat("b", n), strings.Repeat("扫", n)
		ops := compose(c, l, [][]bool{{true}}, measure)
		if total := 9 * n; measured > 80*total {
			t.Errorf("%d runes per text: %d runes measured, more than 80 per rune of input (%d)", n, measured, total)
		}
		for _, op := range ops.texts {
			if strings.ContainsAny(op.s, "欧村局县扫17b") && !strings.HasSuffix(op.s, "…") { // not a label
				t.Errorf("%d runes: text %q not cut", n, op.s)
			}
		}
	}
}
