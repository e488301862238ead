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
	dir := filepath.Join(t.TempDir(), DirName)
	ix, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 4)
	call, _ := ix.w.add(func(err error) { got <- err })
	fire := scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback]
	// A merge error: nothing waits on merges.
	fire(scorch.NewScorchError("merger", "busy", scorch.ErrCleanup), filepath.Join(dir, "store"))
	select {
	case err := <-got:
		t.Fatalf("a non-persist error answered a batch: %v", err)
	default:
	}
	fire(scorch.NewScorchError("persister", "no space left on device", scorch.ErrPersist), filepath.Join(dir, "store"))
	select {
	case err := <-got:
		if err == nil {
			t.Fatal("a failed write answered nil")
		}
	default:
		t.Fatal("a failed write left its batch waiting")
	}
	call(nil) // bleve's own call, after a later write succeeded
	if len(got) != 0 {
		t.Fatal("a callback ran twice")
	}

	ix.w.add(func(err error) { got <- err }) // a batch still on its way to disk
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
