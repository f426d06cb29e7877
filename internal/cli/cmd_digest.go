package cli

import (
	"context"
	"fmt"
	"html"
	"io"
	"regexp"

	"github.com/minqing/minqing/bot"
	"github.com/minqing/minqing/flows"
)

// tags matches the HTML tags of a rendered message.
var tags = regexp.MustCompile(`<[^>]+>`)

func cmdDigest(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("digest")
	weekFlag := fs.String("week", "", "ISO week, e.g. 2026-W48 (default: the week so far)")
	unit := fs.String("unit", "", "a unit's name (default: the whole county)")
	send := fs.Bool("send", false, "queue the digest for the leaders (of -unit, or all); the running bot sends it")
	lang := fs.String("lang", "", "language of the printout: zh or en (default: config language)")
	m, err := parseOpen(ctx, fs, path, args, nil)
	if err != nil {
		return err
	}
	defer m.Close()
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
