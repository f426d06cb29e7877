package flows

import (
	"context"
	"slices"
)

// Co-handling (协办): whoever may act on a request adds helper units. Their
// leaders get the request with its context; they may see it and add notes
// (which its cadre and the household's own cadre hear of), never work its
// states: the lead unit, the request's own, resolves it.

// ActHelper adds a helper unit; Arg: the unit's key ("" lists the units).
const ActHelper Action = "hp"

// Notices of co-handling.
const (
	NoticeHelperPick NoticeKind = "helper_pick" // no (buttons: the units)
	NoticeHelperIn   NoticeKind = "helper_in"   // no, household, village, text, kind, unit (the lead), by (buttons: note, timeline)
	NoticeHelperDone NoticeKind = "helper_done" // no, unit: to the one who added it
)

// helps reports whether c leads a helper unit of r.
func helps(c Cadre, r Request) bool {
	return c.OnRoster && c.Role == RoleLeader && c.Unit != "" && slices.Contains(r.Helpers, c.Unit)
}

// helperPress lists the units that may help, or adds the one pressed.
func (s *Service) helperPress(ctx context.Context, p Press, c Cadre, r Request, lang string) (PressResult, error) {
	if !r.Open() {
		return PressResult{Toast: ToastInvalid}, nil
	}
	v, err := s.staffView(ctx)
	if err != nil {
		return PressResult{Toast: ToastError}, err
	}
	if p.Button.Arg == "" {
		var units []string
		for _, u := range v.units {
			if u != r.Unit && !slices.Contains(r.Helpers, u) {
				units = append(units, u)
			}
		}
		rows := unitButtons(r, staffView{units: units}, "")
		for _, row := range rows {
			for i := range row {
				row[i].Action = ActHelper
			}
		}
		n := Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeHelperPick, RequestID: r.ID, Args: noArgs(r.ID), Buttons: rows}
		return PressResult{Toast: ToastDone}, s.enqueue(ctx, guard(p.UpdateID, "pick"), n)
	}
	unit, ok := v.unit(p.Button.Arg)
	if !ok || unit == r.Unit || slices.Contains(r.Helpers, unit) {
		return PressResult{Toast: ToastInvalid}, nil
	}
	next := r
	next.Helpers = append(append([]string(nil), r.Helpers...), unit)
	ev := Event{At: s.Clock.Now(), Actor: actorCadre(c.ID), Action: ActHelper, From: r.State, To: r.State, Move: &UnitMove{From: r.Unit, To: unit}}
	args, err := s.requestArgs(ctx, next)
	if err != nil {
		return PressResult{Toast: ToastError}, err
	}
	args["unit"], args["by"] = r.Unit, c.Name
	buttons := [][]Button{{{Action: ActNote, RequestID: r.ID}, {Action: ActTimeline, RequestID: r.ID}}}
	notices, err := s.toUnitLeaders(ctx, next, unit, NoticeHelperIn, args, buttons)
	if err != nil {
		return PressResult{Toast: ToastError}, err
	}
	notices = append(notices, Notice{ChatID: p.ChatID, Lang: lang, Kind: NoticeHelperDone, RequestID: r.ID,
		Args: map[string]string{"no": args["no"], "unit": unit}})
	if err := s.apply(ctx, s.change(&r, next, ev, notices, guard(p.UpdateID, "press"))); err != nil {
		return PressResult{Toast: ToastError}, err
	}
	return PressResult{Toast: ToastDone}, nil
}
