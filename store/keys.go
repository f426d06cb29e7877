package store

import (
	"strconv"

	"github.com/minqing/minqing/flows"
)

// keys builds every Redis key Minqing uses. All keys share one prefix and
// one hash tag ({namespace}), so a county's keys live in one cluster slot and
// multi-key scripts are cluster-safe; a province shards by county.
//
//	<p>cadre:<id>           hash   name unit role phone v [p:name p:unit p:role p:phone pv] account,
//	                               and its invite: rot check legacy
//	<p>cadres               set    ids of the cadres on the roster
//	<p>hh:<id>              hash   name village cadre phone address v [p:… pv], and its card:
//	                               rot check legacy
//	                               (v: the roster version that wrote the fields; p:… and pv: the
//	                               data in force while an import that has not switched writes over
//	                               it; see versions.go)
//	<p>hh:<id>:accts        set    account ids bound to the household's card
//	<p>hh:<id>:traces       set    what forget cleans of the household besides its own keys: "w:<week>"
//	                               (it is in that week's contacted/visited sets), "h:<n>" (handle n
//	                               names it)
//	<p>hhs                  set    ids of the households on the roster
//	<p>card:<check>         string "household:<id>" or "cadre:<id>": the holder a code with
//	                               that check binds to (check = flows.CodeCheck(code), the hex
//	                               of the first 16 bytes of SHA-256; no code is ever stored:
//	                               rot counts rotations, check and legacy are the checks of the
//	                               current derived code and of a code printed before codes were
//	                               derived, see store/cards.go)
//	<p>migrated:<name>      string a one-time upgrade of stored data that ran ("plain-codes",
//	                               "resolved-index")
//	<p>count:<name>:<window> string a rate counter (wrong codes, flood control), expiring
//	<p>acct:<id>            hash   kind ref lang [unreachable] [talk: ms until which the household's
//	                               next message is a new request (有事要说 under a check-in)]
//	<p>req:seq              string last request number
//	<p>req:<id>             hash   v (version) d (JSON of flows.Request)
//	<p>req:<id>:tl          list   JSON events (the timeline)
//	<p>open:<scope>:<id>    zset   open request ids by creation (cadre, hh, unit, all); a cadre's
//	                               also holds the transferred requests of the cadre's households
//	<p>open:resolved:unit:<unit>, <p>open:resolved:all:
//	                        zsets  resolved request ids (awaiting a verdict) by creation: /revisits
//	<p>reqs:hh:<id>         zset   all request ids of a household by creation
//	<p>visit:seq            string last visit number
//	<p>visit:<id>           hash   v (version) d (JSON of flows.Visit: household, cadre, unit, village,
//	                               start, end, notes with their messages' chat and id, location)
//	<p>visit:<id>:reqs      zset   ids of the requests recorded in the visit, by creation (written
//	                               with the request)
//	<p>visiting:<cadre>     string id of the cadre's open visit
//	<p>visits:<scope>:<id>  zset   visit ids by start (ms): cadre, unit (the visitor's), hh, all ("")
//	<p>rec:<cadre>          string household whose request the cadre's next message is (记诉求
//	                               outside a visit), expiring after an hour
//	<p>link:<chat>          hash   message id -> request id (reply routing)
//	<p>guard:<g>            string set once an update's effect is applied
//	<p>outbox:<lane>        stream notices to send in a lane: interactive, lifecycle or bulk
//	                               (group "send"; see outbox.go)
//	<p>outbox               stream notices queued before lanes existed (group "send"); still read
//	<p>sent:<entry>         string an outbox entry that was sent; entry is "<i|l|b>/<stream id>"
//	                               for a lane, the bare stream id for <p>outbox
//	<p>inbox                stream raw updates to process (group "work")
//	<p>seen:<update>        string an update id already stored
//	<p>leaders:<unit>       set    ids of the leaders of a unit ("" = county-wide)
//	<p>units                set    units that have a leaders set
//	<p>week:<2026-W48>      zset   ids of requests with an event in the week, by creation
//	<p>once:<key>           string a one-time job that ran (digest occurrences)
//	<p>due                  zset   "<request>|<stage>" by due time (ms); "<visit>|vend" ends a visit
//	<p>lease                zset   "<request>|<stage>|<due ms>" claimed by a sweeper, by lease expiry
//	<p>anon:<2026-W48>      hash   anonymous counts of erased requests in the week (forget,
//	                               retention): received, responded_in_time, resolved, … and
//	                               "<field>@<unit>"; digests do not read it, it is for audits
//	<p>contact              zset   household ids by their last contact (ms): a visit, a request or
//	                               follow-up, a cadre's reply / first contact / solved on the spot,
//	                               a check-in answer (never contacted: not in it)
//	<p>contact:visit        zset   household ids by their last visit (ms)
//	<p>nudge:due            zset   household ids by when they go on their cadre's coverage list
//	                               (last contact + visits.every, at the start of the working day;
//	                               never contacted: from the import that first put it on the
//	                               roster; moved on by each nudge sent and each later contact)
//	<p>checkin:due          zset   household ids by when a check-in falls due (last contact +
//	                               checkin.after, out of the quiet hours; moved on likewise)
//	<p>handle:seq           string last outreach handle number
//	<p>handle:<n>           string JSON flows.Handle: the households the buttons of a coverage list
//	                               or a check-in act on (callback data holds n), expiring
//	<p>contacted:<2026-W48> set    households contacted in the week
//	<p>visited:<2026-W48>   set    households visited in the week
//	<p>retention:week       string label of the oldest week index retention still reads
//	<p>roster:v             string the roster version in force (absent: 0)
//	<p>roster:seq           string the last roster version handed to an import
//	<p>import               hash   the import journal: v (its version), base (the version it
//	                               replaces), state (staging, then switched)
//	<p>import:lock          string token of the import running (one at a time), expiring
//	<p>import:<v>:cadres, :hhs, :units, :leaders:<unit>
//	                        sets   staged by import v; its switch renames them onto the live sets
//	<p>import:<v>:moved     set    households import v moved to another cadre, not yet told
//	<p>import:<v>:ended     set    officials import v took off the roster, not yet told and unbound
//	<p>import:<v>:prev:cadre, :prev:hh
//	                        sets   records import v wrote over (p: fields to drop once it is done)
//
// Scripts get every key they touch in KEYS, except the intake script
// (intake.go), which follows stored references from the account to the
// household, its cadre and the cadre's account: those keys share the hash
// tag of KEYS[1], so they are in its slot, and it builds them with the same
// layout as the functions below.
type keys struct{ p string }

func newKeys(prefix, namespace string) keys { return keys{p: prefix + ":{" + namespace + "}:"} }

func (k keys) cadre(id string) string      { return k.p + "cadre:" + id }
func (k keys) cadres() string              { return k.p + "cadres" }
func (k keys) household(id string) string  { return k.p + "hh:" + id }
func (k keys) hhAccounts(id string) string { return k.p + "hh:" + id + ":accts" }
func (k keys) traces(id string) string     { return k.p + "hh:" + id + ":traces" }
func (k keys) households() string          { return k.p + "hhs" }

// card keys a card by the check of its code (flows.CodeCheck): the lookup's
// timing depends on the hash, not on how much of a guessed code is right,
// and no code is a key name or a value (a dump shows no working code).
func (k keys) card(check string) string    { return k.p + "card:" + check }
func (k keys) migrated(name string) string { return k.p + "migrated:" + name }
func (k keys) account(id int64) string     { return k.p + "acct:" + strconv.FormatInt(id, 10) }
func (k keys) reqSeq() string              { return k.p + "req:seq" }
func (k keys) request(id int64) string     { return k.p + "req:" + strconv.FormatInt(id, 10) }
func (k keys) timeline(id int64) string    { return k.p + "req:" + strconv.FormatInt(id, 10) + ":tl" }
func (k keys) open(scope, id string) string {
	return k.p + "open:" + scope + ":" + id
}
func (k keys) recent(hh string) string  { return k.p + "reqs:hh:" + hh }
func (k keys) link(chat int64) string   { return k.p + "link:" + strconv.FormatInt(chat, 10) }
func (k keys) guard(g string) string    { return k.p + "guard:" + g }
func (k keys) outbox() string           { return k.p + "outbox" }
func (k keys) sent(entry string) string { return k.p + "sent:" + entry }
func (k keys) outboxLane(l flows.Lane) string {
	return k.p + "outbox:" + l.String()
}
func (k keys) inbox() string                { return k.p + "inbox" }
func (k keys) leaders(unit string) string   { return k.p + "leaders:" + unit }
func (k keys) units() string                { return k.p + "units" }
func (k keys) counter(name string) string   { return k.p + "count:" + name }
func (k keys) week(label string) string     { return k.p + "week:" + label }
func (k keys) once(key string) string       { return k.p + "once:" + key }
func (k keys) due() string                  { return k.p + "due" }
func (k keys) lease() string                { return k.p + "lease" }
func (k keys) seen(update int64) string     { return k.p + "seen:" + strconv.FormatInt(update, 10) }
func (k keys) anon(week string) string      { return k.p + "anon:" + week }
func (k keys) retentionCursor() string      { return k.p + "retention:week" }
func (k keys) rosterVersion() string        { return k.p + "roster:v" }
func (k keys) rosterSeq() string            { return k.p + "roster:seq" }
func (k keys) journal() string              { return k.p + "import" }
func (k keys) importLock() string           { return k.p + "import:lock" }
func (k keys) contact() string              { return k.p + "contact" }
func (k keys) lastVisit() string            { return k.p + "contact:visit" }
func (k keys) nudgeDue() string             { return k.p + "nudge:due" }
func (k keys) checkinDue() string           { return k.p + "checkin:due" }
func (k keys) contacted(week string) string { return k.p + "contacted:" + week }
func (k keys) visited(week string) string   { return k.p + "visited:" + week }
func (k keys) handleSeq() string            { return k.p + "handle:seq" }
func (k keys) handle(id int64) string       { return k.p + "handle:" + strconv.FormatInt(id, 10) }
func (k keys) visitSeq() string             { return k.p + "visit:seq" }
func (k keys) visit(id int64) string        { return k.p + "visit:" + strconv.FormatInt(id, 10) }
func (k keys) visitRequests(id int64) string {
	return k.p + "visit:" + strconv.FormatInt(id, 10) + ":reqs"
}
func (k keys) visiting(cadre string) string { return k.p + "visiting:" + cadre }
func (k keys) visits(scope, id string) string {
	return k.p + "visits:" + scope + ":" + id
}
func (k keys) recording(cadre string) string { return k.p + "rec:" + cadre }

// staged names a key of import v: "cadres", "hhs", "units", "leaders:<unit>",
// "moved" or "ended".
func (k keys) staged(v int64, name string) string {
	return k.p + "import:" + strconv.FormatInt(v, 10) + ":" + name
}

// Consumer group names of the two streams.
const (
	groupSend = "send"
	groupWork = "work"
)
