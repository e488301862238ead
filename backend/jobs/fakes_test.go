package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"ytsum/backend/youtube"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/events"
	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// waitTimeout bounds every wait in these tests; nothing sleeps to wait.
const waitTimeout = 10 * time.Second

// --- bbolt-backed Store --------------------------------------------------

var (
	bucketJobs      = []byte("jobs")
	bucketJobParts  = []byte("job_parts")
	bucketSummaries = []byte("summaries")
	errFrozen       = errors.New("store frozen (simulated crash)")
)

// boltStore is a bbolt implementation of jobs.Store for tests, so restart
// tests really reopen a database file. freeze simulates a killed process:
// from then on no write reaches the file.
type boltStore struct {
	db         *bolt.DB
	frozen     atomic.Bool                        // every write is dropped
	frozenJobs atomic.Bool                        // job writes are dropped, summaries still saved
	summaries  chan string                        // receives the video ID of every saved summary, if set
	onWrite    func()                             // called before every write, if set (may freeze)
	picture    func(context.Context, ytsum.Video) // FetchThumbnail, if set
	record     func(*ytsum.Summary)               // RecordThumbnail, if set
	// summaryViews counts the read transactions that looked summaries up.
	summaryViews atomic.Int64
	// viewPerSummary makes SummariesByKey read each summary in its own
	// transaction (Summary), as job reads did before it existed.
	viewPerSummary bool
}

// write reports whether a write may go ahead.
func (s *boltStore) write() bool {
	if s.onWrite != nil {
		s.onWrite()
	}
	return !s.frozen.Load()
}

// MustOpenStore opens (or reopens) the database at path.
func MustOpenStore(tb testing.TB, path string) *boltStore {
	tb.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketJobs, bucketJobParts, bucketSummaries} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &boltStore{db: db}
}

func (s *boltStore) Close() error { return s.db.Close() }

func (s *boltStore) PutJob(id string, head []byte, parts map[string][]byte) error {
	if !s.write() || s.frozenJobs.Load() {
		return errFrozen
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if head != nil {
			if err := tx.Bucket(bucketJobs).Put([]byte(id), head); err != nil {
				return err
			}
		}
		for k, v := range parts {
			if err := tx.Bucket(bucketJobParts).Put([]byte(id+"\x00"+k), v); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *boltStore) Job(id string) ([]byte, map[string][]byte, error) {
	var out []byte
	var parts map[string][]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketJobs).Get([]byte(id)); v != nil {
			out = append([]byte(nil), v...)
		}
		p := []byte(id + "\x00")
		c := tx.Bucket(bucketJobParts).Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if parts == nil {
				parts = map[string][]byte{}
			}
			parts[string(k[len(p):])] = append([]byte(nil), v...)
		}
		return nil
	})
	if err == nil && out == nil {
		return nil, nil, ytsum.Errorf(ytsum.CodeNotFound, "job_not_found", "Job not found")
	}
	return out, parts, err
}

func (s *boltStore) ForEachJob(fn func(id string, record []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error { return fn(string(k), v) })
	})
}

func (s *boltStore) DeleteJob(id string) error {
	if !s.write() {
		return errFrozen
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketJobs).Delete([]byte(id)); err != nil {
			return err
		}
		p := []byte(id + "\x00")
		c := tx.Bucket(bucketJobParts).Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Seek(p) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
}

func summaryKey(videoID, cacheKey string) []byte { return []byte(videoID + "\x00" + cacheKey) }

// FetchThumbnail calls the picture hook, if set.
func (s *boltStore) FetchThumbnail(ctx context.Context, v ytsum.Video) {
	if s.picture != nil {
		s.picture(ctx, v)
	}
}

// RecordThumbnail calls the record hook, if set.
func (s *boltStore) RecordThumbnail(sum *ytsum.Summary) {
	if s.record != nil {
		s.record(sum)
	}
}

func (s *boltStore) Save(_ context.Context, sum *ytsum.Summary) error {
	if !s.write() {
		return errFrozen
	}
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSummaries).Put(summaryKey(sum.ID, sum.CacheKey), b)
	})
	if err == nil && s.summaries != nil {
		s.summaries <- sum.ID
	}
	return err
}

func (s *boltStore) Summary(videoID, cacheKey string) (*ytsum.Summary, bool, error) {
	var sum *ytsum.Summary
	s.summaryViews.Add(1)
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSummaries).Get(summaryKey(videoID, cacheKey))
		if v == nil {
			return nil
		}
		sum = new(ytsum.Summary)
		return json.Unmarshal(v, sum)
	})
	return sum, sum != nil, err
}

// SummariesByKey reads the summaries 500 per read transaction, as the
// store does.
func (s *boltStore) SummariesByKey(keys []ytsum.SummaryKey) []ytsum.SummaryLookup {
	out := make([]ytsum.SummaryLookup, len(keys))
	if s.viewPerSummary {
		for i, k := range keys {
			out[i].Summary, _, out[i].Err = s.Summary(k.VideoID, k.CacheKey)
		}
		return out
	}
	for lo := 0; lo < len(keys); lo += 500 {
		hi := min(lo+500, len(keys))
		s.summaryViews.Add(1)
		err := s.db.View(func(tx *bolt.Tx) error {
			for i := lo; i < hi; i++ {
				v := tx.Bucket(bucketSummaries).Get(summaryKey(keys[i].VideoID, keys[i].CacheKey))
				if v == nil {
					continue
				}
				sum := new(ytsum.Summary)
				if err := json.Unmarshal(v, sum); err != nil {
					out[i].Err = err
					continue
				}
				out[i].Summary = sum
			}
			return nil
		})
		if err != nil {
			for i := lo; i < hi; i++ {
				out[i] = ytsum.SummaryLookup{Err: err}
			}
		}
	}
	return out
}

func (s *boltStore) countSummaries(tb testing.TB) int {
	tb.Helper()
	n := 0
	if err := s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketSummaries).Stats().KeyN; return nil }); err != nil {
		tb.Fatal(err)
	}
	return n
}

// rawRecord returns the stored record of a job, decoded loosely.
func (s *boltStore) rawRecord(tb testing.TB, id string) map[string]any {
	tb.Helper()
	b, _, err := s.Job(id)
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

// --- fake YouTube --------------------------------------------------------

// fakeYouTube answers from memory with an optional latency per call and a
// concurrency limit, as the real client keeps inside itself.
type fakeYouTube struct {
	latency       time.Duration
	sem           chan struct{}
	playlists     map[string]*ytsum.Playlist
	channels      map[string]*ytsum.Channel // by handle ("@name")
	channelErr    map[string]error          // by handle
	channelLimits []int                     // the limit of each Channel call
	videoErr      map[string]error
	transcriptErr map[string]error
	panicResolve  string // a URL whose Resolve panics
	calls         atomic.Int64
	mu            sync.Mutex
}

func newFakeYouTube(limit int, latency time.Duration) *fakeYouTube {
	return &fakeYouTube{latency: latency, sem: make(chan struct{}, limit),
		playlists: map[string]*ytsum.Playlist{}, channels: map[string]*ytsum.Channel{}, channelErr: map[string]error{}, videoErr: map[string]error{}, transcriptErr: map[string]error{}}
}

// addPlaylist registers a playlist of the given video IDs.
func (y *fakeYouTube) addPlaylist(id string, videos ...string) string {
	pl := &ytsum.Playlist{ID: id, Title: "Playlist " + id}
	for _, v := range videos {
		pl.Entries = append(pl.Entries, ytsum.PlaylistEntry{VideoID: v, Title: "Title " + v, DurationSeconds: 60})
	}
	y.playlists[id] = pl
	return "https://www.youtube.com/playlist?list=" + id
}

// addChannel registers channel @handle whose uploads, newest first, are
// the given video IDs, and returns its link.
func (y *fakeYouTube) addChannel(handle string, videos ...string) string {
	ch := &ytsum.Channel{ID: "UC" + strings.Repeat("x", 22-len(handle)) + handle, Title: "Channel " + handle}
	for _, v := range videos {
		ch.Entries = append(ch.Entries, ytsum.PlaylistEntry{VideoID: v, Title: "Title " + v, DurationSeconds: 60})
	}
	y.channels["@"+handle] = ch
	return "https://www.youtube.com/@" + handle
}

func videoURL(id string) string { return "https://www.youtube.com/watch?v=" + id }

func (y *fakeYouTube) call(ctx context.Context) error {
	y.calls.Add(1)
	select {
	case y.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-y.sem }()
	if y.latency <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(y.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (y *fakeYouTube) Resolve(ctx context.Context, raw string, preferPlaylist bool) (youtube.Link, error) {
	if raw == y.panicResolve {
		panic("fake youtube: resolve panic")
	}
	u, err := url.Parse(raw)
	if err != nil || !strings.HasSuffix(u.Host, "youtube.com") {
		return youtube.Link{}, ytsum.Errorf(ytsum.CodeInvalid, "invalid_url", "This is not a YouTube link: paste a video or playlist address.")
	}
	q := u.Query()
	switch {
	case strings.HasPrefix(u.Path, "/@"):
		return youtube.Link{Kind: youtube.Channel, ChannelPath: strings.TrimPrefix(u.Path, "/")}, nil
	case q.Get("list") != "" && (preferPlaylist || q.Get("v") == ""):
		return youtube.Link{Kind: youtube.Playlist, PlaylistID: q.Get("list")}, nil
	case q.Get("v") != "":
		return youtube.Link{Kind: youtube.Video, VideoID: q.Get("v")}, nil
	}
	return youtube.Link{}, ytsum.Errorf(ytsum.CodeInvalid, "invalid_url", "This is not a YouTube link: paste a video or playlist address.")
}

func (y *fakeYouTube) Playlist(ctx context.Context, id string) (*ytsum.Playlist, error) {
	if err := y.call(ctx); err != nil {
		return nil, err
	}
	pl, ok := y.playlists[id]
	if !ok {
		return nil, ytsum.Errorf(ytsum.CodeNotFound, "playlist_not_found", "This playlist does not exist or is private.")
	}
	return pl, nil
}

func (y *fakeYouTube) Channel(ctx context.Context, ref string, limit int) (*ytsum.Channel, error) {
	if err := y.call(ctx); err != nil {
		return nil, err
	}
	u, _ := url.Parse(ref)
	handle := strings.TrimPrefix(u.Path, "/")
	y.mu.Lock()
	y.channelLimits = append(y.channelLimits, limit)
	y.mu.Unlock()
	if err := y.channelErr[handle]; err != nil {
		return nil, err
	}
	ch, ok := y.channels[handle]
	if !ok {
		return nil, ytsum.Errorf(ytsum.CodeNotFound, "channel_not_found", "This channel does not exist.")
	}
	if limit <= 0 {
		limit = 10 // the setting's default
	}
	c := *ch
	c.Entries = c.Entries[:min(limit, len(c.Entries))]
	return &c, nil
}

func (y *fakeYouTube) Video(ctx context.Context, id string) (ytsum.Video, error) {
	if err := y.call(ctx); err != nil {
		return ytsum.Video{}, err
	}
	if err := y.videoErr[id]; err != nil {
		return ytsum.Video{}, err
	}
	return ytsum.Video{ID: id, Title: "Title " + id, Channel: "Channel", DurationSeconds: 60,
		ThumbnailURL: "https://i.ytimg.com/vi/" + id + "/hqdefault.jpg"}, nil
}

func (y *fakeYouTube) Transcript(ctx context.Context, id string, _ []string) (*ytsum.Transcript, error) {
	if err := y.call(ctx); err != nil {
		return nil, err
	}
	if err := y.transcriptErr[id]; err != nil {
		return nil, err
	}
	return &ytsum.Transcript{VideoID: id, Language: "en", Kind: ytsum.TranscriptManual,
		Segments: []ytsum.Segment{{Text: "hello from " + id}}}, nil
}

// --- fake Summarizer -----------------------------------------------------

// fakeSummarizer writes "Summary of <id>" after an optional latency under a
// concurrency limit. hook, when set, runs first with the call's context: it
// may block on ctx.Done(), panic or return an error.
type fakeSummarizer struct {
	latency time.Duration
	sem     chan struct{}
	hook    func(ctx context.Context, videoID string) error
	started chan string // receives each video ID as its Summarize starts, if set
	deltas  []string

	mu    sync.Mutex
	calls map[string]int
}

func newFakeSummarizer(limit int, latency time.Duration) *fakeSummarizer {
	return &fakeSummarizer{latency: latency, sem: make(chan struct{}, limit), calls: map[string]int{}}
}

func (f *fakeSummarizer) Resolve(_ context.Context, o ytsum.SummaryOptions) (ytsum.SummaryOptions, error) {
	switch o.Model {
	case "":
		o.Model = "fake-model"
	case "bad":
		return o, ytsum.Errorf(ytsum.CodeInvalid, "unknown_model", "The model \"bad\" is not available; pick another one in Settings.")
	}
	if o.Style == "" {
		o.Style = "key_points"
	}
	return o, nil
}

func (f *fakeSummarizer) CacheKey(_ context.Context, id string, o ytsum.SummaryOptions) string {
	return strings.Join([]string{id, o.Model, o.Style, o.Length, o.Language}, "|")
}

func (f *fakeSummarizer) Summarize(ctx context.Context, in ytsum.SummaryInput, onDelta func(string)) (*ytsum.Summary, error) {
	v, o := in.Video, in.Options
	f.mu.Lock()
	f.calls[v.ID]++
	f.mu.Unlock()
	if f.started != nil {
		f.started <- v.ID
	}
	if f.hook != nil {
		if err := f.hook(ctx, v.ID); err != nil {
			return nil, err
		}
	}
	select {
	case f.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-f.sem }()
	if f.latency > 0 {
		tm := time.NewTimer(f.latency)
		defer tm.Stop()
		select {
		case <-tm.C:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	for _, d := range f.deltas {
		onDelta(d)
	}
	return &ytsum.Summary{Video: v, Text: "Summary of " + v.ID, Model: o.Model, Provider: "fake", Style: o.Style,
		CacheKey: f.CacheKey(ctx, v.ID, o), CreatedAt: time.Now().UTC()}, nil
}

func (f *fakeSummarizer) callsOf(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[id]
}

// blockOn returns a hook that blocks the given videos until their context
// is done (and reports that on stopped, if set); other videos pass.
func blockOn(stopped chan<- string, ids ...string) func(context.Context, string) error {
	return func(ctx context.Context, id string) error {
		for _, b := range ids {
			if b == id {
				<-ctx.Done()
				if stopped != nil {
					stopped <- id
				}
				return ctx.Err()
			}
		}
		return nil
	}
}

// --- harness -------------------------------------------------------------

// harness runs one engine over a bbolt file, a broker and the fakes.
type harness struct {
	t      *testing.T
	path   string
	cfg    jobs.Config
	store  *boltStore
	yt     *fakeYouTube
	sum    *fakeSummarizer
	broker *events.Broker
	eng    *jobs.Engine
	closed bool
}

func quietConfig(cfg jobs.Config) jobs.Config {
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}
	if cfg.StopTimeout == 0 {
		cfg.StopTimeout = time.Millisecond // tests with blocked jobs need not wait
	}
	return cfg
}

// MustStart returns a started harness; it is stopped at the end of the test.
func MustStart(t *testing.T, cfg jobs.Config, yt *fakeYouTube, sum *fakeSummarizer) *harness {
	t.Helper()
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "ytsum.db"), cfg: quietConfig(cfg), yt: yt, sum: sum}
	h.open()
	t.Cleanup(h.close)
	return h
}

func (h *harness) open() {
	h.t.Helper()
	h.store = MustOpenStore(h.t, h.path)
	h.broker = events.New(events.Options{})
	h.eng = jobs.New(h.store, h.store, h.yt, h.sum, h.broker, h.cfg)
	h.closed = false
}

func (h *harness) start() {
	h.t.Helper()
	if err := h.eng.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

// close stops the engine cleanly and closes the database.
func (h *harness) close() {
	if h.closed {
		return
	}
	h.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := h.eng.Stop(ctx); err != nil {
		h.t.Errorf("Stop: %v", err)
	}
	h.broker.Close()
	if err := h.store.Close(); err != nil {
		h.t.Errorf("closing store: %v", err)
	}
}

// crash simulates kill -9: nothing more reaches the file, then the engine's
// goroutines are stopped and the database closed.
func (h *harness) crash() {
	h.t.Helper()
	h.store.frozen.Store(true)
	h.close()
}

// restart reopens the same file with a new engine (not yet started).
func (h *harness) restart(sum *fakeSummarizer) {
	h.t.Helper()
	if sum != nil {
		h.sum = sum
	}
	h.open()
}

// subscribe returns a subscription to one job's events (or all with "").
func (h *harness) subscribe(jobID string) *events.Subscription {
	s := h.broker.Subscribe(events.Filter{JobID: jobID, Types: []string{ytsum.EventJob, ytsum.EventItem}})
	copies.Lock()
	w := &watched{byJob: map[string]*jobCopy{}}
	if jobID != "" { // a job already submitted: its copy starts from a snapshot
		w.snapshot = func(id string) (*ytsum.Job, uint64, error) { return h.eng.Snapshot(context.Background(), id) }
	}
	copies.m[s] = w
	copies.Unlock()
	h.t.Cleanup(func() {
		s.Close()
		copies.Lock()
		delete(copies.m, s)
		copies.Unlock()
	})
	return s
}

// MustSubmit submits urls.
func (h *harness) MustSubmit(urls ...string) *ytsum.Job {
	h.t.Helper()
	j, err := h.eng.Submit(context.Background(), jobs.Request{URLs: urls})
	if err != nil {
		h.t.Fatalf("Submit: %v", err)
	}
	return j
}

// copies are the results each subscription built from item events, by
// job: the job events carry none (results null), so waitJob merges them
// as a client of the delta stream does — which checks the item events'
// positions in every test that looks at results. A subscription to all
// jobs (made before the jobs are submitted) starts each copy empty; one to
// a job already submitted starts it from the engine's Snapshot, skipping
// the item events the snapshot already holds.
var copies = struct {
	sync.Mutex
	m map[*events.Subscription]*watched
}{m: map[*events.Subscription]*watched{}}

type watched struct {
	snapshot func(id string) (*ytsum.Job, uint64, error)
	byJob    map[string]*jobCopy
}

type jobCopy struct {
	results []ytsum.Result
	seq     uint64 // events up to this one are in results
}

// waitJob reads job events from s until pred holds, with a deadline. The
// job's results are those its item events built (see copies).
func waitJob(tb testing.TB, s *events.Subscription, pred func(*ytsum.Job) bool) *ytsum.Job {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	copies.Lock()
	w := copies.m[s]
	copies.Unlock()
	if w == nil {
		tb.Fatal("waitJob needs a subscription from harness.subscribe")
	}
	for {
		ev, err := s.Next(ctx)
		if err != nil {
			tb.Fatalf("waiting for a job state: %v", err)
		}
		c := w.byJob[ev.JobID]             // this subscription's reader's alone
		if c == nil && w.snapshot == nil { // subscribed before the job was submitted
			c = &jobCopy{}
			w.byJob[ev.JobID] = c
		}
		if c == nil {
			j, seq, err := w.snapshot(ev.JobID)
			if err != nil {
				tb.Fatalf("snapshot of job %s: %v", ev.JobID, err)
			}
			c = &jobCopy{results: cloneResults(j.Results), seq: seq}
			w.byJob[ev.JobID] = c
		}
		old := ev.Seq <= c.seq // in the snapshot
		if ev.Type == ytsum.EventItem {
			if old {
				continue
			}
			var ch ytsum.ItemChange
			if err := json.Unmarshal(ev.Data, &ch); err != nil {
				tb.Fatal(err)
			}
			c.results = applyItem(tb, c.results, ch)
			continue
		}
		var j ytsum.Job
		if err := json.Unmarshal(ev.Data, &j); err != nil {
			tb.Fatal(err)
		}
		var head struct {
			Results      *json.RawMessage `json:"results"`
			ResultsCount *int             `json:"results_count"`
		}
		if err := json.Unmarshal(ev.Data, &head); err != nil || head.Results != nil || head.ResultsCount == nil {
			tb.Fatalf("a job event is not in the delta form (results null, results_count): %s", ev.Data)
		}
		if !old && *head.ResultsCount != len(c.results) {
			tb.Fatalf("job event says %d results, the item events made %d", *head.ResultsCount, len(c.results))
		}
		j.Results = cloneResults(c.results)
		if pred(&j) {
			return &j
		}
	}
}

// applyItem inserts an item event's item where it says.
func applyItem(tb testing.TB, results []ytsum.Result, c ytsum.ItemChange) []ytsum.Result {
	tb.Helper()
	if c.VideoIndex == nil {
		if c.LinkIndex < 0 || c.LinkIndex > len(results) {
			tb.Fatalf("item event at link_index %d of %d results", c.LinkIndex, len(results))
		}
		if c.LinkIndex < len(results) && sameItem(results[c.LinkIndex], c.Item) {
			results[c.LinkIndex] = c.Item // a change of an item held (a playlist announced whole)
			return results
		}
		return slices.Insert(results, c.LinkIndex, c.Item)
	}
	if c.LinkIndex < 0 || c.LinkIndex >= len(results) {
		tb.Fatalf("video item event at link_index %d of %d results", c.LinkIndex, len(results))
	}
	p := &results[c.LinkIndex]
	if *c.VideoIndex < 0 || *c.VideoIndex > len(p.Summaries) {
		tb.Fatalf("video item event at video_index %d of %d summaries", *c.VideoIndex, len(p.Summaries))
	}
	p.Summaries = slices.Insert(slices.Clone(p.Summaries), *c.VideoIndex, c.Item)
	return results
}

// sameItem reports whether a and b are the same link's item: same type and
// id (playlists and channels; the other items are never announced twice).
func sameItem(a, b ytsum.Result) bool {
	return a.Type == b.Type && (a.Type == ytsum.ResultPlaylist && a.PlaylistID == b.PlaylistID ||
		a.Type == ytsum.ResultChannel && a.ChannelID == b.ChannelID)
}

func cloneResults(rs []ytsum.Result) []ytsum.Result {
	out := slices.Clone(rs)
	for i := range out {
		out[i].Summaries = slices.Clone(out[i].Summaries)
	}
	return out
}

func isStatus(st ytsum.JobStatus) func(*ytsum.Job) bool {
	return func(j *ytsum.Job) bool { return j.Status == st }
}

func isTerminal(j *ytsum.Job) bool { return j.Status.Terminal() }

// recv reads one value from c with a deadline.
func recv[T any](tb testing.TB, c <-chan T, what string) T {
	tb.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(waitTimeout):
		tb.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// itemSummary returns the summary text or error of a video item.
func itemText(r ytsum.Result) string {
	switch {
	case r.Summary != nil:
		return *r.Summary
	case r.Error != nil:
		return "error: " + *r.Error
	}
	return "<none>"
}

func describe(j *ytsum.Job) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d/%d:", j.Status, j.Progress, j.TotalItems)
	for _, r := range j.Results {
		fmt.Fprintf(&b, " [%s", r.Type)
		for _, s := range r.Summaries {
			fmt.Fprintf(&b, " %s=%s", s.VideoID, itemText(s))
		}
		if r.Type == ytsum.ResultVideo {
			fmt.Fprintf(&b, " %s=%s", r.VideoID, itemText(r))
		}
		if r.Type != ytsum.ResultVideo && r.Error != nil {
			fmt.Fprintf(&b, " error=%s", *r.Error)
		}
		b.WriteString("]")
	}
	return b.String()
}
