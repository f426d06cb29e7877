package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/roster"
)

func cmdImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("import")
	var f roster.Files
	fs.StringVar(&f.Cadres, "cadres", "", "cadres file (.csv or .xlsx): id,name,unit,role,phone")
	fs.StringVar(&f.Households, "households", "", "households file (.csv or .xlsx): id,name,village,cadre_id,phone,address")
	sheet := fs.String("sheet", "", "the sheet to read in both workbooks (needed when a workbook has several sheets)")
	fs.StringVar(&f.CadresSheet, "cadres-sheet", "", "the sheet to read in the cadres workbook (instead of -sheet)")
	fs.StringVar(&f.HouseholdsSheet, "households-sheet", "", "the sheet to read in the households workbook (instead of -sheet)")
	dry := fs.Bool("dry-run", false, "print what the import would change, and change nothing")
	if err := parse(fs, args); err != nil {
		return err
	}
	if f.Cadres == "" || f.Households == "" {
		return errors.New("both -cadres and -households are required")
	}
	f.CadresSheet, f.HouseholdsSheet = cmp.Or(f.CadresSheet, *sheet), cmp.Or(f.HouseholdsSheet, *sheet)
	r, notes, err := roster.LoadFiles(f)
	if err != nil {
		return err // names file, line and field; nothing was written
	}
	for _, n := range notes {
		fmt.Fprintf(stdout, "read %s\n", n)
	}
	m, err := open(ctx, *path)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := needCodes(m); err != nil {
		return err
	}
	if *dry {
		rep, err := m.Service.PlanImport(ctx, r)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "dry run: nothing was written; the import would change this:")
		printImport(stdout, rep)
		return nil
	}
	rep, err := m.Service.ImportRoster(ctx, r)
	if rep.Resumed != 0 {
		fmt.Fprintf(stdout, "finished the follow-ups of an interrupted import (roster version %d) first\n", rep.Resumed)
	}
	if err != nil {
		return err
	}
	printImport(stdout, rep)
	return nil
}

// printImport prints what an import changed.
func printImport(w io.Writer, rep flows.ImportReport) {
	fmt.Fprintf(w, "cadres and leaders: %d on the roster; %s added, %s removed, %s with another role or unit\n",
		rep.Cadres, ids(rep.CadresAdded), ids(rep.CadresRemoved), ids(rep.CadresChanged))
	fmt.Fprintf(w, "households: %d on the roster; %s added, %s removed, %s moved to another cadre\n",
		rep.Households, ids(rep.HouseholdsAdded), ids(rep.HouseholdsRemoved), ids(rep.HouseholdsMoved))
	fmt.Fprintf(w, "%d new codes; %d open requests moved; %d accounts of removed officials told and unbound\n",
		rep.NewCodes, rep.RequestsMoved, rep.RolesEnded)
}

// listed is how many ids a line of the import summary names.
const listed = 10

// ids formats a count and the first ids of a list: "2 (H001, H002)".
func ids(list []string) string {
	if len(list) == 0 {
		return "0"
	}
	shown := list[:min(len(list), listed)]
	more := ""
	if len(list) > listed {
		more = fmt.Sprintf(" and %d more", len(list)-listed)
	}
	return fmt.Sprintf("%d (%s%s)", len(list), strings.Join(shown, ", "), more)
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
	m, err := parseOpen(ctx, fs, path, args, func() error { return checkLang(*lang) })
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
	if lines, err = filterCards(lines, *village, *cadre, *household); err != nil {
		return err
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
	if len(rows) == 1 && *cadre != "" {
		return fmt.Errorf("-cadre %q: no such cadre or leader on the roster", *cadre)
	}
	return writeCSV(ctx, *out, *force, stdout, rows)
}

// filterCards keeps the cards matching every non-empty filter. A filter
// that matches no card on its own is an error naming it (a typing mistake
// must not print nothing, or everything), as is a combination that matches
// none.
func filterCards(lines []flows.CardLine, village, cadre, household string) ([]flows.CardLine, error) {
	var out []flows.CardLine
	seenV, seenC, seenH := false, false, false
	for _, l := range lines {
		v, c, h := l.Household.Village == village, l.Household.CadreID == cadre, l.Household.ID == household
		seenV, seenC, seenH = seenV || v, seenC || c, seenH || h
		if (village == "" || v) && (cadre == "" || c) && (household == "" || h) {
			out = append(out, l)
		}
	}
	switch {
	case village != "" && !seenV:
		return nil, fmt.Errorf("-village %q: no household on the roster lives there", village)
	case cadre != "" && !seenC:
		return nil, fmt.Errorf("-cadre %q: no household on the roster has this cadre", cadre)
	case household != "" && !seenH:
		return nil, fmt.Errorf("-household %q: no such household on the roster", household)
	case len(out) == 0:
		return nil, errors.New("no household matches all the filters together")
	}
	return out, nil
}

// checkLang checks a -lang flag: zh or en.
func checkLang(lang string) error {
	if lang != "zh" && lang != "en" {
		return fmt.Errorf("-lang %q: want zh or en", lang)
	}
	return nil
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
