package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// importRoster times `minqing import` (the built binary, as an office runs
// it) with a county-sized households file: a first import into an empty
// Redis, a dry run of the next one, then that next import, which moves,
// removes and adds households and takes officials off the roster. For each
// it notes the process's peak RSS and the longest a PING to Redis waited
// meanwhile: what the running bot would have waited at worst.
func (e *env) importRoster(ctx context.Context) error {
	bin, dir, err := buildBin(ctx, "minqing-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	n, nc := e.sz.ImportHouseholds, e.sz.ImportCadres
	cadres, cadresNext := filepath.Join(dir, "cadres.csv"), filepath.Join(dir, "cadres-next.csv")
	first, next := filepath.Join(dir, "households.csv"), filepath.Join(dir, "households-next.csv")
	if err := writeImportFiles(cadres, cadresNext, first, next, n, nc); err != nil {
		return err
	}
	fi, err := os.Stat(first)
	if err != nil {
		return err
	}
	cfg := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf("telegram:\n  username: \"bench_bot\"\nredis:\n  url: %q\n  namespace: \"import\"\nlog:\n  level: \"error\"\n"+
		"cards:\n  secret: \"bench-cards-secret-not-for-use-0123456789\"\n", e.redis.url())
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		return err
	}
	e.add("import_file", fmt.Sprintf("%d households (%.1f MB of CSV), %d cadres and leaders", n, float64(fi.Size())/1e6, nc))
	run := func(name string, args ...string) error {
		res, err := e.timedImport(ctx, bin, append([]string{"import", "-config", cfg}, args...))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		e.add(name, res)
		return nil
	}
	if err := run("import_first_s", "-cadres", cadres, "-households", first); err != nil {
		return err
	}
	if err := run("import_dry_run_s", "-cadres", cadresNext, "-households", next, "-dry-run"); err != nil {
		return err
	}
	return run("import_again_s", "-cadres", cadresNext, "-households", next)
}

// timedImport runs one import and describes its time, peak RSS, the
// longest Redis stall and its summary.
func (e *env) timedImport(ctx context.Context, bin string, args []string) (string, error) {
	rdb := e.redis.client()
	defer rdb.Close()
	// Redis's own record of its slowest commands during the import.
	_ = rdb.ConfigSet(ctx, "slowlog-log-slower-than", "5000").Err()
	_ = rdb.SlowLogReset(ctx).Err()
	redisCPU := cpuSeconds(ctx, rdb)
	load, _ := os.ReadFile("/proc/loadavg")
	var stall atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // PING every millisecond; keep the longest wait
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			t := time.Now()
			if rdb.Ping(ctx).Err() == nil {
				if d := int64(time.Since(t)); d > stall.Load() {
					stall.Store(d)
				}
			}
		}
	}()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	close(stop)
	<-done
	if err != nil {
		return "", fmt.Errorf("%v: %v\n%s", args, err, errb.String())
	}
	rss := int64(0)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss >> 10 // KiB on Linux
	}
	summary := idLists.ReplaceAllString(strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(out.String()), "\n", "; ")), " "), "")
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	avg, _, _ := strings.Cut(string(load), " ")
	return fmt.Sprintf("%.1f (CPU: minqing %.1f s, redis-server %.1f s; load average %s at the start; peak RSS %d MB; "+
		"slowest Redis command %s; longest PING wait meanwhile %.0f ms; %s)",
		took.Seconds(), cpu.Seconds(), cpuSeconds(ctx, rdb)-redisCPU, avg, rss, slowest(ctx, rdb), float64(stall.Load())/1e6, summary), nil
}

// cpuSeconds is the CPU time redis-server has used (INFO cpu).
func cpuSeconds(ctx context.Context, rdb *redis.Client) float64 {
	var sum float64
	for _, f := range []string{"used_cpu_user", "used_cpu_sys"} {
		v, _ := strconv.ParseFloat(info(ctx, rdb, "cpu", f), 64)
		sum += v
	}
	return sum
}

// idLists matches the id lists of the import summary.
var idLists = regexp.MustCompile(` \([A-Z][^)]*\)`)

// slowest names the slowest command in Redis's slow log.
func slowest(ctx context.Context, rdb *redis.Client) string {
	logs, err := rdb.SlowLogGet(ctx, 1000).Result()
	if err != nil || len(logs) == 0 {
		return "under 5 ms"
	}
	top := logs[0]
	for _, l := range logs {
		if l.Duration > top.Duration {
			top = l
		}
	}
	name := "?"
	if len(top.Args) > 0 {
		name = strings.ToLower(top.Args[0])
	}
	return fmt.Sprintf("%.0f ms (%s)", float64(top.Duration)/float64(time.Millisecond), name)
}

// buildBin builds the minqing binary into a new temporary directory.
func buildBin(ctx context.Context, prefix string) (bin, dir string, err error) {
	root, err := moduleRoot()
	if err != nil {
		return "", "", err
	}
	if dir, err = os.MkdirTemp("", prefix); err != nil {
		return "", "", err
	}
	bin = filepath.Join(dir, "minqing")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir, build.Stderr = root, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return "", "", fmt.Errorf("go build: %w", err)
	}
	return bin, dir, nil
}

// writeImportFiles writes a roster of nc officials (one leader in ten, 70
// units) and n households, and the next year's files: the last 1% of the
// officials gone (their households given to others), every tenth household
// moved to another cadre, one in a hundred gone and as many new.
func writeImportFiles(cadres, cadresNext, first, next string, n, nc int) error {
	leaving := nc - nc/100 // officials from here on are in the first file only
	for _, f := range []struct {
		path string
		n    int
	}{{cadres, nc}, {cadresNext, leaving}} {
		var c bytes.Buffer
		c.WriteString("id,name,unit,role,phone\n")
		for i := range f.n {
			role := "cadre"
			if i%10 == 0 {
				role = "leader"
			}
			fmt.Fprintf(&c, "C%05d,干部%05d,县第%02d局,%s,138%08d\n", i, i, i%70, role, i)
		}
		if err := os.WriteFile(f.path, c.Bytes(), 0o600); err != nil {
			return err
		}
	}
	row := func(w *bufio.Writer, i, cadre int) {
		fmt.Fprintf(w, "H%07d,户主%07d,嘉荫县第%02d乡镇第%03d村,C%05d,139%08d,黑龙江省伊春市嘉荫县第%02d乡镇第%03d村%d组%d号\n",
			i, i, i%20, i%73, cadre, i, i%20, i%73, i%9+1, i)
	}
	write := func(path string, next bool) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString("id,name,village,cadre_id,phone,address\n")
		for i := range n {
			cadre := i % nc
			if next {
				if i%100 == 0 {
					continue // gone; replaced below
				}
				if i%10 == 0 || cadre >= leaving {
					cadre = (cadre + 1) % leaving
				}
			}
			row(w, i, cadre)
		}
		if next {
			for i := range (n + 99) / 100 {
				row(w, n+i, i%leaving)
			}
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write(first, false); err != nil {
		return err
	}
	return write(next, true)
}
