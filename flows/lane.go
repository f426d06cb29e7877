package flows

// Lane is a priority class of the outbox. Under the global send rate a
// higher lane always goes first; a lower lane with a message ready still
// gets at least one send in every LaneFairness (see the sender in bot).
type Lane int

// The outbox lanes, highest priority first.
const (
	// LaneInteractive: someone is waiting for this message now (a
	// household's confirmation, a new request or follow-up to the cadre, a
	// cadre's reply, answers to commands and buttons).
	LaneInteractive Lane = iota
	// LaneLifecycle: news about a request that is not an answer to a tap
	// (deadline set, verdict questions, reopen notices).
	LaneLifecycle
	// LaneBulk: what can wait a little (reminders, escalations, digests,
	// coverage nudges, check-ins).
	LaneBulk
)

// LaneLegacy names, for Outbox.Next, the single queue of the versions
// before lanes: entries still in it after an upgrade are sent in their lane.
const LaneLegacy Lane = -1

// Lanes is the number of lanes.
const Lanes = 3

// LaneFairness bounds the wait of a lower lane: while a lane has a message
// ready to send, at least one of every LaneFairness sends goes to it.
const LaneFairness = 8

// String names the lane (in metrics and logs).
func (l Lane) String() string {
	switch l {
	case LaneInteractive:
		return "interactive"
	case LaneLifecycle:
		return "lifecycle"
	}
	return "bulk"
}

// laneRule is one row of the lane table.
type laneRule struct {
	lane Lane
	// merge: to one person, notices of this kind that fall due within the
	// batch window are sent as one message listing the requests.
	merge bool
}

// laneTable is the only place that decides a notice's lane. A row is a
// notice kind, or "<kind>/<reason>" for a kind whose urgency depends on its
// reason argument. A kind missing here goes in DefaultLane: add a row when
// adding a notice kind.
var laneTable = map[string]laneRule{
	// interactive: the household-cadre conversation and answers to taps
	string(NoticeStranger):         {lane: LaneInteractive},
	string(NoticeHelp):             {lane: LaneInteractive},
	string(NoticeBadCode):          {lane: LaneInteractive},
	string(NoticeCardFull):         {lane: LaneInteractive},
	string(NoticeInviteUsed):       {lane: LaneInteractive},
	string(NoticeTooManyTries):     {lane: LaneInteractive},
	string(NoticeSlowDown):         {lane: LaneInteractive},
	string(NoticeBoundOther):       {lane: LaneInteractive},
	string(NoticeHouseholdCard):    {lane: LaneInteractive},
	string(NoticeCadreWelcome):     {lane: LaneInteractive},
	string(NoticeRequestAck):       {lane: LaneInteractive},
	string(NoticeFollowupAck):      {lane: LaneInteractive},
	string(NoticeNewRequest):       {lane: LaneInteractive},
	string(NoticeFollowup):         {lane: LaneInteractive},
	string(NoticeCopy):             {lane: LaneInteractive},
	string(NoticeCadreReply):       {lane: LaneInteractive},
	string(NoticeReplySent):        {lane: LaneInteractive},
	string(NoticeContacted):        {lane: LaneInteractive},
	string(NoticeSolved):           {lane: LaneInteractive},
	string(NoticeMyRequests):       {lane: LaneInteractive},
	string(NoticeTimeline):         {lane: LaneInteractive},
	string(NoticeOpenRequests):     {lane: LaneInteractive},
	string(NoticeNoRoute):          {lane: LaneInteractive},
	string(NoticeForbidden):        {lane: LaneInteractive},
	string(NoticeUnsupported):      {lane: LaneInteractive},
	string(NoticeLangSet):          {lane: LaneInteractive},
	string(NoticeRequestClosed):    {lane: LaneInteractive},
	string(NoticeCadreUnreachable): {lane: LaneInteractive},
	string(NoticeRequestWaiting):   {lane: LaneInteractive},
	string(NoticeDeadlinePrompt):   {lane: LaneInteractive},
	string(NoticeDeadlineFormat):   {lane: LaneInteractive},
	string(NoticeDeadlineConfirm):  {lane: LaneInteractive},
	string(NoticeCategoryPrompt):   {lane: LaneInteractive},
	string(NoticeResolvePrompt):    {lane: LaneInteractive},
	string(NoticeThanks):           {lane: LaneInteractive},
	string(NoticeReopenAck):        {lane: LaneInteractive},
	// the request's cadre cannot be reached: the leader is the only one
	// who gets the household's request, so it is not bulk
	string(NoticeEscalation) + "/unreachable": {lane: LaneInteractive},
	// notes, transfers and send-backs: prompts and confirmations to the one
	// who tapped, and a transferred request reaching its new handler
	string(NoticeNotePrompt):     {lane: LaneInteractive},
	string(NoticeNoteAdded):      {lane: LaneInteractive},
	string(NoticeTransferPick):   {lane: LaneInteractive},
	string(NoticeTransferReason): {lane: LaneInteractive},
	string(NoticeTransferDone):   {lane: LaneInteractive},
	string(NoticeAssignDone):     {lane: LaneInteractive},
	string(NoticeSendBackPrompt): {lane: LaneInteractive},
	string(NoticeSendBackDone):   {lane: LaneInteractive},
	string(NoticeReasonNeeded):   {lane: LaneInteractive},
	string(NoticeTransferIn):     {lane: LaneInteractive},
	string(NoticeAssigned):       {lane: LaneInteractive},
	string(NoticeHelperPick):     {lane: LaneInteractive},
	string(NoticeHelperDone):     {lane: LaneInteractive},
	// coverage and check-ins: answers to the tap of a household or a cadre
	string(NoticeHouseholdPage): {lane: LaneInteractive},
	string(NoticeCheckinOK):     {lane: LaneInteractive},
	string(NoticeCheckinTalk):   {lane: LaneInteractive},
	// visits, recorded requests and phone verdicts (issue 16): answers to
	// the cadre's or leader's commands, taps and diary notes (a visit's
	// summary too: the cadre ended it, or it is the visit's last word), and
	// a recorded request reaching the household's cadre as a new request
	string(NoticeVisitPick):      {lane: LaneInteractive},
	string(NoticeVisitNoMatch):   {lane: LaneInteractive},
	string(NoticeVisitHousehold): {lane: LaneInteractive},
	string(NoticeVisitOpened):    {lane: LaneInteractive},
	string(NoticeVisitNoted):     {lane: LaneInteractive},
	string(NoticeVisitFull):      {lane: LaneInteractive},
	string(NoticeRecordPrompt):   {lane: LaneInteractive},
	string(NoticeRecorded):       {lane: LaneInteractive},
	string(NoticeVisitSummary):   {lane: LaneInteractive},
	string(NoticeVisitsList):     {lane: LaneInteractive},
	string(NoticeRevisitsHead):   {lane: LaneInteractive},
	string(NoticeRevisit):        {lane: LaneInteractive},
	string(NoticePhoneVerdict):   {lane: LaneInteractive},
	// lifecycle: news about a request, nobody tapped for it just now
	string(NoticeRecordedToHH):    {lane: LaneLifecycle}, // the household learns of a request recorded for it
	string(NoticeTransferred):     {lane: LaneLifecycle},
	string(NoticeSentBack):        {lane: LaneLifecycle},
	string(NoticeBackHome):        {lane: LaneLifecycle},
	string(NoticeHelperIn):        {lane: LaneLifecycle},
	string(NoticeStep):            {lane: LaneLifecycle},
	string(NoticeDeadlineSet):     {lane: LaneLifecycle},
	string(NoticeDeadlineMoved):   {lane: LaneLifecycle},
	string(NoticeResolved):        {lane: LaneLifecycle},
	string(NoticeResolveNote):     {lane: LaneLifecycle},
	string(NoticeVerdictAsk):      {lane: LaneLifecycle},
	string(NoticeReopened):        {lane: LaneLifecycle},
	string(NoticeClosedUnrated):   {lane: LaneLifecycle},
	string(NoticeNewCadre):        {lane: LaneLifecycle},
	string(NoticeRoleEnded):       {lane: LaneLifecycle},
	string(NoticeDefaultDeadline): {lane: LaneLifecycle},
	// bulk: what the clock sends
	string(NoticeReminder):     {lane: LaneBulk, merge: true},
	string(NoticeEscalation):   {lane: LaneBulk, merge: true},
	string(NoticeDeadlineSoon): {lane: LaneBulk},
	string(NoticeOverdue):      {lane: LaneBulk},
	string(NoticeDigest):       {lane: LaneBulk},
	string(NoticeDigestChart):  {lane: LaneBulk},
	string(NoticeDigestSheet):  {lane: LaneBulk},
	string(NoticeNudge):        {lane: LaneBulk},
	string(NoticeCheckin):      {lane: LaneBulk},
}

// DefaultLane is the lane of a notice kind the table does not name: in the
// middle, so a new kind neither waits behind a backlog of reminders nor
// delays a conversation.
const DefaultLane = LaneLifecycle

func ruleOf(n Notice) laneRule {
	if r, ok := laneTable[string(n.Kind)+"/"+n.Args["reason"]]; ok && n.Args["reason"] != "" {
		return r
	}
	if r, ok := laneTable[string(n.Kind)]; ok {
		return r
	}
	return laneRule{lane: DefaultLane}
}

// LaneOf returns the lane a notice is sent in.
func LaneOf(n Notice) Lane { return ruleOf(n).lane }

// Mergeable reports whether the notice may be merged with others of its
// kind to the same chat into one message (reminders, escalations).
func Mergeable(n Notice) bool { return ruleOf(n).merge && n.Copy == nil && n.RequestID != 0 }
