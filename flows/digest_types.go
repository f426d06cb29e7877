package flows

import "time"

// Rate is a ratio with its parts, so that an empty denominator shows "—"
// rather than 0% or 100%.
type Rate struct {
	Num, Den int
}

// Value returns the rate in [0, 1]; ok is false when the denominator is 0.
func (r Rate) Value() (float64, bool) {
	if r.Den == 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// Week is an ISO week in the county's time zone, Monday to Sunday.
type Week struct {
	Year, Number int
	Start, End   time.Time // Monday 00:00 and the next Monday 00:00
}

// Rates are the three rates of the 12345 hotlines, and the on-time rate.
type Rates struct {
	Response     Rate // 响应率: received in the week and first response within sla.first_response ÷ received
	Resolution   Rate // 解决率: verdicts "solved" ÷ verdicts given in the week
	Satisfaction Rate // 满意率: verdicts 满意 or 基本满意 ÷ verdicts given in the week
	OnTime       Rate // resolved by their deadline ÷ resolved in the week
}

// DigestRow is one line of a digest's table: a unit, a cadre or a village.
type DigestRow struct {
	Name                 string
	Received, Open, Late int
	Resolved             int
	Rates                Rates
	// Transfers of the week (county view: per unit): in, out, and the
	// unit's send-backs of transfers it received.
	TransfersIn, TransfersOut, SentBack int
}

// LateItem is one of the oldest late requests.
type LateItem struct {
	RequestID int64
	Village   string
	Cadre     string
	DaysLate  int
	Summary   string
}

// CategoryCount counts the week's requests of one category ("" = none set).
type CategoryCount struct {
	Category string
	Count    int
}

// DigestRequest is one request of the week, for the spreadsheet.
type DigestRequest struct {
	ID            int64
	Household     string
	Village       string
	Cadre         string
	Unit          string
	Category      string
	Summary       string
	State         State
	Received      time.Time
	FirstResponse time.Time // zero if none
	Deadline      time.Time // zero if none
	Resolved      time.Time // zero if none
	Solved        string    // "yes", "no" or ""
	Rating        Rating
	Late          bool
	Path          []string // the units a transferred request went through; nil if never transferred
	Origin        string   // how it came in: "" (the household wrote), "visit" or "phone" (recorded by a cadre)
	VerdictVia    string   // how the latest verdict was given: "chat", "phone" (电话回访) or ""
}

// Digest is the weekly summary a leader receives.
type Digest struct {
	Unit   string // "" for the whole county
	County string
	Week   Week
	// Counts over the week (Open and Late: at the end of the week, or now).
	Received, RespondedInTime, Resolved, Closed, Open, Late int
	// Of Received, the requests cadres recorded on the households' behalf
	// (代录): on visits, and outside a visit (by phone); the rest the
	// households sent by message.
	RecordedOnVisits, RecordedByPhone int
	Rates                             Rates
	// Transfers of the week: into and out of the unit (the county: all
	// transfers, both counts), and send-backs made by the unit (the county:
	// all).
	TransfersIn, TransfersOut, SentBack int
	Previous                            Rates // last week's, for the arrows
	// MedianFirstResponse over the week's requests that got one.
	MedianFirstResponse time.Duration
	HasMedian           bool
	// Rows: per unit (county view) or per cadre (unit view); Villages only
	// in the unit view.
	Rows       []DigestRow
	Villages   []DigestRow
	OldestLate []LateItem // up to 10, oldest deadline first
	Categories []CategoryCount
	Requests   []DigestRequest
	// Coverage is the coverage section (nil in a digest built before it).
	Coverage *Coverage `json:",omitempty"`
}
