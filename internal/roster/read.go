package roster

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Format is the file format of a roster file.
type Format int

// Supported formats.
const (
	CSV  Format = iota + 1 // comma-separated values, UTF-8 or GBK/GB18030
	XLSX                   // Excel workbook: its only sheet, or the one named (Source.Sheet)
)

// String returns "csv", "xlsx" or "Format(n)".
func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case XLSX:
		return "xlsx"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// FormatOf returns the format of path by its extension (.csv or .xlsx, in
// any case).
func FormatOf(path string) (Format, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv":
		return CSV, nil
	case ".xlsx":
		return XLSX, nil
	case ".xls":
		return 0, fmt.Errorf("roster: %s: old .xls workbooks are not supported; save it as .xlsx or .csv", path)
	default:
		return 0, fmt.Errorf("roster: %s: unsupported file type %q; want .csv or .xlsx", path, ext)
	}
}

// maxFileSize bounds how much of a roster file is read.
const maxFileSize = 64 << 20

// Bounds of an .xlsx workbook, checked in its zip directory and by a
// streaming scan before excelize reads anything into memory: the whole
// workbook unpacked, one part of it unpacked, and one run of text between
// two XML tags (a cell's text: Excel itself holds at most 32 767 characters
// in a cell, at most 128 KiB of UTF-8).
const (
	maxUnpacked = 512 << 20
	maxPart     = 256 << 20
	maxTextRun  = 1 << 20
)

// row is a non-empty spreadsheet row with trimmed cells.
type row struct {
	line  int // 1-based line (CSV) or row number (xlsx)
	cells []string
}

// cell returns cell i, or "" if the row is too short.
func (r row) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return r.cells[i]
}

// readRows reads the non-empty rows of a file (for a workbook, of the sheet
// named, or of its only sheet) and says which sheet it read ("" for CSV). A
// file that cannot be read as its format is reported as a non-nil
// *Problem; err is for I/O failures.
func readRows(name string, r io.Reader, f Format, sheet string) (rows []row, read string, bad *Problem, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, "", nil, fmt.Errorf("roster: read %s: %w", name, err)
	}
	if len(data) > maxFileSize {
		return nil, "", &Problem{File: name, Msg: fmt.Sprintf("file is larger than %d MiB", maxFileSize>>20)}, nil
	}
	switch f {
	case CSV:
		rows, bad, err := readCSV(name, data)
		return rows, "", bad, err
	case XLSX:
		return readXLSX(name, data, sheet)
	default:
		return nil, "", nil, fmt.Errorf("roster: %s: unsupported format %v", name, f)
	}
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
	zipMagic   = []byte("PK\x03\x04")
)

// decodeCSV returns the CSV text as UTF-8: a UTF-8 byte-order mark is
// dropped, and bytes that are not valid UTF-8 are decoded as GB18030 (a
// superset of GBK, which Excel uses for CSV on Chinese Windows).
func decodeCSV(name string, data []byte) ([]byte, *Problem) {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		data = data[len(bomUTF8):]
	case bytes.HasPrefix(data, bomUTF16LE), bytes.HasPrefix(data, bomUTF16BE):
		return nil, &Problem{File: name, Msg: "file is UTF-16 text; save it as CSV (UTF-8 or GBK) or as .xlsx"}
	case bytes.HasPrefix(data, zipMagic):
		return nil, &Problem{File: name, Msg: "file is an Excel workbook, not CSV; name it .xlsx or save it as CSV"}
	}
	if utf8.Valid(data) {
		return data, nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil {
		return nil, &Problem{File: name, Msg: "file is neither UTF-8 nor GBK text: " + err.Error()}
	}
	return out, nil
}

func readCSV(name string, data []byte) ([]row, *Problem, error) {
	text, bad := decodeCSV(name, data)
	if bad != nil {
		return nil, bad, nil
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	var rows []row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return rows, &Problem{File: name, Line: pe.Line, Msg: "malformed CSV: " + pe.Err.Error()}, nil
			}
			return rows, nil, fmt.Errorf("roster: read %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if r, ok := makeRow(line, rec); ok {
			rows = append(rows, r)
		}
	}
}

func readXLSX(name string, data []byte, want string) ([]row, string, *Problem, error) {
	if bad := checkZip(name, data); bad != nil {
		return nil, "", bad, nil
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnpacked})
	if err != nil {
		return nil, "", &Problem{File: name, Msg: "cannot read as an .xlsx workbook: " + err.Error()}, nil
	}
	defer wb.Close()
	sheet, bad := pickSheet(name, wb, want)
	if bad != nil {
		return nil, "", bad, nil
	}
	recs, err := wb.GetRows(sheet)
	if err != nil {
		return nil, "", &Problem{File: name, Msg: fmt.Sprintf("cannot read sheet %q: %v", sheet, err)}, nil
	}
	var rows []row
	for i, rec := range recs {
		if r, ok := makeRow(i+1, rec); ok {
			rows = append(rows, r)
		}
	}
	return rows, sheet, nil, nil
}

// pickSheet returns the sheet to read: the one named, or the workbook's only
// sheet. A workbook of several sheets (hidden ones count: they are easy to
// overlook) needs a name, so that no sheet is read by mistake.
func pickSheet(name string, wb *excelize.File, want string) (string, *Problem) {
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return "", &Problem{File: name, Msg: "workbook has no sheets"}
	}
	if want == "" && len(sheets) == 1 {
		return sheets[0], nil
	}
	for _, s := range sheets {
		if s == want {
			return s, nil
		}
	}
	list := make([]string, len(sheets))
	for i, s := range sheets {
		list[i] = strconv.Quote(s)
		if v, err := wb.GetSheetVisible(s); err == nil && !v {
			list[i] += " (hidden)"
		}
	}
	if want == "" {
		return "", &Problem{File: name, Msg: fmt.Sprintf("workbook has %d sheets (%s); name the one to read (minqing import -sheet NAME)",
			len(sheets), strings.Join(list, ", "))}
	}
	return "", &Problem{File: name, Msg: fmt.Sprintf("no sheet %q; the workbook has %s", want, strings.Join(list, ", "))}
}

// checkZip refuses a workbook that unpacks to more than the bounds allow,
// before anything is unpacked into memory: the sizes in its zip directory
// (which archive/zip holds each part to while reading it), then a streaming
// scan of each XML part for a run of text too long for a cell.
func checkZip(name string, data []byte) *Problem {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &Problem{File: name, Msg: "cannot read as an .xlsx workbook: " + err.Error()}
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		switch {
		case f.UncompressedSize64 > maxPart:
			return &Problem{File: name, Msg: fmt.Sprintf("part %s unpacks to %d MiB, more than the %d MiB a roster workbook may hold in one part",
				f.Name, f.UncompressedSize64>>20, maxPart>>20)}
		case total > maxUnpacked:
			return &Problem{File: name, Msg: fmt.Sprintf("workbook unpacks to more than %d MiB", maxUnpacked>>20)}
		}
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".xml") {
			continue
		}
		if bad := scanPart(name, f); bad != nil {
			return bad
		}
	}
	return nil
}

// scanPart streams one XML part and refuses a run of text between tags
// longer than maxTextRun.
func scanPart(name string, f *zip.File) *Problem {
	rc, err := f.Open()
	if err != nil {
		return &Problem{File: name, Msg: fmt.Sprintf("cannot read part %s: %v", f.Name, err)}
	}
	defer rc.Close()
	buf := make([]byte, 64<<10)
	run := 0
	for {
		n, err := rc.Read(buf)
		for _, b := range buf[:n] {
			if b == '<' {
				run = 0
			} else if run++; run > maxTextRun {
				return &Problem{File: name, Msg: fmt.Sprintf("part %s holds a cell or value longer than %d KiB; a roster cell holds a name, a place or a phone number",
					f.Name, maxTextRun>>10)}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &Problem{File: name, Msg: fmt.Sprintf("cannot read part %s: %v", f.Name, err)}
		}
	}
}

// makeRow trims the cells of rec and reports whether any is non-empty.
func makeRow(line int, rec []string) (row, bool) {
	cells := make([]string, len(rec))
	empty := true
	for i, c := range rec {
		cells[i] = strings.TrimSpace(c)
		if cells[i] != "" {
			empty = false
		}
	}
	return row{line: line, cells: cells}, !empty
}
