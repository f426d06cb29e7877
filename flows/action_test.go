package flows

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestActionsOfEarlierReleases: timelines, links and queued notices stored
// before two actions were renamed read as the actions they meant.
func TestActionsOfEarlierReleases(t *testing.T) {
	for old, want := range map[Action]Action{"mv": ActReassign, "mv2": ActMoveDeadline, ActDeadline: ActDeadline, ActMoveDeadline: ActMoveDeadline} {
		if got := old.Canonical(); got != want {
			t.Errorf("%q.Canonical() = %q, want %q", old, got, want)
		}
	}
	var ev Event
	if err := json.Unmarshal([]byte(`{"Action":"mv2","Note":"x"}`), &ev); err != nil || ev.Action != ActMoveDeadline {
		t.Errorf("stored event: %+v %v", ev, err)
	}
	var n Notice
	if err := json.Unmarshal([]byte(`{"Prompt":"mv2","Buttons":[[{"Action":"mv2","RequestID":3}]]}`), &n); err != nil ||
		n.Prompt != ActMoveDeadline || n.Buttons[0][0].Action != ActMoveDeadline {
		t.Errorf("queued notice: %+v %v", n, err)
	}
	if b, err := json.Marshal(Event{Action: ActReassign}); err != nil || !strings.Contains(string(b), `"Action":"ra"`) {
		t.Errorf("written as %s %v", b, err)
	}
}
