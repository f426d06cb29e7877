package report

import (
	"fmt"

	"github.com/minqing/minqing/flows"
)

// coverageLabels are the words of the coverage sheet and chart line.
type coverageLabels struct {
	sheet, title                     string
	chart                            string // fmt: rate, contacted, assigned, days
	metric, value                    string
	assigned, contacted, visited     string // fmt with the days of visits.every
	contactedWeek, visitedWeek, rate string
	visits                           string
	rowUnit, rowCadre, rowVillage    string
	longest, household, last, days   string
	never                            string
	village, cadre, unit             string
}

var covZh = &coverageLabels{
	sheet: "走访覆盖", title: "走访覆盖（近%d天）",
	chart:  "走访覆盖率 %s（近%[4]d天已联系 %[2]d/%[3]d 户）",
	metric: "指标", value: "数值",
	assigned: "结对户数", contacted: "近%d天已联系户数", visited: "近%d天已走访户数",
	contactedWeek: "本周联系户数", visitedWeek: "本周走访户数", rate: "走访覆盖率", visits: "本周走访次数",
	rowUnit: "单位", rowCadre: "干部", rowVillage: "村",
	longest: "最久未联系（前十）", household: "户主", last: "最近联系", days: "未联系天数",
	never: "尚无联系记录", village: "村", cadre: "干部", unit: "单位",
}

var covEn = &coverageLabels{
	sheet: "Coverage", title: "Coverage (last %d days)",
	chart:  "coverage %s (%[2]d/%[3]d households contacted in %[4]d days)",
	metric: "Metric", value: "Value",
	assigned: "Households assigned", contacted: "Contacted in the last %d days", visited: "Visited in the last %d days",
	contactedWeek: "Contacted this week", visitedWeek: "Visited this week", rate: "Coverage rate", visits: "Visits this week",
	rowUnit: "Unit", rowCadre: "Cadre", rowVillage: "Village",
	longest: "Longest without contact (top ten)", household: "Household", last: "Last contact", days: "Days without contact",
	never: "no contact on record", village: "Village", cadre: "Cadre", unit: "Unit",
}

// coverageLine is the chart's line about coverage ("" without coverage).
func coverageLine(d flows.Digest, c *catalog) string {
	cv := d.Coverage
	if cv == nil {
		return ""
	}
	return fmt.Sprintf(c.cov.chart, cv.Rate.Format(), cv.Contacted, cv.Assigned, cv.EveryDays)
}

// coverage writes the coverage sheet: the counts and 走访覆盖率, the table of
// d.Coverage.Rows (units or cadres) and of its villages, lowest coverage
// first, and the households longest without contact.
func (w *book) coverage(sheet string, d flows.Digest, c *catalog) {
	cv, l := d.Coverage, c.cov
	w.set(sheet, 1, 1, fmt.Sprintf(l.title, cv.EveryDays))
	w.setStyle(sheet, 1, 1, 1, 1, w.bold)
	row := 3
	w.headerRow(sheet, row, []string{l.metric, l.value})
	for _, kv := range []struct {
		name string
		v    any
	}{
		{l.assigned, cv.Assigned}, {fmt.Sprintf(l.contacted, cv.EveryDays), cv.Contacted},
		{fmt.Sprintf(l.visited, cv.EveryDays), cv.Visited}, {l.rate, cv.Rate.Format()},
		{l.contactedWeek, cv.ContactedWeek}, {l.visitedWeek, cv.VisitedWeek}, {l.visits, cv.Visits},
	} {
		row++
		w.set(sheet, 1, row, kv.name)
		w.set(sheet, 2, row, kv.v)
		w.setStyle(sheet, 2, row, 2, row, w.right)
	}
	first := l.rowUnit
	if d.Unit != "" {
		first = l.rowCadre
	}
	row = w.coverageRows(sheet, row+2, first, cv.Rows, cv.EveryDays, l)
	row = w.coverageRows(sheet, row+1, l.rowVillage, cv.Villages, cv.EveryDays, l)
	w.set(sheet, 1, row+1, l.longest)
	w.setStyle(sheet, 1, row+1, 1, row+1, w.bold)
	row += 2
	w.headerRow(sheet, row, []string{l.household, l.village, l.cadre, l.unit, l.last, l.days})
	for _, u := range cv.Longest {
		row++
		last, days := any(l.never), any("")
		if !u.Last.IsZero() {
			last, days = excelTime(u.Last, d.Week.Start.Location()), u.Days
		}
		for col, v := range []any{u.Household, u.Village, u.Cadre, u.Unit, last, days} {
			w.set(sheet, col+1, row, v)
		}
	}
	w.check(w.f.SetColWidth(sheet, "A", "A", 28))
	w.check(w.f.SetColWidth(sheet, "B", "F", 14))
}

// coverageRows writes a table of coverage rows from row on, and returns
// the row after it.
func (w *book) coverageRows(sheet string, row int, first string, rows []flows.CoverageRow, days int, l *coverageLabels) int {
	w.headerRow(sheet, row, []string{first, l.assigned, fmt.Sprintf(l.contacted, days), fmt.Sprintf(l.visited, days),
		l.rate, l.contactedWeek, l.visitedWeek})
	for _, r := range rows {
		row++
		for col, v := range []any{r.Name, r.Assigned, r.Contacted, r.Visited, r.Rate.Format(), r.ContactedWeek, r.VisitedWeek} {
			w.set(sheet, col+1, row, v)
		}
		w.setStyle(sheet, 5, row, 5, row, w.right)
	}
	return row + 1
}
