package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// Ensure a job interrupted by a crash resumes on the next start without
// redoing videos: those recorded in the job keep their results, and one
// whose summary was saved just before the crash (but not yet recorded in the
// job) comes from the cache with source "cache".
func TestRestartResumesWithoutRedoing(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	ids := []string{"rrrrrrrrrr1", "rrrrrrrrrr2", "rrrrrrrrrr3", "rrrrrrrrrr4", "rrrrrrrrrr5"}
	pl := yt.addPlaylist("PLR", ids...)
	release2 := make(chan struct{})
	first := newFakeSummarizer(4, 0)
	first.hook = func(ctx context.Context, id string) error {
		switch id {
		case "rrrrrrrrrr1":
			return nil
		case "rrrrrrrrrr2":
			select {
			case <-release2:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		<-ctx.Done() // the rest are in flight when the process dies
		return ctx.Err()
	}
	h := MustStart(t, jobs.Config{VideoParallelism: 5}, yt, first)
	saved := make(chan string, 10)
	h.store.summaries = saved
	h.start()
	sub := h.subscribe("")
	j := h.MustSubmit(pl, videoURL("single00001"))
	waitJob(t, sub, func(j *ytsum.Job) bool { return j.Progress == 1 })
	recv(t, saved, "video 1 saved")

	// Video 2 is summarized and saved, but the process dies before the job
	// record says so.
	h.store.frozenJobs.Store(true)
	close(release2)
	if id := recv(t, saved, "video 2 saved"); id != "rrrrrrrrrr2" {
		t.Fatalf("saved %s", id)
	}
	h.crash()

	second := newFakeSummarizer(4, 0)
	h.restart(second)
	sub = h.subscribe(j.ID)
	h.start()
	end := waitJob(t, sub, isTerminal)
	want := "completed 6/6: [playlist rrrrrrrrrr1=Summary of rrrrrrrrrr1 rrrrrrrrrr2=Summary of rrrrrrrrrr2" +
		" rrrrrrrrrr3=Summary of rrrrrrrrrr3 rrrrrrrrrr4=Summary of rrrrrrrrrr4 rrrrrrrrrr5=Summary of rrrrrrrrrr5]" +
		" [video single00001=Summary of single00001]"
	if describe(end) != want {
		t.Fatalf("resumed job\n got: %s\nwant: %s", describe(end), want)
	}
	sources := map[string]string{}
	for _, s := range end.Results[0].Summaries {
		sources[s.VideoID] = s.Source
	}
	if sources["rrrrrrrrrr1"] != ytsum.SourceGenerated || sources["rrrrrrrrrr2"] != ytsum.SourceCache || sources["rrrrrrrrrr3"] != ytsum.SourceGenerated {
		t.Fatalf("sources = %v", sources)
	}
	for _, id := range []string{"rrrrrrrrrr1", "rrrrrrrrrr2"} {
		if n := second.callsOf(id); n != 0 {
			t.Fatalf("video %s was summarized again after the restart (%d calls)", id, n)
		}
	}
	if n := second.callsOf("rrrrrrrrrr3"); n != 1 {
		t.Fatalf("video 3 summarized %d times after the restart, want 1", n)
	}
	if got := h.store.rawRecord(t, j.ID)["interruptions"]; got != float64(1) {
		t.Fatalf("interruptions = %v, want 1", got)
	}
}

// Ensure a job interrupted more than three times fails with a clear reason
// and one item per link.
func TestInterruptedTooOften(t *testing.T) {
	sum := newFakeSummarizer(4, 0)
	sum.hook = blockOn(nil, "crashcrash1")
	h := MustStart(t, jobs.Config{}, newFakeYouTube(2, 0), sum)
	sub := h.subscribe("")
	h.start()
	j := h.MustSubmit(videoURL("crashcrash1"), "bad link")
	for i := 1; i <= 4; i++ {
		waitJob(t, sub, isStatus(ytsum.JobRunning))
		h.crash()
		h.restart(nil)
		sub = h.subscribe(j.ID)
		h.start()
	}
	got, err := h.eng.Get(context.Background(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != ytsum.JobFailed || got.Error == nil || !strings.Contains(*got.Error, "interrupted 4 times") {
		t.Fatalf("after 4 crashes the job is %s (error %v)", got.Status, got.Error)
	}
	if len(got.Results) != 2 || got.Results[0].ErrorKind != "interrupted" || got.Results[1].Type != ytsum.ResultError {
		t.Fatalf("results = %s", describe(got))
	}
	if m := h.eng.Metrics(); m.Failed != 1 || m.Running != 0 || m.Pending != 0 {
		t.Fatalf("metrics = %+v", m)
	}
}

// Ensure a clean Stop puts a running job back to pending without counting
// an interruption, and the next start finishes it.
func TestCleanStopRequeues(t *testing.T) {
	started := make(chan string, 1)
	sum := newFakeSummarizer(4, 0)
	sum.started = started
	sum.hook = blockOn(nil, "stopstop001")
	h := MustStart(t, jobs.Config{}, newFakeYouTube(2, 0), sum)
	h.start()
	j := h.MustSubmit(videoURL("okokokokok1"), videoURL("stopstop001"))
	// The two videos run in parallel, so they may start in either order.
	first, second := recv(t, started, "first video"), recv(t, started, "second video")
	if !(first == "okokokokok1" && second == "stopstop001" || first == "stopstop001" && second == "okokokokok1") {
		t.Fatalf("started %s and %s", first, second)
	}
	h.close()
	h.restart(newFakeSummarizer(4, 0))
	rec := h.store.rawRecord(t, j.ID)
	if st := rec["job"].(map[string]any)["status"]; st != "pending" {
		t.Fatalf("after a clean stop the job is %v, want pending", st)
	}
	if _, ok := rec["interruptions"]; ok {
		t.Fatalf("a clean stop counted an interruption: %v", rec["interruptions"])
	}

	sub := h.subscribe(j.ID)
	h.start()
	end := waitJob(t, sub, isTerminal)
	if end.Status != ytsum.JobCompleted || end.Progress != 2 {
		t.Fatalf("resumed job = %s", describe(end))
	}
	if h.sum.callsOf("okokokokok1") != 0 {
		t.Fatal("the finished video was redone")
	}
}

// Ensure that a crash at any write leaves a store from which every accepted
// job finishes, with one item per link and no video summarized more than
// twice (once before the crash, once after).
func TestCrashAtEveryWrite(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	pl := yt.addPlaylist("PLC", "cccccccccc1", "cccccccccc2", "cccccccccc3")
	urls := []string{pl, "bad", videoURL("cccccccccc4")}
	for k := 1; k <= 20; k++ {
		t.Run(fmt.Sprintf("after write %d", k), func(t *testing.T) {
			sum := newFakeSummarizer(4, 0)
			h := MustStart(t, jobs.Config{}, yt, sum)
			writes := 0
			var mu sync.Mutex
			crashed := make(chan struct{})
			h.store.onWrite = func() {
				mu.Lock()
				defer mu.Unlock()
				writes++
				if writes == k {
					h.store.frozen.Store(true)
					close(crashed)
				}
			}
			h.start()
			sub := h.subscribe("")
			j, err := h.eng.Submit(context.Background(), jobs.Request{URLs: urls})
			if err != nil {
				// Killed during the first write: the job was never accepted,
				// and the caller was told so.
				if k != 1 || ytsum.ErrorCode(err) != ytsum.CodeUnavailable {
					t.Fatalf("Submit = %v", err)
				}
				h.crash()
				h.restart(nil)
				h.start()
				if list, _ := h.eng.List(context.Background(), "", 0); len(list) != 0 {
					t.Fatalf("a refused job was stored: %v", list)
				}
				return
			}
			select {
			case <-crashed:
			case <-waitDone(sub, j.ID):
			}
			h.crash()

			second := newFakeSummarizer(4, 0)
			h.restart(second)
			sub = h.subscribe(j.ID)
			h.start()
			got, err := h.eng.Wait(contextWithTimeout(t), j.ID)
			if err != nil {
				t.Fatalf("job lost after a crash at write %d: %v", k, err)
			}
			if got.Status != ytsum.JobCompleted || len(got.Results) != 3 || got.Progress != 4 || len(got.Results[0].Summaries) != 3 {
				t.Fatalf("after a crash at write %d: %s", k, describe(got))
			}
			for _, id := range []string{"cccccccccc1", "cccccccccc2", "cccccccccc3", "cccccccccc4"} {
				if n := sum.callsOf(id) + second.callsOf(id); n > 2 {
					t.Fatalf("video %s summarized %d times", id, n)
				}
			}
		})
	}
}

// waitDone returns a channel closed when job id reaches a terminal state.
func waitDone(s interface {
	Next(context.Context) (ytsum.Event, error)
}, id string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		for {
			ev, err := s.Next(ctx)
			if err != nil {
				return
			}
			if ev.JobID == id && strings.Contains(string(ev.Data), `"status":"completed"`) {
				return
			}
		}
	}()
	return done
}

func contextWithTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// Ensure finished jobs older than the retention are purged, periodically
// (Purge) and at start, while their summaries and unfinished jobs stay.
func TestRetention(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	sum := newFakeSummarizer(4, 0)
	sum.hook = blockOn(nil, "runrunrun01")
	h := MustStart(t, jobs.Config{Now: clock}, newFakeYouTube(2, 0), sum)
	h.start()
	sub := h.subscribe("")
	old := h.MustSubmit(videoURL("oldoldold01"))
	waitJob(t, sub, func(j *ytsum.Job) bool { return j.ID == old.ID && j.Status.Terminal() })
	running := h.MustSubmit(videoURL("runrunrun01"))
	waitJob(t, sub, func(j *ytsum.Job) bool { return j.ID == running.ID && j.Status == ytsum.JobRunning })

	advance(71 * time.Hour)
	recent := h.MustSubmit(videoURL("recentrec01"))
	waitJob(t, sub, func(j *ytsum.Job) bool { return j.ID == recent.ID && j.Status.Terminal() })
	if n, err := h.eng.Purge(); err != nil || n != 0 {
		t.Fatalf("Purge at 71 h = %d, %v; want 0", n, err)
	}
	advance(2 * time.Hour) // old: 73 h, recent: 2 h
	if n, err := h.eng.Purge(); err != nil || n != 1 {
		t.Fatalf("Purge at 73 h = %d, %v; want 1", n, err)
	}
	if _, err := h.eng.Get(context.Background(), old.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("purged job still there: %v", err)
	}
	if m := h.eng.Metrics(); m.Completed != 1 || m.Running != 1 {
		t.Fatalf("metrics after purge = %+v", m)
	}
	if n := h.store.countSummaries(t); n != 2 {
		t.Fatalf("%d summaries left, want 2 (purging keeps summaries)", n)
	}

	// At start: the recent job is now past retention too.
	h.close()
	advance(100 * time.Hour)
	h.restart(nil)
	h.start()
	if _, err := h.eng.Get(context.Background(), recent.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("Start did not purge an expired job: %v", err)
	}
	if j, err := h.eng.Get(context.Background(), running.ID); err != nil || j.Status.Terminal() {
		t.Fatalf("an unfinished job was purged or ended: %v %v", j, err)
	}
	if n := h.store.countSummaries(t); n != 2 {
		t.Fatalf("%d summaries left, want 2", n)
	}
}

// Ensure Start and Stop can be cycled quickly with work in flight (river's
// start/stop stress, shrunk), each Stop well within its bound.
func TestStartStopStress(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	sum := newFakeSummarizer(4, 0)
	sum.hook = blockOn(nil, "slowslow001")
	h := MustStart(t, jobs.Config{MaxJobs: 100}, yt, sum)
	for i := range 20 {
		h.start()
		h.MustSubmit(videoURL(fmt.Sprintf("stress%05d", i)), videoURL("slowslow001"))
		t0 := time.Now()
		h.close()
		if d := time.Since(t0); d > 5*time.Second {
			t.Fatalf("Stop took %v", d)
		}
		h.restart(nil)
	}
	h.start()
	list, err := h.eng.List(context.Background(), "", 0)
	if err != nil || len(list) != 20 {
		t.Fatalf("%d jobs after 20 cycles (%v), want 20", len(list), err)
	}
}
