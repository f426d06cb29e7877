package bot

import (
	"strconv"
	"strings"
	"testing"

	"github.com/minqing/minqing/flows"
)

func escalations(n int, name string) []flows.Notice {
	var ns []flows.Notice
	for i := 1; i <= n; i++ {
		ns = append(ns, flows.Notice{ChatID: 7, Lang: "zh", Kind: flows.NoticeEscalation, RequestID: int64(i),
			Args: map[string]string{"no": strconv.Itoa(i), "household": name + strconv.Itoa(i), "village": "东村",
				"cadre": "李干部", "reason": "no_response", "text": strings.Repeat("井坏了<b>", 40)}})
	}
	return ns
}

// A merged list is cut between requests: every part fits Telegram's limit,
// every request's line is whole in exactly one part, with its button on
// that part; the header says how many requests there are.
func TestRenderBatchSplitsByRequest(t *testing.T) {
	r, err := NewRenderer("zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		n     int
		name  string
		limit int
		parts int // at least
	}{
		{3, "王大妈", maxText, 1},
		{maxBatch, strings.Repeat("很长的户名", 20), maxText, 2},
		{12, "户", 700, 2},
	} {
		ns := escalations(tc.n, tc.name)
		parts := r.RenderBatch("zh", ns, tc.limit)
		if len(parts) < tc.parts {
			t.Errorf("%d requests in %d parts, want at least %d", tc.n, len(parts), tc.parts)
		}
		seen := map[int64]int{}
		for pi, p := range parts {
			if l := parsedLen(p.Text); l > tc.limit {
				t.Errorf("part %d is %d long, over %d", pi, l, tc.limit)
			}
			if !strings.Contains(p.Text, "督办："+strconv.Itoa(tc.n)+" 条诉求") {
				t.Errorf("part %d has no header: %q", pi, p.Text[:min(80, len(p.Text))])
			}
			for _, row := range p.Buttons {
				for _, b := range row {
					seen[b.RequestID]++
					line := r.batchLine("zh", ns[b.RequestID-1])
					if !strings.Contains(p.Text, line) {
						t.Errorf("part %d has the button of #%d but not its whole line", pi, b.RequestID)
					}
					if b.Action != flows.ActTimeline {
						t.Errorf("button %+v does not open the request", b)
					}
				}
				if len(row) > buttonsPerRow {
					t.Errorf("a row of %d buttons", len(row))
				}
			}
		}
		for _, n := range ns {
			if seen[n.RequestID] != 1 {
				t.Errorf("request #%d has %d buttons across the parts, want 1", n.RequestID, seen[n.RequestID])
			}
		}
		if strings.Contains(parts[0].Text, "<b>井") {
			t.Error("a household's text is not escaped")
		}
	}
	// Text is shortened to one line; a reminder batch has its own header.
	ns := []flows.Notice{{Kind: flows.NoticeReminder, RequestID: 5, Args: map[string]string{"no": "5", "text": "第一行\n" + strings.Repeat("长", 100)}},
		{Kind: flows.NoticeReminder, RequestID: 6, Args: map[string]string{"no": "6", "text": "短"}}}
	p := r.RenderBatch("en", ns, maxText)
	if len(p) != 1 || strings.Count(p[0].Text, "\n") != 2 || !strings.Contains(p[0].Text, "Reminder: 2 requests") || !strings.Contains(p[0].Text, "…") {
		t.Errorf("reminder batch: %q", p[0].Text)
	}
}
