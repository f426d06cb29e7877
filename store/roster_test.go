package store

import (
	"reflect"
	"testing"

	"github.com/minqing/minqing/flows"
)

func TestSaveRosterRoundTrip(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	r := testRoster()
	must(t, "save", saveRoster(ctx, s, r, testCodes()))

	got, err := s.Roster(ctx)
	must(t, "roster", err)
	if !reflect.DeepEqual(got, r) { // the fixture is already sorted by id
		t.Fatalf("Roster() =\n%+v\nwant\n%+v", got, r)
	}
	for _, c := range r.Cadres {
		got, err := s.Cadre(ctx, c.ID)
		must(t, "cadre "+c.ID, err)
		if got != c {
			t.Errorf("Cadre(%s) = %+v, want %+v", c.ID, got, c)
		}
	}
	for _, h := range r.Households {
		got, err := s.Household(ctx, h.ID)
		must(t, "household "+h.ID, err)
		if got != h {
			t.Errorf("Household(%s) = %+v, want %+v", h.ID, got, h)
		}
	}

	cadres := []struct {
		name string
		ids  []string
		want []string
	}{
		{"none", nil, nil},
		{"in given order", []string{"L1", "C1"}, []string{"L1", "C1"}},
		{"unknown skipped", []string{"C2", "nope", "C1", ""}, []string{"C2", "C1"}},
		{"only unknown", []string{"x", "y"}, nil},
	}
	for _, tc := range cadres {
		got, err := s.Cadres(ctx, tc.ids)
		must(t, "cadres", err)
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("Cadres %s: %v, want %v", tc.name, ids, tc.want)
		}
	}

	for _, tc := range []struct {
		kind flows.AccountKind
		want map[string]string
	}{
		{flows.AccountHousehold, map[string]string{"H1": "HC1", "H2": "HC2", "H3": "HC3"}},
		{flows.AccountCadre, map[string]string{"C1": "IC1", "C2": "IC2", "L1": "IL1"}},
	} {
		if got := checksOf(t, s, tc.kind); !reflect.DeepEqual(got, checks(tc.want)) {
			t.Errorf("card checks of %s = %v, want the checks of %v", tc.kind, got, tc.want)
		}
	}

	// Card keys resolve to their holder.
	for key, code := range testCodes() {
		v, err := s.rdb.Get(ctx, s.k.card(flows.CodeCheck(code))).Result()
		must(t, "card "+code, err)
		if v != key {
			t.Errorf("card %s -> %q, want %q", code, v, key)
		}
	}
}

func TestRosterEmpty(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	r, err := s.Roster(ctx)
	must(t, "roster", err)
	if len(r.Cadres) != 0 || len(r.Households) != 0 {
		t.Errorf("empty store has roster %+v", r)
	}
	if codes := checksOf(t, s, flows.AccountHousehold); len(codes) != 0 {
		t.Errorf("codes %v", codes)
	}
	must(t, "save empty", saveRoster(ctx, s, flows.Roster{}, nil))
}

// Re-saving keeps codes, applies new codes only to those without one,
// updates fields, and removes missing entries from the lists.
func TestSaveRosterResave(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "first save", saveRoster(ctx, s, testRoster(), testCodes()))

	// The second import: H1 renamed and moved to C2, H3 gone, H4 new,
	// C2 gone, C3 new; codes only for the new ones.
	r := testRoster()
	r.Households[0].Name, r.Households[0].CadreID, r.Households[0].Phone = "张三丰", "C3", ""
	r.Households = append(r.Households[:2], flows.Household{ID: "H4", Name: "赵六", Village: "南村", CadreID: "C3"})
	r.Cadres = []flows.Cadre{r.Cadres[0], {ID: "C3", Name: "新干部", Unit: "U1", Role: flows.RoleCadre, OnRoster: true}, r.Cadres[2]}
	r.Cadres[0].Role, r.Cadres[0].Unit = flows.RoleLeader, "U9"
	must(t, "second save", saveRoster(ctx, s, r, map[string]string{"household:H4": "HC4", "cadre:C3": "IC3"}))

	got, err := s.Roster(ctx)
	must(t, "roster", err)
	want := flows.Roster{
		Cadres:     []flows.Cadre{r.Cadres[0], r.Cadres[1], r.Cadres[2]},
		Households: []flows.Household{r.Households[0], r.Households[1], r.Households[2]},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Roster() =\n%+v\nwant\n%+v", got, want)
	}

	for _, tc := range []struct {
		kind flows.AccountKind
		want map[string]string
	}{
		{flows.AccountHousehold, map[string]string{"H1": "HC1", "H2": "HC2", "H4": "HC4"}},
		{flows.AccountCadre, map[string]string{"C1": "IC1", "C3": "IC3", "L1": "IL1"}},
	} {
		if codes := checksOf(t, s, tc.kind); !reflect.DeepEqual(codes, checks(tc.want)) {
			t.Errorf("card checks of %s = %v, want the checks of %v", tc.kind, codes, tc.want)
		}
	}

	// A third save with no new codes changes no code.
	must(t, "third save", saveRoster(ctx, s, r, nil))
	codes := checksOf(t, s, flows.AccountHousehold)
	if codes["H1"] != flows.CodeCheck("HC1") || codes["H4"] != flows.CodeCheck("HC4") {
		t.Errorf("codes changed by a save without new codes: %v", codes)
	}

	// Removed entries leave the lists, but their records stay readable so
	// that their old requests can still be shown.
	if h, err := s.Household(ctx, "H3"); err != nil || h.Name != "王五" {
		t.Errorf("removed household H3: %+v, %v", h, err)
	}
	if c, err := s.Cadre(ctx, "C2"); err != nil || c.Name != "李强" || c.OnRoster {
		t.Errorf("removed cadre C2: %+v, %v (want the record, off the roster)", c, err)
	}
}

// An entry saved without a code has no check until one is given.
func TestSaveRosterWithoutCodes(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), map[string]string{"household:H2": "HC2", "household:ZZ": "NOPE"}))
	if codes, want := checksOf(t, s, flows.AccountHousehold), checks(map[string]string{"H2": "HC2"}); !reflect.DeepEqual(codes, want) {
		t.Errorf("card checks = %v, want %v (codes for ids not on record are ignored)", codes, want)
	}
	if n, _ := s.rdb.Exists(ctx, s.k.card(flows.CodeCheck("NOPE"))).Result(); n != 0 {
		t.Error("a code for an id not on record created a card")
	}
	if cc := checksOf(t, s, flows.AccountCadre); len(cc) != 0 {
		t.Errorf("cadre codes %v", cc)
	}
	must(t, "save codes", saveRoster(ctx, s, testRoster(), map[string]string{"household:H1": "HC1"}))
	if codes, want := checksOf(t, s, flows.AccountHousehold), checks(map[string]string{"H1": "HC1", "H2": "HC2"}); !reflect.DeepEqual(codes, want) {
		t.Errorf("card checks = %v, want %v", codes, want)
	}
}

// flows.ImportRoster asks CardStates (which lists roster members only) which
// entries lack a code. A household removed by one import and restored by a
// later one is therefore handed a fresh code, and SaveRoster must keep the
// code it already has ("existing codes are kept").
func TestSaveRosterKeepsCodeOfRestoredHousehold(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	r := testRoster()
	must(t, "save", saveRoster(ctx, s, r, testCodes()))
	without := testRoster()
	without.Households = without.Households[:2] // H3 removed
	must(t, "remove H3", saveRoster(ctx, s, without, nil))
	if _, ok := checksOf(t, s, flows.AccountHousehold)["H3"]; ok {
		t.Fatal("removed household still listed in CardStates")
	}
	// An import that thinks H3 lacks a code sends a new one.
	must(t, "restore H3", saveRoster(ctx, s, r, map[string]string{"household:H3": "NEW3"}))
	if got := checksOf(t, s, flows.AccountHousehold)["H3"]; got != flows.CodeCheck("HC3") {
		t.Errorf("restored H3 has check %q, want its printed code HC3's", got)
	}
	if n, _ := s.rdb.Exists(ctx, s.k.card(flows.CodeCheck("NEW3"))).Result(); n != 0 {
		t.Error("a second card NEW3 now binds to H3")
	}
}

// A household or cadre removed from the roster: the card stops binding new
// accounts (ENOTFOUND, as an unknown card), accounts bound before stay bound,
// and the card binds again once the holder is back on the roster.
func TestRemovedHolderCardStopsBinding(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	if _, err := s.Bind(ctx, flows.CodeCheck("HC3"), flows.Account{ID: 31}, 3); err != nil {
		t.Fatalf("bind H3 before removal: %v", err)
	}
	without := testRoster()
	without.Households = without.Households[:2] // H3 removed
	without.Cadres = without.Cadres[:1]         // C2 removed
	for i := range without.Households {
		without.Households[i].CadreID = without.Cadres[0].ID
	}
	must(t, "remove H3 and C2", saveRoster(ctx, s, without, nil))
	_, err := s.Bind(ctx, flows.CodeCheck("HC3"), flows.Account{ID: 32}, 3)
	wantCode(t, "bind removed household", err, flows.ENOTFOUND)
	_, err = s.Bind(ctx, flows.CodeCheck("IC2"), flows.Account{ID: 33}, 3)
	wantCode(t, "bind removed cadre", err, flows.ENOTFOUND)
	if a, err := s.Account(ctx, 31); err != nil || a.Ref != "H3" {
		t.Errorf("account bound before the removal: %+v, %v", a, err)
	}
	must(t, "restore", saveRoster(ctx, s, testRoster(), nil))
	if a, err := s.Bind(ctx, flows.CodeCheck("HC3"), flows.Account{ID: 32}, 3); err != nil || a.Ref != "H3" {
		t.Errorf("bind after restore: %+v, %v", a, err)
	}
}

// Every lookup of something missing is ENOTFOUND, never a generic error.
func TestNotFound(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	tests := []struct {
		name string
		f    func() error
	}{
		{"Cadre", func() error { _, err := s.Cadre(ctx, "nope"); return err }},
		{"Cadre empty id", func() error { _, err := s.Cadre(ctx, ""); return err }},
		{"Household", func() error { _, err := s.Household(ctx, "nope"); return err }},
		{"Household of a cadre id", func() error { _, err := s.Household(ctx, "C1"); return err }},
		{"Account", func() error { _, err := s.Account(ctx, 424242); return err }},
		{"CadreAccount unbound", func() error { _, err := s.CadreAccount(ctx, "C1"); return err }},
		{"CadreAccount unknown", func() error { _, err := s.CadreAccount(ctx, "nope"); return err }},
		{"Bind unknown code", func() error { _, err := s.Bind(ctx, flows.CodeCheck("NOPE"), flows.Account{ID: 1}, 2); return err }},
		{"Bind empty code", func() error { _, err := s.Bind(ctx, flows.CodeCheck(""), flows.Account{ID: 1}, 2); return err }},
		{"Request", func() error { _, err := s.Request(ctx, 99); return err }},
		{"Linked", func() error { _, err := s.Linked(ctx, 1, 2); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.name, tc.f(), flows.ENOTFOUND) })
	}
}

// Staff lists the cadres and leaders on the roster; HouseholdNames names the
// households asked for that are on record.
func TestStaffAndHouseholdNames(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	staff, err := s.Staff(ctx)
	must(t, "staff", err)
	var ids []string
	for _, c := range staff {
		ids = append(ids, c.ID+"/"+c.Name)
	}
	if want := []string{"C1/王芳", "C2/李强", "L1/赵书记"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("staff %v, want %v", ids, want)
	}
	names, err := s.HouseholdNames(ctx, []string{"H1", "H3", "H9"})
	must(t, "names", err)
	if want := map[string]string{"H1": "张三", "H3": "王五"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	if names, err := s.HouseholdNames(ctx, nil); err != nil || len(names) != 0 {
		t.Errorf("names of none: %v, %v", names, err)
	}
}

// checksOf returns the current code check of every holder of kind on the
// roster that has one.
func checksOf(t *testing.T, s *Store, kind flows.AccountKind) map[string]string {
	t.Helper()
	states, err := s.CardStates(testCtx(t), kind)
	must(t, "card states", err)
	out := map[string]string{}
	for id, st := range states {
		if st.Check != "" {
			out[id] = st.Check
		}
	}
	return out
}

// checks maps codes to their checks.
func checks(codes map[string]string) map[string]string {
	out := map[string]string{}
	for id, code := range codes {
		out[id] = flows.CodeCheck(code)
	}
	return out
}
