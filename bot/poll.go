package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minqing/minqing/flows"
)

// Poller is Minqing's own getUpdates loop. go-telegram/bot's poller confirms
// updates before they are handled, so a crash loses them; this one writes
// every update to the inbox first and only then asks for the next offset,
// which is what confirms the earlier updates to Telegram.
type Poller struct {
	APIURL  string // e.g. https://api.telegram.org
	Token   string
	Inbox   flows.Inbox
	Client  *http.Client
	Timeout time.Duration // long-poll timeout (Telegram's, not the HTTP client's)
	Log     *slog.Logger
	// OnPoll, if set, is called after every successful poll (for health).
	OnPoll  func()
	Metrics *Metrics
}

// envelope is the part of an update the inbox needs to route it.
type envelope struct {
	UpdateID int64 `json:"update_id"`
	Message  *struct {
		Chat struct {
			ID int64 `json:"id"`
		} `json:"chat"`
	} `json:"message"`
	CallbackQuery *struct {
		From struct {
			ID int64 `json:"id"`
		} `json:"from"`
	} `json:"callback_query"`
}

// chatOf returns the chat an update belongs to, for per-chat order.
func (e envelope) chatOf() int64 {
	switch {
	case e.Message != nil:
		return e.Message.Chat.ID
	case e.CallbackQuery != nil:
		return e.CallbackQuery.From.ID
	}
	return 0
}

// Run polls until ctx ends. Network and Redis errors are retried with
// growing pauses; nothing is confirmed to Telegram that is not stored.
func (p *Poller) Run(ctx context.Context) error {
	var offset int64
	backoff := newBackoff(200*time.Millisecond, 10*time.Second)
	for ctx.Err() == nil {
		raws, err := p.poll(ctx, offset)
		if err == nil {
			offset, err = p.store(ctx, raws, offset)
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			p.Log.Warn("poll failed", "err", err)
			if !backoff.wait(ctx) {
				break
			}
			continue
		}
		backoff.reset()
		if p.OnPoll != nil {
			p.OnPoll()
		}
	}
	return nil
}

// store writes raws to the inbox in order, in one round trip, and returns
// the next offset.
func (p *Poller) store(ctx context.Context, raws []json.RawMessage, offset int64) (int64, error) {
	next := offset
	ins := make([]flows.Inbound, 0, len(raws))
	for _, raw := range raws {
		var e envelope
		if err := json.Unmarshal(raw, &e); err != nil {
			p.Log.Warn("undecodable update skipped", "err", err)
			continue
		}
		ins = append(ins, flows.Inbound{UpdateID: e.UpdateID, ChatID: e.chatOf(), Raw: raw})
		if e.UpdateID >= next {
			next = e.UpdateID + 1
		}
	}
	if err := p.Inbox.PutAll(ctx, ins); err != nil {
		return offset, fmt.Errorf("store updates: %w", err)
	}
	for range ins {
		p.Metrics.updateIn()
	}
	return next, nil
}

// poll asks Telegram for updates from offset.
func (p *Poller) poll(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(p.Timeout.Seconds()),
		"allowed_updates": []string{"message", "callback_query"},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint("getUpdates"), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", scrub(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", scrub(err))
	}
	defer resp.Body.Close()
	var out struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&out); err != nil {
		return nil, fmt.Errorf("getUpdates: decode: %w", err)
	}
	if !out.OK {
		return nil, fmt.Errorf("getUpdates: %d %s", out.ErrorCode, out.Description)
	}
	return out.Result, nil
}

func (p *Poller) endpoint(method string) string {
	return strings.TrimRight(p.APIURL, "/") + "/bot" + p.Token + "/" + method
}

// scrub removes the URL (which holds the bot token) from an HTTP error.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// backoff waits growing pauses between failed attempts.
type backoff struct{ min, max, cur time.Duration }

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max, cur: min} }

func (b *backoff) reset() { b.cur = b.min }

// wait pauses for the current delay and doubles it; false if ctx ended.
func (b *backoff) wait(ctx context.Context) bool {
	t := time.NewTimer(b.cur)
	defer t.Stop()
	if b.cur *= 2; b.cur > b.max {
		b.cur = b.max
	}
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
