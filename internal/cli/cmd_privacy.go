package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// The PIPL commands: a household's copy of its data (export) and its
// erasure (forget). Neither logs personal data; errors name the household
// id only.

func cmdExport(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("export")
	id := fs.String("household", "", "the household's id")
	out := fs.String("o", "", "output file, created (or replaced) readable by its owner only (default: standard output)")
	m, err := parseOpen(ctx, fs, path, args, needHousehold(id))
	if err != nil {
		return err
	}
	defer m.Close()
	e, err := m.Service.Export(ctx, *id)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("export household %s: %w", *id, err)
	}
	b = append(b, '\n')
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	if err := writeFile(ctx, *out, true, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fmt.Errorf("export household %s: %w", *id, err)
	}
	m.Log.Info("household exported", "household", *id, "requests", len(e.Requests))
	return nil
}

func cmdForget(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("forget")
	id := fs.String("household", "", "the household's id")
	m, err := parseOpen(ctx, fs, path, args, needHousehold(id))
	if err != nil {
		return err
	}
	defer m.Close()
	rep, err := m.Service.Forget(ctx, *id)
	if err != nil {
		return err
	}
	m.Log.Info("household forgotten", "household", *id, "requests", rep.Requests, "accounts", rep.Accounts, "visits", rep.Visits)
	if !rep.Household && rep.Requests == 0 && rep.Accounts == 0 && rep.Visits == 0 {
		return fmt.Errorf("household %s: nothing stored (an unknown id, or forgotten before)", *id)
	}
	fmt.Fprintf(stdout, "forgot household %s: %d requests, %d accounts, %d visits; remove it from the roster files too, or the next import brings it back\n",
		*id, rep.Requests, rep.Accounts, rep.Visits)
	return nil
}

// needHousehold checks that -household was given.
func needHousehold(id *string) func() error {
	return func() error {
		if *id == "" {
			return errors.New("-household ID is required")
		}
		return nil
	}
}
