package flows

// NoticeKind names a message the bot sends; the transport renders each kind
// from its message catalog in the recipient's language.
type NoticeKind string

// Notice kinds. The Args each kind uses are listed beside it.
const (
	NoticeStranger         NoticeKind = "stranger"          // how to get a card
	NoticeHelp             NoticeKind = "help"              // role: household|cadre|leader
	NoticeBadCode          NoticeKind = "bad_code"          // unknown or rotated code
	NoticeCardFull         NoticeKind = "card_full"         // max
	NoticeInviteUsed       NoticeKind = "invite_used"       // a cadre invite already bound
	NoticeTooManyTries     NoticeKind = "too_many_tries"    // too many wrong codes this hour
	NoticeSlowDown         NoticeKind = "slow_down"         // flood control: messages are kept, the cadre is not flooded
	NoticeBoundOther       NoticeKind = "bound_other"       // the account is bound to someone else
	NoticeHouseholdCard    NoticeKind = "household_card"    // household, village, cadre, unit, phone
	NoticeCadreWelcome     NoticeKind = "cadre_welcome"     // name, unit, role
	NoticeRequestAck       NoticeKind = "request_ack"       // no
	NoticeFollowupAck      NoticeKind = "followup_ack"      // no (button: new request)
	NoticeNewRequest       NoticeKind = "new_request"       // no, household, village, text, kind (buttons)
	NoticeFollowup         NoticeKind = "followup"          // no, household, village, text, kind
	NoticeCopy             NoticeKind = "copy"              // Copy set; no text of its own
	NoticeCadreReply       NoticeKind = "cadre_reply"       // no, cadre, text, kind
	NoticeReplySent        NoticeKind = "reply_sent"        // no: to the cadre, that the answer went out
	NoticeContacted        NoticeKind = "contacted"         // no, cadre: to the household
	NoticeSolved           NoticeKind = "solved"            // no, cadre: to the household
	NoticeDeadlineSet      NoticeKind = "deadline_set"      // no, cadre, deadline: to the household
	NoticeResolved         NoticeKind = "resolved"          // no, cadre, note: to the household
	NoticeNewCadre         NoticeKind = "new_cadre"         // cadre, unit, phone: the household was moved
	NoticeMyRequests       NoticeKind = "my_requests"       // List
	NoticeTimeline         NoticeKind = "timeline"          // no; List (one line per event)
	NoticeOpenRequests     NoticeKind = "open_requests"     // List
	NoticeNoRoute          NoticeKind = "no_route"          // a cadre wrote without replying to a request
	NoticeForbidden        NoticeKind = "forbidden"         // not yours to do
	NoticeUnsupported      NoticeKind = "unsupported"       // stickers and the like
	NoticeLangSet          NoticeKind = "lang_set"          // the language was changed
	NoticeRequestClosed    NoticeKind = "request_closed"    // no: a reply to a closed request
	NoticeCadreUnreachable NoticeKind = "cadre_unreachable" // no: to the household, whose request went to the unit's leader
	NoticeRequestWaiting   NoticeKind = "request_waiting"   // no, cadre, phone, reason (unbound|unreachable): to the household, whose request waits for its cadre
	NoticeReminder         NoticeKind = "reminder"          // no, household, village, text: no first response yet
	NoticeEscalation       NoticeKind = "escalation"        // no, household, village, text, cadre, reason (no_response|unreachable|late|reopened), deadline
	NoticeDeadlineSoon     NoticeKind = "deadline_soon"     // no, household, deadline
	NoticeOverdue          NoticeKind = "overdue"           // no, household, village, cadre, deadline
	NoticeDefaultDeadline  NoticeKind = "default_deadline"  // no, deadline: to the cadre
	NoticeDeadlinePrompt   NoticeKind = "deadline_prompt"   // no; move: "1" when moving (a reason is needed)
	NoticeDeadlineFormat   NoticeKind = "deadline_format"   // no; move
	NoticeDeadlineMoved    NoticeKind = "deadline_moved"    // no, cadre, deadline, reason: to the household
	NoticeDeadlineConfirm  NoticeKind = "deadline_confirm"  // no, deadline, move, reason: to the cadre, that the date was set and the household told
	NoticeVerdictAsk       NoticeKind = "verdict_ask"       // no, cadre: to the household (buttons)
	NoticeThanks           NoticeKind = "thanks"            // no
	NoticeReopened         NoticeKind = "reopened"          // no, household, village, why: to the cadre (and leaders)
	NoticeReopenAck        NoticeKind = "reopen_ack"        // no: to the household
	NoticeClosedUnrated    NoticeKind = "closed_unrated"    // no: to the household
	NoticeCategoryPrompt   NoticeKind = "category_prompt"   // no (buttons: the categories)
	NoticeResolvePrompt    NoticeKind = "resolve_prompt"    // no: to the cadre, whose reply is the note
	NoticeResolveNote      NoticeKind = "resolve_note"      // no, cadre, note: to the household
	NoticeDigest           NoticeKind = "digest"            // Digest
	NoticeDigestChart      NoticeKind = "digest_chart"      // week, unit: a PNG made when sent
	NoticeDigestSheet      NoticeKind = "digest_sheet"      // week, unit: an .xlsx made when sent
	NoticeRoleEnded        NoticeKind = "role_ended"        // to an official taken off the roster: the account is unbound
	NoticeNudge            NoticeKind = "nudge"             // n, days; List (Who, Village, Deadline: last contact, Summary: days since): a cadre's coverage list (buttons)
	NoticeHouseholdPage    NoticeKind = "household_page"    // household, village, phone, address, last, days: a household's page, to staff
	NoticeCheckin          NoticeKind = "checkin"           // cadre, unit, phone: a check-in, to the household (buttons)
	NoticeCheckinOK        NoticeKind = "checkin_ok"        // the household said all is well
	NoticeCheckinTalk      NoticeKind = "checkin_talk"      // the household has something to say: its next message is a request
)

// Action is what a button or command does to a request.
type Action string

// Actions. Their short names travel in callback data, so keep them short.
const (
	ActCreate       Action = "new" // a household asked (also: split a follow-up off)
	ActFollowup     Action = "fu"  // a household added to a request
	ActReply        Action = "re"  // a cadre answered
	ActContact      Action = "ct"  // a cadre marked first contact
	ActSolve        Action = "ss"  // solved on the spot (立行立改)
	ActDeadline     Action = "dl"  // set or move a deadline; Arg: days
	ActResolve      Action = "rs"  // the cadre says done
	ActReassign     Action = "ra"  // the roster moved the household to another cadre (was "mv")
	ActSplit        Action = "sp"  // a household splits a follow-up into a new request; Arg: event index
	ActTimeline     Action = "tl"  // show the timeline (no change)
	ActMoveDeadline Action = "md"  // move a deadline (needs a date and a reason; was "mv2")
	ActSolvedQ      Action = "vs"  // the household answers "solved?"; Arg: y or n
	ActRate         Action = "vr"  // the household rates; Arg: 3, 2 or 1
	ActClose        Action = "cl"  // closed (after a verdict, or unrated)
	ActRemind       Action = "rm"  // a reminder went out
	ActEscalate     Action = "es"  // the unit's leader was told
	ActOverdue      Action = "od"  // the deadline passed
	ActAsk          Action = "ak"  // the household was asked for its verdict
	ActCategory     Action = "cg"  // set the request's category; Arg: index in Categories ("" asks)
)

// Button is a button under a notice: an action on a request.
type Button struct {
	Action    Action
	RequestID int64
	Arg       string
	// Label, when set, is the button's text as is (a unit's or a cadre's
	// name); otherwise the catalog names the button.
	Label string `json:",omitempty"`
}

// CopyRef asks the transport to copy a message (media) instead of writing text.
type CopyRef struct {
	FromChatID int64
	MessageID  int
}

// ListItem is one line of a list notice.
type ListItem struct {
	RequestID int64
	State     State
	Summary   string
	Deadline  string // formatted date, "" if none
	Late      bool
	Who       string // household (for cadres) or cadre name (for overviews)
	Village   string
	Note      string // an event's note, in a timeline for staff
	// Of a visit in /visits (RequestID is the visit's id): its notes and
	// the requests recorded in it.
	Notes, Recorded int `json:",omitempty"`
}

// Notice is one message to send to one chat. Notices are queued in the
// store's outbox in the same atomic step as the change that caused them.
type Notice struct {
	ChatID    int64
	Lang      string
	Kind      NoticeKind
	RequestID int64             // links the sent message to a request, so replies route
	Args      map[string]string `json:",omitempty"`
	List      []ListItem        `json:",omitempty"`
	Buttons   [][]Button        `json:",omitempty"`
	Copy      *CopyRef          `json:",omitempty"`
	Silent    bool              `json:",omitempty"`
	// Prompt marks a message whose Telegram reply is an answer to a
	// question (a date for ActDeadline or ActMoveDeadline), not a message to pass on.
	Prompt Action `json:",omitempty"`
	// Digest is the weekly digest a NoticeDigest shows (without its
	// request list, which only the spreadsheet carries).
	Digest *Digest `json:",omitempty"`
}
