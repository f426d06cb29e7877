package roster

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/minqing/minqing/flows"
)

// Source is one roster file to parse.
type Source struct {
	Name   string    // file name used in problems, such as "cadres.csv"
	R      io.Reader // file contents
	Format Format
	// Sheet names the sheet of a workbook to read; "" reads a workbook's
	// only sheet (a workbook of several sheets is then a problem).
	Sheet string
}

// Files names the two roster files and, for workbooks, the sheets to read
// ("" reads a workbook's only sheet).
type Files struct {
	Cadres, Households           string
	CadresSheet, HouseholdsSheet string
}

// Load reads a cadres file and a households file, each .csv or .xlsx by
// extension, and returns the validated roster. Problems name the files by
// their base names (or by the paths as given, if the base names are equal).
// If anything is wrong with the data the error is a [*ValidationError]
// listing every problem found in both files; other errors (a missing file, an
// unsupported extension) are returned as they occur, wrapped.
func Load(cadresPath, householdsPath string) (flows.Roster, error) {
	r, _, err := LoadFiles(Files{Cadres: cadresPath, Households: householdsPath})
	return r, err
}

// LoadFiles is Load with the sheets to read. It also returns, for each
// workbook, a note naming the sheet it read ("households.xlsx: sheet 名单").
func LoadFiles(f Files) (flows.Roster, []string, error) {
	cf, err := FormatOf(f.Cadres)
	if err != nil {
		return flows.Roster{}, nil, err
	}
	hf, err := FormatOf(f.Households)
	if err != nil {
		return flows.Roster{}, nil, err
	}
	cname, hname := filepath.Base(f.Cadres), filepath.Base(f.Households)
	if cname == hname {
		cname, hname = f.Cadres, f.Households
	}
	c, err := os.Open(f.Cadres)
	if err != nil {
		return flows.Roster{}, nil, fmt.Errorf("roster: open cadres file: %w", err)
	}
	defer c.Close()
	h, err := os.Open(f.Households)
	if err != nil {
		return flows.Roster{}, nil, fmt.Errorf("roster: open households file: %w", err)
	}
	defer h.Close()
	return parse(Source{Name: cname, R: c, Format: cf, Sheet: f.CadresSheet},
		Source{Name: hname, R: h, Format: hf, Sheet: f.HouseholdsSheet})
}

// Parse reads and validates a cadres file and a households file, checking
// also that every household's cadre_id is in the cadres file. If anything is
// wrong with the data the error is a [*ValidationError] listing every problem
// found in both files; read errors are returned wrapped.
func Parse(cadres, households Source) (flows.Roster, error) {
	r, _, err := parse(cadres, households)
	return r, err
}

// parse is Parse, also naming the sheets it read.
func parse(cadres, households Source) (flows.Roster, []string, error) {
	var ps problems
	ct, err := readTable(cadres, cadreColumns, &ps)
	if err != nil {
		return flows.Roster{}, nil, err
	}
	var cs []flows.Cadre
	var ids seen
	if ct != nil {
		cs, ids = parseCadres(ct, &ps)
	}
	t, err := readTable(households, householdColumns, &ps)
	if err != nil {
		return flows.Roster{}, nil, err
	}
	var hs []flows.Household
	if t != nil {
		hs = parseHouseholds(t, ids, cadres.Name, &ps)
	}
	if err := ps.err(); err != nil {
		return flows.Roster{}, nil, err
	}
	var notes []string
	for _, tb := range []*table{ct, t} {
		if tb.sheet != "" {
			notes = append(notes, fmt.Sprintf("%s: sheet %q", tb.name, tb.sheet))
		}
	}
	return flows.Roster{Cadres: cs, Households: hs}, notes, nil
}

// ReadCadres reads and validates a cadres file on its own; name is used in
// problems. Data problems are reported as a [*ValidationError].
func ReadCadres(name string, r io.Reader, f Format) ([]flows.Cadre, error) {
	var ps problems
	cs, _, err := readCadres(Source{Name: name, R: r, Format: f}, &ps)
	if err != nil {
		return nil, err
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return cs, nil
}

// ReadHouseholds reads and validates a households file on its own; name is
// used in problems. It does not check cadre_id against any cadres file (use
// [Parse] or [Load] for that). Data problems are reported as a
// [*ValidationError].
func ReadHouseholds(name string, r io.Reader, f Format) ([]flows.Household, error) {
	var ps problems
	t, err := readTable(Source{Name: name, R: r, Format: f}, householdColumns, &ps)
	if err != nil {
		return nil, err
	}
	var hs []flows.Household
	if t != nil {
		hs = parseHouseholds(t, nil, "", &ps)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return hs, nil
}

// readCadres reads the cadres file. ids is nil if the file could not be read
// well enough to check households against.
func readCadres(src Source, ps *problems) ([]flows.Cadre, seen, error) {
	t, err := readTable(src, cadreColumns, ps)
	if err != nil || t == nil {
		return nil, nil, err
	}
	cs, ids := parseCadres(t, ps)
	return cs, ids, nil
}

// readTable reads src and maps its header to cols. The table is nil if the
// file's data rows cannot be read; the reasons are added to ps.
func readTable(src Source, cols []column, ps *problems) (*table, error) {
	if src.R == nil {
		return nil, fmt.Errorf("roster: %s: no reader", src.Name)
	}
	rows, sheet, bad, err := readRows(src.Name, src.R, src.Format, src.Sheet)
	if err != nil {
		return nil, err
	}
	if bad != nil {
		ps.add(*bad)
		return nil, nil
	}
	t, ok := newTable(src.Name, rows, cols, ps)
	if !ok {
		return nil, nil
	}
	t.sheet = sheet
	return t, nil
}
