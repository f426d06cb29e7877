package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
)

// nopService accepts every call and does nothing, so that the benchmarks
// below measure the bot's own work.
type nopService struct{ got flows.Message }

func (s *nopService) Start(context.Context, flows.Message, string) error { return nil }
func (s *nopService) Help(context.Context, flows.Message) error          { return nil }
func (s *nopService) SetLang(context.Context, flows.Message, string) error {
	return nil
}
func (s *nopService) Receive(_ context.Context, m flows.Message) error { s.got = m; return nil }
func (s *nopService) My(context.Context, flows.Message) error          { return nil }
func (s *nopService) OpenList(context.Context, flows.Message) error    { return nil }
func (s *nopService) Digest(context.Context, flows.Message) error      { return nil }
func (s *nopService) VisitCmd(context.Context, flows.Message, string) error {
	return nil
}
func (s *nopService) VisitsCmd(context.Context, flows.Message) error { return nil }
func (s *nopService) Revisits(context.Context, flows.Message) error  { return nil }
func (s *nopService) Press(context.Context, flows.Press) (flows.PressResult, error) {
	return flows.PressResult{}, nil
}

// benchUpdate is a household's 100-character text message as getUpdates
// returns it.
func benchUpdate(b *testing.B) []byte {
	b.Helper()
	text := string([]rune(strings.Repeat("房顶漏雨想申请危房改造补助，", 8))[:100])
	raw, err := json.Marshal(map[string]any{"update_id": 100001, "message": map[string]any{
		"message_id": 7, "date": time.Now().Unix(), "text": text,
		"from": map[string]any{"id": 10000001, "is_bot": false, "first_name": "福来", "language_code": "zh-hans"},
		"chat": map[string]any{"id": 10000001, "type": "private", "first_name": "福来"},
	}})
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkHandle routes one stored update: JSON decode, the private-chat
// and command checks, toMessage, and the call into the service.
func BenchmarkHandle(b *testing.B) {
	svc := &nopService{}
	bt, err := New(svc, nil, nil, Options{Token: "1:bench", APIURL: "http://127.0.0.1:1"})
	if err != nil {
		b.Fatal(err)
	}
	in := flows.Inbound{UpdateID: 100001, ChatID: 10000001, Raw: benchUpdate(b)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := bt.Handle(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	if svc.got.Kind != flows.KindText {
		b.Fatalf("routed %+v", svc.got)
	}
}

// newRequestNotice is the notice a cadre gets for a new request.
func newRequestNotice() flows.Notice {
	r := flows.Request{ID: 4821, State: flows.StateReceived}
	return flows.Notice{ChatID: 20000001, Lang: "zh", Kind: flows.NoticeNewRequest, RequestID: r.ID,
		Args: map[string]string{"no": "4821", "household": "张福来", "village": "第03乡镇第05村", "kind": "text", "cadre": "刘建国",
			"text": strings.Repeat("房顶漏雨想申请危房改造补助<b>&", 6)},
		Buttons: flows.CadreButtons(r)}
}

// BenchmarkRender renders a cadre's new-request notice from the catalog
// (HTML escaping, template, split check).
func BenchmarkRender(b *testing.B) {
	r, err := NewRenderer("zh")
	if err != nil {
		b.Fatal(err)
	}
	n := newRequestNotice()
	b.ReportAllocs()
	for b.Loop() {
		if out := r.Render(n); len(out.Texts) != 1 {
			b.Fatalf("rendered %d texts", len(out.Texts))
		}
	}
}

// BenchmarkRenderWithKeyboard is Render plus the inline keyboard the
// sender builds (button labels and callback data).
func BenchmarkRenderWithKeyboard(b *testing.B) {
	bt, err := New(&nopService{}, nil, nil, Options{Token: "1:bench", APIURL: "http://127.0.0.1:1"})
	if err != nil {
		b.Fatal(err)
	}
	n := newRequestNotice()
	b.ReportAllocs()
	for b.Loop() {
		out := bt.render.Render(n)
		if kb := bt.keyboard(n.Lang, out.Buttons); kb == nil {
			b.Fatal("no keyboard")
		}
	}
}

// BenchmarkDecodeButton parses a button's callback data.
func BenchmarkDecodeButton(b *testing.B) {
	data := encodeButton(flows.Button{Action: flows.ActDeadline, RequestID: 4821, Arg: "3"})
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := decodeButton(data); !ok {
			b.Fatal("not decoded")
		}
	}
}
