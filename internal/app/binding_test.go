package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/minqing/minqing/bot/telegramtest"
	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/cardprint"
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

// TestTypedCode: the code printed on a card, typed as a plain message in
// groups and lower case, binds a stranger exactly as the QR link does; a
// stranger's ordinary text still gets the stranger's answer; a typed wrong
// code counts toward the limit on wrong codes.
func TestTypedCode(t *testing.T) {
	h := start(t)
	code := h.codes["H001"]
	typed := strings.ToLower(cardprint.GroupCode(code))
	if typed == code || !strings.Contains(typed, " ") {
		t.Fatalf("typed %q is not the printed grouping of %q", typed, code)
	}
	contains(t, "typed card", h.say(hhZhang, typed).Text, "刘建国", "县财政局")
	if a, err := h.m.Store.Account(context.Background(), hhZhang.ID); err != nil || a.Ref != "H001" {
		t.Fatalf("typed code bound %+v, %v", a, err)
	}
	// Once bound, the same text is a message to the cadre, not a code.
	n := h.mark(cadreLiu)
	invite := h.codes["C001"]
	contains(t, "typed invite", h.say(cadreLiu, invite[:10]+"-"+strings.ToLower(invite[10:])).Text, "欢迎您，刘建国")
	contains(t, "bound: a request", h.say(hhZhang, typed).Text, "#1")
	h.expect(cadreLiu, n, "#1", "张福来")

	contains(t, "ordinary text", h.say(stranger, "hello, how do I get a card?").Text, "contact card")
	contains(t, "Chinese text", h.say(hhZhou, "你好，我想反映情况").Text, "民情联系卡")
	wrong := []byte(strings.ToLower(h.codes["H004"]))
	if wrong[0] = '0'; h.codes["H004"][0] == '0' { // a typo in the first character
		wrong[0] = '1'
	}
	for i := 0; i < flows.MaxWrongCodes; i++ {
		contains(t, fmt.Sprintf("typed wrong code %d", i+1), h.say(hhZhou, cardprint.GroupCode(string(wrong))).Text, "无效")
	}
	contains(t, "right code after the limit", h.say(hhZhou, cardprint.GroupCode(h.codes["H004"])).Text, "太多")
	if _, err := h.m.Store.Account(context.Background(), hhZhou.ID); err == nil {
		t.Fatal("a locked-out account was bound by a typed code")
	}
}
