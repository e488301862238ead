package store

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// maxGroup is the most writes one group commit carries.
const maxGroup = 128

// groupCommit lets writes that arrive while another commit is in progress
// share the next transaction and its sync (a group commit): a write waits
// for at most the commit in progress, not for a queue of them, and a busy
// moment costs one sync for many writes instead of one each. There is no
// background goroutine and no timer: the first writer leads; when its group
// is committed, it hands the lead to the oldest waiting writer, which
// commits everything queued by then.
type groupCommit struct {
	mu    sync.Mutex
	queue []*groupCall
	busy  bool // a leader is running
}

type groupCall struct {
	fn   func(*Tx) error
	done chan error // buffered: the call's result, or errLead
}

// errLead tells a waiting call that it now leads.
var errLead = errors.New("store: lead the next group commit")

// write runs fn in a read-write transaction shared with the writes queued
// beside it, committed and synced before write returns. fn's error rolls
// back only fn (the others are committed without it). fn may run more than
// once (when a write in its group fails, the rest run again), so it must
// only write what it computes afresh. A nil fn only commits what waits in
// the job journal.
func (db *DB) write(fn func(*Tx) error) error {
	g := &db.group
	c := &groupCall{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if g.busy {
		g.mu.Unlock()
		if err := <-c.done; err != errLead {
			return err
		}
	} else {
		g.busy = true
		g.mu.Unlock()
	}
	// Leading: commit what is queued (c among it), then hand over.
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	calls := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()
	db.commitGroup(calls)
	g.mu.Lock()
	if len(g.queue) > 0 {
		g.queue[0].done <- errLead
	} else {
		g.busy = false
		g.queue = nil
	}
	g.mu.Unlock()
	return <-c.done
}

// commitGroup runs calls in one transaction, with the job journal's
// waiting parts written first, and answers each. A call whose fn fails gets
// its error and the others run again without it. A group of flushes alone
// (nil fns) with nothing waiting in the journal commits nothing.
func (db *DB) commitGroup(calls []*groupCall) {
	for len(calls) > 0 {
		entries := db.journal.pendingEntries()
		if len(entries) == 0 && !slices.ContainsFunc(calls, func(c *groupCall) bool { return c.fn != nil }) {
			for _, c := range calls {
				c.done <- nil
			}
			return
		}
		failed := -1
		err := updateSafely(db.bolt, func(tx *bolt.Tx) error {
			packed(tx)
			t := &Tx{tx: tx, now: db.now}
			if err := applyJournal(t, entries); err != nil {
				return err
			}
			for i, c := range calls {
				if err := callSafely(c.fn, t); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if err == nil && len(entries) > 0 {
			db.journal.applied(entries[len(entries)-1].seq)
		}
		if failed < 0 {
			for _, c := range calls {
				c.done <- storeErr(err, "writing")
			}
			return
		}
		calls[failed].done <- storeErr(err, "writing")
		calls = append(calls[:failed:failed], calls[failed+1:]...)
	}
}

// callSafely runs fn, turning a panic into an error so that one bad write
// does not take down the writers sharing its transaction.
func callSafely(fn func(*Tx) error, tx *Tx) (err error) {
	if fn == nil { // a flush
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: panic in a write: %v", r)
		}
	}()
	return fn(tx)
}

// updateSafely is bolt's Update with a panic inside bbolt (which rolls the
// transaction back and releases the writer lock before it propagates)
// turned into an error, so the writers waiting on a group are answered and
// the next one leads.
func updateSafely(bdb *bolt.DB, fn func(*bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: panic while committing: %v", r)
		}
	}()
	return bdb.Update(fn)
}
