package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

// writeCache writes a summary_cache.json of the given raw entries ("id":
// value pairs, in order) into a new folder and returns the folder.
func writeCache(t *testing.T, prefix string, entries ...string) string {
	t.Helper()
	dir := t.TempDir()
	data := prefix + "{" + strings.Join(entries, ",\n") + "}\n"
	if err := os.WriteFile(filepath.Join(dir, OriginalCacheFile), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func entry(id, title, text, at string) string {
	return fmt.Sprintf(`%q: {"title": %q, "summary": %q, "summarized_at": %q, "model_used": "gemini-2.5-flash"}`, id, title, text, at)
}

// An import larger than one batch: every summary is written, indexed and
// taken off the index queue; a second import adds nothing.
func TestImportManyBatches(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	n := 2*importBatch + 37
	var entries []string
	for i := range n {
		word := "common"
		if i == n-1 {
			word = "zanzibar" // only the last entry of the file
		}
		entries = append(entries, entry(fmt.Sprintf("v%010d", i), fmt.Sprintf("Video %d", i),
			"A summary about "+word+" things.", fmt.Sprintf("2025-01-01T00:00:%02d", i%60)))
	}
	src := writeCache(t, "", entries...)
	rep, err := e.lib.Import(ctx, src)
	if err != nil || rep.Added != n || rep.Skipped != 0 || rep.Failed != 0 {
		t.Fatalf("Import = %+v %v", rep, err)
	}
	if c, _ := e.db.VideoCount(); c != n {
		t.Errorf("videos = %d, want %d", c, n)
	}
	waitIndexed(t, e.lib)
	if p, _ := e.db.PendingIndex(10); len(p) != 0 {
		t.Errorf("index queue after the import = %v", p)
	}
	if c, _ := e.lib.ix.Count(); c != n {
		t.Errorf("indexed = %d, want %d", c, n)
	}
	if items, err := e.lib.Search(ctx, "zanzibar", 5); err != nil || len(items) != 1 || items[0].Summary.ID != fmt.Sprintf("v%010d", n-1) {
		t.Errorf("Search(zanzibar) = %v %v", itemIDs(items), err)
	}
	rep, err = e.lib.Import(ctx, src)
	if err != nil || rep.Added != 0 || rep.Skipped != n {
		t.Errorf("second Import = %+v %v", rep, err)
	}
}

// A key that appears twice counts once, as its last entry (what the
// original app's json.load kept), whether that one is good or bad; a byte
// order mark is skipped.
func TestImportDuplicateKeysLastWins(t *testing.T) {
	e := MustOpen(t)
	src := writeCache(t, "\xef\xbb\xbf",
		entry("aaaaaaaaaaa", "First", "old text", "2025-01-01T00:00:00"),
		entry("bbbbbbbbbbb", "Good then bad", "fine", "2025-01-01T00:00:00"),
		entry("aaaaaaaaaaa", "Second", "new text", "2025-01-02T00:00:00"),
		`"bbbbbbbbbbb": {"title": "Bad", "summarized_at": "2025-01-01T00:00:00"}`,
		`"ccccccccccc": "bad first"`,
		entry("ccccccccccc", "Bad then good", "fixed", "2025-01-03T00:00:00"))
	rep, err := e.lib.Import(context.Background(), src)
	if err != nil || rep.Added != 2 || rep.Failed != 1 || rep.Failures[0].VideoID != "bbbbbbbbbbb" {
		t.Fatalf("Import = %+v %v", rep, err)
	}
	if s, err := e.lib.Latest("aaaaaaaaaaa"); err != nil || s.Title != "Second" || s.Text != "new text" {
		t.Errorf("aaaaaaaaaaa = %+v %v", s, err)
	}
	if items, _ := e.lib.Search(context.Background(), "old", 5); len(items) != 0 {
		t.Errorf("the first of two entries was indexed: %v", itemIDs(items))
	}
}

// An imported summary older than the video's entry does not replace it, in
// the library or in the index.
func TestImportOlderThanEntry(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	if err := e.lib.Save(ctx, e.summary("dQw4w9WgXcQ", "Newer", "About zebras.", time.Now())); err != nil {
		t.Fatal(err)
	}
	src := writeCache(t, "", entry("dQw4w9WgXcQ", "Older", "About giraffes.", "2020-01-01T00:00:00"))
	rep, err := e.lib.Import(ctx, src)
	if err != nil || rep.Added != 1 {
		t.Fatalf("Import = %+v %v", rep, err)
	}
	if s, _ := e.lib.Latest("dQw4w9WgXcQ"); s.Title != "Newer" {
		t.Errorf("entry = %q", s.Title)
	}
	if items, _ := e.lib.Search(ctx, "zebras", 5); len(items) != 1 {
		t.Errorf("Search(zebras) = %v", itemIDs(items))
	}
	if items, _ := e.lib.Search(ctx, "giraffes", 5); len(items) != 0 {
		t.Errorf("Search(giraffes) = %v", itemIDs(items))
	}
	if p, _ := e.db.PendingIndex(10); len(p) != 0 {
		t.Errorf("index queue after the import = %v", p)
	}
}

// A cancelled import writes nothing and says so.
func TestImportCancelled(t *testing.T) {
	e := MustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.lib.Import(ctx, filepath.Join("testdata", "original"))
	if ytsum.ErrorCode(err) != ytsum.CodeUnavailable || !strings.Contains(ytsum.ErrorMessage(err), "nothing was imported") {
		t.Fatalf("Import = %v", err)
	}
	if n, _ := e.db.VideoCount(); n != 0 {
		t.Errorf("%d summaries imported", n)
	}
}

// A file broken after more than a batch of good entries imports nothing:
// the whole file is checked before the first write.
func TestImportBrokenLateImportsNothing(t *testing.T) {
	e := MustOpen(t)
	var entries []string
	for i := range importBatch + 10 {
		entries = append(entries, entry(fmt.Sprintf("v%010d", i), "T", "text", "2025-01-01T00:00:00"))
	}
	entries = append(entries, `"wwwwwwwwwww": {"title": "broken", `)
	_, err := e.lib.Import(context.Background(), writeCache(t, "", entries...))
	if ytsum.ErrorKind(err) != "import_malformed" {
		t.Fatalf("Import = %v", err)
	}
	if n, _ := e.db.VideoCount(); n != 0 {
		t.Errorf("%d summaries imported from a broken file", n)
	}
}

// cancelLater is a context that is cancelled from its n-th Err call on.
type cancelLater struct {
	context.Context
	calls, n int
}

func (c *cancelLater) Err() error {
	c.calls++
	if c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

// An import cancelled part way keeps the batches it wrote, says how many,
// and running it again adds the rest.
func TestImportCancelledPartWay(t *testing.T) {
	e := MustOpen(t)
	n := 6 * importBatch
	var entries []string
	for i := range n {
		entries = append(entries, entry(fmt.Sprintf("v%010d", i), "T", "text", "2025-01-01T00:00:00"))
	}
	src := writeCache(t, "", entries...)
	// The first pass asks at every 1,024th entry; cancel in the second.
	ctx := &cancelLater{Context: context.Background(), n: (n+1023)/1024 + 2}
	_, err := e.lib.Import(ctx, src)
	written, _ := e.db.VideoCount()
	if ytsum.ErrorCode(err) != ytsum.CodeUnavailable || written == 0 || written == n ||
		!strings.Contains(ytsum.ErrorMessage(err), fmt.Sprintf("after %d summaries", written)) {
		t.Fatalf("Import = %v with %d of %d written", err, written, n)
	}
	waitIndexed(t, e.lib)
	if p, _ := e.db.PendingIndex(10); len(p) != 0 {
		t.Errorf("index queue after a cancelled import = %v", p)
	}
	rep, err := e.lib.Import(context.Background(), src)
	if err != nil || rep.Added != n-written || rep.Skipped != written {
		t.Errorf("second Import = %+v %v", rep, err)
	}
}

// waitIndexed waits until the background indexer has taken in the queue.
func waitIndexed(t *testing.T, l *Library) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := l.WaitIndexed(ctx); err != nil {
		t.Fatalf("WaitIndexed: %v", err)
	}
}

// holdIndexer makes l's background indexer stop at its first batch, as
// though analysing a large one, until release is called; entered is
// closed when it got there.
func holdIndexer(l *Library) (entered <-chan struct{}, release func()) {
	in, gate := make(chan struct{}), make(chan struct{})
	var once, rel sync.Once
	l.syncMu.Lock()
	l.batchHook = func() {
		once.Do(func() { close(in) })
		<-gate
	}
	l.syncMu.Unlock()
	return in, func() { rel.Do(func() { close(gate) }) }
}

// holdImportWriter makes the writer goroutine of l's next Import stop
// before its batch number at (from 1) until release is called; entered is
// closed when it got there, ended when the writer has returned.
func holdImportWriter(l *Library, at int) (entered, ended <-chan struct{}, release func()) {
	in, out, gate := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var rel sync.Once
	writes := 0 // the writer goroutine's alone
	l.importHooks = &importHooks{
		write: func() {
			if writes++; writes == at {
				close(in)
				<-gate
			}
		},
		ended: func() { close(out) },
	}
	return in, out, func() { rel.Do(func() { close(gate) }) }
}

// waitClosed waits, a minute at most, for the Close whose result closed
// carries; late is the failure when it does not return.
func waitClosed(t *testing.T, closed <-chan error, late string) {
	t.Helper()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close = %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal(late)
	}
}

// manyEntries is an original cache of n entries (more than a search takes
// into the index itself); only the last one says "zanzibar".
func manyEntries(t *testing.T, n int) string {
	var entries []string
	for i := range n {
		word := "common"
		if i == n-1 {
			word = "zanzibar"
		}
		entries = append(entries, entry(fmt.Sprintf("v%010d", i), fmt.Sprintf("Video %d", i),
			"A summary about "+word+" things.", "2025-01-01T00:00:00"))
	}
	return writeCache(t, "", entries...)
}

// Import returns once the summaries are written, whatever the index is
// doing: the report says how many it is still taking in. A search meanwhile
// answers from the index as it is (it does not wait for a large queue), and
// once the index has caught up a search finds every summary.
func TestImportReturnsBeforeIndexing(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	n := 2*importBatch + 37
	if n <= searchDrainMax {
		t.Fatal("the import must queue more than a search drains")
	}
	entered, release := holdIndexer(e.lib)
	defer release()
	rep, err := e.lib.Import(ctx, manyEntries(t, n))
	if err != nil || rep.Added != n {
		t.Fatalf("Import = %+v %v", rep, err)
	}
	if rep.IndexingPending != n || rep.IndexingSeconds < 1 ||
		!strings.Contains(rep.String(), fmt.Sprintf("still taking in %d summaries: search will find them all in about", n)) {
		t.Errorf("report while the index is held: %+v %q", rep, rep.String())
	}
	select {
	case <-entered:
	case <-time.After(time.Minute):
		t.Fatal("the background indexer did not start")
	}
	// The indexer holds the index (as during a batch's analysis): a search
	// must answer without it.
	type answer struct {
		items []Item
		err   error
	}
	got := make(chan answer, 1)
	go func() {
		items, err := e.lib.Search(ctx, "zanzibar", 5)
		got <- answer{items, err}
	}()
	select {
	case a := <-got:
		if a.err != nil || len(a.items) != 0 {
			t.Errorf("Search during the backlog = %v %v, want no hit yet", itemIDs(a.items), a.err)
		}
	case <-time.After(30 * time.Second):
		release()
		t.Fatal("Search waited for the index's backlog")
	}
	if st, err := e.lib.IndexingStatus(); err != nil || st.Pending != n || st.ETA <= 0 {
		t.Errorf("IndexingStatus = %+v %v", st, err)
	}
	release()
	waitIndexed(t, e.lib)
	if c, _ := e.lib.ix.Count(); c != n {
		t.Errorf("indexed = %d, want %d", c, n)
	}
	if items, err := e.lib.Search(ctx, "zanzibar", 5); err != nil || len(items) != 1 {
		t.Errorf("Search(zanzibar) after the catch-up = %v %v", itemIDs(items), err)
	}
	if items, err := e.lib.Search(ctx, "common", 2000); err != nil || len(items) != n-1 {
		t.Errorf("Search(common) after the catch-up = %d hits %v, want %d", len(items), err, n-1)
	}
	if st, err := e.lib.IndexingStatus(); err != nil || st.Pending != 0 || st.ETA != 0 {
		t.Errorf("IndexingStatus after the catch-up = %+v %v", st, err)
	}
}

// Close during the background indexing stops it at the next batch; the
// rest stays queued on disk and is indexed after the next Open (as after a
// crash).
func TestCloseDuringIndexing(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	n := 2*importBatch + 37
	entered, release := holdIndexer(e.lib)
	defer release()
	if rep, err := e.lib.Import(ctx, manyEntries(t, n)); err != nil || rep.Added != n {
		t.Fatalf("Import = %+v %v", rep, err)
	}
	select {
	case <-entered:
	case <-time.After(time.Minute):
		t.Fatal("the background indexer did not start")
	}
	closed := make(chan error, 1)
	lib := e.lib
	go func() { closed <- lib.Close() }()
	select {
	case <-lib.closing.Done(): // Close has asked the indexer to stop
	case <-time.After(time.Minute):
		t.Fatal("Close did not begin")
	}
	release() // the batch the indexer is on finishes
	waitClosed(t, closed, "Close waited for the whole backlog")
	left, err := e.db.PendingCount()
	if err != nil || left == 0 || left == n {
		t.Fatalf("after Close %d of %d still queued (%v), want the batch done and the rest queued", left, n, err)
	}
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	e.lib, e.db = nil, nil
	// The next Open indexes the rest (in the background: the queue is large).
	e.reopen(t)
	waitIndexed(t, e.lib)
	if c, _ := e.lib.ix.Count(); c != n {
		t.Errorf("indexed after reopening = %d, want %d", c, n)
	}
	if items, err := e.lib.Search(ctx, "zanzibar", 5); err != nil || len(items) != 1 {
		t.Errorf("Search(zanzibar) after reopening = %v %v", itemIDs(items), err)
	}
}

// Ensure a summary saved while the index takes in a large queue is
// indexed by the indexer's next batch, not when the queue's order reaches
// it: a search finds it while most of the import is still queued.
func TestSavedDuringCatchUpIsIndexedFirst(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	n := 3 * catchBatch
	entered, gate := make(chan struct{}, 1), make(chan struct{})
	e.lib.syncMu.Lock()
	e.lib.batchHook = func() {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-gate
	}
	e.lib.syncMu.Unlock()
	released := false
	release := func() {
		if !released {
			released = true
			close(gate)
		}
	}
	defer release()
	next := func() {
		select {
		case <-entered:
		case <-time.After(time.Minute):
			release()
			t.Fatal("the background indexer did not reach its next batch")
		}
	}
	if rep, err := e.lib.Import(ctx, manyEntries(t, n)); err != nil || rep.Added != n {
		t.Fatalf("Import = %+v %v", rep, err)
	}
	next() // the first batch, not read yet
	// Its id sorts after every imported one: the queue's order would take it last.
	s := e.summary("zzzzzzzzzzz", "Platypus", "The platypus lays eggs.", t0)
	if err := e.lib.Save(ctx, s); err != nil {
		t.Fatal(err)
	}
	gate <- struct{}{} // the first batch runs
	next()             // and the second waits: the first is searchable
	items, err := e.lib.Search(ctx, "platypus", 5)
	if err != nil || len(items) != 1 || items[0].Summary.ID != s.ID {
		t.Errorf("Search(platypus) after one batch = %v %v, want the summary saved during the catch-up", itemIDs(items), err)
	}
	if st, err := e.lib.IndexingStatus(); err != nil || st.Pending < n-catchBatch {
		t.Errorf("IndexingStatus = %+v %v, want most of the import still queued", st, err)
	}
	release()
	waitIndexed(t, e.lib)
	if items, err := e.lib.Search(ctx, "zanzibar", 5); err != nil || len(items) != 1 {
		t.Errorf("Search(zanzibar) after the catch-up = %v %v", itemIDs(items), err)
	}
	if c, _ := e.lib.ix.Count(); c != n+1 {
		t.Errorf("indexed = %d, want %d", c, n+1)
	}
}

// Ensure a background indexing round that fails is retried on the
// retry timer, without a new save, search or WaitIndexed (which wakes the
// indexer itself), and is reported to WaitIndexed (ytsum import waited for
// ever, logging once a second).
func TestWaitIndexedReportsAFailedRound(t *testing.T) {
	first := retryFirst
	retryFirst = 20 * time.Millisecond
	t.Cleanup(func() { retryFirst = first }) // after the library's cleanup
	e := MustOpen(t)
	ctx := context.Background()
	// The index fails every write from now on.
	e.lib.syncMu.Lock()
	_ = e.lib.ix.Close()
	e.lib.syncMu.Unlock()
	s := e.summary("fffffffffff", "Fails", "The index is gone.", t0)
	if err := e.lib.Save(ctx, s); err != nil { // the one wake-up
		t.Fatal(err)
	}
	waitFailures(t, e.lib, 3) // the first round and two retries
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := e.lib.WaitIndexed(wctx)
	if err == nil || wctx.Err() != nil {
		t.Fatalf("WaitIndexed over a failing index = %v (context: %v), want the indexing error", err, wctx.Err())
	}
	if n, _ := e.lib.indexFailures(); n < 1 {
		t.Errorf("failed rounds = %d", n)
	}
}

// Close during an import cancels it and returns only once the import's
// writer goroutine has ended, so nothing the library started touches the
// database after Close (the owner closes it next).
func TestCloseWaitsForAnImport(t *testing.T) {
	e := MustOpen(t)
	n := 4 * importBatch
	src := manyEntries(t, n)
	lib := e.lib
	inWrite, writerEnded, release := holdImportWriter(lib, 1)
	defer release()
	type result struct {
		rep ImportReport
		err error
	}
	imported := make(chan result, 1)
	go func() {
		rep, err := lib.Import(context.Background(), src)
		imported <- result{rep, err}
	}()
	select {
	case <-inWrite:
	case <-time.After(time.Minute):
		t.Fatal("the import did not start writing")
	}
	closed := make(chan error, 1)
	go func() { closed <- lib.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while the import's writer was still writing", err)
	case <-time.After(200 * time.Millisecond):
	}
	release()
	waitClosed(t, closed, "Close did not return once the writer could go on")
	select {
	case <-writerEnded:
	default:
		t.Fatal("Close returned before the import's writer goroutine ended")
	}
	r := <-imported // Import has returned too
	if ytsum.ErrorKind(r.err) != "cancelled" || r.rep.Added >= n {
		t.Errorf("Import cut by Close = %+v %v, want cancelled part-way", r.rep, r.err)
	}
	if c, err := e.db.VideoCount(); err != nil || c != r.rep.Added {
		t.Errorf("videos in the database = %d (%v), the report says %d", c, err, r.rep.Added)
	}
	// After Close an import is refused, not started.
	if _, err := lib.Import(context.Background(), src); ytsum.ErrorKind(err) != "library_closed" {
		t.Errorf("Import after Close = %v, want library_closed", err)
	}
	e.close(t)
}

// A file over the import limit is refused before it is read, with its
// size, the limit and what to do.
func TestImportTooLarge(t *testing.T) {
	e := MustOpen(t)
	dir := t.TempDir()
	file := filepath.Join(dir, OriginalCacheFile)
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxImportBytes + maxImportBytes/2); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	_, err = e.lib.Import(context.Background(), dir)
	want := fmt.Sprintf("The file %s is 1.5 GiB, larger than the 1 GiB limit of an import, so nothing was imported; split it into smaller files", file)
	if ytsum.ErrorCode(err) != ytsum.CodeInvalid || ytsum.ErrorKind(err) != "import_too_large" || !strings.HasPrefix(ytsum.ErrorMessage(err), want) {
		t.Errorf("Import of a 1.5 GiB file = %v (%s, %s), want %q…", err, ytsum.ErrorCode(err), ytsum.ErrorKind(err), want)
	}
	for n, want := range map[int64]string{maxImportBytes: "1 GiB", maxImportBytes + 1: "1.1 GiB", 300 << 20: "300 MiB", 3<<29 + 1: "1.6 GiB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// withAudio puts one audio file beside the cache in dir, so the first pass
// asks SpeechText about every entry (the test's way in between the passes).
func withAudio(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, OriginalAudioDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, OriginalAudioDir, "af_heart_00.mp3"), []byte("ID3"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// appendTo adds a byte (JSON whitespace) to the end of file: it is being
// written.
func appendTo(file string) error {
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString("\n")
	return errors.Join(err, f.Close())
}

// A file that changes between the two passes imports nothing and says
// so; one that changes during the writes says how many were added; both
// say to import it again once it is no longer written.
func TestImportFileChanged(t *testing.T) {
	t.Run("between the passes", func(t *testing.T) {
		e := MustOpen(t)
		dir := manyEntries(t, 10)
		withAudio(t, dir)
		file := filepath.Join(dir, OriginalCacheFile)
		var once sync.Once
		e.lib.opts.SpeechText = func(s string) string {
			once.Do(func() {
				if err := appendTo(file); err != nil {
					t.Error(err)
				}
			})
			return s
		}
		_, err := e.lib.Import(context.Background(), dir)
		want := fmt.Sprintf("The file %s changed while it was being imported, so nothing was imported; import it again when it is no longer being written (quit the original app first).", file)
		if ytsum.ErrorKind(err) != "import_changed" || ytsum.ErrorCode(err) != ytsum.CodeInvalid || ytsum.ErrorMessage(err) != want {
			t.Errorf("Import = %v (%s), want %q", err, ytsum.ErrorKind(err), want)
		}
		if n, _ := e.db.VideoCount(); n != 0 {
			t.Errorf("%d summaries imported from a changed file", n)
		}
	})
	t.Run("during the writes", func(t *testing.T) {
		e := MustOpen(t)
		dir := manyEntries(t, 4*importBatch)
		file := filepath.Join(dir, OriginalCacheFile)
		var once sync.Once
		e.lib.importHooks = &importHooks{write: func() {
			once.Do(func() {
				if err := appendTo(file); err != nil {
					t.Error(err)
				}
			})
		}, ended: func() {}}
		_, err := e.lib.Import(context.Background(), dir)
		added, _ := e.db.VideoCount()
		want := fmt.Sprintf("The file %s changed while it was being imported, after %d summaries were added; import it again when it is no longer being written (quit the original app first): what is already there is skipped.", file, added)
		if added == 0 || ytsum.ErrorKind(err) != "import_changed" || ytsum.ErrorMessage(err) != want {
			t.Errorf("Import = %v (%s) with %d added, want %q", err, ytsum.ErrorKind(err), added, want)
		}
	})
}

// A file the system will not read says why, without the path twice
// (also when the read fails part-way).
func TestImportUnreadable(t *testing.T) {
	e := MustOpen(t)
	dir := t.TempDir()
	file := filepath.Join(dir, OriginalCacheFile)
	if err := os.Mkdir(file, 0o700); err != nil { // a folder where the file should be
		t.Fatal(err)
	}
	_, err := e.lib.Import(context.Background(), dir)
	want := fmt.Sprintf("The file %s could not be read (is a directory); check that it is a file you may read, then import it again.", file)
	if ytsum.ErrorKind(err) != "import_unreadable" || ytsum.ErrorMessage(err) != want {
		t.Errorf("Import = %v (%s), want %q", err, ytsum.ErrorKind(err), want)
	}
	// A read that fails part-way, after some batches were written.
	err = importReadErr(file, &os.PathError{Op: "read", Path: file, Err: errors.New("input/output error")}, 3)
	want = fmt.Sprintf("The import stopped after 3 summaries because %s could not be read (input/output error); run it again to import the rest (what is already there is skipped).", file)
	if ytsum.ErrorKind(err) != "import_unreadable" || ytsum.ErrorMessage(err) != want {
		t.Errorf("a read failing after 3 summaries = %v (%s), want %q", err, ytsum.ErrorKind(err), want)
	}
}

// Ensure a summary saved while an import is writing is searchable within a
// bounded wait, before the import returns (docs/API.md: a saved summary is
// found within about a second): the background indexer, which leaves the
// import's batches for later, still takes in the recent saves.
func TestSavedDuringAnImportsWritesIsSearchable(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	n := 4 * importBatch
	if importBatch <= searchDrainMax {
		t.Fatal("one written batch must be more than a search drains")
	}
	src := manyEntries(t, n)
	secondWrite, _, release := holdImportWriter(e.lib, 2) // the first batch is written and queued
	defer release()
	imported := make(chan error, 1)
	go func() {
		_, err := e.lib.Import(ctx, src)
		imported <- err
	}()
	select {
	case <-secondWrite:
	case <-time.After(time.Minute):
		t.Fatal("the import did not reach its second batch")
	}
	s := e.summary("zzzzzzzzzzz", "Platypus", "The platypus lays eggs.", t0)
	if err := e.lib.Save(ctx, s); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		items, err := e.lib.Search(ctx, "platypus", 5)
		if err == nil && len(items) == 1 && items[0].Summary.ID == s.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Search(platypus) while the import writes = %v %v, want the summary saved meanwhile", itemIDs(items), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case err := <-imported:
		t.Fatalf("the import returned (%v) while its writer was held", err)
	default:
	}
	// The save is searchable before its batch is on disk and leaves the
	// queue: wait (boundedly) for that, not for anything of the import's.
	for {
		p, err := e.db.PendingIndex(n + 1)
		if _, saved := p[s.ID]; err == nil && saved && len(p) == importBatch+1 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if _, saved := p[s.ID]; err != nil || saved || len(p) != importBatch {
			t.Errorf("queued while the import is held = %d (%v, the save among them: %v), want its first batch (%d) and not the save", len(p), err, saved, importBatch)
		}
		break
	}
	release()
	if err := <-imported; err != nil {
		t.Fatalf("Import = %v", err)
	}
	waitIndexed(t, e.lib)
	if c, _ := e.lib.ix.Count(); c != n+1 {
		t.Errorf("indexed = %d, want %d", c, n+1)
	}
}

// Ensure the background indexer takes in nothing more once Close has
// begun (an import cancelled by Close wakes it on its way out): what is
// queued stays on disk for the next Open, and Close does not wait for it.
func TestCatchUpStopsOnceCloseBegan(t *testing.T) {
	e := MustOpen(t)
	n := 2 * catchBatch
	if err := e.queue(n, "Queued", "Queued text."); err != nil {
		t.Fatal(err)
	}
	e.lib.cancel() // what Close does first, before it waits for imports
	if err := e.lib.catchUp(); err != nil {
		t.Fatalf("catchUp once Close began = %v", err)
	}
	if left, err := e.db.PendingCount(); err != nil || left != n {
		t.Errorf("queued after a catch-up once Close began = %d (%v), want all %d", left, err, n)
	}
}

// Ensure the videos saved during a catch-up stay first in line when the
// indexer's batch fails before it took them in (they were forgotten, left
// to the queue's order).
func TestRecentSavesKeptWhenABatchFails(t *testing.T) {
	e := MustOpen(t)
	s := e.summary("zzzzzzzzzzz", "Platypus", "The platypus lays eggs.", t0)
	if err := e.db.PutSummary(s); err != nil { // queued, the indexer not woken
		t.Fatal(err)
	}
	e.lib.recentMu.Lock()
	e.lib.recent = map[string]struct{}{s.ID: {}}
	e.lib.recentMu.Unlock()
	e.lib.syncMu.Lock()
	_ = e.lib.ix.Close() // every batch fails from now on
	e.lib.syncMu.Unlock()
	if err := e.lib.catchUp(); err == nil {
		t.Fatal("catchUp over a closed index succeeded")
	}
	e.lib.recentMu.Lock()
	_, kept := e.lib.recent[s.ID]
	e.lib.recentMu.Unlock()
	if !kept {
		t.Error("a recent save was forgotten when its batch failed")
	}
}
