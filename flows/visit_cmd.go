package flows

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// visitPage is how many households a page of /visit lists.
const visitPage = 8

// VisitCmd answers a cadre's /visit: with no argument, the cadre's own
// households (a leader's: the unit's) by village and name, a page at a
// time, each a button; with a name or id, the households that match.
func (s *Service) VisitCmd(ctx context.Context, m Message, arg string) error {
	_, c, lang, ok, err := s.staffMember(ctx, m)
	if !ok || err != nil {
		return err
	}
	hhs, err := s.householdsOf(ctx, c)
	if err != nil {
		return fmt.Errorf("visit: %w", err)
	}
	g := guard(m.UpdateID, "reply")
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return s.enqueue(ctx, g, pickNotice(m.ChatID, lang, hhs, 1, ""))
	}
	found := matchHouseholds(hhs, arg)
	switch len(found) {
	case 0:
		return s.enqueue(ctx, g, Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeVisitNoMatch, Args: map[string]string{"query": arg}})
	case 1:
		n, err := s.householdPage(ctx, m.ChatID, lang, found[0])
		if err != nil {
			return err
		}
		return s.enqueue(ctx, g, n)
	}
	return s.enqueue(ctx, g, pickNotice(m.ChatID, lang, found, 1, arg))
}

// householdsOf lists the households c may visit, longest without contact
// first (never contacted first of all), then by village and name: a
// cadre's own; a leader's unit's (and own); a county-wide leader's, all.
// It reads the roster's assignments (name, village, cadre), which the
// store keeps per roster version, so a cadre's /visit costs the cadre's
// households, not the county's; a unit leader's also reads the cadres.
func (s *Service) householdsOf(ctx context.Context, c Cadre) ([]Household, error) {
	all, err := s.Store.Assignments(ctx)
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{c.ID: true}
	if c.Role == RoleLeader && !c.CountyWide() {
		if mine, err = s.unitCadres(ctx, c, all); err != nil {
			return nil, err
		}
	}
	var out []Household
	for _, h := range all {
		if mine[h.CadreID] || c.CountyWide() {
			out = append(out, h)
		}
	}
	ids := make([]string, len(out))
	for i, h := range out {
		ids[i] = h.ID
	}
	last, err := s.Store.LastContacts(ctx, ids)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := last[out[i].ID].At, last[out[j].ID].At; !a.Equal(b) {
			return a.Before(b)
		}
		if out[i].Village != out[j].Village {
			return out[i].Village < out[j].Village
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// canVisit reports whether c may visit h (and record a request for it):
// its cadre, a leader of its cadre's unit, or a county-wide leader, on the
// roster in force.
func (s *Service) canVisit(ctx context.Context, c Cadre, h Household) (bool, error) {
	switch {
	case !c.OnRoster:
		return false, nil
	case c.ID == h.CadreID || c.CountyWide():
		return true, nil
	case c.Role != RoleLeader:
		return false, nil
	}
	hc, err := s.Store.Cadre(ctx, h.CadreID)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("household's cadre: %w", err)
	}
	return hc.Unit == c.Unit, nil
}

// matchHouseholds returns the households whose id is q, or whose name
// holds q; at most a page.
func matchHouseholds(hhs []Household, q string) []Household {
	var out []Household
	for _, h := range hhs {
		if strings.EqualFold(h.ID, q) {
			return []Household{h}
		}
	}
	for _, h := range hhs {
		if strings.Contains(h.Name, q) && len(out) < visitPage {
			out = append(out, h)
		}
	}
	return out
}

// pickNotice is a page of households to choose from, one button each.
func pickNotice(chat int64, lang string, hhs []Household, page int, query string) Notice {
	pages := (len(hhs) + visitPage - 1) / visitPage
	if page > pages {
		page = pages
	}
	if page < 1 {
		page = 1
	}
	n := Notice{ChatID: chat, Lang: lang, Kind: NoticeVisitPick,
		Args: map[string]string{"page": strconv.Itoa(page), "pages": strconv.Itoa(pages), "query": query}}
	lo := (page - 1) * visitPage
	for i := lo; i < len(hhs) && i < lo+visitPage; i++ {
		h := hhs[i]
		n.List = append(n.List, ListItem{Who: h.Name, Village: h.Village})
		n.Buttons = append(n.Buttons, []Button{{Action: ActVisitHH, RequestID: HouseholdHandle(h.ID), Label: h.Name + " · " + h.Village}})
	}
	var nav []Button
	if page > 1 {
		nav = append(nav, Button{Action: ActVisitPage, RequestID: int64(page - 1), Arg: "prev"})
	}
	if page < pages {
		nav = append(nav, Button{Action: ActVisitPage, RequestID: int64(page + 1), Arg: "next"})
	}
	if len(nav) > 0 {
		n.Buttons = append(n.Buttons, nav)
	}
	return n
}

// unitCadres returns the ids of the cadres of c's unit (and c's own) among
// those the households in all are assigned to.
func (s *Service) unitCadres(ctx context.Context, c Cadre, all []Household) (map[string]bool, error) {
	seen := map[string]bool{}
	var ids []string
	for _, h := range all {
		if !seen[h.CadreID] {
			seen[h.CadreID] = true
			ids = append(ids, h.CadreID)
		}
	}
	cs, err := s.Store.Cadres(ctx, ids)
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{c.ID: true}
	for _, x := range cs {
		if x.Unit == c.Unit {
			mine[x.ID] = true
		}
	}
	return mine, nil
}

// householdPage is a household's page: who and where, its open requests
// and its last visit, with buttons to start a visit or record a request.
// The list it is picked from holds only name, village and cadre: the page
// reads the household's whole record.
func (s *Service) householdPage(ctx context.Context, chat int64, lang string, h Household) (Notice, error) {
	full, err := s.Store.RosterHouseholds(ctx, []string{h.ID})
	if err != nil {
		return Notice{}, fmt.Errorf("household page: %w", err)
	}
	if len(full) == 1 {
		h = full[0]
	}
	open, err := s.Store.OpenRequests(ctx, Scope{Kind: ScopeHousehold, ID: h.ID})
	if err != nil {
		return Notice{}, fmt.Errorf("household page: %w", err)
	}
	last, err := s.Store.RecentVisits(ctx, Scope{Kind: ScopeHousehold, ID: h.ID}, 1)
	if err != nil {
		return Notice{}, fmt.Errorf("household page: %w", err)
	}
	args := map[string]string{"household": h.Name, "village": h.Village, "phone": h.Phone, "address": h.Address,
		"open": strconv.Itoa(len(open))}
	if len(last) > 0 {
		args["last"] = last[0].Start.In(s.location()).Format("2006-01-02")
	}
	hd := HouseholdHandle(h.ID)
	return Notice{ChatID: chat, Lang: lang, Kind: NoticeVisitHousehold, Args: args,
		Buttons: [][]Button{{{Action: ActVisitOpen, RequestID: hd}, {Action: ActVisitRecHH, RequestID: hd}}}}, nil
}

// VisitsCmd answers /visits: the cadre's latest visits; a leader's, the
// unit's; a county-wide leader's, the county's.
func (s *Service) VisitsCmd(ctx context.Context, m Message) error {
	_, c, lang, ok, err := s.staffMember(ctx, m)
	if !ok || err != nil {
		return err
	}
	sc := Scope{Kind: ScopeCadre, ID: c.ID}
	switch {
	case c.CountyWide():
		sc = Scope{Kind: ScopeCounty}
	case c.Role == RoleLeader:
		sc = Scope{Kind: ScopeUnit, ID: c.Unit}
	}
	vs, err := s.Store.RecentVisits(ctx, sc, 10)
	if err != nil {
		return fmt.Errorf("visits: %w", err)
	}
	hids := make([]string, 0, len(vs))
	for _, v := range vs {
		hids = append(hids, v.HouseholdID)
	}
	names, err := s.Store.HouseholdNames(ctx, hids)
	if err != nil {
		return fmt.Errorf("visits: %w", err)
	}
	cadres := map[string]string{}
	items := make([]ListItem, 0, len(vs))
	for _, v := range vs {
		items = append(items, ListItem{RequestID: v.ID, Who: names[v.HouseholdID], Village: v.Village, Late: v.Open(),
			Deadline: v.Start.In(s.location()).Format("01-02 15:04"), Summary: s.cadreName(ctx, cadres, v.CadreID),
			Notes: len(v.Notes), Recorded: len(v.Requests)})
	}
	return s.enqueue(ctx, guard(m.UpdateID, "reply"), Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeVisitsList, List: items})
}
