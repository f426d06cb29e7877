package flows

import (
	"context"
	"hash/fnv"
	"time"
)

// A visit (走访) is a cadre's time at a household, kept as a diary (民情日记):
// what the cadre sends while it is open (text, voice, photos, locations) is
// its notes, and the requests recorded in it (代录) belong to it.

// Visit is one visit of a cadre (or leader) to a household.
type Visit struct {
	ID          int64
	HouseholdID string
	CadreID     string // who visited
	Unit        string // the visitor's unit
	Village     string
	Start       time.Time
	End         time.Time // zero while open
	Notes       []VisitNote
	// Requests are the requests recorded in the visit; the store fills them
	// from the requests themselves (Request.VisitID), written with them.
	Requests []int64 `json:"-"`
	// Recording is set after 记诉求: the cadre's next message is a request.
	Recording bool
	// Where the visit happened: the last location sent (0, 0 if none).
	Lat, Lon float64
	// AutoEnded is set when the visit was ended by visits.max_open.
	AutoEnded bool
	// Version increases with every stored change (optimistic concurrency).
	Version int64
}

// Open reports whether the visit has not ended.
func (v Visit) Open() bool { return v.End.IsZero() }

// VisitNote is one entry of a visit's diary.
type VisitNote struct {
	At   time.Time
	Kind MsgKind
	Text string  // the text, or the caption of media
	Msg  *MsgRef // the message, to copy its media again
	Lat  float64 `json:",omitempty"`
	Lon  float64 `json:",omitempty"`
}

// maxNotes bounds a visit's diary; a cadre past it is told to end the visit.
const maxNotes = 200

// Request origins: how a request came in.
const (
	OriginMessage = ""      // the household wrote
	OriginVisit   = "visit" // a cadre recorded it during a visit (代录)
	OriginPhone   = "phone" // a cadre recorded it outside a visit (heard by phone)
)

// VisitChange is one atomic step of a visit: its new state and the notices
// it causes. The store applies all of it or none, and only if the visit is
// still at Prev's version.
type VisitChange struct {
	Prev    *Visit // nil when the visit is new
	Visit   Visit
	Notices []Notice
	// Guard makes the change idempotent ("" = none): EDUPLICATE if used.
	Guard string
	// Schedule, when set, schedules the visit's automatic end.
	Schedule *Due
	// Release ends the lease of the due item being handled, if any.
	Release *Due
}

// VisitStore keeps visits and their indexes.
type VisitStore interface {
	NextVisitID(ctx context.Context) (int64, error)
	// Visit returns a visit with its recorded requests (ENOTFOUND if none).
	Visit(ctx context.Context, id int64) (Visit, error)
	// OpenVisit returns the cadre's open visit (ENOTFOUND if none).
	OpenVisit(ctx context.Context, cadreID string) (Visit, error)
	// SaveVisit stores c atomically (see VisitChange). A visit that ends is
	// no longer the cadre's open visit, and its automatic end is dropped.
	SaveVisit(ctx context.Context, c VisitChange) error
	// RecentVisits lists the latest visits of a cadre, a household, a unit
	// (of the visitor) or the county, newest first, at most n.
	RecentVisits(ctx context.Context, sc Scope, n int) ([]Visit, error)
	// VisitsBetween lists the county's visits that started in [from, to),
	// oldest first.
	VisitsBetween(ctx context.Context, from, to time.Time) ([]Visit, error)
	// EraseVisits erases every visit of a household and reports how many.
	EraseVisits(ctx context.Context, householdID string) (int, error)
	// ExpireVisits erases up to n visits that started before cutoff and
	// ended, oldest first, and reports how many.
	ExpireVisits(ctx context.Context, cutoff time.Time, n int) (int, error)
	// SetRecording makes the cadre's next message a request recorded for
	// a household outside a visit, for ttl ("" clears it).
	SetRecording(ctx context.Context, cadreID, householdID string, ttl time.Duration) error
	// Recording returns the household set by SetRecording ("" if none).
	Recording(ctx context.Context, cadreID string) (string, error)
	// ResolvedRequests lists the ids of resolved requests (awaiting a
	// verdict) of a unit or the county, oldest first.
	ResolvedRequests(ctx context.Context, sc Scope) ([]int64, error)
}

// StageVisitEnd ends a visit left open for visits.max_open; the due item's
// RequestID is the visit's id.
const StageVisitEnd Stage = "vend"

// HouseholdHandle is the number that stands for a household in a button
// (callback data is short and ids may be long): a hash of its id, checked
// again against the presser's own households when pressed.
func HouseholdHandle(id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	n := int64(h.Sum64() >> 11) // fits a float64 and the callback data
	if n == 0 {
		n = 1
	}
	return n
}

// maxOpen is how long a visit stays open before it ends by itself.
func (s *Service) maxOpen() time.Duration {
	if s.Settings.VisitMaxOpen <= 0 {
		return 3 * time.Hour
	}
	return s.Settings.VisitMaxOpen
}
