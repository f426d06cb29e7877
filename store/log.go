package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

// driverLog forwards go-redis's own log lines to slog at debug level:
// during an outage the driver prints a line for every failed dial, while
// Minqing already logs each failed operation once with its context.
type driverLog struct{ log *slog.Logger }

func (d driverLog) Printf(ctx context.Context, format string, v ...any) {
	d.log.DebugContext(ctx, "redis driver", "detail", fmt.Sprintf(format, v...))
}

var driverOnce sync.Once

// LogDriverTo sends go-redis's internal log lines to l (at debug level)
// instead of standard error. It affects the whole process, so only the
// first call counts (the driver reads its logger without a lock).
func LogDriverTo(l *slog.Logger) {
	driverOnce.Do(func() { redis.SetLogger(driverLog{log: l}) })
}
