package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

const waitTimeout = 5 * time.Second

var alice = User{ID: 1001, FirstName: "Alice", Username: "alice", LanguageCode: "en"}

func newServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	srv := New(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// newBot creates a real go-telegram/bot client talking to srv.
func newBot(t *testing.T, srv *Server, opts ...tgbot.Option) *tgbot.Bot {
	t.Helper()
	opts = append([]tgbot.Option{
		tgbot.WithServerURL(srv.URL()),
		tgbot.WithErrorsHandler(func(error) {}),
	}, opts...)
	b, err := tgbot.New(srv.Token(), opts...)
	if err != nil {
		t.Fatalf("tgbot.New: %v", err)
	}
	return b
}

// startBot runs b.Start until the test ends.
func startBot(t *testing.T, b *tgbot.Bot) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Start(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

type rawResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// rawCall posts a body to a method the way our own code (not the library) would.
func rawCall(t *testing.T, srv *Server, token, method, contentType, body string) (int, rawResponse) {
	t.Helper()
	resp, err := http.Post(srv.URL()+"/bot"+token+"/"+method, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", method, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var r rawResponse
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("decode %s answer %q: %v", method, data, err)
	}
	return resp.StatusCode, r
}

func TestGetMeAndToken(t *testing.T) {
	srv := newServer(t, WithBotUsername("@minqing_bot"), WithToken("777:secret"))
	b := newBot(t, srv)
	me, err := b.GetMe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != 777 || !me.IsBot || me.Username != "minqing_bot" {
		t.Fatalf("getMe = %+v", me)
	}
	_, err = tgbot.New("778:wrong", tgbot.WithServerURL(srv.URL()))
	if !errors.Is(err, tgbot.ErrorUnauthorized) {
		t.Fatalf("wrong token: err = %v, want ErrorUnauthorized", err)
	}
	_, err = tgbot.New("no token at all", tgbot.WithServerURL(srv.URL()))
	if !errors.Is(err, tgbot.ErrorNotFound) {
		t.Fatalf("a string that is no token: err = %v, want ErrorNotFound", err)
	}
	status, r := rawCall(t, srv, srv.Token(), "noSuchMethod", "application/json", "{}")
	if status != 404 || r.OK || r.ErrorCode != 404 || r.Description != "Not Found: method not found" {
		t.Fatalf("unknown method: %d %+v", status, r)
	}
	// Method names are case-insensitive, as on Telegram.
	if _, r := rawCall(t, srv, srv.Token(), "GETME", "application/json", ""); !r.OK {
		t.Fatalf("GETME: %+v", r)
	}
}

func TestTextUpdateAndReply(t *testing.T) {
	srv := newServer(t)
	got := make(chan *models.Update, 10)
	b := newBot(t, srv, tgbot.WithDefaultHandler(func(ctx context.Context, b *tgbot.Bot, u *models.Update) {
		if u.Message == nil {
			return
		}
		got <- u
		_, _ = b.SendMessage(ctx, &tgbot.SendMessageParams{
			ChatID:              u.Message.Chat.ID,
			Text:                "<b>echo</b>: " + strings.ToUpper(u.Message.Text[:1]) + u.Message.Text[1:],
			ParseMode:           models.ParseModeHTML,
			ReplyParameters:     &models.ReplyParameters{MessageID: u.Message.ID},
			DisableNotification: true,
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
				{{Text: "Yes", CallbackData: "answer:yes"}, {Text: "Site", URL: "https://example.org"}},
			}},
		})
	}))
	startBot(t, b)

	in := srv.SendText(alice, "/start abc")
	if in.UpdateID == 0 || in.FromBot || in.ID != 1 {
		t.Fatalf("injected message = %+v", in)
	}
	var upd *models.Update
	select {
	case upd = <-got:
	case <-time.After(waitTimeout):
		t.Fatal("handler never got the update")
	}
	ents := upd.Message.Entities
	if len(ents) != 1 || ents[0].Type != models.MessageEntityTypeBotCommand || ents[0].Offset != 0 || ents[0].Length != 6 {
		t.Fatalf("entities = %+v", ents)
	}
	if upd.Message.From == nil || upd.Message.From.ID != alice.ID || upd.Message.Chat.Type != models.ChatTypePrivate {
		t.Fatalf("message = %+v", upd.Message)
	}

	msgs, err := srv.WaitBotMessages(alice.ID, 1, waitTimeout)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if m.Text != "echo: /start abc" || m.SourceText != "<b>echo</b>: /start abc" || m.ParseMode != "HTML" {
		t.Fatalf("bot message text = %q / %q / %q", m.Text, m.SourceText, m.ParseMode)
	}
	if len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBold || m.Entities[0].Length != 4 {
		t.Fatalf("entities = %+v", m.Entities)
	}
	if m.ReplyTo != in.ID || !m.DisableNotification || !m.FromBot || m.From.ID != srv.Bot().ID {
		t.Fatalf("bot message = %+v", m)
	}
	if data, ok := m.ButtonData("Yes"); !ok || data != "answer:yes" || m.Buttons[0][1].URL != "https://example.org" {
		t.Fatalf("buttons = %+v", m.Buttons)
	}
	if m.Raw.ReplyToMessage == nil || m.Raw.ReplyToMessage.Text != "/start abc" {
		t.Fatalf("raw reply_to_message = %+v", m.Raw.ReplyToMessage)
	}
	if len(srv.Messages(alice.ID)) != 2 {
		t.Fatalf("messages = %+v", srv.Messages(alice.ID))
	}
}

func TestCallbackQuery(t *testing.T) {
	srv := newServer(t)
	cbMessages := make(chan *models.Message, 1)
	b := newBot(t, srv, tgbot.WithDefaultHandler(func(ctx context.Context, b *tgbot.Bot, u *models.Update) {
		if u.CallbackQuery == nil {
			return
		}
		cbMessages <- u.CallbackQuery.Message.Message
		_, _ = b.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "saved"})
		if m := u.CallbackQuery.Message.Message; m != nil {
			_, _ = b.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: m.Chat.ID, MessageID: m.ID, Text: "Thanks!"})
		}
	}))
	srv.AddUser(alice)
	sent, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{
		ChatID: alice.ID, Text: "Continue?",
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Go", CallbackData: "go"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	startBot(t, b)

	id, err := srv.PressButtonText(alice, sent.ID, "Go")
	if err != nil {
		t.Fatal(err)
	}
	answer, err := srv.WaitCallbackAnswer(id, waitTimeout)
	if err != nil || answer.Text != "saved" {
		t.Fatalf("answer = %+v, %v", answer, err)
	}
	if text, ok := srv.CallbackAnswer(id); !ok || text != "saved" || len(srv.UnansweredCallbacks()) != 0 {
		t.Fatalf("CallbackAnswer = %q %v, unanswered %v", text, ok, srv.UnansweredCallbacks())
	}
	m := <-cbMessages
	if m == nil || m.ID != sent.ID || m.Date == 0 || m.Text != "Continue?" || m.From == nil || !m.From.IsBot || m.ReplyMarkup == nil {
		t.Fatalf("callback message = %+v", m)
	}
	if !srv.Wait(waitTimeout, func() bool { last, _ := srv.LastBotMessage(alice.ID); return last.Edited }) {
		t.Fatal("message never edited")
	}
	last, _ := srv.LastBotMessage(alice.ID)
	if last.Text != "Thanks!" || last.Buttons != nil || len(last.History) != 1 || last.History[0].Text != "Continue?" || last.History[0].Buttons[0][0].CallbackData != "go" {
		t.Fatalf("edited message = %+v", last)
	}
	// A second identical edit fails like Telegram's.
	_, err = b.EditMessageText(context.Background(), &tgbot.EditMessageTextParams{ChatID: alice.ID, MessageID: sent.ID, Text: "Thanks!"})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("identical edit: %v", err)
	}
}

func TestCopyMessagePhoto(t *testing.T) {
	srv := newServer(t)
	const operators = -1001234567890
	srv.AddGroup(operators, "Operators")
	b := newBot(t, srv)
	photo := srv.SendPhoto(alice, "my receipt")
	id, err := b.CopyMessage(context.Background(), &tgbot.CopyMessageParams{
		ChatID: operators, FromChatID: alice.ID, MessageID: photo.ID,
		Caption: "from <i>Alice</i>", ParseMode: models.ParseModeHTML,
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Reply", CallbackData: "reply:1001"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := srv.Message(operators, id.ID)
	if !ok || m.Media != MediaPhoto || m.FileID != photo.FileID || m.Caption != "from Alice" || m.CopyOf != (Ref{alice.ID, photo.ID}) {
		t.Fatalf("copy = %+v (ok %v), source %+v", m, ok, photo)
	}
	if _, ok := m.ButtonData("Reply"); !ok || m.Raw.Chat.Type != models.ChatTypeSupergroup {
		t.Fatalf("copy = %+v", m)
	}
	_, err = b.CopyMessage(context.Background(), &tgbot.CopyMessageParams{ChatID: operators, FromChatID: alice.ID, MessageID: 999})
	if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to copy not found") {
		t.Fatalf("copy of a missing message: %v", err)
	}
	// Forward keeps the origin.
	fwd, err := b.ForwardMessage(context.Background(), &tgbot.ForwardMessageParams{ChatID: operators, FromChatID: alice.ID, MessageID: photo.ID})
	if err != nil || fwd.ForwardOrigin == nil || fwd.ForwardOrigin.MessageOriginUser.SenderUser.ID != alice.ID || len(fwd.Photo) == 0 {
		t.Fatalf("forward = %+v, %v", fwd, err)
	}
}

func TestUploadsAndFiles(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(alice)
	b := newBot(t, srv)
	ctx := context.Background()
	doc, err := b.SendDocument(ctx, &tgbot.SendDocumentParams{
		ChatID:   alice.ID,
		Document: &models.InputFileUpload{Filename: "report.csv", Data: bytes.NewReader([]byte("a,b\n1,2\n"))},
		Caption:  "Report",
	})
	if err != nil {
		t.Fatal(err)
	}
	data, name, ok := srv.File(doc.Document.FileID)
	if !ok || name != "report.csv" || string(data) != "a,b\n1,2\n" {
		t.Fatalf("stored file = %q %q %v", data, name, ok)
	}
	// Re-sending by file_id works; an unknown id does not.
	if _, err := b.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileString{Data: "nope"}}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("unknown file id: %v", err)
	}
	voice := srv.SendVoice(alice)
	f, err := b.GetFile(ctx, &tgbot.GetFileParams{FileID: voice.FileID})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(b.FileDownloadLink(f))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) == 0 {
		t.Fatalf("download: %d %q", resp.StatusCode, body)
	}
}

func TestFailuresAndBlocking(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(alice)
	b := newBot(t, srv)
	ctx := context.Background()
	send := func(chatID int64) error {
		_, err := b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chatID, Text: "hi"})
		return err
	}

	srv.FailNext(alice.ID, "", 1, 429, 1)
	var tooMany *tgbot.TooManyRequestsError
	if err := send(alice.ID); !errors.As(err, &tooMany) || tooMany.RetryAfter != 1 {
		t.Fatalf("FailNext 429: %v", err)
	}
	if err := send(alice.ID); err != nil {
		t.Fatalf("after the injected failure: %v", err)
	}
	srv.FailNext(0, "sendMessage", 1, 502, 0)
	if err := send(alice.ID); err == nil || errors.Is(err, tgbot.ErrorForbidden) {
		t.Fatalf("FailNext 502: %v", err)
	}

	srv.Block(alice.ID)
	if err := send(alice.ID); !errors.Is(err, tgbot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Fatalf("blocked: %v", err)
	}
	srv.Unblock(alice.ID)
	if err := send(alice.ID); err != nil {
		t.Fatalf("unblocked: %v", err)
	}
	bob := User{ID: 1002, FirstName: "Bob"}
	srv.AddUserNotStarted(bob)
	if err := send(bob.ID); !errors.Is(err, tgbot.ErrorForbidden) {
		t.Fatalf("never started: %v", err)
	}
	srv.SendText(bob, "/start")
	if err := send(bob.ID); err != nil {
		t.Fatalf("after /start: %v", err)
	}
	if err := send(424242); !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), "chat not found") {
		t.Fatalf("unknown chat: %v", err)
	}

	var codes []int
	for _, c := range srv.CallsTo("sendMessage") {
		codes = append(codes, c.Code)
	}
	want := []int{429, 200, 502, 403, 200, 403, 200, 400}
	if len(codes) != len(want) {
		t.Fatalf("call codes = %v, want %v", codes, want)
	}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("call codes = %v, want %v", codes, want)
		}
	}
}

func TestEnforceLimits(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(alice)
	srv.EnforceLimits(1, 30)
	b := newBot(t, srv)
	for i := range 3 {
		if _, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: alice.ID, Text: "burst"}); err != nil {
			t.Fatalf("send %d within the burst: %v", i, err)
		}
	}
	_, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: alice.ID, Text: "flood"})
	var tooMany *tgbot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter < 1 {
		t.Fatalf("4th send: %v", err)
	}
	srv.EnforceLimits(0, 0)
	if _, err := b.SendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: alice.ID, Text: "free"}); err != nil {
		t.Fatalf("limits off: %v", err)
	}
}

func TestCommandsAndWebhook(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := context.Background()
	cmds := []models.BotCommand{{Command: "start", Description: "Начать"}, {Command: "help", Description: "Помощь"}}
	if _, err := b.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: cmds, Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: "ru"}); err != nil {
		t.Fatal(err)
	}
	if got, ok := srv.Commands(&models.BotCommandScopeAllPrivateChats{}, "ru"); !ok || len(got) != 2 || got[1].Command != "help" {
		t.Fatalf("commands = %+v %v", got, ok)
	}
	if _, ok := srv.Commands(nil, ""); ok {
		t.Fatal("default scope should have no commands")
	}
	if _, err := b.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad Command", Description: "x"}}}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("invalid command: %v", err)
	}

	if _, err := b.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: "https://example.org/hook", SecretToken: "s3cret_-"}); err != nil {
		t.Fatal(err)
	}
	if url, secret := srv.Webhook(); url != "https://example.org/hook" || secret != "s3cret_-" {
		t.Fatalf("webhook = %q %q", url, secret)
	}
	srv.SendText(alice, "hello")
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != "https://example.org/hook" || info.PendingUpdateCount != 1 {
		t.Fatalf("webhook info = %+v, %v", info, err)
	}
	if _, r := rawCall(t, srv, srv.Token(), "getUpdates", "application/json", `{"timeout":0}`); r.ErrorCode != 409 {
		t.Fatalf("getUpdates with a webhook: %+v", r)
	}
	if _, err := b.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: "http://insecure"}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("http webhook: %v", err)
	}
	if _, err := b.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{DropPendingUpdates: true}); err != nil {
		t.Fatal(err)
	}
	if url, _ := srv.Webhook(); url != "" || len(srv.PendingUpdates()) != 0 {
		t.Fatalf("after deleteWebhook: %q, %d pending", url, len(srv.PendingUpdates()))
	}
}

// TestManyUsersConcurrently exercises the emulator under -race.
func TestManyUsersConcurrently(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv, tgbot.WithDefaultHandler(func(ctx context.Context, b *tgbot.Bot, u *models.Update) {
		if u.Message != nil {
			_, _ = b.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "got " + u.Message.Text})
		}
	}))
	startBot(t, b)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := User{ID: int64(2000 + i), FirstName: "U"}
			for range 3 {
				srv.SendText(u, "ping")
			}
			if _, err := srv.WaitBotMessages(u.ID, 3, waitTimeout); err != nil {
				t.Error(err)
			}
			_ = srv.Messages(u.ID)
			_ = srv.Calls()
		}()
	}
	wg.Wait()
}

// TestOffline: an offline server drops connections unanswered and logs
// nothing; back online, it answers again.
func TestOffline(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	srv.ClearCalls()
	srv.SetOffline(true)
	if _, err := b.GetMe(context.Background()); err == nil || errors.Is(err, tgbot.ErrorNotFound) {
		t.Fatalf("getMe while offline: %v, want a transport error", err)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d calls logged while offline", n)
	}
	srv.SetOffline(false)
	if _, err := b.GetMe(context.Background()); err != nil {
		t.Fatalf("getMe back online: %v", err)
	}
}
