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
// answer, and each runs exactly once, whichever comes first. Only the
// persister's errors answer them: the merger reports its failures as
// ErrPersist too, but a failed merge leaves the batches' own writes alone
// (it is retried by the next merge). A panic of the persister ends its
// loop, so nothing is written any more: every waiting batch fails and
// the index refuses new ones.

// asyncErrorCallback names this package's bleve error callback
// (runtimeConfig).
const asyncErrorCallback = "ytsum-search"

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = asyncError
}

// asyncError is this package's bleve error callback.
func asyncError(err error, path string) {
	var se *scorch.ScorchError
	if !errors.As(err, &se) || se.Source != scorchPersister {
		return // merging and clean-up retry on their own; nothing waits on them
	}
	w := lookupWaiters(filepath.Dir(path)) // path is <index>/store
	if w == nil {
		return
	}
	switch se.ErrType {
	case scorch.ErrPersist:
		w.failAll(indexErr(err, "writing to disk"), false)
	case scorch.ErrAsyncPanic:
		w.failAll(indexErr(err, "writing to disk"), true)
	}
}

// scorchPersister is the Source of the errors scorch's persister reports
// (the batches' writes to disk).
const scorchPersister = "persister"

// errClosed answers the batches not on disk when the index closed.
var errClosed = indexErr(errors.New("the index was closed before the batch was on disk"), "closing")

// waiters are one index's persisted callbacks that have not run yet.
type waiters struct {
	mu   sync.Mutex
	next uint64
	m    map[uint64]func(error)
	dead error // set when nothing can be written any more: add refuses
}

// add registers fn; call runs it (once, whoever calls first: bleve, a
// failure or Close), drop forgets it without running it. Once the index
// can write nothing any more, add returns that error and registers nothing.
func (w *waiters) add(fn func(error)) (call func(error), drop func(), err error) {
	w.mu.Lock()
	if w.dead != nil {
		w.mu.Unlock()
		return nil, nil, w.dead
	}
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
		}, nil
}

// failAll runs every waiting callback with err; fatal makes add refuse
// from now on.
func (w *waiters) failAll(err error, fatal bool) {
	w.mu.Lock()
	if fatal && w.dead == nil {
		w.dead = err
	}
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
		w.failAll(errClosed, true)
	}
}
