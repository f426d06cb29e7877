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
				out = append(out, flows.LinkEntry{ChatID: chat, MessageID: msg, RequestID: n, Prompt: flows.Action(prompt).Canonical()})
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
