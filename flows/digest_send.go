package flows

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// maxDigestRows bounds the rows a digest message carries.
const maxDigestRows = 30

// coverageRows bounds the coverage rows a digest message carries: the
// lowest (the spreadsheet has them all).
const coverageRows = 5

// digestNotices are what a leader receives: the message, the chart and the
// spreadsheet (the two files are made when sent, from week and unit).
func (s *Service) digestNotices(ctx context.Context, leader Cadre, chat int64, lang string, week Week, now time.Time) ([]Notice, error) {
	d, err := s.BuildDigest(ctx, DigestScope{Unit: leader.Unit}, week, now)
	if err != nil {
		return nil, err
	}
	d.County, d.Requests = s.Settings.County, nil
	if len(d.Rows) > maxDigestRows {
		d.Rows = d.Rows[:maxDigestRows]
	}
	if len(d.Villages) > maxDigestRows {
		d.Villages = d.Villages[:maxDigestRows]
	}
	if c := d.Coverage; c != nil { // the message shows where coverage is lowest
		short := *c
		short.Rows, short.Villages = c.Rows[:min(len(c.Rows), coverageRows)], c.Villages[:min(len(c.Villages), coverageRows)]
		d.Coverage = &short
	}
	args := map[string]string{"week": week.Label(), "unit": leader.Unit, "at": strconv.FormatInt(now.UnixMilli(), 10)}
	return []Notice{
		{ChatID: chat, Lang: lang, Kind: NoticeDigest, Digest: &d},
		{ChatID: chat, Lang: lang, Kind: NoticeDigestChart, Args: args},
		{ChatID: chat, Lang: lang, Kind: NoticeDigestSheet, Args: args},
	}, nil
}

// Digest answers a leader's /digest: the digest of the week so far.
func (s *Service) Digest(ctx context.Context, m Message) error {
	_, leader, lang, ok, err := s.staffMember(ctx, m)
	if !ok || err != nil {
		return err
	}
	if leader.Role != RoleLeader {
		return s.reply(ctx, m, lang, NoticeForbidden, nil)
	}
	now := s.Clock.Now()
	notices, err := s.digestNotices(ctx, leader, m.ChatID, lang, WeekOf(now, s.Settings.Location), now)
	if err != nil {
		return err
	}
	return s.enqueue(ctx, guard(m.UpdateID, "digest"), notices...)
}

// QueueDigest queues the digest of week for the bound leaders of unit (all
// leaders when unit is ""), without claiming an occurrence: an operator's
// explicit request. It returns how many leaders it queued for.
func (s *Service) QueueDigest(ctx context.Context, week Week, unit string, now time.Time) (int, error) {
	return s.eachLeader(ctx, func(c Cadre, acc Account) (bool, error) {
		if unit != "" && c.Unit != unit {
			return false, nil
		}
		notices, err := s.digestNotices(ctx, c, acc.ID, acc.Lang, week, now)
		if err == nil {
			err = s.enqueue(ctx, "", notices...)
		}
		return err == nil, err
	})
}

// eachLeader calls fn for every leader with a bound account and counts the
// calls that did something.
func (s *Service) eachLeader(ctx context.Context, fn func(Cadre, Account) (bool, error)) (int, error) {
	staff, err := s.Store.Staff(ctx)
	if err != nil {
		return 0, fmt.Errorf("leaders: %w", err)
	}
	done := 0
	for _, c := range staff {
		if c.Role != RoleLeader {
			continue
		}
		acc, err := s.Store.CadreAccount(ctx, c.ID)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return done, fmt.Errorf("leaders: %w", err)
		}
		ok, err := fn(c, acc)
		if err != nil {
			return done, fmt.Errorf("digest for a leader: %w", err)
		}
		if ok {
			done++
		}
	}
	return done, nil
}

// SendDigests sends every bound leader the digest of the week before the
// occurrence at (the scheduled time of schedule.digest). Each leader gets it
// once per occurrence, even with several processes or a restart: the
// occurrence is claimed in the store. It returns how many leaders it sent to.
func (s *Service) SendDigests(ctx context.Context, at, now time.Time) (int, error) {
	week := WeekOf(at, s.Settings.Location).Previous()
	return s.eachLeader(ctx, func(c Cadre, acc Account) (bool, error) {
		ok, err := s.Store.Claim(ctx, "digest:"+strconv.FormatInt(at.UnixMilli(), 10)+":"+c.ID, 30*24*time.Hour)
		if err != nil || !ok {
			return false, err
		}
		notices, err := s.digestNotices(ctx, c, acc.ID, acc.Lang, week, now)
		if err == nil {
			err = s.enqueue(ctx, "", notices...)
		}
		return err == nil, err
	})
}
