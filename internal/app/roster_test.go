package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/minqing/minqing/internal/cli"
)

// TestImportMovesHousehold: re-importing keeps codes and bindings; a
// household moved to another cadre takes its open request along.
func TestImportMovesHousehold(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(cadreWang, "C002")
	h.bind(hhZhang, "H001")
	h.say(hhZhang, "想申请危房改造")

	dir := t.TempDir()
	hh, _ := os.ReadFile("../roster/testdata/households.csv")
	moved := strings.Replace(string(hh), "H001,张福来,保兴镇保安村,C001", "H001,张福来,保兴镇保安村,C002", 1)
	path := filepath.Join(dir, "households.csv")
	if err := os.WriteFile(path, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, h)
	n, hn := h.mark(cadreWang), h.mark(hhZhang)
	var out, errb bytes.Buffer
	if code := cli.Run(context.Background(), []string{"import", "-config", cfg, "-cadres", "../roster/testdata/cadres.csv", "-households", path}, &out, &errb); code != 0 {
		t.Fatalf("import: %d %s", code, errb.String())
	}
	contains(t, "import report", out.String(), "1 (H001) moved to another cadre", "1 open requests moved")
	h.expect(hhZhang, hn, "王秀梅")
	h.expect(cadreWang, n, "#1", "张福来")
	if r := h.request(1); r.CadreID != "C002" || r.Unit != "县住建局" {
		t.Fatalf("request not moved: %+v", r)
	}
	if codes := h.loadCodes(); codes["H001"] != h.codes["H001"] {
		t.Fatal("re-import changed a card code")
	}
	contains(t, "still bound", h.say(hhZhang, "/help").Text, "/my")
}

// TestImportRefusesBadRoster: nothing is written when a row is bad.
func TestImportRefusesBadRoster(t *testing.T) {
	h := start(t)
	h.stop() // the running bot keeps its queues in Redis
	h.redis.Flush()
	dir := t.TempDir()
	path := filepath.Join(dir, "households.csv")
	os.WriteFile(path, []byte("id,name,village,cadre_id\nH1,张三,保安村,C001\nH2,李四,保安村,C999\n"), 0o644)
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), []string{"import", "-config", writeConfig(t, h), "-cadres", "../roster/testdata/cadres.csv", "-households", path}, &out, &errb)
	if code == 0 {
		t.Fatal("import of a bad roster succeeded")
	}
	contains(t, "error", errb.String(), "households.csv:3", "cadre_id", "C999")
	keys, err := h.redis.Client().Keys(context.Background(), "*").Result()
	if err != nil || len(keys) != 0 {
		t.Fatalf("keys written: %v %v", keys, err)
	}
}

// writeRoster writes the test roster's files, changed by edit (old → new
// substitutions of whole lines or parts), and returns their paths.
func writeRoster(t *testing.T, edits ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"cadres.csv", "households.csv"} {
		b, err := os.ReadFile("../roster/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for i := 0; i+1 < len(edits); i += 2 {
			s = strings.ReplaceAll(s, edits[i], edits[i+1])
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths[0], paths[1]
}

// TestRemovedCadreComesBack: a re-import without a cadre ends the role at
// once: the account is told once and unbound, the cadre's households and
// open requests go to the new cadre (who hears of them), the invite can no
// longer be rotated. Put back on the roster, the cadre binds again with the
// invite they had.
func TestRemovedCadreComesBack(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(cadreWang, "C002")
	h.bind(hhZhou, "H004")
	w := h.mark(cadreWang)
	h.say(hhZhou, "屋顶漏雨")
	note := h.expect(cadreWang, w, "#1")

	c, hh := writeRoster(t, "C002,王秀梅,县住建局,cadre,13800000002\n", "", ",C002,", ",C001,")
	l, z := h.mark(cadreLiu), h.mark(hhZhou)
	code, out, errs := runCLI(t, h, "import", "-cadres", c, "-households", hh)
	if code != 0 {
		t.Fatalf("import: %s", errs)
	}
	contains(t, "import summary", out, "1 (C002) removed", "2 (H004, H005) moved to another cadre",
		"1 open requests moved", "1 accounts of removed officials told and unbound")
	h.expect(cadreWang, w, "职务", "解除绑定")
	h.expect(cadreLiu, l, "#1", "周玉兰")
	h.expect(hhZhou, z, "刘建国")
	if r := h.request(1); r.CadreID != "C001" || r.Unit != "县财政局" {
		t.Errorf("the request did not follow its household: %+v", r)
	}
	contains(t, "removed cadre /open", h.say(cadreWang, "/open").Text, "民情联系卡")
	contains(t, "removed cadre presses", h.press(cadreWang, note, "ss:1:"), "无权")
	if code, _, errs := runCLI(t, h, "invites", "-rotate", "-cadre", "C002"); code == 0 || !strings.Contains(errs, "not on the roster") {
		t.Errorf("rotating a removed cadre's invite: exit %d %s", code, errs)
	}
	// The same import again changes nothing and tells no one again.
	if code, out, errs := runCLI(t, h, "import", "-cadres", c, "-households", hh); code != 0 {
		t.Fatalf("import again: %s", errs)
	} else {
		contains(t, "second summary", out, "0 removed", "0 moved", "0 open requests moved")
	}
	h.drain()
	if n := countWith(h, cadreWang, 0, "解除绑定"); n != 1 {
		t.Errorf("told %d times that the role ended", n)
	}

	if code, _, errs := runCLI(t, h, "import", "-cadres", "../roster/testdata/cadres.csv", "-households", "../roster/testdata/households.csv"); code != 0 {
		t.Fatalf("import with C002 back: %s", errs)
	}
	contains(t, "re-added cadre binds", h.bind(cadreWang, "C002").Text, "王秀梅")
	h.drain() // the household's request came back with it, and waits for the cadre
	contains(t, "re-added cadre /open", h.say(cadreWang, "/open").Text, "待办诉求", "屋顶漏雨")
}

// TestImportDryRun prints what would change and writes nothing.
func TestImportDryRun(t *testing.T) {
	h := start(t)
	h.bind(hhZhang, "H001")
	h.say(hhZhang, "想申请危房改造")
	h.stop()
	before := dump(t, h)
	c, hh := writeRoster(t, "L001,赵志强,县财政局,leader,13800000011\n", "", ",L001,", ",C002,", "H001,张福来,保兴镇保安村,C001", "H001,张福来,保兴镇保安村,C002")
	code, out, errs := runCLI(t, h, "import", "-cadres", c, "-households", hh, "-dry-run")
	if code != 0 {
		t.Fatalf("dry run: %s", errs)
	}
	contains(t, "dry run", out, "dry run: nothing was written", "1 (L001) removed", "2 (H001, H006) moved to another cadre")
	if after := dump(t, h); !reflect.DeepEqual(before, after) {
		t.Error("the dry run changed Redis")
	}
}

// dump is every key of the harness's Redis with its serialized value.
func dump(t *testing.T, h *harness) map[string]string {
	t.Helper()
	ctx := context.Background()
	rdb := h.redis.Client()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		v, err := rdb.Dump(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

// TestImportNamesTheSheet: a workbook of several sheets is imported only
// with the sheet named, and the summary says which sheet was read.
func TestImportNamesTheSheet(t *testing.T) {
	h := start(t)
	h.stop()
	dir := t.TempDir()
	f := excelize.NewFile()
	rows, err := csv.NewReader(strings.NewReader(readFile(t, "../roster/testdata/households.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// A hidden first sheet, last year's, and this year's roster.
	must(f.SetSheetName("Sheet1", "旧名单"))
	must(f.SetSheetRow("旧名单", "A1", &[]any{"id", "name", "village", "cadre_id"}))
	must(f.SetSheetRow("旧名单", "A2", &[]any{"H9", "旧户", "旧村", "C001"}))
	idx, err := f.NewSheet("2026")
	must(err)
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		must(f.SetSheetRow("2026", "A"+strconv.Itoa(i+1), &cells))
	}
	f.SetActiveSheet(idx)
	must(f.SetSheetVisible("旧名单", false))
	path := filepath.Join(dir, "households.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, h, "import", "-cadres", "../roster/testdata/cadres.csv", "-households", path)
	if code == 0 || !strings.Contains(errs, `households.xlsx: workbook has 2 sheets ("旧名单" (hidden), "2026")`) {
		t.Fatalf("several sheets, none named: exit %d %s", code, errs)
	}
	code, out, errs := runCLI(t, h, "import", "-cadres", "../roster/testdata/cadres.csv", "-households", path, "-sheet", "2026")
	if code != 0 {
		t.Fatalf("import -sheet: %s", errs)
	}
	contains(t, "summary", out, `read households.xlsx: sheet "2026"`, "households: 6 on the roster")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
