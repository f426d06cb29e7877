package cli

import (
	"context"
	"fmt"
	"html"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/minqing/minqing/bot"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/app"
)

// tags matches the HTML tags of a rendered message.
var tags = regexp.MustCompile(`<[^>]+>`)

func cmdDigest(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("digest")
	weekFlag := fs.String("week", "", "ISO week, e.g. 2026-W48 (default: the week so far)")
	unit := fs.String("unit", "", "a unit's name (default: the whole county)")
	send := fs.Bool("send", false, "queue the digest for the leaders (of -unit, or all); the running bot sends it")
	lang := fs.String("lang", "", "language of the printout: zh or en (default: config language)")
	m, err := parseOpen(ctx, fs, path, args, func() error {
		if *lang == "" {
			return nil
		}
		return checkLang(*lang)
	})
	if err != nil {
		return err
	}
	defer m.Close()
	if err := checkUnit(ctx, m, *unit); err != nil {
		return err
	}
	now := m.Clock.Now()
	week := flows.WeekOf(now, m.Config.Timezone)
	if *weekFlag != "" {
		if week, err = flows.ParseWeek(*weekFlag, m.Config.Timezone); err != nil {
			return err
		}
	}
	if *send {
		n, err := m.Service.QueueDigest(ctx, week, *unit, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "queued the %s digest for %d leaders\n", week.Label(), n)
		return nil
	}
	d, err := m.Service.BuildDigest(ctx, flows.DigestScope{Unit: *unit}, week, now)
	if err != nil {
		return err
	}
	d.County, d.Requests = m.Config.County, nil
	r, err := bot.NewRenderer(m.Config.Language)
	if err != nil {
		return err
	}
	l := *lang
	if l == "" {
		l = m.Config.Language
	}
	for _, text := range r.Render(flows.Notice{Lang: l, Kind: flows.NoticeDigest, Digest: &d}).Texts {
		fmt.Fprintln(stdout, html.UnescapeString(tags.ReplaceAllString(text, "")))
	}
	return nil
}

// checkUnit checks that a -unit flag names a unit of the roster in force
// ("" is the whole county).
func checkUnit(ctx context.Context, m *app.Main, unit string) error {
	if unit == "" {
		return nil
	}
	staff, err := m.Service.Store.Staff(ctx)
	if err != nil {
		return err
	}
	var units []string
	for _, c := range staff {
		if c.Unit == unit {
			return nil
		}
		if c.Unit != "" && !slices.Contains(units, c.Unit) {
			units = append(units, c.Unit)
		}
	}
	slices.Sort(units)
	return fmt.Errorf("-unit %q: no such unit on the roster (units: %s)", unit, strings.Join(units, ", "))
}
