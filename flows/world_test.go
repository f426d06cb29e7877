package flows_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/redistest"
	"github.com/minqing/minqing/store"
)

// These tests run flows' rules directly on the real store (a redis-server
// the test starts, internal/redistest), without Telegram: a message or a
// press goes in, the notices queued in the outbox and the stored request
// come out.

var cst = time.FixedZone("CST", 8*3600)

// t0 is a Tuesday morning, working hours.
var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, cst)

// The people of the test county and their accounts: households H1 and H2
// of cadre C1; C2 a colleague in C1's unit 城关镇, C3 a cadre of 河口乡; L1
// and L2 the two units' leaders, L0 a county leader (no unit).
const (
	acctH1 int64 = 1001
	acctH2 int64 = 1002
	acctC1 int64 = 2001
	acctC2 int64 = 2002
	acctC3 int64 = 2003
	acctL0 int64 = 3000
	acctL1 int64 = 3001
	acctL2 int64 = 3002
)

// accounts maps roster ids to the accounts bound to them.
var accounts = map[string]int64{"H1": acctH1, "H2": acctH2, "C1": acctC1, "C2": acctC2, "C3": acctC3, "L0": acctL0, "L1": acctL1, "L2": acctL2}

func testRoster() flows.Roster {
	return flows.Roster{
		Cadres: []flows.Cadre{
			{ID: "C1", Name: "刘建国", Unit: "城关镇", Role: flows.RoleCadre, Phone: "13900000001"},
			{ID: "C2", Name: "王秀梅", Unit: "城关镇", Role: flows.RoleCadre},
			{ID: "C3", Name: "赵大勇", Unit: "河口乡", Role: flows.RoleCadre},
			{ID: "L0", Name: "县领导", Role: flows.RoleLeader},
			{ID: "L1", Name: "张志强", Unit: "城关镇", Role: flows.RoleLeader},
			{ID: "L2", Name: "孙立新", Unit: "河口乡", Role: flows.RoleLeader},
		},
		Households: []flows.Household{
			{ID: "H1", Name: "张福来", Village: "保安村", CadreID: "C1"},
			{ID: "H2", Name: "周玉兰", Village: "保安村", CadreID: "C1"},
		},
	}
}

// world is a county on a real store, on a simulated clock.
type world struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	svc   *flows.Service
	clock *flows.SimClock
	seq   int64 // update and message ids
}

// settings are the rules the tests run by: a day to respond, two to
// escalate, a week's default deadline and verdict wait; no quiet hours.
func settings() flows.Settings {
	return flows.Settings{MaxHouseholdAccounts: 3, FirstResponse: 24 * time.Hour, EscalateAfter: 48 * time.Hour,
		DefaultDeadline: 7 * 24 * time.Hour, VerdictWait: 7 * 24 * time.Hour, Location: cst, DefaultLang: "zh",
		County: "县", FloodPerMinute: 20, EveReminder: 9 * time.Hour}
}

// newWorld starts a redis-server, imports the test roster and binds
// everyone; tweak changes the settings first.
func newWorld(t *testing.T, tweak ...func(*flows.Settings)) *world {
	t.Helper()
	return newWorldOn(t, redistest.Start(t), "flows", tweak...)
}

// newWorldOn is newWorld on a running server, in namespace ns (a county of
// its own).
func newWorldOn(t *testing.T, srv *redistest.Server, ns string, tweak ...func(*flows.Settings)) *world {
	t.Helper()
	set := settings()
	for _, f := range tweak {
		f(&set)
	}
	w := &world{t: t, ctx: t.Context(), clock: flows.NewSimClock(t0), st: store.New(srv.Client(), "mq", ns)}
	w.svc = &flows.Service{Store: w.st, Clock: w.clock, Settings: set, Codes: flows.NewCardCodes("flows test secret, not for use anywhere", "flows")}
	if _, err := w.svc.ImportRoster(w.ctx, testRoster()); err != nil {
		t.Fatal(err)
	}
	for _, list := range []func(context.Context) ([]flows.CardLine, error){w.svc.Invites, w.svc.Cards} {
		lines, err := list(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			id := l.Cadre.ID
			if l.Household.ID != "" {
				id = l.Household.ID
			}
			if _, err := w.st.Bind(w.ctx, flows.CodeCheck(l.Code), flows.Account{ID: accounts[id], Lang: "zh"}, 3); err != nil {
				t.Fatalf("bind %s: %v", id, err)
			}
		}
	}
	w.sent() // nothing before the tests' own actions
	return w
}

// say sends a household's (or anyone's) text message.
func (w *world) say(acct int64, text string) {
	w.t.Helper()
	w.seq++
	m := flows.Message{UpdateID: w.seq, AccountID: acct, ChatID: acct, MessageID: int(w.seq), Lang: "zh-hans", Kind: flows.KindText, Text: text}
	if err := w.svc.Receive(w.ctx, m); err != nil {
		w.t.Fatalf("receive %q from %d: %v", text, acct, err)
	}
}

// press presses a button as acct.
func (w *world) press(acct int64, act flows.Action, id int64, arg string) flows.PressResult {
	w.t.Helper()
	w.seq++
	res, err := w.svc.Press(w.ctx, flows.Press{UpdateID: w.seq, AccountID: acct, ChatID: acct, MessageID: 1, Lang: "zh-hans",
		Button: flows.Button{Action: act, RequestID: id, Arg: arg}})
	if err != nil {
		w.t.Fatalf("press %s:%d:%s as %d: %v", act, id, arg, acct, err)
	}
	return res
}

// mustPress presses and fails unless the press was done.
func (w *world) mustPress(acct int64, act flows.Action, id int64, arg string) {
	w.t.Helper()
	if res := w.press(acct, act, id, arg); res.Toast != flows.ToastDone {
		w.t.Fatalf("press %s:%d:%s as %d: %s, want done", act, id, arg, acct, res.Toast)
	}
}

// request reads a stored request.
func (w *world) request(id int64) flows.Request {
	w.t.Helper()
	r, err := w.st.Request(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// sent returns the notices queued since the last call (lane by lane), and
// takes them off the outbox.
func (w *world) sent() []flows.Notice {
	w.t.Helper()
	var out []flows.Notice
	for l := flows.Lane(0); l < flows.Lanes; l++ {
		for {
			qs, err := w.st.Next(w.ctx, "test", l, 100, time.Millisecond, time.Hour)
			if err != nil {
				w.t.Fatal(err)
			}
			if len(qs) == 0 {
				break
			}
			ds := make([]flows.Delivered, len(qs))
			for i, q := range qs {
				out = append(out, q.Notice)
				ds[i] = flows.Delivered{Queued: q}
			}
			if err := w.st.DoneAll(w.ctx, ds); err != nil {
				w.t.Fatal(err)
			}
		}
	}
	return out
}

// kinds lists notices as "kind>account", in the order queued.
func kinds(ns []flows.Notice) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s>%d", n.Kind, n.ChatID))
	}
	return out
}

// expectSent fails unless exactly the notices want ("kind>account", in any
// order) were queued since the last look.
func (w *world) expectSent(what string, want ...string) []flows.Notice {
	w.t.Helper()
	ns := w.sent()
	got := kinds(ns)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		w.t.Errorf("%s: sent %v, want %v", what, got, want)
	}
	return ns
}

// sweep moves the clock to at and runs the reminders' sweep.
func (w *world) sweep(at time.Time) int {
	w.t.Helper()
	w.clock.Set(at)
	n, err := w.svc.Sweep(w.ctx, at)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// newRequest has H1 write, and returns the new request's id.
func (w *world) newRequest(text string) int64 {
	w.t.Helper()
	w.say(acctH1, text)
	ns := w.sent()
	for _, n := range ns {
		if n.Kind == flows.NoticeNewRequest {
			return n.RequestID
		}
	}
	w.t.Fatalf("%q made no request: %v", text, kinds(ns))
	return 0
}

// to formats a notice's expected "kind>account".
func to(kind flows.NoticeKind, acct int64) string { return fmt.Sprintf("%s>%d", kind, acct) }

// requestIn makes a request of H1 and brings it to state by the cadre's and
// the household's presses.
func (w *world) requestIn(state flows.State) int64 {
	w.t.Helper()
	id := w.newRequest("房顶漏雨，请来看看")
	switch state {
	case flows.StateResponded:
		w.mustPress(acctC1, flows.ActContact, id, "")
	case flows.StatePromised:
		w.mustPress(acctC1, flows.ActDeadline, id, "3")
	case flows.StateResolved:
		w.mustPress(acctC1, flows.ActSolve, id, "")
	case flows.StateClosed:
		w.mustPress(acctC1, flows.ActSolve, id, "")
		w.mustPress(acctH1, flows.ActSolvedQ, id, "y")
		w.mustPress(acctH1, flows.ActRate, id, "3")
	}
	w.sent()
	if got := w.request(id).State; got != state {
		w.t.Fatalf("request %d is %s, want %s", id, got, state)
	}
	return id
}
