package report

import (
	"fmt"
	"testing"
	"time"

	"github.com/minqing/minqing/flows"
)

// shanghai is the county's time zone in the tests.
func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return loc
}

// week48 is ISO week 2026-W48: Monday 23 November to Sunday 29 November.
func week48(loc *time.Location) flows.Week {
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	return flows.Week{Year: 2026, Number: 48, Start: start, End: start.AddDate(0, 0, 7)}
}

var unitNames = []string{
	"县财政局", "县住房和城乡建设局", "县农业农村局", "县水务局", "县卫生健康局",
	"县教育局", "县民政局", "县交通运输局", "县人力资源和社会保障局", "县自然资源局",
	"县医疗保障局", "县乡村振兴局", "县市场监督管理局", "县林业和草原局", "县应急管理局",
	"县文化广电和旅游局", "县商务局", "县发展和改革局",
}

// countyDigest is a county view with n unit rows; row i has i%7 late,
// (i*5)%11+late open and (i*3)%13 resolved.
func countyDigest(loc *time.Location, n int) flows.Digest {
	d := flows.Digest{County: "嘉荫县", Week: week48(loc)}
	for i := range n {
		name := unitNames[i%len(unitNames)]
		if i >= len(unitNames) {
			name = fmt.Sprintf("%s%d", name, i/len(unitNames)+1)
		}
		late := i % 7
		r := flows.DigestRow{Name: name, Late: late, Open: (i*5)%11 + late, Resolved: (i * 3) % 13}
		r.Received = r.Open + r.Resolved
		d.Rows = append(d.Rows, r)
		d.Open += r.Open
		d.Late += r.Late
		d.Resolved += r.Resolved
		d.Received += r.Received
	}
	return d
}
