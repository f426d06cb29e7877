package flows

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// PrivacyStore serves a household's rights under PIPL (a copy of its data,
// and its erasure) and the retention of closed requests.
type PrivacyStore interface {
	// HouseholdRequests lists the ids of every request of a household,
	// oldest first.
	HouseholdRequests(ctx context.Context, householdID string) ([]int64, error)
	// RequestLinks lists the reply-routing links that point at the requests
	// ids: in the given chats, or in every chat when chats is nil.
	RequestLinks(ctx context.Context, ids []int64, chats []int64) ([]LinkEntry, error)
	// Erase deletes what e names in one atomic step, and adds the
	// anonymous counts of its requests. It fails with ECONFLICT and
	// changes nothing when a request is no longer at the version read, or
	// the household got another request or account meanwhile.
	Erase(ctx context.Context, e Erasure) error
	// RetentionCursor returns the label of the oldest week whose index may
	// still hold requests, "" when there is no week index at all.
	RetentionCursor(ctx context.Context) (string, error)
	// SetRetentionCursor moves the retention cursor to a week's label.
	SetRetentionCursor(ctx context.Context, week string) error
}

// LinkEntry is one sent message that routes replies to a request.
type LinkEntry struct {
	ChatID    int64
	MessageID int
	RequestID int64
	Prompt    Action `json:",omitempty"`
}

// Erasure is what one atomic erasure deletes.
type Erasure struct {
	// HouseholdID, when set, erases the household itself: its record, its
	// card, its bound accounts and their chats' links, and its place on the
	// roster. All its requests must then be listed in Requests.
	HouseholdID string
	Requests    []Erased
	// Everywhere searches every chat's links, the idempotency guards and
	// the queues for traces of the requests (forget). Otherwise only the
	// Chats of each request are searched (retention).
	Everywhere bool
}

// Erased is one request to erase, as read: the store erases it only if it
// is still at Request.Version (0: the request's record is already gone and
// only index entries remain).
type Erased struct {
	Request Request
	Weeks   []string          // labels of the week indexes it is in
	Chats   []int64           // chats that may hold links to it
	Anon    map[string]Counts // week label -> anonymous counts to keep
}

// Counts are anonymous counters of a week: the share of an erased request
// in that week's digest numbers. Each field also exists per unit, as
// "<field>@<unit>".
type Counts map[string]int64

// Fields of Counts, named after the digest's numbers.
const (
	AnonRequests        = "requests"          // erased requests with an event in the week
	AnonReceived        = "received"          // received in the week
	AnonRespondedInTime = "responded_in_time" // of those, first response within sla.first_response
	AnonResolved        = "resolved"          // resolved in the week
	AnonResolvedOnTime  = "resolved_on_time"  // of those, by their deadline
	AnonSolvedAnswers   = "solved_answers"    // "solved?" answered in the week
	AnonSolved          = "solved"            // of those, "yes"
	AnonRatings         = "ratings"           // ratings given in the week
	AnonSatisfied       = "satisfied"         // of those, 满意 or 基本满意
	AnonClosed          = "closed"            // closed in the week
)

// Export is everything Minqing stores about a household: its copy of its
// data (PIPL). The card code is left out: it is a credential, not data
// about the household.
type Export struct {
	HouseholdID string            `json:"household_id"`
	ExportedAt  time.Time         `json:"exported_at"`
	Household   *Household        `json:"household"` // nil when the record is gone
	Accounts    []Account         `json:"accounts"`
	Requests    []ExportedRequest `json:"requests"`
	Links       []LinkEntry       `json:"links"`
	Visits      []Visit           `json:"visits"` // visits to the household, with their diaries
}

// ExportedRequest is a request of the household with its whole timeline.
type ExportedRequest struct {
	Request  Request `json:"request"`
	Timeline []Event `json:"timeline"`
}

// ForgetReport says what Forget erased.
type ForgetReport struct {
	Household bool // the household's record existed
	Accounts  int  // bound accounts erased
	Requests  int  // requests erased
	Visits    int  // visits erased
}

// eraseBatch bounds the requests erased in one atomic step by retention.
const eraseBatch = 50

// Export gathers everything stored about a household. An unknown household
// (or one already forgotten) is ENOTFOUND.
func (s *Service) Export(ctx context.Context, householdID string) (Export, error) {
	e := Export{HouseholdID: householdID, ExportedAt: s.Clock.Now(), Accounts: []Account{}, Requests: []ExportedRequest{}}
	h, err := s.Store.Household(ctx, householdID)
	switch {
	case err == nil:
		e.Household = &h
	case !isNotFound(err):
		return e, fmt.Errorf("export household %s: %w", householdID, err)
	}
	accs, err := s.Store.HouseholdAccounts(ctx, householdID)
	if err != nil {
		return e, fmt.Errorf("export household %s: %w", householdID, err)
	}
	for _, a := range accs {
		full, err := s.Store.Account(ctx, a.ID)
		if err != nil && !isNotFound(err) {
			return e, fmt.Errorf("export household %s: %w", householdID, err)
		}
		if err == nil {
			a = full
		}
		e.Accounts = append(e.Accounts, a)
	}
	ids, err := s.Store.HouseholdRequests(ctx, householdID)
	if err != nil {
		return e, fmt.Errorf("export household %s: %w", householdID, err)
	}
	reqs, err := s.Store.Requests(ctx, ids)
	if err != nil {
		return e, fmt.Errorf("export household %s: %w", householdID, err)
	}
	tls, err := s.Store.Timelines(ctx, ids)
	if err != nil {
		return e, fmt.Errorf("export household %s: %w", householdID, err)
	}
	for _, r := range reqs {
		e.Requests = append(e.Requests, ExportedRequest{Request: r, Timeline: tls[r.ID]})
	}
	if e.Links, err = s.Store.RequestLinks(ctx, ids, nil); err != nil {
		return e, fmt.Errorf("export household %s: %w", householdID, err)
	}
	if e.Visits, err = s.Store.RecentVisits(ctx, Scope{Kind: ScopeHousehold, ID: householdID}, 1<<20); err != nil {
		return e, fmt.Errorf("export household %s: %w", householdID, err)
	}
	if e.Household == nil && len(e.Accounts) == 0 && len(e.Requests) == 0 && len(e.Visits) == 0 {
		return e, Errorf(ENOTFOUND, "household %s not found", householdID)
	}
	return e, nil
}

// Forget erases a household everywhere (PIPL right to deletion): its
// record, card, accounts, requests, timelines, index entries, reply links
// and queued messages. Only anonymous counts are kept (see Counts): digests
// of past weeks are computed afterwards from what remains. Forgetting an
// unknown or already forgotten household succeeds and erases nothing.
func (s *Service) Forget(ctx context.Context, householdID string) (ForgetReport, error) {
	var rep ForgetReport
	err := retry(func() error {
		var err error
		rep, err = s.forget(ctx, householdID)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("forget household %s: %w", householdID, err)
	}
	return rep, nil
}

// forget does one attempt of Forget.
func (s *Service) forget(ctx context.Context, id string) (ForgetReport, error) {
	var rep ForgetReport
	_, err := s.Store.Household(ctx, id)
	if err != nil && !isNotFound(err) {
		return rep, err
	}
	rep.Household = err == nil
	accs, err := s.Store.HouseholdAccounts(ctx, id)
	if err != nil {
		return rep, err
	}
	rep.Accounts = len(accs)
	ids, err := s.Store.HouseholdRequests(ctx, id)
	if err != nil {
		return rep, err
	}
	reqs, err := s.Store.Requests(ctx, ids)
	if err != nil {
		return rep, err
	}
	erased, err := s.erasures(ctx, reqs, nil)
	if err != nil {
		return rep, err
	}
	rep.Requests = len(erased)
	if err := s.Store.Erase(ctx, Erasure{HouseholdID: id, Requests: erased, Everywhere: true}); err != nil {
		return rep, err
	}
	rep.Visits, err = s.Store.EraseVisits(ctx, id)
	return rep, err
}

// erasures describes the erasure of requests. With f set, each erasure
// lists the chats that may hold links to its request.
func (s *Service) erasures(ctx context.Context, reqs []Request, f *chatFinder) ([]Erased, error) {
	ids := make([]int64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.ID
	}
	tls, err := s.Store.Timelines(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Erased, 0, len(reqs))
	for _, r := range reqs {
		anon := s.anonCounts(r, tls[r.ID])
		e := Erased{Request: r, Anon: anon}
		for w := range anon {
			e.Weeks = append(e.Weeks, w)
		}
		slices.Sort(e.Weeks)
		if f != nil {
			if e.Chats, err = f.chats(ctx, r, tls[r.ID]); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// anonCounts returns a request's anonymous share of the digest numbers of
// every week it is indexed in (the weeks of its creation and its events),
// counted as BuildDigest counts them.
func (s *Service) anonCounts(r Request, events []Event) map[string]Counts {
	loc := s.Settings.Location
	weeks := map[string]Week{}
	if !r.CreatedAt.IsZero() {
		w := WeekOf(r.CreatedAt, loc)
		weeks[w.Label()] = w
	}
	for _, ev := range events {
		w := WeekOf(ev.At, loc)
		weeks[w.Label()] = w
	}
	out := make(map[string]Counts, len(weeks))
	for label, w := range weeks {
		var d Digest
		var row, vil DigestRow
		if w.Contains(r.CreatedAt) {
			d.Received++
			if !r.FirstResponseAt.IsZero() && !r.FirstResponseAt.After(s.AddSLA(r.CreatedAt, s.Settings.FirstResponse)) {
				d.RespondedInTime++
			}
		}
		s.countEvents(&d, events, w, &row, &vil)
		c := Counts{}
		add := func(field string, n int) {
			if n != 0 {
				c[field] += int64(n)
				c[field+"@"+r.Unit] += int64(n)
			}
		}
		add(AnonRequests, 1)
		add(AnonReceived, d.Received)
		add(AnonRespondedInTime, d.RespondedInTime)
		add(AnonResolved, d.Resolved)
		add(AnonResolvedOnTime, d.Rates.OnTime.Num)
		add(AnonSolvedAnswers, d.Rates.Resolution.Den)
		add(AnonSolved, d.Rates.Resolution.Num)
		add(AnonRatings, d.Rates.Satisfaction.Den)
		add(AnonSatisfied, d.Rates.Satisfaction.Num)
		add(AnonClosed, d.Closed)
		out[label] = c
	}
	return out
}

// Expire erases the closed requests whose ClosedAt is more than retention
// before now: each request with its timeline, index entries and the reply
// links in the chats that got messages about it; anonymous counts are kept
// (see Counts). It reads only the week indexes of the weeks that began
// before the cutoff, from a cursor that moves past the weeks emptied, so it
// costs O(requests in those weeks), not O(everything). It returns how many
// requests it erased.
func (s *Service) Expire(ctx context.Context, now time.Time, retention time.Duration) (int, error) {
	if retention <= 0 {
		return 0, Errorf(EINVALID, "retention %v: must be positive", retention)
	}
	cutoff := now.Add(-retention)
	if err := s.expireVisits(ctx, cutoff); err != nil {
		return 0, fmt.Errorf("expire: %w", err)
	}
	label, err := s.Store.RetentionCursor(ctx)
	if err != nil || label == "" {
		return 0, err
	}
	w, err := ParseWeek(label, s.Settings.Location)
	if err != nil {
		return 0, fmt.Errorf("expire: retention cursor: %w", err)
	}
	finder := &chatFinder{s: s}
	erased, cursor, advance := 0, label, true
	for ; w.Start.Before(cutoff); w = WeekOf(w.End.Add(12*time.Hour), s.Settings.Location) {
		n, left, err := s.expireWeek(ctx, w.Label(), cutoff, finder)
		erased += n
		if err != nil {
			return erased, fmt.Errorf("expire week %s: %w", w.Label(), err)
		}
		if !w.End.After(cutoff) { // who was contacted that week is past retention too
			if err := s.Store.DropWeekContacts(ctx, w.Label()); err != nil {
				return erased, fmt.Errorf("expire week %s: %w", w.Label(), err)
			}
		}
		// Past the cutoff no new event can fall in a week: once such a
		// week is empty, the next run starts after it.
		if advance = advance && left == 0 && !w.End.After(cutoff); advance {
			cursor = WeekOf(w.End.Add(12*time.Hour), s.Settings.Location).Label()
		}
	}
	if cursor != label {
		if err := s.Store.SetRetentionCursor(ctx, cursor); err != nil {
			return erased, fmt.Errorf("expire: %w", err)
		}
	}
	return erased, nil
}

// expireWeek erases the expired requests of one week's index. It returns
// how many it erased and how many requests the index still holds.
func (s *Service) expireWeek(ctx context.Context, label string, cutoff time.Time, f *chatFinder) (int, int, error) {
	ids, err := s.Store.WeekRequests(ctx, label)
	if err != nil {
		return 0, 0, err
	}
	erased := 0
	for batch := range slices.Chunk(ids, eraseBatch) {
		n := 0
		err := retry(func() error {
			es, err := s.expiredIn(ctx, batch, label, cutoff, f)
			if err != nil || len(es) == 0 {
				return err
			}
			n = 0
			for _, e := range es {
				if e.Request.Version != 0 {
					n++
				}
			}
			return s.Store.Erase(ctx, Erasure{Requests: es})
		})
		if err != nil {
			return erased, 0, err
		}
		erased += n
	}
	left, err := s.Store.WeekRequests(ctx, label)
	return erased, len(left), err
}

// expiredIn describes the erasure of the requests of ids (from the index
// of week) that closed before cutoff. Ids whose record is gone only leave
// the index.
func (s *Service) expiredIn(ctx context.Context, ids []int64, week string, cutoff time.Time, f *chatFinder) ([]Erased, error) {
	reqs, err := s.Store.Requests(ctx, ids)
	if err != nil {
		return nil, err
	}
	found := make(map[int64]bool, len(reqs))
	var expired []Request
	for _, r := range reqs {
		found[r.ID] = true
		if r.State.Type() == TypeClosed && !r.ClosedAt.IsZero() && r.ClosedAt.Before(cutoff) {
			expired = append(expired, r)
		}
	}
	es, err := s.erasures(ctx, expired, f)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !found[id] {
			es = append(es, Erased{Request: Request{ID: id}, Weeks: []string{week}})
		}
	}
	return es, nil
}

// chatFinder finds the chats that may hold reply links to a request: the
// household's accounts, the accounts of the cadres who had or acted on it,
// of its unit's leaders and of the county-wide leaders, and the chats its
// messages came from. It remembers what it looked up.
type chatFinder struct {
	s        *Service
	accounts map[string][]int64 // "household:ID", "cadre:ID" or "leaders:UNIT" -> chats
}

// chats returns the chats that may hold links to r.
func (f *chatFinder) chats(ctx context.Context, r Request, events []Event) ([]int64, error) {
	refs := []string{"household:" + r.HouseholdID, "cadre:" + r.CadreID, "leaders:" + r.Unit, "leaders:"}
	if r.Contact != "" {
		refs = append(refs, "cadre:"+r.Contact)
	}
	for _, u := range append(append([]string(nil), r.Path...), r.Helpers...) { // its units' leaders got it
		refs = append(refs, "leaders:"+u)
	}
	var out []int64
	for _, ev := range events {
		if strings.HasPrefix(ev.Actor, "cadre:") {
			refs = append(refs, ev.Actor)
		}
		if (ev.Action == ActReassign || ev.Action == ActAssign) && ev.Note != "" {
			refs = append(refs, "cadre:"+ev.Note)
		}
		if ev.Msg != nil && ev.Msg.ChatID != 0 {
			out = append(out, ev.Msg.ChatID)
		}
	}
	for _, ref := range refs {
		chats, err := f.lookup(ctx, ref)
		if err != nil {
			return nil, err
		}
		out = append(out, chats...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// lookup returns the chats of one reference, once.
func (f *chatFinder) lookup(ctx context.Context, ref string) ([]int64, error) {
	if chats, ok := f.accounts[ref]; ok {
		return chats, nil
	}
	if f.accounts == nil {
		f.accounts = map[string][]int64{}
	}
	kind, id, _ := strings.Cut(ref, ":")
	var chats []int64
	switch kind {
	case "household":
		accs, err := f.s.Store.HouseholdAccounts(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, a := range accs {
			chats = append(chats, a.ID)
		}
	case "cadre":
		acc, err := f.s.Store.CadreAccount(ctx, id)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		if err == nil {
			chats = append(chats, acc.ID)
		}
	case "leaders":
		leaders, err := f.s.Store.UnitLeaders(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, l := range leaders {
			c, err := f.lookup(ctx, "cadre:"+l.ID)
			if err != nil {
				return nil, err
			}
			chats = append(chats, c...)
		}
	}
	f.accounts[ref] = chats
	return chats, nil
}

// expireVisits erases the visits that started before cutoff, a batch at a
// time: O(expired visits).
func (s *Service) expireVisits(ctx context.Context, cutoff time.Time) error {
	for {
		n, err := s.Store.ExpireVisits(ctx, cutoff, eraseBatch)
		if err != nil || n < eraseBatch {
			return err
		}
	}
}
