package app_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/internal/cardprint"
	"github.com/minqing/minqing/internal/redistest"
)

// downgrade rewrites the store the way the release before derived codes
// left it: each household's and cadre's hash holds its code in plain text
// (field "code"), a card key named by the code's SHA-256 binds it, and no
// upgrade has run. It returns those codes, by holder id.
func downgrade(t *testing.T, h *harness) map[string]string {
	t.Helper()
	ctx := context.Background()
	rdb := h.redis.Client()
	const p = "mq:{county}:"
	old := map[string]string{}
	for _, set := range []struct{ kind, roster, hash string }{{"household", "hhs", "hh:"}, {"cadre", "cadres", "cadre:"}} {
		ids, err := rdb.SMembers(ctx, p+set.roster).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			var b [16]byte
			rand.Read(b[:])
			code := base64.RawURLEncoding.EncodeToString(b[:]) // the old codes: 128 bits, base64url
			sum := sha256.Sum256([]byte(code))
			check, err := rdb.HGet(ctx, p+set.hash+id, "check").Result()
			if err != nil {
				t.Fatal(err)
			}
			_, err = rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
				tx.Del(ctx, p+"card:"+check)
				tx.HDel(ctx, p+set.hash+id, "rot", "check", "legacy")
				tx.HSet(ctx, p+set.hash+id, "code", code)
				tx.Set(ctx, p+"card:"+hex.EncodeToString(sum[:16]), set.kind+":"+id, 0)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			old[id] = code
		}
	}
	if err := rdb.Del(ctx, p+"migrated:plain-codes").Err(); err != nil {
		t.Fatal(err)
	}
	return old
}

// TestUpgradeKeepsPrintedCodes: a store of the release that kept codes in
// plain text is upgraded when the new release opens it. Afterwards every
// card and invite printed before binds (by link, or typed as printed), the
// cards printed now carry new codes that bind too, nothing in Redis is a
// working code, and a rotation stops both codes of a card.
func TestUpgradeKeepsPrintedCodes(t *testing.T) {
	h := start(t)
	h.stop()
	old := downgrade(t, h)
	ctx := context.Background()
	if n := len(old); n != 10 {
		t.Fatalf("%d old codes", n)
	}
	h.boot()
	h.codes = h.loadCodes() // `cards` and `invites` after the upgrade
	for id, code := range old {
		if h.codes[id] == code || h.codes[id] == "" {
			t.Fatalf("%s: printed %q after the upgrade", id, h.codes[id])
		}
	}

	// Every code: the old one and the new one, each by a different account
	// of a household; a cadre's one account binds with both.
	users := map[string][2]telegramtest.User{}
	next := int64(7000)
	for id := range old {
		a := telegramtest.User{ID: next, FirstName: "旧" + id, LanguageCode: "zh"}
		b := telegramtest.User{ID: next + 1, FirstName: "新" + id, LanguageCode: "zh"}
		if !strings.HasPrefix(id, "H") {
			b = a
		}
		users[id] = [2]telegramtest.User{a, b}
		next += 2
	}
	for id, code := range old {
		msg := "/start " + code
		if id == "H002" || id == "C002" {
			msg = cardprint.GroupCode(code) // typed from the old card, as printed
		}
		h.say(users[id][0], msg)
		h.say(users[id][1], "/start "+h.codes[id])
		for i, u := range users[id] {
			if a, err := h.m.Store.Account(ctx, u.ID); err != nil || a.Ref != id {
				t.Errorf("%s: the %s code did not bind: %+v, %v", id, []string{"old", "new"}[i], a, err)
			}
		}
	}

	dump, err := redistest.Dump(ctx, h.redis.Client())
	if err != nil {
		t.Fatal(err)
	}
	for id := range old {
		for _, code := range []string{old[id], h.codes[id]} {
			if strings.Contains(dump, code) || strings.Contains(dump, strings.ToLower(code)) {
				t.Errorf("a working code of %s is in Redis", id)
			}
		}
	}
	if strings.Contains(dump, `code:`) || !strings.Contains(dump, "legacy:") {
		t.Errorf("the holders' hashes after the upgrade:\n%s", dump)
	}

	// A lost card: both of its codes stop binding, the new one binds.
	lost := "H003"
	if _, err := h.m.Service.Rotate(ctx, "household", lost); err != nil {
		t.Fatal(err)
	}
	rotated := h.loadCodes()[lost]
	for i, code := range []string{old[lost], h.codes[lost]} {
		u := telegramtest.User{ID: int64(8000 + i), FirstName: fmt.Sprint("拾到", i), LanguageCode: "zh"}
		contains(t, "a code of the lost card", h.say(u, "/start "+code).Text, "无效")
	}
	contains(t, "the new card", h.say(telegramtest.User{ID: 8100, FirstName: "新卡", LanguageCode: "zh"}, "/start "+rotated).Text, "刘建国")
	contains(t, "bound before stay bound", h.say(users[lost][0], "/my").Text, "我的诉求")

	// An erased household's card (old code included) binds nothing.
	if _, err := h.m.Service.Forget(ctx, "H005"); err != nil {
		t.Fatal(err)
	}
	contains(t, "forgotten household's old card", h.say(telegramtest.User{ID: 8200, FirstName: "x", LanguageCode: "zh"}, "/start "+old["H005"]).Text, "无效")
}
