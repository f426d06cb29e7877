package bot

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/minqing/minqing/flows"
)

// MaxUpdateBytes bounds a webhook request body; real updates are a few KB.
const MaxUpdateBytes = 1 << 20

// Webhook receives updates from Telegram. Unlike go-telegram's handler it
// checks the secret in constant time (401 when wrong or missing), bounds the
// body, stores the update in the inbox and only then answers 200; when Redis
// is down it answers 503 so that Telegram delivers the update again.
type Webhook struct {
	Secret  string
	Inbox   flows.Inbox
	Log     *slog.Logger
	Metrics *Metrics // may be nil
}

// ServeHTTP implements http.Handler.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if h.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(h.Secret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxUpdateBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil || e.UpdateID == 0 {
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	}
	if _, err := h.Inbox.Put(r.Context(), flows.Inbound{UpdateID: e.UpdateID, ChatID: e.chatOf(), Raw: body}); err != nil {
		h.Log.Warn("webhook: update not stored", "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	h.Metrics.updateIn()
	w.WriteHeader(http.StatusOK)
}
