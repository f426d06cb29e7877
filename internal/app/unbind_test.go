package app_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/minqing/minqing/internal/cli"
)

// runCLI runs a subcommand with the harness's config and returns its exit
// code, standard output and standard error.
func runCLI(t *testing.T, h *harness, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{args[0], "-config", writeConfig(t, h)}, args[1:]...)
	code := cli.Run(context.Background(), full, &out, &errb)
	return code, out.String(), errb.String()
}

// TestUnbindCutsOneAccount: the office cuts a lost phone off without a
// re-import. The account is told nothing; from its next update it is a
// stranger; the household's other account stays bound and hears its cadre.
// A cadre cut off is a stranger too: the household's messages go to the
// unit's leader until the cadre binds the invite again.
func TestUnbindCutsOneAccount(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(leaderZh, "L001")
	h.bind(hhZhang, "H001")
	h.bind(hhZhang2, "H001")
	n := h.mark(cadreLiu)
	h.say(hhZhang, "想问问低保")
	note := h.expect(cadreLiu, n, "#1")

	lost := h.mark(hhZhang2)
	code, out, errs := runCLI(t, h, "unbind", "-account", strconv.FormatInt(hhZhang2.ID, 10))
	if code != 0 {
		t.Fatalf("unbind: %d %s", code, errs)
	}
	contains(t, "unbind output", out, "unbound account 1011 from household H001")
	h.drain()
	if got := h.tg.BotMessages(hhZhang2.ID)[lost:]; len(got) != 0 {
		t.Errorf("the unbound account was told %q", got[0].Text)
	}
	contains(t, "unbound account writes", h.say(hhZhang2, "我的手机").Text, "民情联系卡")
	contains(t, "unbound account /my", h.say(hhZhang2, "/my").Text, "民情联系卡")
	kept, cut := h.mark(hhZhang), h.mark(hhZhang2)
	h.tg.SendReply(cadreLiu, "明天上门", note.ID)
	h.expect(hhZhang, kept, "明天上门")
	h.none(hhZhang2, cut, "明天上门")

	// Again: nothing is bound any more.
	if code, _, errs := runCLI(t, h, "unbind", "-account", strconv.FormatInt(hhZhang2.ID, 10)); code == 0 {
		t.Error("unbinding an unbound account succeeded")
	} else {
		contains(t, "unbind again", errs, "not found")
	}

	// The cadre's account: cut off, a stranger; the household's next
	// message reaches the unit's leader; the invite binds again.
	if code, out, errs := runCLI(t, h, "unbind", "-cadre", "C001"); code != 0 {
		t.Fatalf("unbind cadre: %d %s", code, errs)
	} else {
		contains(t, "unbind cadre output", out, "from cadre C001")
	}
	contains(t, "cut-off cadre /open", h.say(cadreLiu, "/open").Text, "民情联系卡")
	l := h.mark(leaderZh)
	h.say(hhZhang, "水管坏了")
	h.expect(leaderZh, l, "水管坏了")
	contains(t, "invite binds again", h.bind(cadreLiu, "C001").Text, "欢迎")

	// A household's accounts all at once.
	h.bind(hhZhang2, "H001")
	if code, out, errs := runCLI(t, h, "unbind", "-household", "H001"); code != 0 {
		t.Fatalf("unbind household: %d %s", code, errs)
	} else {
		contains(t, "unbind household output", out, "unbound account 1001", "unbound account 1011")
	}
	h.drain() // what the household was sent before the cut is out, so the next message is the answer
	contains(t, "household cut off", h.say(hhZhang, "/my").Text, "民情联系卡")

	for _, args := range [][]string{{"unbind"}, {"unbind", "-cadre", "C001", "-household", "H001"}, {"unbind", "-household", "H404"}} {
		if code, _, _ := runCLI(t, h, args...); code == 0 {
			t.Errorf("%v succeeded", args)
		}
	}
}

// runCLIRaw runs a command line as given.
func runCLIRaw(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}
