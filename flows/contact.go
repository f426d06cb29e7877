package flows

import (
	"context"
	"fmt"
	"time"
)

// ContactKind says how a household was last reached.
type ContactKind string

// Contact kinds. A household never contacted is scheduled from when it was
// assigned (ContactAssigned: the import that first put it on the roster),
// so it goes on its cadre's list visits.every after that, not at once; the
// assignment is not a contact (the digest does not count it).
const (
	ContactAssigned ContactKind = "assigned" // a roster import put it on the roster
	ContactVisit    ContactKind = "visit"    // its cadre visited (走访)
	ContactRequest  ContactKind = "request"  // it wrote: a request or a follow-up
	ContactReply    ContactKind = "reply"    // its cadre answered a request, or marked first contact / solved on the spot
	ContactCheckin  ContactKind = "checkin"  // it answered a check-in (未诉先办)
)

// Contact is one contact with a household, as the store records it.
type Contact struct {
	HouseholdID string
	At          time.Time
	Kind        ContactKind
	// Week is the label of At's week: the household joins that week's
	// contacted set (and visited set, for a visit).
	Week string
	// NudgeAt is when the household goes on its cadre's coverage list if
	// no later contact comes (see Service.nudgeAt).
	NudgeAt time.Time
	// CheckinAt is when a check-in falls due if no later contact comes;
	// zero when check-ins are off.
	CheckinAt time.Time
}

// ContactStore keeps each household's last contact and the coverage and
// check-in schedules that follow from it, in sorted sets by time: the
// households not contacted since T are a range, read in O(due).
type ContactStore interface {
	// Contact records c, in one step, if the household is on record: its
	// last contact (of any kind, and of its kind for a visit) becomes c.At
	// unless a later one is recorded, its nudge and check-in move to
	// c.NudgeAt and c.CheckinAt unless they are later already, and it joins
	// the week's contacted (and visited) sets. Recording it again changes
	// nothing. A household not on record is skipped (false).
	Contact(ctx context.Context, c Contact) (bool, error)
	// Assign records households put on the roster at c.At: each that is
	// not scheduled yet gets c's nudge and check-in times (an assignment
	// is not a contact: its last contact stays none). Households already
	// scheduled keep theirs.
	Assign(ctx context.Context, ids []string, c Contact) error
	// LastContacts returns the last contact and the last visit (zero when
	// none) of each household among ids that was ever contacted.
	LastContacts(ctx context.Context, ids []string) (map[string]LastContact, error)
	// WeekContacts returns the households contacted in the week (label),
	// and those of them visited.
	WeekContacts(ctx context.Context, week string) (contacted, visited []string, err error)
	// DropWeekContacts deletes a week's contacted and visited sets
	// (retention).
	DropWeekContacts(ctx context.Context, week string) error
	// SeedContacts assigns (as Assign) every household on the roster, once
	// per store: a store written before last contacts were kept starts
	// counting from its upgrade. It returns how many it assigned.
	SeedContacts(ctx context.Context, c Contact) (int, error)
}

// LastContact is when a household was last reached, and last visited.
type LastContact struct {
	At      time.Time
	Visited time.Time
}

// Contacted records that a household was reached at at: a visit, a request,
// a cadre's reply or first contact, or a check-in answer. Its last contact
// becomes at (unless a later one is recorded), so its cadre's coverage
// nudge and its check-in move to visits.every and checkin.after after it.
// A household not on record is skipped. Calling it again for the same
// contact changes nothing.
func (s *Service) Contacted(ctx context.Context, householdID string, at time.Time, kind ContactKind) error {
	if _, err := s.Store.Contact(ctx, s.contact(householdID, at, kind)); err != nil {
		return fmt.Errorf("contacted: %w", err)
	}
	return nil
}

// contact builds the record of a contact at at, with the nudge and
// check-in it schedules.
func (s *Service) contact(householdID string, at time.Time, kind ContactKind) Contact {
	c := Contact{HouseholdID: householdID, At: at, Kind: kind, Week: WeekOf(at, s.Settings.Location).Label(),
		NudgeAt: s.nudgeAt(at)}
	if s.Settings.CheckinAfter > 0 {
		c.CheckinAt = s.workingTime(at.Add(s.Settings.CheckinAfter), false)
	}
	return c
}

// contactOf returns the contact record for a change, or nil when the
// household is unknown.
func (s *Service) contactOf(householdID string, at time.Time, kind ContactKind) *Contact {
	if householdID == "" {
		return nil
	}
	c := s.contact(householdID, at, kind)
	return &c
}

// visitsEvery is visits.every, 30 days when unset.
func (s *Service) visitsEvery() time.Duration {
	if s.Settings.VisitsEvery > 0 {
		return s.Settings.VisitsEvery
	}
	return 30 * 24 * time.Hour
}

// nudgeAt returns when a household last reached at goes on its cadre's
// coverage list: at the start of the working day (after the quiet hours,
// on a working day) of the day visits.every after at. Every household due
// on a day is due at the same moment, so its cadre gets one list a day.
func (s *Service) nudgeAt(at time.Time) time.Time {
	return s.workingTime(startOfDay(at.Add(s.visitsEvery()), s.location()), true)
}

// SeedContacts starts the last contacts of a store written before they
// were kept: every household on the roster counts as assigned now. It runs
// once per store (a marker records it); see ContactStore.SeedContacts.
func (s *Service) SeedContacts(ctx context.Context) (int, error) {
	n, err := s.Store.SeedContacts(ctx, s.contact("", s.Clock.Now(), ContactAssigned))
	if err != nil {
		return n, fmt.Errorf("seed contacts: %w", err)
	}
	return n, nil
}

// assignContacts gives the households of r that have no last contact their
// assignment, now: idempotent, so an import finishing a killed one's
// follow-ups does it again harmlessly.
func (s *Service) assignContacts(ctx context.Context, r Roster) error {
	ids := make([]string, len(r.Households))
	for i, h := range r.Households {
		ids[i] = h.ID
	}
	const chunk = 1000
	c := s.contact("", s.Clock.Now(), ContactAssigned)
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		if err := s.Store.Assign(ctx, ids[:n], c); err != nil {
			return fmt.Errorf("assign contacts: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}
