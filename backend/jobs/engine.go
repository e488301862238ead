package jobs

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"ytsum/backend/youtube"

	"ytsum/backend/ytsum"
)

// Defaults of Config's zero values.
const (
	DefaultWorkers          = 4
	DefaultMaxJobs          = 10
	DefaultVideoParallelism = 8 // YouTube limit 2 + LLM limit 4 + 2 spare
	DefaultRetention        = 72 * time.Hour
	DefaultPurgeInterval    = time.Hour
	DefaultMaxInterruptions = 3
	DefaultStopTimeout      = 5 * time.Second
	DefaultVideoTimeout     = 15 * time.Minute
	// MaxURLs is the most links one job accepts.
	MaxURLs = 1000
)

// Config configures an Engine. The zero value is the documented default of
// every field.
type Config struct {
	// Workers is the number of goroutines that run jobs (WORKER_POOL_SIZE);
	// zero means 4.
	Workers int
	// MaxJobs is how many jobs may be pending or running at once
	// (MAX_CONCURRENT_JOBS); one more is refused with ytsum.ErrBusy. Zero
	// means 10. SetMaxJobs changes it at run time.
	MaxJobs int
	// VideoParallelism is how many videos of one job are processed at once.
	// The real bounds are the YouTube and LLM limits inside those services;
	// this should exceed their sum (2 + 4) so both stay busy while finished
	// videos are being saved. Zero means 8.
	VideoParallelism int
	// Retention is how long finished jobs are kept (JOB_RETENTION_HOURS);
	// zero means 72 h.
	Retention time.Duration
	// PurgeInterval is how often finished jobs are purged; zero means 1 h.
	PurgeInterval time.Duration
	// MaxInterruptions is how many times a job may be interrupted by a crash
	// before it fails; zero means 3.
	MaxInterruptions int
	// StopTimeout is how long Stop lets running jobs go on before it
	// cancels them (they resume at the next start); zero means 5 s.
	StopTimeout time.Duration
	// VideoTimeout bounds the work on one video; zero means 15 min.
	VideoTimeout time.Duration
	// TranscriptOptional, when set, hands a video whose transcript cannot be
	// fetched to Summarize with a nil transcript (a model that watches the
	// video can still summarize it). If Summarize fails too, the item shows
	// the transcript's error. False by default.
	TranscriptOptional bool
	// AsyncEnabled reports ASYNC_PROCESSING_ENABLED, read on every Decide;
	// nil means always enabled.
	AsyncEnabled func() bool
	// PreferPlaylist reports the playlist-mode setting, read on every
	// request: true when a link carrying both a video and a playlist means
	// the playlist even when the request does not ask for it. nil: false.
	PreferPlaylist func() bool
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// NewID returns a new job ID; nil means 32 random hex digits.
	NewID func() string
	// Logger receives internal errors; nil means slog.Default().
	Logger *slog.Logger
	// Asker answers the questions of ask jobs (ask.go); nil refuses them.
	Asker Asker
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Workers, DefaultWorkers)
	def(&c.MaxJobs, DefaultMaxJobs)
	def(&c.VideoParallelism, DefaultVideoParallelism)
	def(&c.MaxInterruptions, DefaultMaxInterruptions)
	defDur(&c.Retention, DefaultRetention)
	defDur(&c.PurgeInterval, DefaultPurgeInterval)
	defDur(&c.StopTimeout, DefaultStopTimeout)
	defDur(&c.VideoTimeout, DefaultVideoTimeout)
	if c.AsyncEnabled == nil {
		c.AsyncEnabled = func() bool { return true }
	}
	if c.PreferPlaylist == nil {
		c.PreferPlaylist = func() bool { return false }
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.NewID == nil {
		c.NewID = func() string { b := make([]byte, 16); rand.Read(b); return hex.EncodeToString(b) }
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Request is what a front door asks the engine to do.
type Request struct {
	// URLs are the submitted links, in order (entries may also hold one
	// link per line; blank lines are ignored).
	URLs []string
	// Options shape the summaries; empty fields are the configured defaults.
	Options ytsum.SummaryOptions
	// PreferPlaylist summarizes the whole playlist of a link that carries
	// both a video and a playlist.
	PreferPlaylist bool
	// ForceSync and ForceAsync override Decide (force_sync/force_async).
	ForceSync, ForceAsync bool
	// Limit is how many of a channel link's newest uploads are summarized
	// ("limit" of the request, `ytsum summarize --limit`); 0: the
	// channel_video_limit setting.
	Limit int
	// Persist, when set, writes the new job's first record instead of
	// Store.PutJob (the subscriptions package writes it in the transaction
	// that marks the job's videos seen). The pending job is published and
	// queued only if Persist returned nil; otherwise Submit returns its
	// error and nothing of the job remains. Called once, from Submit's
	// goroutine, with the job's id and record.
	Persist func(id string, record []byte) error
}

// Errors returned across the package boundary.
var (
	errNotFound   = ytsum.Errorf(ytsum.CodeNotFound, "job_not_found", "Job not found")
	errFinished   = ytsum.Errorf(ytsum.CodeConflict, "job_finished", "This job has already finished, so it cannot be cancelled.")
	errStopped    = ytsum.Errorf(ytsum.CodeUnavailable, "shutting_down", "YouTube Summarizer is shutting down; the job will go on at the next start.")
	errNotStarted = ytsum.Errorf(ytsum.CodeUnavailable, "not_started", "The job engine is not running yet; try again in a moment.")
	errNoURLs     = ytsum.Errorf(ytsum.CodeInvalid, "no_urls", "Paste at least one YouTube link.")
	errTooMany    = ytsum.Errorf(ytsum.CodeInvalid, "too_many_urls", "A job takes at most %d links; split the list into smaller jobs.", MaxURLs)
	errInternal   = ytsum.Errorf(ytsum.CodeInternal, "internal", "An internal error stopped this item; the details are in the log.")
	errCancelled  = ytsum.Errorf(ytsum.CodeConflict, "cancelled", "The job was cancelled before this item was finished.")
	errPanic      = ytsum.Errorf(ytsum.CodeInternal, "internal", "An internal error stopped this video; the details are in the log.")
)

// Causes of a job context's cancellation.
var (
	errShutdown = errors.New("jobs: engine stopping")
	errJobEnded = errors.New("jobs: job ended")
)

// Engine states.
const (
	stateNew = iota
	stateStarting
	stateStarted
	stateStopping
	stateStopped
)

// Engine persists jobs and runs them on a pool of goroutines. Create it with
// New, call Start once, Stop once. All methods are safe for concurrent use.
type Engine struct {
	cfg       Config
	store     Records
	summaries Summaries
	yt        YouTube
	sum       Summarizer
	pub       Publisher
	log       *slog.Logger

	baseCtx    context.Context
	baseCancel context.CancelCauseFunc
	wake       chan struct{} // a worker should look at the queue
	quit       chan struct{} // closed when Stop begins
	halted     chan struct{} // closed when Stop ends
	wg         sync.WaitGroup

	// published is the highest Seq Publish returned (a job no longer
	// active had all its events published before it left e.active).
	published atomic.Uint64

	// mu guards the fields below. Lock order: run.mu before Engine.mu.
	mu       sync.Mutex
	state    int
	maxJobs  int
	active   map[string]*run // pending and running jobs
	queue    []*run          // pending jobs waiting for a worker, oldest first
	reserved int             // slots held by Submit calls writing their job
	counts   map[ytsum.JobStatus]int
	byMode   map[Mode]*average
	requests map[Mode]int64
	byModel  map[string]*average
}

// run is the in-memory state of a pending or running job.
type run struct {
	id        string
	submitted time.Time // zero for jobs loaded at start

	mu       sync.Mutex
	rec      *record
	cancel   context.CancelCauseFunc // set while running
	inflight []string                // watch URLs of the videos in progress, oldest first
	seq      uint64                  // Seq of the last event published about the job
	queued   bool                    // in Engine.queue; guarded by Engine.mu
	done     chan struct{}           // closed when the job reaches a terminal status
}

type average struct {
	n     int64
	total time.Duration
}

func (a *average) add(d time.Duration) { a.n++; a.total += d }

func (a *average) mean() time.Duration {
	if a == nil || a.n == 0 {
		return 0
	}
	return a.total / time.Duration(a.n)
}

// New returns an engine over its dependencies: records keeps the job
// records, summaries the summaries. pub may be nil (no events).
func New(records Records, summaries Summaries, yt YouTube, sum Summarizer, pub Publisher, cfg Config) *Engine {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancelCause(context.Background())
	return &Engine{
		cfg: cfg, store: records, summaries: summaries, yt: yt, sum: sum, pub: pub, log: cfg.Logger,
		baseCtx: ctx, baseCancel: cancel,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), halted: make(chan struct{}),
		maxJobs:  cfg.MaxJobs,
		active:   make(map[string]*run),
		counts:   make(map[ytsum.JobStatus]int),
		byMode:   make(map[Mode]*average),
		requests: make(map[Mode]int64),
		byModel:  make(map[string]*average),
	}
}

// SetMaxJobs changes MAX_CONCURRENT_JOBS at run time (n <= 0: the default).
// Jobs already accepted keep running.
func (e *Engine) SetMaxJobs(n int) {
	if n <= 0 {
		n = DefaultMaxJobs
	}
	e.mu.Lock()
	e.maxJobs = n
	e.mu.Unlock()
}

func (e *Engine) now() time.Time { return e.cfg.Now().UTC().Round(0) }

// Start loads every stored job, recovers the ones a crash interrupted,
// purges finished jobs past retention and starts the workers. A job found
// running was interrupted: it goes back to pending (counted), or fails once
// it was interrupted more than MaxInterruptions times. ctx bounds the
// loading only; the engine runs until Stop. Start may be called once.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	if e.state != stateNew {
		e.mu.Unlock()
		return ytsum.Errorf(ytsum.CodeConflict, "already_started", "The job engine was already started.")
	}
	e.state = stateStarting // Submit is refused until the queue is loaded
	e.mu.Unlock()

	var unfinished []string
	finished := map[ytsum.JobStatus]int{} // counted only; read when asked for
	err := e.store.ForEachJob(func(id string, b []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := readHead(b)
		if err != nil {
			e.log.Error("jobs: skipping unreadable job record", "job", id, "err", err)
			return nil
		}
		if h.Job.Status.Terminal() {
			finished[h.Job.Status]++
			return nil
		}
		unfinished = append(unfinished, id)
		return nil
	})
	var loaded []*record
	for _, id := range unfinished {
		if err != nil {
			break
		}
		if err = ctx.Err(); err != nil {
			break
		}
		rec, migrate, rerr := e.read(id)
		if rerr != nil {
			e.log.Error("jobs: skipping unreadable job record", "job", id, "err", rerr)
			continue
		}
		if migrate { // a version 1 record is stored anew in version 2
			rec.markAll()
			rec.unsaved, rec.dirty = rec.dirty, changes{}
		}
		loaded = append(loaded, rec)
	}
	if err != nil { // nothing taken: Start may be called again
		e.mu.Lock()
		e.state = stateNew
		e.mu.Unlock()
		return ytsum.Wrap(fmt.Errorf("jobs: loading: %w", err), ytsum.CodeUnavailable, "store_unavailable",
			"The saved jobs could not be read; check that the data folder is readable.")
	}
	slices.SortFunc(loaded, func(a, b *record) int {
		return cmp.Or(a.Job.CreatedAt.Compare(b.Job.CreatedAt), cmp.Compare(a.Job.ID, b.Job.ID))
	})

	var runs []*run
	e.mu.Lock()
	for st, n := range finished {
		e.counts[st] += n
	}
	for _, rec := range loaded {
		e.counts[rec.Job.Status]++
		r := &run{id: rec.Job.ID, rec: rec, done: make(chan struct{})}
		e.active[r.id] = r
		runs = append(runs, r)
	}
	e.mu.Unlock()

	var recovered, failed int
	for _, r := range runs {
		if r.rec.Job.Status != ytsum.JobRunning {
			if !r.rec.unsaved.empty() { // a version 1 record: stored anew
				r.mu.Lock()
				if err := e.writeLocked(r); err != nil {
					e.log.Error("jobs: saving job", "job", r.id, "err", err)
				}
				r.mu.Unlock()
			}
			continue
		}
		e.commit(r, func(rec *record) bool {
			rec.markHead()
			rec.Interruptions++
			rec.Job.CurrentItem = ""
			if rec.Interruptions > e.cfg.MaxInterruptions {
				why := ytsum.Errorf(ytsum.CodeInternal, "interrupted",
					"This job was interrupted %d times because the app stopped while it ran, so it was given up; submit the links again to retry.",
					rec.Interruptions)
				rec.finalize(ytsum.JobFailed, why, e.now())
				failed++
				return true
			}
			rec.Job.Status = ytsum.JobPending
			recovered++
			return true
		})
	}
	if _, err := e.purge(); err != nil {
		e.log.Error("jobs: purge at start", "err", err)
	}
	e.mu.Lock()
	if e.state != stateStarting { // Stop was called meanwhile
		e.mu.Unlock()
		return errStopped
	}
	for _, r := range runs {
		if _, ok := e.active[r.id]; ok {
			r.queued = true
			e.queue = append(e.queue, r)
		}
	}
	e.state = stateStarted
	e.mu.Unlock()
	if recovered+failed > 0 {
		e.log.Info("jobs: recovered interrupted jobs", "resumed", recovered, "failed", failed)
	}

	for range e.cfg.Workers {
		e.wg.Go(e.worker)
	}
	e.wg.Go(e.purger)
	e.signal()
	return nil
}

// Stop stops taking work, lets running jobs go on for StopTimeout (or until
// ctx is done), then cancels them and waits for the workers. Jobs that did
// not finish go back to pending, keeping their finished videos, and resume
// at the next start; a clean stop is not counted as an interruption.
// Stop returns ctx's error (as a *ytsum.Error) if the workers did not exit
// before ctx was done. Calling it again waits for the first call.
func (e *Engine) Stop(ctx context.Context) error {
	e.mu.Lock()
	switch e.state {
	case stateNew:
		e.state = stateStopped
		e.mu.Unlock()
		close(e.quit)
		e.baseCancel(errShutdown)
		close(e.halted)
		return nil
	case stateStopping, stateStopped:
		e.mu.Unlock()
		select {
		case <-e.halted:
			return nil
		case <-ctx.Done():
			return ytsum.Wrap(ctx.Err(), ytsum.CodeUnavailable, "stop_timeout", "The job engine did not stop in time.")
		}
	}
	e.state = stateStopping
	e.mu.Unlock()
	close(e.quit)

	idle := make(chan struct{})
	go func() { e.wg.Wait(); close(idle) }()
	soft := time.NewTimer(e.cfg.StopTimeout)
	defer soft.Stop()
	select {
	case <-idle:
	case <-soft.C:
	case <-ctx.Done():
	}
	e.baseCancel(errShutdown)
	select {
	case <-idle:
	case <-ctx.Done():
		return ytsum.Wrap(ctx.Err(), ytsum.CodeUnavailable, "stop_timeout", "The job engine did not stop in time.")
	}
	e.mu.Lock()
	e.state = stateStopped
	e.mu.Unlock()
	close(e.halted)
	return nil
}

// Submit validates req, writes a new pending job to the store and queues it.
// It returns the job only once it is durable. Errors: invalid input or
// options (CodeInvalid, or the Summarizer's own error), ytsum.ErrBusy when
// MaxJobs jobs are pending or running, CodeUnavailable when the engine is
// not running or the store failed.
func (e *Engine) Submit(ctx context.Context, req Request) (*ytsum.Job, error) {
	_, j, err := e.submit(ctx, e.policy(req), ModeAsync)
	return j, err
}

// policy applies the settings a request leaves open: the playlist mode.
func (e *Engine) policy(req Request) Request {
	req.PreferPlaylist = req.PreferPlaylist || e.cfg.PreferPlaylist()
	return req
}

// Failure is the error of a job that failed as a whole (no result items,
// only a job-level error, e.g. every link was refused at once); nil for
// any other job. The synchronous front doors answer it as an error.
func Failure(j *ytsum.Job) error {
	if j == nil || j.Status != ytsum.JobFailed || j.Error == nil || len(j.Results) > 0 {
		return nil
	}
	return ytsum.Errorf(ytsum.CodeInternal, "job_failed", "%s", *j.Error)
}

// SubmitAndWait runs req through the same queue as Submit and waits for the
// job to end (the synchronous mode of /summarize and `ytsum summarize`). If
// ctx ends first the job is cancelled and ctx's error returned. Errors are
// Submit's, plus CodeUnavailable if the engine stops first.
func (e *Engine) SubmitAndWait(ctx context.Context, req Request) (*ytsum.Job, error) {
	r, _, err := e.submit(ctx, e.policy(req), ModeSync)
	if err != nil {
		return nil, err
	}
	j, err := e.wait(ctx, r)
	if err != nil && ctx.Err() != nil {
		if _, cerr := e.cancel(r.id); cerr == nil {
			return nil, ytsum.Wrap(ctx.Err(), ytsum.CodeUnavailable, "request_cancelled", "The request ended before the job finished, so the job was cancelled.")
		}
		// It finished meanwhile.
		return e.get(r.id)
	}
	return j, err
}

// Wait blocks until job id is terminal and returns it, or until ctx is done
// (ctx's error) or the engine stops (CodeUnavailable). An unknown id gives a
// not_found error.
func (e *Engine) Wait(ctx context.Context, id string) (*ytsum.Job, error) {
	e.mu.Lock()
	r := e.active[id]
	e.mu.Unlock()
	if r == nil {
		return e.get(id)
	}
	return e.wait(ctx, r)
}

func (e *Engine) wait(ctx context.Context, r *run) (*ytsum.Job, error) {
	select {
	case <-r.done:
		return e.snapshot(r), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-e.halted:
		select {
		case <-r.done:
			return e.snapshot(r), nil
		default:
			return nil, errStopped
		}
	}
}

// submit persists and queues a new job; it returns the run and the job as
// submitted (pending).
func (e *Engine) submit(ctx context.Context, req Request, mode Mode) (*run, *ytsum.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, ytsum.Wrap(err, ytsum.CodeUnavailable, "request_cancelled", "The request ended before the job was submitted.")
	}
	urls := youtube.SplitEntries(req.URLs)
	switch {
	case len(urls) == 0:
		return nil, nil, errNoURLs
	case len(urls) > MaxURLs:
		return nil, nil, errTooMany
	}
	opts, err := e.sum.Resolve(ctx, req.Options)
	if err != nil {
		var ye *ytsum.Error
		if errors.As(err, &ye) {
			return nil, nil, ye
		}
		return nil, nil, ytsum.Wrap(err, ytsum.CodeInvalid, "invalid_options", "These summary options cannot be used; pick another model or style.")
	}

	if err := e.reserve(); err != nil {
		return nil, nil, err
	}

	now := e.now()
	rec := &record{
		Version: recordVersion,
		Job: &ytsum.Job{ID: e.cfg.NewID(), Type: ytsum.JobTypeSummarize, Status: ytsum.JobPending, CreatedAt: now,
			Metadata: ytsum.JobMetadata{URLs: urls, Model: opts.Model, Style: opts.Style, Length: opts.Length,
				Language: opts.Language, PreferPlaylist: req.PreferPlaylist, Regenerate: opts.Regenerate,
				Limit: max(req.Limit, 0)}},
		Options: opts,
		Mode:    mode,
		Links:   make([]linkState, len(urls)),
	}
	for i, u := range urls {
		rec.Links[i].URL = u
		// A link that cannot be parsed is finished at once, so total_items
		// never counts it and then shrinks (parsing needs no network).
		if err := e.parseLink(ctx, u, req.PreferPlaylist); err != nil && ctx.Err() == nil {
			item := ytsum.InputErrorResult(u, err)
			rec.Links[i].Kind, rec.Links[i].Item = kindError, &item
		}
	}
	rec.refresh()
	rec.markHead() // the head holds every link as submitted
	for i, l := range rec.Links {
		if l.Item != nil {
			rec.markLink(i) // announced as an item (and stored as a part unless Persist writes the head alone)
		}
	}
	rec.unsaved = rec.dirty
	r := &run{id: rec.Job.ID, submitted: time.Now(), rec: rec, done: make(chan struct{})}

	// Persist and announce before any worker can see the job, so its first
	// event is "pending".
	submitted, err := e.enqueueNew(r, mode, func() error {
		if req.Persist != nil {
			return e.persistFirstLocked(r, req.Persist)
		}
		return e.persistLocked(r)
	})
	if err != nil {
		if req.Persist != nil {
			return nil, nil, err
		}
		return nil, nil, ytsum.Wrap(err, ytsum.CodeUnavailable, "store_unavailable",
			"The job could not be saved; check the free disk space and try again.")
	}
	e.signal()
	return r, submitted, nil
}

// reserve takes a slot for a job about to be submitted: errNotStarted or
// errStopped when the engine does not take jobs, ytsum.ErrBusy when
// MaxJobs are pending or running. enqueueNew gives the slot back.
func (e *Engine) reserve() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.state == stateNew || e.state == stateStarting:
		return errNotStarted
	case e.state != stateStarted:
		return errStopped
	case len(e.active)+e.reserved >= e.maxJobs:
		return ytsum.ErrBusy
	}
	e.reserved++
	return nil
}

// enqueueNew persists a new run with persist (called with r.mu held) and,
// when that succeeds, makes it active and queued; either way it gives back
// the slot reserved for it. It returns the job as first saved. The caller
// signals the workers.
func (e *Engine) enqueueNew(r *run, mode Mode, persist func() error) (*ytsum.Job, error) {
	r.mu.Lock()
	err := persist()
	submitted := r.rec.job()
	e.mu.Lock()
	e.reserved--
	if err == nil {
		e.active[r.id] = r
		e.counts[ytsum.JobPending]++
		e.requests[mode]++
		r.queued = true
		e.queue = append(e.queue, r)
	}
	e.mu.Unlock()
	r.mu.Unlock()
	return submitted, err
}

// parseLink reports whether u can be resolved without the network; a panic
// in the YouTube side counts as "not known yet" (the run isolates it).
func (e *Engine) parseLink(ctx context.Context, u string, preferPlaylist bool) (err error) {
	defer func() {
		if recover() != nil {
			err = nil
		}
	}()
	_, err = e.yt.Resolve(ctx, u, preferPlaylist)
	return err
}

// Get returns job id (a copy the caller owns). Unknown id: not_found; a
// done ctx: its error.
func (e *Engine) Get(ctx context.Context, id string) (*ytsum.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return e.get(id)
}

func (e *Engine) get(id string) (*ytsum.Job, error) {
	e.mu.Lock()
	r := e.active[id]
	e.mu.Unlock()
	if r != nil {
		return e.snapshot(r), nil
	}
	rec, err := e.load(id)
	if err != nil {
		return nil, err
	}
	return rec.job(), nil
}

// Snapshot is Get that also returns the sequence number (ytsum.Event.Seq)
// of the last event the engine published about the job before the copy
// was taken: the job's events with a higher Seq are newer than the copy,
// the others are in it. For a job not running or pending in this process
// it is the last Seq the engine published at all (no event about the job
// follows).
func (e *Engine) Snapshot(ctx context.Context, id string) (*ytsum.Job, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	e.mu.Lock()
	r := e.active[id]
	e.mu.Unlock()
	if r != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.rec.job(), r.seq, nil
	}
	seq := e.published.Load()
	j, err := e.get(id)
	return j, seq, err
}

// load reads a stored job (its results loaded from the library).
func (e *Engine) load(id string) (*record, error) {
	rec, _, err := e.read(id)
	if err != nil {
		if ytsum.ErrorCode(err) == ytsum.CodeNotFound {
			return nil, errNotFound
		}
		var ye *ytsum.Error
		if errors.As(err, &ye) {
			return nil, err
		}
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "corrupt_job", "This job's saved record cannot be read.")
	}
	return rec, nil
}

// read reads and decodes job id's record; migrate reports a version 1
// record. A store failure is a *ytsum.Error (not_found, unavailable).
func (e *Engine) read(id string) (rec *record, migrate bool, err error) {
	head, parts, err := e.store.Job(id)
	if err != nil {
		if ytsum.ErrorCode(err) == ytsum.CodeNotFound {
			return nil, false, errNotFound
		}
		return nil, false, ytsum.Wrap(fmt.Errorf("jobs: reading %s: %w", id, err), ytsum.CodeUnavailable, "store_unavailable",
			"The job could not be read; check that the data folder is readable.")
	}
	return decodeRecord(head, parts, func(keys []ytsum.SummaryKey) []ytsum.SummaryLookup {
		found := e.summaries.SummariesByKey(keys)
		if i := slices.IndexFunc(found, func(l ytsum.SummaryLookup) bool { return l.Err != nil }); i >= 0 {
			// The items say "could not be read"; the log says why.
			e.log.Warn("jobs: reading a job's summaries", "job", id, "video", keys[i].VideoID, "err", found[i].Err)
		}
		return found
	})
}

// head is the part of a stored record List, Start and purge read first.
type head struct {
	Job struct {
		ID          string          `json:"id"`
		Status      ytsum.JobStatus `json:"status"`
		CreatedAt   time.Time       `json:"created_at"`
		CompletedAt *time.Time      `json:"completed_at"`
	} `json:"job"`
}

func readHead(b []byte) (head, error) {
	var h head
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("jobs: decoding record: %w", err)
	}
	if h.Job.ID == "" {
		return h, fmt.Errorf("jobs: record without a job")
	}
	return h, nil
}

func (e *Engine) snapshot(r *run) *ytsum.Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rec.job()
}

// List returns the stored jobs, newest first, those with the given status
// only when status is not empty, at most limit of them when limit > 0.
// An unknown status is a CodeInvalid error.
func (e *Engine) List(ctx context.Context, status ytsum.JobStatus, limit int) ([]*ytsum.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if status != "" && !status.Valid() {
		return nil, ytsum.Errorf(ytsum.CodeInvalid, "invalid_status",
			"Unknown job status %q; use %s.", status, ytsum.JobStatusList())
	}
	// The heads say which jobs to read: only those are read whole.
	var heads []head
	err := e.store.ForEachJob(func(id string, b []byte) error {
		h, err := readHead(b)
		if err != nil {
			e.log.Error("jobs: skipping unreadable job record", "job", id, "err", err)
			return nil
		}
		heads = append(heads, h)
		return nil
	})
	if err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeUnavailable, "store_unavailable",
			"The jobs could not be read; check that the data folder is readable.")
	}
	out := make([]*ytsum.Job, 0, len(heads))
	for _, h := range heads {
		// Active jobs: the in-memory state is the newest.
		e.mu.Lock()
		r := e.active[h.Job.ID]
		e.mu.Unlock()
		if r != nil {
			out = append(out, e.snapshot(r))
			continue
		}
		if status != "" && h.Job.Status != status {
			continue
		}
		// Created and status are all the listing needs now; the job is
		// read whole once it is known to be listed.
		out = append(out, &ytsum.Job{ID: h.Job.ID, Status: h.Job.Status, CreatedAt: h.Job.CreatedAt})
	}
	out = slices.DeleteFunc(out, func(j *ytsum.Job) bool { return status != "" && j.Status != status })
	slices.SortFunc(out, func(a, b *ytsum.Job) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	for i, j := range out {
		if j.Type != "" { // an active job's snapshot
			continue
		}
		rec, err := e.load(j.ID)
		if err != nil {
			if ytsum.ErrorCode(err) == ytsum.CodeNotFound { // purged meanwhile
				out[i] = nil
				continue
			}
			e.log.Error("jobs: skipping unreadable job record", "job", j.ID, "err", err)
			out[i] = nil
			continue
		}
		out[i] = rec.job()
	}
	return slices.DeleteFunc(out, func(j *ytsum.Job) bool { return j == nil }), nil
}

// Cancel cancels job id: a pending job never runs; a running job's context
// is cancelled, so its in-flight work stops within a second, and the videos
// already finished are kept. The job is cancelled (and durable) when Cancel
// returns it. Errors: not_found for an unknown id, conflict for a job that
// already finished.
func (e *Engine) Cancel(ctx context.Context, id string) (*ytsum.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return e.cancel(id)
}

func (e *Engine) cancel(id string) (*ytsum.Job, error) {
	e.mu.Lock()
	r := e.active[id]
	e.mu.Unlock()
	if r == nil {
		rec, err := e.load(id)
		if err != nil {
			return nil, err
		}
		if rec.Job.Status.Terminal() {
			return nil, errFinished
		}
		return nil, errStopped // stored but not active: the engine is not running
	}
	if !e.commit(r, func(rec *record) bool {
		rec.finalize(ytsum.JobCancelled, errCancelled, e.now())
		return true
	}) {
		return nil, errFinished
	}
	return e.snapshot(r), nil
}

// commit applies mutate to r's record, then stores the record and publishes
// the job, all under r.mu so stored and published states follow one order.
// Terminal jobs never change: commit reports false for them, as when mutate
// reports false. A store error is logged; the job goes on (it is written
// again at its next change).
func (e *Engine) commit(r *run, mutate func(rec *record) bool) bool {
	return e.change(r, mutate, true)
}

// announce is commit without the store write, for changes a restart does
// not need (current_item): they are published at once and stored with the
// job's next committed change. It keeps store writes off the videos'
// critical path.
func (e *Engine) announce(r *run, mutate func(rec *record) bool) bool {
	return e.change(r, mutate, false)
}

func (e *Engine) change(r *run, mutate func(rec *record) bool, persist bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.rec
	old, oldInterruptions := rec.Job.Status, rec.Interruptions
	rec.dirty = changes{}
	if old.Terminal() || !mutate(rec) {
		rec.dirty = changes{}
		return false
	}
	if rec.Job.Status != old || rec.Interruptions != oldInterruptions {
		rec.markHead()
	}
	rec.unsaved.merge(rec.dirty)
	if !persist {
		e.publishLocked(r)
		return true
	}
	if err := e.persistLocked(r); err != nil {
		e.log.Error("jobs: saving job", "job", r.id, "err", err)
	}
	if cur := rec.Job.Status; cur != old {
		e.transitionLocked(r, old, cur)
	}
	return true
}

// persistLocked stores what changed in r's record since the last write
// (one transaction) and publishes the change. r.mu is held.
func (e *Engine) persistLocked(r *run) error {
	err := e.writeLocked(r)
	e.publishLocked(r)
	return err
}

// writeLocked stores r's unsaved changes. r.mu is held.
func (e *Engine) writeLocked(r *run) error {
	head, parts, err := r.rec.encodeChanges()
	if err != nil {
		return fmt.Errorf("jobs: encoding %s: %w", r.id, err)
	}
	if err := e.store.PutJob(r.id, head, parts); err != nil {
		return fmt.Errorf("jobs: storing %s: %w", r.id, err)
	}
	r.rec.unsaved = changes{}
	return nil
}

// persistFirstLocked writes r's first record (a head alone) through
// persist (a Request.Persist) and publishes the job only when that
// succeeded. r.mu is held.
func (e *Engine) persistFirstLocked(r *run, persist func(id string, record []byte) error) error {
	b, err := r.rec.encodeHead()
	if err != nil {
		return fmt.Errorf("jobs: encoding %s: %w", r.id, err)
	}
	if err := persist(r.id, b); err != nil {
		return err
	}
	r.rec.unsaved = changes{}
	e.publishLocked(r)
	return nil
}

// publishLocked publishes the change of r just made: an item event for
// each result item it added, then the job in its delta form. r.mu is held.
func (e *Engine) publishLocked(r *run) {
	rec := r.rec
	n := rec.refresh()
	if e.pub == nil {
		rec.dirty = changes{}
		return
	}
	for _, c := range rec.itemChanges() {
		b, err := json.Marshal(c)
		if err != nil {
			e.log.Error("jobs: encoding an item event", "job", r.id, "err", err)
			continue
		}
		r.seq = e.pub.Publish(ytsum.Event{Type: ytsum.EventItem, JobID: r.id, Data: b})
	}
	rec.dirty = changes{}
	r.seq = e.pub.Publish(ytsum.Event{Type: ytsum.EventJob, JobID: r.id, Data: ytsum.JobDeltaJSON(rec.Job, n)})
	e.notePublished(r.seq)
}

// notePublished raises e.published to seq.
func (e *Engine) notePublished(seq uint64) {
	for {
		cur := e.published.Load()
		if seq <= cur || e.published.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// transitionLocked books a status change. r.mu is held.
func (e *Engine) transitionLocked(r *run, from, to ytsum.JobStatus) {
	e.mu.Lock()
	e.counts[from]--
	e.counts[to]++
	if to.Terminal() {
		delete(e.active, r.id)
		if r.queued {
			r.queued = false
			if i := slices.Index(e.queue, r); i >= 0 {
				e.queue = slices.Delete(e.queue, i, i+1)
			}
		}
		if !r.submitted.IsZero() {
			m := cmp.Or(r.rec.Mode, ModeAsync)
			e.byMode[m] = cmp.Or(e.byMode[m], &average{})
			e.byMode[m].add(time.Since(r.submitted))
		}
	}
	e.mu.Unlock()
	if to.Terminal() {
		close(r.done)
		if r.cancel != nil {
			r.cancel(errJobEnded)
		}
	}
}

func (e *Engine) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// worker runs queued jobs until Stop.
func (e *Engine) worker() {
	for {
		r := e.next()
		if r == nil {
			return
		}
		e.execute(r)
	}
}

// next pops the oldest queued job, waiting for one; nil once stopping.
func (e *Engine) next() *run {
	for {
		e.mu.Lock()
		if e.state != stateStarted {
			e.mu.Unlock()
			return nil
		}
		if len(e.queue) > 0 {
			r := e.queue[0]
			e.queue[0] = nil
			e.queue = e.queue[1:]
			r.queued = false
			more := len(e.queue) > 0
			e.mu.Unlock()
			if more {
				e.signal()
			}
			return r
		}
		e.mu.Unlock()
		select {
		case <-e.wake:
		case <-e.quit:
			return nil
		}
	}
}

// purger purges finished jobs every PurgeInterval until Stop.
func (e *Engine) purger() {
	t := time.NewTicker(e.cfg.PurgeInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if _, err := e.purge(); err != nil {
				e.log.Error("jobs: purge", "err", err)
			}
		case <-e.quit:
			return
		}
	}
}

// Purge deletes finished jobs that completed more than Retention ago and
// returns how many; their summaries stay in the library. It runs at Start
// and every PurgeInterval; front doors may call it too.
func (e *Engine) Purge() (int, error) {
	n, err := e.purge()
	if err != nil {
		return n, ytsum.Wrap(err, ytsum.CodeUnavailable, "store_unavailable",
			"Old jobs could not be removed; check that the data folder is writable.")
	}
	return n, nil
}

func (e *Engine) purge() (int, error) {
	cutoff := e.now().Add(-e.cfg.Retention)
	type victim struct {
		id     string
		status ytsum.JobStatus
	}
	var victims []victim
	err := e.store.ForEachJob(func(id string, b []byte) error {
		var head struct {
			Job struct {
				Status      ytsum.JobStatus `json:"status"`
				CompletedAt *time.Time      `json:"completed_at"`
			} `json:"job"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return nil // unreadable records are left alone
		}
		if head.Job.Status.Terminal() && head.Job.CompletedAt != nil && head.Job.CompletedAt.Before(cutoff) {
			victims = append(victims, victim{id, head.Job.Status})
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: purge: %w", err)
	}
	n := 0
	for _, v := range victims {
		if err := e.store.DeleteJob(v.id); err != nil {
			return n, fmt.Errorf("jobs: purge %s: %w", v.id, err)
		}
		n++
		e.mu.Lock()
		e.counts[v.status]--
		e.mu.Unlock()
	}
	return n, nil
}

// Metrics are the engine's figures for /performance_metrics and
// /system_health.
type Metrics struct {
	// Jobs by status, as stored (finished jobs until they are purged).
	Pending, Running, Completed, Failed, Cancelled int
	// QueueSize is the number of pending jobs waiting for a worker.
	QueueSize int
	// Workers and MaxJobs are the configured limits.
	Workers, MaxJobs int
	// SyncRequests and AsyncRequests count submissions since start.
	SyncRequests, AsyncRequests int64
	// AvgSyncTime and AvgAsyncTime are the mean times from submission to a
	// terminal status of jobs that ended since start; zero when none did.
	AvgSyncTime, AvgAsyncTime time.Duration
}

// Metrics returns a snapshot of the engine's figures.
func (e *Engine) Metrics() Metrics {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Metrics{
		Pending: e.counts[ytsum.JobPending], Running: e.counts[ytsum.JobRunning],
		Completed: e.counts[ytsum.JobCompleted], Failed: e.counts[ytsum.JobFailed], Cancelled: e.counts[ytsum.JobCancelled],
		QueueSize: len(e.queue), Workers: e.cfg.Workers, MaxJobs: e.maxJobs,
		SyncRequests: e.requests[ModeSync], AsyncRequests: e.requests[ModeAsync],
		AvgSyncTime: e.byMode[ModeSync].mean(), AvgAsyncTime: e.byMode[ModeAsync].mean(),
	}
}
