package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/cardprint"
)

// printCards writes the cards as an A4 PDF, or as one PNG per card into the
// folder out.
func printCards(m *app.Main, lines []flows.CardLine, user, format, out, lang string) error {
	if out == "" {
		return fmt.Errorf("-format %s needs -o", format)
	}
	layout := cardprint.DefaultLayout(lang)
	layout.County, layout.FontPath = m.Config.County, m.Config.Cards.Font
	cards := make([]cardprint.Card, len(lines))
	for i, l := range lines {
		cards[i] = cardprint.Card{
			HouseholdName: l.Household.Name, Village: l.Household.Village,
			CadreName: l.Cadre.Name, CadreUnit: l.Cadre.Unit, CadrePhone: l.Cadre.Phone,
			Link: link(user, l.Code), Code: l.Code,
		}
	}
	if format == "pdf" {
		return writeFile(out, func(f *os.File) error { return cardprint.PDF(f, cards, layout) })
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	for i, c := range cards {
		name := filepath.Join(out, "card-"+lines[i].Household.ID+".png")
		if err := writeFile(name, func(f *os.File) error { return cardprint.PNG(f, c, layout) }); err != nil {
			return err
		}
	}
	return nil
}

// writeFile creates name and writes it with fn, removing it on failure.
func writeFile(name string, fn func(*os.File) error) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	err = fn(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return errors.Join(fmt.Errorf("write %s", name), err)
	}
	return nil
}
