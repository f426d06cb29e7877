package roster

import (
	"archive/zip"
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"
)

// A workbook of several sheets (a hidden one counts) is read only with the
// sheet named; the notes name the sheet read.
func TestWorkbookSheets(t *testing.T) {
	dir := t.TempDir()
	c := writeSheets(t, dir, "cadres.xlsx", 1, cadreRows, true)
	h := writeXLSX(t, dir, "households.xlsx", 1, householdRows)

	_, _, err := LoadFiles(Files{Cadres: c, Households: h})
	ve := problemsOf(t, err)
	if len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0].Msg, `2 sheets ("名单", "Other" (hidden)); name the one to read`) {
		t.Errorf("several sheets, none named: %v", err)
	}

	_, _, err = LoadFiles(Files{Cadres: c, Households: h, CadresSheet: "名单 "})
	ve = problemsOf(t, err)
	if len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0].Msg, `no sheet "名单 "; the workbook has "名单", "Other" (hidden)`) {
		t.Errorf("unknown sheet: %v", err)
	}

	r, notes, err := LoadFiles(Files{Cadres: c, Households: h, CadresSheet: "名单"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, wantRoster) {
		t.Errorf("roster %+v", r)
	}
	if want := []string{`cadres.xlsx: sheet "名单"`, `households.xlsx: sheet "名单"`}; !reflect.DeepEqual(notes, want) {
		t.Errorf("notes %q, want %q", notes, want)
	}
	// A sheet named for a workbook must be in it.
	_, _, err = LoadFiles(Files{Cadres: c, Households: h, CadresSheet: "名单", HouseholdsSheet: "Other"})
	if ve := problemsOf(t, err); !strings.Contains(ve.Problems[0].Msg, `no sheet "Other"`) {
		t.Errorf("sheet missing from the households workbook: %v", err)
	}
}

// A huge cell is refused before excelize unpacks it into memory: by the
// size its part declares in the zip directory (archive/zip holds a part to
// that size while reading it), or by a scan of the part's text.
func TestWorkbookBounds(t *testing.T) {
	dir := t.TempDir()
	c := writeXLSX(t, dir, "cadres.xlsx", 1, cadreRows)
	good, err := os.ReadFile(writeXLSX(t, dir, "h.xlsx", 1, householdRows))
	if err != nil {
		t.Fatal(err)
	}
	// A 900 MiB shared string: the part says so in the zip directory.
	huge := rezip(t, good, func(name string, w *zip.Writer, body []byte) bool {
		if name != "xl/sharedStrings.xml" {
			return false
		}
		fw, err := w.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, UncompressedSize64: 900 << 20, CompressedSize64: uint64(len(body))})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(body)
		return true
	})
	_, err = Load(c, write(t, dir, "households.xlsx", huge))
	if ve := problemsOf(t, err); !strings.Contains(ve.Problems[0].Msg, "xl/sharedStrings.xml unpacks to 900 MiB") {
		t.Errorf("900 MiB part: %v", err)
	}
	// A 2 MiB cell (more than Excel itself writes), compressed to almost nothing.
	long := rezip(t, good, func(name string, w *zip.Writer, body []byte) bool {
		if name != "xl/sharedStrings.xml" {
			return false
		}
		fw, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(bytes.Replace(body, []byte("张福来"), bytes.Repeat([]byte("x"), 2<<20), 1))
		return true
	})
	_, err = Load(c, write(t, dir, "long.xlsx", long))
	if ve := problemsOf(t, err); !strings.Contains(ve.Problems[0].Msg, "longer than 1024 KiB") {
		t.Errorf("2 MiB cell: %v", err)
	}
}

// rezip copies a zip, letting replace write some entries itself.
func rezip(t *testing.T, data []byte, replace func(name string, w *zip.Writer, body []byte) bool) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(rc)
		rc.Close()
		if replace(f.Name, zw, body.Bytes()) {
			continue
		}
		fw, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(body.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
