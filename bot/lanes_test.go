package bot

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
)

// sim drives lanes and a limiter on a simulated clock: every send is
// instantaneous and succeeds, unless fail says otherwise.
type sim struct {
	t     *testing.T
	now   time.Time
	lim   *limiter
	lanes *lanes
	seq   int
	sent  []simSend
}

type simSend struct {
	at   time.Time
	lane flows.Lane
	qs   []flows.Queued
}

var simStart = time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC)

func newSim(t *testing.T, window time.Duration) *sim {
	s := &sim{t: t, now: simStart, lim: newLimiter(25, 1, 3), lanes: newLanes(window, maxBatch)}
	s.lim.clock = func() time.Time { return s.now }
	return s
}

// queue adds an entry of kind to chat, queued now; it returns its id.
func (s *sim) queue(chat int64, kind flows.NoticeKind) string {
	s.seq++
	id := strconv.Itoa(s.seq)
	n := flows.Notice{ChatID: chat, Kind: kind, RequestID: int64(s.seq), Args: map[string]string{"no": id}}
	s.lanes.add(flows.Queued{ID: id, Notice: n, Lane: flows.LaneOf(n), At: s.now})
	return id
}

// step makes the next send, advancing the clock as the limiter and the
// lanes say; false when nothing is queued.
func (s *sim) step() bool {
	for {
		if w := s.lim.globalWait(s.now); w > 0 {
			s.now = s.now.Add(w)
		}
		u, wait := s.lanes.next(s.now, func(c int64) time.Duration { return s.lim.chatWait(c, s.now) })
		if u != nil {
			s.lim.book(u.chat, s.now)
			s.lanes.done(u)
			s.sent = append(s.sent, simSend{at: s.now, lane: u.lane, qs: u.qs})
			return true
		}
		if wait <= 0 {
			return false
		}
		s.now = s.now.Add(wait)
	}
}

// run sends until the clock reaches until or nothing is queued.
func (s *sim) run(until time.Time) {
	for s.now.Before(until) && s.step() {
	}
}

// A backlog of 600 reminders fills the global rate; interactive entries
// queued before and in the middle of it go first, each within the time the
// rate needs for the interactive entries ahead of it (plus the fair share).
func TestLanesInteractiveFirstUnderSaturation(t *testing.T) {
	s := newSim(t, 0)
	for i := 0; i < 600; i++ {
		s.queue(int64(1000+i%200), flows.NoticeReminder) // 200 cadres, 3 each
	}
	urgent := map[string]time.Time{}
	for i := 0; i < 50; i++ {
		urgent[s.queue(int64(5000+i), flows.NoticeNewRequest)] = s.now
	}
	s.run(simStart.Add(10 * time.Second))
	for i := 0; i < 20; i++ { // mid-backlog: 20 cadres get new requests
		urgent[s.queue(int64(1000+i), flows.NoticeNewRequest)] = s.now
	}
	for s.step() {
	}
	if got := len(s.sent); got != 670 {
		t.Fatalf("%d sends, want 670", got)
	}
	// Every interactive entry goes out within the rate's time for the
	// interactive entries queued with it, plus one in LaneFairness for bulk
	// (and the chat's own limit for the mid-backlog ones).
	for _, sd := range s.sent {
		id := sd.qs[0].ID
		at, ok := urgent[id]
		if !ok {
			continue
		}
		ahead := 50 // interactive entries queued together
		if at.After(simStart) {
			ahead = 20
		}
		limit := time.Duration(ahead*flows.LaneFairness/(flows.LaneFairness-1)+1)*time.Second/25 + time.Second
		if d := sd.at.Sub(at); d > limit {
			t.Errorf("interactive entry %s waited %v behind the backlog (limit %v)", id, d, limit)
		}
	}
	// The backlog drains at the global rate: 670 sends at 25/s.
	if span := s.sent[len(s.sent)-1].at.Sub(simStart); span > 28*time.Second {
		t.Errorf("drain took %v, want about 27s at 25/s", span)
	}
}

// With an endless supply of interactive and lifecycle entries, bulk still
// gets at least one of every LaneFairness sends, and so does lifecycle.
func TestLanesNoStarvation(t *testing.T) {
	s := newSim(t, 0)
	for i := 0; i < 2000; i++ {
		s.queue(int64(10000+i), flows.NoticeNewRequest)
		s.queue(int64(20000+i), flows.NoticeVerdictAsk)
	}
	for i := 0; i < 300; i++ {
		s.queue(int64(30000+i), flows.NoticeReminder)
	}
	for i := 0; i < 600; i++ {
		if !s.step() {
			t.Fatal("nothing to send")
		}
	}
	for _, lane := range []flows.Lane{flows.LaneLifecycle, flows.LaneBulk} {
		for i := 0; i+flows.LaneFairness <= len(s.sent); i++ {
			found := false
			for _, sd := range s.sent[i : i+flows.LaneFairness] {
				found = found || sd.lane == lane
			}
			if !found {
				t.Fatalf("no %s send among sends %d..%d", lane, i, i+flows.LaneFairness-1)
			}
		}
	}
	counts := map[flows.Lane]int{}
	for _, sd := range s.sent {
		counts[sd.lane]++
	}
	if counts[flows.LaneInteractive] < 400 {
		t.Errorf("interactive got %d of 600 sends, want most: %v", counts[flows.LaneInteractive], counts)
	}
}

// One chat's entries of a lane go in the order queued, also when the first
// fails and is retried, and whatever the other chats and lanes do.
func TestLanesPerChatOrder(t *testing.T) {
	s := newSim(t, 0)
	const chat = 42
	var want []string
	for i := 0; i < 30; i++ {
		want = append(want, s.queue(chat, flows.NoticeCadreReply))
		s.queue(int64(100+i), flows.NoticeNewRequest)
		s.queue(chat, flows.NoticeReminder)
		s.queue(chat, flows.NoticeDeadlineSet)
	}
	// The first send to the chat fails (a 5xx) and waits 2s.
	failed := false
	var got []string
	for {
		if w := s.lim.globalWait(s.now); w > 0 {
			s.now = s.now.Add(w)
		}
		u, wait := s.lanes.next(s.now, func(c int64) time.Duration { return s.lim.chatWait(c, s.now) })
		if u == nil {
			if wait <= 0 {
				break
			}
			s.now = s.now.Add(wait)
			continue
		}
		s.lim.book(u.chat, s.now)
		if u.chat == chat && u.lane == flows.LaneInteractive && !failed {
			failed = true
			s.lanes.again(u, s.now.Add(2*time.Second))
			continue
		}
		s.lanes.done(u)
		if u.chat == chat && u.lane == flows.LaneInteractive {
			got = append(got, u.qs[0].ID)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("chat %d got its replies in order\n%v\nwant\n%v", chat, got, want)
	}
}

// Reminders and escalations to one chat within the window go as one unit
// once the window from the first is over; later ones start a new batch;
// other bulk entries of the chat wait their turn behind the batch; a batch
// holds at most maxBatch entries.
func TestLanesBatchWindow(t *testing.T) {
	s := newSim(t, time.Minute)
	const leader = 7
	a := s.queue(leader, flows.NoticeEscalation)
	s.now = s.now.Add(5 * time.Second)
	digest := s.queue(leader, flows.NoticeDigest)
	s.now = s.now.Add(5 * time.Second)
	b := s.queue(leader, flows.NoticeReminder)
	s.now = s.now.Add(40 * time.Second)
	c := s.queue(leader, flows.NoticeEscalation)
	other := s.queue(8, flows.NoticeReminder)
	s.now = simStart.Add(59 * time.Second)
	if u, wait := s.lanes.next(s.now, func(int64) time.Duration { return 0 }); u != nil || wait != time.Second {
		t.Fatalf("at 59s next = %+v, wait %v; want nothing for 1s, until the window ends", u, wait)
	}
	s.step()
	first := s.sent[0]
	if first.at != simStart.Add(time.Minute) || len(first.qs) != 3 || first.qs[0].ID != a || first.qs[1].ID != b || first.qs[2].ID != c {
		t.Fatalf("first send at %v: %+v, want %s %s %s merged at the window's end", first.at.Sub(simStart), first.qs, a, b, c)
	}
	s.step()
	if sd := s.sent[1]; len(sd.qs) != 1 || sd.qs[0].ID != digest {
		t.Errorf("second send %+v, want the digest queued behind the batch", sd.qs)
	}
	lateAt, late := s.now, s.queue(leader, flows.NoticeReminder)
	for s.step() {
	}
	var order []string
	for _, sd := range s.sent[2:] {
		order = append(order, fmt.Sprintf("%s@%v", sd.qs[0].ID, sd.at.Sub(simStart)))
	}
	want := []string{other + "@1m50s", fmt.Sprintf("%s@%v", late, lateAt.Add(time.Minute).Sub(simStart))}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("then sent %v, want %v", order, want)
	}

	s = newSim(t, time.Minute)
	for i := 0; i < 2*maxBatch+5; i++ {
		s.queue(leader, flows.NoticeEscalation)
	}
	for s.step() {
	}
	if len(s.sent) != 3 || len(s.sent[0].qs) != maxBatch || len(s.sent[2].qs) != 5 {
		t.Errorf("%d escalations went in %d messages, want 3 (at most %d each)", 2*maxBatch+5, len(s.sent), maxBatch)
	}
}
