package flows

import (
	"reflect"
	"testing"
)

func TestDiffRoster(t *testing.T) {
	old := Roster{
		Cadres: []Cadre{{ID: "C1", Unit: "U1", Role: RoleCadre}, {ID: "C2", Unit: "U1", Role: RoleCadre},
			{ID: "L1", Unit: "U1", Role: RoleLeader}, {ID: "L2", Unit: "U2", Role: RoleLeader}},
		Households: []Household{{ID: "H1", CadreID: "C1"}, {ID: "H2", CadreID: "C2"}, {ID: "H3", CadreID: "C2"}},
	}
	r := Roster{
		Cadres: []Cadre{{ID: "C1", Unit: "U1", Role: RoleCadre, Name: "renamed"}, {ID: "L1", Unit: "U1", Role: RoleCadre},
			{ID: "L2", Unit: "U3", Role: RoleLeader}, {ID: "C3", Unit: "U1", Role: RoleCadre}},
		Households: []Household{{ID: "H4", CadreID: "C3"}, {ID: "H2", CadreID: "C3"}, {ID: "H1", CadreID: "C1", Name: "renamed"}},
	}
	got := diffRoster(old, r)
	want := ImportReport{Cadres: 4, Households: 3,
		CadresAdded: []string{"C3"}, CadresRemoved: []string{"C2"}, CadresChanged: []string{"L1", "L2"},
		HouseholdsAdded: []string{"H4"}, HouseholdsRemoved: []string{"H3"}, HouseholdsMoved: []string{"H2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("diff\n%+v\nwant\n%+v", got, want)
	}
	if got := diffRoster(r, r); len(got.CadresAdded)+len(got.CadresRemoved)+len(got.CadresChanged)+
		len(got.HouseholdsAdded)+len(got.HouseholdsRemoved)+len(got.HouseholdsMoved) != 0 {
		t.Errorf("a roster differs from itself: %+v", got)
	}
}
