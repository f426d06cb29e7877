package flows

import (
	"context"
	"fmt"
)

// myLimit bounds /my.
const myLimit = 10

// My answers a household's /my: its latest requests with state and deadline.
func (s *Service) My(ctx context.Context, m Message) error {
	a, lang, ok, err := s.member(ctx, m, AccountHousehold)
	if !ok || err != nil {
		return err
	}
	ids, err := s.Store.Recent(ctx, a.Ref, myLimit)
	if err != nil {
		return fmt.Errorf("my: %w", err)
	}
	items, err := s.items(ctx, ids, false)
	if err != nil {
		return fmt.Errorf("my: %w", err)
	}
	return s.enqueue(ctx, guard(m.UpdateID, "reply"), Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeMyRequests, List: items})
}

// OpenList answers a cadre's /open: their open requests, oldest first; a
// leader's also lists what needs a leader (see waitingFor).
func (s *Service) OpenList(ctx context.Context, m Message) error {
	_, c, lang, ok, err := s.staffMember(ctx, m)
	if !ok || err != nil {
		return err
	}
	w, err := s.waitingFor(ctx, c, s.Clock.Now())
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	items, err := s.itemsOf(ctx, w.all(), true)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	return s.enqueue(ctx, guard(m.UpdateID, "reply"), Notice{ChatID: m.ChatID, Lang: lang, Kind: NoticeOpenRequests, List: items})
}

// member returns the sender's account if it is of the given kind; otherwise
// it answers the sender itself and returns ok=false.
func (s *Service) member(ctx context.Context, m Message, kind AccountKind) (Account, string, bool, error) {
	a, ok, err := s.account(ctx, m.AccountID)
	if err != nil {
		return a, "", false, err
	}
	if !ok {
		return a, "", false, s.reply(ctx, m, s.lang(m.Lang), NoticeStranger, nil)
	}
	lang := s.langOf(a, m.Lang)
	if a.Kind != kind {
		return a, lang, false, s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	return a, lang, true, nil
}

// staffMember returns the sender's account and roster record if the sender
// is a cadre or leader on the roster in force; otherwise it answers the
// sender itself (someone whose role ended is a stranger now) and returns
// ok=false.
func (s *Service) staffMember(ctx context.Context, m Message) (Account, Cadre, string, bool, error) {
	a, lang, ok, err := s.member(ctx, m, AccountCadre)
	if !ok || err != nil {
		return a, Cadre{}, lang, false, err
	}
	c, err := s.Store.Cadre(ctx, a.Ref)
	if err != nil && !isNotFound(err) {
		return a, c, lang, false, fmt.Errorf("load cadre: %w", err)
	}
	if !c.OnRoster {
		return a, c, lang, false, s.reply(ctx, m, s.lang(m.Lang), NoticeStranger, nil)
	}
	return a, c, lang, true, nil
}

// items turns request ids into list lines; withWho names the household.
func (s *Service) items(ctx context.Context, ids []int64, withWho bool) ([]ListItem, error) {
	reqs, err := s.Store.Requests(ctx, ids)
	if err != nil {
		return nil, err
	}
	return s.itemsOf(ctx, reqs, withWho)
}

// itemsOf turns requests into list lines; withWho names the household.
func (s *Service) itemsOf(ctx context.Context, reqs []Request, withWho bool) ([]ListItem, error) {
	now := s.Clock.Now()
	out := make([]ListItem, 0, len(reqs))
	for _, r := range reqs {
		it := ListItem{RequestID: r.ID, State: r.State, Summary: r.Summary, Late: r.Late(now), Village: r.Village}
		if !r.Deadline.IsZero() {
			it.Deadline = r.Deadline.In(s.location()).Format("2006-01-02")
		}
		if withWho {
			if h, err := s.Store.Household(ctx, r.HouseholdID); err == nil {
				it.Who = h.Name
			}
		}
		out = append(out, it)
	}
	return out, nil
}
