package flows

import (
	"time"
)

// State is where a request stands in its lifecycle.
type State string

// Request states, in lifecycle order.
const (
	StateReceived  State = "received"  // the household asked; no cadre contact yet
	StateResponded State = "responded" // the cadre made first contact
	StatePromised  State = "promised"  // the cadre committed to a deadline the household sees
	StateResolved  State = "resolved"  // the cadre says it is done; awaiting the household's verdict
	StateClosed    State = "closed"    // the household gave a verdict, or the wait ran out
)

// StateType groups states so that counting (lists, the digest) does not
// depend on the individual states: new states only need a type.
type StateType string

// State types.
const (
	TypeOpen     StateType = "open"
	TypeResolved StateType = "resolved"
	TypeClosed   StateType = "closed"
)

var stateTypes = map[State]StateType{
	StateReceived:  TypeOpen,
	StateResponded: TypeOpen,
	StatePromised:  TypeOpen,
	StateResolved:  TypeResolved,
	StateClosed:    TypeClosed,
}

// Type returns the state's type; unknown states count as open so that a
// request is never silently dropped from the lists.
func (s State) Type() StateType {
	if t, ok := stateTypes[s]; ok {
		return t
	}
	return TypeOpen
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := stateTypes[s]; return ok }

// Request is one thing a household asked for, reported or suggested.
type Request struct {
	ID          int64
	HouseholdID string
	CadreID     string
	Unit        string
	Village     string
	State       State
	Category    string
	Summary     string // the first words of the request, for lists and digests
	Kind        MsgKind
	// Origin says how the request came in: OriginMessage (""), OriginVisit
	// or OriginPhone (recorded by a cadre on the household's behalf, 代录).
	Origin string `json:",omitempty"`
	// VisitID is the visit it was recorded in (0 if none).
	VisitID int64 `json:",omitempty"`

	CreatedAt       time.Time
	FirstResponseAt time.Time
	Deadline        time.Time
	ResolvedAt      time.Time
	ClosedAt        time.Time

	// The household's verdict on the latest resolution: Solved is "yes" or
	// "no", Rating one of the Rating values; both empty until given, and
	// emptied by each new resolution (the timeline keeps every answer).
	Solved    string
	Rating    Rating
	VerdictAt time.Time
	Reopens   int    // how often a verdict reopened the request
	Note      string // the cadre's note when resolving, or the reason of the last deadline move

	// Transfer (转办, see transfer.go). Contact is the household's own
	// cadre, who stays its contact while another unit handles the request
	// ("" = never transferred); CadreID and Unit are then the handler's.
	Contact       string `json:",omitempty"`
	TransferBy    string `json:",omitempty"` // who made the latest transfer (cadre id)
	FromUnit      string `json:",omitempty"` // the unit that made the latest transfer
	Reason        string `json:",omitempty"` // the latest transfer's reason
	Assigning     bool   `json:",omitempty"` // transferred: waits for a leader of Unit to assign it
	Ruled         bool   `json:",omitempty"` // the county-wide leaders chose the unit: no more sending back
	SentBack      int    `json:",omitempty"` // how often a receiving unit sent it back
	TransferredAt time.Time
	Path          []string `json:",omitempty"` // the units it went through, first the household's cadre's
	Helpers       []string `json:",omitempty"` // helper units (协办): their leaders see it and add notes

	// Version increases with every stored change; the store refuses a change
	// made from a stale copy (optimistic concurrency).
	Version int64
}

// Open reports whether the request still waits for the cadre.
func (r Request) Open() bool { return r.State.Type() == TypeOpen }

// Late reports whether the request is open past its deadline at now.
func (r Request) Late(now time.Time) bool {
	return r.Open() && !r.Deadline.IsZero() && now.After(r.Deadline)
}

// Rating is a household's satisfaction (满意度).
type Rating string

// Ratings, best first.
const (
	RatingSatisfied   Rating = "satisfied"   // 满意
	RatingBasic       Rating = "basic"       // 基本满意
	RatingUnsatisfied Rating = "unsatisfied" // 不满意
)

// ratingArgs are the ratings' one-character button arguments.
var ratingArgs = map[string]Rating{"3": RatingSatisfied, "2": RatingBasic, "1": RatingUnsatisfied}

// Event is one entry of a request's timeline.
type Event struct {
	At     time.Time
	Actor  string // "household:H1", "cadre:C1", "system"
	Action Action
	From   State
	To     State
	Note   string // a reason or a short note; may hold the household's words
	// Msg refers to a message behind this event (a follow-up), so it can be
	// copied again, for example when the household splits it off.
	Msg *MsgRef `json:",omitempty"`
	// Internal marks a staff-only event (an internal note, 备注): never in
	// anything the household is sent.
	Internal bool `json:",omitempty"`
	// Move is the units of a transfer or a send-back.
	Move *UnitMove `json:",omitempty"`
}

// UnitMove is a request's move from one unit to another ("" = the county).
type UnitMove struct {
	From, To string
}

// Transferred reports whether another unit's cadre handles r for the
// household's own cadre (its contact).
func (r Request) Transferred() bool { return r.Contact != "" && r.Contact != r.CadreID }

// ContactID is the household's own cadre: the one its messages go to.
func (r Request) ContactID() string {
	if r.Contact != "" {
		return r.Contact
	}
	return r.CadreID
}

// MsgRef points at a message in a chat, with what is needed to show it again.
type MsgRef struct {
	ChatID    int64
	MessageID int
	Kind      MsgKind
	Text      string
}
