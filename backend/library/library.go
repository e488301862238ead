// Package library is the one place both front doors (the desktop window and
// the HTTP API) call for the saved-summaries library: save, list, search,
// delete with its cascade, import from the original app, export and cached
// thumbnails. It composes the database (package store), the full-text index
// (package search), the audio cache (through AudioRemover) and the
// thumbnail files, so each operation is written once.
//
// The index follows the database: every write queues the video in the
// store (same transaction), and a background indexer (indexLoop) takes the
// queue into the index in bounded batches, right after a save or an
// import's batch and at Open; a search drains a small queue first (so a
// summary saved a moment ago is found) and answers from what is indexed so
// far while a large one (an import, a rebuild) is being taken in. A crash
// or a quit before the queue is empty is therefore repaired after the next
// start, and a missing, damaged or out-of-step index is rebuilt from the
// database at Open.
package library

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"ytsum/backend/search"
	"ytsum/backend/store"
	"ytsum/backend/ytsum"
)

// AudioRemover deletes the audio files of a video and forgets their links
// (package tts/audio's Cache implements it). It must be safe for concurrent
// use; deleting a video with no audio is not an error.
type AudioRemover interface {
	// RemoveVideo deletes the audio files linked to videoID.
	RemoveVideo(videoID string) error
	// Remove deletes one cache file by name (a leftover the database still
	// listed); a missing file is not an error.
	Remove(name string) error
}

// AudioImporter stores an audio file under a cache file name (package
// tts/audio's Cache.Put implements it). Import uses it to bring the
// original app's audio_cache/ files over.
type AudioImporter interface {
	Put(name string, data []byte) error
}

// Options configures Open. Only DataDir is required; every other zero value
// is a working default.
type Options struct {
	// DataDir holds the index (search.DirName) and the thumbnails folder.
	DataDir string
	// HTTPClient fetches thumbnails when Fetch is nil. nil means a client
	// with a 15 s timeout.
	HTTPClient *http.Client
	// Fetch, when set, downloads a thumbnail and returns its body and
	// content type (youtube.Client.Get: the deadlines, pacing and
	// concurrency limit of every YouTube request). It must honour ctx.
	Fetch func(ctx context.Context, rawURL string) ([]byte, string, error)
	// Audio removes a video's audio when it is deleted. nil means only the
	// audio index entries are removed (files are left to the audio cache's
	// own cleanup).
	Audio AudioRemover
	// AudioImport receives the original app's audio files during Import.
	// nil means audio is not imported.
	AudioImport AudioImporter
	// SpeechText is the text cleaning applied before speech (tts.Clean); the
	// original app named audio files by a hash of the cleaned summary, so
	// Import uses it to find each summary's audio. nil means the text as is.
	SpeechText func(string) string
	// Logger receives internal errors that do not fail an operation (a
	// thumbnail that could not be fetched, an index update to be retried).
	// nil means slog.Default().
	Logger *slog.Logger
	// Appendix returns Markdown appended to a video's Markdown export (its
	// conversations: ask.Markdown); nil or "" appends nothing.
	Appendix func(videoID string) string
}

// Library is the open library. All methods are safe for concurrent use.
type Library struct {
	db      *store.DB
	ix      *search.Index
	opts    Options
	log     *slog.Logger
	thumbs  string
	notices []string

	syncMu    sync.Mutex   // serialises taking queued videos into the index, one batch at a time
	importing atomic.Int32 // imports writing (the background indexer waits for them)
	// rate is the background indexer's last measured speed, in videos a
	// second (math.Float64bits; 0: not measured yet): the estimate of how
	// long search will miss some summaries.
	rate atomic.Uint64
	// batchHook, when set (by tests), is called by the background indexer
	// before each batch, holding syncMu as the batch's analysis does.
	batchHook func()
	// importHooks, when set (by tests) before an Import, are called by its
	// writer goroutine.
	importHooks *importHooks

	// A saved or imported summary is indexed by indexLoop, off the writer's
	// path: Save and Import return once the summaries and their queue
	// entries are committed. Search drains a small queue before it answers,
	// so it finds a summary saved a moment ago; with a large queue (an
	// import, a rebuild) it answers from what is indexed so far.
	kick  chan struct{} // one pending wake-up of indexLoop
	hurry atomic.Bool   // the wake-up is for a large queue: no gathering delay
	// recent are the videos saved since the indexer's last batch: its next
	// batch takes them first, so a summary saved during a long catch-up
	// (an import's) is found within about a batch, not at the queue's end.
	recentMu  sync.Mutex
	recent    map[string]struct{}
	failMu    sync.Mutex
	fails     int           // background rounds that failed
	lastFail  error         // the last round's error, nil when it succeeded
	loopDone  chan struct{} // closed when indexLoop has returned
	closeOnce sync.Once

	// closing is cancelled when Close begins: indexLoop and an import
	// (its writer goroutine included) stop. tasks counts the imports
	// running, which Close waits for; begin refuses new ones once closing
	// is cancelled (both under tasksMu, so Wait misses none).
	closing context.Context
	cancel  context.CancelFunc
	tasksMu sync.Mutex
	tasks   sync.WaitGroup
}

// Open opens the library over db, which its owner opened (and closes after
// the library): it opens the index in opts.DataDir, rebuilding it from the
// database when it is missing, damaged or out of step. A few queued
// videos are indexed before Open returns; a large queue (a rebuild, an
// import that was still being indexed at the last quit) is indexed in the
// background, about a minute per 100,000 summaries, while search answers
// from what is indexed so far (IndexingStatus says how much is left).
// Notices lists what the user should be told (a damaged database set
// aside, an index rebuilt).
func Open(db *store.DB, opts Options) (*Library, error) {
	if opts.DataDir == "" {
		return nil, ytsum.Errorf(ytsum.CodeInvalid, "library_config", "No data folder is configured for the library.")
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if opts.SpeechText == nil {
		opts.SpeechText = func(s string) string { return s }
	}
	l := &Library{db: db, opts: opts, log: opts.Logger, thumbs: filepath.Join(opts.DataDir, "thumbnails")}
	l.closing, l.cancel = context.WithCancel(context.Background())
	if l.log == nil {
		l.log = slog.Default()
	}
	if r := db.Recovery(); r != nil {
		l.notices = append(l.notices, r.Message)
		l.log.Error("library: database was damaged and set aside", "moved_to", r.MovedTo, "err", r.Cause)
	}
	rebuilt, err := l.openIndex()
	if err != nil {
		return nil, err
	}
	if openHook != nil {
		openHook(l)
	}
	small, err := l.drainSmall()
	switch {
	case err != nil:
		// The library still works; the background indexer starts at once
		// and retries until it succeeds.
		l.log.Error("library: bringing the search index up to date failed; will retry", "err", err)
		msg := "The search index could not be brought up to date; search may miss some summaries for a while (indexing is retried)."
		if rebuilt > 0 {
			msg = fmt.Sprintf("The search index is being rebuilt from your library (%d videos) but could not be brought up to date yet; search may miss some summaries for a while (indexing is retried).", rebuilt)
		}
		l.notices = append(l.notices, msg)
	case rebuilt > 0 && small:
		l.notices = append(l.notices, fmt.Sprintf("The search index was rebuilt from your library (%d videos).", rebuilt))
	case rebuilt > 0:
		l.notices = append(l.notices, fmt.Sprintf("The search index is being rebuilt from your library (%d videos); until it is done, in about %s, search may miss some of them.",
			rebuilt, aboutDuration(l.eta(rebuilt))))
	}
	l.kick, l.loopDone = make(chan struct{}, 1), make(chan struct{})
	go l.indexLoop(!small || err != nil) // a failed round arms the retry timer
	return l, nil
}

// drainHook, when set (by tests), is called by a search's drain between
// reading the queue and indexing it.
var drainHook func()

// openHook, when set (by tests), is called by Open once the index is open,
// before it brings the index up to date.
var openHook func(*Library)

// indexLoop indexes what is queued, a second after the first write of a
// wake-up (writes that come while it waits or indexes are taken with it or
// by the next one); now starts with a round at once (a large queue at Open).
func (l *Library) indexLoop(now bool) {
	defer close(l.loopDone)
	var retry <-chan time.Time // after a failed round
	wait := retryFirst
	round := func() {
		if l.catchUpLogged() {
			retry, wait = nil, retryFirst
			return
		}
		retry, wait = time.After(wait), min(2*wait, retryMost)
	}
	if now {
		round()
	}
	for {
		select {
		case <-l.closing.Done():
			return
		case <-retry:
			round()
		case <-l.kick:
			// Saves that come in the next indexDelay join this round: one
			// index batch (and its segment's disk syncs) for many saves of a
			// running job, not one each.
			if !l.hurry.Swap(false) {
				select {
				case <-l.closing.Done():
					return // the queue is on disk; the next Open takes it
				case <-time.After(indexDelay):
				}
			}
			round()
		}
	}
}

// catchUpLogged runs catchUp and records how it went (WaitIndexed reads
// it); it reports whether it succeeded.
func (l *Library) catchUpLogged() bool {
	err := l.catchUp()
	l.failMu.Lock()
	l.lastFail = err
	if err != nil {
		l.fails++
	}
	l.failMu.Unlock()
	if err != nil {
		l.log.Error("library: indexing saved summaries failed; will retry", "err", err)
	}
	return err == nil
}

// indexFailures returns how many background rounds failed so far and the
// last round's error.
func (l *Library) indexFailures() (int, error) {
	l.failMu.Lock()
	defer l.failMu.Unlock()
	return l.fails, l.lastFail
}

// retryFirst and retryMost bound the wait before the background indexer
// tries again after a failed round (doubling in between). retryFirst is a
// variable for tests, which set it before Open.
var retryFirst = 5 * time.Second

const retryMost = 5 * time.Minute

// indexDelay is how long indexLoop gathers saves before it indexes them.
const indexDelay = time.Second

// indexNow wakes indexLoop for a large queue (an import's), which it
// starts on at once.
func (l *Library) indexNow() {
	l.hurry.Store(true)
	l.indexLater()
}

// indexLater wakes indexLoop (a no-op when a wake-up is already pending).
func (l *Library) indexLater() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// openIndex opens the index and queues a full rebuild when it is fresh or
// disagrees with the database; rebuilt is how many videos were queued.
func (l *Library) openIndex() (rebuilt int, err error) {
	dir := filepath.Join(l.opts.DataDir, search.DirName)
	ix, fresh, err := search.Open(dir)
	if err != nil {
		return 0, err
	}
	if !fresh {
		n, cerr := ix.Count()
		want, werr := l.db.VideoCount()
		pending, perr := l.db.PendingIndex(1)
		if err := errors.Join(cerr, werr, perr); err != nil {
			_ = ix.Close()
			return 0, err
		}
		if n != want && len(pending) == 0 {
			l.log.Warn("library: search index out of step with the database; rebuilding", "indexed", n, "videos", want)
			_ = ix.Close()
			if err := os.RemoveAll(dir); err != nil {
				return 0, ytsum.Wrap(err, ytsum.CodeInternal, "search_index",
					"The search index could not be rebuilt; check that the data folder is writable.")
			}
			if ix, _, err = search.Open(dir); err != nil {
				return 0, err
			}
			fresh = true
		}
	}
	l.ix = ix
	if fresh {
		return l.db.QueueAllForIndex()
	}
	return 0, nil
}

// Close cancels a running import and waits for it (the batches it wrote
// stay; running it again adds the rest), stops the background indexing at
// its next batch (what is left stays queued on disk for the next Open) and
// closes the index. When it returns no goroutine the library started
// touches the database, which stays open for its owner to close. An
// import asked for after Close is refused.
func (l *Library) Close() error {
	if l.ix == nil {
		return nil
	}
	var err error
	l.closeOnce.Do(func() {
		l.tasksMu.Lock()
		l.cancel()
		l.tasksMu.Unlock()
		l.tasks.Wait()
		<-l.loopDone
		err = l.ix.Close()
	})
	return err
}

// begin registers work Close must wait for (call l.tasks.Done when it
// ends; it should stop once l.closing is done), or returns an error once
// Close has begun.
func (l *Library) begin() error {
	l.tasksMu.Lock()
	defer l.tasksMu.Unlock()
	if l.closing == nil || l.closing.Err() != nil {
		return errClosed
	}
	l.tasks.Add(1)
	return nil
}

// errClosed is work asked of a library that is closing or closed.
var errClosed = ytsum.Errorf(ytsum.CodeUnavailable, "library_closed",
	"The library is closing, so this was not done; try again once the app has started again.")

// Notices returns sentences for the user about what Open repaired; empty
// when nothing happened.
func (l *Library) Notices() []string { return append([]string(nil), l.notices...) }

// IndexingStatus says how many saved summaries search may still miss
// (queued for the index and not in it yet) and about how long the
// background indexing needs for them.
type IndexingStatus struct {
	Pending int           // videos queued for the index
	ETA     time.Duration // 0 when nothing is queued
}

// Seconds is ETA in whole seconds, rounded up.
func (s IndexingStatus) Seconds() int { return int((s.ETA + time.Second - 1) / time.Second) }

// IndexingStatus is how far the search index is behind the library.
func (l *Library) IndexingStatus() (IndexingStatus, error) {
	n, err := l.db.PendingCount()
	if err != nil {
		return IndexingStatus{}, err
	}
	return IndexingStatus{Pending: n, ETA: l.eta(n)}, nil
}

// WaitIndexed returns once nothing is queued for the index any more; with
// ctx's error; or with the indexing's error when a background round failed
// meanwhile (what is queued is still indexed by a later round, or at the
// next Open).
func (l *Library) WaitIndexed(ctx context.Context) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	before, _ := l.indexFailures()
	for {
		p, err := l.db.PendingIndex(1)
		if err != nil || len(p) == 0 {
			return err
		}
		if n, err := l.indexFailures(); n > before && err != nil {
			return err
		}
		l.indexLater()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// defaultRate is the indexing speed assumed before one is measured, in
// videos a second (measured: 1,200 to 1,900 on two shared cores, summaries
// of about 1.3 KB without transcripts).
const defaultRate = 1800

// eta is about how long indexing n queued videos takes.
func (l *Library) eta(n int) time.Duration {
	if n == 0 {
		return 0
	}
	rate := math.Float64frombits(l.rate.Load())
	if rate <= 0 {
		rate = defaultRate
	}
	return time.Duration(float64(n) / rate * float64(time.Second))
}

// aboutDuration writes d for a sentence: "20 seconds", "3 minutes".
func aboutDuration(d time.Duration) string {
	switch s := int(d.Round(time.Second) / time.Second); {
	case s < 2:
		return "a second"
	case s < 90:
		return fmt.Sprintf("%d seconds", s)
	default:
		return fmt.Sprintf("%d minutes", (s+30)/60)
	}
}

// searchDrainMax is the largest queue a search (or Delete) takes into the
// index before it answers (a fraction of a second's work): a summary saved
// a moment ago is found. A larger queue is left to indexLoop, and the search
// answers from what is indexed so far.
const searchDrainMax = 300

// drainSmall is how a search (or Delete, or Open) brings a small queue
// into the index in the caller's goroutine: when at most searchDrainMax
// videos are queued it indexes exactly those (what is queued meanwhile is
// the background indexer's) and returns once they are on disk; when more
// are queued it does nothing and small is false.
func (l *Library) drainSmall() (small bool, err error) {
	pending, err := l.db.PendingIndex(searchDrainMax + 1)
	if err != nil || len(pending) > searchDrainMax {
		return false, err
	}
	if len(pending) == 0 {
		return true, nil
	}
	if drainHook != nil {
		drainHook()
	}
	l.syncMu.Lock() // not before: the background indexer holds it while it analyses a batch
	defer l.syncMu.Unlock()
	var put []search.Doc
	var del []string
	err = l.db.View(func(tx *store.Tx) (err error) {
		for id := range pending { // as queued now: indexed meanwhile, or saved again
			if seq, ok := tx.PendingSeq(id); ok {
				pending[id] = seq
			} else {
				delete(pending, id)
			}
		}
		put, del, err = docsFor(tx, pending)
		return err
	})
	if err != nil || len(pending) == 0 {
		return true, err
	}
	if err := l.ix.Apply(put, del); err != nil {
		return true, err
	}
	return true, l.db.ClearPending(pending)
}

// docsFor reads what the index should hold for the queued videos: the
// document of each one's entry, or its removal when it has none.
func docsFor(tx *store.Tx, pending map[string]uint64) (put []search.Doc, del []string, err error) {
	for id := range pending {
		s, ok, err := tx.Latest(id)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			del = append(del, id)
			continue
		}
		put = append(put, docFor(tx, s))
	}
	return put, del, nil
}

// syncIndexSoon is what Search and Delete do before they go on: drain a
// small queue at once, leave a large one to indexLoop.
func (l *Library) syncIndexSoon() error {
	small, err := l.drainSmall()
	if err == nil && !small {
		l.indexLater()
	}
	return err
}

// catchBatch is how many queued videos one batch of the background
// indexer holds. The index's analysis of a batch is what indexing's memory
// is made of (about 30 KB a summary, twice that before the garbage
// collector runs), while larger batches save no time that shows: at
// 100,000 summaries, batches of 500 peaked at about 250 MB of RSS (1,000
// indexed two at a time: 490 MB; 2,500: 800 MB) for about the same CPU time.
const catchBatch = 500

// maxUnpersisted bounds the background indexer's batches searchable but
// not yet on disk.
const maxUnpersisted = 4

// introducedBatch is a batch of the background indexer in the index,
// waiting for the disk.
type introducedBatch struct {
	clear     map[string]uint64 // queue entries to clear once on disk
	persisted chan error
}

// catchUp is the background indexer: it takes everything queued into the
// index, catchBatch videos at a time in id order, until the queue is empty
// or Close is called (then it stops after the batch it is on; the rest
// stays queued). While an import writes, it takes in only what was saved
// meanwhile (a small batch) and leaves the import's batches for later: the
// import has the machine to itself and returns sooner (indexing is most of
// the work), and a search answers from the index as it was. One batch is analysed at a time (two at once measured no
// faster on two cores and held a quarter more memory), but the next one
// starts as soon as a batch is searchable, while it is written to disk; its
// queue entries are cleared once it is on disk. At most maxUnpersisted
// batches wait for the disk.
func (l *Library) catchUp() error {
	var waiting []introducedBatch
	began, done := time.Now(), 0
	settle := func() error {
		b := waiting[0]
		waiting = waiting[1:]
		err := <-b.persisted
		if err == nil {
			err = l.db.ClearPending(b.clear)
		}
		if done += len(b.clear); done >= 2*catchBatch {
			l.rate.Store(math.Float64bits(float64(done) / time.Since(began).Seconds()))
		}
		return err
	}
	settleAll := func() error {
		var errs []error
		for len(waiting) > 0 {
			errs = append(errs, settle())
		}
		return errors.Join(errs...)
	}
	after := ""
	for {
		select {
		case <-l.closing.Done():
			return settleAll()
		default:
		}
		if l.importing.Load() > 0 {
			// The import wakes the indexer when it has written everything;
			// what was saved meanwhile is taken in now, so it is found
			// within about a second, as any save.
			b, _, err := l.introduceNext("", false)
			if err == nil && len(b.clear) > 0 {
				waiting = append(waiting, b)
			}
			return errors.Join(err, settleAll())
		}
		if len(waiting) >= maxUnpersisted {
			if err := settle(); err != nil {
				return errors.Join(err, settleAll())
			}
		}
		b, last, err := l.introduceNext(after, true)
		if err != nil {
			return errors.Join(err, settleAll())
		}
		if len(b.clear) > 0 {
			waiting = append(waiting, b)
			after = last
			continue
		}
		// The end of the queue: once this pass's batches are on disk, go
		// round again for what was queued behind it, until a pass finds
		// nothing.
		if err := settleAll(); err != nil || after == "" {
			return err
		}
		after = ""
	}
}

// introduceNext makes searchable the videos saved since its last call
// and, when queued is set, up to catchBatch queued videos after the id
// after; it returns the batch and the last id it took ("" when none is
// queued after after and nothing was saved). Under syncMu, so no drain
// runs meanwhile.
func (l *Library) introduceNext(after string, queued bool) (in introducedBatch, last string, err error) {
	in = introducedBatch{persisted: make(chan error, 1), clear: map[string]uint64{}}
	if !queued && !l.hasRecent() {
		return in, "", nil
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if l.batchHook != nil {
		l.batchHook()
	}
	var put []search.Doc
	var del []string
	recent := l.takeRecent()
	defer func() {
		if err != nil { // not taken in: still first in line for the next batch
			l.keepRecent(recent)
		}
	}()
	err = l.db.View(func(tx *store.Tx) (err error) {
		if queued {
			in.clear, last = tx.PendingAfter(after, catchBatch)
		}
		for id := range recent { // saved during the catch-up: first, wherever they sort
			if seq, ok := tx.PendingSeq(id); ok {
				in.clear[id] = seq
			}
		}
		put, del, err = docsFor(tx, in.clear)
		return err
	})
	if err == nil && last == "" && len(in.clear) > 0 {
		// Only recent saves, sorting before after (a pass from the start
		// would have found them): still a batch to apply and settle.
		last = after
	}
	if err != nil || len(in.clear) == 0 {
		return in, "", err
	}
	if len(in.clear) >= catchBatch {
		// A catch-up reads the whole library back; what it read is not
		// kept in the app's memory (reading it again costs a minor fault).
		// A round of a few saves leaves it be.
		l.db.ReleaseMapped()
	}
	if err := l.ix.ApplyAsync(put, del, func(err error) { in.persisted <- err }); err != nil {
		return in, "", err
	}
	return in, last, nil
}

// maxIndexedTranscript caps the transcript text indexed per video.
const maxIndexedTranscript = 256 << 10

// docFor is the one definition of what the index holds for a summary; the
// snippets are cut from the same text.
func docFor(tx *store.Tx, s *ytsum.Summary) search.Doc {
	return search.Doc{ID: s.ID, Title: s.Title, Channel: s.Channel, Summary: s.Text, Transcript: transcriptText(tx, s)}
}

func transcriptText(tx *store.Tx, s *ytsum.Summary) string {
	var tr *ytsum.Transcript
	if s.TranscriptLanguage != "" {
		tr, _, _ = tx.Transcript(s.ID, s.TranscriptLanguage)
	}
	if tr == nil {
		if all, _ := tx.Transcripts(s.ID); len(all) > 0 {
			tr = all[0]
		}
	}
	if tr == nil {
		return ""
	}
	text := tr.Text()
	if len(text) > maxIndexedTranscript {
		i := maxIndexedTranscript
		for i > 0 && text[i]&0xC0 == 0x80 {
			i--
		}
		text = text[:i]
	}
	return text
}

// Save stores s (replacing the summary with the same video and cache key)
// and queues it for the index, which indexLoop takes it into after Save
// returns, within about a second, ahead of a long catch-up's queue (a
// search meanwhile drains a small queue first, so it finds s at once; with
// a large one it answers from what is indexed so far). It does not touch
// the network: a thumbnail already cached (FetchThumbnail, started
// before) is recorded at once, one that arrives after the save is
// RecordThumbnail's. An error means the summary was not saved; indexing is
// not Save's work, and a failed round is logged and retried by indexLoop.
// ctx is checked before writing.
func (l *Library) Save(ctx context.Context, s *ytsum.Summary) error {
	if err := ctx.Err(); err != nil {
		return ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", "Saving the summary was cancelled.")
	}
	s.LocalThumbnail = ""
	if name, ok := l.cachedThumbnail(s.ID); ok {
		s.LocalThumbnail = name // what is on disk, whatever s said
	}
	if err := l.db.PutSummary(s); err != nil {
		return err
	}
	l.recentMu.Lock()
	l.addRecentLocked(s.ID)
	l.recentMu.Unlock()
	l.indexLater() // off the job's path
	return nil
}

// hasRecent reports whether a video was saved since the last takeRecent.
func (l *Library) hasRecent() bool {
	l.recentMu.Lock()
	defer l.recentMu.Unlock()
	return len(l.recent) > 0
}

// keepRecent puts back videos takeRecent returned (their batch failed).
func (l *Library) keepRecent(r map[string]struct{}) {
	l.recentMu.Lock()
	defer l.recentMu.Unlock()
	for id := range r {
		l.addRecentLocked(id)
	}
}

// addRecentLocked notes id as saved since the indexer's last batch, up to
// catchBatch of them (beyond that, the queue's order takes them). Under
// recentMu.
func (l *Library) addRecentLocked(id string) {
	if len(l.recent) >= catchBatch {
		return
	}
	if l.recent == nil {
		l.recent = map[string]struct{}{}
	}
	l.recent[id] = struct{}{}
}

// takeRecent returns the videos saved since the last call and forgets them.
func (l *Library) takeRecent() map[string]struct{} {
	l.recentMu.Lock()
	defer l.recentMu.Unlock()
	r := l.recent
	l.recent = nil
	return r
}

// RecordThumbnail records on the saved summary s (and the video's other
// summaries) the thumbnail cached after Save looked for it. It reads only
// the disk: a picture that could not be downloaded is not asked for again
// (the UI falls back to the remote one). A failure to record is logged.
func (l *Library) RecordThumbnail(s *ytsum.Summary) {
	name, ok := l.cachedThumbnail(s.ID)
	if !ok || s.LocalThumbnail == name {
		return
	}
	s.LocalThumbnail = name
	if _, err := l.db.SetLocalThumbnail(s.ID, name); err != nil {
		l.log.Warn("library: recording a cached thumbnail", "video_id", s.ID, "err", err)
	}
}

// FetchThumbnail downloads the picture of video v when none is cached yet
// (bounded by ctx and 10 s) without recording it: a Save after it finds
// the file and records it in the summary's own write (RecordThumbnail,
// when the download ends after the save). A failure is logged.
func (l *Library) FetchThumbnail(ctx context.Context, v ytsum.Video) {
	tctx, cancel := context.WithTimeout(ctx, thumbnailTimeout)
	defer cancel()
	l.cacheThumbnail(tctx, v.ID, v.ThumbnailURL)
}

// thumbnailTimeout bounds one thumbnail download.
const thumbnailTimeout = 10 * time.Second

// Summary returns the summary (videoID, cacheKey); ok is false when there is
// none.
func (l *Library) Summary(videoID, cacheKey string) (*ytsum.Summary, bool, error) {
	return l.db.Summary(videoID, cacheKey)
}

// SummariesByKey looks many summaries up at once, a bounded number per
// read transaction (store.DB.SummariesByKey): out[i] is what keys[i] found.
func (l *Library) SummariesByKey(keys []ytsum.SummaryKey) []ytsum.SummaryLookup {
	return l.db.SummariesByKey(keys)
}

// SummaryText is the text of videoID's newest summary (what speech reads);
// not_found when there is none.
func (l *Library) SummaryText(ctx context.Context, videoID string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s, err := l.Latest(videoID)
	if err != nil {
		return "", err
	}
	return s.Text, nil
}

// Latest returns the newest summary of videoID, or an *ytsum.Error with
// code not_found.
func (l *Library) Latest(videoID string) (*ytsum.Summary, error) {
	s, ok, err := l.db.Latest(videoID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errNoSummary(videoID)
	}
	return s, nil
}

func errNoSummary(videoID string) error {
	return ytsum.Errorf(ytsum.CodeNotFound, "summary_not_found", "There is no saved summary for video %s.", videoID)
}

// DefaultPerPage is List's page size when perPage <= 0.
const DefaultPerPage = 20

// Page is one page of the library, in the JSON shape of API.md's paginated
// /get_cached_summaries.
type Page struct {
	Items      []Item `json:"summaries"`
	Total      int    `json:"total"`
	Page       int    `json:"page"`
	PerPage    int    `json:"per_page"`
	TotalPages int    `json:"total_pages"`
}

// List returns page page (from 1) of the library, perPage entries each
// (DefaultPerPage when <= 0; no upper cap here, the HTTP layer applies
// API.md's), newest first, one entry per video (its newest summary).
func (l *Library) List(page, perPage int) (Page, error) {
	if page < 1 {
		page = 1
	}
	if perPage <= 0 {
		perPage = DefaultPerPage
	}
	offset := (page - 1) * perPage
	if page > 1 && offset/perPage != page-1 { // overflow
		offset = int(^uint(0) >> 1)
	}
	ss, total, err := l.db.Page(offset, perPage)
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: make([]Item, 0, len(ss)), Total: total, Page: page, PerPage: perPage,
		TotalPages: (total + perPage - 1) / perPage}
	for _, s := range ss {
		p.Items = append(p.Items, Item{Summary: s})
	}
	return p, nil
}

// ListRange returns up to limit entries after skipping offset, newest first
// (oldest first when oldest is set), and the total number of entries.
// limit <= 0 means all of them.
func (l *Library) ListRange(offset, limit int, oldest bool) ([]Item, int, error) {
	if limit <= 0 {
		limit = int(^uint(0) >> 1)
	}
	page := l.db.Page
	if oldest {
		page = l.db.PageOldest
	}
	ss, total, err := page(offset, limit)
	if err != nil {
		return nil, 0, err
	}
	items := make([]Item, 0, len(ss))
	for _, s := range ss {
		items = append(items, Item{Summary: s})
	}
	return items, total, nil
}

// Search returns up to limit library entries matching q, best match first,
// each with a highlighted snippet (see Item). limit <= 0 means
// search.DefaultLimit. A blank q is an *ytsum.Error with code invalid.
func (l *Library) Search(ctx context.Context, q string, limit int) ([]Item, error) {
	return l.SearchIn(ctx, q, limit, nil)
}

// SearchIn is Search among the videos ids only (nil: all, empty: none):
// the library's subscription and "new" filters applied to a search.
func (l *Library) SearchIn(ctx context.Context, q string, limit int, ids []string) ([]Item, error) {
	if isBlank(q) {
		return nil, ytsum.Errorf(ytsum.CodeInvalid, "empty_query", "Type something to search for.")
	}
	if err := l.syncIndexSoon(); err != nil {
		l.log.Error("library: index catch-up before search failed", "err", err)
	}
	res, err := l.ix.SearchIDs(ctx, q, limit, ids)
	if err != nil {
		return nil, err
	}
	items := make([]Item, 0, len(res.Hits))
	err = l.db.View(func(tx *store.Tx) error {
		for _, h := range res.Hits {
			s, ok, err := tx.Latest(h.ID)
			if err != nil {
				return err
			}
			if !ok {
				continue // deleted since the index was read
			}
			items = append(items, snippetItem(tx, s, h))
		}
		return nil
	})
	return items, err
}

func isBlank(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// snippetItem builds a search result: the snippet comes from the summary
// when it matched there, else from the transcript, else the summary's
// beginning.
func snippetItem(tx *store.Tx, s *ytsum.Summary, h search.Hit) Item {
	it := Item{Summary: s, Score: h.Score, TitleHTML: search.Highlight(s.Title, h.Spans[search.FieldTitle])}
	switch {
	case len(h.Spans[search.FieldSummary]) > 0:
		it.MatchField = search.FieldSummary
		it.Snippet = search.Snippet(s.Text, h.Spans[search.FieldSummary], 0)
	case len(h.Spans[search.FieldTranscript]) > 0:
		it.MatchField = search.FieldTranscript
		it.Snippet = search.Snippet(transcriptText(tx, s), h.Spans[search.FieldTranscript], 0)
	default:
		if len(h.Spans[search.FieldTitle]) > 0 {
			it.MatchField = search.FieldTitle
		} else if len(h.Spans[search.FieldChannel]) > 0 {
			it.MatchField = search.FieldChannel
		}
		it.Snippet = search.Snippet(s.Text, nil, 0)
	}
	return it
}

// Delete removes videoID from the library: every summary of it, its audio
// (through Options.Audio), its cached transcripts and details, its
// thumbnail and its index entry. The audio goes first, so a failure there
// leaves the summary in place to retry. A video with no summary is an
// *ytsum.Error with code not_found (leftovers are still cleaned up).
func (l *Library) Delete(videoID string) error {
	if videoID == "" {
		return ytsum.Errorf(ytsum.CodeInvalid, "missing_video_id", "Say which video to delete (video_id).")
	}
	remover := l.opts.Audio
	if remover != nil {
		if err := remover.RemoveVideo(videoID); err != nil {
			return err
		}
	}
	d, err := l.db.DeleteVideo(videoID)
	if err != nil {
		return err
	}
	if len(d.AudioFiles) > 0 {
		for _, f := range d.AudioFiles {
			if remover == nil {
				break
			}
			if err := remover.Remove(f); err != nil {
				l.log.Warn("library: could not remove an audio file", "file", f, "err", err)
			}
		}
	}
	l.removeThumbnail(videoID)
	if _, err := l.db.DeleteConversationsOf(videoID); err != nil {
		l.log.Warn("library: could not remove the conversations of a deleted video", "video_id", videoID, "err", err)
	}
	if err := l.syncIndexSoon(); err != nil {
		l.log.Error("library: removing a deleted video from the index failed; will retry", "video_id", videoID, "err", err)
	}
	if d.Summaries == 0 {
		return errNoSummary(videoID)
	}
	return nil
}

// videoIDPattern is what a YouTube video id looks like; only such ids get
// thumbnail files (they are used in file names).
var videoIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{6,64}$`)
