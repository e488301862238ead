package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/ytsum"
)

// storedParts reads job id's parts straight from the database file's
// buckets, without the flush Job does first.
func storedParts(t *testing.T, db *DB, id string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobParts)
		if b == nil {
			return nil
		}
		p := prefix(id)
		c := b.Cursor()
		for k, v := c.Seek(p); k != nil && len(k) >= len(p) && string(k[:len(p)]) == string(p); k, v = c.Next() {
			out[string(k[len(p):])] = string(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func journalSize(t *testing.T, db *DB) int64 {
	t.Helper()
	fi, err := os.Stat(db.path + JournalSuffix)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// A part without a head is journaled: PutJob returns before any database
// commit, Job still sees it, and a later commit (here the flush) carries it
// into the database and empties the file.
func TestJournaledPartsReachTheDatabase(t *testing.T) {
	db := MustOpen(t)
	if err := db.PutJob("j", []byte("head"), nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := db.PutJob("j", nil, map[string][]byte{"v/0": []byte("a"), "v/1": []byte("b")}); err != nil {
		t.Fatal(err)
	}
	// Both looks are taken before the scheduled flush can have run, unless
	// the machine is so loaded that they came too late to tell anything.
	got, size := storedParts(t, db, "j"), journalSize(t, db)
	if time.Since(start) < journalFlushDelay/2 {
		if len(got) != 0 {
			t.Fatalf("a journaled part was committed at once: %v", got)
		}
		if size == journalHeaderSize {
			t.Fatal("the part was not appended to the journal")
		}
	}
	// The scheduled flush commits it without any other write, then empties
	// the file (just after the commit returns, so both are waited for).
	deadline := time.Now().Add(10 * time.Second)
	for len(storedParts(t, db, "j")) != 2 || journalSize(t, db) != journalHeaderSize {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the database holds %v and the journal %d bytes; want both parts and an empty journal",
				storedParts(t, db, "j"), journalSize(t, db))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if lag := db.JournalLag(); len(lag) != 1 || lag[0] < journalFlushDelay/2 {
		t.Fatalf("JournalLag = %v, want one sample (one record) of about the flush delay", lag)
	}
	if lag := db.JournalLag(); len(lag) != 0 {
		t.Fatalf("JournalLag did not forget what it returned: %v", lag)
	}
}

// Job flushes the journal first; a later part replaces an earlier one and
// a nil part deletes, in order, whether journaled or committed.
func TestJournalOrderAndReadYourWrites(t *testing.T) {
	db := MustOpen(t)
	if err := db.PutJob("j", []byte("h1"), map[string][]byte{"v/0": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	steps := []map[string][]byte{
		{"v/0": []byte("y"), "v/1": []byte("1")},
		{"v/1": nil, "v/2": []byte("2")},
		{"v/0": []byte("z")},
	}
	for _, p := range steps {
		if err := db.PutJob("j", nil, p); err != nil {
			t.Fatal(err)
		}
	}
	head, parts, err := db.Job("j")
	if err != nil || string(head) != "h1" || len(parts) != 2 || string(parts["v/0"]) != "z" || string(parts["v/2"]) != "2" {
		t.Fatalf("Job = %s %q %v", head, parts, err)
	}
	// A head write after journaled parts commits them first, then itself.
	if err := db.PutJob("j", nil, map[string][]byte{"v/3": []byte("3")}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutJob("j", []byte("h2"), map[string][]byte{"v/3": []byte("final")}); err != nil {
		t.Fatal(err)
	}
	if got := storedParts(t, db, "j"); got["v/3"] != "final" {
		t.Fatalf("stored v/3 = %q, want the head write's value", got["v/3"])
	}
}

// DeleteJob commits waiting parts before it deletes, so neither the
// database nor a replay brings a deleted job's parts back.
func TestDeleteJobWithJournaledParts(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db := openAt(t, path)
	_ = db.PutJob("gone", []byte("h"), nil)
	_ = db.PutJob("kept", []byte("h"), nil)
	for i := range 5 {
		_ = db.PutJob("gone", nil, map[string][]byte{fmt.Sprintf("v/%d", i): []byte("x")})
	}
	_ = db.PutJob("kept", nil, map[string][]byte{"v/0": []byte("k")})
	if err := db.DeleteJob("gone"); err != nil {
		t.Fatal(err)
	}
	if got := storedParts(t, db, "gone"); len(got) != 0 {
		t.Fatalf("deleted job's parts stored: %v", got)
	}
	if got := storedParts(t, db, "kept"); got["v/0"] != "k" {
		t.Fatalf("the other job's journaled part was not committed with the delete: %v", got)
	}
	db = reopen(t, db)
	defer db.Close()
	if _, _, err := db.Job("gone"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("deleted job after reopen: %v", err)
	}
	if got := storedParts(t, db, "gone"); len(got) != 0 {
		t.Fatalf("deleted job's parts came back: %v", got)
	}
	MustCheck(t, db)
}

// appendRecords writes journal records to path's journal as a crash would
// leave them, with extra bytes after them.
func appendRecords(t *testing.T, path string, tail []byte, recs ...journalEntry) {
	t.Helper()
	f, err := os.OpenFile(path+JournalSuffix, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, r := range recs {
		if _, err := f.Write(encodeJournalEntry(r.seq, r.id, r.parts)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Write(tail); err != nil {
		t.Fatal(err)
	}
}

// Open replays what a crash left in the journal: records past the sequence
// the database reached, of jobs that still exist, up to the first torn or
// damaged record; then it empties the file and goes on numbering after it.
func TestJournalReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db := openAt(t, path)
	_ = db.PutJob("j", []byte("h"), map[string][]byte{"v/0": []byte("committed")})
	// The database has reached sequence 2 (two parts journaled and flushed).
	_ = db.PutJob("j", nil, map[string][]byte{"v/1": []byte("one")})
	_ = db.PutJob("j", nil, map[string][]byte{"v/2": []byte("two")})
	if err := db.syncJournal(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	good := encodeJournalEntry(6, "j", map[string][]byte{"v/6": []byte("six")})
	damaged := append([]byte(nil), good...)
	damaged[len(damaged)-1] ^= 0xff
	appendRecords(t, path, nil,
		journalEntry{seq: 2, id: "j", parts: map[string][]byte{"v/2": []byte("stale")}},         // applied already
		journalEntry{seq: 3, id: "j", parts: map[string][]byte{"v/0": nil, "v/3": []byte("3")}}, // replayed
		journalEntry{seq: 4, id: "nojob", parts: map[string][]byte{"v/0": []byte("x")}},         // job deleted
		journalEntry{seq: 5, id: "j", parts: map[string][]byte{"v/5": []byte("five")}},          // replayed
	)
	appendRecords(t, path, good[:len(good)-3]) // torn: the write was cut off
	db = openAt(t, path)
	got := storedParts(t, db, "j")
	want := map[string]string{"v/1": "one", "v/2": "two", "v/3": "3", "v/5": "five"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after replay: %v, want %v", got, want)
	}
	if got := storedParts(t, db, "nojob"); len(got) != 0 {
		t.Fatalf("a part of a job that does not exist was replayed: %v", got)
	}
	if n := journalSize(t, db); n != journalHeaderSize {
		t.Fatalf("journal holds %d bytes after the replay", n)
	}
	// Numbering goes on after the highest sequence seen.
	_ = db.PutJob("j", nil, map[string][]byte{"v/7": []byte("seven")})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// A damaged record in the middle stops the replay there.
	appendRecords(t, path, nil, journalEntry{seq: 6, id: "j", parts: map[string][]byte{"v/6": []byte("six")}})
	appendRecords(t, path, damaged)
	appendRecords(t, path, nil, journalEntry{seq: 8, id: "j", parts: map[string][]byte{"v/8": []byte("after")}})
	db = openAt(t, path)
	defer db.Close()
	_, parts, err := db.Job("j")
	if err != nil {
		t.Fatal(err)
	}
	if string(parts["v/7"]) != "seven" || parts["v/6"] != nil || parts["v/8"] != nil {
		t.Fatalf("second replay: %q (want v/7 kept; v/6 applied already by sequence; v/8 after damage dropped)", parts)
	}
	var seq string
	_ = db.bolt.View(func(tx *bolt.Tx) error { seq = string(tx.Bucket(bucketMeta).Get(keyJournalSeq)); return nil })
	if n, _ := strconv.Atoi(seq); n < 6 {
		t.Fatalf("journal_seq = %q, want ≥ 6", seq)
	}
	MustCheck(t, db)
}

// Replay takes every record the journal's append writes, however large: a
// bound on replay alone lost a part PutJob had acknowledged (64 MiB and
// more) and every part journaled after it. (Read straight from the file:
// committing 64 MiB to bbolt would only slow the test down.)
func TestJournalReplaysALargeRecord(t *testing.T) {
	db := MustOpen(t)
	big := make([]byte, 64<<20+1)
	appendRecords(t, db.path, nil,
		journalEntry{seq: 1, id: "j", parts: map[string][]byte{"big": big}},
		journalEntry{seq: 2, id: "j", parts: map[string][]byte{"after": []byte("a")}})
	_, recs, err := readJournal(db.journal.f)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(recs[0].parts["big"]) != len(big) || string(recs[1].parts["after"]) != "a" {
		t.Fatalf("replay read %d of the 2 records", len(recs))
	}
}

// When the journal cannot be written, parts are committed at once.
func TestJournalWriteFailureFallsBack(t *testing.T) {
	db := MustOpen(t)
	_ = db.PutJob("j", []byte("h"), nil)
	db.journal.mu.Lock()
	_ = db.journal.f.Close() // every later write to it fails
	db.journal.mu.Unlock()
	if err := db.PutJob("j", nil, map[string][]byte{"v/0": []byte("a")}); err != nil {
		t.Fatal(err)
	}
	if got := storedParts(t, db, "j"); got["v/0"] != "a" {
		t.Fatalf("after a journal failure the part was not committed at once: %v", got)
	}
	// Committed at once or journaled, parts of a job with no head are dropped.
	if err := db.PutJob("nohead", nil, map[string][]byte{"v/0": []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if got := storedParts(t, db, "nohead"); len(got) != 0 {
		t.Fatalf("parts of a job with no head were stored: %v", got)
	}
	db.journal.mu.Lock()
	db.journal.f = nil // closed above; Close must not close it again
	db.journal.mu.Unlock()
}

// A failed journal write turns the journal off only until the file is
// emptied: once nothing journaled waits, the next part is journaled again,
// even when the failure came with nothing waiting (the usual case: every
// commit empties the file).
func TestJournalWorksAgainAfterAWriteFailure(t *testing.T) {
	db := MustOpen(t)
	_ = db.PutJob("j", []byte("h"), nil)
	readOnly, err := os.Open(db.path + JournalSuffix)
	if err != nil {
		t.Fatal(err)
	}
	defer readOnly.Close()
	db.journal.mu.Lock()
	good := db.journal.f
	db.journal.f = readOnly // this write fails, the next ones would not
	db.journal.mu.Unlock()
	if err := db.PutJob("j", nil, map[string][]byte{"v/0": []byte("a")}); err != nil {
		t.Fatal(err)
	}
	if got := storedParts(t, db, "j"); got["v/0"] != "a" {
		t.Fatalf("after a journal failure the part was not committed at once: %v", got)
	}
	db.journal.mu.Lock()
	db.journal.f = good
	db.journal.mu.Unlock()
	if err := db.PutJob("j", nil, map[string][]byte{"v/1": []byte("b")}); err != nil {
		t.Fatal(err)
	}
	if err := db.syncJournal(); err != nil {
		t.Fatal(err)
	}
	// Only a journaled part leaves a lag sample when it is committed.
	if lag := db.JournalLag(); len(lag) != 1 {
		t.Fatalf("%d parts went through the journal after the failure, want 1", len(lag))
	}
	if got := storedParts(t, db, "j"); got["v/1"] != "b" {
		t.Fatalf("stored parts %v, want v/1", got)
	}
}

// Writes from many goroutines share commits; a failing or panicking write
// fails alone and the others in its group are committed.
func TestGroupCommit(t *testing.T) {
	db := MustOpen(t)
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	bad := errors.New("refused")
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				id := fmt.Sprintf("g%d-%d", g, i)
				var err error
				switch i % 10 {
				case 3:
					if e := db.write(func(*Tx) error { return bad }); !errors.Is(e, bad) {
						err = fmt.Errorf("failing write returned %v", e)
					}
				case 7:
					if e := db.write(func(*Tx) error { panic("boom") }); e == nil {
						err = errors.New("panicking write returned nil")
					}
				default:
					err = db.PutJob(id, []byte(id), map[string][]byte{"p": []byte(id)})
					if err == nil {
						err = db.PutSummary(sum(id, "k", t0))
					}
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n := 0
	_ = db.ForEachJob(func(string, []byte) error { n++; return nil })
	if n != 8*40 {
		t.Fatalf("%d jobs stored, want %d", n, 8*40)
	}
	if c, _ := db.VideoCount(); c != 8*40 {
		t.Fatalf("%d videos stored, want %d", c, 8*40)
	}
}

// A journal that cannot be opened at one start is never replayed at a later
// one, over the writes made meanwhile: the database gets a new identity.
func TestUnusableJournalIsNeverReplayedLater(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db := openAt(t, path)
	_ = db.PutJob("j", []byte("h"), map[string][]byte{"k": []byte("first")})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// What a crash left: a part the database never got.
	appendRecords(t, path, nil, journalEntry{seq: 100, id: "j", parts: map[string][]byte{"k": []byte("old")}})
	// The next start cannot open the journal (here: a folder in its place).
	jpath := path + JournalSuffix
	if err := os.Rename(jpath, jpath+".aside"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(jpath, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("an unusable journal must not stop the database: %v", err)
	}
	if err := db.PutJob("j", []byte("h"), map[string][]byte{"k": []byte("new")}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// The start after that can open it again: its old record must stay unused.
	_ = os.Remove(jpath)
	if err := os.Rename(jpath+".aside", jpath); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path)
	defer db.Close()
	if got := storedParts(t, db, "j"); got["k"] != "new" {
		t.Fatalf("part k = %q after the old journal came back, want %q", got["k"], "new")
	}
}

// Writes queued while a commit runs share the next transaction.
func TestGroupCommitSharesATransaction(t *testing.T) {
	db := MustOpen(t)
	release, entered := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.write(func(*Tx) error { close(entered); <-release; return nil })
	}()
	waitQueue := func(n int) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			db.group.mu.Lock()
			got := len(db.group.queue)
			db.group.mu.Unlock()
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d writes queued, want %d", got, n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	<-entered // the first write leads and waits inside its commit
	const n = 6
	ids := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.write(func(tx *Tx) error {
				ids <- tx.tx.ID()
				return tx.PutVideo(ytsum.Video{ID: fmt.Sprintf("vid%08d", i)})
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	waitQueue(n)
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(ids)
	seen := map[int]int{}
	for id := range ids {
		seen[id]++
	}
	if len(seen) != 1 {
		t.Fatalf("%d writes queued behind one commit used transactions %v, want one shared", n, seen)
	}
}

// A flush with nothing waiting in the journal commits nothing.
func TestEmptyFlushCommitsNothing(t *testing.T) {
	db := MustOpen(t)
	txid := func() (id int) {
		_ = db.bolt.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
		return id
	}
	before := txid()
	if err := db.write(nil); err != nil {
		t.Fatal(err)
	}
	if after := txid(); after != before {
		t.Fatalf("an empty flush committed a transaction (%d → %d)", before, after)
	}
}
