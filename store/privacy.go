package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// dueStages are the stages a request may have in the due zset.
var dueStages = []flows.Stage{flows.StageRemind, flows.StageEscalate, flows.StageAutoDue, flows.StageDueSoon,
	flows.StageOverdue, flows.StageAsk, flows.StageCloseQuiet}

// scanPage is the COUNT hint of SCAN, HSCAN, ZSCAN and the page of XRANGE.
const scanPage = 1000

// HouseholdRequests implements flows.PrivacyStore.
func (s *Store) HouseholdRequests(ctx context.Context, householdID string) ([]int64, error) {
	return s.ids(ctx, s.rdb.ZRange(ctx, s.k.recent(householdID), 0, -1))
}

// RequestLinks implements flows.PrivacyStore. With chats nil it reads every
// link hash of the county: O(links), for the rare export and forget.
func (s *Store) RequestLinks(ctx context.Context, ids []int64, chats []int64) ([]flows.LinkEntry, error) {
	want := map[int64]bool{}
	for _, id := range ids {
		want[id] = true
	}
	if len(want) == 0 {
		return []flows.LinkEntry{}, nil
	}
	if chats == nil {
		t, err := s.traces(ctx, want, nil)
		return t.links, err
	}
	return s.linksIn(ctx, chats, want)
}

// erasure is what Erase found to delete besides the keys named by the
// requests themselves.
type erasure struct {
	links  []flows.LinkEntry
	guards []string           // idempotency guards naming the requests, rate counters of the accounts
	due    map[int64][]string // due members beyond the known stages
	lease  []any
	outbox []string // outbox entries about the household or its requests
	inbox  []string // inbox entries from the household's chats
}

// Erase implements flows.PrivacyStore. The search for traces runs first;
// the deletion is one MULTI transaction, under WATCH of the requests and
// of the household's account set and request index, so that a change made
// meanwhile aborts it (ECONFLICT) instead of being half erased. All keys
// share the county's hash tag.
func (s *Store) Erase(ctx context.Context, e flows.Erasure) error {
	want := map[int64]bool{}
	for _, r := range e.Requests {
		want[r.Request.ID] = true
	}
	var accts, traces []string
	if e.HouseholdID != "" {
		var err error
		if accts, err = s.members(ctx, s.k.hhAccounts(e.HouseholdID)); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		if traces, err = s.members(ctx, s.k.traces(e.HouseholdID)); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
	}
	plan, err := s.find(ctx, e, want, accts)
	if err != nil {
		return fmt.Errorf("erase: %w", err)
	}
	watch := make([]string, 0, len(e.Requests)+3)
	for _, r := range e.Requests {
		watch = append(watch, s.k.request(r.Request.ID))
	}
	if h := e.HouseholdID; h != "" {
		watch = append(watch, s.k.household(h), s.k.hhAccounts(h), s.k.recent(h), s.k.traces(h))
	}
	if len(watch) == 0 {
		return nil
	}
	err = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		if err := s.checkVersions(ctx, tx, e.Requests); err != nil {
			return err
		}
		var cards []string
		if e.HouseholdID != "" {
			var err error
			if cards, err = s.checkHousehold(ctx, tx, e.HouseholdID, accts, want); err != nil {
				return err
			}
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			s.eraseRequests(ctx, p, e.Requests, plan)
			s.eraseTraces(ctx, p, plan)
			if e.HouseholdID != "" {
				s.eraseHousehold(ctx, p, e.HouseholdID, cards, accts)
				s.eraseContacts(ctx, p, e.HouseholdID, traces)
			}
			return nil
		})
		return err
	}, watch...)
	switch {
	case errors.Is(err, redis.TxFailedErr):
		return flows.Errorf(flows.ECONFLICT, "data changed during the erasure")
	case flows.ErrorCode(err) == flows.ECONFLICT:
		return err
	case err != nil:
		return fmt.Errorf("erase: %w", err)
	}
	return nil
}

// find searches the traces of the requests outside the transaction.
func (s *Store) find(ctx context.Context, e flows.Erasure, want map[int64]bool, accts []string) (erasure, error) {
	var plan erasure
	var err error
	if e.Everywhere {
		if plan, err = s.traces(ctx, want, accts); err != nil {
			return plan, err
		}
		if plan.due, err = s.dueOf(ctx, want); err != nil {
			return plan, err
		}
		chats := map[int64]bool{}
		for _, a := range accts {
			if n, err := strconv.ParseInt(a, 10, 64); err == nil {
				chats[n] = true
			}
		}
		for l := flows.LaneLegacy; l < flows.Lanes; l++ {
			ids, err := s.entries(ctx, s.outboxKey(l), groupSend, func(v map[string]any) bool { return noticeAbout(v, want, chats) })
			if err != nil {
				return plan, err
			}
			for _, id := range ids {
				plan.outbox = append(plan.outbox, entryID(l, id))
			}
		}
		plan.inbox, err = s.entries(ctx, s.k.inbox(), groupWork, func(v map[string]any) bool {
			c, _ := v["c"].(string)
			n, err := strconv.ParseInt(c, 10, 64)
			return err == nil && chats[n]
		})
		if err != nil {
			return plan, err
		}
	} else {
		var chats []int64
		for _, r := range e.Requests {
			chats = append(chats, r.Chats...)
		}
		slices.Sort(chats)
		if plan.links, err = s.linksIn(ctx, slices.Compact(chats), want); err != nil {
			return plan, err
		}
	}
	lease, err := s.rdb.ZRange(ctx, s.k.lease(), 0, -1).Result()
	if err != nil {
		return plan, fmt.Errorf("read leases: %w", err)
	}
	for _, m := range lease {
		if want[memberRequest(m)] {
			plan.lease = append(plan.lease, m)
		}
	}
	return plan, nil
}

// checkVersions fails with ECONFLICT unless every request is still at the
// version read (absent for version 0).
func (s *Store) checkVersions(ctx context.Context, tx *redis.Tx, reqs []flows.Erased) error {
	for _, r := range reqs {
		v, err := tx.HGet(ctx, s.k.request(r.Request.ID), "v").Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("check request %d: %w", r.Request.ID, err)
		}
		if v != strconv.FormatInt(r.Request.Version, 10) && (v != "" || r.Request.Version != 0) {
			return flows.Errorf(flows.ECONFLICT, "request %d changed", r.Request.ID)
		}
	}
	return nil
}

// checkHousehold fails with ECONFLICT when the household has an account or
// a request the erasure does not know. It returns the card keys that still
// bind to it.
func (s *Store) checkHousehold(ctx context.Context, tx *redis.Tx, id string, accts []string, want map[int64]bool) ([]string, error) {
	now, err := tx.SMembers(ctx, s.k.hhAccounts(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("check household accounts: %w", err)
	}
	if slices.Sort(now); !slices.Equal(now, accts) {
		return nil, flows.Errorf(flows.ECONFLICT, "household %s bound an account meanwhile", id)
	}
	members, err := tx.ZRange(ctx, s.k.recent(id), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("check household requests: %w", err)
	}
	for _, m := range members {
		if n, err := strconv.ParseInt(m, 10, 64); err == nil && !want[n] {
			if ex, err := tx.Exists(ctx, s.k.request(n)).Result(); err != nil || ex != 0 {
				return nil, flows.Errorf(flows.ECONFLICT, "household %s has another request", id)
			}
		}
	}
	return s.cardKeysOf(ctx, tx, flows.AccountHousehold, id)
}

// eraseRequests queues the deletion of requests, timelines and index
// entries, and the anonymous counts.
func (s *Store) eraseRequests(ctx context.Context, p redis.Pipeliner, reqs []flows.Erased, plan erasure) {
	for _, e := range reqs {
		r := e.Request
		id := strconv.FormatInt(r.ID, 10)
		p.Del(ctx, s.k.request(r.ID), s.k.timeline(r.ID))
		if r.HouseholdID != "" {
			p.ZRem(ctx, s.k.recent(r.HouseholdID), id)
			p.ZRem(ctx, s.k.open("hh", r.HouseholdID), id)
		}
		if r.CadreID != "" {
			p.ZRem(ctx, s.k.open("cadre", r.CadreID), id)
		}
		if r.Contact != "" {
			p.ZRem(ctx, s.k.open("cadre", r.Contact), id)
		}
		if r.Version != 0 {
			p.ZRem(ctx, s.k.open("unit", r.Unit), id)
			p.ZRem(ctx, s.k.open("all", ""), id)
			p.ZRem(ctx, s.k.open("resolved:unit", r.Unit), id)
			p.ZRem(ctx, s.k.open("resolved:all", ""), id)
		}
		if r.VisitID != 0 {
			p.ZRem(ctx, s.k.visitRequests(r.VisitID), id)
		}
		for _, w := range e.Weeks {
			p.ZRem(ctx, s.k.week(w), id)
		}
		due := make([]any, 0, len(dueStages)+len(plan.due[r.ID]))
		for _, st := range dueStages {
			due = append(due, dueMember(flows.Due{RequestID: r.ID, Stage: st}))
		}
		for _, m := range plan.due[r.ID] {
			due = append(due, m)
		}
		p.ZRem(ctx, s.k.due(), due...)
		for week, counts := range e.Anon {
			for field, n := range counts {
				p.HIncrBy(ctx, s.k.anon(week), field, n)
			}
		}
	}
}

// eraseTraces queues the deletion of what find found.
func (s *Store) eraseTraces(ctx context.Context, p redis.Pipeliner, plan erasure) {
	if len(plan.lease) > 0 {
		p.ZRem(ctx, s.k.lease(), plan.lease...)
	}
	byChat := map[int64][]string{}
	for _, l := range plan.links {
		byChat[l.ChatID] = append(byChat[l.ChatID], strconv.Itoa(l.MessageID))
	}
	for chat, fields := range byChat {
		p.HDel(ctx, s.k.link(chat), fields...)
	}
	if len(plan.guards) > 0 {
		p.Del(ctx, plan.guards...)
	}
	if len(plan.outbox) > 0 {
		for key, ids := range s.byStream(plan.outbox) {
			p.XAck(ctx, key, groupSend, ids...)
			p.XDel(ctx, key, ids...)
		}
		for _, id := range plan.outbox {
			p.Set(ctx, s.k.sent(id), 1, s.SeenTTL) // a sender holding it skips it
		}
	}
	if len(plan.inbox) > 0 {
		p.XAck(ctx, s.k.inbox(), groupWork, plan.inbox...)
		p.XDel(ctx, s.k.inbox(), plan.inbox...)
	}
}

// eraseHousehold queues the deletion of the household's own keys, its
// card and its accounts with their chats' links (accounts in its set were
// bound to its card, and to nothing else).
func (s *Store) eraseHousehold(ctx context.Context, p redis.Pipeliner, id string, cards []string, accts []string) {
	p.Del(ctx, s.k.household(id), s.k.hhAccounts(id), s.k.recent(id), s.k.open("hh", id))
	p.SRem(ctx, s.k.households(), id)
	if len(cards) > 0 {
		p.Del(ctx, cards...)
	}
	for _, a := range accts {
		if n, err := strconv.ParseInt(a, 10, 64); err == nil {
			p.Del(ctx, s.k.account(n), s.k.link(n))
		}
	}
}
