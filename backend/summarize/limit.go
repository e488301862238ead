package summarize

import (
	"context"
	"sync"
	"time"
)

// limiter is a counting semaphore whose size is read again at every
// admission, so a changed limit applies without a restart: a raised limit
// admits waiting calls at the next admission, release or recheck tick; a
// lowered one admits nobody new until enough calls in flight have finished
// (those are never interrupted). Waiters are admitted first come, first
// served. It is safe for concurrent use.
type limiter struct {
	size    func() int    // current limit, ≥ 1; called without mu held
	recheck time.Duration // how often a waiter re-reads size

	mu    sync.Mutex
	inUse int
	queue []*waiter // FIFO
	// onWait, when set (tests), is called each time a call starts to wait.
	onWait func()
}

type waiter struct {
	ready   chan struct{}
	granted bool // guarded by limiter.mu
}

// admitLocked lets queued waiters in, in order, while there is room under
// limit n. l.mu must be held.
func (l *limiter) admitLocked(n int) {
	for len(l.queue) > 0 && l.inUse < n {
		w := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		l.inUse++
		w.granted = true
		close(w.ready)
	}
}

// acquire waits for a slot. It returns ctx's error, holding no slot, when
// ctx ends first.
func (l *limiter) acquire(ctx context.Context) error {
	n := l.size()
	l.mu.Lock()
	l.admitLocked(n)
	if len(l.queue) == 0 && l.inUse < n {
		l.inUse++
		l.mu.Unlock()
		return nil
	}
	w := &waiter{ready: make(chan struct{})}
	l.queue = append(l.queue, w)
	hook := l.onWait
	l.mu.Unlock()
	if hook != nil {
		hook()
	}

	tick := time.NewTicker(l.recheck)
	defer tick.Stop()
	for {
		select {
		case <-w.ready:
			return nil
		case <-tick.C:
			n := l.size()
			l.mu.Lock()
			l.admitLocked(n)
			l.mu.Unlock()
		case <-ctx.Done():
			l.mu.Lock()
			if w.granted {
				l.mu.Unlock()
				l.release()
				return ctx.Err()
			}
			for i, q := range l.queue {
				if q == w {
					l.queue = append(l.queue[:i], l.queue[i+1:]...)
					break
				}
			}
			l.mu.Unlock()
			return ctx.Err()
		}
	}
}

// release gives back a slot taken by acquire and admits waiters that now fit.
func (l *limiter) release() {
	n := l.size()
	l.mu.Lock()
	l.inUse--
	l.admitLocked(n)
	l.mu.Unlock()
}

// state returns the calls in flight and waiting (tests).
func (l *limiter) state() (inUse, waiting int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inUse, len(l.queue)
}
