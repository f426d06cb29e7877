// Package demo is the browser simulator of the offline demo: three phones
// side by side (a household, a cadre and a leader) chatting with the real bot
// through the in-process Bot API emulator of package telegramtest.
//
// [Handler] serves one page (embedded HTML, CSS and JavaScript that need no
// network) and a small JSON API the page drives: read a person's chat, send
// text, a photo, a voice note or a location as that person, press inline
// buttons, bind a person with their card code, and move the simulated clock.
// The page long-polls /api/wait, which returns when the emulator changed, so
// the three phones stay in step without a polling loop.
//
// The handler only plays users on the emulator; the caller runs the real bot
// against the same emulator, owns the clock (Sim.Now, Sim.Forward) and the
// listener.
package demo

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
)

// Person is one member of the demo roster, played in the browser.
type Person struct {
	ID    int64  // Telegram user id (= private chat id)
	Name  string // e.g. "张福来"
	Role  string // "household", "cadre" or "leader"
	Label string // a subtitle, e.g. "保兴镇保安村" or "县财政局"
	Lang  string // "zh" or "en": the Telegram client's language_code
}

// Sim is everything the simulator needs from the running demo. Now, Forward
// and Start are called from several goroutines at once (Forward never
// concurrently with itself) and must be safe for that.
type Sim struct {
	TG      *telegramtest.Server
	People  []Person
	Default [3]int64                                         // who the three phones show at first: household, cadre, leader
	Now     func() time.Time                                 // the simulated clock
	Forward func(ctx context.Context, d time.Duration) error // moves the simulated clock and runs due jobs (reminders, digests)
	Start   func(u Person) string                            // text a person sends to bind themselves ("/start <code>"); "" if none
}

//go:embed static
var staticFiles embed.FS

const (
	maxBody      = 64 << 10         // bytes of a POST body
	maxText      = 4096             // characters of a message, as Telegram
	pressTimeout = 5 * time.Second  // wait for a callback answer
	longPoll     = 25 * time.Second // longest /api/wait
	maxForward   = 24 * 366         // hours one /api/forward may move
)

// server is the state behind Handler.
type server struct {
	sim    *Sim
	people []Person
	byID   map[int64]Person
	static http.Handler

	fwd sync.Mutex // one Forward at a time

	mu      sync.Mutex // guards what follows
	fp      uint64     // fingerprint of the last observed state
	version int64      // bumped whenever fp changes
	stamps  map[msgKey]time.Time
	images  map[string]bool // file id → is a picture the page can show
}

// msgKey names one message of one chat.
type msgKey struct {
	chat int64
	id   int
}

// Handler returns the simulator: the page at "/" and its JSON API under
// "/api/". It reads s.People once. It does not listen: mount it where the
// caller wants (the demo binds it to localhost).
func Handler(s *Sim) http.Handler {
	h := &server{sim: s, byID: map[int64]Person{}, stamps: map[msgKey]time.Time{}, images: map[string]bool{}}
	if s != nil {
		h.people = append([]Person(nil), s.People...)
		for _, p := range h.people {
			h.byID[p.ID] = p
		}
	}
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil { // cannot happen: the folder is embedded
		sub = staticFiles
	}
	h.static = http.FileServerFS(sub)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.page)
	mux.HandleFunc("GET /app.js", h.asset)
	mux.HandleFunc("GET /style.css", h.asset)
	mux.HandleFunc("GET /api/state", h.apiState)
	mux.HandleFunc("GET /api/chat", h.apiChat)
	mux.HandleFunc("GET /api/file", h.apiFile)
	mux.HandleFunc("GET /api/wait", h.apiWait)
	mux.HandleFunc("POST /api/send", h.apiSend)
	mux.HandleFunc("POST /api/media", h.apiMedia)
	mux.HandleFunc("POST /api/press", h.apiPress)
	mux.HandleFunc("POST /api/forward", h.apiForward)
	mux.HandleFunc("POST /api/start", h.apiStart)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "no such API route (or wrong method): "+r.Method+" "+r.URL.Path)
	})
	return guard(h, mux)
}

// guard answers 503 when the Sim is unusable and turns a panic into a 500,
// so that no request can take the demo down.
func guard(h *server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				fail(w, http.StatusInternalServerError, "internal error")
			}
		}()
		if h.sim == nil || h.sim.TG == nil {
			fail(w, http.StatusServiceUnavailable, "demo: no emulator configured")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// page serves index.html with headers that keep it offline and self-contained.
func (h *server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy",
		"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'")
	w.Header().Set("Cache-Control", "no-store")
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/"
	h.static.ServeHTTP(w, r2)
}

// asset serves app.js and style.css.
func (h *server) asset(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	h.static.ServeHTTP(w, r)
}

// apiError is the body of every failed API call.
type apiError struct {
	Error string `json:"error"`
}

func fail(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{Error: msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body of at most maxBody bytes into dst, answering 400
// itself when it cannot.
func decode(w http.ResponseWriter, r *http.Request, dst any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(dst); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, "body too large")
			return false
		}
		fail(w, http.StatusBadRequest, "bad JSON body: "+err.Error())
		return false
	}
	if dec.More() {
		fail(w, http.StatusBadRequest, "bad JSON body: trailing data")
		return false
	}
	return true
}

// person finds a roster member by id, answering 400 itself when there is none.
func (h *server) person(w http.ResponseWriter, id int64) (Person, bool) {
	p, ok := h.byID[id]
	if !ok {
		fail(w, http.StatusBadRequest, "unknown user: not in the demo roster")
	}
	return p, ok
}

// tgUser is the emulator's view of a roster member.
func tgUser(p Person) telegramtest.User {
	return telegramtest.User{ID: p.ID, FirstName: p.Name, LanguageCode: p.Lang}
}

// now reads the simulated clock, or the wall clock when there is none.
func (h *server) now() time.Time {
	if h.sim.Now != nil {
		return h.sim.Now()
	}
	return time.Now()
}
