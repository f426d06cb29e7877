package roster

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// problemsOf returns the problems of err, failing unless it is a
// *ValidationError.
func problemsOf(t *testing.T, err error) *ValidationError {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got error %v, want a *ValidationError", err)
	}
	return ve
}

// hasProblem reports whether ve lists want, comparing Msg by substring.
func hasProblem(ve *ValidationError, want Problem) bool {
	for _, p := range ve.Problems {
		if p.File == want.File && p.Line == want.Line && p.Field == want.Field &&
			p.Value == want.Value && strings.Contains(p.Msg, want.Msg) {
			return true
		}
	}
	return false
}

func TestValidation(t *testing.T) {
	const okCadres = "id,name,unit,role,phone\nC001,刘建国,县财政局,cadre,13800000001\nL001,赵志强,,leader,\n"
	const okHouseholds = "id,name,village,cadre_id,phone,address\nH001,张福来,保兴镇保安村,C001,,\n"
	long := strings.Repeat("x", MaxIDLen+1)
	tests := []struct {
		name        string
		cadres, hh  string
		want        []Problem // Msg compared by substring
		wantText    string    // start of a line expected in Error(), if set
		notInErrors []string  // text that must not appear in Error()
	}{
		{name: "missing required column",
			cadres: "id,name,unit,phone\nC001,刘建国,县财政局,\n", hh: okHouseholds,
			want: []Problem{{File: "cadres.csv", Line: 1, Field: "role", Msg: "missing required column"}}},
		{name: "missing household columns",
			cadres: okCadres, hh: "户编号,户主姓名\nH001,张福来\n",
			want: []Problem{
				{File: "households.csv", Line: 1, Field: "village", Msg: "村"},
				{File: "households.csv", Line: 1, Field: "cadre_id", Msg: "干部编号"},
			}},
		{name: "column given twice",
			cadres: "id,编号,name,unit,role\nC001,C002,刘建国,县财政局,cadre\n", hh: okHouseholds,
			want: []Problem{{File: "cadres.csv", Line: 1, Field: "id", Value: "编号", Msg: "columns 1 and 2"}}},
		{name: "empty id and name",
			cadres: okCadres + ",王秀梅,县住建局,cadre,\nC003,,县住建局,cadre,\n", hh: okHouseholds,
			want: []Problem{
				{File: "cadres.csv", Line: 4, Field: "id", Msg: "empty"},
				{File: "cadres.csv", Line: 5, Field: "name", Msg: "empty"},
			}},
		{name: "malformed ids",
			cadres: okCadres + "C 002,王秀梅,县住建局,cadre,\n王秀梅,王秀梅,县住建局,cadre,\n" + long + ",x,县住建局,cadre,\n",
			hh:     okHouseholds + "H:2,李桂芝,保兴镇保安村,C001,,\nH003,陈万山,保兴镇保安村,C#1,,\n",
			want: []Problem{
				{File: "cadres.csv", Line: 4, Field: "id", Value: "C 002", Msg: "1–64"},
				{File: "cadres.csv", Line: 5, Field: "id", Value: "王秀梅", Msg: "1–64"},
				{File: "cadres.csv", Line: 6, Field: "id", Value: long, Msg: "1–64"},
				{File: "households.csv", Line: 3, Field: "id", Value: "H:2", Msg: "1–64"},
				{File: "households.csv", Line: 4, Field: "cadre_id", Value: "C#1", Msg: "1–64"},
			}},
		{name: "duplicate ids",
			cadres: okCadres + "C001,王秀梅,县住建局,cadre,\n",
			hh:     okHouseholds + "H002,李桂芝,保兴镇保安村,C001,,\nH001,陈万山,保兴镇保安村,C001,,\n",
			want: []Problem{
				{File: "cadres.csv", Line: 4, Field: "id", Value: "C001", Msg: "first on line 2"},
				{File: "households.csv", Line: 4, Field: "id", Value: "H001", Msg: "first on line 2"},
			},
			wantText: `households.csv:4: id "H001": duplicate id, first on line 2`},
		{name: "unknown and empty role",
			cadres: okCadres + "C002,王秀梅,县住建局,boss,\nC003,陈志,县住建局,,\n", hh: okHouseholds,
			want: []Problem{
				{File: "cadres.csv", Line: 4, Field: "role", Value: "boss", Msg: "unknown role"},
				{File: "cadres.csv", Line: 5, Field: "role", Msg: "empty"},
			}},
		{name: "cadre without unit",
			cadres: okCadres + "C002,王秀梅,,干部,\n", hh: okHouseholds,
			want: []Problem{{File: "cadres.csv", Line: 4, Field: "unit", Msg: "needs a unit"}}},
		{name: "household without village or name",
			cadres: okCadres, hh: okHouseholds + "H002,李桂芝,,C001,,\nH003,,保兴镇保安村,C001,,\nH004,陈万山,保兴镇保安村,,,\n",
			want: []Problem{
				{File: "households.csv", Line: 3, Field: "village", Msg: "empty"},
				{File: "households.csv", Line: 4, Field: "name", Msg: "empty"},
				{File: "households.csv", Line: 5, Field: "cadre_id", Msg: "empty"},
			}},
		{name: "unknown cadre",
			cadres: okCadres,
			hh:     okHouseholds + "H002,a,v,C001,,\nH003,b,v,L001,,\nH004,c,v,C001,,\nH005,d,v,C001,,\nH006,e,v,C999,,\nH007,f,v,c001,,\n",
			want: []Problem{
				{File: "households.csv", Line: 7, Field: "cadre_id", Value: "C999", Msg: "no such cadre in cadres.csv"},
				{File: "households.csv", Line: 8, Field: "cadre_id", Value: "c001", Msg: `did you mean "C001"?`},
			},
			wantText: `households.csv:7: cadre_id "C999": no such cadre in cadres.csv`},
		{name: "bad phones are not echoed",
			cadres: okCadres + "C002,王秀梅,县住建局,cadre,call 1380000\n",
			hh:     okHouseholds + "H002,李桂芝,保兴镇保安村,C001,无电话13911112222,\n",
			want: []Problem{
				{File: "cadres.csv", Line: 4, Field: "phone", Msg: "not a phone number"},
				{File: "households.csv", Line: 3, Field: "phone", Msg: "not a phone number"},
			},
			wantText:    "cadres.csv:4: phone: not a phone number",
			notInErrors: []string{"1380000", "13911112222", "13800000001"}},
		{name: "values too long",
			cadres: okCadres + "C002," + strings.Repeat("王", MaxNameLen+1) + "," + strings.Repeat("局", MaxNameLen+1) + ",cadre," + strings.Repeat("1", MaxPhoneLen+1) + "\n",
			hh: okHouseholds + "H002," + strings.Repeat("李", 5000) + "," + strings.Repeat("村", MaxNameLen+1) + ",C001,," + strings.Repeat("号", MaxAddressLen+1) + "\n" +
				"H003," + strings.Repeat("李", MaxNameLen) + "," + strings.Repeat("村", MaxNameLen) + ",C001,," + strings.Repeat("号", MaxAddressLen) + "\n",
			want: []Problem{
				{File: "cadres.csv", Line: 4, Field: "name", Msg: "65 characters, more than the 64 allowed"},
				{File: "cadres.csv", Line: 4, Field: "unit", Msg: "more than the 64 allowed"},
				{File: "cadres.csv", Line: 4, Field: "phone", Msg: "more than the 64 allowed"},
				{File: "households.csv", Line: 3, Field: "name", Msg: "5000 characters"},
				{File: "households.csv", Line: 3, Field: "village", Msg: "more than the 64 allowed"},
				{File: "households.csv", Line: 3, Field: "address", Msg: "more than the 200 allowed"},
			},
			wantText:    "households.csv:3: name: 5000 characters, more than the 64 allowed",
			notInErrors: []string{strings.Repeat("李", 100), "号号号"}},
		{name: "empty files",
			cadres: "", hh: "\n , ,\n",
			want: []Problem{
				{File: "cadres.csv", Msg: "file is empty"},
				{File: "households.csv", Msg: "file is empty"},
			}},
		{name: "header only",
			cadres: okCadres, hh: "id,name,village,cadre_id\n",
			want: []Problem{{File: "households.csv", Msg: "no data rows"}}},
		{name: "malformed csv",
			cadres: okCadres + "C002,王\"秀梅,县住建局,cadre,\n", hh: okHouseholds + "H002,\"李桂芝,v,C001\n",
			want: []Problem{
				{File: "cadres.csv", Line: 4, Msg: "malformed CSV"},
				{File: "households.csv", Line: 3, Msg: "malformed CSV"},
			}},
		{name: "utf16 and xlsx named csv",
			cadres: "\xff\xfei\x00d\x00", hh: "PK\x03\x04junk",
			want: []Problem{
				{File: "cadres.csv", Msg: "UTF-16"},
				{File: "households.csv", Msg: "Excel workbook"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Load(write(t, dir, "cadres.csv", []byte(tt.cadres)), write(t, dir, "households.csv", []byte(tt.hh)))
			ve := problemsOf(t, err)
			for _, w := range tt.want {
				if !hasProblem(ve, w) {
					t.Errorf("missing problem %+v", w)
				}
			}
			if len(ve.Problems) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(ve.Problems), len(tt.want), err)
			}
			text := err.Error()
			for _, p := range ve.Problems {
				if !strings.Contains(text, "\n"+p.String()) {
					t.Errorf("Error() does not list %q on its own line", p)
				}
				want := fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Field)
				if p.Line > 0 && p.Field != "" && !strings.Contains(text, want) {
					t.Errorf("Error() lacks %q", want)
				}
				if p.Value != "" && !strings.Contains(text, fmt.Sprintf("%q", p.Value)) {
					t.Errorf("Error() lacks value %q", p.Value)
				}
			}
			if tt.wantText != "" && !strings.Contains(text, "\n"+tt.wantText) {
				t.Errorf("Error() lacks line %q:\n%s", tt.wantText, text)
			}
			for _, s := range tt.notInErrors {
				if strings.Contains(text, s) {
					t.Errorf("Error() echoes %q:\n%s", s, text)
				}
			}
		})
	}
}

func TestValidationGBKAndXLSXLines(t *testing.T) {
	dir := t.TempDir()
	c := "编号,姓名,单位,角色\nC001,刘建国,县财政局,干部\nC002,王秀梅,县住建局,主任\n"
	cadres := write(t, dir, "干部.csv", gbk(t, c))
	// Rows 1-2 are a title and a blank row; the header is row 3.
	households := writeXLSX(t, dir, "农户.xlsx", 1, [][]string{
		{"嘉荫县困难户名单"},
		{},
		{"户编号", "户主姓名", "村", "干部编号"},
		{"H001", "张福来", "保兴镇保安村", "C001"},
		{},
		{"H002", "李桂芝", "", "C404"},
	})
	_, err := Load(cadres, households)
	ve := problemsOf(t, err)
	for _, w := range []Problem{
		{File: "干部.csv", Line: 3, Field: "role", Value: "主任", Msg: "unknown role"},
		{File: "农户.xlsx", Line: 6, Field: "village", Msg: "empty"},
		{File: "农户.xlsx", Line: 6, Field: "cadre_id", Value: "C404", Msg: "no such cadre in 干部.csv"},
	} {
		if !hasProblem(ve, w) {
			t.Errorf("missing problem %+v in\n%v", w, err)
		}
	}
	if len(ve.Problems) != 3 {
		t.Errorf("got %d problems, want 3:\n%v", len(ve.Problems), err)
	}
}

func TestBrokenCadresSkipsCrossCheck(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(write(t, dir, "cadres.csv", []byte("id,name\nC001,刘建国\n")),
		write(t, dir, "households.csv", []byte("id,name,village,cadre_id\nH001,张福来,保兴镇保安村,C001\n")))
	ve := problemsOf(t, err)
	for _, p := range ve.Problems {
		if p.File != "cadres.csv" {
			t.Errorf("unexpected problem %v", p)
		}
	}
}

func TestMaxProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,unit,role\n")
	for i := range MaxProblems + 5 {
		fmt.Fprintf(&b, "C%d,,县财政局,cadre\n", i)
	}
	_, err := ReadCadres("cadres.csv", strings.NewReader(b.String()), CSV)
	ve := problemsOf(t, err)
	if len(ve.Problems) != MaxProblems || ve.More != 5 {
		t.Fatalf("got %d problems and %d more; want %d and 5", len(ve.Problems), ve.More, MaxProblems)
	}
	text := err.Error()
	if !strings.HasPrefix(text, fmt.Sprintf("roster: %d problems:\n", MaxProblems+5)) ||
		!strings.HasSuffix(text, "\n... and 5 more") || strings.Count(text, "\n") != MaxProblems+1 {
		t.Errorf("Error() =\n%s", text)
	}
}

func TestProblemString(t *testing.T) {
	for _, tt := range []struct {
		p    Problem
		want string
	}{
		{Problem{File: "h.csv", Line: 7, Field: "cadre_id", Value: "C999", Msg: "no such cadre in c.csv"}, `h.csv:7: cadre_id "C999": no such cadre in c.csv`},
		{Problem{File: "h.csv", Line: 3, Field: "phone", Msg: "bad"}, `h.csv:3: phone: bad`},
		{Problem{File: "h.csv", Line: 3, Msg: "malformed"}, `h.csv:3: malformed`},
		{Problem{File: "h.csv", Msg: "file is empty"}, `h.csv: file is empty`},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	one := &ValidationError{Problems: []Problem{{File: "a.csv", Msg: "x"}}}
	if got := one.Error(); got != "roster: 1 problem:\na.csv: x" {
		t.Errorf("got %q", got)
	}
}

func TestValidIDAndRole(t *testing.T) {
	for id, want := range map[string]bool{"C001": true, "a-b_C9": true, "": false, "C 1": false, "张": false, "a.b": false,
		strings.Repeat("9", MaxIDLen): true, strings.Repeat("9", MaxIDLen+1): false} {
		if ValidID(id) != want {
			t.Errorf("ValidID(%q) = %v", id, !want)
		}
	}
	for s, want := range map[string]string{"cadre": "cadre", " 干部 ": "cadre", "帮扶干部": "cadre", "Leader": "leader", "领导": "leader", "boss": ""} {
		r, ok := ParseRole(s)
		if string(r) != want || ok != (want != "") {
			t.Errorf("ParseRole(%q) = %q, %v", s, r, ok)
		}
	}
}
