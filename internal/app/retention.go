package app

import (
	"context"
	"time"
)

// Expire erases the closed requests older than the configured retention
// (the schedule.retention job).
func (m *Main) Expire(ctx context.Context) {
	start := time.Now()
	n, err := m.Service.Expire(ctx, m.Clock.Now(), m.Config.Retention)
	if stopped(ctx, err) {
		m.Log.Info("retention stopped: shutting down", "erased", n)
		return
	}
	if err != nil {
		m.Log.Error("retention failed", "err", err, "erased", n)
		return
	}
	if n > 0 {
		m.Log.Info("retention", "erased", n, "took", time.Since(start))
	}
}
