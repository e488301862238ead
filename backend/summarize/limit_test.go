package summarize

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ytsum/backend/summarize/internal/fakellm"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

const deadline = 10 * time.Second

// wait receives n values from ch or fails the test after the deadline.
func wait(t *testing.T, ch <-chan struct{}, n int, what string) {
	t.Helper()
	timeout := time.After(deadline)
	for i := range n {
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("%s: %d of %d within %v", what, i, n, deadline)
		}
	}
}

func TestLimitFallbacks(t *testing.T) {
	tests := []struct {
		name        string
		concurrency int
		forFunc     func(string) int
		want        map[string]int
	}{
		{"all zero", 0, nil, map[string]int{"google": 4, "openai": 4, "local": 4}},
		{"Concurrency only", 6, nil, map[string]int{"google": 6, "openai": 6, "local": 6}},
		{"per provider", 6, func(p string) int {
			return map[string]int{"google": 2, "openai": 3}[p]
		}, map[string]int{"google": 2, "openai": 3, "local": 6}},
		{"negative falls back", 0, func(string) int { return -1 }, map[string]int{"google": 4, "openai": 4, "local": 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestService(t, Options{Concurrency: tt.concurrency, ConcurrencyFor: tt.forFunc})
			for p, want := range tt.want {
				if got := s.limit(p); got != want {
					t.Errorf("limit(%s) = %d, want %d", p, got, want)
				}
				if got := s.limits[p].size(); got != want {
					t.Errorf("limiter %s size = %d, want %d", p, got, want)
				}
			}
		})
	}
}

// barrier makes the first n calls of a fake wait until n are in flight
// together and another call waits in limiter l (or the deadline passes);
// later calls answer at once. When the held calls go on, it records how
// many calls l had let in (at most, over the held calls) in *admitted: with
// n calls held at the fake and one queued, that must be exactly n.
func barrier(n int, l *limiter, admitted *atomic.Int32) func(c fakellm.Call) fakellm.Reply {
	var mu sync.Mutex
	arrived := 0
	full, queued := make(chan struct{}), make(chan struct{})
	var once sync.Once
	l.onWait = func() { once.Do(func() { close(queued) }) }
	return func(c fakellm.Call) fakellm.Reply {
		mu.Lock()
		arrived++
		k := arrived
		if k == n {
			close(full)
		}
		mu.Unlock()
		if k <= n {
			timeout := time.After(deadline)
			for _, ch := range []<-chan struct{}{full, queued} {
				select {
				case <-ch:
				case <-timeout:
				}
			}
			inUse, _ := l.state()
			for m := admitted.Load(); int32(inUse) > m && !admitted.CompareAndSwap(m, int32(inUse)); m = admitted.Load() {
			}
		}
		return fakellm.Default(c)
	}
}

// TestPerProviderLimits runs two long Gemini summaries (limit 2) and two
// long Ollama summaries (limit 3) at the same time; each fake sees exactly
// its provider's limit, although Concurrency says 10.
func TestPerProviderLimits(t *testing.T) {
	limits := map[string]int{llm.ProviderGoogle: 2, llm.ProviderOpenAI: 3}
	g := geminiFake(t, geminiModel("gemini-2.5-flash", 20_000))
	o := openaiFake(t, "", "llama3.2")
	s, _ := newTestService(t, Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(g.URL),
		OpenAIBaseURL: str(o.URL + "/v1"), LocalChunkTokens: 1000, Concurrency: 10,
		ConcurrencyFor: func(p string) int { return limits[p] }})
	var gAdmitted, oAdmitted atomic.Int32
	g.Handle = barrier(limits[llm.ProviderGoogle], s.limits[llm.ProviderGoogle], &gAdmitted)
	o.Handle = barrier(limits[llm.ProviderOpenAI], s.limits[llm.ProviderOpenAI], &oAdmitted)
	s.Models(context.Background())

	runs := []struct {
		model string
		words int
	}{{"gemini-2.5-flash", 30_000}, {"gemini-2.5-flash", 30_000}, {"llama3.2", 5_000}, {"llama3.2", 5_000}}
	errs := make(chan error, len(runs))
	for _, r := range runs {
		go func() {
			_, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(r.words),
				Options: ytsum.SummaryOptions{Model: r.model}}, nil)
			errs <- err
		}()
	}
	for range runs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name     string
		fake     interface{ MaxInflight() int }
		calls    int
		limit    int
		admitted *atomic.Int32
	}{
		{"gemini", g, len(g.Calls()), limits[llm.ProviderGoogle], &gAdmitted},
		{"openai", o, len(o.Calls()), limits[llm.ProviderOpenAI], &oAdmitted},
	} {
		if got := c.fake.MaxInflight(); got != c.limit {
			t.Errorf("%s: at most %d calls at once at the fake, want exactly %d", c.name, got, c.limit)
		}
		if got := int(c.admitted.Load()); got != c.limit {
			t.Errorf("%s: %d calls let in while %d were held and others waited, want %d", c.name, got, c.limit, c.limit)
		}
		if c.calls <= c.limit {
			t.Errorf("%s: only %d calls; the limit was not tested", c.name, c.calls)
		}
		t.Logf("%s: %d calls, at most %d at once (limit %d)", c.name, c.calls, c.fake.MaxInflight(), c.limit)
	}
}

// heldFake is an Ollama-like fake whose calls report their arrival and wait
// until released.
func heldFake(t *testing.T) (o *fakellm.OpenAI, arrived chan struct{}, release chan struct{}) {
	o = openaiFake(t, "", "llama3.2")
	arrived = make(chan struct{}, 100)
	release = make(chan struct{})
	t.Cleanup(func() { unblock(release) }) // runs before the fake closes
	o.Handle = func(c fakellm.Call) fakellm.Reply {
		arrived <- struct{}{}
		<-release
		return fakellm.Default(c)
	}
	return o, arrived, release
}

// start runs n one-pass summaries in the background; their errors arrive on
// the returned channel.
func start(s *Service, n int) <-chan error {
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(200),
				Options: ytsum.SummaryOptions{Model: "llama3.2"}}, nil)
			errs <- err
		}()
	}
	return errs
}

// unblock closes ch unless it is closed already (by the test, before its
// cleanup), so that a failed test does not leave the fake's handlers blocked.
func unblock(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}

func wantState(t *testing.T, l *limiter, inUse, waiting int) {
	t.Helper()
	if i, w := l.state(); i != inUse || w != waiting {
		t.Fatalf("limiter: %d in flight, %d waiting; want %d and %d", i, w, inUse, waiting)
	}
}

// TestLimitRaisedAtRunTime: with a limit of 2, five calls run two at a time;
// raising the limit to 4 lets two of the waiting calls in without any call
// finishing.
func TestLimitRaisedAtRunTime(t *testing.T) {
	o, arrived, release := heldFake(t)
	var limit atomic.Int32
	limit.Store(2)
	s, _ := newTestService(t, Options{OpenAIBaseURL: str(o.URL + "/v1"),
		ConcurrencyFor: func(string) int { return int(limit.Load()) }})
	s.Models(context.Background())
	l := s.limits[llm.ProviderOpenAI]
	l.recheck = 5 * time.Millisecond
	queued := make(chan struct{}, 100)
	l.onWait = func() { queued <- struct{}{} }

	errs := start(s, 5)
	wait(t, arrived, 2, "calls in flight")
	wait(t, queued, 3, "calls waiting")
	wantState(t, l, 2, 3)
	if got := o.MaxInflight(); got != 2 {
		t.Fatalf("%d calls at once, limit 2", got)
	}

	limit.Store(4)
	wait(t, arrived, 2, "calls let in by the raised limit")
	wantState(t, l, 4, 1)
	if got := o.MaxInflight(); got != 4 {
		t.Fatalf("%d calls at once after raising the limit to 4", got)
	}
	unblock(release)
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	wantState(t, l, 0, 0)
}

// TestLimitLoweredAtRunTime: three calls run under a limit of 4; after the
// limit drops to 1, new calls wait although only 3 are in flight, the three
// finish undisturbed, and then the new calls run one at a time.
func TestLimitLoweredAtRunTime(t *testing.T) {
	o := openaiFake(t, "", "llama3.2")
	var (
		n        atomic.Int32
		inflight atomic.Int32
		maxLater atomic.Int32
	)
	arrived := make(chan struct{}, 100)
	releaseFirst, releaseLater := make(chan struct{}), make(chan struct{})
	o.Handle = func(c fakellm.Call) fakellm.Reply {
		if n.Add(1) <= 3 {
			arrived <- struct{}{}
			<-releaseFirst
			return fakellm.Default(c)
		}
		k := inflight.Add(1)
		defer inflight.Add(-1)
		for m := maxLater.Load(); k > m && !maxLater.CompareAndSwap(m, k); m = maxLater.Load() {
		}
		arrived <- struct{}{}
		<-releaseLater
		return fakellm.Default(c)
	}
	t.Cleanup(func() { unblock(releaseFirst); unblock(releaseLater) }) // before the fake closes
	var limit atomic.Int32
	limit.Store(4)
	s, _ := newTestService(t, Options{OpenAIBaseURL: str(o.URL + "/v1"),
		ConcurrencyFor: func(string) int { return int(limit.Load()) }})
	s.Models(context.Background())
	l := s.limits[llm.ProviderOpenAI]
	l.recheck = 5 * time.Millisecond
	queued := make(chan struct{}, 100)
	l.onWait = func() { queued <- struct{}{} }

	first := start(s, 3)
	wait(t, arrived, 3, "first calls in flight")
	limit.Store(1)
	later := start(s, 2)
	wait(t, queued, 2, "later calls waiting")
	wantState(t, l, 3, 2)

	unblock(releaseFirst)
	for range 3 {
		if err := <-first; err != nil {
			t.Fatalf("a call in flight failed after the limit was lowered: %v", err)
		}
	}
	wait(t, arrived, 1, "one later call let in")
	wantState(t, l, 1, 1)
	unblock(releaseLater)
	for range 2 {
		if err := <-later; err != nil {
			t.Fatal(err)
		}
	}
	if got := maxLater.Load(); got != 1 {
		t.Fatalf("later calls ran %d at once under a limit of 1", got)
	}
}

// TestLimiterCancelWhileWaiting: a waiting call whose context ends leaves the
// queue and holds no slot.
func TestLimiterCancelWhileWaiting(t *testing.T) {
	l := &limiter{size: func() int { return 1 }, recheck: time.Hour}
	queued := make(chan struct{}, 1)
	l.onWait = func() { queued <- struct{}{} }
	if err := l.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.acquire(ctx) }()
	wait(t, queued, 1, "waiter queued")
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("acquire = %v, want context.Canceled", err)
		}
	case <-time.After(deadline):
		t.Fatal("a cancelled waiter did not return")
	}
	wantState(t, l, 1, 0)
	l.release()
	wantState(t, l, 0, 0)
	if err := l.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantState(t, l, 1, 0)
}
