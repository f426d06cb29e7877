package report

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
	"github.com/xuri/excelize/v2"
)

// unitDigest is a unit view with three requests; the second has no first
// response, deadline or resolution yet.
func unitDigest(t *testing.T) flows.Digest {
	loc := shanghai(t)
	wk := week48(loc)
	at := func(day, h, m int) time.Time {
		return wk.Start.AddDate(0, 0, day).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	d := flows.Digest{
		Unit: "县水务局", County: "嘉荫县", Week: wk,
		Received: 3, RespondedInTime: 1, Resolved: 1, Closed: 1, Open: 2, Late: 1,
		Rates: flows.Rates{
			Response:     flows.Rate{Num: 1, Den: 3},
			Resolution:   flows.Rate{},
			Satisfaction: flows.Rate{Num: 1, Den: 1},
			OnTime:       flows.Rate{Num: 1, Den: 1},
		},
		Previous:            flows.Rates{Response: flows.Rate{Num: 1, Den: 2}},
		MedianFirstResponse: 2*time.Hour + 5*time.Minute, HasMedian: true,
		Rows: []flows.DigestRow{
			{Name: "王建国", Received: 2, Open: 1, Late: 1, Resolved: 1, Rates: flows.Rates{Response: flows.Rate{Num: 1, Den: 2}}},
			{Name: "李秀英", Received: 1, Open: 1},
		},
		Villages:   []flows.DigestRow{{Name: "红光村", Received: 3, Open: 2, Late: 1, Resolved: 1}},
		Categories: []flows.CategoryCount{{Category: "基础设施", Count: 2}, {Category: "", Count: 1}},
		Requests: []flows.DigestRequest{
			{ID: 101, Household: "张桂兰", Village: "红光村", Cadre: "王建国", Unit: "县水务局", Category: "基础设施",
				Summary: "水井坏了，吃水困难", State: flows.StateClosed,
				Received: at(0, 9, 15).UTC(), FirstResponse: at(0, 10, 0).UTC(),
				Deadline: time.Date(2026, 11, 25, 23, 59, 59, 0, loc), Resolved: at(2, 16, 30).UTC(),
				Solved: "yes", Rating: flows.RatingSatisfied},
			{ID: 102, Household: "刘大爷", Village: "红光村", Cadre: "李秀英", Unit: "县水务局",
				Summary: "低保咨询", State: flows.StateReceived, Received: at(3, 8, 0)},
			{ID: 103, Household: "赵玉梅", Village: "新兴村", Cadre: "王建国", Unit: "县水务局", Category: "住房安全",
				Summary: "房顶漏雨", State: flows.StatePromised, Received: at(1, 14, 0), FirstResponse: at(2, 9, 0),
				Deadline: time.Date(2026, 11, 27, 23, 59, 59, 0, loc), Late: true},
		},
	}
	return d
}

func openBook(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not an xlsx: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func cell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

// summaryRow finds the row of the summary sheet whose first cell is name.
func summaryRow(t *testing.T, f *excelize.File, sheet, name string) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(r) > 0 && r[0] == name {
			return r
		}
	}
	t.Fatalf("%s: no row %q", sheet, name)
	return nil
}

func TestSpreadsheetZh(t *testing.T) {
	d := unitDigest(t)
	b, err := Spreadsheet(d, "zh")
	if err != nil {
		t.Fatal(err)
	}
	f := openBook(t, b)
	if got := f.GetSheetList(); !slices.Equal(got, []string{"诉求", "汇总"}) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("诉求")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(d.Requests) {
		t.Fatalf("%d rows, want %d", len(rows), 1+len(d.Requests))
	}
	if rows[0][0] != "编号" || len(rows[0]) != 18 || rows[0][14] != "超期" || rows[0][17] != "评价方式" {
		t.Errorf("header %v", rows[0])
	}
	for ref, want := range map[string]string{
		"A2": "101",
		"C2": "张桂兰", // a Chinese name as given
		"G2": "水井坏了，吃水困难",
		"H2": "已结束",
		"I2": "2026-11-23 09:15", // stored in UTC, shown in Shanghai time
		"J2": "2026-11-23 10:00",
		"K2": "2026-11-25",
		"L2": "2026-11-25 16:30",
		"M2": "已解决",
		"N2": "满意",
		"O2": "否",
		"F3": "", // no category
		"J3": "", // no first response: empty, not 1899-12-30
		"K3": "",
		"L3": "",
		"M3": "",
		"N3": "",
		"H3": "待受理",
		"H4": "限期办理",
		"O4": "是",
	} {
		if got := cell(t, f, "诉求", ref); got != want {
			t.Errorf("诉求!%s = %q, want %q", ref, got, want)
		}
	}
	panes, err := f.GetPanes("诉求")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, %v: want the first row frozen", panes, err)
	}

	if r := summaryRow(t, f, "汇总", "响应率"); r[1] != "33%" || r[2] != "1/3" || r[3] != "50%" || r[4] != "↓" {
		t.Errorf("响应率 row %q", r)
	}
	if r := summaryRow(t, f, "汇总", "解决率"); r[1] != "—" || r[3] != "—" || len(r) > 4 && r[4] != "" {
		t.Errorf("解决率 row %q: want — and no arrow", r)
	}
	if r := summaryRow(t, f, "汇总", "受理"); r[1] != "3" {
		t.Errorf("受理 row %q", r)
	}
	if r := summaryRow(t, f, "汇总", "首次回应用时（中位数）"); r[1] != "2小时5分" {
		t.Errorf("median row %q", r)
	}
	if r := summaryRow(t, f, "汇总", "王建国"); r[1] != "2" || r[5] != "50%" || r[6] != "—" {
		t.Errorf("cadre row %q", r)
	}
	summaryRow(t, f, "汇总", "干部")  // the rows' header: a unit view lists cadres
	summaryRow(t, f, "汇总", "红光村") // villages
	summaryRow(t, f, "汇总", "未分类") // a category left empty
	summaryRow(t, f, "汇总", "李秀英")
}

func TestSpreadsheetEn(t *testing.T) {
	d := unitDigest(t)
	d.Unit = ""
	b, err := Spreadsheet(d, "en")
	if err != nil {
		t.Fatal(err)
	}
	f := openBook(t, b)
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Requests", "Summary"}) {
		t.Fatalf("sheets %v", got)
	}
	for ref, want := range map[string]string{"A1": "ID", "C2": "张桂兰", "H3": "received", "N2": "satisfied", "O4": "yes"} {
		if got := cell(t, f, "Requests", ref); got != want {
			t.Errorf("Requests!%s = %q, want %q", ref, got, want)
		}
	}
	if r := summaryRow(t, f, "Summary", "Response rate"); r[1] != "33%" {
		t.Errorf("response rate row %q", r)
	}
	summaryRow(t, f, "Summary", "Unit") // the county view lists units
}

func TestSpreadsheetEmpty(t *testing.T) {
	b, err := Spreadsheet(flows.Digest{County: "嘉荫县"}, "")
	if err != nil {
		t.Fatal(err)
	}
	f := openBook(t, b)
	rows, err := f.GetRows("诉求")
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %v, %v: want the header only", rows, err)
	}
	if r := summaryRow(t, f, "汇总", "满意率"); r[1] != "—" {
		t.Errorf("满意率 row %q", r)
	}
	if r := summaryRow(t, f, "汇总", "首次回应用时（中位数）"); r[1] != "—" {
		t.Errorf("median row %q", r)
	}
}
