package config

import (
	"time"

	"github.com/minqing/minqing/flows"
)

// Settings returns the service's rules from c: the one place where
// flows.Settings is built from the configuration.
func (c *Config) Settings() flows.Settings {
	s := flows.Settings{
		MaxHouseholdAccounts: c.Household.MaxAccounts,
		FirstResponse:        c.SLA.FirstResponse,
		EscalateAfter:        c.SLA.EscalateAfter,
		DefaultDeadline:      c.SLA.DefaultDeadline,
		VerdictWait:          c.SLA.VerdictWait,
		Location:             c.Timezone,
		DefaultLang:          c.Language,
		County:               c.County,
		FloodPerMinute:       c.Flood.PerMinute,
	}
	if q := c.QuietHours; q.Enabled {
		loc := c.Timezone
		s.Quiet = func(t time.Time) bool { return q.Contains(t.In(loc)) }
	}
	if c.SLA.WorkingDays {
		s.WorkingDay = c.IsWorkingDay
	}
	return s
}
