package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The files the commands write hold bearer links (cards, invites) or
// personal data (exports): each is created readable by its owner only
// (0600), written in full to a temporary file beside it and renamed over
// the name only once complete and on disk, so that a failure or a stop
// leaves an existing file as it was.

// utf8BOM starts every CSV file: Excel and WPS then read it as UTF-8 (the
// office's Chinese names), and the roster reader skips it.
const utf8BOM = "\uFEFF"

// notThere fails when the file name ("" for none) exists, unless replace.
func notThere(name string, replace bool) error {
	if name == "" || replace {
		return nil
	}
	if _, err := os.Lstat(name); err == nil {
		return fmt.Errorf("%s exists: add -force to replace it", name)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// writeFile writes the file name with fn. Without replace, an existing
// name is an error and nothing is written. It stops with ctx's error when
// ctx ends while fn writes.
func writeFile(ctx context.Context, name string, replace bool, fn func(w io.Writer) error) (err error) {
	if err := notThere(name, replace); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(ctxWriter{ctx, f})
	if err := fn(bw); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// ctxWriter fails every write once ctx has ended: a stop signal interrupts
// a long write (a PDF of many sheets) at its next chunk.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// writeCSV writes rows to the file out (UTF-8 with a BOM, see writeFile),
// or without a BOM to stdout when out is "".
func writeCSV(ctx context.Context, out string, replace bool, stdout io.Writer, rows [][]string) error {
	write := func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.WriteAll(rows); err != nil { // WriteAll flushes
			return err
		}
		return cw.Error()
	}
	if out == "" {
		return write(stdout)
	}
	return writeFile(ctx, out, replace, func(w io.Writer) error {
		if _, err := io.WriteString(w, utf8BOM); err != nil {
			return err
		}
		return write(w)
	})
}
