package youtube

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestConcurrencyLimit(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newFake(t)
			c := f.client(Options{Concurrency: n})
			// The watch page is fetched once per session, under a lock; fetch
			// it before the gate closes so the player calls run side by side.
			if _, err := c.sessionValues(context.Background(), idSrv3); err != nil {
				t.Fatal(err)
			}
			gate := make(chan struct{})
			f.mu.Lock()
			f.gate = gate
			f.mu.Unlock()
			const calls = 6
			var wg sync.WaitGroup
			errs := make(chan error, calls)
			for i := 0; i < calls; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := c.Video(context.Background(), idSrv3)
					errs <- err
				}()
			}
			// Wait until n requests are held at the gate.
			deadline := time.After(5 * time.Second)
			for {
				f.mu.Lock()
				in := f.inflight
				f.mu.Unlock()
				if in >= n {
					break
				}
				select {
				case <-deadline:
					t.Fatalf("only %d requests reached the server", in)
				case <-time.After(time.Millisecond):
				}
			}
			close(gate)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			f.mu.Lock()
			got := f.maxInfl
			f.mu.Unlock()
			if got != n {
				t.Fatalf("max requests in flight %d; want %d", got, n)
			}
		})
	}
}

func TestConcurrencyDefaultIsTwo(t *testing.T) {
	if got := cap(New(Options{}).sem); got != 2 {
		t.Errorf("default concurrency %d", got)
	}
}

func TestRetry5xxThenSuccess(t *testing.T) {
	f := newFake(t)
	f.flakyFails = 2
	c := f.client(Options{MaxRetries: 2})
	tr, err := c.Transcript(context.Background(), idFlaky, []string{"en"})
	if err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	if tr.VideoID != idFlaky || f.count("POST /youtubei/v1/player") != 3 {
		t.Errorf("player asked %d times; want 3", f.count("POST /youtubei/v1/player"))
	}
}

func TestRetry5xxBounded(t *testing.T) {
	f := newFake(t)
	f.flakyFails = 100
	c := f.client(Options{MaxRetries: 3})
	_, err := c.Transcript(context.Background(), idFlaky, []string{"en"})
	// The watch page had no player response, so the player's error stands.
	wantKind(t, err, KindYouTubeError)
	if n := f.count("POST /youtubei/v1/player"); n != 4 {
		t.Errorf("player asked %d times; want 1 + 3 retries", n)
	}
}

func TestRateLimitRetriesAndSlowsDown(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{MaxRetries: 2, Backoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	start := time.Now()
	_, err := c.Transcript(context.Background(), idRate, nil)
	ye := wantKind(t, err, KindRateLimited)
	if ye.RetryAfter != time.Second {
		t.Errorf("RetryAfter %s; want the server's 1s", ye.RetryAfter)
	}
	if n := f.count("GET /watch"); n != 3 {
		t.Errorf("watch page asked %d times; want 1 + 2 retries", n)
	}
	// Two waits of at least the (capped) Retry-After of 50 ms each.
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("retries came after %s; want backoff", d)
	}
	gap := c.gov.slowedDown()
	if gap <= 0 {
		t.Fatalf("no global slow-down after refusals")
	}
	// The slow-down spaces out the next requests, of any video…
	before := time.Now()
	if _, err := c.Video(context.Background(), idSrv3); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(before); d < gap {
		t.Errorf("next request went out after %s; want at least %s", d, gap)
	}
	// …and relaxes as YouTube answers normally again.
	for i := 0; i < 8 && c.gov.slowedDown() > 0; i++ {
		c.memo = map[string]memoEntry{}
		if _, err := c.Video(context.Background(), idSrv3); err != nil {
			t.Fatal(err)
		}
	}
	if g := c.gov.slowedDown(); g != 0 {
		t.Errorf("slow-down %s never relaxed", g)
	}
}

func TestBotCheckSlowsDown(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	_, err := c.Transcript(context.Background(), idBlocked, nil)
	wantKind(t, err, KindBlocked)
	if c.gov.slowedDown() == 0 {
		t.Errorf("a bot check did not slow the client down")
	}
}

func TestGovernorBackoff(t *testing.T) {
	g := newGovernor(100*time.Millisecond, time.Second)
	for attempt := 0; attempt < 6; attempt++ {
		base := min(100*time.Millisecond<<attempt, time.Second)
		for i := 0; i < 50; i++ {
			d := g.backoff(attempt)
			if d < base/2 || d > min(base*3/2, time.Second) {
				t.Fatalf("backoff(%d) = %s outside [%s, %s]", attempt, d, base/2, base*3/2)
			}
		}
	}
	g.refused(0)
	g.refused(0)
	if g.slowedDown() != 200*time.Millisecond {
		t.Errorf("gap %s after two refusals", g.slowedDown())
	}
	for i := 0; i < 10; i++ {
		g.refused(0)
	}
	if g.slowedDown() != time.Second {
		t.Errorf("gap %s not capped", g.slowedDown())
	}
}

// waitStarted waits for the fake to report a hanging request.
func waitStarted(t *testing.T, f *fakeYT) {
	t.Helper()
	select {
	case <-f.hangStart:
	case <-time.After(5 * time.Second):
		t.Fatal("request never reached the fake")
	}
}

func TestCancelInFlight(t *testing.T) {
	calls := map[string]func(c *Client, ctx context.Context) error{
		"Transcript": func(c *Client, ctx context.Context) error {
			_, err := c.Transcript(ctx, idHang, nil)
			return err
		},
		"Video": func(c *Client, ctx context.Context) error {
			_, err := c.Video(ctx, idHang)
			return err
		},
		"Playlist": func(c *Client, ctx context.Context) error {
			_, err := c.Playlist(ctx, "PL"+idHang+"00000")
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			c := f.client(Options{})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- call(c, ctx) }()
			waitStarted(t, f)
			start := time.Now()
			cancel()
			select {
			case err := <-done:
				wantKind(t, err, KindCancelled)
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error does not wrap context.Canceled: %v", err)
				}
				if d := time.Since(start); d > 500*time.Millisecond {
					t.Errorf("cancel took %s", d)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("cancel did not abort the request")
			}
		})
	}
}

func TestCancelWhileWaitingForASlot(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{Concurrency: 1})
	hold, release := context.WithCancel(context.Background())
	defer release()
	go c.Video(hold, idHang) // takes the only slot
	waitStarted(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Video(ctx, idOK)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		wantKind(t, err, KindCancelled)
	case <-time.After(2 * time.Second):
		t.Fatal("waiting for the limiter ignored the cancel")
	}
	if n := f.count("GET /watch?v=" + idOK); n != 0 {
		t.Errorf("the cancelled call still reached YouTube")
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	f := newFake(t)
	// Long backoff: the 429 answer asks for 1 s, the cap allows 30 s.
	c := f.client(Options{MaxRetries: 5, Backoff: 10 * time.Second, MaxBackoff: 30 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Transcript(ctx, idRate, nil)
		done <- err
	}()
	// Wait until the first 429 has been answered, then cancel mid-backoff.
	deadline := time.After(5 * time.Second)
	for f.count("GET /watch") == 0 {
		select {
		case <-deadline:
			t.Fatal("no request")
		case <-time.After(time.Millisecond):
		}
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		wantKind(t, err, KindCancelled)
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("cancel during backoff took %s", d)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("backoff ignored the cancel")
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Transcript(ctx, idOK, nil)
	wantKind(t, err, KindCancelled)
	if len(f.requests()) != 0 {
		t.Errorf("requests after cancel: %q", f.requests())
	}
}

// Ensure one video whose watch page YouTube stalls does not hold the others
// until its deadlines: after sessionPatience a waiting video fetches its
// own watch page and finishes.
func TestStalledSessionDoesNotHoldOthers(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{Concurrency: 2})
	hold, release := context.WithCancel(context.Background())
	defer release()
	go c.Transcript(hold, idHang, []string{"en"}) // fetches the session's watch page, which hangs
	waitStarted(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), sessionPatience+10*time.Second)
	defer cancel()
	tr, err := c.Transcript(ctx, idOK, []string{"en"})
	if err != nil || tr.Language != "en" {
		t.Fatalf("the second video waited on the stalled one: %+v %v", tr, err)
	}
	if n := f.count("GET /watch?v=" + idOK); n != 1 {
		t.Errorf("the second video fetched its own watch page %d times, want 1", n)
	}
}
