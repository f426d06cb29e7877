package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/demodata"
)

// demoStart is when the demo's simulated week begins: a Monday morning.
var demoStart = time.Date(2026, 11, 30, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// World is the offline demo: the real program against the Bot API emulator
// and an in-process Redis, on a simulated clock.
type World struct {
	m      *app.Main
	tg     *telegramtest.Server
	redis  *miniredis.Miniredis
	clock  *flows.SimClock
	people []Person
	codes  map[string]string // roster id -> card or invite code
	ids    map[int64]string  // person -> roster id
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex // one fast-forward at a time
}

// Start builds and runs the demo world: the real program (app.Main)
// against the Bot API emulator and an in-process Redis, on a simulated clock.
// settings, if not nil, is an office's configuration: the demo takes its
// county, time zone, language, SLAs, quiet hours, holidays, workdays,
// digest schedule and limits, but never its Telegram, Redis or HTTP
// settings (see Config).
func Start(ctx context.Context, log *slog.Logger, settings *config.Config) (*World, error) {
	s := &World{clock: flows.NewSimClock(demoStart), tg: telegramtest.New(telegramtest.WithBotUsername("minqing_demo_bot"), telegramtest.WithBotName("民情联系 Minqing")),
		codes: map[string]string{}, ids: map[int64]string{}}
	mr, err := miniredis.Run()
	if err != nil {
		s.tg.Close()
		return nil, fmt.Errorf("demo redis: %w", err)
	}
	s.redis = mr
	cfg := Config(settings)
	cfg.Telegram.Token, cfg.Telegram.APIURL = config.Secret(s.tg.Token()), s.tg.URL()
	cfg.Redis.URL = "redis://" + mr.Addr() + "/0"
	cfg.Cards.Secret = config.Secret(rand.Text() + rand.Text()) // the demo's codes live as long as its Redis
	s.m = &app.Main{Config: cfg, Clock: s.clock, Log: log, Consumer: "demo"}
	if err := s.setup(ctx); err != nil {
		s.Close()
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	s.cancel, s.done = cancel, make(chan struct{})
	go func() {
		defer close(s.done)
		if err := s.m.Run(rctx); err != nil {
			log.Error("demo bot stopped", "err", err)
		}
	}()
	return s, nil
}

// Config is the demo's configuration: settings (the defaults, without quiet
// hours, when nil) with the demo's own Telegram bot, Redis and no HTTP
// server, and reminders swept as the simulated clock moves. The token, API
// URL and Redis URL are the caller's to fill in.
func Config(settings *config.Config) *config.Config {
	var cfg config.Config
	if settings != nil {
		cfg = *settings
	} else {
		cfg = *config.Default()
		cfg.QuietHours = config.QuietHours{} // every reminder of the week shows
		// A check-in after 3 silent days, not 30, so the week shows one.
		cfg.Checkin.After = 3 * 24 * time.Hour
	}
	d := config.Default()
	cfg.Telegram, cfg.Redis, cfg.HTTP = d.Telegram, d.Redis, config.HTTP{}
	cfg.Telegram.Username = "minqing_demo_bot"
	// The demo's clock jumps hours in an instant; a batch window is real
	// time, so the demo sends each reminder alone.
	cfg.Telegram.BatchWindow = 0
	cfg.Schedule.Reminders = "@every 24h" // the demo sweeps when the clock moves
	return &cfg
}

// setup imports the built-in roster and lists its people.
func (s *World) setup(ctx context.Context) error {
	if err := s.m.Open(ctx); err != nil {
		return err
	}
	r, err := demodata.Roster()
	if err != nil {
		return err
	}
	if _, err := s.m.Service.ImportRoster(ctx, r); err != nil {
		return err
	}
	cards, err := s.m.Service.Cards(ctx)
	if err != nil {
		return err
	}
	invites, err := s.m.Service.Invites(ctx)
	if err != nil {
		return err
	}
	for i, c := range cards {
		id := int64(1001 + i)
		s.codes[c.Household.ID], s.ids[id] = c.Code, c.Household.ID
		s.people = append(s.people, Person{ID: id, Name: c.Household.Name, Role: "household", Label: c.Household.Village, Lang: "zh"})
	}
	for i, c := range invites {
		id, role, label := int64(2001+i), "cadre", c.Cadre.Unit
		if c.Cadre.Role == flows.RoleLeader {
			role = "leader"
			if label == "" {
				label = s.m.Config.County + "（全县）"
			}
		}
		s.codes[c.Cadre.ID], s.ids[id] = c.Code, c.Cadre.ID
		s.people = append(s.people, Person{ID: id, Name: c.Cadre.Name, Role: role, Label: label, Lang: "zh"})
	}
	return nil
}

// person finds a demo person by roster id.
func (s *World) person(ref string) Person {
	for _, p := range s.people {
		if s.ids[p.ID] == ref {
			return p
		}
	}
	return Person{}
}

// user is the emulator's user for a person.
func (s *World) user(p Person) telegramtest.User {
	return telegramtest.User{ID: p.ID, FirstName: p.Name, LanguageCode: p.Lang}
}

// forward moves the simulated clock by d, an hour at a time, running the
// reminders sweep and the digest schedule at each step as cron would.
func (s *World) forward(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for d > 0 && ctx.Err() == nil {
		step := min(d, time.Hour)
		s.clock.Advance(step)
		d -= step
		s.m.Sweep(ctx)
		if at, err := app.LastOccurrence(s.m.Config.Schedule.Digest, s.clock.Now()); err == nil && at.After(demoStart) {
			s.m.SendDigests(ctx) // cron's digest, for occurrences inside the demo
		}
	}
	return s.settle(ctx)
}

// settle waits until every update is handled and every notice sent.
func (s *World) settle(ctx context.Context) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		in, out, err := s.m.Store.Stats(ctx, time.Now())
		if err == nil && in.Depth == 0 && out.Depth == 0 && len(s.tg.PendingUpdates()) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("demo: the bot did not settle")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Close stops the bot, Redis and the emulator.
func (s *World) Close() {
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	s.m.Close()
	s.redis.Close()
	s.tg.Close()
}

// Serve runs the browser simulator on addr until ctx ends. The requests'
// contexts end with ctx, so the page's long polls (/api/wait) answer at
// once and the server stops without waiting them out.
func (s *World) Serve(ctx context.Context, addr string, stdout io.Writer) error {
	return app.Serve(ctx, addr, endWith(ctx, s.handler()), func(a net.Addr) {
		fmt.Fprintf(stdout, "Minqing demo: open http://%s in a browser (Ctrl-C to stop)\n", a)
	})
}

// endWith returns h with each request's context ending when ctx ends.
func endWith(ctx context.Context, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(ctx, cancel)
		defer stop()
		h.ServeHTTP(w, r.WithContext(rctx))
	})
}

// handler is the simulator page and its API over this world.
func (s *World) handler() http.Handler {
	return Handler(&Sim{
		TG: s.tg, People: s.people, Now: s.clock.Now, Forward: s.forward,
		Default: [3]int64{s.person("H01").ID, s.person("C01").ID, s.person("L01").ID},
		Start:   func(p Person) string { return "/start " + s.codes[s.ids[p.ID]] },
	})
}
