package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/store"
)

// Account ids of the generated people: household i writes from
// hhAccount+i, cadre i from cadreAccount+i.
const (
	hhAccount    = 10_000_000
	cadreAccount = 20_000_000
)

// county is a generated county roster.
type county struct {
	roster  flows.Roster
	units   []string
	leaders []flows.Cadre // one per unit, then the county-wide ones
}

// makeCounty generates nHH households served by nCadres cadres in units of
// about 50 (each unit's first cadre leads it), 2 county-wide leaders and
// villages of about 80 households.
func makeCounty(nHH, nCadres int) county {
	var c county
	nUnits := max(1, nCadres/50)
	for u := 0; u < nUnits; u++ {
		c.units = append(c.units, fmt.Sprintf("第%02d乡镇", u+1))
	}
	var serving []flows.Cadre
	for i := 0; i < nCadres; i++ {
		cd := flows.Cadre{ID: cadreID(i), Name: fmt.Sprintf("干部%04d", i), Unit: c.units[i%nUnits], Role: flows.RoleCadre,
			Phone: fmt.Sprintf("139%08d", i)}
		if i < nUnits {
			cd.Role = flows.RoleLeader
			c.leaders = append(c.leaders, cd)
		} else {
			serving = append(serving, cd)
		}
		c.roster.Cadres = append(c.roster.Cadres, cd)
	}
	for i := 0; i < 2; i++ {
		l := flows.Cadre{ID: fmt.Sprintf("L%d", i), Name: fmt.Sprintf("县领导%d", i), Role: flows.RoleLeader}
		c.roster.Cadres = append(c.roster.Cadres, l)
		c.leaders = append(c.leaders, l)
	}
	if len(serving) == 0 {
		serving = c.roster.Cadres[:1]
	}
	for i := 0; i < nHH; i++ {
		cd := serving[i%len(serving)]
		c.roster.Households = append(c.roster.Households, flows.Household{ID: hhID(i), Name: fmt.Sprintf("农户%05d", i),
			Village: fmt.Sprintf("%s第%02d村", cd.Unit, (i/80)%12+1), CadreID: cd.ID, Phone: fmt.Sprintf("138%08d", i),
			Address: fmt.Sprintf("%d号", i)})
	}
	return c
}

func hhID(i int) string    { return fmt.Sprintf("H%05d", i) }
func cadreID(i int) string { return fmt.Sprintf("C%04d", i) }

// accountOf returns the account id of a roster ref ("H00012", "C0003", "L1").
func accountOf(ref string) int64 {
	n, _ := strconv.ParseInt(ref[1:], 10, 64)
	if ref[0] == 'H' {
		return hhAccount + n
	}
	if ref[0] == 'L' {
		return cadreAccount + 900_000 + n
	}
	return cadreAccount + n
}

// benchConfig is the configuration the bench runs the program with: the
// default config, as `minqing run` reads it from a config.yaml that sets
// nothing, with flood control and every other rule on. Only what places
// the program changes: the bench's Redis in namespace ns, no /healthz
// server, errors-only logs, a cards secret (to make the codes the bench
// binds with), and no quiet hours, as in the end-to-end tests, so that a
// run at night measures the same work.
func benchConfig(redisURL, ns string) *config.Config {
	c := config.Default()
	c.QuietHours = config.QuietHours{}
	c.Redis.URL, c.Redis.Namespace = redisURL, ns
	c.HTTP.Listen = ""
	c.Log.Level = slog.LevelError
	c.Cards.Secret = "bench secret, not for use, 32+ characters long"
	return c
}

// loaderPool, added to a Redis URL, gives the program's client a pool large
// enough for the bench's loaders (up to 64 goroutines through store.Apply).
const loaderPool = "?pool_size=128"

// settings are the rules the bench's program runs with (benchConfig's).
func settings() flows.Settings { return defaultSettings }

var defaultSettings = benchConfig("", "").Settings()

// program opens the program as `minqing run` does (app.Main: store,
// service and, with a token, the bot: one wiring, the production one) on
// the config c; clock nil is the wall clock. The caller closes it.
func program(ctx context.Context, c *config.Config, clock flows.Clock) (*app.Main, error) {
	m := &app.Main{Config: c, Clock: clock, Log: quiet(), Consumer: "bench"}
	if err := m.Open(ctx); err != nil {
		return nil, err
	}
	if c.Telegram.Token == "" {
		return m, nil
	}
	if err := m.OpenBot(); err != nil {
		_ = m.Close()
		return nil, err
	}
	return m, nil
}

// withBot points c at a Bot API (the emulator or a stub) with the given
// sending rates.
func withBot(c *config.Config, apiURL, token string, global, perChat float64) *config.Config {
	c.Telegram.APIURL, c.Telegram.Token = apiURL, config.Secret(token)
	c.Telegram.Rate.Global, c.Telegram.Rate.PerChat = global, perChat
	return c
}

// newService is the service as app.Main.Open builds it (app.NewService, from
// benchConfig), on a store the bench loads directly; for phases that time
// the service alone. clock nil is the wall clock.
func newService(st *store.Store, clock flows.Clock) *flows.Service {
	if clock == nil {
		clock = flows.SystemClock{}
	}
	return app.NewService(benchConfig("", "bench"), st, clock, quiet())
}

// newStore returns a store on the bench's own client, in namespace ns: for
// loading data and checking the key layout, not for running the program.
func newStore(rdb redis.UniversalClient, ns string) *store.Store { return store.New(rdb, "mq", ns) }

// quiet is a logger that drops everything below errors.
func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
}

// populate imports c's roster and binds every cadre (and, with households,
// every household) to its account, as opening the invite or scanning the
// card would, concurrently.
func populate(ctx context.Context, svc *flows.Service, st *store.Store, c county, households bool) error {
	if _, err := svc.ImportRoster(ctx, c.roster); err != nil {
		return fmt.Errorf("import roster: %w", err)
	}
	type bind struct {
		code string
		acct int64
	}
	var jobs []bind
	kinds := []flows.AccountKind{flows.AccountCadre}
	if households {
		kinds = append(kinds, flows.AccountHousehold)
	}
	for _, kind := range kinds {
		list := svc.Invites
		if kind == flows.AccountHousehold {
			list = svc.Cards
		}
		lines, err := list(ctx)
		if err != nil {
			return err
		}
		for _, l := range lines {
			ref := l.Cadre.ID
			if kind == flows.AccountHousehold {
				ref = l.Household.ID
			}
			jobs = append(jobs, bind{l.Code, accountOf(ref)})
		}
	}
	return parallel(len(jobs), 32, func(i int) error {
		_, err := st.Bind(ctx, flows.CodeCheck(jobs[i].code), flows.Account{ID: jobs[i].acct, Lang: "zh"}, 3)
		return err
	})
}

// parallel runs fn(0..n-1) on `workers` goroutines and returns the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
		ferr error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := ferr != nil
				mu.Unlock()
				if i >= n || stop {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if ferr == nil {
						ferr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return ferr
}

// text100 is a household's message of exactly 100 characters, carrying tag.
func text100(tag string) string {
	base := "书记您好，我家房顶去年冬天漏雨，今年雨季又开始渗水，老人住的那间屋子墙皮都掉了，想问问危房改造的补助现在还能不能申请，需要准备哪些材料，谢谢您！"
	r := []rune(tag + " " + base)
	for len(r) < 100 {
		r = append(r, '。')
	}
	return string(r[:100])
}
