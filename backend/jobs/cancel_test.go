package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// Ensure cancelling a pending job makes it cancelled at once, with one error
// item per link, and it never runs.
func TestCancelPending(t *testing.T) {
	started := make(chan string, 4)
	sum := newFakeSummarizer(4, 0)
	sum.started = started
	sum.hook = blockOn(nil, "aaaaaaaaaa1")
	h := MustStart(t, jobs.Config{Workers: 1}, newFakeYouTube(2, 0), sum)
	h.start()
	a := h.MustSubmit(videoURL("aaaaaaaaaa1"))
	recv(t, started, "job A to run")
	b := h.MustSubmit(videoURL("bbbbbbbbbb1"), "not a link")

	got, err := h.eng.Cancel(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != ytsum.JobCancelled || got.CompletedAt == nil || len(got.Results) != 2 || got.Progress != 0 {
		t.Fatalf("cancelled pending job = %s", describe(got))
	}
	// The bad link was finished (as an input error) when it was submitted;
	// the video never ran, so it is cancelled.
	for i, kind := range []string{"cancelled", "invalid_url"} {
		if r := got.Results[i]; r.Type != ytsum.ResultError || r.URL != b.Metadata.URLs[i] || r.ErrorKind != kind {
			t.Fatalf("item %d = %+v, want kind %s", i, r, kind)
		}
	}
	if _, err := h.eng.Cancel(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	h.close() // waits for the worker: B can no longer run
	if n := sum.callsOf("bbbbbbbbbb1"); n != 0 {
		t.Fatalf("cancelled pending job ran (%d summaries)", n)
	}
	h.restart(nil)
	h.start()
	if j, _ := h.eng.Get(context.Background(), b.ID); j.Status != ytsum.JobCancelled {
		t.Fatalf("after restart the job is %s", j.Status)
	}
}

// Ensure cancelling a running job stops its in-flight work within one
// second through the context, keeps the finished videos, and nothing
// changes after the cancelled state.
func TestCancelRunning(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	pl := yt.addPlaylist("PL", "fastfastfa1", "blockblock1", "blockblock2")
	stopped := make(chan string, 2)
	started := make(chan string, 3)
	sum := newFakeSummarizer(4, 0)
	sum.started = started
	sum.hook = blockOn(stopped, "blockblock1", "blockblock2")
	h := MustStart(t, jobs.Config{}, yt, sum)
	h.start()
	sub := h.subscribe("")
	j := h.MustSubmit(pl)
	waitJob(t, sub, func(j *ytsum.Job) bool { return j.Progress == 1 })
	for range 3 {
		recv(t, started, "all three videos to start")
	}

	t0 := time.Now()
	got, err := h.eng.Cancel(context.Background(), j.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := "cancelled 1/3: [playlist fastfastfa1=Summary of fastfastfa1" +
		" blockblock1=error: The job was cancelled before this item was finished." +
		" blockblock2=error: The job was cancelled before this item was finished.]"
	if describe(got) != want {
		t.Fatalf("Cancel returned\n got: %s\nwant: %s", describe(got), want)
	}
	recv(t, stopped, "in-flight work to stop")
	recv(t, stopped, "in-flight work to stop")
	if d := time.Since(t0); d > time.Second {
		t.Fatalf("in-flight work stopped %v after Cancel, want < 1s", d)
	}
	t.Logf("in-flight work stopped %v after Cancel", time.Since(t0))

	last := waitJob(t, sub, isTerminal)
	h.close()
	if ev, ok := sub.TryNext(); ok {
		t.Fatalf("event after the cancelled state: %s", ev.Data)
	}
	h.restart(nil)
	stored := h.store.rawRecord(t, j.ID)["job"]
	b, _ := json.Marshal(stored)
	var sj ytsum.Job
	json.Unmarshal(b, &sj)
	if sj.Status != ytsum.JobCancelled || last.Status != ytsum.JobCancelled {
		t.Fatalf("stored %s, last event %s", sj.Status, last.Status)
	}
	h.start()
}

// Ensure Cancel of a finished job is a conflict and of an unknown job is
// not_found.
func TestCancelErrors(t *testing.T) {
	h := MustStart(t, jobs.Config{}, newFakeYouTube(2, 0), newFakeSummarizer(4, 0))
	h.start()
	sub := h.subscribe("")
	j := h.MustSubmit(videoURL("donedone001"))
	waitJob(t, sub, isTerminal)
	tests := []struct {
		name   string
		id     string
		code   ytsum.Code
		status int
	}{
		{"finished", j.ID, ytsum.CodeConflict, 409},
		{"unknown", "no-such-job", ytsum.CodeNotFound, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.eng.Cancel(context.Background(), tt.id)
			if ytsum.ErrorCode(err) != tt.code || tt.code.HTTPStatus() != tt.status {
				t.Fatalf("Cancel = %v, want %s", err, tt.code)
			}
		})
	}
	if got, _ := h.eng.Get(context.Background(), j.ID); got.Status != ytsum.JobCompleted {
		t.Fatalf("a refused cancel changed the job to %s", got.Status)
	}
}

// Ensure a cancel racing the job's finish has one consistent outcome:
// either the cancel wins (nil error, cancelled) or the finish wins
// (conflict, completed), and the store, Get and the last event agree.
func TestCancelRacingFinish(t *testing.T) {
	var mu sync.Mutex
	gates := map[string]chan struct{}{}
	gate := func(id string) chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		if gates[id] == nil {
			gates[id] = make(chan struct{})
		}
		return gates[id]
	}
	started := make(chan string, 1)
	sum := newFakeSummarizer(4, 0)
	sum.started = started
	sum.hook = func(ctx context.Context, id string) error {
		select {
		case <-gate(id):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h := MustStart(t, jobs.Config{Workers: 1}, newFakeYouTube(2, 0), sum)
	saved := make(chan string, 100)
	h.store.summaries = saved
	h.start()
	outcomes := map[ytsum.JobStatus]int{}
	for i := range 40 {
		id := fmt.Sprintf("race%07d", i)
		sub := h.subscribe("")
		j := h.MustSubmit(videoURL(id))
		recv(t, started, "the job to run")
		var cancelErr error
		var wg sync.WaitGroup
		go1 := make(chan struct{})
		wg.Go(func() { <-go1; close(gate(id)) })
		wg.Go(func() {
			<-go1
			if i%2 == 1 { // let the summary be saved first: the finish races the cancel
				for recv(t, saved, "the summary to be saved") != id {
				}
			}
			_, cancelErr = h.eng.Cancel(context.Background(), j.ID)
		})
		close(go1)
		wg.Wait()
		last := waitJob(t, sub, func(e *ytsum.Job) bool { return e.ID == j.ID && e.Status.Terminal() })
		got, err := h.eng.Get(context.Background(), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case cancelErr == nil && got.Status == ytsum.JobCancelled:
		case ytsum.ErrorCode(cancelErr) == ytsum.CodeConflict && got.Status == ytsum.JobCompleted:
		default:
			t.Fatalf("round %d: Cancel = %v but job is %s", i, cancelErr, got.Status)
		}
		if !bytes.Equal(ytsum.JobJSON(got), ytsum.JobJSON(last)) {
			t.Fatalf("round %d: Get and last event differ", i)
		}
		outcomes[got.Status]++
		sub.Close()
	}
	t.Logf("outcomes of 40 races: %v", outcomes)
}

// Ensure the picture download started beside the summarizer call neither
// delays a video's result nor a cancel, and that the picture is recorded
// only once that download has ended.
func TestPictureDownloadBesideSummary(t *testing.T) {
	h := MustStart(t, jobs.Config{}, newFakeYouTube(2, 0), newFakeSummarizer(4, 0))
	started := make(chan string, 2)
	var mu sync.Mutex
	ended := map[string]bool{}
	h.store.picture = func(ctx context.Context, v ytsum.Video) {
		started <- v.ID
		<-ctx.Done() // a picture that never comes
		mu.Lock()
		ended[v.ID] = true
		mu.Unlock()
	}
	recorded := make(chan bool, 2)
	h.store.record = func(s *ytsum.Summary) {
		mu.Lock()
		recorded <- ended[s.ID]
		mu.Unlock()
	}
	h.start()
	j := h.MustSubmit(videoURL("picvideo001"), videoURL("picvideo002"))
	select {
	case <-started:
	case <-time.After(waitTimeout):
		t.Fatal("no picture download started")
	}
	// Both videos finish while their pictures hang.
	deadline := time.Now().Add(waitTimeout)
	for {
		got, err := h.eng.Get(context.Background(), j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Progress == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("videos not done while their pictures download: %s", describe(got))
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case <-recorded:
		t.Fatal("a picture was recorded while its download was still running")
	default:
	}
	start := time.Now()
	if _, err := h.eng.Cancel(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if done, err := h.eng.Wait(ctx, j.ID); err != nil || !done.Status.Terminal() {
		t.Fatalf("after cancel: %v %v", done, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("cancel took %v behind a picture download", d)
	}
	for range 2 {
		select {
		case after := <-recorded:
			if !after {
				t.Error("a picture was recorded before its download ended")
			}
		case <-time.After(waitTimeout):
			t.Fatal("a summary's picture was never recorded")
		}
	}
}

// Ensure a video whose summary fails stops its picture download at once
// (nothing will show it) and the job ends without waiting for it.
func TestPictureStoppedWhenTheSummaryFails(t *testing.T) {
	sum := newFakeSummarizer(4, 0)
	sum.hook = func(context.Context, string) error { return errors.New("the model refused") }
	h := MustStart(t, jobs.Config{}, newFakeYouTube(2, 0), sum)
	stopped := make(chan struct{}, 1)
	h.store.picture = func(ctx context.Context, v ytsum.Video) {
		<-ctx.Done() // a picture that never comes, until stopped
		stopped <- struct{}{}
	}
	h.start()
	j := h.MustSubmit(videoURL("failvideo01"))
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	done, err := h.eng.Wait(ctx, j.ID)
	if err != nil || !done.Status.Terminal() {
		t.Fatalf("job with a failed summary and a hanging picture: %v %v", done, err)
	}
	select {
	case <-stopped:
	default:
		t.Fatal("the job ended with its picture download still running")
	}
}
