package main

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/minqing/minqing/flows"
)

// forgetMidway is the real store, with Forget run at the moment a
// household's message has had its context read but not yet written: the
// request number is the next step of a new request.
type forgetMidway struct {
	flows.Store
	once   sync.Once
	forget func()
}

func (f *forgetMidway) NextRequestID(ctx context.Context) (int64, error) {
	f.once.Do(f.forget)
	return f.Store.NextRequestID(ctx)
}

// TestForgetDuringMessage: a message read just before `forget` does not
// bring back a request of the erased household; the sender is told, as a
// stranger, how to get a card.
func TestForgetDuringMessage(t *testing.T) {
	h := start(t)
	ctx := context.Background()
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	h.drain()
	svc := *h.m.Service // the running bot keeps its own; this one takes the message
	svc.Store = &forgetMidway{Store: h.m.Service.Store, forget: func() {
		if _, err := h.m.Service.Forget(ctx, "H001"); err != nil {
			t.Errorf("forget: %v", err)
		}
	}}
	const text = "这条消息赶上了删除"
	mark := h.mark(hhZhang)
	err := svc.Receive(ctx, flows.Message{UpdateID: 9_000_001, AccountID: hhZhang.ID, ChatID: hhZhang.ID, MessageID: 77,
		Lang: "zh-hans", Kind: flows.KindText, Text: text})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	h.drain()
	for k, v := range dumpKeyspace(t, h.m.Store.Client()) {
		if strings.Contains(v, text) || strings.Contains(k, "H001") || strings.Contains(v, "H001") {
			t.Errorf("after forget, %s still holds the household: %.120q", k, v)
		}
	}
	h.expect(hhZhang, mark, "联系卡")
}
