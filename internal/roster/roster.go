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
}

// Load reads a cadres file and a households file, each .csv or .xlsx by
// extension, and returns the validated roster. Problems name the files by
// their base names (or by the paths as given, if the base names are equal).
// If anything is wrong with the data the error is a [*ValidationError]
// listing every problem found in both files; other errors (a missing file, an
// unsupported extension) are returned as they occur, wrapped.
func Load(cadresPath, householdsPath string) (flows.Roster, error) {
	cf, err := FormatOf(cadresPath)
	if err != nil {
		return flows.Roster{}, err
	}
	hf, err := FormatOf(householdsPath)
	if err != nil {
		return flows.Roster{}, err
	}
	cname, hname := filepath.Base(cadresPath), filepath.Base(householdsPath)
	if cname == hname {
		cname, hname = cadresPath, householdsPath
	}
	c, err := os.Open(cadresPath)
	if err != nil {
		return flows.Roster{}, fmt.Errorf("roster: open cadres file: %w", err)
	}
	defer c.Close()
	h, err := os.Open(householdsPath)
	if err != nil {
		return flows.Roster{}, fmt.Errorf("roster: open households file: %w", err)
	}
	defer h.Close()
	return Parse(Source{Name: cname, R: c, Format: cf}, Source{Name: hname, R: h, Format: hf})
}

// Parse reads and validates a cadres file and a households file, checking
// also that every household's cadre_id is in the cadres file. If anything is
// wrong with the data the error is a [*ValidationError] listing every problem
// found in both files; read errors are returned wrapped.
func Parse(cadres, households Source) (flows.Roster, error) {
	var ps problems
	cs, ids, err := readCadres(cadres, &ps)
	if err != nil {
		return flows.Roster{}, err
	}
	t, err := readTable(households, householdColumns, &ps)
	if err != nil {
		return flows.Roster{}, err
	}
	var hs []flows.Household
	if t != nil {
		hs = parseHouseholds(t, ids, cadres.Name, &ps)
	}
	if err := ps.err(); err != nil {
		return flows.Roster{}, err
	}
	return flows.Roster{Cadres: cs, Households: hs}, nil
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
	rows, bad, err := readRows(src.Name, src.R, src.Format)
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
	return t, nil
}
