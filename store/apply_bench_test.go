package store

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/redistest"
)

// BenchmarkApplyNewRequest stores a new request as intake does: state,
// timeline event, two notices, the indexes, two scheduled stages, the week
// index and the idempotency guard, in one script call.
func BenchmarkApplyNewRequest(b *testing.B) {
	s := New(redistest.Start(b).Client(), "mq", "bench")
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	text := "书记您好，我家房顶去年冬天漏雨，今年雨季又开始渗水，老人住的那间屋子墙皮都掉了，想问问危房改造的补助现在还能不能申请"
	id := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		id++
		no := strconv.FormatInt(id, 10)
		r := flows.Request{ID: id, HouseholdID: "H" + no, CadreID: "C1", Unit: "乡镇1", Village: "村1",
			State: flows.StateReceived, Summary: flows.Summarize(text, 60), Kind: flows.KindText, CreatedAt: now}
		c := flows.Change{Request: r, Guard: no + ":req", Week: "2026-W50",
			Event: flows.Event{At: now, Actor: "household:H" + no, Action: flows.ActCreate, To: flows.StateReceived,
				Msg: &flows.MsgRef{ChatID: 10000000 + id, MessageID: 1, Kind: flows.KindText, Text: text}},
			Notices: []flows.Notice{
				{ChatID: 10000000 + id, Lang: "zh", Kind: flows.NoticeRequestAck, RequestID: id, Args: map[string]string{"no": no}},
				{ChatID: 20000001, Lang: "zh", Kind: flows.NoticeNewRequest, RequestID: id, Buttons: flows.CadreButtons(r),
					Args: map[string]string{"no": no, "household": "张福来", "village": "村1", "text": text, "kind": "text"}},
			},
			Schedule: []flows.Due{{RequestID: id, Stage: flows.StageRemind, At: now.Add(24 * time.Hour)},
				{RequestID: id, Stage: flows.StageEscalate, At: now.Add(48 * time.Hour)}},
		}
		if err := s.Apply(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInboxPut stores one update in the inbox, once per update id, as
// the poller does before confirming it to Telegram.
func BenchmarkInboxPut(b *testing.B) {
	s := New(redistest.Start(b).Client(), "mq", "bench")
	ctx := context.Background()
	raw := []byte(`{"update_id":1,"message":{"message_id":7,"date":1796000000,"text":"房顶漏雨，想申请危房改造补助","from":{"id":10000001,"is_bot":false,"first_name":"福来","language_code":"zh-hans"},"chat":{"id":10000001,"type":"private"}}}`)
	id := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		id++
		if _, err := s.Put(ctx, flows.Inbound{UpdateID: id, ChatID: 10000001, Raw: raw}); err != nil {
			b.Fatal(err)
		}
	}
}
