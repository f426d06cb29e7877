package roster

import (
	"fmt"
	"strings"

	"golang.org/x/text/width"
)

// column describes a column of a roster file.
type column struct {
	field   string   // canonical name, used in problems
	aliases []string // accepted headers, normalized (see normHeader)
	private bool     // personal data: never echoed in problems
}

// The columns of the two files, in their canonical order. Every column but
// phone and address must be present in the header; see the package comment.
var (
	cadreColumns = []column{
		{field: "id", aliases: []string{"id", "编号", "干部编号"}},
		{field: "name", aliases: []string{"name", "姓名"}},
		{field: "unit", aliases: []string{"unit", "单位", "工作单位"}},
		{field: "role", aliases: []string{"role", "角色"}},
		{field: "phone", aliases: phoneAliases, private: true},
	}
	householdColumns = []column{
		{field: "id", aliases: []string{"id", "户编号", "编号"}},
		{field: "name", aliases: []string{"name", "户主姓名", "户主", "姓名"}},
		{field: "village", aliases: []string{"village", "村", "所在村", "村庄"}},
		{field: "cadre_id", aliases: []string{"cadre_id", "干部编号", "帮扶干部编号"}},
		{field: "phone", aliases: phoneAliases, private: true},
		{field: "address", aliases: []string{"address", "地址", "住址", "家庭住址"}, private: true},
	}
	phoneAliases = []string{"phone", "电话", "手机", "手机号", "联系电话"}
)

// optional reports whether a column may be left out of the header.
func (c column) optional() bool { return c.field == "phone" || c.field == "address" }

// normHeader folds a header cell for matching: trimmed, full-width forms
// narrowed, lower case, with spaces and hyphens read as underscores.
func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(width.Narrow.String(s)))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

// lookup returns the column whose aliases include the header cell h.
func lookup(cols []column, h string) (column, bool) {
	h = normHeader(h)
	for _, c := range cols {
		for _, a := range c.aliases {
			if a == h {
				return c, true
			}
		}
	}
	return column{}, false
}

// headerScan is how many leading non-empty rows may be a title above the
// header.
const headerScan = 5

// findHeader returns the index in rows of the header: the first of the
// leading non-empty rows that names at least two known columns, so that a
// title row such as "嘉荫县帮扶干部名单" above the header is skipped. If no
// row qualifies, the first row is taken, to report its missing columns.
func findHeader(rows []row, cols []column) int {
	for i := 0; i < len(rows) && i < headerScan; i++ {
		n := 0
		for _, h := range rows[i].cells {
			if _, ok := lookup(cols, h); ok {
				n++
			}
		}
		if n >= 2 {
			return i
		}
	}
	return 0
}

// table is a roster file whose header has been mapped to columns.
type table struct {
	name  string
	sheet string // the workbook's sheet read ("" for CSV)
	cols  []column
	idx   map[string]int // field -> cell index
	rows  []row          // data rows, below the header
}

// newTable finds and maps the header of rows, adding a problem for each
// required column that is missing and each column given twice. ok is false
// if the data rows cannot be read.
func newTable(name string, rows []row, cols []column, ps *problems) (t *table, ok bool) {
	if len(rows) == 0 {
		ps.add(Problem{File: name, Msg: "file is empty; want a header row: " + headerList(cols)})
		return nil, false
	}
	h := findHeader(rows, cols)
	hdr := rows[h]
	t = &table{name: name, cols: cols, idx: make(map[string]int), rows: rows[h+1:]}
	ok = true
	for i, cell := range hdr.cells {
		c, found := lookup(cols, cell)
		if !found {
			continue // extra columns are ignored
		}
		if j, dup := t.idx[c.field]; dup {
			ps.add(Problem{File: name, Line: hdr.line, Field: c.field, Value: cell,
				Msg: fmt.Sprintf("column given twice (columns %d and %d)", j+1, i+1)})
			ok = false
			continue
		}
		t.idx[c.field] = i
	}
	for _, c := range cols {
		if _, found := t.idx[c.field]; !found && !c.optional() {
			ps.add(Problem{File: name, Line: hdr.line, Field: c.field,
				Msg: "missing required column (accepted headers: " + strings.Join(c.aliases, ", ") + ")"})
			ok = false
		}
	}
	if ok && len(t.rows) == 0 {
		ps.add(Problem{File: name, Msg: "no data rows below the header"})
	}
	return t, ok
}

// get returns the cell of r in the column field, or "" if the column is
// absent or the row is short.
func (t *table) get(r row, field string) string {
	i, ok := t.idx[field]
	if !ok {
		return ""
	}
	return r.cell(i)
}

// headerList returns the canonical header row for cols, such as
// "id,name,unit,role,phone".
func headerList(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.field
	}
	return strings.Join(names, ",")
}
