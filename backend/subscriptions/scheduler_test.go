package subscriptions

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

// runScheduler starts Run and returns a channel receiving the time Run is
// about to wait until each time it goes idle.
func (e *env) runScheduler() <-chan time.Time {
	idle := make(chan time.Time, 100)
	e.svc.onIdle = func(next time.Time) { idle <- next }
	select { // the nudges of the follows before Run: not what the tests wait for
	case <-e.svc.wake:
	default:
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.svc.Run(ctx)
	}()
	e.t.Cleanup(func() {
		cancel()
		<-done
	})
	return idle
}

func waitIdle(t *testing.T, idle <-chan time.Time) time.Time {
	t.Helper()
	select {
	case next := <-idle:
		return next
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler did not go idle")
	}
	return time.Time{}
}

func TestSchedulerIntervalPauseResume(t *testing.T) {
	e := newEnv(t)
	start := e.clk.Now()
	sub := e.follow(e.channel(1, entries("a", 1, 2, start)...), FollowOptions{IntervalMinutes: 5})
	idle := e.runScheduler()
	if next := waitIdle(t, idle); !next.Equal(start.Add(5 * time.Minute)) {
		t.Fatalf("first check due %v, want +5m", next.Sub(start))
	}
	e.feeds.add(chanID(1), "", fakeEntry{id: vid("b", 1), published: start.Add(time.Minute)})
	e.clk.Advance(5 * time.Minute)
	if f := e.pub.waitFound(t); f.sub.ID != sub.ID || !slices.Equal(f.ids, []string{vid("b", 1)}) {
		t.Fatalf("Found = %+v", f)
	}
	if next := waitIdle(t, idle); !next.Equal(start.Add(10 * time.Minute)) {
		t.Fatalf("second check due %v, want +10m", next.Sub(start))
	}

	// Paused: no timer, no request.
	paused := true
	if _, err := e.svc.Update(t.Context(), sub.ID, Patch{Paused: &paused}); err != nil {
		t.Fatal(err)
	}
	if next := waitIdle(t, idle); !next.IsZero() {
		t.Fatalf("a paused subscription is still scheduled at %v", next)
	}
	before, _ := e.feeds.counts()
	e.clk.Advance(30 * time.Minute)
	if after, _ := e.feeds.counts(); after != before {
		t.Fatalf("a paused subscription was checked (%d requests)", after-before)
	}

	// Resumed while overdue: checked at once.
	paused = false
	if _, err := e.svc.Update(t.Context(), sub.ID, Patch{Paused: &paused}); err != nil {
		t.Fatal(err)
	}
	e.pub.waitChecked(t, sub.ID, e.clk.Now())
	if after, _ := e.feeds.counts(); after != before+1 {
		t.Fatalf("resume made %d requests, want 1", after-before)
	}
	if next := waitIdle(t, idle); next.Sub(e.clk.Now()) != 5*time.Minute {
		t.Fatalf("after resume next check in %v, want 5m", next.Sub(e.clk.Now()))
	}

	// A 5xx: the scheduler backs off instead of checking every 5 minutes.
	e.feeds.set(http.StatusInternalServerError, "")
	e.clk.Advance(5 * time.Minute)
	e.pub.waitChecked(t, sub.ID, e.clk.Now())
	if next := waitIdle(t, idle); next.Sub(e.clk.Now()) != 5*time.Minute {
		t.Fatalf("after one failure next check in %v, want the 5m back-off", next.Sub(e.clk.Now()))
	}
	e.clk.Advance(5 * time.Minute)
	e.pub.waitChecked(t, sub.ID, e.clk.Now())
	if next := waitIdle(t, idle); next.Sub(e.clk.Now()) != 10*time.Minute {
		t.Fatalf("after two failures next check in %v, want 10m", next.Sub(e.clk.Now()))
	}
}

// TestCatchUpAtStart: the app was closed for a week; at start every
// subscription is checked once, spread over StartSpread, and each makes one
// job however many videos it missed.
func TestCatchUpAtStart(t *testing.T) {
	e := newEnv(t)
	start := e.clk.Now()
	var subs []ytsum.Subscription
	for i := 1; i <= 3; i++ {
		subs = append(subs, e.follow(e.channel(i, entries(fmt.Sprintf("a%d", i), 1, 3, start)...), FollowOptions{}))
	}
	e.clk.Advance(7 * 24 * time.Hour)
	week := e.clk.Now()
	for i := 1; i <= 3; i++ {
		e.feeds.add(chanID(i), "", entries(fmt.Sprintf("n%d", i), 1, 4*i, week)...)
	}
	r := []float64{0.9, 0.1, 0.5}
	var mu sync.Mutex
	e.rebuild(func(c *Config) {
		c.StartSpread = 2 * time.Minute
		c.Rand = func() float64 {
			mu.Lock()
			defer mu.Unlock()
			v := r[0]
			r = append(r[1:], v)
			return v
		}
	})
	idle := e.runScheduler()
	next := waitIdle(t, idle)
	if d := next.Sub(week); d <= 0 || d > 2*time.Minute {
		t.Fatalf("first catch-up due %v after start, want within the 2m spread", d)
	}
	e.clk.Advance(2 * time.Minute)
	got := map[string]int{}
	for range 3 {
		f := e.pub.waitFound(t)
		got[f.sub.ID] = len(f.ids)
	}
	for i, s := range subs {
		want := min(4*(i+1), 15) // the feed lists the newest 15
		if got[s.ID] != want {
			t.Errorf("subscription %d caught up %d videos, want %d", i+1, got[s.ID], want)
		}
	}
	if jobs := e.jobs.jobs(); len(jobs) != 3 {
		t.Fatalf("catch-up made %d jobs, want one per subscription (3)", len(jobs))
	}
}

func TestJitterSpreadsFifty(t *testing.T) {
	e := newEnv(t)
	e.rebuild(func(c *Config) { c.Jitter = 0 }) // the default, 10 %
	var nexts []time.Time
	for i := 1; i <= 50; i++ {
		s := e.follow(e.channel(i, entries(fmt.Sprintf("c%d", i), 1, 1, e.clk.Now())...), FollowOptions{})
		r, _ := e.svc.load(s.ID)
		nexts = append(nexts, r.NextCheck)
	}
	slices.SortFunc(nexts, func(a, b time.Time) int { return a.Compare(b) })
	spread := nexts[len(nexts)-1].Sub(nexts[0])
	distinct := len(slices.CompactFunc(slices.Clone(nexts), func(a, b time.Time) bool { return a.Equal(b) }))
	if spread < 5*time.Minute || distinct != 50 {
		t.Fatalf("50 subscriptions followed together are due over %v with %d distinct times; want > 5m, 50", spread, distinct)
	}
	t.Logf("50 subscriptions due over %v (60 min ± 10 %%)", spread)
}

func TestHTTPShorts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			t.Errorf("method %s", r.Method)
		}
		if r.URL.Path == "/shorts/"+vid("s", 1) {
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Redirect(w, r, "/watch?v="+r.URL.Path[len("/shorts/"):], http.StatusSeeOther)
	}))
	defer srv.Close()
	h := HTTPShorts{BaseURL: srv.URL}
	for id, want := range map[string]bool{vid("s", 1): true, vid("v", 1): false} {
		got, err := h.IsShort(context.Background(), id)
		if err != nil || got != want {
			t.Errorf("IsShort(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
}

// TestMemory200 follows 200 channels and checks them all, printing the
// heap the service and its schedule hold.
func TestMemory200(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: 400 synced writes")
	}
	e := newEnv(t)
	e.rebuild(func(c *Config) { c.Publisher = nil })
	var subs []string
	for i := 1; i <= 200; i++ {
		subs = append(subs, e.follow(e.channel(i, entries(fmt.Sprintf("m%d", i), 1, 15, e.clk.Now())...), FollowOptions{}).ID)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	r0, _ := e.feeds.counts()
	t0 := time.Now()
	for _, id := range subs {
		e.check(id)
	}
	unchanged := time.Since(t0) / 200
	r1, nm := e.feeds.counts()
	sched, err := e.svc.schedule()
	if err != nil || len(sched) != 200 {
		t.Fatalf("schedule = %d, %v", len(sched), err)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("200 subscriptions: %d requests for 200 unchanged checks (%d answered 304); heap in use %.1f MiB (was %.1f MiB before the checks)",
		r1-r0, nm, float64(after.HeapInuse)/(1<<20), float64(before.HeapInuse)/(1<<20))
	if r1-r0 != 200 || nm != 200 {
		t.Fatalf("%d requests, %d 304s; want 200, 200", r1-r0, nm)
	}
	// One upload per channel: the time from a check's start to its job
	// recorded (feed fetched, job record and seen videos synced).
	for i := 1; i <= 200; i++ {
		e.feeds.add(chanID(i), "", fakeEntry{id: vid(fmt.Sprintf("x%d", i), 1), published: e.clk.Now()})
	}
	t0 = time.Now()
	for _, id := range subs {
		if n, _ := e.check(id); n != 1 {
			t.Fatalf("check found %d", n)
		}
	}
	r2, _ := e.feeds.counts()
	t.Logf("per check: %v unchanged (304), %v with one new video up to its job recorded; %d requests for 200 checks with news",
		unchanged, time.Since(t0)/200, r2-r1)
}
