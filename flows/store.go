package flows

import (
	"context"
	"time"
)

// AccountKind says who a bound Telegram account speaks for.
type AccountKind string

// Account kinds.
const (
	AccountHousehold AccountKind = "household"
	AccountCadre     AccountKind = "cadre" // cadres and leaders
)

// Account is a messaging account bound to a household or a cadre.
type Account struct {
	ID   int64
	Kind AccountKind
	Ref  string // household or cadre id
	Lang string // the language chosen with /lang, or the client's at binding
	// Unreachable is set when Telegram refused delivery (blocked, 403).
	Unreachable bool
	// TalkUntil, while after now, makes the household's next message a new
	// request (it pressed 有事要说 under a check-in).
	TalkUntil time.Time
}

// CardState is what the store keeps of a household's card or a cadre's
// invite: never its code (see CodeCheck).
type CardState struct {
	// Rotation counts the rotations so far; the code is derived from it.
	Rotation int
	// Check is the CodeCheck of the current code; "" until one is made.
	Check string
	// Legacy is the CodeCheck of a code printed before codes were derived;
	// it binds too, until the next rotation. "" if none.
	Legacy string
}

// NewCard is the first code of a holder: its check, at a rotation.
type NewCard struct {
	Kind     AccountKind
	ID       string
	Rotation int
	Check    string
}

// Change is one atomic step of a request's life: its new state, the timeline
// event that explains it, and the notices it causes. The store applies all of
// it or none, and only if the request is still at Prev's version.
type Change struct {
	Prev    *Request // nil when the request is new
	Request Request
	Event   Event
	Notices []Notice
	// Guard makes the change idempotent: a change whose guard was already
	// used returns EDUPLICATE and changes nothing. "" means no guard.
	Guard string
	// Schedule (re)schedules stages of the request; one entry per stage, a
	// later time replacing an earlier one.
	Schedule []Due
	// Release ends the lease of the due item being handled, if any.
	Release *Due
	// Week is the label of the week the event falls in: the request joins
	// that week's index, so a week's digest reads only that week's requests.
	Week string
	// Household, when set, makes the change fail with ENOTFOUND unless the
	// household is still on record: a message read just before Forget must
	// not bring back a request of an erased household.
	Household string
	// Contact, when set, records a contact with the household in the same
	// step (see ContactStore.Contact).
	Contact *Contact
}

// Stage is a scheduled check on a request.
type Stage string

// Stages, in the order a request meets them.
const (
	StageRemind     Stage = "remind"   // first-response reminder to the cadre
	StageEscalate   Stage = "escalate" // no first response: tell the unit's leader
	StageAutoDue    Stage = "autodue"  // responded but no deadline: apply the default
	StageDueSoon    Stage = "soon"     // deadline a day away: remind the cadre
	StageOverdue    Stage = "overdue"  // deadline passed: tell the cadre and the leader
	StageAsk        Stage = "ask"      // resolved, no verdict: ask once more
	StageCloseQuiet Stage = "close"    // resolved, still no verdict: close unrated
)

// Due is a stage of a request that falls due at At.
type Due struct {
	RequestID int64
	Stage     Stage
	At        time.Time
}

// Scheduler keeps due items in time order, so that a sweep costs O(due).
type Scheduler interface {
	// ClaimDue leases up to n items due at or before now (and items whose
	// lease expired) until now+lease, so that no other sweeper takes them.
	ClaimDue(ctx context.Context, now time.Time, n int, lease time.Duration) ([]Due, error)
	// ReleaseDue ends a lease without a change (the stage no longer applies).
	ReleaseDue(ctx context.Context, d Due) error
}

// Store keeps Minqing's state. The store package implements it on Redis.
// Missing things are reported with an *Error of code ENOTFOUND.
type Store interface {
	Scheduler
	IntakeStore
	RosterStore
	AccountStore
	RequestStore
	PrivacyStore
	ContactStore
	ReachStore
	VisitStore
	// Enqueue queues notices in the outbox, once per guard ("" = no guard).
	Enqueue(ctx context.Context, guard string, notices []Notice) error
}

// Queued is a notice waiting in the outbox.
type Queued struct {
	ID     string // the queue's id of the entry
	Notice Notice
	// Again is set when the entry was handed out before (after a restart or
	// a takeover): it may have been sent already.
	Again bool
	// Lane is the lane the notice is sent in (LaneOf), At when it was queued.
	Lane Lane
	At   time.Time
}

// Delivered is an outbox entry sent (or given up on) and the ids of the
// messages Telegram made of it.
type Delivered struct {
	Queued     Queued
	MessageIDs []int
}

// Outbox is the consumer side of the outbox: the sender reads notices,
// sends them and records what it sent. Delivery is at least once; Sent
// lets a sender skip an entry it already sent before a crash.
type Outbox interface {
	// Next returns up to n notices queued in lane l (or, for LaneLegacy, in
	// the single queue of versions before lanes) for consumer, waiting up to
	// block. Entries another consumer left unfinished for longer than stale
	// are taken over.
	Next(ctx context.Context, consumer string, l Lane, n int, block, stale time.Duration) ([]Queued, error)
	// Sent reports whether the entry was already sent.
	Sent(ctx context.Context, id string) (bool, error)
	// DoneAll records, in one write, that each entry was sent as its
	// message ids (linking them to its request) and removes the entries
	// from the queue. It is idempotent.
	DoneAll(ctx context.Context, ds []Delivered) error
	// Touch tells the queue that consumer still holds the entries, so no
	// other consumer takes them over while they wait in its hands.
	TouchOutbox(ctx context.Context, consumer string, ids []string) error
}

// Inbound is a raw update stored in the inbox.
type Inbound struct {
	ID       string // the queue's id of the entry
	UpdateID int64
	ChatID   int64 // for per-chat ordering; 0 when the update has no chat
	Raw      []byte
}

// Inbox stores updates before they are confirmed to Telegram, and hands them
// to workers at least once.
type Inbox interface {
	// Put stores an update once per update id (as a set, not "greater than
	// last"). It reports whether the update was new.
	Put(ctx context.Context, in Inbound) (bool, error)
	// PutAll stores several updates (as Put does each) in order, at once.
	PutAll(ctx context.Context, ins []Inbound) error
	// Take returns up to n stored updates for consumer, waiting up to block;
	// entries left unfinished by another consumer for longer than stale are
	// taken over.
	Take(ctx context.Context, consumer string, n int, block, stale time.Duration) ([]Inbound, error)
	// FinishAll removes processed updates, in one write.
	FinishAll(ctx context.Context, ids []string) error
	// TouchInbox tells the queue that consumer still holds the entries.
	TouchInbox(ctx context.Context, consumer string, ids []string) error
}

// RosterStore keeps cadres, households and their card codes.
type RosterStore interface {
	// BeginImport starts a roster import (see RosterImport): it takes the
	// import lock, one import at a time (ECONFLICT when another import
	// holds it too long), and settles what an earlier import left: writes
	// of one killed before its switch are rolled back; one killed after it
	// is Pending, its follow-ups still to run. Cards and invites are kept.
	BeginImport(ctx context.Context) (RosterImport, error)
	// Roster returns the roster in force.
	Roster(ctx context.Context) (Roster, error)
	// Cadre returns a cadre's record in force, with OnRoster set when the
	// cadre is on the roster in force; a cadre taken off the roster is still
	// found (their name shows on old requests).
	Cadre(ctx context.Context, id string) (Cadre, error)
	Cadres(ctx context.Context, ids []string) ([]Cadre, error)
	Household(ctx context.Context, id string) (Household, error)
	// Staff lists every cadre and leader on the roster.
	Staff(ctx context.Context) ([]Cadre, error)
	// HouseholdNames returns the names of the given households, by id
	// (ids not on record are left out).
	HouseholdNames(ctx context.Context, ids []string) (map[string]string, error)
	// OnRoster reports whether a household (kind household) or a cadre is
	// on the roster in force.
	OnRoster(ctx context.Context, kind AccountKind, id string) (bool, error)
	// RotateCode gives a household (or cadre) a new code, checked by check,
	// at rotation from.Rotation+1. The codes from checks (the current and
	// any legacy one) stop binding; accounts already bound stay bound. It
	// is ECONFLICT when the card changed since from was read, and succeeds
	// without a change when it is a retry of itself.
	RotateCode(ctx context.Context, kind AccountKind, id string, from CardState, check string) error
	// UnitLeaders lists the leaders of a unit ("" = the county-wide ones).
	UnitLeaders(ctx context.Context, unit string) ([]Cadre, error)
	// CardState returns the card of a household (kind household) or the
	// invite of a cadre (ENOTFOUND when there is no such holder on record).
	CardState(ctx context.Context, kind AccountKind, id string) (CardState, error)
	// CardStates returns the card of every household (kind household) or
	// the invite of every cadre (kind cadre) on the roster, keyed by id.
	CardStates(ctx context.Context, kind AccountKind) (map[string]CardState, error)
	// AddCards gives each holder that is on record, still at the card's
	// rotation and without a code yet the card's check, which binds from
	// then on; other cards are skipped.
	AddCards(ctx context.Context, cards []NewCard) error
}

// RosterImport is a roster import in progress; it holds the import lock
// until Close. The new roster is staged under a new version, invisible to
// every reader, until Switch makes it the roster in force in one atomic
// step; so an import killed at any point leaves the old roster or the new
// one, never a mix. Switch journals the follow-ups, which run exactly once
// (each is marked done in the same step as its effect); a later import
// finishes them if this one is killed.
type RosterImport interface {
	// Pending returns the journal of an earlier import that switched but
	// did not finish (nil if none): run its follow-ups, then Finish it,
	// before staging.
	Pending() *ImportJournal
	// Stage writes the new roster, in chunks whatever its size. Cards and
	// invites are kept; new holders get theirs after the switch (AddCards).
	Stage(ctx context.Context, r Roster) error
	// Switch makes the staged roster the roster in force and journals the
	// follow-ups: moved, the households now with another cadre, to tell;
	// ended, the officials taken off the roster, to tell and unbind.
	Switch(ctx context.Context, moved, ended []string) (ImportJournal, error)
	// FollowUps returns up to n follow-ups of a kind not yet done.
	FollowUps(ctx context.Context, j ImportJournal, kind FollowUpKind, n int) ([]string, error)
	// Follow does follow-ups once each: for each, it unbinds the account
	// (nil: none; only while it is still bound where it says), queues the
	// notices (when there was nothing to unbind or the account was
	// unbound) and marks the follow-up done, all in one step. A follow-up
	// done before changes nothing.
	Follow(ctx context.Context, fs []Followed) error
	// Finish tidies the records after the switch and ends the journal.
	Finish(ctx context.Context, j ImportJournal) error
	// Close releases the import lock; an import that did not switch is
	// rolled back.
	Close(ctx context.Context) error
}

// ImportJournal names an import that switched.
type ImportJournal struct {
	Version int64 // the roster version the import made
}

// FollowUpKind says what a follow-up of an import does.
type FollowUpKind string

// Follow-up kinds.
const (
	FollowMoved FollowUpKind = "moved" // tell a household who its new cadre is
	FollowEnded FollowUpKind = "ended" // tell an official the role ended; unbind the account
)

// FollowUp is one follow-up of an import: a household or cadre id.
type FollowUp struct {
	Version int64
	Kind    FollowUpKind
	ID      string
}

// Followed is a follow-up and its effect: an account to unbind (nil: none)
// and the notices to queue.
type Followed struct {
	FollowUp
	Unbind  *Account
	Notices []Notice
}

// AccountStore keeps the bindings of messaging accounts.
type AccountStore interface {
	// Bind binds account to the card whose code has the given check
	// (CodeCheck). A household card binds up to max accounts (EFULL past
	// that), a cadre invite exactly one. An unknown check is ENOTFOUND; an
	// account bound to someone else ECONFLICT. Binding the same account
	// again succeeds and changes nothing.
	Bind(ctx context.Context, check string, account Account, max int) (Account, error)
	Account(ctx context.Context, id int64) (Account, error)
	SetLang(ctx context.Context, id int64, lang string) error
	// Count adds one (when add) to a counter that lives for window and
	// returns its value: wrong card codes, messages a minute.
	Count(ctx context.Context, name string, window time.Duration, add bool) (int64, error)
	// SetUnreachable marks an account as one Telegram refuses to deliver
	// to (true), or as reachable again (false).
	SetUnreachable(ctx context.Context, id int64, unreachable bool) error
	HouseholdAccounts(ctx context.Context, householdID string) ([]Account, error)
	// AccountsOfHouseholds returns the accounts of many households at
	// once, by household id (households without accounts are left out).
	AccountsOfHouseholds(ctx context.Context, ids []string) (map[string][]Account, error)
	// CadreAccount returns the bound account of a cadre on the roster in
	// force (ENOTFOUND if none, or if the cadre is off the roster).
	CadreAccount(ctx context.Context, cadreID string) (Account, error)
	// BoundAccounts returns the accounts bound to a household's card or a
	// cadre's invite (kind), on the roster or not.
	BoundAccounts(ctx context.Context, kind AccountKind, ref string) ([]Account, error)
	// Unbind cuts an account off the card or invite it is bound to (and
	// its reply links), in one step; false if it was not bound there.
	Unbind(ctx context.Context, a Account) (bool, error)
}

// RequestStore keeps requests, their timelines and their indexes.
type RequestStore interface {
	NextRequestID(ctx context.Context) (int64, error)
	Request(ctx context.Context, id int64) (Request, error)
	Requests(ctx context.Context, ids []int64) ([]Request, error)
	// Apply stores c atomically (see Change).
	Apply(ctx context.Context, c Change) error
	Timeline(ctx context.Context, id int64) ([]Event, error)
	// OpenRequests lists the ids of open requests of a cadre, a household,
	// a unit or the county (scope "" with kind ScopeCounty), oldest first.
	OpenRequests(ctx context.Context, scope Scope) ([]int64, error)
	// WeekRequests lists the requests with an event in the week (by label).
	WeekRequests(ctx context.Context, week string) ([]int64, error)
	// Timelines loads the timelines of many requests at once.
	Timelines(ctx context.Context, ids []int64) (map[int64][]Event, error)
	// Claim records that a one-time job (key) ran, and reports whether this
	// caller is the first: a digest occurrence goes out once across
	// replicas and restarts.
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Recent lists a household's latest requests, newest first.
	Recent(ctx context.Context, householdID string, n int) ([]int64, error)
	// Linked returns the request a sent message belongs to, and the prompt
	// it asked if any (ENOTFOUND if none).
	Linked(ctx context.Context, chatID int64, messageID int) (Link, error)
}

// Link is what a sent message is about.
type Link struct {
	RequestID int64
	Prompt    Action
}

// ScopeKind says what a Scope selects.
type ScopeKind string

// Scope kinds.
const (
	ScopeCadre     ScopeKind = "cadre"
	ScopeHousehold ScopeKind = "household"
	ScopeUnit      ScopeKind = "unit"
	ScopeCounty    ScopeKind = "county"
)

// Scope selects a set of requests.
type Scope struct {
	Kind ScopeKind
	ID   string
}

// Settings are the rules a Service runs by.
type Settings struct {
	MaxHouseholdAccounts int
	FirstResponse        time.Duration
	EscalateAfter        time.Duration
	DefaultDeadline      time.Duration
	VerdictWait          time.Duration
	Location             *time.Location
	DefaultLang          string
	County               string // the county's name, for digests
	FloodPerMinute       int    // messages a minute from one account before it is slowed down; 0 = no limit
	// Quiet are the quiet hours (quiet_hours), in Location: reminders wait
	// until they end, and new requests reach cadres silently. The zero
	// Window is none.
	Quiet Window
	// EveReminder is the time of day, since midnight in Location, at which a
	// cadre is reminded of a deadline on the day before it (sla.eve_reminder).
	EveReminder time.Duration
	// WorkingDay reports whether t's day is a working day; nil means SLAs
	// count calendar time.
	WorkingDay func(t time.Time) bool
	// VisitsEvery is visits.every: a household not contacted for this long
	// goes on its cadre's coverage list (0 means 30 days).
	VisitsEvery time.Duration
	// CheckinAfter is checkin.after: a bound household silent for this long
	// gets a check-in; 0 turns check-ins off.
	CheckinAfter time.Duration
	// VisitMaxOpen is how long a visit stays open before it ends by itself
	// (visits.max_open); 0 means 3 hours.
	VisitMaxOpen time.Duration
}

// Intake is everything a household's message needs, read at once.
type Intake struct {
	Account      Account
	Household    Household // zero unless the account is a household's
	Latest       *Request  // the household's latest open request, if any
	Cadre        Cadre     // the household's cadre
	CadreAccount *Account  // nil when the cadre never bound the invite
	Flood        int64     // this account's messages in the flood window, this one included (0 = not counted)
}

// IntakeStore reads an incoming message's context in one round trip.
type IntakeStore interface {
	// Intake loads the sender's account and, for a household, its record,
	// latest open request, cadre and the cadre's account; when flood is not
	// "", it also counts the message in that counter (living for window).
	// A stranger is ENOTFOUND.
	Intake(ctx context.Context, accountID int64, flood string, window time.Duration) (Intake, error)
}
