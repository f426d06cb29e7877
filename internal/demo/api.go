package demo

import (
	"context"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// personJSON is one roster entry of /api/state.
type personJSON struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	Label   string `json:"label"`
	Lang    string `json:"lang"`
	Started bool   `json:"started"` // the chat has messages
}

// stateJSON is the answer of GET /api/state.
type stateJSON struct {
	Bot      string       `json:"bot"` // the bot's name
	People   []personJSON `json:"people"`
	Defaults [3]int64     `json:"defaults"`
	Now      time.Time    `json:"now"`
	NowText  string       `json:"nowText"` // e.g. "2025年3月5日 周三 09:00"
	Clock    string       `json:"clock"`   // e.g. "09:00"
	Version  int64        `json:"version"`
}

func (h *server) apiState(w http.ResponseWriter, r *http.Request) {
	v := h.observe()
	now := h.now()
	st := stateJSON{Bot: h.sim.TG.Bot().FirstName, People: []personJSON{}, Defaults: h.sim.Default,
		Now: now, NowText: longTime(now), Clock: now.Format("15:04"), Version: v}
	for _, p := range h.people {
		st.People = append(st.People, personJSON{ID: p.ID, Name: p.Name, Role: p.Role, Label: p.Label,
			Lang: p.Lang, Started: len(h.sim.TG.Messages(p.ID)) > 0})
	}
	writeJSON(w, http.StatusOK, st)
}

// userParam reads the roster member named by ?user=, answering 400 itself.
func (h *server) userParam(w http.ResponseWriter, r *http.Request) (Person, bool) {
	id, err := strconv.ParseInt(r.URL.Query().Get("user"), 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, "user: want a numeric user id")
		return Person{}, false
	}
	return h.person(w, id)
}

func (h *server) apiChat(w http.ResponseWriter, r *http.Request) {
	p, ok := h.userParam(w, r)
	if !ok {
		return
	}
	v := h.observe()
	writeJSON(w, http.StatusOK, h.chat(p, v))
}

// sendReq is the body of POST /api/send.
type sendReq struct {
	User    int64  `json:"user"`
	Text    string `json:"text"`
	ReplyTo int    `json:"replyTo"` // 0 = not a reply
}

// sentJSON answers the POSTs that make a message.
type sentJSON struct {
	ID      int   `json:"id"`
	Version int64 `json:"version"`
}

func (h *server) apiSend(w http.ResponseWriter, r *http.Request) {
	var req sendReq
	if !decode(w, r, &req) {
		return
	}
	p, ok := h.person(w, req.User)
	if !ok {
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		fail(w, http.StatusBadRequest, "text: empty message")
		return
	}
	if !utf8.ValidString(req.Text) || utf8.RuneCountInString(req.Text) > maxText {
		fail(w, http.StatusBadRequest, "text: not valid UTF-8 or longer than 4096 characters")
		return
	}
	if !h.replyTarget(w, p, req.ReplyTo) {
		return
	}
	var id int
	if req.ReplyTo > 0 {
		id = h.sim.TG.SendReply(tgUser(p), req.Text, req.ReplyTo).ID
	} else {
		id = h.sim.TG.SendText(tgUser(p), req.Text).ID
	}
	writeJSON(w, http.StatusOK, sentJSON{ID: id, Version: h.observe()})
}

// replyTarget checks that replyTo is 0 or a live message of p's chat.
func (h *server) replyTarget(w http.ResponseWriter, p Person, replyTo int) bool {
	if replyTo == 0 {
		return true
	}
	if m, ok := h.sim.TG.Message(p.ID, replyTo); replyTo < 0 || !ok || m.Deleted {
		fail(w, http.StatusBadRequest, "replyTo: no such message in this chat")
		return false
	}
	return true
}

// mediaReq is the body of POST /api/media.
type mediaReq struct {
	User    int64  `json:"user"`
	Kind    string `json:"kind"` // photo, voice or location
	Caption string `json:"caption"`
	ReplyTo int    `json:"replyTo"`
}

func (h *server) apiMedia(w http.ResponseWriter, r *http.Request) {
	var req mediaReq
	if !decode(w, r, &req) {
		return
	}
	p, ok := h.person(w, req.User)
	if !ok {
		return
	}
	if !utf8.ValidString(req.Caption) || utf8.RuneCountInString(req.Caption) > 1024 {
		fail(w, http.StatusBadRequest, "caption: not valid UTF-8 or longer than 1024 characters")
		return
	}
	if !h.replyTarget(w, p, req.ReplyTo) {
		return
	}
	m, err := h.mediaMessage(req.Kind, strings.TrimSpace(req.Caption))
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.ReplyTo > 0 {
		m.ReplyToMessage = &models.Message{ID: req.ReplyTo}
	}
	id := h.sim.TG.SendMessage(tgUser(p), m).ID
	writeJSON(w, http.StatusOK, sentJSON{ID: id, Version: h.observe()})
}

// pressReq is the body of POST /api/press.
type pressReq struct {
	User      int64  `json:"user"`
	MessageID int    `json:"messageId"`
	Data      string `json:"data"`
}

// pressJSON answers POST /api/press: the bot's callback answer, if it came.
type pressJSON struct {
	Answered bool   `json:"answered"`
	Text     string `json:"text"`
	Alert    bool   `json:"alert"`
}

func (h *server) apiPress(w http.ResponseWriter, r *http.Request) {
	var req pressReq
	if !decode(w, r, &req) {
		return
	}
	p, ok := h.person(w, req.User)
	if !ok {
		return
	}
	if req.Data == "" || len(req.Data) > 64 {
		fail(w, http.StatusBadRequest, "data: want 1 to 64 bytes of callback data")
		return
	}
	if m, ok := h.sim.TG.Message(p.ID, req.MessageID); !ok || m.Deleted || !m.FromBot {
		fail(w, http.StatusBadRequest, "messageId: no such bot message in this chat")
		return
	}
	tg := h.sim.TG
	qid := tg.PressButtonIn(tgUser(p), p.ID, req.MessageID, req.Data)
	ctx, cancel := context.WithTimeout(r.Context(), pressTimeout)
	defer cancel()
	var out pressJSON
	_ = tg.WaitContext(ctx, func() bool {
		_, ok := tg.CallbackAnswer(qid)
		return ok
	})
	if answers := tg.CallbackAnswers(qid); len(answers) > 0 {
		out = pressJSON{Answered: true, Text: answers[0].Text, Alert: answers[0].ShowAlert}
	}
	h.observe()
	writeJSON(w, http.StatusOK, out)
}

// forwardReq is the body of POST /api/forward.
type forwardReq struct {
	Hours float64 `json:"hours"`
}

// clockJSON answers POST /api/forward.
type clockJSON struct {
	Now     time.Time `json:"now"`
	NowText string    `json:"nowText"`
	Clock   string    `json:"clock"`
	Version int64     `json:"version"`
}

func (h *server) apiForward(w http.ResponseWriter, r *http.Request) {
	var req forwardReq
	if !decode(w, r, &req) {
		return
	}
	if math.IsNaN(req.Hours) || req.Hours <= 0 || req.Hours > maxForward {
		fail(w, http.StatusBadRequest, "hours: want a number above 0 and at most 8784")
		return
	}
	if h.sim.Forward == nil {
		fail(w, http.StatusNotImplemented, "this demo has no simulated clock")
		return
	}
	h.fwd.Lock()
	defer h.fwd.Unlock()
	h.observe() // stamp what came before with the old time
	d := time.Duration(req.Hours * float64(time.Hour))
	if err := h.sim.Forward(r.Context(), d); err != nil {
		fail(w, http.StatusInternalServerError, "forward: "+err.Error())
		return
	}
	v := h.observe()
	now := h.now()
	writeJSON(w, http.StatusOK, clockJSON{Now: now, NowText: longTime(now), Clock: now.Format("15:04"), Version: v})
}

// startReq is the body of POST /api/start.
type startReq struct {
	User int64 `json:"user"`
}

func (h *server) apiStart(w http.ResponseWriter, r *http.Request) {
	var req startReq
	if !decode(w, r, &req) {
		return
	}
	p, ok := h.person(w, req.User)
	if !ok {
		return
	}
	text := ""
	if h.sim.Start != nil {
		text = h.sim.Start(p)
	}
	if strings.TrimSpace(text) == "" {
		fail(w, http.StatusConflict, p.Name+" has no card code to bind with")
		return
	}
	id := h.sim.TG.SendText(tgUser(p), text).ID
	writeJSON(w, http.StatusOK, sentJSON{ID: id, Version: h.observe()})
}

// waitJSON answers GET /api/wait.
type waitJSON struct {
	Version int64 `json:"version"`
}

// apiWait answers when the state's version differs from ?since= (at once if
// it already does), or after ?timeout= seconds (default and most 25).
func (h *server) apiWait(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since := int64(-1)
	if s := q.Get("since"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fail(w, http.StatusBadRequest, "since: want a version number")
			return
		}
		since = n
	}
	limit := longPoll
	if s := q.Get("timeout"); s != "" {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) || n < 0 {
			fail(w, http.StatusBadRequest, "timeout: want seconds")
			return
		}
		limit = min(limit, time.Duration(n*float64(time.Second)))
	}
	ctx, cancel := context.WithTimeout(r.Context(), limit)
	defer cancel()
	for {
		changed := h.sim.TG.Changed()
		v := h.observe()
		if v != since {
			writeJSON(w, http.StatusOK, waitJSON{Version: v})
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			writeJSON(w, http.StatusOK, waitJSON{Version: v})
			return
		}
	}
}

// apiFile serves the file of a message (?user=&id=): pictures inline, the
// rest as downloads.
func (h *server) apiFile(w http.ResponseWriter, r *http.Request) {
	p, ok := h.userParam(w, r)
	if !ok {
		return
	}
	id, err := strconv.Atoi(r.URL.Query().Get("id"))
	if err != nil {
		fail(w, http.StatusBadRequest, "id: want a message id")
		return
	}
	m, ok := h.sim.TG.Message(p.ID, id)
	if !ok || m.FileID == "" {
		fail(w, http.StatusNotFound, "no file in that message")
		return
	}
	data, name, ok := h.sim.TG.File(m.FileID)
	if !ok {
		fail(w, http.StatusNotFound, "file not stored")
		return
	}
	ctype := http.DetectContentType(data)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if isPicture(ctype) {
		w.Header().Set("Content-Type", ctype)
	} else {
		if name == "" {
			name = m.FileName
		}
		if name == "" {
			name = string(m.Media)
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	_, _ = w.Write(data)
}

// isPicture reports whether a sniffed content type is an image a page can show.
func isPicture(ctype string) bool {
	switch ctype {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}
