package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
)

func TestStrangersAndBadCodes(t *testing.T) {
	h := start(t)
	contains(t, "stranger", h.say(stranger, "hello").Text, "contact card")
	contains(t, "bad code", h.say(stranger, "/start notacode").Text, "not valid")
	contains(t, "zh stranger", h.say(hhZhou, "你好").Text, "民情联系卡")
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

// TestWrongCodesLockOut: after 10 wrong codes in an hour an account is
// refused even with a right code, and no code appears in the logs.
func TestWrongCodesLockOut(t *testing.T) {
	h := start(t)
	for i := 0; i < 12; i++ {
		reply := h.say(stranger, fmt.Sprintf("/start guess%02dAAAAAAAAAAAAAAAA", i))
		want := "not valid"
		if i >= flows.MaxWrongCodes {
			want = "Too many wrong codes"
		}
		contains(t, fmt.Sprintf("try %d", i+1), reply.Text, want)
	}
	contains(t, "right code refused", h.say(stranger, "/start "+h.codes["H001"]).Text, "Too many wrong codes")
	if a, err := h.m.Store.Account(context.Background(), stranger.ID); err == nil {
		t.Fatalf("the locked-out account was bound: %+v", a)
	}
	// Another account is not affected, and a code typed in groups works.
	code := h.codes["H002"]
	contains(t, "grouped code", h.say(hhZhang2, "/start "+code[:4]+" "+code[4:8]+" "+code[8:]).Text, "李桂芝")
	h.stop()
	logs := h.logs.String()
	if strings.Contains(logs, "guess0") || strings.Contains(logs, code) {
		t.Error("a code was logged")
	}
	contains(t, "binding attempts are logged", logs, `"outcome":"not_found"`, `"outcome":"locked out"`, `"outcome":"bound"`)
}
