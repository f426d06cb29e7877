package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/report"
)

// digestFiles makes a digest's chart or spreadsheet when the outbox sends it.
func (m *Main) digestFiles(ctx context.Context, n flows.Notice) (string, []byte, error) {
	week, err := flows.ParseWeek(n.Args["week"], m.Config.Timezone)
	if err != nil {
		return "", nil, err
	}
	at := m.Clock.Now()
	if ms, err := strconv.ParseInt(n.Args["at"], 10, 64); err == nil {
		at = time.UnixMilli(ms)
	}
	d, err := m.Service.BuildDigest(ctx, flows.DigestScope{Unit: n.Args["unit"]}, week, at)
	if err != nil {
		return "", nil, err
	}
	d.County = m.Config.County
	if n.Kind == flows.NoticeDigestChart {
		png, err := report.Chart(d, report.ChartOptions{FontPath: m.Config.Cards.Font, Lang: n.Lang})
		return "digest-" + week.Label() + ".png", png, err
	}
	xlsx, err := report.Spreadsheet(d, n.Lang)
	return "minqing-" + week.Label() + ".xlsx", xlsx, err
}

// SendDigests sends the leaders the digest of the occurrence of
// schedule.digest at or before now, once per leader and occurrence.
func (m *Main) SendDigests(ctx context.Context) {
	now := m.Clock.Now()
	at, err := LastOccurrence(m.Config.Schedule.Digest, now.In(m.Config.Timezone))
	if err != nil || at.IsZero() {
		if err != nil {
			m.Log.Error("digest schedule", "err", err)
		}
		return
	}
	n, err := m.Service.SendDigests(ctx, at, now)
	if stopped(ctx, err) {
		m.Log.Info("digests stopped: shutting down", "sent", n)
		return
	}
	if err != nil {
		m.Log.Error("digests not sent", "err", err, "sent", n)
		return
	}
	if n > 0 {
		m.Log.Info("digests sent", "leaders", n, "occurrence", at)
	}
}

// LastOccurrence returns the latest time at or before now that the cron spec
// fires: for "@every D", now truncated to D; else found by stepping the
// schedule from eight days back (a weekly schedule fires in that window).
// It is zero when the schedule did not fire in those eight days.
func LastOccurrence(spec string, now time.Time) (time.Time, error) {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return time.Time{}, fmt.Errorf("schedule %q: %w", spec, err)
	}
	if every, ok := sched.(cron.ConstantDelaySchedule); ok {
		return now.Truncate(every.Delay), nil
	}
	last := time.Time{}
	for t := sched.Next(now.Add(-8 * 24 * time.Hour)); !t.After(now) && !t.IsZero(); t = sched.Next(t) {
		last = t
	}
	return last, nil
}
