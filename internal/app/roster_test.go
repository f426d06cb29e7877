package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	contains(t, "import report", out.String(), "1 households moved", "1 open requests moved")
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
