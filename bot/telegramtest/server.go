// Package telegramtest is an in-process emulator of the Telegram Bot API.
//
// A [Server] listens on a local httptest address and speaks the real wire
// protocol (POST /bot{token}/{method}, multipart, JSON or url-encoded bodies,
// {"ok":...,"result":...} answers), so the real github.com/go-telegram/bot
// client, or our own HTTP code, can be pointed at it with
// tgbot.WithServerURL(srv.URL()).
//
// Tests play the users: [Server.SendText], [Server.PressButton] and friends
// queue updates exactly as Telegram would deliver them through getUpdates,
// and everything the bot sends is recorded per chat ([Server.Messages]).
// Failures can be injected ([Server.FailNext], [Server.Block],
// [Server.EnforceLimits], [Server.SetOffline]; a token other than
// [Server.Token] is refused as Telegram does: 401, or 404 for a string that
// is not shaped like a token) and every API call is
// logged ([Server.Calls]).
//
// Waiting helpers ([Server.Wait], [Server.WaitBotMessages], [Server.Changed])
// are driven by change notifications, never by sleeping.
//
// Typical use:
//
//	srv := telegramtest.New()
//	defer srv.Close()
//	b, _ := tgbot.New(srv.Token(), tgbot.WithServerURL(srv.URL()), ...)
//	go b.Start(ctx)
//	srv.SendText(telegramtest.User{ID: 42, FirstName: "Ann"}, "/start")
//	msgs, err := srv.WaitBotMessages(42, 1, 5*time.Second)
//
// Like Telegram, the bot can only write to chats that exist: a user's private
// chat (id == user id) exists once the user wrote to the bot or was
// registered with [Server.AddUser]; groups come from [Server.AddGroup] or a
// user's message in them. Other chat ids get 400 "chat not found".
//
// Supported methods: getMe, getUpdates (long poll, offset, limit; a newer
// call ends an older pending one with 409; allowed_updates is ignored),
// setWebhook / deleteWebhook / getWebhookInfo (recorded only: updates stay
// queued), setMyCommands / getMyCommands / deleteMyCommands, sendMessage,
// sendPhoto, sendDocument, sendVoice, sendVideo, sendVideoNote, sendAudio,
// sendAnimation, sendSticker, copyMessage, forwardMessage, editMessageText,
// editMessageCaption, editMessageReplyMarkup, deleteMessage,
// answerCallbackQuery, sendChatAction and getFile (plus file downloads).
// Others answer 404. parse_mode HTML, MarkdownV2 and Markdown are parsed into
// plain text and entities, and malformed markup fails with Telegram's
// "can't parse entities" errors.
//
// Every method is safe for concurrent use; there is no global state.
package telegramtest

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// tokenShape is what a bot token looks like: the bot's id, a colon, a secret.
var tokenShape = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)

// DefaultToken is the bot token a Server accepts unless [WithToken] is given.
const DefaultToken = "123456789:AAE-telegramtest-emulator-token"

type config struct {
	token       string
	botUsername string
	botName     string
}

// firstUpdateID is the update_id of the first queued update.
const firstUpdateID = 100000

// Option configures a Server created by [New].
type Option func(*config)

// WithToken sets the only token the server accepts. The bot's user id is the
// numeric part before the colon (as in real tokens); 123456789 if there is none.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithBotUsername sets the username getMe reports (default "test_bot").
func WithBotUsername(username string) Option {
	return func(c *config) { c.botUsername = strings.TrimPrefix(username, "@") }
}

// WithBotName sets the bot's first name (default "Test Bot").
func WithBotName(firstName string) Option { return func(c *config) { c.botName = firstName } }

// Call is one logged Bot API request.
type Call struct {
	Method      string            // canonical method name, e.g. "sendMessage"
	ChatID      int64             // parsed chat_id, 0 if none
	Time        time.Time         // when the request arrived
	Code        int               // 200 on success, else the error_code returned
	Description string            // error description, empty on success
	Params      map[string]string // request parameters; uploads appear as "@filename"
}

// Server is a running Bot API emulator. Create it with [New], stop it with [Server.Close].
type Server struct {
	cfg config
	bot models.User
	ts  *httptest.Server

	closed    chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every state change
	chats     map[int64]*chatState
	queue     []queuedUpdate
	nextUpd   int64
	delivered map[int64]int
	pollKick  chan struct{} // closed when a newer getUpdates arrives
	callbacks map[string]*callbackState
	cbOrder   []string
	nextCB    int64
	files     map[string]*fileRec
	nextFile  int
	calls     []Call
	failures  []*failRule
	limits    limiter
	webhook   webhookState
	commands  map[string][]models.BotCommand
	offline   bool // SetOffline: drop every connection unanswered
	inFlight  int  // requests being handled
}

// New starts an emulator on a local address.
func New(opts ...Option) *Server {
	cfg := config{token: DefaultToken, botUsername: "test_bot", botName: "Test Bot"}
	for _, o := range opts {
		o(&cfg)
	}
	botID := int64(123456789)
	if id, err := strconv.ParseInt(strings.SplitN(cfg.token, ":", 2)[0], 10, 64); err == nil && id > 0 {
		botID = id
	}
	s := &Server{
		cfg: cfg,
		bot: models.User{
			ID: botID, IsBot: true, FirstName: cfg.botName, Username: cfg.botUsername,
			CanJoinGroups: true,
		},
		closed:    make(chan struct{}),
		changed:   make(chan struct{}),
		chats:     map[int64]*chatState{},
		nextUpd:   firstUpdateID,
		delivered: map[int64]int{},
		pollKick:  make(chan struct{}),
		callbacks: map[string]*callbackState{},
		nextCB:    4_211_000_000_000_000_000,
		files:     map[string]*fileRec{},
		commands:  map[string][]models.BotCommand{},
	}
	s.ts = httptest.NewServer(s.Handler())
	return s
}

// Close ends pending long polls and shuts the HTTP server down. It is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.ts.Close()
	})
}

// InFlight reports how many requests are being handled. After a client
// dies (kill -9), waiting for 0 makes sure that what it asked before dying
// has taken effect (a message it sent is in the chat) or never will.
func (s *Server) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
}

// URL is the server's base URL, for tgbot.WithServerURL.
func (s *Server) URL() string { return s.ts.URL }

// Token is the one token the server accepts.
func (s *Server) Token() string { return s.cfg.token }

// Bot returns the bot's own user, as getMe reports it.
func (s *Server) Bot() models.User { return s.bot }

// Handler returns the Bot API handler, for mounting the emulator in another
// HTTP server (e.g. an offline demo). It serves /bot{token}/{method} and
// /file/bot{token}/{path}.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Calls returns a copy of the request log, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		c.Params = maps.Clone(c.Params)
		out[i] = c
	}
	return out
}

// ClearCalls empties the request log (e.g. between phases of a benchmark).
func (s *Server) ClearCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// CallsTo returns the logged calls of one method (case-insensitive).
func (s *Server) CallsTo(method string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// notifyLocked wakes everybody waiting on Changed. Callers hold s.mu.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// apiError is a Bot API error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func errBadRequest(desc string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + desc} }

func errForbidden(desc string) *apiError { return &apiError{code: 403, desc: "Forbidden: " + desc} }

type upload struct {
	name string
	data []byte
}

// params holds one request's parameters in the form convention: strings raw,
// everything else as JSON text.
type params struct {
	values map[string]string
	files  map[string]upload
}

func (p *params) str(k string) string { return p.values[k] }

func (p *params) has(k string) bool {
	_, ok := p.values[k]
	_, okf := p.files[k]
	return ok || okf
}

func (p *params) boolean(k string) bool {
	v := strings.ToLower(p.values[k])
	return v == "true" || v == "1"
}

func (p *params) int64(k string) (int64, *apiError) {
	v := strings.TrimSpace(p.values[k])
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errBadRequest("invalid " + k + " specified")
	}
	return n, nil
}

func (p *params) int(k string) (int, *apiError) {
	n, e := p.int64(k)
	return int(n), e
}

// decode unmarshals a JSON-valued parameter; absent parameters leave dst alone.
func (p *params) decode(k string, dst any) *apiError {
	v, ok := p.values[k]
	if !ok || v == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(v), dst); err != nil {
		return errBadRequest("can't parse " + k + " JSON object")
	}
	return nil
}

func (p *params) logged() map[string]string {
	out := maps.Clone(p.values)
	if out == nil {
		out = map[string]string{}
	}
	for k, f := range p.files {
		out[k] = "@" + f.name
	}
	return out
}

func parseRequest(r *http.Request) (*params, *apiError) {
	p := &params{values: map[string]string{}, files: map[string]upload{}}
	for k, v := range r.URL.Query() {
		p.values[k] = v[0]
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		// Parameterless calls send an empty body that still claims multipart:
		// the parse error is expected and ignored.
		if err := r.ParseMultipartForm(32 << 20); err == nil {
			defer r.MultipartForm.RemoveAll()
			for k, v := range r.MultipartForm.Value {
				p.values[k] = v[0]
			}
			for k, fhs := range r.MultipartForm.File {
				f, err := fhs[0].Open()
				if err != nil {
					return nil, errBadRequest("can't read file " + k)
				}
				data, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					return nil, errBadRequest("can't read file " + k)
				}
				p.files[k] = upload{name: fhs[0].Filename, data: data}
			}
		}
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, errBadRequest("can't read request body")
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			break
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, errBadRequest("can't parse JSON object")
		}
		for k, raw := range obj {
			var str string
			switch {
			case string(raw) == "null":
			case json.Unmarshal(raw, &str) == nil:
				p.values[k] = str
			default:
				p.values[k] = string(raw)
			}
		}
	default:
		if err := r.ParseForm(); err == nil {
			for k, v := range r.PostForm {
				p.values[k] = v[0]
			}
		}
	}
	return p, nil
}

func writeResult(w http.ResponseWriter, result json.RawMessage) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"ok":true,"result":`))
	_, _ = w.Write(result)
	_, _ = w.Write([]byte(`}`))
}

func writeError(w http.ResponseWriter, e *apiError) {
	type paramsJSON struct {
		RetryAfter int `json:"retry_after,omitempty"`
	}
	body := struct {
		OK          bool        `json:"ok"`
		ErrorCode   int         `json:"error_code"`
		Description string      `json:"description"`
		Parameters  *paramsJSON `json:"parameters,omitempty"`
	}{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		body.Parameters = &paramsJSON{RetryAfter: e.retryAfter}
	}
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code)
	_, _ = w.Write(data)
}

func mustJSON(v any) json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		panic("telegramtest: marshal result: " + err.Error())
	}
	return data
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.inFlight++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.notifyLocked()
		s.mu.Unlock()
	}()
	if s.isOffline() {
		dropConnection(w)
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	start := time.Now()
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	if !ok || token != s.cfg.token {
		e := &apiError{code: 401, desc: "Unauthorized"}
		if !tokenShape.MatchString(token) { // what Telegram answers for a string that is no token at all
			e = &apiError{code: 404, desc: "Not Found"}
		}
		s.logCall(Call{Method: method, Time: start, Code: e.code, Description: e.desc})
		writeError(w, e)
		return
	}
	method = strings.TrimPrefix(method, "test/")
	p, perr := parseRequest(r)
	if perr != nil {
		s.logCall(Call{Method: method, Time: start, Code: perr.code, Description: perr.desc})
		writeError(w, perr)
		return
	}
	call := Call{Method: method, Time: start, Params: p.logged()}
	call.ChatID, _ = p.int64("chat_id")
	result, e := s.dispatch(r.Context(), method, call.ChatID, p, &call)
	if e != nil {
		call.Code, call.Description = e.code, e.desc
		s.logCall(call)
		writeError(w, e)
		return
	}
	call.Code = http.StatusOK
	s.logCall(call)
	writeResult(w, result)
}

func (s *Server) dispatch(ctx context.Context, method string, chatID int64, p *params, call *Call) (json.RawMessage, *apiError) {
	h, canonical := lookupMethod(method)
	if h == nil {
		return nil, &apiError{code: 404, desc: "Not Found: method not found"}
	}
	call.Method = canonical
	if e := s.injected(canonical, chatID); e != nil {
		return nil, e
	}
	return h(s, ctx, p)
}

func (s *Server) logCall(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.notifyLocked()
}

func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	if token != s.cfg.token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	var data []byte
	found := false
	for _, f := range s.files {
		if f.path == path {
			data, found = f.data, true
			break
		}
	}
	s.mu.Unlock()
	if !found {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}
