package subscriptions

import (
	"context"
	"time"
)

// Run is the scheduler: until ctx ends it checks each subscription that is
// not paused when it is due (its last check plus interval_minutes,
// jittered; after failures, the back-off). Subscriptions overdue when Run
// starts — the app was closed — are checked first, spread over
// Config.StartSpread; each such catch-up check makes at most one job, so
// a week away gives one job per subscription, not one per video (the feed
// lists the newest 15 videos, so at most 15 are caught up). Checks run one
// at a time, so 50 subscriptions due at once still send one request after
// the other. Run returns nil when ctx ends; start it once per process
// (window or `serve`), in its own goroutine.
func (s *Service) Run(ctx context.Context) error {
	start := s.clk.Now()
	catchUp := make(map[string]time.Time)
	first := true
	for {
		if ctx.Err() != nil {
			return nil
		}
		sched, err := s.schedule()
		if err != nil {
			s.log.Error("subscriptions: reading the schedule", "err", err)
		}
		now := s.clk.Now()
		if first {
			for id, due := range sched {
				if !due.After(start) {
					catchUp[id] = start.Add(time.Duration(s.cfg.Rand() * float64(s.cfg.StartSpread)))
				}
			}
			first = false
		}
		var nextID string
		var next time.Time
		for id, due := range sched {
			if c, ok := catchUp[id]; ok {
				due = c
			}
			if nextID == "" || due.Before(next) || due.Equal(next) && id < nextID {
				nextID, next = id, due
			}
		}
		if nextID != "" && !next.After(now) {
			delete(catchUp, nextID)
			s.scheduledCheck(ctx, nextID)
			continue
		}
		var timer <-chan time.Time
		stop := func() bool { return false }
		if nextID != "" {
			timer, stop = s.clk.NewTimer(next.Sub(now))
		} else {
			next = time.Time{}
		}
		if s.onIdle != nil {
			s.onIdle(next)
		}
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-s.wake:
			stop()
		case <-timer:
		}
	}
}

// schedule returns when each subscription that is not paused is due.
func (s *Service) schedule() (map[string]time.Time, error) {
	out := make(map[string]time.Time)
	err := s.cfg.DB.ForEachSubscription(func(id string, b []byte) error {
		r, err := decodeRecord(b)
		if err != nil || r.Sub.Paused {
			return nil
		}
		out[id] = r.NextCheck
		return nil
	})
	return out, err
}

// scheduledCheck checks subscription id if it is still due and not paused
// (a manual check or an edit may have moved it meanwhile).
func (s *Service) scheduledCheck(ctx context.Context, id string) {
	l := s.lock(id)
	l.Lock()
	defer l.Unlock()
	r, err := s.load(id)
	if err != nil || r.Sub.Paused || r.NextCheck.After(s.clk.Now()) {
		return
	}
	if _, _, err := s.check(ctx, r); err != nil {
		s.log.Info("subscriptions: scheduled check failed", "sub", id, "err", err)
	}
}
