package search

import (
	"errors"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// A batch's persisted callback is how Apply (and the library's background
// indexer) learn that a batch is on disk. Bleve calls it once the batch
// is written; but when writing fails it keeps the callback until a later
// write succeeds (on a full disk: never), and it drops it when the index
// closes. So every callback is registered in its index's waiters, which
// bleve's asynchronous error callback (a failed write) and Close also
// answer, and each runs exactly once, whichever comes first.

// asyncErrorCallback names this package's bleve error callback
// (runtimeConfig).
const asyncErrorCallback = "ytsum-search"

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		if !errors.Is(err, scorch.ErrPersist) {
			return // merging and clean-up retry on their own; nothing waits on them
		}
		if w := lookupWaiters(filepath.Dir(path)); w != nil { // path is <index>/store
			w.failAll(indexErr(err, "writing to disk"))
		}
	}
}

// errClosed answers the batches not on disk when the index closed.
var errClosed = indexErr(errors.New("the index was closed before the batch was on disk"), "closing")

// waiters are one index's persisted callbacks that have not run yet.
type waiters struct {
	mu   sync.Mutex
	next uint64
	m    map[uint64]func(error)
}

// add registers fn; call runs it (once, whoever calls first: bleve, a
// failure or Close), drop forgets it without running it.
func (w *waiters) add(fn func(error)) (call func(error), drop func()) {
	w.mu.Lock()
	id := w.next
	w.next++
	w.m[id] = fn
	w.mu.Unlock()
	take := func() func(error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		f := w.m[id]
		delete(w.m, id)
		return f
	}
	return func(err error) {
			if f := take(); f != nil {
				f(err)
			}
		}, func() {
			take()
		}
}

// failAll runs every waiting callback with err.
func (w *waiters) failAll(err error) {
	w.mu.Lock()
	fs := w.m
	w.m = map[uint64]func(error){}
	w.mu.Unlock()
	for _, f := range fs {
		f(err)
	}
}

// pending maps an index folder to its waiters, for the error callback,
// which bleve gives only the path.
var pending = struct {
	sync.Mutex
	m map[string]*waiters
}{m: map[string]*waiters{}}

func openWaiters(dir string) *waiters {
	pending.Lock()
	defer pending.Unlock()
	w := pending.m[filepath.Clean(dir)]
	if w == nil {
		w = &waiters{m: map[uint64]func(error){}}
		pending.m[filepath.Clean(dir)] = w
	}
	return w
}

func lookupWaiters(dir string) *waiters {
	pending.Lock()
	defer pending.Unlock()
	return pending.m[filepath.Clean(dir)]
}

// closeWaiters answers what still waits with errClosed and forgets dir.
func closeWaiters(dir string) {
	pending.Lock()
	w := pending.m[filepath.Clean(dir)]
	delete(pending.m, filepath.Clean(dir))
	pending.Unlock()
	if w != nil {
		w.failAll(errClosed)
	}
}
