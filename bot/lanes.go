package bot

import (
	"time"

	"github.com/minqing/minqing/flows"
)

// Lanes. The sender keeps, for each lane (flows.Lane), the chats that have
// something to send in it, each chat's entries in the order they were
// queued. Whenever the global rate allows a send, lanes picks what goes:
//
//   - the highest lane that has a unit ready (its chat's per-chat window
//     open, no send to the chat in flight, its batch window over) goes
//     first; within a lane, chats take turns;
//   - no starvation: a lane with a unit ready that was passed over
//     flows.LaneFairness-2 times in a row goes before the others (the one
//     passed over most, then the higher), so while a lane has something
//     ready at least one of every flows.LaneFairness sends goes to it;
//   - per chat, one send at a time, and within a lane in queue order (a
//     batch takes the place of its first entry).
//
// lanes is not safe for concurrent use; the sender holds its lock.
type lanes struct {
	window   time.Duration // batch window; 0: no merging
	maxBatch int           // most entries merged into one unit

	order   [flows.Lanes][]*chatQueue // chats with units, in turn order
	queues  [flows.Lanes]map[int64]*chatQueue
	busy    map[int64]bool // chats with a send in flight
	starved [flows.Lanes]int
}

// unit is what one send carries: one entry, or entries merged into one
// message to one chat.
type unit struct {
	qs    []flows.Queued
	lane  flows.Lane
	chat  int64
	at    time.Time // not before: the end of a batch window, or a retry's backoff
	open  bool      // a batch that still takes entries
	fails int       // failed attempts (for the backoff)
}

// merged reports whether the unit is a batch of several entries.
func (u *unit) merged() bool { return len(u.qs) > 1 }

type chatQueue struct {
	chat  int64
	units []*unit
}

func newLanes(window time.Duration, maxBatch int) *lanes {
	l := &lanes{window: window, maxBatch: maxBatch, busy: map[int64]bool{}}
	for i := range l.queues {
		l.queues[i] = map[int64]*chatQueue{}
	}
	return l
}

// queue returns the chat's queue in lane, made and given its turn if new.
func (l *lanes) queue(lane flows.Lane, chat int64, front bool) *chatQueue {
	cq := l.queues[lane][chat]
	if cq == nil {
		cq = &chatQueue{chat: chat}
		l.queues[lane][chat] = cq
		if front {
			l.order[lane] = append([]*chatQueue{cq}, l.order[lane]...)
		} else {
			l.order[lane] = append(l.order[lane], cq)
		}
	}
	return cq
}

// add queues an entry behind its chat's earlier entries of its lane. A
// mergeable entry joins an open batch to its chat, or opens one that waits
// the batch window from the time the entry was queued.
func (l *lanes) add(q flows.Queued) {
	lane := q.Lane
	if lane < 0 || lane >= flows.Lanes {
		lane = flows.DefaultLane
	}
	cq := l.queue(lane, q.Notice.ChatID, false)
	if l.window > 0 && flows.Mergeable(q.Notice) {
		for _, u := range cq.units {
			if u.open && len(u.qs) < l.maxBatch {
				u.qs = append(u.qs, q)
				return
			}
		}
		cq.units = append(cq.units, &unit{qs: []flows.Queued{q}, lane: lane, chat: q.Notice.ChatID, at: q.At.Add(l.window), open: true})
		return
	}
	cq.units = append(cq.units, &unit{qs: []flows.Queued{q}, lane: lane, chat: q.Notice.ChatID})
}

// next takes the unit to send at now, given how long each chat must still
// wait for its per-chat limit; with none ready it says how long until one
// may be (0: nothing queued).
func (l *lanes) next(now time.Time, chatWait func(chat int64) time.Duration) (*unit, time.Duration) {
	var ready [flows.Lanes]int
	wait := time.Duration(0)
	soonest := func(d time.Duration) {
		if wait == 0 || d < wait {
			wait = d
		}
	}
	pick := flows.Lane(-1)
	for lane := range ready {
		ready[lane] = -1
		for i, cq := range l.order[lane] {
			if l.busy[cq.chat] {
				continue
			}
			if u := cq.units[0]; u.at.After(now) {
				soonest(u.at.Sub(now))
				continue
			}
			if d := chatWait(cq.chat); d > 0 {
				soonest(d)
				continue
			}
			ready[lane] = i
			break
		}
		if ready[lane] < 0 {
			continue
		}
		if pick < 0 || l.starved[lane] >= flows.LaneFairness-2 && l.starved[lane] > l.starved[pick] {
			pick = flows.Lane(lane)
		}
	}
	if pick < 0 {
		return nil, wait
	}
	for lane := range ready {
		if ready[lane] >= 0 && flows.Lane(lane) != pick {
			l.starved[lane]++
		}
	}
	l.starved[pick] = 0
	return l.take(pick, ready[pick]), 0
}

// take removes the first unit of the i-th chat in lane's turn order; the
// chat, if it has more, goes to the end of the order.
func (l *lanes) take(lane flows.Lane, i int) *unit {
	cq := l.order[lane][i]
	u := cq.units[0]
	cq.units = cq.units[1:]
	u.open = false
	l.order[lane] = append(l.order[lane][:i], l.order[lane][i+1:]...)
	if len(cq.units) > 0 {
		l.order[lane] = append(l.order[lane], cq)
	} else {
		delete(l.queues[lane], cq.chat)
	}
	l.busy[u.chat] = true
	return u
}

// done ends the send of u.
func (l *lanes) done(u *unit) { delete(l.busy, u.chat) }

// again puts u back at the head of its chat's queue, to be sent not before
// at; its chat comes first in its lane's turn order.
func (l *lanes) again(u *unit, at time.Time) {
	delete(l.busy, u.chat)
	u.at = at
	cq := l.queue(u.lane, u.chat, true)
	cq.units = append([]*unit{u}, cq.units...)
}

// held counts the units waiting (for metrics and tests).
func (l *lanes) held() (n [flows.Lanes]int) {
	for lane := range l.order {
		for _, cq := range l.order[lane] {
			n[lane] += len(cq.units)
		}
	}
	return n
}
