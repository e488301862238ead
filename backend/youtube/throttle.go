package youtube

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// governor spaces requests out: every request starts at least the base
// pacing (jittered) after the previous one, from the first request on. It
// is also the global slow-down: when YouTube refuses a request (HTTP
// 429, a bot check), every later request of the client waits — first a
// pause until the refusal's Retry-After (or one step), then a minimum gap
// between requests that doubles with each refusal up to max and halves with
// each accepted request.
type governor struct {
	step, max time.Duration
	base      func() time.Duration // base pacing, jittered; nil: none

	mu         sync.Mutex
	gap        time.Duration // minimum time between two request starts
	pauseUntil time.Time
	next       time.Time // earliest start of the next request
}

func newGovernor(step, max time.Duration) *governor {
	return &governor{step: step, max: max}
}

// wait blocks until the next request may start, or ctx is done.
func (g *governor) wait(ctx context.Context) error {
	g.mu.Lock()
	t := time.Now()
	start := t
	if g.pauseUntil.After(start) {
		start = g.pauseUntil
	}
	gap := g.gap
	if g.base != nil {
		if b := g.base(); b > 0 {
			gap = max(gap, b+time.Duration(rand.Int64N(int64(b)/2+1))) // jitter: up to +50 %
		}
	}
	if gap > 0 && g.next.After(start) {
		start = g.next
	}
	if gap > 0 {
		g.next = start.Add(gap) // reserve the slot so waiters queue up
	}
	g.mu.Unlock()
	if d := start.Sub(t); d > 0 {
		return sleepCtx(ctx, d)
	}
	return nil
}

// refused records a refusal; hint is YouTube's Retry-After, if any.
func (g *governor) refused(hint time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gap == 0 {
		g.gap = g.step
	} else {
		g.gap = min(g.gap*2, g.max)
	}
	pause := max(g.gap, min(hint, g.max))
	if until := time.Now().Add(pause); until.After(g.pauseUntil) {
		g.pauseUntil = until
	}
}

// accepted records a request YouTube answered normally.
func (g *governor) accepted() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gap == 0 {
		return
	}
	g.gap /= 2
	if g.gap < g.step/4 {
		g.gap = 0
	}
}

// slowedDown reports the current minimum gap between requests.
func (g *governor) slowedDown() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gap
}

// backoff returns the jittered delay before retry number attempt+1:
// step·2^attempt, capped at max, scaled by a random factor in [0.5, 1.5).
func (g *governor) backoff(attempt int) time.Duration {
	d := g.step
	for i := 0; i < attempt && d < g.max; i++ {
		d *= 2
	}
	d = min(d, g.max)
	j := time.Duration(float64(d) * (0.5 + rand.Float64()))
	return min(j, g.max)
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
