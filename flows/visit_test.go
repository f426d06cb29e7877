package flows

import (
	"strconv"
	"testing"
)

// TestPickNoticePages: /visit lists eight households a page, with a
// button for each and buttons to the pages around.
func TestPickNoticePages(t *testing.T) {
	var hhs []Household
	for i := range 19 {
		hhs = append(hhs, Household{ID: "H" + strconv.Itoa(i), Name: "户" + strconv.Itoa(i), Village: "村"})
	}
	n := pickNotice(1, "zh", hhs, 2, "")
	if n.Args["page"] != "2" || n.Args["pages"] != "3" || len(n.List) != 8 || n.List[0].Who != "户8" {
		t.Fatalf("page 2: %+v", n)
	}
	nav := n.Buttons[len(n.Buttons)-1]
	if len(nav) != 2 || nav[0].Action != ActVisitPage || nav[0].RequestID != 1 || nav[1].RequestID != 3 {
		t.Errorf("page 2 navigation %+v", nav)
	}
	if b := n.Buttons[0][0]; b.Action != ActVisitHH || b.RequestID != HouseholdHandle("H8") || b.Label == "" {
		t.Errorf("household button %+v", b)
	}
	if last := pickNotice(1, "zh", hhs, 9, ""); last.Args["page"] != "3" || len(last.List) != 3 {
		t.Errorf("past the last page: %+v", last.Args)
	}
	if got := matchHouseholds(hhs, "h3"); len(got) != 1 || got[0].ID != "H3" {
		t.Errorf("match by id: %+v", got)
	}
	if got := matchHouseholds(hhs, "户1"); len(got) != 8 {
		t.Errorf("match by name: %d, want a page of 8", len(got))
	}
}
