// Package qrtest reads QR codes back in tests with two independent
// decoders: gozxing (a Go port of ZXing, which many Android scanners use) and
// zbar's zbarimg (another code base), so that a printed card is trusted only
// when both read it, and a failure says which decoder failed on which code.
//
// zbarimg comes from the Debian package zbar-tools (`make deps`). Without
// it the zbar half is skipped with a log line, except under CI=true, where
// a missing zbarimg fails the test.
package qrtest

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Gozxing reads one QR code from img with gozxing, without hints (a
// scanner's first look at a frame).
func Gozxing(img image.Image) (string, error) {
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

// Zbar returns the path of zbarimg, or "" after logging that the zbar
// checks are skipped. Under CI=true a missing zbarimg fails t: CI installs
// it (make deps), so its absence there is a broken setup, not a skip.
func Zbar(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("zbarimg")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("zbarimg missing under CI=true (make deps installs zbar-tools)")
	}
	t.Log("zbarimg not on PATH (apt-get install zbar-tools): QR codes read with gozxing only")
	return ""
}

// ZbarFile returns the texts of the QR codes zbarimg finds in the image
// file, one per code, in zbar's order.
func ZbarFile(zbarimg, file string) ([]string, error) {
	cmd := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 4 { // zbarimg: no symbol found
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("zbarimg %s: %v: %s", filepath.Base(file), err, strings.TrimSpace(stderr.String()))
	}
	return strings.Fields(stdout.String()), nil
}

// ZbarImage is ZbarFile of img, written as a PNG into dir.
func ZbarImage(zbarimg, dir string, img image.Image) ([]string, error) {
	f, err := os.CreateTemp(dir, "qr-*.png")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return ZbarFile(zbarimg, f.Name())
}

// Check reads the one QR code of img with both decoders (zbar when zbarimg
// is not "") and reports on t every decoder that does not read want,
// naming the decoder, what, and whether the other decoder read it.
// file, when not "", is img's file, given to zbarimg as it is.
func Check(t testing.TB, zbarimg, what string, img image.Image, file, want string) {
	t.Helper()
	got := map[string]string{}
	if s, err := Gozxing(img); err != nil {
		got["gozxing"] = err.Error()
	} else if s != want {
		got["gozxing"] = fmt.Sprintf("read %q", s)
	}
	if zbarimg != "" {
		var texts []string
		var err error
		if file != "" {
			texts, err = ZbarFile(zbarimg, file)
		} else {
			texts, err = ZbarImage(zbarimg, t.TempDir(), img)
		}
		switch {
		case err != nil:
			t.Fatal(err)
		case len(texts) != 1 || texts[0] != want:
			got["zbar"] = fmt.Sprintf("read %q", texts)
		}
	}
	for _, name := range []string{"gozxing", "zbar"} {
		msg, failed := got[name]
		if !failed {
			continue
		}
		other := "the other decoder fails too"
		if len(got) == 1 && (name == "zbar" || zbarimg != "") {
			other = "the other decoder reads it"
		} else if zbarimg == "" {
			other = "zbar not run"
		}
		t.Errorf("%s: %s cannot read %q (%s): %s", what, name, want, other, msg)
	}
}

// CheckAll reads every QR code of the image file (a printed page) with both
// decoders (zbar when zbarimg is not "") and reports on t a decoder that
// does not read exactly wants, in any order.
func CheckAll(t testing.TB, zbarimg, what, file string, wants []string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Sorted(slices.Values(wants))
	var got []string
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, nil)
	for _, r := range res {
		got = append(got, r.GetText())
	}
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Errorf("%s: gozxing reads %q (%v), want %q", what, got, err, want)
	}
	if zbarimg == "" {
		return
	}
	got, err = ZbarFile(zbarimg, file)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Sort(got); !slices.Equal(got, want) {
		t.Errorf("%s: zbar reads %q, want %q", what, got, want)
	}
}
