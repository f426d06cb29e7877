package flows

import (
	"context"
	"time"
)

// DueKind names a schedule of households (not of requests): the coverage
// nudge and the check-in.
type DueKind string

// Household schedules.
const (
	DueNudge   DueKind = "nudge"   // the household goes on its cadre's coverage list
	DueCheckin DueKind = "checkin" // the household gets a check-in
)

// Handle names the households a message's buttons act on: a button's
// callback data carries the handle's number and an index, not household
// ids (which may be longer than the 64 bytes Telegram allows). Handles
// expire; a button under an expired one answers "gone".
type Handle struct {
	ID         int64
	Kind       DueKind
	CadreID    string   // a nudge: the cadre it was sent to
	Households []string // a check-in: the one household
}

// Reach is one outreach, stored in one step: its handle, its notices and
// the households' next due time (ZADD GT: a later contact wins).
type Reach struct {
	// Guard makes it once only: a used guard is EDUPLICATE, nothing done.
	Guard      string
	Handle     Handle
	TTL        time.Duration // how long the handle's buttons work
	Notices    []Notice
	Households []string
	Next       time.Time
}

// ReachStore keeps the household schedules and the handles of outreach
// messages.
type ReachStore interface {
	// DueHouseholds returns up to n (0: all) households whose kind falls
	// due at or before now, earliest first.
	DueHouseholds(ctx context.Context, kind DueKind, now time.Time, n int) ([]string, error)
	// Reschedule moves households' kind to next unless it is later already.
	Reschedule(ctx context.Context, kind DueKind, ids []string, next time.Time) error
	// DropDue takes households off a schedule (they left the roster).
	DropDue(ctx context.Context, kind DueKind, ids []string) error
	// NextHandle numbers a new handle.
	NextHandle(ctx context.Context) (int64, error)
	// Reach stores r (see Reach) for kind; EDUPLICATE when its guard was used.
	Reach(ctx context.Context, kind DueKind, r Reach) error
	// Handle returns a stored handle (ENOTFOUND once it expired).
	Handle(ctx context.Context, id int64) (Handle, error)
	// RosterHouseholds returns the records in force of those of ids that
	// are on the roster in force.
	RosterHouseholds(ctx context.Context, ids []string) ([]Household, error)
	// Assignments returns the households on the roster in force with their
	// ID, Name, Village and CadreID only (the coverage lines' read).
	Assignments(ctx context.Context) ([]Household, error)
	// SetTalk makes the account's next message before until a new request
	// (zero until: its messages are routed as usual again).
	SetTalk(ctx context.Context, accountID int64, until time.Time) error
}

// SweepOutreach sends what is due of the household schedules at now: the
// coverage nudges (one list a cadre a day, on working days) and the
// check-ins (when checkin.after is not 0). Nothing goes out in the quiet
// hours. It costs O(due).
func (s *Service) SweepOutreach(ctx context.Context, now time.Time) (int, error) {
	if s.quietAt(now) {
		return 0, nil
	}
	n, err := s.sweepNudges(ctx, now)
	if err != nil {
		return n, err
	}
	if s.Settings.CheckinAfter <= 0 {
		return n, nil
	}
	m, err := s.sweepCheckins(ctx, now)
	return n + m, err
}
