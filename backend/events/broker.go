package events

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"ytsum/backend/ytsum"
)

// Default limits of a subscription; see Options.
const (
	DefaultDeltaBuffer = 256
	DefaultMaxJobs     = 1024
	DefaultItemBuffer  = 1024
)

// ErrClosed is returned by Subscription.Next once the subscription was
// unsubscribed or the broker closed and every pending event was read.
var ErrClosed = ytsum.Errorf(ytsum.CodeUnavailable, "events_closed",
	"The event stream was closed; reconnect to keep receiving updates.")

// ErrEvicted is returned by Subscription.Next when the subscriber fell so far
// behind that the broker dropped it (see Options.MaxJobs and ItemBuffer).
var ErrEvicted = ytsum.Errorf(ytsum.CodeUnavailable, "events_evicted",
	"The event stream fell too far behind and was closed; reconnect to get the current state.")

// Options configures a Broker. The zero value is ready to use.
type Options struct {
	// DeltaBuffer is how many summary deltas (and other non-job events but
	// items) a subscription holds before it drops new ones. Zero means
	// DefaultDeltaBuffer (256).
	DeltaBuffer int
	// ItemBuffer is how many item events (ytsum.EventItem) a subscription
	// holds. An item is never dropped, as a client's copy of the job would
	// silently miss it: a subscription that would hold one more is evicted
	// instead, and its reader starts again from the job's current state.
	// Zero means DefaultItemBuffer (1024).
	ItemBuffer int
	// MaxJobs is how many distinct jobs may have a pending job event in one
	// subscription before it is evicted. Zero means DefaultMaxJobs (1024).
	MaxJobs int
}

// Filter selects the events a subscription receives. The zero value selects
// every event.
type Filter struct {
	// JobID, when set, selects only events of that job.
	JobID string
	// Types, when non-empty, selects only events of these types
	// (ytsum.EventJob, ytsum.EventSummaryDelta).
	Types []string
}

func (f Filter) match(ev *ytsum.Event) bool {
	if f.JobID != "" && f.JobID != ev.JobID {
		return false
	}
	return len(f.Types) == 0 || slices.Contains(f.Types, ev.Type)
}

// Broker fans events out to subscriptions. It is safe for concurrent use;
// the zero value is not usable, call New.
type Broker struct {
	opts Options

	mu     sync.Mutex
	seq    uint64
	subs   map[*Subscription]struct{}
	closed bool
}

// New returns a broker with the given options.
func New(opts Options) *Broker {
	if opts.DeltaBuffer <= 0 {
		opts.DeltaBuffer = DefaultDeltaBuffer
	}
	if opts.ItemBuffer <= 0 {
		opts.ItemBuffer = DefaultItemBuffer
	}
	if opts.MaxJobs <= 0 {
		opts.MaxJobs = DefaultMaxJobs
	}
	return &Broker{opts: opts, subs: make(map[*Subscription]struct{})}
}

// Publish assigns ev the next sequence number, queues it for every matching
// subscription and returns the number. It never blocks on subscribers and is
// safe to call from any goroutine. Publishing on a closed broker still
// assigns a number but delivers nothing. Data must not be modified after the
// call: subscribers share it.
func (b *Broker) Publish(ev ytsum.Event) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	ev.Seq = b.seq
	if b.closed {
		return ev.Seq
	}
	for s := range b.subs {
		if s.filter.match(&ev) {
			if !s.push(ev) {
				delete(b.subs, s) // evicted
			}
		}
	}
	return ev.Seq
}

// Seq returns the sequence number of the last published event (0 before
// the first).
func (b *Broker) Seq() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seq
}

// Subscribe returns a subscription receiving every event published from now
// on that matches f. Call Unsubscribe (or Subscription.Close) when done. On
// a closed broker the subscription is already closed.
func (b *Broker) Subscribe(f Filter) *Subscription {
	s := &Subscription{
		b:      b,
		filter: f,
		opts:   b.opts,
		jobIdx: make(map[string]int),
		ready:  make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		s.close(ErrClosed, true)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

// Unsubscribe removes s from the broker, drops its pending events and closes
// it. It is idempotent and safe to call concurrently with Next.
func (b *Broker) Unsubscribe(s *Subscription) {
	b.mu.Lock()
	delete(b.subs, s)
	b.mu.Unlock()
	s.close(ErrClosed, true)
}

// Subscribers returns the number of open subscriptions.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Close closes every subscription (each may still read the events already
// queued) and makes later subscriptions closed from the start. It is
// idempotent.
func (b *Broker) Close() {
	b.mu.Lock()
	subs := b.subs
	b.subs = make(map[*Subscription]struct{})
	b.closed = true
	b.mu.Unlock()
	for s := range subs {
		s.close(ErrClosed, false)
	}
}

// Forward delivers every event of s to emit, in Seq order, until ctx is
// done or s is closed; it then closes s and returns ctx's error, ErrClosed
// or ErrEvicted. It is the Wails adapter's loop:
//
//	go broker.Subscribe(events.Filter{}).Forward(ctx, func(name string, p json.RawMessage) {
//		runtime.EventsEmit(ctx, name, p)
//	})
//
// emit receives the event type as the event name and ev.Data as a
// json.RawMessage, which encoding/json (and so runtime.EventsEmit) writes
// out unchanged. emit runs on Forward's goroutine; a slow emit only delays
// this subscription (latest wins, see the package doc).
func (s *Subscription) Forward(ctx context.Context, emit func(name string, payload json.RawMessage)) error {
	defer s.Close()
	for {
		ev, err := s.Next(ctx)
		if err != nil {
			return err
		}
		emit(ev.Type, ev.Data)
	}
}

// Subscription is one reader's view of the broker: a bounded queue of
// pending events. Its methods are safe for concurrent use, but events are
// meant to be read by one goroutine.
type Subscription struct {
	b      *Broker
	filter Filter
	opts   Options

	mu      sync.Mutex
	queue   []slot         // pending events in Seq order; dead slots were superseded
	head    int            // index of the first slot not yet read
	live    int            // live slots in queue[head:]
	others  int            // live non-job slots (items included)
	items   int            // live item slots
	jobIdx  map[string]int // job ID -> index of its pending job event
	dropped uint64
	err     error // set once closed
	ready   chan struct{}
	done    chan struct{}
}

type slot struct {
	ev   ytsum.Event
	dead bool
}

// push queues ev; it reports false when the subscription was evicted.
// Called with the broker lock held.
func (s *Subscription) push(ev ytsum.Event) bool {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return false
	}
	if ev.Type == ytsum.EventJob {
		if i, ok := s.jobIdx[ev.JobID]; ok && i == len(s.queue)-1 {
			s.queue[i].ev = ev // latest wins, already last in line
			s.mu.Unlock()
			return true
		} else if ok {
			s.queue[i].dead = true // latest wins
			s.live--
		} else if len(s.jobIdx) >= s.opts.MaxJobs {
			s.mu.Unlock()
			s.close(ErrEvicted, true)
			return false
		}
		s.jobIdx[ev.JobID] = len(s.queue)
	} else if ev.Type == ytsum.EventItem {
		if s.items >= s.opts.ItemBuffer {
			s.mu.Unlock()
			s.close(ErrEvicted, true)
			return false
		}
		s.items++
		s.others++
	} else {
		if s.others-s.items >= s.opts.DeltaBuffer {
			s.dropped++
			s.mu.Unlock()
			return true
		}
		s.others++
	}
	s.queue = append(s.queue, slot{ev: ev})
	s.live++
	if n := len(s.queue) - s.head; n > 64 && n > 2*s.live {
		s.compact()
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
	return true
}

// compact drops read and dead slots. Called with s.mu held.
func (s *Subscription) compact() {
	q := make([]slot, 0, max(s.live*2, 8))
	clear(s.jobIdx)
	for _, sl := range s.queue[s.head:] {
		if sl.dead {
			continue
		}
		if sl.ev.Type == ytsum.EventJob {
			s.jobIdx[sl.ev.JobID] = len(q)
		}
		q = append(q, sl)
	}
	s.queue, s.head = q, 0
}

// TryNext returns the oldest pending event without waiting; ok is false when
// none is pending.
func (s *Subscription) TryNext() (ev ytsum.Event, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.head < len(s.queue) {
		sl := s.queue[s.head]
		s.queue[s.head] = slot{}
		s.head++
		if sl.dead {
			continue
		}
		s.live--
		if sl.ev.Type == ytsum.EventJob {
			delete(s.jobIdx, sl.ev.JobID)
		} else {
			s.others--
			if sl.ev.Type == ytsum.EventItem {
				s.items--
			}
		}
		if s.head == len(s.queue) {
			s.queue, s.head = s.queue[:0], 0
		} else if s.head > 256 && s.head*2 > len(s.queue) {
			s.compact()
		}
		return sl.ev, true
	}
	return ytsum.Event{}, false
}

// Next returns the oldest pending event, waiting for one until ctx is done.
// Once the subscription is closed it returns the events still queued (none
// after Unsubscribe or eviction), then ErrClosed or ErrEvicted.
func (s *Subscription) Next(ctx context.Context) (ytsum.Event, error) {
	for {
		if ev, ok := s.TryNext(); ok {
			return ev, nil
		}
		if err := s.Err(); err != nil {
			// A push may have raced the close; drain it first.
			if ev, ok := s.TryNext(); ok {
				return ev, nil
			}
			return ytsum.Event{}, err
		}
		select {
		case <-s.ready:
		case <-s.done:
		case <-ctx.Done():
			return ytsum.Event{}, ctx.Err()
		}
	}
}

// Ready returns a channel that receives a value after an event is queued.
// Use it in a select together with TryNext; drain with TryNext until it
// reports false before waiting again.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Done returns a channel closed when the subscription is closed.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err returns nil while the subscription is open, then ErrClosed or
// ErrEvicted.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Dropped returns how many events were dropped because the delta buffer
// was full.
func (s *Subscription) Dropped() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Len returns the number of pending events.
func (s *Subscription) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live
}

// Close unsubscribes s; it is the same as Broker.Unsubscribe(s).
func (s *Subscription) Close() { s.b.Unsubscribe(s) }

func (s *Subscription) close(err error, discard bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
		close(s.done)
	}
	if discard {
		s.queue, s.head, s.live, s.others, s.items = nil, 0, 0, 0, 0
		clear(s.jobIdx)
	}
}
