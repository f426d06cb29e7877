package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/cardprint"
)

// printCards writes the cards as an A4 PDF, or as one PNG per card into the
// folder out. An existing file is replaced only when replace is set; a stop
// (ctx) or a failure leaves it as it was.
func printCards(ctx context.Context, m *app.Main, lines []flows.CardLine, user, format, out, lang string, replace bool) error {
	if out == "" {
		return fmt.Errorf("-format %s needs -o", format)
	}
	layout := cardprint.DefaultLayout(lang)
	layout.County, layout.FontPath, layout.Bot = m.Config.County, m.Config.Cards.Font, user
	cards := make([]cardprint.Card, len(lines))
	for i, l := range lines {
		cards[i] = cardprint.Card{
			HouseholdName: l.Household.Name, Village: l.Household.Village,
			CadreName: l.Cadre.Name, CadreUnit: l.Cadre.Unit, CadrePhone: l.Cadre.Phone,
			Link: link(user, l.Code), Code: l.Code,
		}
	}
	if format == "pdf" {
		return writeFile(ctx, out, replace, func(w io.Writer) error { return cardprint.PDF(ctx, w, cards, layout) })
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	names := make([]string, len(cards))
	for i := range cards {
		names[i] = filepath.Join(out, "card-"+lines[i].Household.ID+".png")
		if err := notThere(names[i], replace); err != nil {
			return err
		}
	}
	for i, c := range cards {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("cards: stopped after %d of %d: %w", i, len(cards), err)
		}
		if err := writeFile(ctx, names[i], replace, func(w io.Writer) error { return cardprint.PNG(w, c, layout) }); err != nil {
			return err
		}
	}
	return nil
}
