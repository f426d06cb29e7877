package roster

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/minqing/minqing/flows"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Rows of a small valid roster, used by the format tests.
var (
	cadreRows = [][]string{
		{"id", "name", "unit", "role", "phone"},
		{"C001", "刘建国", "县财政局", "cadre", "13800000001"},
		{"L001", "赵志强", "县财政局", "leader", ""},
		{"L002", "孙立新", "", "leader", ""},
	}
	householdRows = [][]string{
		{"id", "name", "village", "cadre_id", "phone", "address"},
		{"H001", "张福来", "保兴镇保安村", "C001", "13900000101", "保安村一组3号"},
		{"H002", "周玉兰", "向阳乡茅兰沟村", "L001", "", ""},
	}
	wantRoster = flows.Roster{
		Cadres: []flows.Cadre{
			{ID: "C001", Name: "刘建国", Unit: "县财政局", Role: flows.RoleCadre, Phone: "13800000001"},
			{ID: "L001", Name: "赵志强", Unit: "县财政局", Role: flows.RoleLeader},
			{ID: "L002", Name: "孙立新", Role: flows.RoleLeader},
		},
		Households: []flows.Household{
			{ID: "H001", Name: "张福来", Village: "保兴镇保安村", CadreID: "C001", Phone: "13900000101", Address: "保安村一组3号"},
			{ID: "H002", Name: "周玉兰", Village: "向阳乡茅兰沟村", CadreID: "L001"},
		},
	}
)

// csvOf joins rows as CSV lines; cells must not need quoting.
func csvOf(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, ","))
		b.WriteString("\n")
	}
	return b.String()
}

// write writes data to dir/name and returns the path.
func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// gbk encodes s as GBK, as Excel on Chinese Windows saves CSV.
func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeXLSX writes rows to the only sheet of dir/name, starting at row
// first (1-based), and returns the path.
func writeXLSX(t *testing.T, dir, name string, first int, rows [][]string) string {
	t.Helper()
	return writeSheets(t, dir, name, first, rows, false)
}

// writeSheets writes rows to the sheet 名单 of dir/name, starting at row
// first (1-based), and returns the path. With other, a second sheet
// "Other" (hidden) holds junk.
func writeSheets(t *testing.T, dir, name string, first int, rows [][]string, other bool) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "名单"); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, first+i)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("名单", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	if other {
		if _, err := f.NewSheet("Other"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellValue("Other", "A1", "not a roster"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetVisible("Other", false); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadTestdata(t *testing.T) {
	r, err := Load("testdata/cadres.csv", "testdata/households.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cadres) != 4 || len(r.Households) != 6 {
		t.Fatalf("got %d cadres, %d households; want 4, 6", len(r.Cadres), len(r.Households))
	}
	var countyWide, unitLeaders int
	for _, c := range r.Cadres {
		if c.CountyWide() {
			countyWide++
		} else if c.Role == flows.RoleLeader {
			unitLeaders++
		}
	}
	if countyWide != 1 || unitLeaders != 1 {
		t.Errorf("got %d county-wide and %d unit leaders; want 1 and 1", countyWide, unitLeaders)
	}
}

func TestLoadFormats(t *testing.T) {
	utf8Cadres, utf8Households := csvOf(cadreRows), csvOf(householdRows)
	tests := []struct {
		name  string
		files func(t *testing.T, dir string) (cadres, households string)
	}{
		{"utf8", func(t *testing.T, dir string) (string, string) {
			return write(t, dir, "cadres.csv", []byte(utf8Cadres)), write(t, dir, "households.csv", []byte(utf8Households))
		}},
		{"utf8 bom crlf", func(t *testing.T, dir string) (string, string) {
			bom := "\uFEFF"
			crlf := func(s string) []byte { return []byte(bom + strings.ReplaceAll(s, "\n", "\r\n")) }
			return write(t, dir, "cadres.csv", crlf(utf8Cadres)), write(t, dir, "households.csv", crlf(utf8Households))
		}},
		{"gbk", func(t *testing.T, dir string) (string, string) {
			return write(t, dir, "cadres.csv", gbk(t, utf8Cadres)), write(t, dir, "households.csv", gbk(t, utf8Households))
		}},
		{"xlsx", func(t *testing.T, dir string) (string, string) {
			return writeXLSX(t, dir, "cadres.xlsx", 1, cadreRows), writeXLSX(t, dir, "households.xlsx", 1, householdRows)
		}},
		{"mixed xlsx and gbk", func(t *testing.T, dir string) (string, string) {
			return writeXLSX(t, dir, "cadres.XLSX", 1, cadreRows), write(t, dir, "households.CSV", gbk(t, utf8Households))
		}},
		{"chinese headers gbk", func(t *testing.T, dir string) (string, string) {
			c := "编号,姓名,单位,角色,电话\n" +
				"C001,刘建国,县财政局,干部,13800000001\n" +
				"L001,赵志强,县财政局,领导,\n" +
				"L002,孙立新,,领导,\n"
			h := "户编号,户主姓名,村,干部编号,电话,地址\n" +
				"H001,张福来,保兴镇保安村,C001,13900000101,保安村一组3号\n" +
				"H002,周玉兰,向阳乡茅兰沟村,L001,,\n"
			return write(t, dir, "干部.csv", gbk(t, c)), write(t, dir, "农户.csv", gbk(t, h))
		}},
		{"other chinese aliases", func(t *testing.T, dir string) (string, string) {
			c := "干部编号,姓名,工作单位,角色,手机号\n" +
				"C001,刘建国,县财政局,帮扶干部,13800000001\n" +
				"L001,赵志强,县财政局,LEADER,\n" +
				"L002,孙立新,,Leader,\n"
			h := "编号,姓名,所在村,帮扶干部编号,联系电话,家庭住址\n" +
				"H001,张福来,保兴镇保安村,C001,13900000101,保安村一组3号\n" +
				"H002,周玉兰,向阳乡茅兰沟村,L001,,\n"
			return write(t, dir, "c.csv", []byte(c)), write(t, dir, "h.csv", []byte(h))
		}},
		{"reordered extra columns and ragged rows", func(t *testing.T, dir string) (string, string) {
			c := " Role ,备注,PHONE,Name,ID,Unit\n" +
				"cadre,,13800000001,刘建国,C001,县财政局\n" +
				"leader,局长,,赵志强,L001,县财政局\n" +
				"leader,县委副书记,,孙立新,L002\n"
			h := "序号,Cadre-ID,name,id,Village\n" +
				"1,C001,张福来,H001,保兴镇保安村,extra,cells\n" +
				"2,L001,周玉兰,H002,向阳乡茅兰沟村\n"
			c2, h2 := write(t, dir, "cadres.csv", []byte(c)), write(t, dir, "households.csv", []byte(h))
			return c2, h2
		}},
		{"title row, blank rows and padded cells", func(t *testing.T, dir string) (string, string) {
			c := "嘉荫县帮扶干部名单,,,,\n\n,,,,\n" + strings.ReplaceAll(csvOf(cadreRows), ",", " , ") + ",,,,\n"
			hr := append([][]string{{"嘉荫县困难户名单"}, {}}, householdRows...)
			return write(t, dir, "cadres.csv", []byte(c)), writeXLSX(t, dir, "households.xlsx", 3, hr)
		}},
		{"full-width ids", func(t *testing.T, dir string) (string, string) {
			c := strings.Replace(csvOf(cadreRows), "C001,", "Ｃ００１,", 1)
			h := strings.Replace(csvOf(householdRows), ",C001,", ",Ｃ００１,", 1)
			return write(t, dir, "cadres.csv", []byte(c)), write(t, dir, "households.csv", []byte(h))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, h := tt.files(t, t.TempDir())
			got, err := Load(c, h)
			if err != nil {
				t.Fatal(err)
			}
			want := wantRoster
			if strings.HasPrefix(tt.name, "reordered") {
				want = wantRoster
				want.Households = []flows.Household{
					{ID: "H001", Name: "张福来", Village: "保兴镇保安村", CadreID: "C001"},
					{ID: "H002", Name: "周玉兰", Village: "向阳乡茅兰沟村", CadreID: "L001"},
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestReadSingleFiles(t *testing.T) {
	cs, err := ReadCadres("c.csv", strings.NewReader(csvOf(cadreRows)), CSV)
	if err != nil || !reflect.DeepEqual(cs, wantRoster.Cadres) {
		t.Errorf("ReadCadres = %+v, %v", cs, err)
	}
	// On its own a households file is not checked against cadres.
	h := strings.Replace(csvOf(householdRows), ",C001,", ",C999,", 1)
	hs, err := ReadHouseholds("h.csv", strings.NewReader(h), CSV)
	if err != nil || len(hs) != 2 || hs[0].CadreID != "C999" {
		t.Errorf("ReadHouseholds = %+v, %v", hs, err)
	}
	var buf bytes.Buffer
	f := excelize.NewFile()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"id", "name", "unit", "role"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Sheet1", "A2", &[]any{1001, "刘建国", "县财政局", "cadre"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	cs, err = ReadCadres("c.xlsx", &buf, XLSX)
	if err != nil || len(cs) != 1 || cs[0].ID != "1001" {
		t.Errorf("ReadCadres(xlsx with numeric id) = %+v, %v", cs, err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	c := write(t, dir, "cadres.csv", []byte(csvOf(cadreRows)))
	h := write(t, dir, "households.csv", []byte(csvOf(householdRows)))
	if _, err := Load(c, filepath.Join(dir, "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: got %v, want os.ErrNotExist", err)
	}
	for _, name := range []string{"cadres.xls", "cadres.txt", "cadres"} {
		_, err := Load(filepath.Join(dir, name), h)
		var ve *ValidationError
		if err == nil || errors.As(err, &ve) || !strings.Contains(err.Error(), name) {
			t.Errorf("Load(%s): got %v, want an unsupported-format error naming the file", name, err)
		}
	}
	// Same base names: problems use the paths as given.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	h2 := write(t, sub, "cadres.csv", []byte("id,name,village,cadre_id\nH1,x,,C001\n"))
	_, err := Load(c, h2)
	if err == nil || !strings.Contains(err.Error(), h2+":2: village") {
		t.Errorf("got %v, want a problem naming %s", err, h2)
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]Format{"a.csv": CSV, "dir.x/B.CSV": CSV, "a.xlsx": XLSX, "a.Xlsx": XLSX} {
		if got, err := FormatOf(path); got != want || err != nil {
			t.Errorf("FormatOf(%q) = %v, %v; want %v", path, got, err, want)
		}
	}
	if CSV.String() != "csv" || XLSX.String() != "xlsx" || Format(9).String() != "Format(9)" {
		t.Error("Format.String")
	}
}
