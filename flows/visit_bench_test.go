package flows_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/redistest"
	"github.com/minqing/minqing/store"
)

// BenchmarkVisitCmd times /visit (the picker's first page) on a county of
// 12 000 households and 2 000 cadres in 20 units, for a cadre (6
// households) and for a unit's leader (600). The store keeps the roster's
// assignments per version, so after the first call a cadre's /visit reads
// only its households' last contacts.
func BenchmarkVisitCmd(b *testing.B) {
	ctx := context.Background()
	st := store.New(redistest.Start(b).Client(), "mq", "bench")
	svc := &flows.Service{Store: st, Clock: flows.NewSimClock(benchNow), Settings: flows.Settings{
		MaxHouseholdAccounts: 3, Location: benchLoc, DefaultLang: "zh", County: "县"},
		Codes: flows.NewCardCodes("bench secret, not for use anywhere", "bench")}
	var r flows.Roster
	for i := range 2000 {
		role := flows.RoleCadre
		if i%100 == 0 {
			role = flows.RoleLeader
		}
		r.Cadres = append(r.Cadres, flows.Cadre{ID: fmt.Sprintf("C%04d", i), Name: fmt.Sprintf("干部%04d", i),
			Unit: fmt.Sprintf("单位%02d", i/100), Role: role})
	}
	for i := range 12000 {
		r.Households = append(r.Households, flows.Household{ID: fmt.Sprintf("H%05d", i), Name: fmt.Sprintf("农户%05d", i),
			Village: fmt.Sprintf("村%d", i%40), CadreID: r.Cadres[i%2000].ID})
	}
	if _, err := svc.ImportRoster(ctx, r); err != nil {
		b.Fatal(err)
	}
	for i, id := range []string{"C0001", "C0100"} {
		check := flows.CodeCheck(svc.Codes.Code(flows.AccountCadre, id, 0))
		if _, err := st.Bind(ctx, check, flows.Account{ID: int64(30000 + i), Lang: "zh"}, 1); err != nil {
			b.Fatal(err)
		}
	}
	for i, who := range []string{"cadre", "leader"} {
		b.Run(who, func(b *testing.B) {
			m := flows.Message{AccountID: int64(30000 + i), ChatID: int64(30000 + i), Kind: flows.KindText, Text: "/visit"}
			for n := 0; b.Loop(); n++ {
				m.UpdateID = int64(1_000_000*(i+1) + n)
				if err := svc.VisitCmd(ctx, m, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
