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
		EveReminder:          time.Duration(c.SLA.EveReminder),
		VisitsEvery:          c.Visits.Every,
		CheckinAfter:         c.Checkin.After,
		VisitMaxOpen:         c.Visits.MaxOpen,
	}
	if q := c.QuietHours; q.Enabled {
		s.Quiet = flows.Window{Start: q.Start, End: q.End}
	}
	if c.SLA.WorkingDays {
		s.WorkingDay = c.IsWorkingDay
	}
	return s
}
