package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/minqing/minqing/bot/telegramtest"
)

// script plays a week of the demo in the terminal and prints, after each
// step, what each chat received.
type script struct {
	s       *World
	ctx     context.Context
	out     io.Writer
	printed map[int64]int
	err     error
}

var roleNames = map[string]string{"household": "群众", "cadre": "干部", "leader": "领导"}

// PlayWeek is `minqing demo -script`: a household asks, the cadre answers and
// promises, a reminder fires, a deadline passes, the leader is told, the
// cadre resolves, the household says it is not solved, the cadre resolves
// again, the household gives its second verdict; the cadre visits a
// household without Telegram, records a request on its behalf, resolves
// it, and the leader records its verdict by phone; a household silent for
// days gets a check-in and answers it; the digest counts them.
func (s *World) PlayWeek(ctx context.Context, out io.Writer) error {
	p := &script{s: s, ctx: ctx, out: out, printed: map[int64]int{}}
	fmt.Fprintf(out, "民情 Minqing — a scripted week in %s (offline: Bot API emulator, in-process Redis, simulated clock)\n", s.m.Config.County)
	p.step("Everyone binds their card or invite", func() {
		for _, ref := range []string{"C01", "L01", "H01", "H02"} {
			p.send(ref, "/start "+s.codes[ref])
		}
	})
	p.step("张福来 asks for help", func() { p.send("H01", "房顶漏雨了，下雨天屋里都是水") })
	note := p.last("C01", "#1")
	p.step("刘建国 answers by replying, and promises a date", func() {
		p.reply("C01", note, "明天上午我带人过去看看")
		p.press("C01", note, "dl:1:3")
	})
	p.step("李桂芝 asks; nobody answers", func() { p.send("H02", "低保卡丢了，怎么补办？") })
	p.step("25 hours later: the first-response reminder", func() { p.forward(25 * time.Hour) })
	p.step("another day: the unit's leader is told", func() { p.forward(24 * time.Hour) })
	note2 := p.last("C01", "#2")
	p.step("刘建国 solves #2 on the spot; 李桂芝 is satisfied", func() {
		p.press("C01", note2, "ss:2:")
		ask := p.last("H02", "当场解决")
		p.press("H02", ask, "vs:2:y")
		p.press("H02", ask, "vr:2:3")
	})
	p.step("刘建国 visits 陈万山, who has no Telegram: two notes and a photo in the diary", func() {
		p.send("C01", "/visit 陈万山")
		page := p.await("C01", "上次走访")
		p.press("C01", page, p.button(page, "vo:"))
		p.send("C01", "老人腿脚不便，院墙东侧塌了一段")
		p.send("C01", "孙子在县城读初中，住校")
		p.s.tg.SendPhoto(p.s.user(p.s.person("C01")), "塌了的院墙")
		p.wait()
	})
	visit := p.last("C01", "走访开始")
	p.step("刘建国 records a request on 陈万山's behalf (代录), sets a deadline and ends the visit", func() {
		p.press("C01", visit, p.button(visit, "vn:"))
		p.send("C01", "院墙塌了，想申请危房改造补助")
		rec := p.await("C01", "代录诉求 #3")
		p.press("C01", rec, "dl:3:7")
		p.press("C01", visit, p.button(visit, "ve:"))
	})
	p.step("the deadline of #1 comes and goes; 李桂芝, silent since #2, gets a check-in (未诉先办) and answers 一切都好", func() {
		p.forward(3 * 24 * time.Hour)
		// The demo's own settings ask after 3 silent days; an office's
		// config (demo -config) may wait longer, and then nobody is asked.
		if ask, ok := p.find("H02", "最近家里都好吗"); ok {
			p.press("H02", ask, p.button(ask, "ci:"))
		}
	})
	p.step("刘建国 resolves #1; 张福来 says it is not solved: it goes back to him", func() {
		p.press("C01", note, "rs:1:")
		ask := p.last("H01", "已办结")
		p.press("H01", ask, "vs:1:n")
	})
	back := p.last("C01", "退回")
	p.step("刘建国 resolves #1 again; asked afresh, 张福来 says solved, fairly satisfied", func() {
		p.press("C01", back, "rs:1:")
		ask := p.last("H01", "已办结")
		p.press("H01", ask, "vs:1:y")
		p.press("H01", ask, "vr:1:2")
	})
	p.step("刘建国 resolves #3; 赵志强 calls 陈万山 from /revisits (电话回访): solved, satisfied", func() {
		p.press("C01", p.last("C01", "代录诉求 #3"), "rs:3:")
		p.send("L01", "/revisits")
		item := p.await("L01", "回访 #3")
		p.press("L01", item, "pv:3:y")
		p.press("L01", item, "pr:3:3")
	})
	p.step("Monday 08:00: the weekly digest", func() {
		next := time.Date(2026, 12, 7, 8, 0, 0, 0, demoStart.Location())
		p.forward(next.Sub(s.clock.Now()))
	})
	if p.err != nil {
		return p.err
	}
	fmt.Fprintln(out, "\nThe week is over. `go run . demo` opens the same world in a browser.")
	return nil
}

// button returns the callback data of msg's button that starts with
// prefix.
func (p *script) button(msg telegramtest.Message, prefix string) string {
	for _, row := range msg.Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, prefix) {
				return b.CallbackData
			}
		}
	}
	if p.err == nil {
		p.err = fmt.Errorf("demo: no %q button under %q", prefix, msg.Text)
	}
	return ""
}

// step runs fn, waits for the bot, and prints what every chat received.
func (p *script) step(title string, fn func()) {
	if p.err != nil {
		return
	}
	fn()
	fmt.Fprintf(p.out, "\n━━ %s · %s\n", p.s.clock.Now().In(demoStart.Location()).Format("Mon 01-02 15:04"), title)
	if p.err == nil {
		p.err = p.s.settle(p.ctx)
	}
	for _, person := range p.s.people {
		p.printChat(person)
	}
}

// printChat prints a chat's messages not printed yet.
func (p *script) printChat(person Person) {
	msgs := p.s.tg.Messages(person.ID)
	if len(msgs) <= p.printed[person.ID] {
		return
	}
	fmt.Fprintf(p.out, "  ┌ %s（%s · %s）\n", person.Name, roleNames[person.Role], person.Label)
	for _, m := range msgs[p.printed[person.ID]:] {
		who := person.Name
		if m.FromBot {
			who = "🤖"
		}
		fmt.Fprintf(p.out, "  │ %s %s\n", who, indent(describe(m)))
	}
	p.printed[person.ID] = len(msgs)
}

// describe renders a message as its reader sees it, buttons included.
func describe(m telegramtest.Message) string {
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if m.Media != telegramtest.MediaNone {
		text = "[" + string(m.Media) + "] " + text
	}
	for _, row := range m.Buttons {
		var labels []string
		for _, b := range row {
			labels = append(labels, "["+b.Text+"]")
		}
		text += "\n" + strings.Join(labels, " ")
	}
	return text
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  │   ") }

func (p *script) send(ref, text string) {
	p.s.tg.SendText(p.s.user(p.s.person(ref)), text)
	p.wait()
}

func (p *script) reply(ref string, to telegramtest.Message, text string) {
	p.s.tg.SendReply(p.s.user(p.s.person(ref)), text, to.ID)
	p.wait()
}

func (p *script) press(ref string, msg telegramtest.Message, data string) {
	id := p.s.tg.PressButtonIn(p.s.user(p.s.person(ref)), msg.ChatID, msg.ID, data)
	if _, err := p.s.tg.WaitCallbackAnswer(id, 10*time.Second); err != nil && p.err == nil {
		p.err = err
	}
	p.wait()
}

func (p *script) forward(d time.Duration) {
	if err := p.s.forward(p.ctx, d); err != nil && p.err == nil {
		p.err = err
	}
}

// wait lets the bot handle what was just sent, so steps happen in order.
func (p *script) wait() {
	if err := p.s.settle(p.ctx); err != nil && p.err == nil {
		p.err = err
	}
}

// await waits for a bot message to ref holding text, then returns the
// newest such message.
func (p *script) await(ref, text string) telegramtest.Message {
	id := p.s.person(ref).ID
	p.s.tg.Wait(10*time.Second, func() bool {
		for _, m := range p.s.tg.BotMessages(id) {
			if strings.Contains(m.Text, text) {
				return true
			}
		}
		return false
	})
	return p.last(ref, text)
}

// find returns the newest bot message to ref holding text, if any.
func (p *script) find(ref, text string) (telegramtest.Message, bool) {
	msgs := p.s.tg.BotMessages(p.s.person(ref).ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].Text, text) {
			return msgs[i], true
		}
	}
	return telegramtest.Message{}, false
}

// last returns the newest bot message to ref holding text.
func (p *script) last(ref, text string) telegramtest.Message {
	m, ok := p.find(ref, text)
	if !ok && p.err == nil {
		p.err = fmt.Errorf("demo: no message with %q for %s", text, ref)
	}
	return m
}
