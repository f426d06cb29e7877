package app_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/cli"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/qrtest"
)

// TestPrintedCards: the PDF and PNG cards carry exactly the links of
// `cards -format csv`, and a rotated card's old code stops binding.
func TestPrintedCards(t *testing.T) {
	h := start(t)
	cfg := writeConfig(t, h)
	ctx := context.Background()
	cli := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := cli.Run(ctx, append(args[:1:1], append([]string{"-config", cfg}, args[1:]...)...), &out, &errb); code != 0 {
			t.Fatalf("%v: %s", args, errb.String())
		}
		return out.String()
	}
	csv := cli("cards", "-format", "csv")
	links := regexp.MustCompile(`https://t\.me/test_bot\?start=[A-Za-z0-9_-]+`).FindAllString(csv, -1)
	if len(links) != 6 {
		t.Fatalf("%d links in cards.csv", len(links))
	}
	dir := t.TempDir()
	cli("cards", "-format", "png", "-o", dir)
	// Each card whole, as a phone's camera sees it, read by two decoders.
	zbarimg := qrtest.Zbar(t)
	for i, id := range []string{"H001", "H002", "H003", "H004", "H005", "H006"} {
		file := filepath.Join(dir, "card-"+id+".png")
		qrtest.Check(t, zbarimg, "card "+id, readPNG(t, file), file, links[i])
	}
	pdf := filepath.Join(dir, "cards.pdf")
	cli("cards", "-format", "pdf", "-o", pdf, "-village", "保兴镇保安村")
	raw, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(raw, -1)); n != 1 {
		t.Errorf("%d pages for 3 cards, want 1", n)
	}
	if !bytes.Contains(raw, []byte("/FontFile2")) {
		t.Error("the PDF embeds no font")
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", pdf, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		contains(t, "pdf text", string(out), "民情联系卡", "张福来", "刘建国")
		if strings.Contains(string(out), "周玉兰") {
			t.Error("-village did not filter")
		}
		// The printed page as a camera sees it (150 dpi: 4.8 pixels a
		// module): its three codes, read by both decoders.
		page := filepath.Join(dir, "page")
		if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-singlefile", pdf, page).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		qrtest.CheckAll(t, zbarimg, "PDF page", page+".png", links[:3])
	} else if os.Getenv("CI") != "" {
		t.Fatal("pdftotext missing in CI (apt-get install -y poppler-utils)")
	}

	// A lost card: rotate it; the old code is refused, the new one binds,
	// and an account bound before stays bound.
	h.bind(hhZhang, "H001")
	old := h.codes["H001"]
	rotated := cli("cards", "-rotate", "-household", "H001")
	if strings.Contains(rotated, old) || !strings.Contains(rotated, "H001") {
		t.Fatalf("rotate printed %q", rotated)
	}
	contains(t, "old code", h.say(hhZhang2, "/start "+old).Text, "无效")
	_, newCode, _ := strings.Cut(strings.TrimSpace(strings.Split(rotated, "\n")[1]), "?start=")
	contains(t, "new code", h.say(hhZhang2, "/start "+newCode).Text, "刘建国")
	contains(t, "still bound", h.say(hhZhang, "/my").Text, "我的诉求")
	inv := cli("invites", "-rotate", "-cadre", "C002")
	if strings.Contains(inv, h.codes["C002"]) {
		t.Fatal("invite not rotated")
	}
	contains(t, "old invite", h.say(cadreWang, "/start "+h.codes["C002"]).Text, "无效")
}

// readPNG reads the image in file.
func readPNG(t *testing.T, file string) image.Image {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestCardsAndInvitesCSV: the printed links are stable and bind.
func TestCardsAndInvitesCSV(t *testing.T) {
	h := start(t)
	cfg := writeConfig(t, h)
	var a, b, inv, errb bytes.Buffer
	for _, c := range []struct {
		args []string
		out  *bytes.Buffer
	}{{[]string{"cards", "-config", cfg, "-format", "csv"}, &a}, {[]string{"cards", "-config", cfg}, &b}, {[]string{"invites", "-config", cfg}, &inv}} {
		if code := cli.Run(context.Background(), c.args, c.out, &errb); code != 0 {
			t.Fatalf("%v: %s", c.args, errb.String())
		}
	}
	if a.String() != b.String() {
		t.Fatal("cards differ between two prints")
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	if lines[0] != "household_id,name,village,cadre,link" || len(lines) != 7 {
		t.Fatalf("cards.csv:\n%s", a.String())
	}
	contains(t, "order", lines[1]+lines[4], "H001", "H004")
	contains(t, "link", lines[1], "https://t.me/test_bot?start="+h.codes["H001"])
	if len(h.codes["H001"]) < 16 {
		t.Fatalf("code %q too short to be unguessable", h.codes["H001"])
	}
	contains(t, "invites", inv.String(), "cadre_id,name,unit,role,link", "L002,孙立新,,leader,https://t.me/test_bot?start=")
}

// TestLinkFiles: the files the office opens hold bearer links or personal
// data: they are created readable by their owner only, CSVs begin with a
// UTF-8 BOM (Excel and WPS show the Chinese), an existing file is replaced
// only with -force, and a failed print leaves it as it was.
func TestLinkFiles(t *testing.T) {
	h := start(t)
	cfg := writeConfig(t, h)
	ctx := context.Background()
	run := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := cli.Run(ctx, append(args[:1:1], append([]string{"-config", cfg}, args[1:]...)...), &out, &errb)
		return code, errb.String()
	}
	dir := t.TempDir()
	private := func(path string) []byte {
		t.Helper()
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v, want mode 0600", path, st, err)
		}
		b, _ := os.ReadFile(path)
		return b
	}
	cards, invites := filepath.Join(dir, "cards.csv"), filepath.Join(dir, "invites.csv")
	for _, c := range [][]string{{"cards", "-format", "csv", "-o", cards}, {"invites", "-o", invites}} {
		if code, errs := run(c...); code != 0 {
			t.Fatalf("%v: %s", c, errs)
		}
	}
	for path, header := range map[string]string{cards: "household_id,name,village,cadre,link\n", invites: "cadre_id,name,unit,role,link\n"} {
		b := private(path)
		if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF"+header)) {
			t.Errorf("%s does not start with a BOM and its header: %q", path, b[:min(len(b), 60)])
		}
		contains(t, path, string(b), "https://t.me/test_bot?start=")
	}
	if b := private(cards); !strings.Contains(string(b), "张福来,保兴镇保安村,刘建国") {
		t.Errorf("cards.csv:\n%s", b)
	}

	// An existing file stays without -force, and is replaced (0600) with it.
	for _, c := range [][]string{{"cards", "-o", cards}, {"invites", "-o", invites}, {"cards", "-format", "pdf", "-o", cards}} {
		if err := os.WriteFile(c[len(c)-1], []byte("the office's own file"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, errs := run(c...)
		if b, _ := os.ReadFile(c[len(c)-1]); code == 0 || !strings.Contains(errs, "-force") || string(b) != "the office's own file" {
			t.Errorf("%v over an existing file: exit %d, %q; file now %q", c, code, errs, b)
		}
	}
	if code, errs := run("cards", "-o", cards, "-force"); code != 0 {
		t.Fatalf("cards -force: %s", errs)
	}
	if b := private(cards); !bytes.HasPrefix(b, []byte("\xEF\xBB\xBFhousehold_id")) {
		t.Errorf("cards.csv after -force: %q", b[:min(len(b), 40)])
	}

	// A print that fails (a font that is no font) leaves the file as it was,
	// and no temporary file behind.
	badFont := filepath.Join(dir, "bad.ttf")
	os.WriteFile(badFont, []byte("not a font"), 0o644)
	badCfg := filepath.Join(dir, "bad.yaml")
	b, _ := os.ReadFile(cfg)
	os.WriteFile(badCfg, []byte(strings.Replace(string(b), "cards:\n", "cards:\n  font: \""+badFont+"\"\n", 1)), 0o600)
	pdf := filepath.Join(dir, "cards.pdf")
	os.WriteFile(pdf, []byte("%PDF last week's cards"), 0o600)
	var out, errb bytes.Buffer
	if code := cli.Run(ctx, []string{"cards", "-config", badCfg, "-format", "pdf", "-o", pdf, "-force"}, &out, &errb); code == 0 {
		t.Fatal("cards with a bad font succeeded")
	}
	if b, _ := os.ReadFile(pdf); string(b) != "%PDF last week's cards" {
		t.Errorf("a failed print changed the file: %q", b[:min(len(b), 40)])
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("a temporary file was left: %s", e.Name())
		}
	}

	// PNG cards: a folder and files only the owner reads; an export
	// replaces an existing file readable by others with one that is not.
	pngs := filepath.Join(dir, "png")
	if code, errs := run("cards", "-format", "png", "-o", pngs, "-household", "H001"); code != 0 {
		t.Fatal(errs)
	}
	private(filepath.Join(pngs, "card-H001.png"))
	if st, err := os.Stat(pngs); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("png folder: %v %v", st, err)
	}
	export := filepath.Join(dir, "h001.json")
	os.WriteFile(export, []byte("{}"), 0o644)
	if code, errs := run("export", "-household", "H001", "-o", export); code != 0 {
		t.Fatal(errs)
	}
	contains(t, "export", string(private(export)), "张福来")
}

// TestCardsSecret: the commands that make or print codes need the secret
// and say so; with another secret than the codes were made with, nothing is
// printed (such cards would not bind).
func TestCardsSecret(t *testing.T) {
	h := start(t)
	ctx := context.Background()
	b, _ := os.ReadFile(writeConfig(t, h))
	noSecret := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(noSecret, []byte(strings.Split(string(b), "cards:")[0]), 0o600)
	t.Setenv(config.EnvCardsSecret, "")
	for _, args := range [][]string{{"cards"}, {"invites"}, {"import", "-cadres", "../roster/testdata/cadres.csv", "-households", "../roster/testdata/households.csv"}} {
		var out, errb bytes.Buffer
		code := cli.Run(ctx, append(args[:1:1], append([]string{"-config", noSecret}, args[1:]...)...), &out, &errb)
		if code == 0 || !strings.Contains(errb.String(), config.EnvCardsSecret) || out.Len() != 0 {
			t.Errorf("%s without the secret: exit %d, %q, printed %q", args[0], code, errb.String(), out.String())
		}
	}
	other := *h.m.Service
	other.Codes = flows.NewCardCodes("not the secret the codes were made with", "county")
	if _, err := other.Cards(ctx); !errors.Is(err, flows.ErrWrongSecret) {
		t.Errorf("cards with another secret: %v", err)
	}
	if _, err := other.Invites(ctx); !errors.Is(err, flows.ErrWrongSecret) {
		t.Errorf("invites with another secret: %v", err)
	}
}
