package flows

import (
	"strconv"
	"time"
)

// CanAct reports whether cadre c may act on request r: the assigned cadre,
// a leader of r's unit, or a county-wide leader — on the roster in force
// (c as the store reads it): someone taken off the roster may do nothing.
func CanAct(c Cadre, r Request) bool {
	if !c.OnRoster {
		return false
	}
	if c.ID == r.CadreID {
		return true
	}
	return c.Role == RoleLeader && (c.Unit == "" || c.Unit == r.Unit)
}

// transitions is the state machine: for each cadre action, the states it
// may start from and the state it leads to.
var transitions = map[Action]map[State]State{
	ActContact:      {StateReceived: StateResponded},
	ActSolve:        {StateReceived: StateResolved, StateResponded: StateResolved, StatePromised: StateResolved},
	ActDeadline:     {StateReceived: StatePromised, StateResponded: StatePromised},
	ActResolve:      {StateResponded: StateResolved, StatePromised: StateResolved},
	ActMoveDeadline: {StatePromised: StatePromised},
}

// DeadlineDays are the one-tap deadlines offered to a cadre.
var DeadlineDays = []int{1, 3, 7}

// Transition applies a cadre's action to r at now. arg is the action's
// argument (days for a deadline). It fails with EINVALID when the action is
// not allowed from r's state or arg is malformed.
func Transition(r Request, act Action, arg string, now time.Time, loc *time.Location) (Request, error) {
	to, ok := transitions[act][r.State]
	if !ok {
		return r, Errorf(EINVALID, "%s not allowed in state %s", act, r.State)
	}
	next := r
	next.State = to
	if next.FirstResponseAt.IsZero() {
		next.FirstResponseAt = now
	}
	switch act {
	case ActDeadline:
		days, err := strconv.Atoi(arg)
		if err != nil || days < 1 || days > 366 {
			return r, Errorf(EINVALID, "deadline days %q", arg)
		}
		next.Deadline = EndOfDay(now.In(orUTC(loc)).AddDate(0, 0, days), loc)
	case ActMoveDeadline:
		return r, Errorf(EINVALID, "a deadline moves with a date and a reason")
	case ActSolve, ActResolve:
		// A new resolution asks the household afresh: "solved?", then the
		// rating. Earlier answers stay in the timeline.
		next.ResolvedAt = now
		next.Solved, next.Rating, next.VerdictAt = "", "", time.Time{}
	}
	return next, nil
}

// EndOfDay returns the last second of t's day in loc.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	loc = orUTC(loc)
	t = t.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d, 23, 59, 59, 0, loc)
}

// CadreButtons returns the buttons a cadre sees under a request, by state.
func CadreButtons(r Request) [][]Button {
	b := func(a Action, arg string) Button { return Button{Action: a, RequestID: r.ID, Arg: arg} }
	var rows [][]Button
	if r.Assigning { // waiting for a leader to assign it (see assignButtons)
		return [][]Button{{b(ActTimeline, ""), b(ActNote, "")}}
	}
	switch r.State {
	case StateReceived:
		rows = append(rows, []Button{b(ActContact, ""), b(ActSolve, "")})
	case StateResponded:
		rows = append(rows, []Button{b(ActSolve, "")})
	case StatePromised:
		rows = append(rows, []Button{b(ActResolve, ""), b(ActMoveDeadline, "")})
	}
	if _, ok := transitions[ActDeadline][r.State]; ok {
		var row []Button
		for _, d := range DeadlineDays {
			row = append(row, b(ActDeadline, strconv.Itoa(d)))
		}
		rows = append(rows, append(row, b(ActDeadline, "")))
	}
	if r.State.Type() == TypeClosed {
		return append(rows, []Button{b(ActTimeline, ""), b(ActNote, "")})
	}
	rows = append(rows, []Button{b(ActCategory, ""), b(ActTimeline, "")})
	if r.Open() {
		rows = append(rows, []Button{b(ActNote, ""), b(ActTransfer, ""), b(ActHelper, "")})
	} else {
		rows = append(rows, []Button{b(ActNote, "")})
	}
	return rows
}

// categoryButtons offer the categories, two a row.
func categoryButtons(r Request) [][]Button {
	var rows [][]Button
	for i := 0; i < len(Categories); i += 2 {
		rows = append(rows, []Button{
			{Action: ActCategory, RequestID: r.ID, Arg: strconv.Itoa(i)},
			{Action: ActCategory, RequestID: r.ID, Arg: strconv.Itoa(i + 1)},
		})
	}
	return rows
}

// setCategory sets a request's category from a button's argument.
func setCategory(r Request, arg string) (Request, error) {
	i, err := strconv.Atoi(arg)
	if err != nil || i < 0 || i >= len(Categories) {
		return r, Errorf(EINVALID, "category %q", arg)
	}
	r.Category = Categories[i]
	return r, nil
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
