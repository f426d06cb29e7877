package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/report"
)

// cmdDiary writes the diary (民情日记) of visits: one row per visit and per
// note, with the requests recorded in each visit and their states.
func cmdDiary(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("diary")
	cadre := fs.String("cadre", "", "only the visits of this cadre or leader (id)")
	unit := fs.String("unit", "", "only the visits of this unit's officials")
	from := fs.String("from", "", "first day, YYYY-MM-DD (default: 30 days ago)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default: today)")
	out := fs.String("o", "", "output file, .xlsx or .csv, created (or replaced) readable by its owner only")
	lang := fs.String("lang", "", "language of the headers: zh or en (default: config language)")
	m, err := parseOpen(ctx, fs, path, args, func() error {
		ext := strings.ToLower(filepath.Ext(*out))
		if ext != ".xlsx" && ext != ".csv" {
			return fmt.Errorf("-o %q: give a file name ending in .xlsx or .csv", *out)
		}
		if *lang != "" {
			return checkLang(*lang)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer m.Close()
	if err := checkUnit(ctx, m, *unit); err != nil {
		return err
	}
	loc := m.Config.Timezone
	now := m.Clock.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	f := flows.DiaryFilter{CadreID: *cadre, Unit: *unit, From: today.AddDate(0, 0, -30), To: today.AddDate(0, 0, 1)}
	if *from != "" {
		if f.From, err = time.ParseInLocation("2006-01-02", *from, loc); err != nil {
			return fmt.Errorf("-from %q: want YYYY-MM-DD", *from)
		}
	}
	if *to != "" {
		day, err := time.ParseInLocation("2006-01-02", *to, loc)
		if err != nil {
			return fmt.Errorf("-to %q: want YYYY-MM-DD", *to)
		}
		f.To = day.AddDate(0, 0, 1)
	}
	if !f.From.Before(f.To) {
		return fmt.Errorf("-from %s is after -to", f.From.Format("2006-01-02"))
	}
	if *cadre != "" {
		if _, err := m.Service.Store.Cadre(ctx, *cadre); err != nil {
			return fmt.Errorf("-cadre %q: no such cadre", *cadre)
		}
	}
	vs, err := m.Service.Diary(ctx, f)
	if err != nil {
		return err
	}
	l := *lang
	if l == "" {
		l = m.Config.Language
	}
	rows := report.DiaryRows(vs, l, loc)
	if strings.EqualFold(filepath.Ext(*out), ".csv") {
		err = writeCSV(ctx, *out, true, stdout, defuse(rows))
	} else {
		var b []byte
		if b, err = report.DiaryWorkbook(rows, l); err == nil {
			err = writeFile(ctx, *out, true, func(w io.Writer) error { _, err := w.Write(b); return err })
		}
	}
	if err != nil {
		return fmt.Errorf("diary: %w", err)
	}
	notes := len(rows) - 1 - len(vs)
	fmt.Fprintf(stdout, "wrote %s: %d visits, %d notes\n", *out, len(vs), notes)
	return nil
}

// defuse keeps a spreadsheet from reading a cell of the CSV as a formula.
func defuse(rows [][]string) [][]string {
	for _, row := range rows {
		for i, v := range row {
			if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
				row[i] = "'" + v
			}
		}
	}
	return rows
}
