package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/minqing/minqing/flows"
)

// cmdUnbind cuts accounts off without a re-import, for a lost phone:
// a cadre's account, every account of a household, or one account (the
// household's other family accounts stay bound). The card or invite still
// binds; rotate it too if it is lost. Nothing is sent to the account cut
// off: a lost phone may be in the wrong hands.
func cmdUnbind(ctx context.Context, args []string, stdout io.Writer) error {
	fs, path := flags("unbind")
	cadre := fs.String("cadre", "", "cut off the account bound to this cadre's or leader's invite")
	household := fs.String("household", "", "cut off every account bound to this household's card")
	account := fs.Int64("account", 0, "cut off this one Telegram account (user id), whatever it is bound to")
	m, err := parseOpen(ctx, fs, path, args, func() error {
		n := 0
		for _, set := range []bool{*cadre != "", *household != "", *account != 0} {
			if set {
				n++
			}
		}
		if n != 1 {
			return errors.New("give exactly one of -cadre ID, -household ID or -account TELEGRAM_ID")
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer m.Close()
	var cut []flows.Account
	switch {
	case *account != 0:
		a, err := m.Service.UnbindAccount(ctx, *account)
		if err != nil {
			return err
		}
		cut = append(cut, a)
	case *cadre != "":
		if cut, err = m.Service.Unbind(ctx, flows.AccountCadre, *cadre); err != nil {
			return err
		}
	default:
		if cut, err = m.Service.Unbind(ctx, flows.AccountHousehold, *household); err != nil {
			return err
		}
	}
	for _, a := range cut {
		fmt.Fprintf(stdout, "unbound account %d from %s %s\n", a.ID, a.Kind, a.Ref)
		m.Log.Info("account unbound", "account", a.ID, "kind", a.Kind, "ref", a.Ref)
	}
	return nil
}
