package report

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/minqing/minqing/flows"
	"github.com/xuri/excelize/v2"
)

// Column widths of the requests sheet, in Excel's units (about one Latin
// character; a Chinese character takes two).
var requestWidths = []float64{8, 12, 12, 10, 18, 10, 40, 11, 17, 17, 12, 17, 10, 12, 7, 30, 12, 10}

// Spreadsheet returns the digest as an .xlsx workbook for the office, in lang
// ("zh", the default, or "en"):
//
//   - sheet 1, 诉求 (Requests): one row per d.Requests, with its village,
//     household, cadre, unit, category, summary, state, the times it was
//     received, first answered, due and resolved, the household's verdict
//     and whether it is late. Times are Excel dates in the week's time zone
//     (d.Week.Start's location); a time not set yet is an empty cell. The
//     header row is bold and frozen, with an autofilter.
//   - sheet 2, 汇总 (Summary): the week's counts, the four rates with last
//     week's and a trend arrow (a rate with no denominator shows "—"), the
//     median time to first response, then the table of d.Rows (units or
//     cadres), of d.Villages and of d.Categories.
//   - sheet 3, 走访覆盖 (Coverage), when d.Coverage is set: households
//     assigned, contacted and visited in the last visits.every and in the
//     week, 走访覆盖率, the same per unit or cadre and per village (lowest
//     first), and the ten households longest without contact.
func Spreadsheet(d flows.Digest, lang string) ([]byte, error) {
	c := labelsFor(lang)
	f := excelize.NewFile()
	defer f.Close()
	w := &book{f: f}

	w.styles()
	if err := f.SetSheetName("Sheet1", c.sheetRequests); err != nil {
		return nil, fmt.Errorf("report: spreadsheet: %w", err)
	}
	if _, err := f.NewSheet(c.sheetSummary); err != nil {
		return nil, fmt.Errorf("report: spreadsheet: %w", err)
	}
	w.requests(c.sheetRequests, d, c)
	w.summary(c.sheetSummary, d, c)
	if d.Coverage != nil {
		if _, err := f.NewSheet(c.cov.sheet); err != nil {
			return nil, fmt.Errorf("report: spreadsheet: %w", err)
		}
		w.coverage(c.cov.sheet, d, c)
	}
	f.SetActiveSheet(0)
	if w.err != nil {
		return nil, fmt.Errorf("report: spreadsheet: %w", w.err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("report: spreadsheet: %w", err)
	}
	return buf.Bytes(), nil
}

// book writes cells and keeps the first error, so that the sheets read as
// a list of cells.
type book struct {
	f   *excelize.File
	err error

	bold, header, dateTime, date, right int
}

func (w *book) check(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

func (w *book) style(s *excelize.Style) int {
	id, err := w.f.NewStyle(s)
	w.check(err)
	return id
}

func (w *book) styles() {
	dt, d := "yyyy-mm-dd hh:mm", "yyyy-mm-dd"
	w.bold = w.style(&excelize.Style{Font: &excelize.Font{Bold: true}})
	w.header = w.style(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF7"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "999999", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	})
	w.dateTime = w.style(&excelize.Style{CustomNumFmt: &dt})
	w.date = w.style(&excelize.Style{CustomNumFmt: &d})
	w.right = w.style(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "right"}})
}

// set writes v at (col, row), both 1-based; nil, "" and zero times leave
// the cell empty.
func (w *book) set(sheet string, col, row int, v any) {
	switch x := v.(type) {
	case nil:
		return
	case string:
		if x == "" {
			return
		}
	case time.Time:
		if x.IsZero() {
			return
		}
	}
	cell, err := excelize.CoordinatesToCellName(col, row)
	w.check(err)
	if err == nil {
		w.check(w.f.SetCellValue(sheet, cell, v))
	}
}

// setStyle styles the cells from (c1, r1) to (c2, r2).
func (w *book) setStyle(sheet string, c1, r1, c2, r2, style int) {
	from, err1 := excelize.CoordinatesToCellName(c1, r1)
	to, err2 := excelize.CoordinatesToCellName(c2, r2)
	w.check(err1)
	w.check(err2)
	if err1 == nil && err2 == nil {
		w.check(w.f.SetCellStyle(sheet, from, to, style))
	}
}

// headerRow writes a bold header at row.
func (w *book) headerRow(sheet string, row int, names []string) {
	for i, n := range names {
		w.set(sheet, i+1, row, n)
	}
	w.setStyle(sheet, 1, row, len(names), row, w.header)
}

// excelTime is t's wall clock in loc, as the UTC time excelize turns into an
// Excel serial date (Excel dates have no time zone).
func excelTime(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

// requests writes one row per request.
func (w *book) requests(sheet string, d flows.Digest, c *catalog) {
	loc := d.Week.Start.Location()
	w.headerRow(sheet, 1, c.columns)
	for i, r := range d.Requests {
		row := i + 2
		for col, v := range []any{
			r.ID, r.Village, r.Household, r.Cadre, r.Unit, r.Category, r.Summary, c.state(r.State),
			excelTime(r.Received, loc), excelTime(r.FirstResponse, loc),
			excelTime(r.Deadline, loc), excelTime(r.Resolved, loc),
			c.solvedText(r.Solved), c.rating(r.Rating), c.bool(r.Late), strings.Join(r.Path, " → "), c.origins[r.Origin], c.vias[r.VerdictVia],
		} {
			w.set(sheet, col+1, row, v)
		}
	}
	last := len(d.Requests) + 1
	if last > 1 {
		w.setStyle(sheet, 9, 2, 10, last, w.dateTime) // received, first response
		w.setStyle(sheet, 11, 2, 11, last, w.date)    // deadline: the end of a day
		w.setStyle(sheet, 12, 2, 12, last, w.dateTime)
	}
	for i, width := range requestWidths {
		col, err := excelize.ColumnNumberToName(i + 1)
		w.check(err)
		w.check(w.f.SetColWidth(sheet, col, col, width))
	}
	lastCol, _ := excelize.ColumnNumberToName(len(c.columns))
	w.check(w.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
	}))
	w.check(w.f.AutoFilter(sheet, fmt.Sprintf("A1:%s%d", lastCol, last), nil))
}

// summary writes the counts, the rates and the tables.
func (w *book) summary(sheet string, d flows.Digest, c *catalog) {
	scope := d.Unit
	if scope == "" {
		scope = d.County
	}
	if scope == "" {
		scope = c.county
	}
	w.set(sheet, 1, 1, scope+" "+c.digest+" "+WeekLabel(d.Week))
	w.setStyle(sheet, 1, 1, 1, 1, w.bold)
	if !d.Week.Start.IsZero() {
		w.set(sheet, 1, 2, c.period)
		last := d.Week.End.Add(-1).In(d.Week.Start.Location())
		w.set(sheet, 2, 2, d.Week.Start.Format("2006-01-02")+" — "+last.Format("2006-01-02"))
	}

	row := 4
	w.headerRow(sheet, row, []string{c.metric, c.thisWeek, c.parts, c.lastWeek, c.trend})
	for _, kv := range []struct {
		name string
		n    int
	}{
		{c.received, d.Received}, {c.respondedInTime, d.RespondedInTime}, {c.resolved, d.Resolved},
		{c.closed, d.Closed}, {c.open, d.Open}, {c.late, d.Late},
		{c.transfersIn, d.TransfersIn}, {c.transfersOut, d.TransfersOut}, {c.sentBack, d.SentBack},
	} {
		row++
		w.set(sheet, 1, row, kv.name)
		w.set(sheet, 2, row, kv.n)
	}
	for _, r := range []struct {
		name      string
		cur, prev flows.Rate
	}{
		{c.rateResponse, d.Rates.Response, d.Previous.Response},
		{c.rateResolution, d.Rates.Resolution, d.Previous.Resolution},
		{c.rateSatisfaction, d.Rates.Satisfaction, d.Previous.Satisfaction},
		{c.rateOnTime, d.Rates.OnTime, d.Previous.OnTime},
	} {
		row++
		w.set(sheet, 1, row, r.name)
		w.set(sheet, 2, row, r.cur.Format())
		w.set(sheet, 3, row, fmt.Sprintf("%d/%d", r.cur.Num, r.cur.Den))
		w.set(sheet, 4, row, r.prev.Format())
		w.set(sheet, 5, row, r.cur.Trend(r.prev))
		w.setStyle(sheet, 2, row, 5, row, w.right)
	}
	row++
	w.set(sheet, 1, row, c.median)
	w.set(sheet, 2, row, formatDuration(d.MedianFirstResponse, d.HasMedian, c))
	w.setStyle(sheet, 2, row, 2, row, w.right)

	first := c.rowUnit
	if d.Unit != "" {
		first = c.rowCadre
	}
	row = w.rowTable(sheet, row+2, first, d.Rows, c)
	if len(d.Villages) > 0 {
		row = w.rowTable(sheet, row+1, c.rowVillage, d.Villages, c)
	}
	if len(d.Categories) > 0 {
		row++
		w.headerRow(sheet, row, []string{c.category, c.received})
		for _, cc := range d.Categories {
			row++
			name := cc.Category
			if name == "" {
				name = c.noCategory
			}
			w.set(sheet, 1, row, name)
			w.set(sheet, 2, row, cc.Count)
		}
	}
	w.check(w.f.SetColWidth(sheet, "A", "A", 24))
	w.check(w.f.SetColWidth(sheet, "B", "I", 11))
}

// rowTable writes a table of digest rows from row on, and returns the row
// after it.
func (w *book) rowTable(sheet string, row int, first string, rows []flows.DigestRow, c *catalog) int {
	w.headerRow(sheet, row, []string{first, c.received, c.open, c.late, c.resolved,
		c.rateResponse, c.rateResolution, c.rateSatisfaction, c.rateOnTime})
	for _, r := range rows {
		row++
		for col, v := range []any{r.Name, r.Received, r.Open, r.Late, r.Resolved,
			r.Rates.Response.Format(), r.Rates.Resolution.Format(),
			r.Rates.Satisfaction.Format(), r.Rates.OnTime.Format()} {
			w.set(sheet, col+1, row, v)
		}
		w.setStyle(sheet, 6, row, 9, row, w.right)
	}
	return row + 1
}

// formatDuration is a median time to first response, "2小时5分" or "2h05m",
// or "—" when there is none.
func formatDuration(d time.Duration, ok bool, c *catalog) string {
	if !ok {
		return flows.RateUndefined
	}
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return fmt.Sprintf(c.minutes, m)
	}
	return fmt.Sprintf(c.hours, m/60, m%60)
}
