package flows

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxWrongCodes is how many wrong card codes an account may try in an hour;
// after that even a right code is refused until the hour has passed.
const MaxWrongCodes = 10

// Start handles /start with the payload of a card or invite link, or a code
// typed from a card (see CodeCandidates). Without a payload it greets a
// bound account with help and a stranger with how to get a card.
func (s *Service) Start(ctx context.Context, m Message, payload string) error {
	codes := CodeCandidates(payload)
	if len(codes) == 0 { // not a code's shape: still an attempt, which fails
		codes = []string{strings.Join(strings.Fields(payload), "")}
	}
	if codes[0] == "" {
		return s.Help(ctx, m)
	}
	lang := s.lang(m.Lang)
	tries := "badcode:" + strconv.FormatInt(m.AccountID, 10)
	if n, err := s.Store.Count(ctx, tries, time.Hour, false); err != nil {
		return fmt.Errorf("bind: %w", err)
	} else if n >= MaxWrongCodes {
		if s.Log != nil {
			s.Log.Warn("binding attempt", "outcome", "locked out")
		}
		return s.reply(ctx, m, lang, NoticeTooManyTries, nil) // refused without checking the code
	}
	a, err := s.bind(ctx, codes, Account{ID: m.AccountID, Lang: lang})
	if s.Log != nil {
		outcome := ErrorCode(err)
		if outcome == "" {
			outcome = "bound"
		}
		s.Log.Info("binding attempt", "outcome", outcome, "kind", a.Kind)
	}
	switch ErrorCode(err) {
	case "":
	case ENOTFOUND:
		if _, err := s.Store.Count(ctx, tries, time.Hour, true); err != nil {
			return fmt.Errorf("bind: %w", err)
		}
		return s.reply(ctx, m, lang, NoticeBadCode, nil)
	case EFULL:
		if a.Kind == AccountCadre {
			return s.reply(ctx, m, lang, NoticeInviteUsed, nil)
		}
		return s.reply(ctx, m, lang, NoticeCardFull, map[string]string{"max": fmt.Sprint(s.Settings.MaxHouseholdAccounts)})
	case ECONFLICT:
		return s.reply(ctx, m, lang, NoticeBoundOther, nil)
	default:
		return fmt.Errorf("bind: %w", err)
	}
	lang = s.langOf(a, m.Lang)
	if a.Kind == AccountHousehold {
		return s.welcomeHousehold(ctx, m, a, lang)
	}
	c, err := s.Store.Cadre(ctx, a.Ref)
	if err != nil {
		return fmt.Errorf("bind: load cadre: %w", err)
	}
	if err := s.reply(ctx, m, lang, NoticeCadreWelcome, map[string]string{"name": c.Name, "unit": c.Unit, "role": string(c.Role)}); err != nil {
		return err
	}
	return s.deliverWaiting(ctx, guard(m.UpdateID, "waiting"), a, c) // nothing written before binding is stranded
}

// bind binds account a with the first of codes that is a card's or an
// invite's; ENOTFOUND when none is.
func (s *Service) bind(ctx context.Context, codes []string, a Account) (Account, error) {
	var err error
	for _, code := range codes {
		var got Account
		got, err = s.Store.Bind(ctx, CodeCheck(code), a, s.Settings.MaxHouseholdAccounts)
		if ErrorCode(err) != ENOTFOUND {
			return got, err
		}
	}
	return a, err
}

// welcomeHousehold sends the digital card: who the household's cadre is.
func (s *Service) welcomeHousehold(ctx context.Context, m Message, a Account, lang string) error {
	h, err := s.Store.Household(ctx, a.Ref)
	if err != nil {
		return fmt.Errorf("welcome: load household: %w", err)
	}
	c, err := s.Store.Cadre(ctx, h.CadreID)
	if err != nil {
		return fmt.Errorf("welcome: load cadre: %w", err)
	}
	return s.reply(ctx, m, lang, NoticeHouseholdCard, cardArgs(h, c))
}

// cardArgs are the fields of the digital contact card.
func cardArgs(h Household, c Cadre) map[string]string {
	return map[string]string{
		"household": h.Name, "village": h.Village,
		"cadre": c.Name, "unit": c.Unit, "phone": c.Phone,
	}
}

// Help answers /help according to who is asking.
func (s *Service) Help(ctx context.Context, m Message) error {
	a, ok, err := s.account(ctx, m.AccountID)
	if err != nil {
		return err
	}
	if !ok {
		return s.reply(ctx, m, s.lang(m.Lang), NoticeStranger, nil)
	}
	role := string(a.Kind)
	if a.Kind == AccountCadre {
		c, err := s.Store.Cadre(ctx, a.Ref)
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("help: %w", err)
		}
		if !c.OnRoster { // the role ended: a stranger now
			return s.reply(ctx, m, s.lang(m.Lang), NoticeStranger, nil)
		}
		role = string(c.Role)
	}
	return s.reply(ctx, m, s.langOf(a, m.Lang), NoticeHelp, map[string]string{"role": role})
}

// SetLang answers /lang: arg "zh" or "en" chooses, anything else toggles.
func (s *Service) SetLang(ctx context.Context, m Message, arg string) error {
	a, ok, err := s.account(ctx, m.AccountID)
	if err != nil {
		return err
	}
	if !ok {
		return s.reply(ctx, m, s.lang(m.Lang), NoticeStranger, nil)
	}
	if a.Kind == AccountCadre {
		if on, err := s.Store.OnRoster(ctx, AccountCadre, a.Ref); err != nil {
			return fmt.Errorf("set lang: %w", err)
		} else if !on { // the role ended: a stranger now
			return s.reply(ctx, m, s.lang(m.Lang), NoticeStranger, nil)
		}
	}
	lang := arg
	if lang != "zh" && lang != "en" {
		lang = "en"
		if s.langOf(a, m.Lang) == "en" {
			lang = "zh"
		}
	}
	if err := s.Store.SetLang(ctx, a.ID, lang); err != nil {
		return fmt.Errorf("set lang: %w", err)
	}
	return s.reply(ctx, m, lang, NoticeLangSet, nil)
}
