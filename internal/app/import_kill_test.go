package app_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/roster"
	"github.com/minqing/minqing/store"
)

// killAt fails every Redis call from the first one whose command line
// matches (or, with after, from the one following it), as if the process
// died there: nothing it would still have written reaches Redis.
type killAt struct {
	mu    sync.Mutex // the lock's heartbeat calls too
	match func(line string) bool
	after bool
	dead  bool
	hit   bool
}

var errDied = errors.New("the import process died")

func (k *killAt) check(cmds []redis.Cmder) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead {
		return errDied
	}
	for _, c := range cmds {
		if k.match(fmt.Sprint(c.Args()...)) {
			k.hit = true
			if !k.after {
				k.dead = true
				return errDied
			}
		}
	}
	if k.hit && k.after {
		k.after = false // dies at the next call
		k.match = func(string) bool { return true }
	}
	return nil
}

func (k *killAt) DialHook(next redis.DialHook) redis.DialHook { return next }

func (k *killAt) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if err := k.check([]redis.Cmder{cmd}); err != nil {
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

func (k *killAt) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if err := k.check(cmds); err != nil {
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		return next(ctx, cmds)
	}
}

// TestImportKilledFinishesOnce kills an import at several points: before
// the switch the old roster stays in force, after it the new one; never a
// mix. Importing again completes it, and every follow-up happens exactly
// once: the request follows its household to the new cadre (who hears of
// it once), the household is told once who its new cadre is, the leader
// taken off the roster is told once and unbound.
func TestImportKilledFinishesOnce(t *testing.T) {
	points := []struct {
		name  string
		match func(string) bool
		after bool
		isNew bool // the roster in force after the kill
	}{
		{"while staging households", func(l string) bool { return strings.Contains(l, ":hhs") && strings.Contains(l, "import:") }, false, false},
		{"at the switch", func(l string) bool { return strings.Contains(l, "import:lock") && strings.Contains(l, "roster:v") }, false, false},
		{"right after the switch", func(l string) bool { return strings.Contains(l, "import:lock") && strings.Contains(l, "roster:v") }, true, true},
		{"before ending roles", func(l string) bool { return strings.Contains(l, ":ended") && strings.Contains(l, "srandmember") }, false, true},
		{"while finishing", func(l string) bool { return strings.Contains(l, ":prev:") && strings.Contains(l, "sscan") }, false, true},
	}
	oldR, err := roster.Load("../roster/testdata/cadres.csv", "../roster/testdata/households.csv")
	if err != nil {
		t.Fatal(err)
	}
	c, hh := writeRoster(t, "L001,赵志强,县财政局,leader,13800000011\n", "", ",L001,", ",C002,",
		"H001,张福来,保兴镇保安村,C001", "H001,张福来,保兴镇保安村,C002")
	newR, err := roster.Load(c, hh)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*flows.Roster{&oldR, &newR} {
		for i := range r.Cadres {
			r.Cadres[i].OnRoster = true
		}
	}
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			h := start(t)
			h.bind(cadreLiu, "C001")
			h.bind(cadreWang, "C002")
			h.bind(leaderZh, "L001")
			h.bind(hhZhang, "H001")
			l := h.mark(cadreLiu)
			h.say(hhZhang, "想申请危房改造")
			h.expect(cadreLiu, l, "#1")

			rdb := redis.NewClient(&redis.Options{Addr: h.redis.Addr()})
			defer rdb.Close()
			k := &killAt{match: p.match, after: p.after}
			rdb.AddHook(k)
			st := store.New(rdb, "mq", "county")
			st.ImportLockTTL = time.Second // the dead import's lock lapses soon
			dying := &flows.Service{Store: st, Clock: h.clock, Settings: h.m.Service.Settings, Codes: h.m.Service.Codes}
			if _, err := dying.ImportRoster(context.Background(), newR); !errors.Is(err, errDied) {
				t.Fatalf("the import did not die: %v", err)
			}
			got, err := h.m.Store.Roster(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want, other := oldR, newR
			if p.isNew {
				want, other = newR, oldR
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("after the kill the roster is neither the one expected (nor the other: %v):\n%+v", reflect.DeepEqual(got, other), got)
			}

			code, out, errs := runCLI(t, h, "import", "-cadres", c, "-households", hh)
			if code != 0 {
				t.Fatalf("import again: %s", errs)
			}
			if p.isNew {
				contains(t, "import again", out, "finished the follow-ups of an interrupted import")
			}
			if got, _ := h.m.Store.Roster(context.Background()); !reflect.DeepEqual(got, newR) {
				t.Fatalf("after importing again: %+v", got)
			}
			h.drain()
			if r := h.request(1); r.CadreID != "C002" {
				t.Errorf("request #1 is with %s", r.CadreID)
			}
			for _, n := range []struct {
				u    string
				got  int
				want string
			}{
				{"household told its new cadre", countWith(h, hhZhang, 0, "帮扶干部已更换为"), "王秀梅"},
				{"new cadre told of the request", countWith(h, cadreWang, 0, "#1"), "#1"},
				{"removed leader told", countWith(h, leaderZh, 0, "解除绑定"), ""},
			} {
				if n.got != 1 {
					t.Errorf("%s %d times, want once", n.u, n.got)
				}
			}
			contains(t, "removed leader /digest", h.say(leaderZh, "/digest").Text, "民情联系卡")
		})
	}
}
