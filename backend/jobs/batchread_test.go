package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/benchmark"
	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// finishedJob runs one job of a playlist of n videos and a single video to
// its end on the fakes (no latency, writes not synced) and returns the job
// SubmitAndWait returned it.
func finishedJob(t testing.TB, h *harness, n int) *ytsum.Job {
	t.Helper()
	h.store.db.NoSync = true // the job's thousands of writes; what is timed is reads
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("batch%06d", i)
	}
	pl := h.yt.addPlaylist("PLBATCH", ids...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	j, err := h.eng.SubmitAndWait(ctx, jobs.Request{URLs: []string{pl, videoURL("single00001")}})
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != ytsum.JobCompleted || j.Progress != n+1 {
		t.Fatalf("job = %s", describe(j))
	}
	return j
}

// storedJob restarts the engine on the same file, so that job id is read
// from the store and not from the engine's memory.
func storedJob(t testing.TB, h *harness, id string) *ytsum.Job {
	t.Helper()
	h.close()
	h.restart(nil)
	h.start()
	h.store.summaryViews.Store(0)
	j, err := h.eng.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// A finished job of many videos is read back with its summaries looked up
// in a few read transactions (at most 500 summaries each), not one per
// video, and reads the same as it did while it ran: a summary deleted since
// is summary_deleted, one that cannot be decoded store_unavailable, each on
// its own item.
func TestStoredJobReadsSummariesInBatches(t *testing.T) {
	const n = 1100
	h := MustStart(t, jobs.Config{}, newFakeYouTube(8, 0), newFakeSummarizer(8, 0))
	h.start()
	live := finishedJob(t, h, n)

	j := storedJob(t, h, live.ID)
	if got, most := h.store.summaryViews.Load(), int64((n+1+499)/500); got > most {
		t.Errorf("reading a finished job of %d videos took %d summary read transactions, want at most %d", n+1, got, most)
	}
	want, _ := json.Marshal(live.Results)
	got, _ := json.Marshal(j.Results)
	if string(got) != string(want) {
		t.Fatalf("the stored job's results differ from the job's own:\n got %.400s\nwant %.400s", got, want)
	}

	// One summary deleted from the library, one unreadable.
	key := func(id string) []byte { return summaryKey(id, id+"|fake-model|key_points||") }
	err := h.store.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSummaries)
		if b.Get(key("batch000007")) == nil || b.Get(key("batch001000")) == nil {
			return fmt.Errorf("summaries not where the test expects them")
		}
		if err := b.Delete(key("batch000007")); err != nil {
			return err
		}
		return b.Put(key("batch001000"), []byte("{not json"))
	})
	if err != nil {
		t.Fatal(err)
	}
	j = storedJob(t, h, live.ID)
	items := j.Results[0].Summaries
	if len(items) != n {
		t.Fatalf("playlist item has %d videos, want %d", len(items), n)
	}
	for i, it := range items {
		switch i {
		case 7:
			if it.ErrorKind != "summary_deleted" || it.VideoID != "batch000007" {
				t.Errorf("deleted summary's item = %+v", it)
			}
		case 1000:
			if it.ErrorKind != "store_unavailable" || it.VideoID != "batch001000" {
				t.Errorf("unreadable summary's item = %+v", it)
			}
		default:
			if it.Summary == nil || *it.Summary != "Summary of "+it.VideoID {
				t.Fatalf("item %d = %+v", i, it)
			}
		}
	}
}

// TestBenchStoredJobRead times reading back a finished 5,000-video job
// (GET /jobs/{id} of a job that is not running) on the fakes' bbolt file,
// and counts the read transactions of one read.
//
//	YTSUM_BENCH=1 go test -run TestBenchStoredJobRead -v ./backend/jobs/
func TestBenchStoredJobRead(t *testing.T) {
	benchmark.Require(t)
	n, reads := 5000, 50
	if benchmark.Smoke() {
		n, reads = 1000, 10
	}
	h := MustStart(t, jobs.Config{}, newFakeYouTube(8, 0), newFakeSummarizer(8, 0))
	h.start()
	live := finishedJob(t, h, n)
	storedJob(t, h, live.ID) // warm the page cache
	measure := func(perSummary bool) (ms, tx float64) {
		h.store.viewPerSummary = perSummary
		h.store.summaryViews.Store(0)
		t0 := time.Now()
		for range reads {
			j, err := h.eng.Get(context.Background(), live.ID)
			if err != nil || len(j.Results) != 2 {
				t.Fatalf("Get: %v", err)
			}
		}
		per := time.Since(t0) / time.Duration(reads)
		// + 1: Records.Job reads the record in one transaction.
		return float64(per.Microseconds()) / 1000, float64(h.store.summaryViews.Load())/float64(reads) + 1
	}
	oneMs, oneTx := measure(true)
	batchMs, batchTx := measure(false)
	oneMs2, _ := measure(true) // the two in turn, so drift shows
	batchMs2, _ := measure(false)

	r := benchmark.New(t)
	r.Note("stored job read — %s", machine())
	r.Note("finished job of %d videos read back (Get of a job not running), mean of %d Gets, two rounds — on this package's in-memory fake store: the times are the engine's own cost (decoding the record, building the results), not bbolt's; the real store's batched read is BenchmarkSummariesOfAJob in backend/store", n+1, reads)
	r.Info("  one read transaction per summary (before)", fmt.Sprintf("%.2f ms, %.2f ms; %.0f transactions", oneMs, oneMs2, oneTx))
	r.Info("  summaries in batches of 500 (SummariesByKey)", fmt.Sprintf("%.2f ms, %.2f ms; %.0f transactions", batchMs, batchMs2, batchTx))
	r.AtMost("  read transactions per Get (job record + summaries)", batchTx, float64(1+(n+1+499)/500), "")
}
