package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// killHook lets a client make budget calls (a command or a pipeline each),
// then fails every later one, as if the process died there: nothing it
// would still have written (a rollback, an unlock) reaches Redis.
type killHook struct {
	budget int64
	n      atomic.Int64
}

var errKilled = errors.New("killed")

func (h *killHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *killHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.n.Add(1) > h.budget {
			cmd.SetErr(errKilled)
			return errKilled
		}
		return next(ctx, cmd)
	}
}

func (h *killHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.n.Add(1) > h.budget {
			for _, c := range cmds {
				c.SetErr(errKilled)
			}
			return errKilled
		}
		return next(ctx, cmds)
	}
}

// bigRoster is a roster of n households over several units, large enough
// that an import takes several chunks.
func bigRoster(n int, variant string) flows.Roster {
	var r flows.Roster
	for i := range 12 {
		role := flows.RoleCadre
		if i%4 == 0 {
			role = flows.RoleLeader
		}
		r.Cadres = append(r.Cadres, flows.Cadre{ID: fmt.Sprintf("C%02d", i), Name: variant + "干部" + fmt.Sprint(i),
			Unit: fmt.Sprintf("U%d", i%3), Role: role, OnRoster: true})
	}
	for i := range n {
		r.Households = append(r.Households, flows.Household{ID: fmt.Sprintf("H%05d", i), Name: variant + "户" + fmt.Sprint(i),
			Village: "村" + fmt.Sprint(i%7), CadreID: fmt.Sprintf("C%02d", i%12)})
	}
	return r
}

// nextRoster is the roster an office would import next: renames, moves,
// a leader taken off and one added, households removed and added, a unit
// changed.
func nextRoster(n int) flows.Roster {
	r := bigRoster(n, "新")
	r.Cadres = append(r.Cadres[1:], flows.Cadre{ID: "L99", Name: "新领导", Unit: "U9", Role: flows.RoleLeader, OnRoster: true})
	r.Cadres[2].Unit = "U8"
	for i := range r.Households {
		if r.Households[i].CadreID == "C00" {
			r.Households[i].CadreID = "C01"
		}
		if i%5 == 0 {
			r.Households[i].CadreID = "L99"
		}
	}
	r.Households = append(r.Households[3:], flows.Household{ID: "H99999", Name: "新户", Village: "新村", CadreID: "L99"})
	return r
}

// snapshot is everything the readers say about the roster.
type snapshot struct {
	Roster     flows.Roster
	Cadres     map[string]flows.Cadre
	Households map[string]flows.Household
	Leaders    map[string][]string
}

func takeSnapshot(t *testing.T, s *Store, ids []string, units []string) snapshot {
	t.Helper()
	ctx := t.Context()
	r, err := s.Roster(ctx)
	must(t, "roster", err)
	snap := snapshot{Roster: r, Cadres: map[string]flows.Cadre{}, Households: map[string]flows.Household{}, Leaders: map[string][]string{}}
	for _, id := range ids {
		if c, err := s.Cadre(ctx, id); err == nil {
			snap.Cadres[id] = c
		}
		if h, err := s.Household(ctx, id); err == nil {
			snap.Households[id] = h
		}
	}
	for _, u := range units {
		ls, err := s.UnitLeaders(ctx, u)
		must(t, "leaders", err)
		for _, l := range ls {
			snap.Leaders[u] = append(snap.Leaders[u], l.ID)
		}
	}
	return snap
}

// idsOf lists the cadres and units of the rosters and a sample of their
// households (every one of a small roster), to read one by one.
func idsOf(rs ...flows.Roster) ([]string, []string) {
	ids, units := map[string]bool{}, map[string]bool{"": true}
	for _, r := range rs {
		for _, c := range r.Cadres {
			ids[c.ID], units[c.Unit] = true, true
		}
		for i, h := range r.Households {
			if i < 10 || i%97 == 0 || i >= len(r.Households)-3 {
				ids[h.ID] = true
			}
		}
	}
	var a, b []string
	for id := range ids {
		a = append(a, id)
	}
	for u := range units {
		b = append(b, u)
	}
	sort.Strings(a)
	sort.Strings(b)
	return a, b
}

// An import killed at any point leaves the old roster or the new one, never
// a mix; the next import rolls a killed one back and goes through, leaving
// no staged key and no replaced data behind.
func TestImportKilledAtEveryPoint(t *testing.T) {
	srv := newServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	old, next := bigRoster(1100, "旧"), nextRoster(1100)
	ids, units := idsOf(old, next)
	// What the readers say of each roster, from clean imports.
	clean := func(ns string, rs ...flows.Roster) snapshot {
		s := New(srv.Client(), "mq", ns)
		for _, r := range rs {
			must(t, "clean import", s.SaveRoster(ctx, r))
		}
		return takeSnapshot(t, s, ids, units)
	}
	wantOld, wantNew := clean("old", old), clean("new", old, next)
	if reflect.DeepEqual(wantOld, wantNew) {
		t.Fatal("the two rosters read the same")
	}
	sawOld, sawNew := false, false
	for budget := int64(0); ; budget++ {
		ns := fmt.Sprintf("kill%d", budget)
		base := New(srv.Client(), "mq", ns)
		must(t, "old import", base.SaveRoster(ctx, old))

		rdb := srv.Client()
		rdb.AddHook(&killHook{budget: budget})
		err := New(rdb, "mq", ns).SaveRoster(ctx, next)
		// The dead import's lock expires (TestImportLock covers the wait).
		must(t, "expire the lock", base.rdb.Del(ctx, base.k.importLock()).Err())
		switch got := takeSnapshot(t, base, ids, units); {
		case reflect.DeepEqual(got, wantOld):
			sawOld = true
		case reflect.DeepEqual(got, wantNew):
			sawNew = true
		default:
			t.Fatalf("killed after %d calls: the readers see a mix of the two rosters:\n%+v", budget, got.Roster.Cadres)
		}
		// The next import settles what the killed one left.
		must(t, "import after the kill", base.SaveRoster(ctx, next))
		if got := takeSnapshot(t, base, ids, units); !reflect.DeepEqual(got, wantNew) {
			t.Fatalf("killed after %d calls, imported again: not the new roster", budget)
		}
		checkTidy(t, base)
		if err == nil {
			t.Logf("killed after each of %d calls", budget)
			break // the budget covered the whole import
		}
		if !errors.Is(err, errKilled) {
			t.Fatalf("killed after %d calls: %v", budget, err)
		}
	}
	if !sawOld || !sawNew {
		t.Errorf("saw old roster %v, new roster %v: the kills did not cover the switch", sawOld, sawNew)
	}
}

// checkTidy fails if an import left staged keys, a journal, a lock or
// replaced data (p: fields) behind.
func checkTidy(t *testing.T, s *Store) {
	t.Helper()
	ctx := t.Context()
	keys, err := s.rdb.Keys(ctx, globEscape(s.k.p)+"import*").Result()
	must(t, "keys", err)
	if len(keys) > 0 {
		t.Errorf("left behind: %v", keys)
	}
	recs, err := s.rdb.Keys(ctx, globEscape(s.k.p)+"hh:*").Result()
	must(t, "keys", err)
	cmds := make([]*redis.StringSliceCmd, len(recs))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range recs {
			cmds[i] = p.HKeys(ctx, k)
		}
		return nil
	})
	must(t, "fields", err)
	for i, c := range cmds {
		for _, f := range c.Val() {
			if f == "pv" || strings.HasPrefix(f, prevPrefix) {
				t.Fatalf("%s keeps replaced data in %s", recs[i], f)
			}
		}
	}
}

// Until the switch, every reader sees the roster in force: the staged one
// is invisible to the roster, records, bindings and the intake script.
func TestStagedRosterInvisibleUntilSwitch(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	_, err := s.Bind(ctx, flows.CodeCheck("IC2"), flows.Account{ID: 22, Lang: "zh"}, 3)
	must(t, "bind C2", err)
	_, err = s.Bind(ctx, flows.CodeCheck("HC2"), flows.Account{ID: 12, Lang: "zh"}, 3)
	must(t, "bind H2", err)
	ids, units := idsOf(testRoster())
	before := takeSnapshot(t, s, ids, units)

	next := testRoster()
	next.Cadres = []flows.Cadre{next.Cadres[0], next.Cadres[2]}         // C2 goes
	next.Households[1].CadreID, next.Households[2].CadreID = "C1", "C1" // its households to C1
	next.Households[0].Name, next.Cadres[0].Unit = "张三丰", "U9"          // renamed, another unit
	next.Households = append(next.Households, flows.Household{ID: "H4", Name: "新", Village: "村", CadreID: "L1"})
	imp, err := s.BeginImport(ctx)
	must(t, "begin", err)
	defer imp.Close(ctx)
	must(t, "stage", imp.Stage(ctx, next))
	must(t, "card of H4", s.AddCards(ctx, []flows.NewCard{{Kind: flows.AccountHousehold, ID: "H4", Check: flows.CodeCheck("HC4")}}))

	if got := takeSnapshot(t, s, ids, units); !reflect.DeepEqual(got, before) {
		t.Fatalf("staged roster visible before the switch:\n%+v\nwant\n%+v", got, before)
	}
	in, err := s.Intake(ctx, 12, "", time.Minute)
	must(t, "intake", err)
	if in.Household.CadreID != "C2" || !in.Cadre.OnRoster || in.CadreAccount == nil || in.CadreAccount.ID != 22 {
		t.Errorf("intake before the switch: %+v", in)
	}
	_, err = s.Bind(ctx, flows.CodeCheck("HC4"), flows.Account{ID: 44}, 3)
	wantCode(t, "bind a staged household", err, flows.ENOTFOUND)

	_, err = imp.Switch(ctx, []string{"H2", "H3"}, []string{"C2"})
	must(t, "switch", err)
	in, err = s.Intake(ctx, 12, "", time.Minute)
	must(t, "intake", err)
	if in.Household.CadreID != "C1" || in.Cadre.ID != "C1" || in.CadreAccount != nil {
		t.Errorf("intake after the switch: %+v", in)
	}
	c, err := s.Cadre(ctx, "C2")
	must(t, "removed cadre", err)
	if c.OnRoster || c.Name != "李强" {
		t.Errorf("removed cadre: %+v", c)
	}
	_, err = s.CadreAccount(ctx, "C2")
	wantCode(t, "account of a removed cadre", err, flows.ENOTFOUND)
	if accs, err := s.BoundAccounts(ctx, flows.AccountCadre, "C2"); err != nil || len(accs) != 1 || accs[0].ID != 22 {
		t.Errorf("bound accounts of the removed cadre: %+v, %v", accs, err)
	}
	if c, _ := s.Cadre(ctx, "C1"); c.Unit != "U9" || !c.OnRoster {
		t.Errorf("C1 after the switch: %+v", c)
	}
	if _, err := s.Bind(ctx, flows.CodeCheck("HC4"), flows.Account{ID: 44}, 3); err != nil {
		t.Errorf("bind H4 after the switch: %v", err)
	}
}

// The follow-ups journaled by a switch are done once each: the effect and
// the mark are one step, and a follow-up done before changes nothing.
func TestFollowUpsOnce(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	_, err := s.Bind(ctx, flows.CodeCheck("IC2"), flows.Account{ID: 22, Lang: "en"}, 3)
	must(t, "bind C2", err)
	next := testRoster()
	next.Cadres = next.Cadres[:1]
	next.Cadres = append(next.Cadres, testRoster().Cadres[2])
	next.Households[1].CadreID, next.Households[2].CadreID = "C1", "C1"
	imp, err := s.BeginImport(ctx)
	must(t, "begin", err)
	must(t, "stage", imp.Stage(ctx, next))
	j, err := imp.Switch(ctx, []string{"H2", "H3"}, []string{"C2"})
	must(t, "switch", err)
	must(t, "close without finishing", imp.Close(ctx)) // as if killed after the switch

	imp, err = s.BeginImport(ctx)
	must(t, "begin again", err)
	defer imp.Close(ctx)
	if p := imp.Pending(); p == nil || p.Version != j.Version {
		t.Fatalf("pending %+v, want version %d", p, j.Version)
	}
	ended, err := imp.FollowUps(ctx, j, flows.FollowEnded, 10)
	must(t, "follow-ups", err)
	if !reflect.DeepEqual(ended, []string{"C2"}) {
		t.Fatalf("ended %v", ended)
	}
	f := flows.FollowUp{Version: j.Version, Kind: flows.FollowEnded, ID: "C2"}
	acc := flows.Account{ID: 22, Kind: flows.AccountCadre, Ref: "C2"}
	before := outboxLen(t, s)
	for range 2 {
		must(t, "follow", imp.Follow(ctx, []flows.Followed{{FollowUp: f, Unbind: &acc, Notices: []flows.Notice{{ChatID: 22, Kind: flows.NoticeRoleEnded}}}}))
	}
	if n := outboxLen(t, s) - before; n != 1 {
		t.Errorf("%d notices queued, want 1", n)
	}
	_, err = s.Account(ctx, 22)
	wantCode(t, "unbound account", err, flows.ENOTFOUND)
	if v, _ := s.rdb.HGet(ctx, s.k.cadre("C2"), "account").Result(); v != "" {
		t.Errorf("the removed cadre still names account %s", v)
	}
	if left, _ := imp.FollowUps(ctx, j, flows.FollowEnded, 10); len(left) != 0 {
		t.Errorf("follow-ups left: %v", left)
	}
	must(t, "finish", imp.Finish(ctx, j))
	must(t, "close", imp.Close(ctx))
	checkTidy(t, s)
	// Back on the roster, the cadre binds again with the same invite.
	must(t, "re-add", s.SaveRoster(ctx, testRoster()))
	if a, err := s.Bind(ctx, flows.CodeCheck("IC2"), flows.Account{ID: 22}, 3); err != nil || a.Ref != "C2" {
		t.Errorf("re-added cadre binds: %+v, %v", a, err)
	}
}

// One import at a time: a second waits for the lock, and gives up with
// ECONFLICT while the first keeps it alive.
func TestImportLock(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	s.ImportLockTTL = 300 * time.Millisecond
	first, err := s.BeginImport(ctx)
	must(t, "first", err)
	_, err = s.BeginImport(ctx)
	wantCode(t, "second while the first runs", err, flows.ECONFLICT)
	must(t, "close", first.Close(ctx))
	second, err := s.BeginImport(ctx)
	must(t, "second after the first", err)
	must(t, "close", second.Close(ctx))
}

// Unbind cuts one account off its household's card; the others stay.
func TestUnbind(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	for _, id := range []int64{11, 12} {
		_, err := s.Bind(ctx, flows.CodeCheck("HC1"), flows.Account{ID: id}, 3)
		must(t, "bind", err)
	}
	must(t, "link", s.rdb.HSet(ctx, s.k.link(11), "5", "1").Err())
	ok, err := s.Unbind(ctx, flows.Account{ID: 11, Kind: flows.AccountHousehold, Ref: "H1"})
	if err != nil || !ok {
		t.Fatalf("unbind: %v %v", ok, err)
	}
	accs, err := s.HouseholdAccounts(ctx, "H1")
	must(t, "accounts", err)
	if len(accs) != 1 || accs[0].ID != 12 {
		t.Errorf("accounts left: %+v", accs)
	}
	if n, _ := s.rdb.Exists(ctx, s.k.link(11), s.k.account(11)).Result(); n != 0 {
		t.Error("the unbound account keeps its record or reply links")
	}
	if ok, err := s.Unbind(ctx, flows.Account{ID: 11, Kind: flows.AccountHousehold, Ref: "H1"}); err != nil || ok {
		t.Errorf("unbind again: %v %v", ok, err)
	}
	if ok, err := s.Unbind(ctx, flows.Account{ID: 12, Kind: flows.AccountHousehold, Ref: "H2"}); err != nil || ok {
		t.Errorf("unbind from a card it is not bound to: %v %v", ok, err)
	}
	if _, err := s.Bind(ctx, flows.CodeCheck("HC1"), flows.Account{ID: 11}, 3); err != nil {
		t.Errorf("the card binds the account again: %v", err)
	}
}
