package search

import (
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Ensure a batch's persisted callback is answered when bleve reports that
// writing to disk failed (bleve itself would keep it until a later write
// succeeds: on a full disk, Apply waited for ever) and when the index
// closes first (bleve drops it), and that each callback runs once.
func TestPersistedCallbacksAnsweredOnFailureAndClose(t *testing.T) {
	ix := MustOpen(t)
	dir := ix.Path()
	got := make(chan error, 4)
	call, _, err := ix.w.add(func(err error) { got <- err })
	if err != nil {
		t.Fatal(err)
	}
	fire := scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback]
	// A failed merge, as bleve's merger reports it (ErrPersist, merge.go):
	// the batches' own writes are not affected, nothing waits on merges.
	fire(scorch.NewScorchError("merger", "merging err: no space left on device", scorch.ErrPersist), filepath.Join(dir, "store"))
	fire(scorch.NewScorchError("merger", "panic: boom", scorch.ErrAsyncPanic), filepath.Join(dir, "store"))
	fire(scorch.NewScorchError("persister", "removing old files", scorch.ErrCleanup), filepath.Join(dir, "store"))
	select {
	case err := <-got:
		t.Fatalf("an error not about a batch's write answered a batch: %v", err)
	default:
	}
	fire(scorch.NewScorchError("persister", "no space left on device", scorch.ErrPersist), filepath.Join(dir, "store"))
	wantFailed(t, got, "a failed write")
	call(nil) // bleve's own call, after a later write succeeded
	if len(got) != 0 {
		t.Fatal("a callback ran twice")
	}

	if _, _, err := ix.w.add(func(err error) { got <- err }); err != nil { // a batch still on its way to disk
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != errClosed {
			t.Fatalf("after Close: %v, want the closed error", err)
		}
	default:
		t.Fatal("Close left a batch waiting")
	}
	// Real batches still get bleve's answer.
	ix, _, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Apply([]Doc{{ID: "aaaaaaaaaaa", Title: "persisted"}}, nil); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

// Ensure a panic of bleve's persister (its loop ends: nothing is written
// any more) fails every batch waiting for the disk and every later one, so
// that a caller waiting for the disk (the library's Apply, its indexer's
// settling before Close) does not wait for ever.
func TestPersisterPanicFailsBatchesForGood(t *testing.T) {
	ix := MustOpen(t)
	got := make(chan error, 2)
	if _, _, err := ix.w.add(func(err error) { got <- err }); err != nil {
		t.Fatal(err)
	}
	fire := scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback]
	fire(scorch.NewScorchError("persister", "panic: boom", scorch.ErrAsyncPanic), filepath.Join(ix.Path(), "store"))
	wantFailed(t, got, "the persister's panic")
	called := make(chan error, 1)
	err := ix.ApplyAsync([]Doc{{ID: "aaaaaaaaaaa", Title: "never written"}}, nil, func(err error) { called <- err })
	if err == nil {
		t.Fatal("ApplyAsync after the persister's panic accepted a batch")
	}
	if len(called) != 0 {
		t.Fatal("ApplyAsync returned an error and called persisted")
	}
	if err := ix.Apply([]Doc{{ID: "bbbbbbbbbbb", Title: "never written"}}, nil); err == nil {
		t.Fatal("Apply after the persister's panic succeeded")
	}
}

// wantFailed checks that what (a bleve error report) has already answered
// the batch waiting on got, with an error.
func wantFailed(t *testing.T, got <-chan error, what string) {
	t.Helper()
	select {
	case err := <-got:
		if err == nil {
			t.Fatalf("%s answered nil", what)
		}
	default:
		t.Fatalf("%s left its batch waiting", what)
	}
}
