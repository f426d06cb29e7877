package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/redistest"
	"github.com/minqing/minqing/store"
)

// TestImportKilledByTheSystem: `minqing import` of a large roster killed
// with SIGKILL while it writes leaves the old roster in force; the next
// import (its lock taken over at once from the dead process) goes through.
// Killed once the new roster is in force, the next import finishes the
// dead one's follow-ups. Either way the readers never see a mix.
func TestImportKilledByTheSystem(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	rs := redistest.Start(t)
	dir := t.TempDir()
	p := &proc{t: t, bin: buildBinary(t), cfg: filepath.Join(dir, "config.yaml"), logs: &syncBuffer{}, env: os.Environ()}
	os.WriteFile(p.cfg, []byte(fmt.Sprintf("telegram:\n  username: test_bot\nredis:\n  url: %q\n", rs.URL())), 0o644)
	cadres := filepath.Join(dir, "c.csv")
	os.WriteFile(cadres, []byte("id,name,unit,role\nC001,刘建国,县财政局,cadre\nC002,王秀梅,县住建局,cadre\nL001,赵志强,县财政局,leader\n"), 0o644)
	big := func(name, cadre string, n int) string {
		var b strings.Builder
		b.WriteString("id,name,village,cadre_id\n")
		for i := range n {
			fmt.Fprintf(&b, "H%06d,户主%06d,保安村,%s\n", i, i, cadre)
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(b.String()), 0o644)
		return path
	}
	const n = 20000
	small, first, second := big("small.csv", "C001", 3), big("first.csv", "C001", n), big("second.csv", "C002", n)
	p.run("import", "-cadres", cadres, "-households", small)

	ctx := context.Background()
	rdb := rs.Client()
	st := store.New(rdb, "mq", "county")
	// households returns how many households the roster in force has and
	// the cadre of each, checking that they all have the same one (a mix
	// of two imports would not).
	households := func() (int, string) {
		t.Helper()
		r, err := st.Roster(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cadre := ""
		for _, h := range r.Households {
			if cadre != "" && h.CadreID != cadre {
				t.Fatalf("the roster in force mixes two imports: %s and %s", cadre, h.CadreID)
			}
			cadre = h.CadreID
		}
		return len(r.Households), cadre
	}
	// importUntil starts an import and kills it with SIGKILL once the
	// journal says state; it reports whether the kill came in time.
	importUntil := func(households, state string) bool {
		t.Helper()
		cmd := exec.Command(p.bin, "import", "-config", p.cfg, "-cadres", cadres, "-households", households)
		cmd.Env = append(os.Environ(), config.EnvCardsSecret+"="+testSecret.Reveal())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-exited:
				return false
			case <-tick.C:
			}
			j, _ := rdb.HGetAll(ctx, "mq:{county}:import").Result()
			staged, _ := rdb.SCard(ctx, "mq:{county}:import:"+j["v"]+":hhs").Result()
			if j["state"] == state && (state != "staging" || staged > 0) {
				_ = cmd.Process.Kill()
				<-exited
				return true
			}
		}
	}

	if !importUntil(first, "staging") {
		t.Fatal("the import finished before it could be killed while writing")
	}
	if got, cadre := households(); got != 3 || cadre != "C001" {
		t.Fatalf("killed while writing: %d households of %s in force, want the old 3", got, cadre)
	}
	out := p.run("import", "-cadres", cadres, "-households", first)
	contains(t, "import after the kill", out, fmt.Sprintf("households: %d on the roster", n))
	if got, cadre := households(); got != n || cadre != "C001" {
		t.Fatalf("after importing again: %d households of %s", got, cadre)
	}

	// Every household moves: the follow-ups take a while.
	if importUntil(second, "switched") {
		if got, cadre := households(); got != n || cadre != "C002" {
			t.Fatalf("killed after the switch: %d households of %s in force, want the new roster", got, cadre)
		}
		out = p.run("import", "-cadres", cadres, "-households", second)
		contains(t, "import after the kill", out, "finished the follow-ups of an interrupted import", "0 moved to another cadre")
	} else {
		t.Log("the import finished before it could be killed after its switch")
	}
	if got, cadre := households(); got != n || cadre != "C002" {
		t.Fatalf("after importing again: %d households of %s", got, cadre)
	}
	if keys, _ := rdb.Keys(ctx, "mq:{county}:import*").Result(); len(keys) > 0 {
		t.Errorf("left behind: %v", keys)
	}
}
