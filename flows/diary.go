package flows

import (
	"context"
	"fmt"
	"time"
)

// DiaryFilter selects the visits of the diary (民情日记) the county office
// files: by visitor, by the visitor's unit, and by start time [From, To).
type DiaryFilter struct {
	CadreID  string // "" = every visitor
	Unit     string // "" = every unit
	From, To time.Time
}

// DiaryVisit is one visit of the diary, with the names it shows and the
// requests recorded in it, in their current state.
type DiaryVisit struct {
	Visit     Visit
	Household string // the household's name ("" once erased)
	Phone     string
	Cadre     string // the visitor's name
	Requests  []Request
}

// Diary returns the visits that match f, oldest first.
func (s *Service) Diary(ctx context.Context, f DiaryFilter) ([]DiaryVisit, error) {
	vs, err := s.Store.VisitsBetween(ctx, f.From, f.To)
	if err != nil {
		return nil, fmt.Errorf("diary: %w", err)
	}
	cadres := map[string]string{}
	var out []DiaryVisit
	for _, v := range vs {
		if (f.CadreID != "" && v.CadreID != f.CadreID) || (f.Unit != "" && v.Unit != f.Unit) {
			continue
		}
		d := DiaryVisit{Visit: v, Cadre: s.cadreName(ctx, cadres, v.CadreID)}
		if h, err := s.Store.Household(ctx, v.HouseholdID); err == nil {
			d.Household, d.Phone = h.Name, h.Phone
		} else if !isNotFound(err) {
			return nil, fmt.Errorf("diary: %w", err)
		}
		if d.Requests, err = s.Store.Requests(ctx, v.Requests); err != nil {
			return nil, fmt.Errorf("diary: %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}
