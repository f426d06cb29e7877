package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

func decodeUpdates(t *testing.T, r rawResponse) []models.Update {
	t.Helper()
	if !r.OK {
		t.Fatalf("getUpdates failed: %+v", r)
	}
	var ups []models.Update
	if err := json.Unmarshal(r.Result, &ups); err != nil {
		t.Fatalf("decode updates %s: %v", r.Result, err)
	}
	return ups
}

func TestOffsetsConfirmUpdates(t *testing.T) {
	srv := newServer(t)
	first := srv.SendText(alice, "one")
	second := srv.SendText(alice, "two")
	poll := func(offset int64) []models.Update {
		_, r := rawCall(t, srv, srv.Token(), "getUpdates", "application/json", fmt.Sprintf(`{"offset":%d,"timeout":0}`, offset))
		return decodeUpdates(t, r)
	}

	ups := poll(0)
	if len(ups) != 2 || ups[0].ID != first.UpdateID || ups[1].ID != second.UpdateID || ups[1].Message.Text != "two" {
		t.Fatalf("first poll = %+v", ups)
	}
	// Confirm only the first: the second is delivered again.
	ups = poll(first.UpdateID + 1)
	if len(ups) != 1 || ups[0].ID != second.UpdateID {
		t.Fatalf("second poll = %+v", ups)
	}
	if !srv.Confirmed(first.UpdateID) || srv.Confirmed(second.UpdateID) || srv.DeliveryCount(second.UpdateID) != 2 {
		t.Fatalf("confirmed %v/%v, deliveries %d", srv.Confirmed(first.UpdateID), srv.Confirmed(second.UpdateID), srv.DeliveryCount(second.UpdateID))
	}
	// A lower offset cannot bring the confirmed update back.
	if ups = poll(0); len(ups) != 1 || ups[0].ID != second.UpdateID {
		t.Fatalf("poll after confirmation = %+v", ups)
	}
	if ups = poll(second.UpdateID + 1); len(ups) != 0 {
		t.Fatalf("everything confirmed, got %+v", ups)
	}
	if srv.DeliveryCount(first.UpdateID) != 1 {
		t.Fatalf("first update delivered %d times", srv.DeliveryCount(first.UpdateID))
	}
}

func TestRawGetUpdatesBodies(t *testing.T) {
	srv := newServer(t)
	in := srv.SendText(alice, "hi")

	// JSON body, the way our own poll loop posts it.
	_, r := rawCall(t, srv, srv.Token(), "getUpdates", "application/json", `{"offset":0,"timeout":1,"limit":10}`)
	if ups := decodeUpdates(t, r); len(ups) != 1 || ups[0].ID != in.UpdateID {
		t.Fatalf("JSON getUpdates = %+v", ups)
	}
	// Form body.
	form := url.Values{"offset": {fmt.Sprint(in.UpdateID)}, "timeout": {"0"}}
	_, r = rawCall(t, srv, srv.Token(), "getUpdates", "application/x-www-form-urlencoded", form.Encode())
	if ups := decodeUpdates(t, r); len(ups) != 1 {
		t.Fatalf("form getUpdates = %+v", ups)
	}
	// A bad token is refused.
	if status, r := rawCall(t, srv, "1:nope", "getUpdates", "application/json", `{}`); status != 401 || r.ErrorCode != 401 || r.Description != "Unauthorized" {
		t.Fatalf("bad token: %d %+v", status, r)
	}
	// Long poll: an empty queue holds the request for the timeout.
	start := time.Now()
	_, r = rawCall(t, srv, srv.Token(), "getUpdates", "application/json", fmt.Sprintf(`{"offset":%d,"timeout":1}`, in.UpdateID+1))
	if ups := decodeUpdates(t, r); len(ups) != 0 || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("empty long poll returned %+v after %v", ups, time.Since(start))
	}
	// Long poll: an update arriving during the poll ends it.
	done := make(chan []models.Update, 1)
	go func() {
		_, r := rawCall(t, srv, srv.Token(), "getUpdates", "application/json", fmt.Sprintf(`{"offset":%d,"timeout":30}`, in.UpdateID+1))
		done <- decodeUpdates(t, r)
	}()
	later := srv.SendText(alice, "later")
	select {
	case ups := <-done:
		if len(ups) != 1 || ups[0].ID != later.UpdateID {
			t.Fatalf("long poll = %+v", ups)
		}
	case <-time.After(waitTimeout):
		t.Fatal("long poll not woken by a new update")
	}
}

func TestPostUpdateAndReplyChain(t *testing.T) {
	srv := newServer(t)
	srv.AddUser(alice)
	id, err := srv.PostUpdate([]byte(`{"update_id":1,"message":{"message_id":7,"date":1,"chat":{"id":5,"type":"private"},"text":"fuzz"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.PostUpdate([]byte(`[1,2]`)); err == nil {
		t.Fatal("a non-object update was accepted")
	}
	_, r := rawCall(t, srv, srv.Token(), "getUpdates", "application/json", `{"timeout":0}`)
	ups := decodeUpdates(t, r)
	if len(ups) != 1 || ups[0].ID != id || ups[0].Message.Text != "fuzz" {
		t.Fatalf("posted update = %+v", ups)
	}

	// A reply to the bot carries the bot's whole message.
	_, r = rawCall(t, srv, srv.Token(), "sendMessage", "application/json", fmt.Sprintf(`{"chat_id":%d,"text":"Your name?"}`, alice.ID))
	var botMsg models.Message
	if err := json.Unmarshal(r.Result, &botMsg); err != nil || !r.OK {
		t.Fatalf("sendMessage: %+v %v", r, err)
	}
	reply := srv.SendReply(alice, "Alice", botMsg.ID)
	if reply.ReplyTo != botMsg.ID || reply.Raw.ReplyToMessage.From == nil || !reply.Raw.ReplyToMessage.From.IsBot ||
		reply.Raw.ReplyToMessage.Text != "Your name?" {
		t.Fatalf("reply = %+v", reply.Raw.ReplyToMessage)
	}
	loc := srv.SendLocation(alice, 55.75, 37.62)
	contact := srv.SendContact(alice, "+70000000000", "Alice")
	if loc.Media != MediaLocation || contact.Media != MediaContact || contact.Raw.Contact.UserID != alice.ID {
		t.Fatalf("location %+v, contact %+v", loc, contact)
	}
	if len(srv.PendingUpdates()) != 4 { // the fuzz update is unconfirmed, plus three messages
		t.Fatalf("pending = %d", len(srv.PendingUpdates()))
	}
}
