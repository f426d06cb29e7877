package store

import (
	"strings"
	"testing"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/redistest"
)

// writePlainCode stores a code the way stores before derived codes did: in
// plain text in the holder's hash, and as the card key of its SHA-256.
func writePlainCode(t *testing.T, s *Store, kind flows.AccountKind, id, code string) {
	t.Helper()
	ctx := testCtx(t)
	key, _ := s.holderKey(kind, id)
	must(t, "plain code", s.rdb.HSet(ctx, key, "code", code).Err())
	must(t, "card key", s.rdb.Set(ctx, s.k.card(flows.CodeCheck(code)), string(kind)+":"+id, 0).Err())
}

// TestMigratePlainCodes: an upgraded store holds no plain code, every card
// printed before binds as before, and a rotation stops it.
func TestMigratePlainCodes(t *testing.T) {
	s, srv := setup(t)
	ctx := testCtx(t)
	must(t, "save", s.SaveRoster(ctx, testRoster()))
	plain := map[string]string{
		"household:H1": "aB3x_Yz-9QkLmN0pQrStUv", "household:H2": "Zz9_-aaaBBBcccDDDeeeF1",
		"cadre:C1": "C1-invite-code-0123456", "cadre:L1": "L1_invite_code_6543210",
		"household:H9": "H9-left-the-roster-000", // a household an earlier import removed
	}
	for ref, code := range plain {
		kind, id, _ := strings.Cut(ref, ":")
		writePlainCode(t, s, flows.AccountKind(kind), id, code)
	}
	must(t, "an account set", s.rdb.SAdd(ctx, s.k.hhAccounts("H1"), "101").Err()) // hh:*, not a hash
	// A rotated card: the hash names the new code, the old card key is gone.
	writePlainCode(t, s, flows.AccountHousehold, "H3", "H3-rotated-away-000000")
	must(t, "rotated", s.rdb.Del(ctx, s.k.card(flows.CodeCheck("H3-rotated-away-000000"))).Err())

	n, err := s.MigratePlainCodes(ctx)
	must(t, "migrate", err)
	if n != len(plain)+1 {
		t.Errorf("migrated %d codes, want %d", n, len(plain)+1)
	}
	dump, err := redistest.Dump(ctx, srv.Client())
	must(t, "dump", err)
	for _, code := range plain {
		if strings.Contains(dump, code) {
			t.Errorf("code %s is still in Redis:\n%s", code, dump)
		}
	}
	account := int64(100)
	for ref, code := range plain {
		kind, id, _ := strings.Cut(ref, ":")
		if id == "H9" {
			continue // not on the roster: its card binds nothing, as before
		}
		account++
		a, err := s.Bind(ctx, flows.CodeCheck(code), flows.Account{ID: account, Lang: "zh"}, 3)
		if err != nil || a.Ref != id || string(a.Kind) != kind {
			t.Errorf("bind %s with its printed code: %+v, %v", ref, a, err)
		}
		st, err := s.CardState(ctx, flows.AccountKind(kind), id)
		must(t, "state", err)
		if st != (flows.CardState{Legacy: flows.CodeCheck(code)}) {
			t.Errorf("%s: state %+v", ref, st)
		}
	}
	if st, _ := s.CardState(ctx, flows.AccountHousehold, "H3"); st.Legacy != "" {
		t.Errorf("a code that no longer bound became a legacy check: %+v", st)
	}
	if n, err := s.MigratePlainCodes(ctx); n != 0 || err != nil {
		t.Errorf("second run: %d, %v", n, err)
	}

	// A derived code next to the legacy one; a rotation stops both.
	must(t, "add", s.AddCards(ctx, []flows.NewCard{{Kind: flows.AccountHousehold, ID: "H2", Check: flows.CodeCheck("NEW2")}}))
	for _, code := range []string{"NEW2", plain["household:H2"]} {
		if _, err := s.Bind(ctx, flows.CodeCheck(code), flows.Account{ID: 777}, 3); err != nil {
			t.Errorf("bind H2 with %s: %v", code, err)
		}
	}
	from, err := s.CardState(ctx, flows.AccountHousehold, "H2")
	must(t, "state", err)
	must(t, "rotate", s.RotateCode(ctx, flows.AccountHousehold, "H2", from, flows.CodeCheck("NEWER2")))
	for _, code := range []string{"NEW2", plain["household:H2"]} {
		_, err := s.Bind(ctx, flows.CodeCheck(code), flows.Account{ID: 778}, 3)
		wantCode(t, "old code after the rotation", err, flows.ENOTFOUND)
	}
	if a, err := s.Bind(ctx, flows.CodeCheck("NEWER2"), flows.Account{ID: 778}, 3); err != nil || a.Ref != "H2" {
		t.Errorf("bind with the rotated code: %+v, %v", a, err)
	}
	if st, _ := s.CardState(ctx, flows.AccountHousehold, "H2"); st != (flows.CardState{Rotation: 1, Check: flows.CodeCheck("NEWER2")}) {
		t.Errorf("state after the rotation %+v", st)
	}
}

// TestRotateCode: a rotation applies once, a stale one conflicts, and an
// unknown holder is ENOTFOUND.
func TestRotateCode(t *testing.T) {
	s, _ := setup(t)
	ctx := testCtx(t)
	must(t, "save", saveRoster(ctx, s, testRoster(), testCodes()))
	from, err := s.CardState(ctx, flows.AccountCadre, "C1")
	must(t, "state", err)
	if from != (flows.CardState{Check: flows.CodeCheck("IC1")}) {
		t.Fatalf("state %+v", from)
	}
	must(t, "rotate", s.RotateCode(ctx, flows.AccountCadre, "C1", from, flows.CodeCheck("IC1b")))
	must(t, "the same rotation again (a retry)", s.RotateCode(ctx, flows.AccountCadre, "C1", from, flows.CodeCheck("IC1b")))
	err = s.RotateCode(ctx, flows.AccountCadre, "C1", from, flows.CodeCheck("IC1c"))
	wantCode(t, "a rotation from a stale state", err, flows.ECONFLICT)
	_, err = s.Bind(ctx, flows.CodeCheck("IC1"), flows.Account{ID: 5}, 1)
	wantCode(t, "the old invite", err, flows.ENOTFOUND)
	if a, err := s.Bind(ctx, flows.CodeCheck("IC1b"), flows.Account{ID: 5}, 1); err != nil || a.Ref != "C1" {
		t.Errorf("the new invite: %+v, %v", a, err)
	}
	err = s.RotateCode(ctx, flows.AccountCadre, "nope", flows.CardState{}, flows.CodeCheck("x"))
	wantCode(t, "an unknown cadre", err, flows.ENOTFOUND)
	_, err = s.CardState(ctx, flows.AccountHousehold, "nope")
	wantCode(t, "the card of an unknown household", err, flows.ENOTFOUND)

	// AddCards skips a holder at another rotation, or with a code already.
	must(t, "add", s.AddCards(ctx, []flows.NewCard{
		{Kind: flows.AccountCadre, ID: "C1", Rotation: 0, Check: flows.CodeCheck("stale")},
		{Kind: flows.AccountHousehold, ID: "H1", Check: flows.CodeCheck("second")},
		{Kind: flows.AccountHousehold, ID: "H404", Check: flows.CodeCheck("nobody")},
	}))
	for _, code := range []string{"stale", "second", "nobody"} {
		if n, _ := s.rdb.Exists(ctx, s.k.card(flows.CodeCheck(code))).Result(); n != 0 {
			t.Errorf("AddCards made a card for %s", code)
		}
	}
}
