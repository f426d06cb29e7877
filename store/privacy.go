package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

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
	var accts []string
	if e.HouseholdID != "" {
		var err error
		if accts, err = s.members(ctx, s.k.hhAccounts(e.HouseholdID)); err != nil {
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
		watch = append(watch, s.k.household(h), s.k.hhAccounts(h), s.k.recent(h))
	}
	if len(watch) == 0 {
		return nil
	}
	err = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
		if err := s.checkVersions(ctx, tx, e.Requests); err != nil {
			return err
		}
		var card string
		if e.HouseholdID != "" {
			var err error
			if card, err = s.checkHousehold(ctx, tx, e.HouseholdID, accts, want); err != nil {
				return err
			}
		}
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			s.eraseRequests(ctx, p, e.Requests, plan)
			s.eraseTraces(ctx, p, plan)
			if e.HouseholdID != "" {
				s.eraseHousehold(ctx, p, e.HouseholdID, card, accts)
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
		if plan.outbox, err = s.entries(ctx, s.k.outbox(), groupSend, func(v map[string]any) bool { return noticeAbout(v, want, chats) }); err != nil {
			return plan, err
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
// a request the erasure does not know. It returns its card key if the card
// still names it ("" if none).
func (s *Store) checkHousehold(ctx context.Context, tx *redis.Tx, id string, accts []string, want map[int64]bool) (string, error) {
	now, err := tx.SMembers(ctx, s.k.hhAccounts(id)).Result()
	if err != nil {
		return "", fmt.Errorf("check household accounts: %w", err)
	}
	if slices.Sort(now); !slices.Equal(now, accts) {
		return "", flows.Errorf(flows.ECONFLICT, "household %s bound an account meanwhile", id)
	}
	members, err := tx.ZRange(ctx, s.k.recent(id), 0, -1).Result()
	if err != nil {
		return "", fmt.Errorf("check household requests: %w", err)
	}
	for _, m := range members {
		if n, err := strconv.ParseInt(m, 10, 64); err == nil && !want[n] {
			if ex, err := tx.Exists(ctx, s.k.request(n)).Result(); err != nil || ex != 0 {
				return "", flows.Errorf(flows.ECONFLICT, "household %s has another request", id)
			}
		}
	}
	code, err := tx.HGet(ctx, s.k.household(id), "code").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("check household card: %w", err)
	}
	if code == "" {
		return "", nil
	}
	if v, _ := tx.Get(ctx, s.k.card(code)).Result(); v != string(flows.AccountHousehold)+":"+id {
		return "", nil // rotated away meanwhile: not its card any more
	}
	return s.k.card(code), nil
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
		if r.Version != 0 {
			p.ZRem(ctx, s.k.open("unit", r.Unit), id)
			p.ZRem(ctx, s.k.open("all", ""), id)
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
		p.XAck(ctx, s.k.outbox(), groupSend, plan.outbox...)
		p.XDel(ctx, s.k.outbox(), plan.outbox...)
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
func (s *Store) eraseHousehold(ctx context.Context, p redis.Pipeliner, id, card string, accts []string) {
	p.Del(ctx, s.k.household(id), s.k.hhAccounts(id), s.k.recent(id), s.k.open("hh", id))
	p.SRem(ctx, s.k.households(), id)
	if card != "" {
		p.Del(ctx, card)
	}
	for _, a := range accts {
		if n, err := strconv.ParseInt(a, 10, 64); err == nil {
			p.Del(ctx, s.k.account(n), s.k.link(n))
		}
	}
}

// traces reads every link hash and guard key of the county for traces of
// the requests in want, and finds the rate counters of the accounts in
// accts: one SCAN of the county's keys.
func (s *Store) traces(ctx context.Context, want map[int64]bool, accts []string) (erasure, error) {
	var plan erasure
	linkPrefix, guardPrefix, countPrefix := strings.TrimSuffix(s.k.link(0), "0"), s.k.guard(""), s.k.counter("")
	var chats []int64
	err := s.scanKeys(ctx, globEscape(s.k.p)+"*", func(key string) {
		switch {
		case strings.HasPrefix(key, linkPrefix):
			if chat, err := strconv.ParseInt(strings.TrimPrefix(key, linkPrefix), 10, 64); err == nil {
				chats = append(chats, chat)
			}
		case strings.HasPrefix(key, guardPrefix):
			// Guards "due:<request>:…" and "unreachable:<request>:…".
			kind, rest, _ := strings.Cut(strings.TrimPrefix(key, guardPrefix), ":")
			id, _, _ := strings.Cut(rest, ":")
			if n, err := strconv.ParseInt(id, 10, 64); err == nil && (kind == "due" || kind == "unreachable") && want[n] {
				plan.guards = append(plan.guards, key)
			}
		case strings.HasPrefix(key, countPrefix):
			// Counters "<kind>:<account>[:<window>]" of the household's accounts.
			if parts := strings.Split(strings.TrimPrefix(key, countPrefix), ":"); len(parts) > 1 && slices.Contains(accts, parts[1]) {
				plan.guards = append(plan.guards, key)
			}
		}
	})
	if err != nil {
		return plan, err
	}
	plan.links, err = s.linksIn(ctx, chats, want)
	return plan, err
}

// linksIn returns the links to the requests in want held by the chats.
func (s *Store) linksIn(ctx context.Context, chats []int64, want map[int64]bool) ([]flows.LinkEntry, error) {
	out := []flows.LinkEntry{}
	for _, chat := range chats {
		links, err := s.linksOf(ctx, s.k.link(chat), chat, want)
		if err != nil {
			return nil, err
		}
		out = append(out, links...)
	}
	sortLinks(out)
	return out, nil
}

// linksOf reads one link hash (see Linked for the values).
func (s *Store) linksOf(ctx context.Context, key string, chat int64, want map[int64]bool) ([]flows.LinkEntry, error) {
	var out []flows.LinkEntry
	err := each(func(c uint64) *redis.ScanCmd { return s.rdb.HScan(ctx, key, c, "", scanPage) }, func(kv []string) {
		for i := 0; i+1 < len(kv); i += 2 {
			id, prompt, _ := strings.Cut(kv[i+1], ":")
			n, err := strconv.ParseInt(id, 10, 64)
			msg, err2 := strconv.Atoi(kv[i])
			if err == nil && err2 == nil && want[n] {
				out = append(out, flows.LinkEntry{ChatID: chat, MessageID: msg, RequestID: n, Prompt: flows.Action(prompt)})
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read links: %w", err)
	}
	return out, nil
}

// dueOf returns the due members of the requests in want, whatever their
// stage: one ZSCAN of the due zset.
func (s *Store) dueOf(ctx context.Context, want map[int64]bool) (map[int64][]string, error) {
	out := map[int64][]string{}
	err := each(func(c uint64) *redis.ScanCmd { return s.rdb.ZScan(ctx, s.k.due(), c, "", scanPage) }, func(kv []string) {
		for i := 0; i < len(kv); i += 2 {
			if id := memberRequest(kv[i]); want[id] {
				out[id] = append(out[id], kv[i])
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read due: %w", err)
	}
	return out, nil
}

// each calls fn with every page a SCAN-like command returns, cursor after
// cursor; HSCAN and ZSCAN pages alternate fields (members) and values.
func each(scan func(cursor uint64) *redis.ScanCmd, fn func(page []string)) error {
	for cursor := uint64(0); ; {
		page, next, err := scan(cursor).Result()
		if err != nil {
			return err
		}
		if fn(page); next == 0 {
			return nil
		}
		cursor = next
	}
}

// entries returns the ids of a stream's entries that match, page by page,
// and makes sure the stream's consumer group exists (as its consumer
// would), so that the erasure can acknowledge them.
func (s *Store) entries(ctx context.Context, key, group string, match func(map[string]any) bool) ([]string, error) {
	var out []string
	for start := "-"; ; {
		msgs, err := s.rdb.XRangeN(ctx, key, start, "+", scanPage).Result()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", key, err)
		}
		for _, m := range msgs {
			if match(m.Values) {
				out = append(out, m.ID)
			}
		}
		if len(msgs) < scanPage {
			break
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
	if len(out) > 0 {
		err := s.rdb.XGroupCreateMkStream(ctx, key, group, "0").Err()
		if err != nil && !strings.Contains(err.Error(), "BUSYGROUP") {
			return nil, fmt.Errorf("create group %s: %w", group, err)
		}
	}
	return out, nil
}

// noticeAbout reports whether a queued notice (outbox entry values) goes
// to one of chats or speaks of a request in want.
func noticeAbout(v map[string]any, want map[int64]bool, chats map[int64]bool) bool {
	raw, _ := v["n"].(string)
	var n flows.Notice
	if err := json.Unmarshal([]byte(raw), &n); err != nil {
		return false
	}
	hit := want[n.RequestID] || chats[n.ChatID] || (n.Copy != nil && chats[n.Copy.FromChatID])
	for _, it := range n.List {
		hit = hit || want[it.RequestID]
	}
	if n.Digest != nil {
		for _, it := range n.Digest.OldestLate {
			hit = hit || want[it.RequestID]
		}
	}
	return hit
}

// RetentionCursor implements flows.PrivacyStore. The first call finds the
// oldest week index with one SCAN and remembers it.
func (s *Store) RetentionCursor(ctx context.Context) (string, error) {
	v, err := s.rdb.Get(ctx, s.k.retentionCursor()).Result()
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("retention cursor: %w", err)
	}
	prefix := s.k.week("")
	oldest := ""
	err = s.scanKeys(ctx, globEscape(prefix)+"*", func(key string) {
		if l := strings.TrimPrefix(key, prefix); oldest == "" || l < oldest {
			oldest = l
		}
	})
	if err != nil || oldest == "" {
		return "", err
	}
	if err := s.rdb.SetNX(ctx, s.k.retentionCursor(), oldest, 0).Err(); err != nil {
		return "", fmt.Errorf("retention cursor: %w", err)
	}
	return oldest, nil
}

// SetRetentionCursor implements flows.PrivacyStore.
func (s *Store) SetRetentionCursor(ctx context.Context, week string) error {
	if err := s.rdb.Set(ctx, s.k.retentionCursor(), week, 0).Err(); err != nil {
		return fmt.Errorf("set retention cursor: %w", err)
	}
	return nil
}

// scanKeys calls fn (never concurrently) with every key matching pattern,
// on every master of a cluster.
func (s *Store) scanKeys(ctx context.Context, pattern string, fn func(key string)) error {
	var mu sync.Mutex
	scan := func(ctx context.Context, c redis.Cmdable) error {
		err := each(func(cur uint64) *redis.ScanCmd { return c.Scan(ctx, cur, pattern, scanPage) }, func(keys []string) {
			mu.Lock()
			defer mu.Unlock()
			for _, k := range keys {
				fn(k)
			}
		})
		if err != nil {
			return fmt.Errorf("scan keys: %w", err)
		}
		return nil
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	}
	return scan(ctx, s.rdb)
}

// globEscape quotes the characters SCAN's MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// memberRequest returns the request of a due or lease member
// ("<request>|<stage>…"), 0 if none.
func memberRequest(m string) int64 {
	id, _, _ := strings.Cut(m, "|")
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

// sortLinks orders links by chat and message.
func sortLinks(ls []flows.LinkEntry) {
	slices.SortFunc(ls, func(a, b flows.LinkEntry) int {
		return cmp.Or(cmp.Compare(a.ChatID, b.ChatID), cmp.Compare(a.MessageID, b.MessageID))
	})
}
