package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/roster"
)

func cmdImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("import")
	cadres := fs.String("cadres", "", "cadres file (.csv or .xlsx): id,name,unit,role,phone")
	households := fs.String("households", "", "households file (.csv or .xlsx): id,name,village,cadre_id,phone,address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cadres == "" || *households == "" {
		return errors.New("both -cadres and -households are required")
	}
	r, err := roster.Load(*cadres, *households)
	if err != nil {
		return err // names file, line and field; nothing was written
	}
	m, err := open(ctx, *path)
	if err != nil {
		return err
	}
	defer m.Close()
	rep, err := m.Service.ImportRoster(ctx, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d cadres and %d households; %d new codes; %d households moved, %d open requests moved\n",
		rep.Cadres, rep.Households, rep.NewCodes, rep.Moved, rep.RequestsMoved)
	return nil
}

func cmdCards(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("cards")
	format := fs.String("format", "csv", "output format: csv")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "csv" {
		return fmt.Errorf("-format %q: only csv is supported for now", *format)
	}
	return writeLinks(ctx, *path, *out, stdout, false)
}

func cmdInvites(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("invites")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return writeLinks(ctx, *path, *out, stdout, true)
}

// writeLinks writes the card (or invite) links as CSV.
func writeLinks(ctx context.Context, path, out string, stdout io.Writer, invites bool) error {
	m, err := open(ctx, path)
	if err != nil {
		return err
	}
	defer m.Close()
	user, err := m.Username(ctx)
	if err != nil {
		return err
	}
	rows, err := linkRows(ctx, m.Service, user, invites)
	if err != nil {
		return err
	}
	w := stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return fmt.Errorf("create %s: %w", out, err)
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

// linkRows builds the CSV rows of cards or invites.
func linkRows(ctx context.Context, svc *flows.Service, user string, invites bool) ([][]string, error) {
	if invites {
		lines, err := svc.Invites(ctx)
		if err != nil {
			return nil, err
		}
		rows := [][]string{{"cadre_id", "name", "unit", "role", "link"}}
		for _, l := range lines {
			rows = append(rows, []string{l.Cadre.ID, l.Cadre.Name, l.Cadre.Unit, string(l.Cadre.Role), link(user, l.Code)})
		}
		return rows, nil
	}
	lines, err := svc.Cards(ctx)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"household_id", "name", "village", "cadre", "link"}}
	for _, l := range lines {
		rows = append(rows, []string{l.Household.ID, l.Household.Name, l.Household.Village, l.Cadre.Name, link(user, l.Code)})
	}
	return rows, nil
}

// link is the t.me deep link that binds a card.
func link(user, code string) string {
	return "https://t.me/" + url.PathEscape(user) + "?start=" + code
}
