package app_test

import "testing"

// TestButtonOfEarlierReleaseStillWorks: a 改期 button sent before the
// action was renamed ("mv2", now "md") still moves the deadline.
func TestButtonOfEarlierReleaseStillWorks(t *testing.T) {
	h := start(t)
	h.bind(cadreLiu, "C001")
	h.bind(hhZhang, "H001")
	c := h.mark(cadreLiu)
	h.say(hhZhang, "自来水管冻裂了")
	note := h.expect(cadreLiu, c, "#1", "自来水管冻裂了")
	h.press(cadreLiu, note, "dl:1:3")
	c, hn := h.mark(cadreLiu), h.mark(hhZhang)
	h.press(cadreLiu, note, "mv2:1:") // as the button under a message sent by the earlier release
	prompt := h.expect(cadreLiu, c, "#1", "改期原因")
	h.tg.SendReply(cadreLiu, "2026-12-25 等县里批复", prompt.ID)
	h.expect(hhZhang, hn, "2026-12-25", "等县里批复")
	h.expect(cadreLiu, c, "#1", "改为", "2026-12-25", "已告诉群众")
}
