package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/roster"
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
	if err := needCodes(m); err != nil {
		return err
	}
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
	format := fs.String("format", "csv", "output format: csv, pdf (A4 sheets) or png (one file per card, -o names a folder)")
	out := fs.String("o", "", "output file (created readable by its owner only; CSV in UTF-8 with a BOM), or folder for png (default for csv: standard output)")
	force := fs.Bool("force", false, "replace an existing output file")
	village := fs.String("village", "", "only this village")
	cadre := fs.String("cadre", "", "only the households of this cadre id")
	household := fs.String("household", "", "only this household id")
	rotate := fs.Bool("rotate", false, "issue a new code for -household (a lost card); the old code stops working")
	lang := fs.String("lang", "zh", "card language: zh or en")
	m, err := parseOpen(ctx, fs, path, args, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := needCodes(m); err != nil {
		return err
	}
	if *format != "png" {
		if err := notThere(*out, *force); err != nil { // before a rotation, which it would not print
			return err
		}
	}
	if *rotate {
		if *household == "" {
			return errors.New("-rotate needs -household ID")
		}
		if _, err := m.Service.Rotate(ctx, flows.AccountHousehold, *household); err != nil {
			return err
		}
	}
	user, err := m.Username(ctx)
	if err != nil {
		return err
	}
	lines, err := m.Service.Cards(ctx)
	if err != nil {
		return err
	}
	lines = filterCards(lines, *village, *cadre, *household)
	if len(lines) == 0 {
		return errors.New("no household matches the filters")
	}
	switch *format {
	case "csv":
		return writeCSV(ctx, *out, *force, stdout, cardRows(lines, user))
	case "pdf", "png":
		return printCards(ctx, m, lines, user, *format, *out, *lang, *force)
	}
	return fmt.Errorf("-format %q: want csv, pdf or png", *format)
}

func cmdInvites(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("invites")
	out := fs.String("o", "", "output file, created readable by its owner only, CSV in UTF-8 with a BOM (default: standard output)")
	force := fs.Bool("force", false, "replace an existing output file")
	cadre := fs.String("cadre", "", "only this cadre id")
	rotate := fs.Bool("rotate", false, "issue a new invite for -cadre; the old link stops working")
	m, err := parseOpen(ctx, fs, path, args, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := needCodes(m); err != nil {
		return err
	}
	if err := notThere(*out, *force); err != nil {
		return err
	}
	if *rotate {
		if *cadre == "" {
			return errors.New("-rotate needs -cadre ID")
		}
		if _, err := m.Service.Rotate(ctx, flows.AccountCadre, *cadre); err != nil {
			return err
		}
	}
	user, err := m.Username(ctx)
	if err != nil {
		return err
	}
	lines, err := m.Service.Invites(ctx)
	if err != nil {
		return err
	}
	rows := [][]string{{"cadre_id", "name", "unit", "role", "link"}}
	for _, l := range lines {
		if *cadre == "" || l.Cadre.ID == *cadre {
			rows = append(rows, []string{l.Cadre.ID, l.Cadre.Name, l.Cadre.Unit, string(l.Cadre.Role), link(user, l.Code)})
		}
	}
	return writeCSV(ctx, *out, *force, stdout, rows)
}

// filterCards keeps the cards matching every non-empty filter.
func filterCards(lines []flows.CardLine, village, cadre, household string) []flows.CardLine {
	var out []flows.CardLine
	for _, l := range lines {
		if (village == "" || l.Household.Village == village) && (cadre == "" || l.Household.CadreID == cadre) &&
			(household == "" || l.Household.ID == household) {
			out = append(out, l)
		}
	}
	return out
}

// cardRows are the CSV rows of cards.
func cardRows(lines []flows.CardLine, user string) [][]string {
	rows := [][]string{{"household_id", "name", "village", "cadre", "link"}}
	for _, l := range lines {
		rows = append(rows, []string{l.Household.ID, l.Household.Name, l.Household.Village, l.Cadre.Name, link(user, l.Code)})
	}
	return rows
}

// needCodes checks that the codes of cards and invites can be derived.
func needCodes(m *app.Main) error {
	if m.Service.Codes == nil {
		return fmt.Errorf("cards.secret is not set: the codes of cards and invites are derived from it; set $%s (or cards.secret) "+
			"to at least 32 characters, e.g. the output of `openssl rand -hex 32`, and keep it: the same secret prints the same cards",
			config.EnvCardsSecret)
	}
	return nil
}

// link is the t.me deep link that binds a card.
func link(user, code string) string {
	return "https://t.me/" + url.PathEscape(user) + "?start=" + code
}
