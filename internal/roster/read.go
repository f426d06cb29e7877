package roster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
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
	XLSX                   // Excel workbook; the first sheet is read
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

// readRows reads the non-empty rows of a file. A file that cannot be read as
// its format is reported as a non-nil *Problem; err is for I/O failures.
func readRows(name string, r io.Reader, f Format) (rows []row, bad *Problem, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("roster: read %s: %w", name, err)
	}
	if len(data) > maxFileSize {
		return nil, &Problem{File: name, Msg: fmt.Sprintf("file is larger than %d MiB", maxFileSize>>20)}, nil
	}
	switch f {
	case CSV:
		return readCSV(name, data)
	case XLSX:
		return readXLSX(name, data)
	default:
		return nil, nil, fmt.Errorf("roster: %s: unsupported format %v", name, f)
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

func readXLSX(name string, data []byte) ([]row, *Problem, error) {
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 16 * maxFileSize})
	if err != nil {
		return nil, &Problem{File: name, Msg: "cannot read as an .xlsx workbook: " + err.Error()}, nil
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return nil, &Problem{File: name, Msg: "workbook has no sheets"}, nil
	}
	recs, err := wb.GetRows(sheets[0])
	if err != nil {
		return nil, &Problem{File: name, Msg: fmt.Sprintf("cannot read sheet %q: %v", sheets[0], err)}, nil
	}
	var rows []row
	for i, rec := range recs {
		if r, ok := makeRow(i+1, rec); ok {
			rows = append(rows, r)
		}
	}
	return rows, nil, nil
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
