package store

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/minqing/minqing/flows"
)

func accountIDs(as []flows.Account) []int64 {
	var out []int64
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// TestBind runs one sequence of binds; each step depends on the ones before.
func TestBind(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	const max = 2

	hh := func(id int64, ref, lang string) flows.Account {
		return flows.Account{ID: id, Kind: flows.AccountHousehold, Ref: ref, Lang: lang}
	}
	cadre := func(id int64, ref, lang string) flows.Account {
		return flows.Account{ID: id, Kind: flows.AccountCadre, Ref: ref, Lang: lang}
	}
	steps := []struct {
		name     string
		code     string
		id       int64
		lang     string
		wantErr  string
		want     flows.Account // when wantErr == ""
		wantRead *flows.Account
	}{
		{name: "first household account", code: "HC1", id: 101, lang: "zh", want: hh(101, "H1", "zh")},
		{name: "same account again keeps its language", code: "HC1", id: 101, lang: "en", want: hh(101, "H1", "zh")},
		{name: "second household account", code: "HC1", id: 102, lang: "en", want: hh(102, "H1", "en")},
		{name: "card full", code: "HC1", id: 103, lang: "zh", wantErr: flows.EFULL},
		{name: "bound accounts still rebind when full", code: "HC1", id: 102, want: hh(102, "H1", "en")},
		{name: "household account to another card", code: "HC2", id: 101, wantErr: flows.ECONFLICT},
		{name: "household account to an invite", code: "IC1", id: 101, wantErr: flows.ECONFLICT},
		{name: "cadre invite", code: "IC1", id: 201, lang: "zh", want: cadre(201, "C1", "zh")},
		{name: "cadre invite again", code: "IC1", id: 201, lang: "en", want: cadre(201, "C1", "zh")},
		{name: "invite binds exactly one account", code: "IC1", id: 202, wantErr: flows.EFULL},
		{name: "cadre account to a household card", code: "HC2", id: 201, wantErr: flows.ECONFLICT},
		{name: "cadre account to another invite", code: "IC2", id: 201, wantErr: flows.ECONFLICT},
		{name: "leader invite", code: "IL1", id: 301, lang: "", want: cadre(301, "L1", "")},
		{name: "unknown code", code: "XXX", id: 401, wantErr: flows.ENOTFOUND},
		{name: "code of another case", code: "hc2", id: 401, wantErr: flows.ENOTFOUND},
		{name: "refused account still free", code: "HC2", id: 103, lang: "ug", want: hh(103, "H2", "ug")},
	}
	for _, st := range steps {
		got, err := s.Bind(ctx, flows.CodeCheck(st.code), flows.Account{ID: st.id, Lang: st.lang}, max)
		wantCode(t, st.name, err, st.wantErr)
		if st.wantErr == flows.EFULL {
			// The caller learns which kind of card is full (card or invite).
			if wantKind := map[byte]flows.AccountKind{'H': flows.AccountHousehold, 'I': flows.AccountCadre}[st.code[0]]; got.Kind != wantKind {
				t.Errorf("%s: EFULL returned kind %q, want %q", st.name, got.Kind, wantKind)
			}
		}
		if st.wantErr != "" {
			continue
		}
		if got != st.want {
			t.Errorf("%s: Bind = %+v, want %+v", st.name, got, st.want)
		}
		read, err := s.Account(ctx, st.id)
		must(t, st.name+": account", err)
		if read != st.want {
			t.Errorf("%s: Account = %+v, want %+v", st.name, read, st.want)
		}
	}

	for _, id := range []int64{202, 401} {
		_, err := s.Account(ctx, id)
		wantCode(t, fmt.Sprintf("account %d after refused binds", id), err, flows.ENOTFOUND)
	}

	accs, err := s.HouseholdAccounts(ctx, "H1")
	must(t, "household accounts", err)
	if want := []flows.Account{hh(101, "H1", "zh"), hh(102, "H1", "en")}; !reflect.DeepEqual(accs, want) {
		t.Errorf("HouseholdAccounts(H1) = %+v, want %+v", accs, want)
	}
	for _, id := range []string{"H3", "nope"} {
		accs, err := s.HouseholdAccounts(ctx, id)
		must(t, "household accounts", err)
		if len(accs) != 0 {
			t.Errorf("HouseholdAccounts(%s) = %+v, want none", id, accs)
		}
	}
	ca, err := s.CadreAccount(ctx, "C1")
	must(t, "cadre account", err)
	if ca != cadre(201, "C1", "zh") {
		t.Errorf("CadreAccount(C1) = %+v", ca)
	}
	_, err = s.CadreAccount(ctx, "C2")
	wantCode(t, "unbound cadre", err, flows.ENOTFOUND)

	// SetLang is seen everywhere the account is read.
	must(t, "set lang", s.SetLang(ctx, 101, "en"))
	must(t, "set lang", s.SetLang(ctx, 201, "ug"))
	if a, _ := s.Account(ctx, 101); a.Lang != "en" {
		t.Errorf("Account(101).Lang = %q", a.Lang)
	}
	if accs, _ := s.HouseholdAccounts(ctx, "H1"); accs[0].Lang != "en" {
		t.Errorf("HouseholdAccounts lang %q", accs[0].Lang)
	}
	if a, _ := s.CadreAccount(ctx, "C1"); a.Lang != "ug" {
		t.Errorf("CadreAccount lang %q", a.Lang)
	}
	if a, _ := s.Bind(ctx, flows.CodeCheck("HC1"), flows.Account{ID: 101, Lang: "zh"}, max); a.Lang != "en" {
		t.Errorf("rebinding returned lang %q, want the chosen en", a.Lang)
	}

	// SetLang on an unbound account does not make it bound.
	must(t, "set lang unbound", s.SetLang(ctx, 999, "zh"))
	_, err = s.Account(ctx, 999)
	wantCode(t, "account after SetLang", err, flows.ENOTFOUND)
	a, err := s.Bind(ctx, flows.CodeCheck("HC3"), flows.Account{ID: 999, Lang: "en"}, max)
	must(t, "bind after SetLang", err)
	if a != hh(999, "H3", "en") {
		t.Errorf("Bind after SetLang = %+v", a)
	}

	// A new import keeps bindings.
	must(t, "resave", saveRoster(ctx, s, testRoster(), nil))
	if ca, err := s.CadreAccount(ctx, "C1"); err != nil || ca.ID != 201 {
		t.Errorf("CadreAccount after import = %+v, %v", ca, err)
	}
	if accs, _ := s.HouseholdAccounts(ctx, "H1"); !reflect.DeepEqual(accountIDs(accs), []int64{101, 102}) {
		t.Errorf("HouseholdAccounts after import = %v", accountIDs(accs))
	}
	if _, err := s.Bind(ctx, flows.CodeCheck("IC1"), flows.Account{ID: 202}, max); flows.ErrorCode(err) != flows.EFULL {
		t.Errorf("invite rebinds after import: %v", err)
	}
}

func TestBindMax(t *testing.T) {
	for _, max := range []int{1, 2, 5} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			s, _ := setup(t)
			ctx := testCtx(t)
			must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
			for i := 1; i <= max; i++ {
				_, err := s.Bind(ctx, flows.CodeCheck("HC1"), flows.Account{ID: int64(i)}, max)
				must(t, fmt.Sprintf("bind %d of %d", i, max), err)
			}
			_, err := s.Bind(ctx, flows.CodeCheck("HC1"), flows.Account{ID: 100}, max)
			wantCode(t, "one too many", err, flows.EFULL)
			// A larger max (a new setting) lets one more in.
			_, err = s.Bind(ctx, flows.CodeCheck("HC1"), flows.Account{ID: 100}, max+1)
			must(t, "bind with raised max", err)
			accs, err := s.HouseholdAccounts(ctx, "H1")
			must(t, "accounts", err)
			if len(accs) != max+1 {
				t.Errorf("%d accounts, want %d", len(accs), max+1)
			}
		})
	}
}

// Concurrent binds never exceed the limits.
func TestBindConcurrent(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	tests := []struct {
		code string
		max  int
		want int
	}{
		{"HC1", 3, 3},
		{"IC1", 3, 1},
	}
	for ti, tc := range tests {
		var mu sync.Mutex
		ok, full := 0, 0
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				_, err := s.Bind(ctx, flows.CodeCheck(tc.code), flows.Account{ID: int64(1000*(ti+1) + i)}, tc.max)
				mu.Lock()
				defer mu.Unlock()
				switch flows.ErrorCode(err) {
				case "":
					ok++
				case flows.EFULL:
					full++
				default:
					t.Errorf("bind %s: %v", tc.code, err)
				}
			})
		}
		wg.Wait()
		if ok != tc.want || full != 20-tc.want {
			t.Errorf("%s: %d bound, %d full; want %d bound", tc.code, ok, full, tc.want)
		}
	}
	accs, _ := s.HouseholdAccounts(ctx, "H1")
	if len(accs) != 3 {
		t.Errorf("H1 has %d accounts", len(accs))
	}
}

// One account binding two cards at once ends bound to exactly one.
func TestBindConcurrentSameAccount(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	codes := []string{"HC1", "HC2", "HC3", "IC1", "IC2"}
	errs := make([]error, len(codes))
	var wg sync.WaitGroup
	for i, c := range codes {
		wg.Go(func() { _, errs[i] = s.Bind(ctx, flows.CodeCheck(c), flows.Account{ID: 7}, 2) })
	}
	wg.Wait()
	okN := 0
	for i, err := range errs {
		switch flows.ErrorCode(err) {
		case "":
			okN++
		case flows.ECONFLICT:
		default:
			t.Errorf("bind %s: %v", codes[i], err)
		}
	}
	if okN != 1 {
		t.Fatalf("%d binds succeeded, want 1", okN)
	}
	a, err := s.Account(ctx, 7)
	must(t, "account", err)
	n := 0
	for _, h := range []string{"H1", "H2", "H3"} {
		accs, _ := s.HouseholdAccounts(ctx, h)
		n += len(accs)
	}
	for _, c := range []string{"C1", "C2"} {
		if _, err := s.CadreAccount(ctx, c); err == nil {
			n++
		}
	}
	if n != 1 {
		t.Errorf("account %+v is listed by %d holders, want 1", a, n)
	}
}

// HouseholdAccounts promises account id order; Telegram ids differ in length.
func TestHouseholdAccountsNumericOrder(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	for _, id := range []int64{5012345678, 987654321} {
		_, err := s.Bind(ctx, flows.CodeCheck("HC1"), flows.Account{ID: id}, 5)
		must(t, "bind", err)
	}
	accs, err := s.HouseholdAccounts(ctx, "H1")
	must(t, "accounts", err)
	if got, want := accountIDs(accs), []int64{987654321, 5012345678}; !reflect.DeepEqual(got, want) {
		t.Errorf("HouseholdAccounts order %v, want %v", got, want)
	}
}
