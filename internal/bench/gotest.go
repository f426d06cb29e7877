package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// goTestArgs is the micro-benchmark command the report shows and runs.
var goTestArgs = []string{"test", "-run", "^$", "-bench", ".", "-benchtime", "500ms", "-benchmem", "-count", "1", "./bot", "./flows", "./store"}

// goTests runs the go test micro-benchmarks and keeps their output for the
// report.
func (e *env) goTests(ctx context.Context) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", goTestArgs...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	e.goBench = string(out)
	if err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(goTestArgs, " "), err, out)
	}
	for _, line := range strings.Split(e.goBench, "\n") {
		if strings.HasPrefix(line, "Benchmark") {
			fmt.Println("gotest:", strings.Join(strings.Fields(line), " "))
		}
	}
	return nil
}
