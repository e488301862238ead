package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"ytsum/backend/events"
	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Ensure a job moves pending → running → completed, is durable when Submit
// returns, and its results follow API.md §3/§4: one item per link in
// submitted order, bad links as error items, playlists expanded.
func TestJobLifecycle(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	pl := yt.addPlaylist("PL1", "aaaaaaaaaa1", "aaaaaaaaaa2", "aaaaaaaaaa3")
	yt.playlists["PL1"].Entries[1].Error = "This video is private."
	yt.transcriptErr["bbbbbbbbbb1"] = ytsum.Errorf(ytsum.CodeNotFound, "no_transcript", "This video has no captions, so it cannot be summarized.")
	h := MustStart(t, jobs.Config{}, yt, newFakeSummarizer(4, 0))
	all := h.subscribe("")
	h.start()

	urls := []string{videoURL("vvvvvvvvvv1"), "https://evil.example/x", pl, videoURL("bbbbbbbbbb1")}
	j := h.MustSubmit(urls...)
	// The bad link is known at once: it is not counted as a video, so
	// total_items never shrinks while the job runs.
	if j.Status != ytsum.JobPending || j.TotalItems != 3 || j.Progress != 0 {
		t.Fatalf("submitted job = %s, want pending 0/3", describe(j))
	}
	if _, _, err := h.store.Job(j.ID); err != nil {
		t.Fatalf("job not in the store when Submit returned: %v", err)
	}

	// Every event of the job, in order, until the terminal one.
	var statuses []ytsum.JobStatus
	var last *ytsum.Job
	waitJob(t, all, func(e *ytsum.Job) bool {
		if n := len(statuses); n == 0 || statuses[n-1] != e.Status {
			statuses = append(statuses, e.Status)
		}
		last = e
		return e.Status.Terminal()
	})
	// Job events are latest-wins per subscriber (a reader slower than the
	// engine may see running or completed first, never a state out of
	// order): the states seen are in this order and end completed.
	order := map[ytsum.JobStatus]int{ytsum.JobPending: 0, ytsum.JobRunning: 1, ytsum.JobCompleted: 2}
	for i, st := range statuses {
		o, known := order[st]
		if !known || (i > 0 && o <= order[statuses[i-1]]) {
			t.Fatalf("statuses = %v, want a subsequence of [pending running completed]", statuses)
		}
	}
	if len(statuses) == 0 || statuses[len(statuses)-1] != ytsum.JobCompleted {
		t.Fatalf("statuses = %v, want completed last", statuses)
	}
	want := "completed 5/5: [video vvvvvvvvvv1=Summary of vvvvvvvvvv1] [error error=This is not a YouTube link: paste a video or playlist address.]" +
		" [playlist aaaaaaaaaa1=Summary of aaaaaaaaaa1 aaaaaaaaaa2=error: This video is private. aaaaaaaaaa3=Summary of aaaaaaaaaa3]" +
		" [video bbbbbbbbbb1=error: This video has no captions, so it cannot be summarized.]"
	if got := describe(last); got != want {
		t.Fatalf("final job\n got: %s\nwant: %s", got, want)
	}
	if last.StartedAt == nil || last.CompletedAt == nil || last.CurrentItem != "" || last.Error != nil {
		t.Fatalf("final job fields: started %v completed %v current %q error %v", last.StartedAt, last.CompletedAt, last.CurrentItem, last.Error)
	}
	if r := last.Results[0]; r.Source != ytsum.SourceGenerated || r.ModelUsed != "fake-model" || r.Channel != "Channel" || r.SummarizedAt == nil {
		t.Fatalf("video item = %+v", r)
	}
	if fmt.Sprint(last.Metadata.URLs) != fmt.Sprint(urls) || last.Metadata.Model != "fake-model" {
		t.Fatalf("metadata = %+v", last.Metadata)
	}

	// Get, the store and the last event agree byte for byte.
	got, err := h.eng.Get(context.Background(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ytsum.JobJSON(got), ytsum.JobJSON(last)) {
		t.Fatalf("Get differs from the last event\n get: %s\nlast: %s", ytsum.JobJSON(got), ytsum.JobJSON(last))
	}
	// Terminal states never change: no event follows the terminal one.
	if ev, ok := all.TryNext(); ok {
		t.Fatalf("event after the terminal one: %s", ev.Data)
	}
	if _, err := h.eng.Get(context.Background(), "nope"); ytsum.ErrorCode(err) != ytsum.CodeNotFound || ytsum.ErrorMessage(err) != "Job not found" {
		t.Fatalf("Get(unknown) = %v", err)
	}
}

// Ensure results grow while the job runs: a finished link's item appears
// while a playlist is still filling in.
func TestResultsGrow(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	pl := yt.addPlaylist("PL1", "pppppppppp1", "pppppppppp2")
	release := make(chan struct{})
	sum := newFakeSummarizer(4, 0)
	sum.hook = func(ctx context.Context, id string) error {
		if id == "pppppppppp2" {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	h := MustStart(t, jobs.Config{}, yt, sum)
	h.start()
	sub := h.subscribe("")
	j := h.MustSubmit(videoURL("vvvvvvvvvv1"), pl)
	mid := waitJob(t, sub, func(j *ytsum.Job) bool { return j.Progress == 2 && j.CurrentItem != "" })
	if want := "running 2/3: [video vvvvvvvvvv1=Summary of vvvvvvvvvv1] [playlist pppppppppp1=Summary of pppppppppp1]"; describe(mid) != want {
		t.Fatalf("mid-job\n got: %s\nwant: %s", describe(mid), want)
	}
	if mid.CurrentItem != videoURL("pppppppppp2") {
		t.Fatalf("current_item = %q", mid.CurrentItem)
	}
	close(release)
	end := waitJob(t, sub, isTerminal)
	if end.Status != ytsum.JobCompleted || end.Progress != 3 || len(end.Results) != 2 || len(end.Results[1].Summaries) != 2 {
		t.Fatalf("final = %s", describe(end))
	}
	_ = j
}

// Ensure Submit refuses bad input, bad options, a full queue and a stopped
// engine with the right codes, and writes nothing then.
func TestSubmitErrors(t *testing.T) {
	block := make(chan string, 10)
	sum := newFakeSummarizer(4, 0)
	sum.hook = blockOn(nil, "bbbbbbbbbb1")
	sum.started = block
	h := MustStart(t, jobs.Config{MaxJobs: 2}, newFakeYouTube(2, 0), sum)

	if _, err := h.eng.Submit(context.Background(), jobs.Request{URLs: []string{videoURL("bbbbbbbbbb1")}}); ytsum.ErrorKind(err) != "not_started" {
		t.Fatalf("Submit before Start = %v", err)
	}
	h.start()
	tests := []struct {
		name string
		req  jobs.Request
		code ytsum.Code
		kind string
	}{
		{"no urls", jobs.Request{URLs: []string{" ", "\n"}}, ytsum.CodeInvalid, "no_urls"},
		{"bad model", jobs.Request{URLs: []string{videoURL("bbbbbbbbbb1")}, Options: ytsum.SummaryOptions{Model: "bad"}}, ytsum.CodeInvalid, "unknown_model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.eng.Submit(context.Background(), tt.req)
			if ytsum.ErrorCode(err) != tt.code || ytsum.ErrorKind(err) != tt.kind {
				t.Fatalf("err = %v (%s/%s), want %s/%s", err, ytsum.ErrorCode(err), ytsum.ErrorKind(err), tt.code, tt.kind)
			}
		})
	}
	// Two jobs fill MAX_CONCURRENT_JOBS; the third is refused with ErrBusy.
	h.MustSubmit(videoURL("bbbbbbbbbb1"))
	h.MustSubmit(videoURL("bbbbbbbbbb1"), "one\n\nper line")
	_, err := h.eng.Submit(context.Background(), jobs.Request{URLs: []string{videoURL("cccccccccc1")}})
	if !errors.Is(err, ytsum.ErrBusy) || ytsum.ErrorCode(err).HTTPStatus() != 503 || ytsum.RetryAfter(err) <= 0 {
		t.Fatalf("third Submit = %v, want ErrBusy (503 + Retry-After)", err)
	}
	list, _ := h.eng.List(context.Background(), "", 0)
	if len(list) != 2 {
		t.Fatalf("%d jobs stored, want 2", len(list))
	}
	if got := list[0].Metadata.URLs; len(got) != 3 {
		t.Fatalf("URLs split per line = %q", got)
	}
	h.eng.SetMaxJobs(3)
	if _, err := h.eng.Submit(context.Background(), jobs.Request{URLs: []string{videoURL("cccccccccc1")}}); err != nil {
		t.Fatalf("after SetMaxJobs(3): %v", err)
	}
	h.close()
	if _, err := h.eng.Submit(context.Background(), jobs.Request{URLs: []string{videoURL("bbbbbbbbbb1")}}); ytsum.ErrorKind(err) != "shutting_down" {
		t.Fatalf("Submit after Stop = %v", err)
	}
}

// Ensure WORKER_POOL_SIZE bounds the jobs running at once and the rest wait
// pending in the queue.
func TestWorkerPoolBound(t *testing.T) {
	started := make(chan string, 10)
	sum := newFakeSummarizer(10, 0)
	sum.started = started
	sum.hook = blockOn(nil, "bbbbbbbbbb1")
	h := MustStart(t, jobs.Config{Workers: 2}, newFakeYouTube(4, 0), sum)
	h.start()
	for range 5 {
		h.MustSubmit(videoURL("bbbbbbbbbb1"))
	}
	recv(t, started, "first job")
	recv(t, started, "second job")
	m := h.eng.Metrics()
	if m.Running != 2 || m.Pending != 3 || m.QueueSize != 3 || m.Workers != 2 || m.AsyncRequests != 5 {
		t.Fatalf("metrics = %+v, want 2 running, 3 pending/queued", m)
	}
	select {
	case id := <-started:
		t.Fatalf("a third job started (%s) with 2 workers", id)
	default:
	}
}

// Ensure the videos of one job run in parallel: the fake LLM sees four
// calls at once (its limit) for one playlist.
func TestVideosRunInParallel(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	ids := []string{"xxxxxxxxxx1", "xxxxxxxxxx2", "xxxxxxxxxx3", "xxxxxxxxxx4", "xxxxxxxxxx5", "xxxxxxxxxx6", "xxxxxxxxxx7", "xxxxxxxxxx8"}
	pl := yt.addPlaylist("PL8", ids...)
	var mu sync.Mutex
	inFlight, peak := 0, 0
	allFour := make(chan struct{})
	sum := newFakeSummarizer(100, 0)
	sum.hook = func(ctx context.Context, id string) error {
		mu.Lock()
		inFlight++
		if inFlight > peak {
			peak = inFlight
		}
		if peak == 4 {
			select {
			case <-allFour:
			default:
				close(allFour)
			}
		}
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		select { // hold the call until four run at once
		case <-allFour:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h := MustStart(t, jobs.Config{VideoParallelism: 4}, yt, sum)
	h.start()
	sub := h.subscribe("")
	h.MustSubmit(pl)
	j := waitJob(t, sub, isTerminal)
	if j.Status != ytsum.JobCompleted || j.Progress != 8 {
		t.Fatalf("job = %s", describe(j))
	}
	mu.Lock()
	defer mu.Unlock()
	if peak != 4 {
		t.Fatalf("peak parallel summaries = %d, want 4 (VideoParallelism)", peak)
	}
}

// Ensure summary deltas are published as summary_delta events carrying
// {"job_id","video_id","delta"}.
func TestSummaryDeltas(t *testing.T) {
	sum := newFakeSummarizer(4, 0)
	sum.deltas = []string{"Hello ", "world"}
	h := MustStart(t, jobs.Config{}, newFakeYouTube(2, 0), sum)
	h.start()
	sub := h.broker.Subscribe(events.Filter{Types: []string{ytsum.EventSummaryDelta}})
	defer sub.Close()
	j := h.MustSubmit(videoURL("dddddddddd1"))
	for _, want := range []string{"Hello ", "world"} {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		ev, err := sub.Next(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != ytsum.EventSummaryDelta || ev.JobID != j.ID {
			t.Fatalf("event %s for %s", ev.Type, ev.JobID)
		}
		want := fmt.Sprintf(`{"job_id":%q,"video_id":"dddddddddd1","delta":%q}`, j.ID, want)
		if string(ev.Data) != want {
			t.Fatalf("delta data %s, want %s", ev.Data, want)
		}
	}
}

// Ensure a panic in a service fails only that item: the job completes with
// the other items, and the next job runs.
func TestPanicIsolation(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	yt.panicResolve = "https://www.youtube.com/watch?v=boom"
	sum := newFakeSummarizer(4, 0)
	sum.hook = func(ctx context.Context, id string) error {
		if id == "pppppppppp1" {
			panic("fake summarizer exploded")
		}
		return nil
	}
	h := MustStart(t, jobs.Config{Workers: 1}, yt, sum)
	h.start()
	sub := h.subscribe("")
	j := h.MustSubmit(videoURL("pppppppppp1"), videoURL("okokokokok1"), "https://www.youtube.com/watch?v=boom")
	end := waitJob(t, sub, func(e *ytsum.Job) bool { return e.ID == j.ID && e.Status.Terminal() })
	want := "completed 2/2: [video pppppppppp1=error: An internal error stopped this video; the details are in the log.]" +
		" [video okokokokok1=Summary of okokokokok1] [error error=An internal error stopped this item; the details are in the log.]"
	if describe(end) != want {
		t.Fatalf("job\n got: %s\nwant: %s", describe(end), want)
	}
	if end.Results[0].ErrorKind != "internal" {
		t.Fatalf("panic item kind = %q", end.Results[0].ErrorKind)
	}
	j2 := h.MustSubmit(videoURL("okokokokok2"))
	if end := waitJob(t, sub, func(e *ytsum.Job) bool { return e.ID == j2.ID && e.Status.Terminal() }); end.Status != ytsum.JobCompleted {
		t.Fatalf("next job = %s", describe(end))
	}
}

// Ensure List returns jobs newest first, filtered by status and limited,
// and refuses an unknown status.
func TestList(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Second); return now }
	sum := newFakeSummarizer(4, 0)
	sum.hook = blockOn(nil, "llllllllll9")
	h := MustStart(t, jobs.Config{Now: clock}, newFakeYouTube(2, 0), sum)
	h.start()
	sub := h.subscribe("")
	var ids []string
	for i := range 3 {
		j := h.MustSubmit(videoURL(fmt.Sprintf("llllllllll%d", i)))
		waitJob(t, sub, func(e *ytsum.Job) bool { return e.ID == j.ID && e.Status.Terminal() })
		ids = append(ids, j.ID)
	}
	j := h.MustSubmit(videoURL("llllllllll9"))
	if _, err := h.eng.Cancel(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		status ytsum.JobStatus
		limit  int
		want   int
	}{{"", 0, 4}, {"", 2, 2}, {ytsum.JobCompleted, 0, 3}, {ytsum.JobCancelled, 0, 1}, {ytsum.JobRunning, 0, 0}}
	for _, tt := range tests {
		got, err := h.eng.List(context.Background(), tt.status, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want {
			t.Fatalf("List(%q, %d) = %d jobs, want %d", tt.status, tt.limit, len(got), tt.want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].CreatedAt.After(got[i-1].CreatedAt) {
				t.Fatalf("List not newest first at %d", i)
			}
		}
	}
	got, _ := h.eng.List(context.Background(), ytsum.JobCompleted, 1)
	if len(got) != 1 || got[0].ID != ids[2] {
		t.Fatalf("newest completed = %v", got)
	}
	if _, err := h.eng.List(context.Background(), "done", 0); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Fatalf("List(bad status) = %v", err)
	}
}

// Ensure SubmitAndWait runs a job through the queue and returns it finished,
// and cancels it when the caller gives up.
func TestSubmitAndWait(t *testing.T) {
	sum := newFakeSummarizer(4, 0)
	stopped := make(chan string, 1)
	sum.hook = blockOn(stopped, "blockblock1")
	h := MustStart(t, jobs.Config{}, newFakeYouTube(2, 0), sum)
	h.start()
	j, err := h.eng.SubmitAndWait(context.Background(), jobs.Request{URLs: []string{videoURL("syncsync001")}})
	if err != nil || j.Status != ytsum.JobCompleted || itemText(j.Results[0]) != "Summary of syncsync001" {
		t.Fatalf("SubmitAndWait = %v, %v", j, err)
	}
	m := h.eng.Metrics()
	if m.SyncRequests != 1 || m.AvgSyncTime <= 0 || m.Completed != 1 {
		t.Fatalf("metrics after a sync job = %+v", m)
	}

	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan string, 1)
	sum.started = started
	go func() { recv(t, started, "sync job start"); cancel() }()
	_, err = h.eng.SubmitAndWait(ctx, jobs.Request{URLs: []string{videoURL("blockblock1")}})
	if ytsum.ErrorKind(err) != "request_cancelled" {
		t.Fatalf("SubmitAndWait with a cancelled ctx = %v", err)
	}
	recv(t, stopped, "the summarizer to see the cancel")
	list, _ := h.eng.List(context.Background(), ytsum.JobCancelled, 0)
	if len(list) != 1 {
		t.Fatalf("%d cancelled jobs, want 1", len(list))
	}
}

// Ensure Decide picks async for several links or a playlist, sync for one
// video, and honours the force flags and ASYNC_PROCESSING_ENABLED.
func TestDecide(t *testing.T) {
	async := true
	var mu sync.Mutex
	yt := newFakeYouTube(2, 0)
	e := jobs.New(nil, nil, yt, newFakeSummarizer(4, 0), nil, quietConfig(jobs.Config{AsyncEnabled: func() bool { mu.Lock(); defer mu.Unlock(); return async }}))
	one := []string{videoURL("aaaaaaaaaa1")}
	two := []string{videoURL("aaaaaaaaaa1"), videoURL("aaaaaaaaaa2")}
	mixed := []string{"https://www.youtube.com/watch?v=aaaaaaaaaa1&list=PL1"}
	tests := []struct {
		name  string
		req   jobs.Request
		async bool
		want  jobs.Mode
	}{
		{"one video", jobs.Request{URLs: one}, true, jobs.ModeSync},
		{"two videos", jobs.Request{URLs: two}, true, jobs.ModeAsync},
		{"two in one string", jobs.Request{URLs: []string{one[0] + "\n" + two[1]}}, true, jobs.ModeAsync},
		{"playlist", jobs.Request{URLs: []string{"https://www.youtube.com/playlist?list=PL1"}}, true, jobs.ModeAsync},
		{"video in a playlist", jobs.Request{URLs: mixed}, true, jobs.ModeSync},
		{"video in a playlist, prefer playlist", jobs.Request{URLs: mixed, PreferPlaylist: true}, true, jobs.ModeAsync},
		{"force sync", jobs.Request{URLs: two, ForceSync: true}, true, jobs.ModeSync},
		{"force async", jobs.Request{URLs: one, ForceAsync: true}, true, jobs.ModeAsync},
		{"async disabled", jobs.Request{URLs: two, ForceAsync: true}, false, jobs.ModeSync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			async = tt.async
			mu.Unlock()
			if got := e.Decide(context.Background(), tt.req); got != tt.want {
				t.Fatalf("Decide = %s, want %s", got, tt.want)
			}
		})
	}
}

// Ensure Estimate uses per-model constants until it measured a model, then
// the measured mean.
func TestEstimate(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	e := jobs.New(nil, nil, yt, newFakeSummarizer(4, 0), nil, quietConfig(jobs.Config{}))
	tests := []struct {
		name  string
		model string
		urls  []string
		want  time.Duration
	}{
		{"one gemini video", "gemini-2.5-flash", []string{videoURL("a")}, 15 * time.Second},
		{"five gpt videos", "gpt-4o-mini", []string{videoURL("a"), videoURL("b"), videoURL("c"), videoURL("d"), videoURL("e")}, 24 * time.Second},
		{"local playlist", "local", []string{"https://www.youtube.com/playlist?list=PL"}, 3 * time.Second},
		{"unknown model", "mystery", []string{videoURL("a")}, 15 * time.Second},
		{"bad link only", "local", []string{"nope"}, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Estimate(context.Background(), jobs.Request{URLs: tt.urls, Options: ytsum.SummaryOptions{Model: tt.model}})
			if got != tt.want {
				t.Fatalf("Estimate = %v, want %v", got, tt.want)
			}
		})
	}

	// After a measured run the mean replaces the constant.
	sum := newFakeSummarizer(4, 0)
	h := MustStart(t, jobs.Config{}, yt, sum)
	h.start()
	sub := h.subscribe("")
	h.MustSubmit(videoURL("mmmmmmmmmm1"))
	waitJob(t, sub, isTerminal)
	if got := h.eng.Estimate(context.Background(), jobs.Request{URLs: []string{videoURL("x")}}); got != time.Second {
		t.Fatalf("Estimate after a near-instant fake run = %v, want the 1 s floor", got)
	}
}

// Ensure Failure reports only a job that failed as a whole.
func TestFailure(t *testing.T) {
	msg := "Every link was refused."
	item := "This video is private."
	tests := []struct {
		name string
		job  *ytsum.Job
		want bool
	}{
		{"nil", nil, false},
		{"completed", &ytsum.Job{Status: ytsum.JobCompleted}, false},
		{"failed as a whole", &ytsum.Job{Status: ytsum.JobFailed, Error: &msg}, true},
		{"failed with items", &ytsum.Job{Status: ytsum.JobFailed, Error: &msg,
			Results: []ytsum.Result{{Type: ytsum.ResultError, Error: &item}}}, false},
		{"cancelled", &ytsum.Job{Status: ytsum.JobCancelled, Error: &msg}, false},
	}
	for _, tt := range tests {
		err := jobs.Failure(tt.job)
		if (err != nil) != tt.want || err != nil && ytsum.ErrorMessage(err) != msg {
			t.Errorf("%s: Failure = %v", tt.name, err)
		}
	}
}

// Ensure a Start whose loading fails (here: its context is cancelled)
// says so and takes nothing, so a second Start loads the saved jobs and
// counts each once.
func TestStartFailsCleanlyAndCanBeRetried(t *testing.T) {
	h := MustStart(t, jobs.Config{}, newFakeYouTube(2, 0), newFakeSummarizer(4, 0))
	h.start()
	j := h.MustSubmit(videoURL("startvid001"))
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if done, err := h.eng.Wait(ctx, j.ID); err != nil || done.Status != ytsum.JobCompleted {
		t.Fatalf("job: %v %v", done, err)
	}
	h.close()
	h.restart(nil)
	dead, stop := context.WithCancel(context.Background())
	stop()
	if err := h.eng.Start(dead); ytsum.ErrorKind(err) != "store_unavailable" {
		t.Fatalf("Start with a cancelled context = %v, want store_unavailable", err)
	}
	if m := h.eng.Metrics(); m.Completed != 0 {
		t.Errorf("a failed Start counted %d completed jobs", m.Completed)
	}
	h.start()
	if m := h.eng.Metrics(); m.Completed != 1 {
		t.Errorf("completed jobs after the second Start = %d, want 1", m.Completed)
	}
}
