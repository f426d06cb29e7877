package flows

// legacyActions maps the codes earlier releases gave two actions to their
// codes now. Old codes live on in buttons already sent, in stored
// timelines and links, and in queued notices.
var legacyActions = map[Action]Action{
	"mv":  ActReassign,
	"mv2": ActMoveDeadline,
}

// Canonical returns the action a code means now: an earlier release's code
// for an action that was renamed reads as its current code.
func (a Action) Canonical() Action {
	if now, ok := legacyActions[a]; ok {
		return now
	}
	return a
}

// UnmarshalText reads an action as stored, under its current code.
func (a *Action) UnmarshalText(b []byte) error {
	*a = Action(b).Canonical()
	return nil
}
