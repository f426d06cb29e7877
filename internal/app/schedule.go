package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// startCron starts the scheduled jobs in the county's time zone. Each job
// only calls a flows function with the current time; a job still running
// when its next time comes is skipped, and a panic is logged, not fatal.
// Reminders that fell due while the bot was down go out at once.
func (m *Main) startCron(ctx context.Context) (*cron.Cron, error) {
	logger := cronLogger{m.Log}
	c := cron.New(cron.WithLocation(m.Config.Timezone),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	if _, err := c.AddFunc(m.Config.Schedule.Reminders, func() { m.Sweep(ctx) }); err != nil {
		return nil, fmt.Errorf("schedule.reminders: %w", err)
	}
	if _, err := c.AddFunc(m.Config.Schedule.Digest, func() { m.SendDigests(ctx) }); err != nil {
		return nil, fmt.Errorf("schedule.digest: %w", err)
	}
	if _, err := c.AddFunc(m.Config.Schedule.Retention, func() { m.Expire(ctx) }); err != nil {
		return nil, fmt.Errorf("schedule.retention: %w", err)
	}
	go func() { // catch up after downtime, without holding up the start
		m.Sweep(ctx)
		m.SendDigests(ctx) // a digest missed while down goes out now (once per occurrence)
	}()
	c.Start()
	return c, nil
}

// Sweep fires the reminders, escalations and other stages now due.
func (m *Main) Sweep(ctx context.Context) {
	start := time.Now()
	n, err := m.Service.Sweep(ctx, m.Clock.Now())
	if m.ops != nil {
		m.ops.sweeps.Observe(time.Since(start).Seconds())
	}
	if stopped(ctx, err) {
		m.Log.Info("sweep stopped: shutting down", "fired", n)
		return
	}
	if err != nil {
		m.Log.Error("sweep failed", "err", err, "fired", n)
		return
	}
	if n > 0 {
		m.Log.Info("sweep", "fired", n, "took", time.Since(start))
	}
}

// stopped reports whether err only says that ctx ended: the program is
// stopping, which is not an error.
func stopped(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err())
}

// cronLogger gives robfig/cron a log/slog logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
