package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
)

func newRequest(id int64, hh, cadre, unit string, created time.Time) flows.Request {
	return flows.Request{ID: id, HouseholdID: hh, CadreID: cadre, Unit: unit, Village: "东村",
		State: flows.StateReceived, Category: "water", Summary: "井坏了", Kind: flows.KindText, CreatedAt: created}
}

func event(a flows.Action, from, to flows.State, note string) flows.Event {
	return flows.Event{At: t0.Add(time.Hour), Actor: "cadre:C1", Action: a, From: from, To: to, Note: note}
}

// outboxNotices decodes every outbox stream, oldest first (entries queued
// in the same millisecond: in lane order).
func outboxNotices(t *testing.T, s *Store) []flows.Notice {
	t.Helper()
	type entry struct {
		ms, seq int64
		n       flows.Notice
	}
	var all []entry
	for l := flows.LaneLegacy; l < flows.Lanes; l++ {
		msgs, err := s.rdb.XRange(t.Context(), s.outboxKey(l), "-", "+").Result()
		must(t, "xrange", err)
		for _, m := range msgs {
			var n flows.Notice
			must(t, "decode notice", json.Unmarshal([]byte(m.Values["n"].(string)), &n))
			a, b, _ := strings.Cut(m.ID, "-")
			ms, _ := strconv.ParseInt(a, 10, 64)
			seq, _ := strconv.ParseInt(b, 10, 64)
			all = append(all, entry{ms, seq, n})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		return all[i].ms < all[j].ms || all[i].ms == all[j].ms && all[i].seq < all[j].seq
	})
	var out []flows.Notice
	for _, e := range all {
		out = append(out, e.n)
	}
	return out
}

func notice(chat int64, k flows.NoticeKind, req int64) flows.Notice {
	return flows.Notice{ChatID: chat, Lang: "zh", Kind: k, RequestID: req}
}

// TestApply walks two requests through their lives. Each step says what
// must hold afterwards; a refused step must leave everything as it was.
func TestApply(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	s.GuardTTL = time.Hour

	for want := int64(1); want <= 3; want++ {
		id, err := s.NextRequestID(ctx)
		must(t, "next id", err)
		if id != want {
			t.Fatalf("NextRequestID = %d, want %d", id, want)
		}
	}

	// cur holds the latest stored copy of each request, as flows would read it.
	cur := map[int64]flows.Request{}
	r1 := newRequest(1, "H1", "C1", "U1", t0)
	r2 := newRequest(2, "H1", "C1", "U1", t0.Add(time.Minute))
	r3 := newRequest(3, "H2", "C2", "U2", t0.Add(-time.Minute)) // created earlier, numbered later
	with := func(id int64, f func(*flows.Request)) flows.Request {
		r := cur[id]
		f(&r)
		return r
	}
	prev := func(id int64) *flows.Request { r := cur[id]; return &r }
	stale := func(id int64) *flows.Request { r := cur[id]; r.Version--; return &r }

	type open map[flows.Scope][]int64
	cadre := func(id string) flows.Scope { return flows.Scope{Kind: flows.ScopeCadre, ID: id} }
	hh := func(id string) flows.Scope { return flows.Scope{Kind: flows.ScopeHousehold, ID: id} }
	unit := func(id string) flows.Scope { return flows.Scope{Kind: flows.ScopeUnit, ID: id} }
	county := flows.Scope{Kind: flows.ScopeCounty}

	steps := []struct {
		name    string
		change  func() flows.Change
		wantErr string
		open    open               // expected open indexes (only those listed are checked)
		recent  map[string][]int64 // expected Recent(hh, 10)
		tl      map[int64]int      // expected timeline lengths
	}{
		{
			name: "create r1",
			change: func() flows.Change {
				return flows.Change{Request: r1, Event: event(flows.ActCreate, "", flows.StateReceived, ""),
					Notices: []flows.Notice{notice(11, flows.NoticeRequestAck, 1), notice(21, flows.NoticeNewRequest, 1)}, Guard: "upd:1"}
			},
			open:   open{cadre("C1"): {1}, hh("H1"): {1}, unit("U1"): {1}, county: {1}},
			recent: map[string][]int64{"H1": {1}},
			tl:     map[int64]int{1: 1},
		},
		{
			name: "create r1 again with another guard",
			change: func() flows.Change {
				return flows.Change{Request: r1, Event: event(flows.ActCreate, "", flows.StateReceived, "again"), Notices: []flows.Notice{notice(11, flows.NoticeRequestAck, 1)}, Guard: "upd:1b"}
			},
			wantErr: flows.ECONFLICT,
			tl:      map[int64]int{1: 1},
		},
		{
			name: "create r1 again with the same guard",
			change: func() flows.Change {
				return flows.Change{Request: r1, Event: event(flows.ActCreate, "", flows.StateReceived, ""), Notices: []flows.Notice{notice(11, flows.NoticeRequestAck, 1)}, Guard: "upd:1"}
			},
			wantErr: flows.EDUPLICATE,
		},
		{
			name: "create r2 and r3 (r3 older)",
			change: func() flows.Change {
				must(t, "create r3", s.Apply(ctx, flows.Change{Request: r3, Event: event(flows.ActCreate, "", flows.StateReceived, "")}))
				return flows.Change{Request: r2, Event: event(flows.ActCreate, "", flows.StateReceived, ""), Notices: []flows.Notice{notice(11, flows.NoticeRequestAck, 2)}}
			},
			open:   open{cadre("C1"): {1, 2}, cadre("C2"): {3}, hh("H1"): {1, 2}, unit("U1"): {1, 2}, unit("U2"): {3}, county: {3, 1, 2}},
			recent: map[string][]int64{"H1": {2, 1}, "H2": {3}},
			tl:     map[int64]int{1: 1, 2: 1, 3: 1},
		},
		{
			name: "r1 responded",
			change: func() flows.Change {
				return flows.Change{Prev: prev(1), Request: with(1, func(r *flows.Request) { r.State, r.FirstResponseAt = flows.StateResponded, t0.Add(time.Hour) }),
					Event: event(flows.ActContact, flows.StateReceived, flows.StateResponded, ""), Notices: []flows.Notice{notice(11, flows.NoticeContacted, 1)}, Guard: "upd:2"}
			},
			open: open{cadre("C1"): {1, 2}, county: {3, 1, 2}},
			tl:   map[int64]int{1: 2},
		},
		{
			name: "stale copy",
			change: func() flows.Change {
				return flows.Change{Prev: stale(1), Request: with(1, func(r *flows.Request) { r.State = flows.StateClosed }),
					Event: event(flows.ActResolve, flows.StateReceived, flows.StateClosed, ""), Notices: []flows.Notice{notice(11, flows.NoticeResolved, 1)}, Guard: "upd:3"}
			},
			wantErr: flows.ECONFLICT,
			open:    open{cadre("C1"): {1, 2}, county: {3, 1, 2}},
			tl:      map[int64]int{1: 2},
		},
		{
			name: "a refused change did not use up its guard",
			change: func() flows.Change {
				return flows.Change{Prev: prev(1), Request: with(1, func(r *flows.Request) { r.State, r.Deadline = flows.StatePromised, t0.Add(72*time.Hour) }),
					Event: event(flows.ActDeadline, flows.StateResponded, flows.StatePromised, "3"), Notices: []flows.Notice{notice(11, flows.NoticeDeadlineSet, 1)}, Guard: "upd:3"}
			},
			tl: map[int64]int{1: 3},
		},
		{
			name: "repeated guard",
			change: func() flows.Change {
				return flows.Change{Prev: prev(1), Request: with(1, func(r *flows.Request) { r.Summary = "changed" }),
					Event: event(flows.ActFollowup, flows.StatePromised, flows.StatePromised, ""), Notices: []flows.Notice{notice(21, flows.NoticeFollowup, 1)}, Guard: "upd:2"}
			},
			wantErr: flows.EDUPLICATE,
			tl:      map[int64]int{1: 3},
		},
		{
			name: "r1 reassigned to C2 in U2",
			change: func() flows.Change {
				return flows.Change{Prev: prev(1), Request: with(1, func(r *flows.Request) { r.CadreID, r.Unit = "C2", "U2" }),
					Event: event(flows.ActReassign, flows.StatePromised, flows.StatePromised, "C2"), Notices: []flows.Notice{notice(22, flows.NoticeNewRequest, 1)}}
			},
			open: open{cadre("C1"): {2}, cadre("C2"): {3, 1}, unit("U1"): {2}, unit("U2"): {3, 1}, hh("H1"): {1, 2}, county: {3, 1, 2}},
			tl:   map[int64]int{1: 4},
		},
		{
			name: "r1 resolved",
			change: func() flows.Change {
				return flows.Change{Prev: prev(1), Request: with(1, func(r *flows.Request) { r.State, r.ResolvedAt = flows.StateResolved, t0.Add(48*time.Hour) }),
					Event: event(flows.ActResolve, flows.StatePromised, flows.StateResolved, "修好了"), Notices: []flows.Notice{notice(11, flows.NoticeResolved, 1), notice(12, flows.NoticeResolved, 1)}, Guard: "upd:4"}
			},
			open:   open{cadre("C1"): {2}, cadre("C2"): {3}, unit("U1"): {2}, unit("U2"): {3}, hh("H1"): {2}, county: {3, 2}},
			recent: map[string][]int64{"H1": {2, 1}},
			tl:     map[int64]int{1: 5},
		},
		{
			name: "r1 closed",
			change: func() flows.Change {
				return flows.Change{Prev: prev(1), Request: with(1, func(r *flows.Request) { r.State, r.ClosedAt = flows.StateClosed, t0.Add(72*time.Hour) }),
					Event: event(flows.ActResolve, flows.StateResolved, flows.StateClosed, "")}
			},
			open:   open{cadre("C2"): {3}, hh("H1"): {2}, county: {3, 2}},
			recent: map[string][]int64{"H1": {2, 1}},
			tl:     map[int64]int{1: 6},
		},
		{
			name: "r2 split off to household H2",
			change: func() flows.Change {
				return flows.Change{Prev: prev(2), Request: with(2, func(r *flows.Request) { r.HouseholdID = "H2" }),
					Event: event(flows.ActSplit, flows.StateReceived, flows.StateReceived, "")}
			},
			open:   open{hh("H1"): nil, hh("H2"): {3, 2}, cadre("C1"): {2}, county: {3, 2}},
			recent: map[string][]int64{"H1": {1}, "H2": {2, 3}},
			tl:     map[int64]int{2: 2},
		},
	}

	var wantNotices []flows.Notice
	for _, st := range steps {
		before := outboxNotices(t, s)
		versions := map[int64]int64{}
		for id := range cur {
			versions[id] = cur[id].Version
		}
		c := st.change()
		err := s.Apply(ctx, c)
		wantCode(t, st.name, err, st.wantErr)
		if st.wantErr != "" {
			if after := outboxNotices(t, s); !reflect.DeepEqual(after, before) {
				t.Errorf("%s: refused change touched the outbox: %d -> %d notices", st.name, len(before), len(after))
			}
			for id, v := range versions {
				if r, _ := s.Request(ctx, id); r.Version != v {
					t.Errorf("%s: refused change moved request %d to version %d", st.name, id, r.Version)
				}
			}
		} else {
			wantNotices = append(wantNotices, c.Notices...)
			stored, err := s.Request(ctx, c.Request.ID)
			must(t, st.name+": request", err)
			want := c.Request
			want.Version = 1
			if c.Prev != nil {
				want.Version = c.Prev.Version + 1
			}
			if !reflect.DeepEqual(stored, want) {
				t.Errorf("%s: stored\n%+v\nwant\n%+v", st.name, stored, want)
			}
			for _, id := range []int64{1, 2, 3} {
				if r, err := s.Request(ctx, id); err == nil {
					cur[id] = r
				}
			}
		}
		for sc, want := range st.open {
			got, err := s.OpenRequests(ctx, sc)
			must(t, "open", err)
			if len(got) != 0 || len(want) != 0 {
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: Open(%s %q) = %v, want %v", st.name, sc.Kind, sc.ID, got, want)
				}
			}
		}
		for h, want := range st.recent {
			got, err := s.Recent(ctx, h, 10)
			must(t, "recent", err)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Recent(%s) = %v, want %v", st.name, h, got, want)
			}
		}
		for id, n := range st.tl {
			tl, err := s.Timeline(ctx, id)
			must(t, "timeline", err)
			if len(tl) != n {
				t.Errorf("%s: timeline of %d has %d events, want %d", st.name, id, len(tl), n)
			}
		}
	}

	if got := outboxNotices(t, s); !reflect.DeepEqual(got, wantNotices) {
		t.Errorf("outbox =\n%+v\nwant, in order,\n%+v", got, wantNotices)
	}
	tl, err := s.Timeline(ctx, 1)
	must(t, "timeline", err)
	var acts []flows.Action
	for _, e := range tl {
		acts = append(acts, e.Action)
	}
	if want := []flows.Action{flows.ActCreate, flows.ActContact, flows.ActDeadline, flows.ActReassign, flows.ActResolve, flows.ActResolve}; !reflect.DeepEqual(acts, want) {
		t.Errorf("timeline actions %v, want %v", acts, want)
	}
	if tl[4].Note != "修好了" || tl[4].To != flows.StateResolved || !tl[4].At.Equal(t0.Add(time.Hour)) {
		t.Errorf("timeline event %+v", tl[4])
	}

	// The guards expire.
	ttl, err := s.rdb.TTL(ctx, s.k.guard("upd:1")).Result()
	must(t, "ttl", err)
	if ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("guard TTL %v, want about %v", ttl, s.GuardTTL)
	}
}

func TestRequestsAndRecent(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	var want []flows.Request
	for i := int64(1); i <= 5; i++ {
		r := newRequest(i, "H1", "C1", "U1", t0.Add(time.Duration(i)*time.Hour))
		r.Summary = fmt.Sprint("第", i)
		must(t, "apply", s.Apply(ctx, flows.Change{Request: r, Event: event(flows.ActCreate, "", flows.StateReceived, "")}))
		r.Version = 1
		want = append(want, r)
	}
	tests := []struct {
		ids  []int64
		want []flows.Request
	}{
		{nil, nil},
		{[]int64{3}, []flows.Request{want[2]}},
		{[]int64{5, 99, 1, 0, -1}, []flows.Request{want[4], want[0]}},
		{[]int64{42}, nil},
		{[]int64{2, 2}, []flows.Request{want[1], want[1]}},
	}
	for _, tc := range tests {
		got, err := s.Requests(ctx, tc.ids)
		must(t, "requests", err)
		if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("Requests(%v) = %+v, want %+v", tc.ids, got, tc.want)
		}
	}

	for _, tc := range []struct {
		hh   string
		n    int
		want []int64
	}{
		{"H1", 3, []int64{5, 4, 3}},
		{"H1", 1, []int64{5}},
		{"H1", 100, []int64{5, 4, 3, 2, 1}},
		{"H9", 3, nil},
	} {
		got, err := s.Recent(ctx, tc.hh, tc.n)
		must(t, "recent", err)
		if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("Recent(%s, %d) = %v, want %v", tc.hh, tc.n, got, tc.want)
		}
	}

	for _, sc := range []flows.Scope{{Kind: "region"}, {}} {
		_, err := s.OpenRequests(ctx, sc)
		wantCode(t, fmt.Sprintf("Open(%q)", sc.Kind), err, flows.EINVALID)
	}
	// ScopeCounty ignores the id.
	got, err := s.OpenRequests(ctx, flows.Scope{Kind: flows.ScopeCounty, ID: "whatever"})
	must(t, "open county", err)
	if len(got) != 5 {
		t.Errorf("county open = %v", got)
	}
	tl, err := s.Timeline(ctx, 99)
	must(t, "timeline of unknown", err)
	if len(tl) != 0 {
		t.Errorf("timeline of unknown request %v", tl)
	}
}

// Recent(hh, 0) must not return the whole history.
func TestRecentZero(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "apply", s.Apply(ctx, flows.Change{Request: newRequest(1, "H1", "C1", "U1", t0)}))
	got, err := s.Recent(ctx, "H1", 0)
	must(t, "recent", err)
	if len(got) != 0 {
		t.Errorf("Recent(H1, 0) = %v, want none", got)
	}
}

// Event fields, including the optional message reference, survive storage.
func TestTimelineRoundTrip(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	r := newRequest(1, "H1", "C1", "U1", t0)
	evs := []flows.Event{
		{At: t0, Actor: "household:H1", Action: flows.ActCreate, To: flows.StateReceived, Note: "水井坏了\n请帮忙"},
		{At: t0.Add(time.Minute), Actor: "household:H1", Action: flows.ActFollowup, From: flows.StateReceived, To: flows.StateReceived,
			Msg: &flows.MsgRef{ChatID: 11, MessageID: 77, Kind: flows.KindPhoto, Text: "照片"}},
		{At: t0.Add(time.Hour), Actor: "cadre:C1", Action: flows.ActContact, From: flows.StateReceived, To: flows.StateResponded},
	}
	var p *flows.Request
	for _, ev := range evs {
		must(t, "apply", s.Apply(ctx, flows.Change{Prev: p, Request: r, Event: ev}))
		stored, err := s.Request(ctx, 1)
		must(t, "request", err)
		r, p = stored, &stored
	}
	got, err := s.Timeline(ctx, 1)
	must(t, "timeline", err)
	if !reflect.DeepEqual(got, evs) {
		t.Errorf("Timeline =\n%+v\nwant\n%+v", got, evs)
	}
	if r.Version != 3 {
		t.Errorf("version %d after 3 changes", r.Version)
	}
}

// Of many writers starting from the same copy, exactly one wins.
func TestApplyConcurrent(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	r := newRequest(1, "H1", "C1", "U1", t0)
	must(t, "create", s.Apply(ctx, flows.Change{Request: r, Event: event(flows.ActCreate, "", flows.StateReceived, "")}))
	base, err := s.Request(ctx, 1)
	must(t, "request", err)
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			next := base
			next.CadreID = fmt.Sprint("N", i)
			errs[i] = s.Apply(ctx, flows.Change{Prev: &base, Request: next, Event: event(flows.ActReassign, "", "", next.CadreID),
				Notices: []flows.Notice{notice(int64(i), flows.NoticeNewRequest, 1)}})
		})
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch flows.ErrorCode(err) {
		case "":
			if won >= 0 {
				t.Fatalf("writers %d and %d both won", won, i)
			}
			won = i
		case flows.ECONFLICT:
		default:
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no writer won")
	}
	tl, _ := s.Timeline(ctx, 1)
	if len(tl) != 2 {
		t.Errorf("timeline has %d events, want 2", len(tl))
	}
	if ns := outboxNotices(t, s); len(ns) != 1 || ns[0].ChatID != int64(won) {
		t.Errorf("outbox %+v, want the winner's notice", ns)
	}
	open, _ := s.OpenRequests(ctx, flows.Scope{Kind: flows.ScopeCadre, ID: "C1"})
	if len(open) != 0 {
		t.Errorf("old cadre index still holds %v", open)
	}
	open, _ = s.OpenRequests(ctx, flows.Scope{Kind: flows.ScopeCadre, ID: fmt.Sprint("N", won)})
	if !reflect.DeepEqual(open, []int64{1}) {
		t.Errorf("winner's cadre index %v", open)
	}
}

// A change that names a household applies only while the household is on
// record; refused, it writes nothing at all.
func TestApplyNeedsHouseholdOnRecord(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	before, err := s.rdb.Keys(ctx, "*").Result()
	must(t, "keys", err)
	gone := flows.Change{Request: newRequest(1, "H9", "C1", "U1", t0), Event: event(flows.ActCreate, "", flows.StateReceived, ""),
		Notices: []flows.Notice{notice(5, flows.NoticeRequestAck, 1)}, Guard: "u1", Week: "2026-W49", Household: "H9"}
	wantCode(t, "apply for a household not on record", s.Apply(ctx, gone), flows.ENOTFOUND)
	after, err := s.rdb.Keys(ctx, "*").Result()
	must(t, "keys", err)
	if len(after) != len(before) {
		t.Errorf("a refused change wrote keys: %d before, %d after", len(before), len(after))
	}
	ok := gone
	ok.Request.HouseholdID, ok.Household = "H1", "H1"
	must(t, "apply for a household on record", s.Apply(ctx, ok))
	if r, err := s.Request(ctx, 1); err != nil || r.HouseholdID != "H1" {
		t.Errorf("request after apply: %+v, %v", r, err)
	}
}
