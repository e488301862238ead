package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"ytsum/backend/events"
	"ytsum/backend/ytsum"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait in these tests; nothing sleeps.
const waitTimeout = 5 * time.Second

func jobEvent(id string, n int) ytsum.Event {
	return ytsum.Event{Type: ytsum.EventJob, JobID: id, Data: json.RawMessage(fmt.Sprintf(`{"id":%q,"progress":%d}`, id, n))}
}

func deltaEvent(id, delta string) ytsum.Event {
	b, _ := json.Marshal(ytsum.SummaryDelta{JobID: id, VideoID: "v", Delta: delta})
	return ytsum.Event{Type: ytsum.EventSummaryDelta, JobID: id, Data: b}
}

// MustNext reads one event with a deadline.
func MustNext(tb testing.TB, s *events.Subscription) ytsum.Event {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	ev, err := s.Next(ctx)
	if err != nil {
		tb.Fatalf("Next: %v", err)
	}
	return ev
}

// drain reads every pending event without waiting.
func drain(s *events.Subscription) []ytsum.Event {
	var out []ytsum.Event
	for {
		ev, ok := s.TryNext()
		if !ok {
			return out
		}
		out = append(out, ev)
	}
}

// Ensure Seq starts at 1, increases by one per Publish, and filters select by job and type.
func TestPublishSeqAndFilter(t *testing.T) {
	tests := []struct {
		name   string
		filter events.Filter
		want   []uint64 // Seqs received
	}{
		{"all", events.Filter{}, []uint64{1, 2, 3, 4}},
		{"job a", events.Filter{JobID: "a"}, []uint64{1, 2}},
		{"deltas", events.Filter{Types: []string{ytsum.EventSummaryDelta}}, []uint64{2, 4}},
		{"job b jobs only", events.Filter{JobID: "b", Types: []string{ytsum.EventJob}}, []uint64{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := events.New(events.Options{})
			defer b.Close()
			s := b.Subscribe(tt.filter)
			defer s.Close()
			for i, ev := range []ytsum.Event{jobEvent("a", 1), deltaEvent("a", "x"), jobEvent("b", 1), deltaEvent("b", "y")} {
				if got := b.Publish(ev); got != uint64(i+1) {
					t.Fatalf("Publish #%d = seq %d", i+1, got)
				}
			}
			var got []uint64
			for _, ev := range drain(s) {
				got = append(got, ev.Seq)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("seqs = %v, want %v", got, tt.want)
			}
		})
	}
}

// Ensure a subscriber that does not read gets only the latest job state per
// job, in Seq order, while a reading subscriber gets everything.
func TestSlowSubscriberLatestWins(t *testing.T) {
	b := events.New(events.Options{})
	defer b.Close()
	slow := b.Subscribe(events.Filter{})
	defer slow.Close()
	fast := b.Subscribe(events.Filter{})
	defer fast.Close()

	var fastSeen int
	for i := 1; i <= 1000; i++ {
		b.Publish(jobEvent("a", i))
		if i%3 == 0 {
			b.Publish(jobEvent("b", i))
		}
		fastSeen += len(drain(fast))
	}
	if fastSeen != 1000+333 {
		t.Fatalf("fast subscriber saw %d events, want %d", fastSeen, 1333)
	}
	got := drain(slow)
	if len(got) != 2 {
		t.Fatalf("slow subscriber has %d events pending, want 2 (latest per job): %v", len(got), got)
	}
	if got[0].JobID != "b" || string(got[0].Data) != `{"id":"b","progress":999}` {
		t.Fatalf("first = %s %s, want job b at 999", got[0].JobID, got[0].Data)
	}
	if got[1].JobID != "a" || string(got[1].Data) != `{"id":"a","progress":1000}` {
		t.Fatalf("second = %s %s, want job a at 1000", got[1].JobID, got[1].Data)
	}
	if got[0].Seq >= got[1].Seq {
		t.Fatalf("seqs out of order: %d then %d", got[0].Seq, got[1].Seq)
	}
}

// Ensure deltas beyond the buffer are dropped and counted, never blocking
// Publish, and job events still get through.
func TestDeltasDroppedForSlowSubscriber(t *testing.T) {
	b := events.New(events.Options{DeltaBuffer: 4})
	defer b.Close()
	s := b.Subscribe(events.Filter{})
	defer s.Close()
	for i := range 10 {
		b.Publish(deltaEvent("a", fmt.Sprint(i)))
	}
	b.Publish(jobEvent("a", 1))
	if s.Dropped() != 6 {
		t.Fatalf("Dropped = %d, want 6", s.Dropped())
	}
	got := drain(s)
	if len(got) != 5 || got[4].Type != ytsum.EventJob {
		t.Fatalf("got %d events (last %v), want 4 deltas then the job", len(got), got[len(got)-1].Type)
	}
	// After reading, the buffer has room again.
	b.Publish(deltaEvent("a", "again"))
	if ev := MustNext(t, s); ev.Type != ytsum.EventSummaryDelta {
		t.Fatalf("got %s, want a delta", ev.Type)
	}
}

// Ensure item events are never dropped, whatever the deltas did: a
// subscriber holding ItemBuffer of them unread is evicted on the next one
// instead, and one that reads keeps every item in order.
func TestItemsNeverDropped(t *testing.T) {
	b := events.New(events.Options{DeltaBuffer: 2, ItemBuffer: 3})
	defer b.Close()
	item := func(n int) ytsum.Event {
		return ytsum.Event{Type: ytsum.EventItem, JobID: "a", Data: []byte(fmt.Sprintf(`{"n":%d}`, n))}
	}
	reader := b.Subscribe(events.Filter{})
	defer reader.Close()
	slow := b.Subscribe(events.Filter{})
	for i := range 5 {
		b.Publish(deltaEvent("a", fmt.Sprint(i))) // fills the delta buffer: not the items'
	}
	for i := range 3 {
		b.Publish(item(i))
	}
	var got []string
	for _, ev := range drain(reader) {
		if ev.Type == ytsum.EventItem {
			got = append(got, string(ev.Data))
		}
	}
	if fmt.Sprint(got) != `[{"n":0} {"n":1} {"n":2}]` || reader.Dropped() != 3 {
		t.Fatalf("items read = %v (%d deltas dropped), want all three in order", got, reader.Dropped())
	}
	if slow.Err() != nil {
		t.Fatal("evicted while its items fit")
	}
	b.Publish(item(3)) // the slow one would hold four
	if _, err := slow.Next(context.Background()); !errors.Is(err, events.ErrEvicted) {
		t.Fatalf("slow subscriber Next = %v, want ErrEvicted", err)
	}
	if ev := MustNext(t, reader); ev.Type != ytsum.EventItem || string(ev.Data) != `{"n":3}` {
		t.Fatalf("reader got %s %s", ev.Type, ev.Data)
	}
}

// Ensure one subscriber that never reads does not stall publishers or the
// other subscribers, and its memory stays bounded.
func TestStalledSubscriberDoesNotStallOthers(t *testing.T) {
	b := events.New(events.Options{})
	defer b.Close()
	stalled := b.Subscribe(events.Filter{})
	defer stalled.Close()

	const readers, n = 20, 5000
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for range readers {
		s := b.Subscribe(events.Filter{JobID: "a"})
		wg.Go(func() {
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			last := uint64(0)
			for {
				ev, err := s.Next(ctx)
				if err != nil {
					errs <- err
					return
				}
				if ev.Seq <= last {
					errs <- fmt.Errorf("seq %d after %d", ev.Seq, last)
					return
				}
				last = ev.Seq
				if string(ev.Data) == fmt.Sprintf(`{"id":"a","progress":%d}`, n) {
					return
				}
			}
		})
	}
	for i := 1; i <= n; i++ {
		b.Publish(deltaEvent("a", "text"))
		b.Publish(jobEvent("a", i))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if l := stalled.Len(); l > events.DefaultDeltaBuffer+1 {
		t.Fatalf("stalled subscriber holds %d events, want at most %d", l, events.DefaultDeltaBuffer+1)
	}
}

// Ensure a subscriber with pending events for too many distinct jobs is evicted.
func TestEviction(t *testing.T) {
	b := events.New(events.Options{MaxJobs: 2})
	defer b.Close()
	s := b.Subscribe(events.Filter{})
	b.Publish(jobEvent("a", 1))
	b.Publish(jobEvent("b", 1))
	b.Publish(jobEvent("a", 2)) // coalesces, still two jobs
	if b.Subscribers() != 1 {
		t.Fatal("evicted too early")
	}
	b.Publish(jobEvent("c", 1))
	select {
	case <-s.Done():
	default:
		t.Fatal("subscription not closed after eviction")
	}
	if _, err := s.Next(context.Background()); !errors.Is(err, events.ErrEvicted) {
		t.Fatalf("Next = %v, want ErrEvicted", err)
	}
	if b.Subscribers() != 0 {
		t.Fatalf("Subscribers = %d, want 0", b.Subscribers())
	}
	if ytsum.ErrorCode(events.ErrEvicted) != ytsum.CodeUnavailable {
		t.Fatal("ErrEvicted must carry a ytsum code")
	}
}

// Ensure Unsubscribe and Close wake a waiting Next and end it with ErrClosed.
func TestCloseWakesNext(t *testing.T) {
	tests := []struct {
		name  string
		close func(*events.Broker, *events.Subscription)
		// pending reports whether an event queued before closing is still readable.
		pending bool
	}{
		{"unsubscribe", func(b *events.Broker, s *events.Subscription) { b.Unsubscribe(s) }, false},
		{"broker close", func(b *events.Broker, s *events.Subscription) { b.Close() }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := events.New(events.Options{})
			defer b.Close()
			s := b.Subscribe(events.Filter{})
			got := make(chan error, 1)
			started := make(chan struct{})
			go func() {
				close(started)
				_, err := s.Next(context.Background())
				got <- err
			}()
			<-started
			tt.close(b, s)
			select {
			case err := <-got:
				if !errors.Is(err, events.ErrClosed) {
					t.Fatalf("Next = %v, want ErrClosed", err)
				}
			case <-time.After(waitTimeout):
				t.Fatal("Next did not return after close")
			}

			b2 := events.New(events.Options{})
			defer b2.Close()
			s2 := b2.Subscribe(events.Filter{})
			b2.Publish(jobEvent("a", 1))
			tt.close(b2, s2)
			_, err := s2.Next(context.Background())
			if tt.pending != (err == nil) {
				t.Fatalf("Next after close = %v, want pending event: %v", err, tt.pending)
			}
		})
	}
	b := events.New(events.Options{})
	b.Close()
	if s := b.Subscribe(events.Filter{}); s.Err() == nil {
		t.Fatal("Subscribe on a closed broker returned an open subscription")
	}
}

// Ensure Next returns the context's error when it is done.
func TestNextContext(t *testing.T) {
	b := events.New(events.Options{})
	defer b.Close()
	s := b.Subscribe(events.Filter{})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next = %v, want context.Canceled", err)
	}
}

// Ensure concurrent publishers never break Seq order for a subscriber.
func TestConcurrentPublishersKeepOrder(t *testing.T) {
	b := events.New(events.Options{DeltaBuffer: 1 << 20})
	defer b.Close()
	s := b.Subscribe(events.Filter{Types: []string{ytsum.EventSummaryDelta}})
	defer s.Close()
	var wg sync.WaitGroup
	for p := range 8 {
		wg.Go(func() {
			for range 500 {
				b.Publish(deltaEvent(fmt.Sprint(p), "x"))
			}
		})
	}
	last, n := uint64(0), 0
	for n < 4000 {
		ev := MustNext(t, s)
		if ev.Seq <= last {
			t.Fatalf("seq %d after %d", ev.Seq, last)
		}
		last = ev.Seq
		n++
	}
	wg.Wait()
	if b.Seq() != 4000 {
		t.Fatalf("Seq = %d, want 4000", b.Seq())
	}
}

// Ensure Forward hands every event to emit and stops with its context.
func TestForward(t *testing.T) {
	b := events.New(events.Options{})
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan string, 10)
	done := make(chan error, 1)
	s := b.Subscribe(events.Filter{})
	go func() {
		done <- s.Forward(ctx, func(name string, payload json.RawMessage) {
			got <- name + " " + string(payload)
		})
	}()
	b.Publish(jobEvent("a", 1))
	b.Publish(deltaEvent("a", "hi"))
	for _, want := range []string{`job {"id":"a","progress":1}`, `summary_delta {"job_id":"a","video_id":"v","delta":"hi"}`} {
		select {
		case g := <-got:
			if g != want {
				t.Fatalf("emit got %q, want %q", g, want)
			}
		case <-time.After(waitTimeout):
			t.Fatal("emit not called")
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Forward = %v", err)
	}
	if b.Subscribers() != 0 {
		t.Fatal("Forward left its subscription open")
	}
}
