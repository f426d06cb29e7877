package flows

// Notices of visits, recorded requests and phone verdicts. The Args each
// kind uses are listed beside it.
const (
	NoticeVisitPick      NoticeKind = "visit_pick"      // List (Who, Village), page, pages, query (buttons: households, pages)
	NoticeVisitNoMatch   NoticeKind = "visit_nomatch"   // query
	NoticeVisitHousehold NoticeKind = "visit_household" // household, village, phone, address, open, last (buttons: start, record)
	NoticeVisitOpened    NoticeKind = "visit_opened"    // household, village, no (buttons: record, end)
	NoticeVisitNoted     NoticeKind = "visit_noted"     // n, kind (buttons: record, end)
	NoticeVisitFull      NoticeKind = "visit_full"      // max: the diary is full, end the visit
	NoticeRecordPrompt   NoticeKind = "record_prompt"   // household
	NoticeRecorded       NoticeKind = "recorded"        // no, household, village, text, kind, by, origin: to the cadre (buttons)
	NoticeRecordedToHH   NoticeKind = "recorded_hh"     // no, cadre, text, kind, origin: to the household
	NoticeVisitSummary   NoticeKind = "visit_summary"   // household, village, start, end, dur, notes, texts, voices, photos, places, requests, auto; List (the requests)
	NoticeVisitsList     NoticeKind = "visits_list"     // List (RequestID = visit id, Who, Village, Deadline = when, Summary = visitor, Notes, Recorded, Late = open)
	NoticeRevisitsHead   NoticeKind = "revisits_head"   // n
	NoticeRevisit        NoticeKind = "revisit"         // no, household, village, phone, text, note, cadre (buttons: verdict)
	NoticePhoneVerdict   NoticeKind = "phone_verdict"   // no, result (solved|unsolved|rated|unreached)
)

// Actions of visits and phone verdicts. For the visit buttons RequestID is
// a visit id, a household handle (HouseholdHandle) or a page number.
const (
	ActVisitPage   Action = "vp" // show a page of /visit's list; RequestID: page (from 1)
	ActVisitHH     Action = "vh" // show a household's page; RequestID: handle
	ActVisitOpen   Action = "vo" // open a visit; RequestID: handle
	ActVisitRecHH  Action = "vq" // record a request for a household; RequestID: handle
	ActVisitRecord Action = "vn" // record a request in a visit; RequestID: visit
	ActVisitEnd    Action = "ve" // end a visit; RequestID: visit
	ActPhoneSolved Action = "pv" // a leader records "solved?" heard by phone; Arg: y or n
	ActPhoneRate   Action = "pr" // a leader records the rating heard by phone; Arg: 3, 2 or 1
	ActUnreached   Action = "pu" // a leader could not reach the household by phone
)

// visitActions are the actions handled by visitPress, not on a request.
var visitActions = map[Action]bool{
	ActVisitPage: true, ActVisitHH: true, ActVisitOpen: true, ActVisitRecHH: true, ActVisitRecord: true, ActVisitEnd: true,
}

// phoneActions are the leader's phone verdict buttons.
var phoneActions = map[Action]bool{ActPhoneSolved: true, ActPhoneRate: true, ActUnreached: true}

// Actors of timeline events.
func actorPhone(id string) string { return "phone:" + id }
