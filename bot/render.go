package bot

import (
	"bytes"
	"fmt"
	"html"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/minqing/minqing/flows"
)

// maxText is Telegram's limit on a message's text, in UTF-16 code units.
const maxText = 4096

// Renderer turns notices into Telegram messages using the catalog.
type Renderer struct {
	tpl         map[string]*template.Template // "lang/key"
	defaultLang string
}

// Rendered is one notice ready to send: one or more texts (a long text is
// split), the buttons under the last one, or a message to copy.
type Rendered struct {
	Texts   []string
	Buttons [][]flows.Button
	Copy    *flows.CopyRef
}

// NewRenderer parses the catalog; defaultLang answers unknown languages.
func NewRenderer(defaultLang string) (*Renderer, error) {
	r := &Renderer{tpl: map[string]*template.Template{}, defaultLang: defaultLang}
	for lang, entries := range catalog {
		for key, src := range entries {
			t, err := template.New(key).Option("missingkey=zero").Funcs(r.funcs(lang)).Parse(src)
			if err != nil {
				return nil, fmt.Errorf("catalog %s/%s: %w", lang, key, err)
			}
			r.tpl[lang+"/"+key] = t
		}
	}
	return r, nil
}

func (r *Renderer) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"state":     func(s flows.State) string { return r.Text(lang, "state."+string(s), nil) },
		"statename": func(s string) string { return r.Text(lang, "state."+s, nil) },
		"kind":      func(k string) string { return r.Text(lang, "kind."+k, nil) },
		"action":    func(a string) string { return r.Text(lang, "action."+a, nil) },
		"rate":      flows.Rate.Format,
		"arrow":     flows.Rate.Trend,
		"sub": func(a int, b ...int) int {
			for _, x := range b {
				a -= x
			}
			return a
		},
		"cat": func(c string) string {
			if c == "" {
				c = "none"
			}
			return r.Text(lang, "cat."+c, nil)
		},
		"dur":     func(d time.Duration) string { return formatDuration(lang, d) },
		"day":     func(t time.Time) string { return t.Format("01-02") },
		"lastday": func(w flows.Week) string { return w.End.AddDate(0, 0, -1).Format("01-02") },
		"actor": func(who string) string {
			kind, _, _ := strings.Cut(who, ":")
			return r.Text(lang, "actor."+kind, nil)
		},
	}
}

// Text renders one catalog entry; a missing entry renders as "" in a
// language that lacks it only after falling back to the default language.
func (r *Renderer) Text(lang, key string, data any) string {
	t, ok := r.tpl[flows.Lang(lang, r.defaultLang)+"/"+key]
	if !ok {
		if t, ok = r.tpl[r.defaultLang+"/"+key]; !ok {
			return ""
		}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return ""
	}
	return b.String()
}

// view is the data a catalog template sees: everything HTML-escaped, so that
// a household's <b> or <a href> arrives as literal text.
type view struct {
	A map[string]string
	L []flows.ListItem
	N int
	D *flows.Digest
}

// Render renders a notice.
func (r *Renderer) Render(n flows.Notice) Rendered {
	if n.Copy != nil {
		return Rendered{Copy: n.Copy, Buttons: n.Buttons}
	}
	key := string(n.Kind)
	if n.Kind == flows.NoticeHelp {
		key = "help." + n.Args["role"]
	}
	v := view{A: map[string]string{}, N: len(n.List)}
	for k, val := range n.Args {
		v.A[k] = html.EscapeString(val)
	}
	if n.Digest != nil {
		v.D = escapeDigest(*n.Digest)
	}
	for _, it := range n.List {
		it.Summary, it.Who, it.Village = html.EscapeString(it.Summary), html.EscapeString(it.Who), html.EscapeString(it.Village)
		it.Note = html.EscapeString(it.Note)
		v.L = append(v.L, it)
	}
	return Rendered{Texts: Split(r.Text(n.Lang, key, v), maxText), Buttons: n.Buttons}
}

// ButtonLabel renders a button's label: the catalog's "btn.<action>.<arg>"
// when it has one, else "btn.<action>" with the argument.
func (r *Renderer) ButtonLabel(lang string, b flows.Button) string {
	if b.Label != "" { // a name (a unit, a cadre), not a catalog text
		return b.Label
	}
	if t := r.Text(lang, "btn."+string(b.Action)+"."+b.Arg, nil); t != "" {
		return t
	}
	return r.Text(lang, "btn."+string(b.Action), b.Arg)
}

// callback data: "<action>:<request>:<arg>", at most 64 bytes. It is
// untrusted: flows checks the presser's right to act on the request.
func encodeButton(b flows.Button) string {
	return string(b.Action) + ":" + strconv.FormatInt(b.RequestID, 10) + ":" + b.Arg
}

// knownActions are the actions a button may carry.
var knownActions = map[flows.Action]bool{
	flows.ActContact: true, flows.ActSolve: true, flows.ActDeadline: true, flows.ActResolve: true,
	flows.ActSplit: true, flows.ActTimeline: true, flows.ActMoveDeadline: true, flows.ActSolvedQ: true, flows.ActRate: true, flows.ActCategory: true,
	flows.ActNote: true, flows.ActTransfer: true, flows.ActAssign: true, flows.ActSendBack: true, flows.ActHelper: true,
	flows.ActNudgeVisit: true, flows.ActCheckin: true,
	flows.ActVisitPage: true, flows.ActVisitHH: true, flows.ActVisitOpen: true, flows.ActVisitRecHH: true,
	flows.ActVisitRecord: true, flows.ActVisitEnd: true, flows.ActPhoneSolved: true, flows.ActPhoneRate: true, flows.ActUnreached: true,
}

// decodeButton parses callback data, refusing anything malformed.
func decodeButton(data string) (flows.Button, bool) {
	if len(data) > 64 {
		return flows.Button{}, false
	}
	parts := strings.Split(data, ":")
	if len(parts) != 3 {
		return flows.Button{}, false
	}
	act := flows.Action(parts[0]).Canonical() // a button sent by an earlier release
	if !knownActions[act] || len(parts[2]) > 16 {
		return flows.Button{}, false
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || id <= 0 {
		return flows.Button{}, false
	}
	for _, c := range parts[2] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return flows.Button{}, false
		}
	}
	return flows.Button{Action: act, RequestID: id, Arg: parts[2]}, true
}

// escapeDigest returns a copy of d with every name HTML-escaped.
func escapeDigest(d flows.Digest) *flows.Digest {
	d.Unit, d.County = html.EscapeString(d.Unit), html.EscapeString(d.County)
	esc := func(rows []flows.DigestRow) []flows.DigestRow {
		out := make([]flows.DigestRow, len(rows))
		for i, r := range rows {
			r.Name = html.EscapeString(r.Name)
			out[i] = r
		}
		return out
	}
	d.Rows, d.Villages = esc(d.Rows), esc(d.Villages)
	late := make([]flows.LateItem, len(d.OldestLate))
	for i, l := range d.OldestLate {
		l.Village, l.Cadre, l.Summary = html.EscapeString(l.Village), html.EscapeString(l.Cadre), html.EscapeString(flows.Summarize(l.Summary, 20))
		late[i] = l
	}
	d.OldestLate = late
	if d.Coverage != nil {
		d.Coverage = escapeCoverage(*d.Coverage)
	}
	return &d
}

// escapeCoverage returns a copy of c with every name HTML-escaped.
func escapeCoverage(c flows.Coverage) *flows.Coverage {
	esc := func(rows []flows.CoverageRow) []flows.CoverageRow {
		out := make([]flows.CoverageRow, len(rows))
		for i, r := range rows {
			r.Name = html.EscapeString(r.Name)
			out[i] = r
		}
		return out
	}
	c.Rows, c.Villages = esc(c.Rows), esc(c.Villages)
	longest := make([]flows.Uncontacted, len(c.Longest))
	for i, u := range c.Longest {
		u.Household, u.Village, u.Cadre, u.Unit = html.EscapeString(u.Household), html.EscapeString(u.Village), html.EscapeString(u.Cadre), html.EscapeString(u.Unit)
		longest[i] = u
	}
	c.Longest = longest
	return &c
}

// formatDuration shows a duration in hours and minutes, in lang.
func formatDuration(lang string, d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	if lang == "en" {
		return fmt.Sprintf("%dh %02dm", h, m)
	}
	return fmt.Sprintf("%d小时%d分", h, m)
}
