package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/app"
	"github.com/minqing/minqing/internal/config"
	"github.com/minqing/minqing/internal/redistest"
	"github.com/minqing/minqing/internal/roster"
)

// fuzzMain is one wired program (not running its loops) shared by the
// fuzz inputs: the handler is called directly with each input. Its Redis
// and emulator live as long as the fuzz target (f), not one input.
func fuzzMain(f *testing.F) *app.Main {
	var fuzzOnce struct {
		sync.Once
		m   *app.Main
		err error
	}
	fuzzOnce.Do(func() {
		tg := telegramtest.New()
		f.Cleanup(tg.Close)
		rs := redistest.Start(f)
		cfg := config.Default()
		cfg.Telegram.Token, cfg.Telegram.APIURL, cfg.Redis.URL = config.Secret(tg.Token()), tg.URL(), rs.URL()
		cfg.Cards.Secret = testSecret
		m := &app.Main{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Consumer: "fuzz"}
		ctx := context.Background()
		if fuzzOnce.err = m.Open(ctx); fuzzOnce.err != nil {
			return
		}
		if fuzzOnce.err = m.OpenBot(); fuzzOnce.err != nil {
			return
		}
		r, err := roster.Load("../roster/testdata/cadres.csv", "../roster/testdata/households.csv")
		if err == nil {
			_, err = m.Service.ImportRoster(ctx, r)
		}
		fuzzOnce.m, fuzzOnce.err = m, err
	})
	if fuzzOnce.err != nil {
		f.Fatal(fuzzOnce.err)
	}
	f.Cleanup(func() { fuzzOnce.m.Close() })
	return fuzzOnce.m
}

// FuzzUpdate feeds arbitrary update JSON through the whole update path
// (decode, route, authorize, store): nothing panics, and a sender who is
// not bound changes no request and binds nothing.
func FuzzUpdate(f *testing.F) {
	for _, seed := range []string{
		`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9,"first_name":"x"},"text":"hello"}}`,
		`{"update_id":2,"message":{"message_id":2,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9,"first_name":"x"},"text":"/start AAAAAAAAAAAAAAAAAAAAAA"}}`,
		`{"update_id":3,"callback_query":{"id":"q","from":{"id":9,"first_name":"x"},"data":"ss:1:","message":{"message_id":1,"date":1,"chat":{"id":9,"type":"private"}}}}`,
		`{"update_id":4,"callback_query":{"id":"q","from":{"id":9},"data":"dl:1:99999999999999999999999"}}`,
		`{"update_id":5,"message":{"message_id":3,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"reply_to_message":{"message_id":1,"date":1,"chat":{"id":9,"type":"private"}},"text":"<b>x</b>"}}`,
		`{"update_id":6,"message":{"message_id":4,"date":1,"chat":{"id":-100,"type":"group"},"from":{"id":9},"text":"/digest"}}`,
		`{"update_id":7,"message":{"message_id":5,"date":1,"chat":{"id":9,"type":"private"},"from":{"id":9},"sticker":{"file_id":"s"}}}`,
		`{"update_id":8,"edited_message":{"message_id":5}}`, `{}`, `[]`, `null`, `{"update_id":"x"}`,
	} {
		f.Add([]byte(seed))
	}
	m := fuzzMain(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		ctx := context.Background()
		var probe struct {
			UpdateID int64 `json:"update_id"`
		}
		_ = json.Unmarshal(raw, &probe)
		bound := senderBound(ctx, m, raw)
		before, err := m.Store.LastRequestID(ctx)
		if err != nil {
			t.Fatalf("redis: %v", err) // the property below must not pass by failing to read
		}
		accounts, err := m.Store.Client().Keys(ctx, "mq:{county}:acct:*").Result()
		if err != nil {
			t.Fatalf("redis: %v", err)
		}
		_ = m.Bot.Handle(ctx, flows.Inbound{UpdateID: probe.UpdateID, Raw: raw}) // must not panic
		if bound {
			return
		}
		after, _ := m.Store.LastRequestID(ctx)
		now, _ := m.Store.Client().Keys(ctx, "mq:{county}:acct:*").Result()
		if after != before {
			t.Fatalf("an unbound sender created a request: %s", raw)
		}
		if len(now) != len(accounts) {
			t.Fatalf("an unbound sender was bound: %s", raw)
		}
	})
}

// senderBound reports whether the update's sender has a bound account.
func senderBound(ctx context.Context, m *app.Main, raw []byte) bool {
	var u struct {
		Message *struct {
			From *struct{ ID int64 } `json:"from"`
		} `json:"message"`
		CallbackQuery *struct {
			From struct{ ID int64 } `json:"from"`
		} `json:"callback_query"`
	}
	if json.Unmarshal(raw, &u) != nil {
		return false
	}
	var id int64
	switch {
	case u.Message != nil && u.Message.From != nil:
		id = u.Message.From.ID
	case u.CallbackQuery != nil:
		id = u.CallbackQuery.From.ID
	default:
		return false
	}
	_, err := m.Store.Account(ctx, id)
	return err == nil
}
