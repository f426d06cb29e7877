package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteFileStops: a stop signal (ctx) while a file is written leaves
// the file that was there, and nothing else.
func TestWriteFileStops(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "cards.pdf")
	if err := os.WriteFile(name, []byte("last week's cards"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	err := writeFile(ctx, name, true, func(w io.Writer) error {
		chunk := []byte(strings.Repeat("x", 64<<10))
		for i := 0; ; i++ {
			if i == 3 {
				stop() // SIGINT arrives while the sheets are written
			}
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("writeFile after the stop: %v, want context.Canceled", err)
	}
	if b, _ := os.ReadFile(name); string(b) != "last week's cards" {
		t.Errorf("the file was changed: %q", b[:min(len(b), 40)])
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
	if err := writeFile(context.Background(), name, false, func(io.Writer) error { return nil }); err == nil {
		t.Error("an existing file was replaced without -force")
	}
}
