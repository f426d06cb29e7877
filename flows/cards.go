package flows

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// ErrNoCodes is returned by the steps that make or print codes (import,
// cards, invites, rotation) when the Service has no CardCodes: the secret
// the codes are derived from is not configured.
var ErrNoCodes = errors.New("no secret to derive card codes from")

// ErrWrongSecret is returned when a code derived for printing is not the
// one the store checks: the secret is not the one the code was made with,
// and a card printed with it would not bind.
var ErrWrongSecret = errors.New("the card code secret is not the one the codes were made with")

// addCodes gives every holder of the kinds on the roster that has no code
// yet its code, at its rotation, and returns how many it gave. Codes are
// derived, so two processes doing this at once make the same ones.
func (s *Service) addCodes(ctx context.Context, kinds ...AccountKind) (int, error) {
	if s.Codes == nil {
		return 0, ErrNoCodes
	}
	var cards []NewCard
	for _, kind := range kinds {
		states, err := s.Store.CardStates(ctx, kind)
		if err != nil {
			return 0, fmt.Errorf("load cards: %w", err)
		}
		for id, st := range states {
			if st.Check == "" {
				code := s.Codes.Code(kind, id, st.Rotation)
				cards = append(cards, NewCard{Kind: kind, ID: id, Rotation: st.Rotation, Check: CodeCheck(code)})
			}
		}
	}
	if len(cards) == 0 {
		return 0, nil
	}
	if err := s.Store.AddCards(ctx, cards); err != nil {
		return 0, fmt.Errorf("add cards: %w", err)
	}
	return len(cards), nil
}

// Rotate issues a new code for a household's card (kind household) or a
// cadre's invite (kind cadre), for a lost card: the old code, and a code
// printed before codes were derived, stop binding. It returns the new code.
func (s *Service) Rotate(ctx context.Context, kind AccountKind, id string) (string, error) {
	if s.Codes == nil {
		return "", fmt.Errorf("rotate %s %s: %w", kind, id, ErrNoCodes)
	}
	on, err := s.Store.OnRoster(ctx, kind, id)
	if err != nil {
		return "", fmt.Errorf("rotate %s %s: %w", kind, id, err)
	}
	if !on {
		return "", Errorf(ENOTFOUND, "%s %s is not on the roster: nothing to rotate", kind, id)
	}
	var code string
	err = retry(func() error {
		st, err := s.Store.CardState(ctx, kind, id)
		if err != nil {
			return err
		}
		code = s.Codes.Code(kind, id, st.Rotation+1)
		return s.Store.RotateCode(ctx, kind, id, st, CodeCheck(code))
	})
	if err != nil {
		return "", fmt.Errorf("rotate %s %s: %w", kind, id, err)
	}
	return code, nil
}

// CardLine is one printed card or invite: whose it is and its code.
type CardLine struct {
	Household Household // zero for an invite
	Cadre     Cadre
	Code      string
}

// Cards lists every household's card, ordered as a cadre walks the village:
// by village, then household id. A household without a code gets one.
func (s *Service) Cards(ctx context.Context) ([]CardLine, error) {
	r, codes, err := s.rosterCodes(ctx, AccountHousehold)
	if err != nil {
		return nil, err
	}
	cadres := map[string]Cadre{}
	for _, c := range r.Cadres {
		cadres[c.ID] = c
	}
	out := make([]CardLine, 0, len(r.Households))
	for _, h := range r.Households {
		out = append(out, CardLine{Household: h, Cadre: cadres[h.CadreID], Code: codes[h.ID]})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Household, out[j].Household
		if a.Village != b.Village {
			return a.Village < b.Village
		}
		return a.ID < b.ID
	})
	return out, nil
}

// Invites lists every cadre's and leader's invite, by id. A cadre without a
// code gets one.
func (s *Service) Invites(ctx context.Context) ([]CardLine, error) {
	r, codes, err := s.rosterCodes(ctx, AccountCadre)
	if err != nil {
		return nil, err
	}
	out := make([]CardLine, 0, len(r.Cadres))
	for _, c := range r.Cadres {
		out = append(out, CardLine{Cadre: c, Code: codes[c.ID]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cadre.ID < out[j].Cadre.ID })
	return out, nil
}

// rosterCodes loads the roster and derives the code of every holder of
// kind on it, checking each against the store: a code the store would not
// accept is never printed.
func (s *Service) rosterCodes(ctx context.Context, kind AccountKind) (Roster, map[string]string, error) {
	if s.Codes == nil {
		return Roster{}, nil, ErrNoCodes
	}
	if _, err := s.addCodes(ctx, kind); err != nil {
		return Roster{}, nil, err
	}
	r, err := s.Store.Roster(ctx)
	if err != nil {
		return r, nil, fmt.Errorf("load roster: %w", err)
	}
	states, err := s.Store.CardStates(ctx, kind)
	if err != nil {
		return r, nil, fmt.Errorf("load cards: %w", err)
	}
	codes := make(map[string]string, len(states))
	for id, st := range states {
		code := s.Codes.Code(kind, id, st.Rotation)
		if CodeCheck(code) != st.Check {
			return r, nil, fmt.Errorf("%s %s: %w", kind, id, ErrWrongSecret)
		}
		codes[id] = code
	}
	return r, codes, nil
}
