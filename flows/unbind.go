package flows

import (
	"context"
	"fmt"
)

// Unbind cuts off every account bound to a household's card (kind
// household) or a cadre's invite, without a re-import: for lost phones. The
// card or invite itself still binds (rotate it if it is lost too). Nothing
// is sent to the accounts cut off: a lost phone may be in the wrong hands,
// and its next message gets the answer a stranger gets. It returns the
// accounts cut off; ENOTFOUND when none was bound.
func (s *Service) Unbind(ctx context.Context, kind AccountKind, ref string) ([]Account, error) {
	accs, err := s.Store.BoundAccounts(ctx, kind, ref)
	if err != nil {
		return nil, fmt.Errorf("unbind %s %s: %w", kind, ref, err)
	}
	var out []Account
	for _, a := range accs {
		ok, err := s.Store.Unbind(ctx, a)
		if err != nil {
			return out, fmt.Errorf("unbind %s %s: %w", kind, ref, err)
		}
		if ok {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(ENOTFOUND, "%s %s has no bound account", kind, ref)
	}
	return out, nil
}

// UnbindAccount cuts off one account, whatever it is bound to; the other
// accounts of its household stay bound. Nothing is sent to it (see Unbind).
// ENOTFOUND when the account is not bound.
func (s *Service) UnbindAccount(ctx context.Context, id int64) (Account, error) {
	a, err := s.Store.Account(ctx, id)
	if err != nil {
		return a, fmt.Errorf("unbind account %d: %w", id, err)
	}
	ok, err := s.Store.Unbind(ctx, a)
	if err != nil {
		return a, fmt.Errorf("unbind account %d: %w", id, err)
	}
	if !ok {
		return a, Errorf(ENOTFOUND, "account %d is not bound", id)
	}
	return a, nil
}
