package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"ytsum/backend/events"
	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// Request.Persist writes the first record instead of the store; a job whose
// Persist failed is neither published, queued, stored nor counted.
func TestSubmitPersistHook(t *testing.T) {
	h := MustStart(t, jobs.Config{MaxJobs: 1}, newFakeYouTube(2, 0), newFakeSummarizer(4, 0))
	h.start()
	all := h.broker.Subscribe(events.Filter{})
	defer all.Close()

	boom := errors.New("disk full")
	calls := 0
	_, err := h.eng.Submit(context.Background(), jobs.Request{URLs: []string{videoURL("vvvvvvvvvv1")},
		Persist: func(id string, rec []byte) error { calls++; return boom }})
	if !errors.Is(err, boom) || calls != 1 {
		t.Fatalf("Submit with a failing Persist = %v (%d calls), want its error once", err, calls)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if ev, err := all.Next(ctx); err == nil {
		t.Fatalf("a job whose Persist failed was published: %s", ev.Data)
	}
	if list, _ := h.eng.List(context.Background(), "", 0); len(list) != 0 {
		t.Fatalf("%d jobs listed after a failed Persist", len(list))
	}

	// The reservation was released (MaxJobs 1): the next job is accepted;
	// its record is what Persist got, and the store has it only because
	// Persist wrote it.
	var got []byte
	var gotID string
	j, err := h.eng.Submit(context.Background(), jobs.Request{URLs: []string{videoURL("vvvvvvvvvv1")},
		Persist: func(id string, rec []byte) error { gotID, got = id, rec; return h.store.PutJob(id, rec, nil) }})
	if err != nil || j.ID != gotID || len(got) == 0 {
		t.Fatalf("Submit = %v, %v (persisted %q, %d bytes)", j, err, gotID, len(got))
	}
	wctx, wcancel := context.WithTimeout(context.Background(), waitTimeout)
	defer wcancel()
	done, err := h.eng.Wait(wctx, j.ID)
	if err != nil || done.Status != ytsum.JobCompleted {
		t.Fatalf("job = %s", describe(done))
	}
}
