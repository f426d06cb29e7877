package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
)

// TestMediaAndFollowups: media is copied; a second message joins the open
// request and one tap splits it into a new one.
func TestMediaAndFollowups(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")

	n := h.mark(cadreLiu)
	photo := h.tg.SendPhoto(hhZhang, "墙裂了")
	h.expect(hhZhang, 0, "#1")
	h.expect(cadreLiu, n, "#1", "[照片]", "墙裂了")
	if !h.tg.Wait(waitFor, func() bool { return hasCopy(h.tg.BotMessages(cadreLiu.ID), photo.ID) }) {
		t.Fatal("the photo was not copied to the cadre")
	}

	n, hn := h.mark(cadreLiu), h.mark(hhZhang)
	voice := h.tg.SendVoice(hhZhang)
	ack := h.expect(hhZhang, hn, "#1", "补充")
	h.expect(cadreLiu, n, "#1", "[语音]")
	if !h.tg.Wait(waitFor, func() bool { return hasCopy(h.tg.BotMessages(cadreLiu.ID), voice.ID) }) {
		t.Fatal("the voice note was not copied to the cadre")
	}

	// One tap makes the follow-up a request of its own.
	n, hn = h.mark(cadreLiu), h.mark(hhZhang)
	if toast := h.press(hhZhang, ack, ack.Buttons[0][0].CallbackData); toast != "已完成" {
		t.Fatalf("split toast %q", toast)
	}
	h.expect(hhZhang, hn, "#2")
	h.expect(cadreLiu, n, "新诉求 #2", "[语音]")

	for _, send := range []func(){
		func() { h.tg.SendLocation(hhZhang, 48.9, 130.4) },
		func() { h.tg.SendContact(hhZhang, "13900000999", "邻居") },
		func() { h.tg.SendVideo(hhZhang, "") },
		func() { h.tg.SendDocument(hhZhang, "a.pdf", []byte("%PDF"), "") },
	} {
		hn = h.mark(hhZhang)
		send()
		h.expect(hhZhang, hn, "补充")
	}
	hn = h.mark(hhZhang)
	h.tg.SendSticker(hhZhang, "👍")
	h.expect(hhZhang, hn, "暂不支持")
}

func hasCopy(msgs []telegramtest.Message, id int) bool {
	for _, m := range msgs {
		if m.CopyOf.MessageID == id {
			return true
		}
	}
	return false
}

// TestFamilyAccountsAndInvites: a card binds up to three accounts, all of
// whom hear the cadre; an invite binds one.
func TestFamilyAccountsAndInvites(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	contains(t, "invite reuse", h.bind(cadreWang, "C001").Text, "已被使用")
	contains(t, "first", h.bind(hhZhang, "H001").Text, "刘建国")
	contains(t, "again", h.bind(hhZhang, "H001").Text, "刘建国")
	contains(t, "second", h.bind(hhZhang2, "H001").Text, "刘建国")
	third := telegramtest.User{ID: 1021, FirstName: "三", LanguageCode: "zh"}
	fourth := telegramtest.User{ID: 1031, FirstName: "四", LanguageCode: "en"}
	h.bind(third, "H001")
	contains(t, "fourth", h.bind(fourth, "H001").Text, "3 accounts")
	contains(t, "bound elsewhere", h.bind(hhZhang, "H002").Text, "已绑定")
	contains(t, "cadre on a card", h.bind(cadreLiu, "H003").Text, "已绑定")

	n := h.mark(cadreLiu)
	h.say(hhZhang2, "孩子上学的补助")
	note := h.expect(cadreLiu, n, "#1", "张福来")
	marks := []int{h.mark(hhZhang), h.mark(hhZhang2), h.mark(third)}
	h.tg.SendReply(cadreLiu, "下周带表格来", note.ID)
	for i, u := range []telegramtest.User{hhZhang, hhZhang2, third} {
		h.expect(u, marks[i], "下周带表格来")
	}
}

// TestRoutingSurvivesRestart: a cadre replies to a notification sent before
// the bot restarted.
func TestRoutingSurvivesRestart(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	n := h.mark(cadreLiu)
	h.say(hhZhang, "电线老化")
	note := h.expect(cadreLiu, n, "#1")

	h.stop()
	h.boot()
	hn := h.mark(hhZhang)
	h.tg.SendReply(cadreLiu, "电工周三到", note.ID)
	h.expect(hhZhang, hn, "电工周三到")
}

// TestPerChatOrder: a burst from one household is handled in order.
func TestPerChatOrder(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	n := h.mark(cadreLiu)
	words := []string{"一", "二", "三", "四", "五", "六", "七", "八"}
	for _, w := range words {
		h.tg.SendText(hhZhang, "第"+w+"条")
	}
	h.expect(cadreLiu, n, "第八条")
	events, err := h.m.Store.Timeline(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != len(words) {
		t.Fatalf("timeline has %d events, want %d (one request, seven follow-ups)", len(events), len(words))
	}
	for i, ev := range events {
		if ev.Msg == nil || ev.Msg.Text != "第"+words[i]+"条" {
			t.Fatalf("event %d: %+v", i, ev.Msg)
		}
	}
}

// TestImportMovesHousehold: re-importing keeps codes and bindings; a
// household moved to another cadre takes its open request along.
func TestImportMovesHousehold(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(cadreWang, "C002")
	h.bind(hhZhang, "H001")
	h.say(hhZhang, "想申请危房改造")

	dir := t.TempDir()
	hh, _ := os.ReadFile("roster/testdata/households.csv")
	moved := strings.Replace(string(hh), "H001,张福来,保兴镇保安村,C001", "H001,张福来,保兴镇保安村,C002", 1)
	path := filepath.Join(dir, "households.csv")
	if err := os.WriteFile(path, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, h)
	n, hn := h.mark(cadreWang), h.mark(hhZhang)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"import", "-config", cfg, "-cadres", "roster/testdata/cadres.csv", "-households", path}, &out, &errb); code != 0 {
		t.Fatalf("import: %d %s", code, errb.String())
	}
	contains(t, "import report", out.String(), "1 households moved", "1 open requests moved")
	h.expect(hhZhang, hn, "王秀梅")
	h.expect(cadreWang, n, "#1", "张福来")
	if r := h.request(1); r.CadreID != "C002" || r.Unit != "县住建局" {
		t.Fatalf("request not moved: %+v", r)
	}
	if codes := h.loadCodes(); codes["H001"] != h.codes["H001"] {
		t.Fatal("re-import changed a card code")
	}
	contains(t, "still bound", h.say(hhZhang, "/help").Text, "/my")
}

// TestImportRefusesBadRoster: nothing is written when a row is bad.
func TestImportRefusesBadRoster(t *testing.T) {
	h := start(t)
	h.stop() // the running bot keeps its queues in Redis
	h.redis.Flush()
	dir := t.TempDir()
	path := filepath.Join(dir, "households.csv")
	os.WriteFile(path, []byte("id,name,village,cadre_id\nH1,张三,保安村,C001\nH2,李四,保安村,C999\n"), 0o644)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"import", "-config", writeConfig(t, h), "-cadres", "roster/testdata/cadres.csv", "-households", path}, &out, &errb)
	if code == 0 {
		t.Fatal("import of a bad roster succeeded")
	}
	contains(t, "error", errb.String(), "households.csv:3", "cadre_id", "C999")
	keys, err := h.redis.Client().Keys(context.Background(), "*").Result()
	if err != nil || len(keys) != 0 {
		t.Fatalf("keys written: %v %v", keys, err)
	}
}

// TestCardsAndInvitesCSV: the printed links are stable and bind.
func TestCardsAndInvitesCSV(t *testing.T) {
	h := start(t)
	cfg := writeConfig(t, h)
	var a, b, inv, errb bytes.Buffer
	for _, c := range []struct {
		args []string
		out  *bytes.Buffer
	}{{[]string{"cards", "-config", cfg, "-format", "csv"}, &a}, {[]string{"cards", "-config", cfg}, &b}, {[]string{"invites", "-config", cfg}, &inv}} {
		if code := run(context.Background(), c.args, c.out, &errb); code != 0 {
			t.Fatalf("%v: %s", c.args, errb.String())
		}
	}
	if a.String() != b.String() {
		t.Fatal("cards differ between two prints")
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	if lines[0] != "household_id,name,village,cadre,link" || len(lines) != 7 {
		t.Fatalf("cards.csv:\n%s", a.String())
	}
	contains(t, "order", lines[1]+lines[4], "H001", "H004")
	contains(t, "link", lines[1], "https://t.me/test_bot?start="+h.codes["H001"])
	if len(h.codes["H001"]) < 16 {
		t.Fatalf("code %q too short to be unguessable", h.codes["H001"])
	}
	contains(t, "invites", inv.String(), "cadre_id,name,unit,role,link", "L002,孙立新,,leader,https://t.me/test_bot?start=")
}

// writeConfig writes the harness's config for the subcommands.
func writeConfig(t *testing.T, h *harness) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	body := "telegram:\n  api_url: \"" + h.tg.URL() + "\"\n  username: \"test_bot\"\nredis:\n  url: \"" + h.redis.URL() + "\"\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLogsHoldNoPersonalData scans everything logged during a busy run.
func TestLogsHoldNoPersonalData(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	n := h.mark(cadreLiu)
	h.say(hhZhang, "秘密诉求内容")
	note := h.expect(cadreLiu, n, "#1")
	h.tg.FailNext(hhZhang.ID, "", 1, 502, 0)
	hn := h.mark(hhZhang)
	h.tg.SendReply(cadreLiu, "干部的答复内容", note.ID)
	h.expect(hhZhang, hn, "干部的答复内容")
	h.stop()
	logs := h.logs.String()
	for _, secret := range []string{"秘密诉求", "干部的答复", "张福来", "刘建国", "13800000001", "13900000101", "保安村一组", h.tg.Token(), h.codes["H001"]} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %q", secret)
		}
	}
	_ = flows.ENOTFOUND
}
