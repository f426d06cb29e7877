package bot

import (
	"context"
	"html"
	"strconv"

	"github.com/go-telegram/bot/models"

	"github.com/minqing/minqing/flows"
)

// Merged messages. Reminders and escalations to one person that fall due
// within the batch window go as one message listing the requests, one line
// each with its number, household and village, and a button per request
// that opens it (its timeline, with the request's buttons). A list that
// does not fit in one message is cut between requests, never inside a
// line; each part has the buttons of its own requests.

// batchText bounds the request text quoted on a line of a merged message.
const batchText = 60

// buttonsPerRow is how many "open" buttons share a row.
const buttonsPerRow = 4

// BatchPart is one message of a merged list.
type BatchPart struct {
	Text    string
	Buttons [][]flows.Button // one "open" button per request on the part
}

// RenderBatch renders notices merged into one list (in lang), cut into
// parts of at most limit characters (as Telegram counts them).
func (r *Renderer) RenderBatch(lang string, ns []flows.Notice, limit int) []BatchPart {
	head := r.Text(lang, "batch.head."+batchKind(ns), view{N: len(ns)})
	var parts []BatchPart
	cur := BatchPart{Text: head}
	size, row := parsedLen(head), 0
	for i, n := range ns {
		line := r.batchLine(lang, n)
		if l := parsedLen(line); size+1+l > limit && i > 0 && len(cur.Buttons) > 0 {
			parts = append(parts, cur)
			cont := head + " " + r.Text(lang, "batch.more", nil)
			cur, size, row = BatchPart{Text: cont}, parsedLen(cont), 0
		}
		if parsedLen(line)+size+1 > limit { // one line longer than a message: the splitter cuts it
			line = Split(line, limit-size-1)[0]
		}
		cur.Text += "\n" + line
		size += 1 + parsedLen(line)
		b := flows.Button{Action: flows.ActTimeline, RequestID: n.RequestID}
		if row == 0 {
			cur.Buttons = append(cur.Buttons, nil)
		}
		cur.Buttons[len(cur.Buttons)-1] = append(cur.Buttons[len(cur.Buttons)-1], b)
		row = (row + 1) % buttonsPerRow
	}
	return append(parts, cur)
}

// batchKind names the header: "reminder", "escalation" or "mixed".
func batchKind(ns []flows.Notice) string {
	k := ns[0].Kind
	for _, n := range ns[1:] {
		if n.Kind != k {
			return "mixed"
		}
	}
	if k == flows.NoticeReminder {
		return "reminder"
	}
	return "escalation"
}

// batchLine renders one request's line, its text shortened.
func (r *Renderer) batchLine(lang string, n flows.Notice) string {
	v := view{A: map[string]string{}}
	for k, val := range n.Args {
		if k == "text" {
			val = shorten(val, batchText)
		}
		v.A[k] = html.EscapeString(val)
	}
	if v.A["no"] == "" {
		v.A["no"] = strconv.FormatInt(n.RequestID, 10)
	}
	key := "batch.line.reminder"
	if n.Kind == flows.NoticeEscalation {
		key = "batch.line.escalation"
	}
	return r.Text(lang, key, v)
}

// shorten keeps the first max characters of s on one line, marking a cut
// with "…".
func shorten(s string, max int) string {
	out := make([]rune, 0, max+1)
	for _, c := range s {
		if c == '\n' || c == '\r' {
			c = ' '
		}
		if len(out) == max {
			return string(out) + "…"
		}
		out = append(out, c)
	}
	return string(out)
}

// parsedLen is the length of an HTML text as Telegram counts it.
func parsedLen(text string) int {
	n := 0
	for _, t := range tokenize(text) {
		n += t.units
	}
	return n
}

// sendBatch sends merged notices (all to one chat) as one message, or a
// few when the list is long; each has the "open" buttons of its requests.
func (s *sender) sendBatch(ctx context.Context, qs []flows.Queued) error {
	first := qs[0].Notice
	ns := make([]flows.Notice, len(qs))
	for i, q := range qs {
		ns[i] = q.Notice
	}
	lang := first.Lang
	for _, p := range s.b.render.RenderBatch(lang, ns, maxText) {
		kb := &models.InlineKeyboardMarkup{}
		for _, row := range p.Buttons {
			var out []models.InlineKeyboardButton
			for _, b := range row {
				out = append(out, models.InlineKeyboardButton{Text: s.b.render.Text(lang, "batch.open", b.RequestID), CallbackData: encodeButton(b)})
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, out)
		}
		if _, err := s.b.tg.sendText(ctx, first.ChatID, p.Text, kb, first.Silent); err != nil {
			return err
		}
	}
	return nil
}
