package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/minqing/minqing/flows"
)

// The diary (民情日记) the county office files: one row per visit, then one
// row per note of its diary, with the requests recorded in the visit and
// their states on the visit's row.

var diaryColumns = map[string][]string{
	"zh": {"走访编号", "类型", "时间", "结束", "住户", "村", "电话", "干部", "单位", "内容", "位置", "记录的诉求"},
	"en": {"Visit", "Row", "Time", "End", "Household", "Village", "Phone", "Cadre", "Unit", "Content", "Location", "Requests recorded"},
}

var diaryWords = map[string]map[string]string{
	"zh": {"visit": "走访", "note": "日记", "open": "进行中", "auto": "（自动结束）",
		"text": "文字", "voice": "语音", "photo": "照片", "video": "视频", "document": "文件", "location": "位置", "contact": "名片"},
	"en": {"visit": "visit", "note": "note", "open": "in progress", "auto": " (ended automatically)",
		"text": "text", "voice": "voice", "photo": "photo", "video": "video", "document": "file", "location": "location", "contact": "contact"},
}

// DiaryRows returns the diary as rows (the header first), in lang ("zh" or
// "en"), with times in loc.
func DiaryRows(vs []flows.DiaryVisit, lang string, loc *time.Location) [][]string {
	if _, ok := diaryColumns[lang]; !ok {
		lang = "zh"
	}
	c, w := labelsFor(lang), diaryWords[lang]
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	rows := [][]string{diaryColumns[lang]}
	for _, d := range vs {
		v := d.Visit
		end := at(v.End)
		if v.Open() {
			end = w["open"]
		} else if v.AutoEnded {
			end += w["auto"]
		}
		var reqs []string
		for _, r := range d.Requests {
			reqs = append(reqs, "#"+strconv.FormatInt(r.ID, 10)+" "+c.state(r.State)+" "+r.Summary)
		}
		rows = append(rows, []string{strconv.FormatInt(v.ID, 10), w["visit"], at(v.Start), end, d.Household, v.Village, d.Phone,
			d.Cadre, v.Unit, "", place(v.Lat, v.Lon), strings.Join(reqs, "\n")})
		for _, n := range v.Notes {
			content := n.Text
			if n.Kind != flows.KindText {
				content = strings.TrimSpace("[" + w[string(n.Kind)] + "] " + n.Text)
			}
			rows = append(rows, []string{strconv.FormatInt(v.ID, 10), w["note"], at(n.At), "", d.Household, v.Village, "",
				d.Cadre, v.Unit, content, place(n.Lat, n.Lon), ""})
		}
	}
	return rows
}

// place formats a location, "" when none.
func place(lat, lon float64) string {
	if lat == 0 && lon == 0 {
		return ""
	}
	return fmt.Sprintf("%.5f,%.5f", lat, lon)
}

// DiaryWorkbook writes diary rows as an .xlsx workbook of one sheet.
func DiaryWorkbook(rows [][]string, lang string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "民情日记"
	if lang == "en" {
		sheet = "Diary"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("diary workbook: %w", err)
	}
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return nil, fmt.Errorf("diary workbook: %w", err)
		}
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return nil, fmt.Errorf("diary workbook: %w", err)
		}
	}
	for i, width := range []float64{8, 6, 17, 17, 10, 16, 14, 10, 14, 40, 20, 40} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return nil, fmt.Errorf("diary workbook: %w", err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("diary workbook: %w", err)
	}
	return b.Bytes(), nil
}
