package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"ytsum/backend/config"
	"ytsum/backend/events"
	"ytsum/backend/jobs"
	"ytsum/backend/library"
	"ytsum/backend/store"
	"ytsum/backend/summarize"
	"ytsum/backend/tts"
	"ytsum/backend/tts/audio"

	"ytsum/backend/ytsum"
)

// fakeJobs is an in-memory engine that publishes every change to broker.
type fakeJobs struct {
	mu     sync.Mutex
	jobs   map[string]*ytsum.Job
	seqs   map[string]uint64 // job → Seq of its last event
	order  []string
	next   int
	broker *events.Broker

	SubmitErr error
	WaitFn    func(ctx context.Context, req jobs.Request) (*ytsum.Job, error)
}

var _ Jobs = (*fakeJobs)(nil)

func newFakeJobs(b *events.Broker) *fakeJobs {
	return &fakeJobs{jobs: map[string]*ytsum.Job{}, seqs: map[string]uint64{}, broker: b}
}

func (f *fakeJobs) Estimate(context.Context, jobs.Request) time.Duration {
	return 30 * time.Second
}

func (f *fakeJobs) Decide(_ context.Context, req jobs.Request) jobs.Mode {
	if req.ForceSync {
		return jobs.ModeSync
	}
	links := 0 // the engine splits entries into links, one per line
	for _, u := range req.URLs {
		links += len(strings.Fields(u))
	}
	if req.ForceAsync || links > 1 {
		return jobs.ModeAsync
	}
	for _, u := range req.URLs {
		if strings.Contains(u, "list=") {
			return jobs.ModeAsync
		}
	}
	return jobs.ModeSync
}

func (f *fakeJobs) Submit(ctx context.Context, req jobs.Request) (*ytsum.Job, error) {
	if f.SubmitErr != nil {
		return nil, f.SubmitErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	j := &ytsum.Job{ID: fmt.Sprintf("job%d", f.next), Type: ytsum.JobTypeSummarize, Status: ytsum.JobPending,
		CreatedAt: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), TotalItems: len(req.URLs),
		Metadata: ytsum.JobMetadata{URLs: req.URLs, Model: req.Options.Model}}
	f.jobs[j.ID] = j
	f.order = append(f.order, j.ID)
	return cloneJob(j), nil
}

func (f *fakeJobs) SubmitAndWait(ctx context.Context, req jobs.Request) (*ytsum.Job, error) {
	if f.WaitFn != nil {
		return f.WaitFn(ctx, req)
	}
	j := &ytsum.Job{ID: "sync1", Type: ytsum.JobTypeSummarize, Status: ytsum.JobCompleted}
	for _, u := range req.URLs {
		sum := "summary of " + u
		j.Results = append(j.Results, ytsum.Result{Type: ytsum.ResultVideo, VideoID: "dQw4w9WgXcQ", Summary: &sum, VideoURL: u})
	}
	return j, nil
}

func (f *fakeJobs) Get(ctx context.Context, id string) (*ytsum.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	j, ok := f.jobs[id]
	if !ok {
		return nil, ytsum.Errorf(ytsum.CodeNotFound, "job_not_found", "Job not found")
	}
	return cloneJob(j), nil
}

func (f *fakeJobs) Snapshot(ctx context.Context, id string) (*ytsum.Job, uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	j, ok := f.jobs[id]
	if !ok {
		return nil, 0, ytsum.Errorf(ytsum.CodeNotFound, "job_not_found", "Job not found")
	}
	return cloneJob(j), f.seqs[id], nil
}

func (f *fakeJobs) List(ctx context.Context, status ytsum.JobStatus, limit int) ([]*ytsum.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*ytsum.Job
	for i := len(f.order) - 1; i >= 0; i-- {
		j := f.jobs[f.order[i]]
		if status != "" && j.Status != status {
			continue
		}
		out = append(out, cloneJob(j))
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

func (f *fakeJobs) Cancel(ctx context.Context, id string) (*ytsum.Job, error) {
	return f.update(id, func(j *ytsum.Job) error {
		if j.Status.Terminal() {
			return ytsum.Errorf(ytsum.CodeConflict, "job_finished", "The job has already finished.")
		}
		j.Status = ytsum.JobCancelled
		return nil
	})
}

func (f *fakeJobs) Metrics() jobs.Metrics {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s jobs.Metrics
	for _, j := range f.jobs {
		switch j.Status {
		case ytsum.JobPending:
			s.Pending++
		case ytsum.JobRunning:
			s.Running++
		case ytsum.JobCompleted:
			s.Completed++
		case ytsum.JobFailed:
			s.Failed++
		case ytsum.JobCancelled:
			s.Cancelled++
		}
	}
	return s
}

// update changes a job and publishes it as the engine does: an item event
// for each result item fn added at the end (or, with a playlist's
// summaries grown, each video added at the end of the last item), then
// the job in its delta form.
func (f *fakeJobs) update(id string, fn func(j *ytsum.Job) error) (*ytsum.Job, error) {
	f.mu.Lock()
	j, ok := f.jobs[id]
	if !ok {
		f.mu.Unlock()
		return nil, ytsum.Errorf(ytsum.CodeNotFound, "job_not_found", "Job not found")
	}
	before := cloneJob(j)
	if err := fn(j); err != nil {
		f.mu.Unlock()
		return nil, err
	}
	c := cloneJob(j)
	// Publish under the lock so events leave in the order of the changes.
	if f.broker != nil {
		for _, ch := range addedItems(before, c) {
			b, _ := json.Marshal(ch)
			f.seqs[id] = f.broker.Publish(ytsum.Event{Type: ytsum.EventItem, JobID: id, Data: b})
		}
		f.seqs[id] = f.broker.Publish(ytsum.Event{Type: ytsum.EventJob, JobID: id, Data: ytsum.JobDeltaJSON(c, len(c.Results))})
	}
	f.mu.Unlock()
	return c, nil
}

func cloneJob(j *ytsum.Job) *ytsum.Job {
	c := *j
	c.Results = append([]ytsum.Result(nil), j.Results...)
	for i := range c.Results {
		c.Results[i].Summaries = append([]ytsum.Result(nil), c.Results[i].Summaries...)
	}
	return &c
}

// addedItems are the item events of the items after has over before:
// new items at the end, and videos added at the end of items' summaries.
func addedItems(before, after *ytsum.Job) []ytsum.ItemChange {
	var out []ytsum.ItemChange
	for i, r := range after.Results {
		if i >= len(before.Results) {
			out = append(out, ytsum.ItemChange{JobID: after.ID, LinkIndex: i, Item: r})
			continue
		}
		for k := len(before.Results[i].Summaries); k < len(r.Summaries); k++ {
			v := r.Summaries[k]
			v.Type = ""
			out = append(out, ytsum.ItemChange{JobID: after.ID, LinkIndex: i, VideoIndex: &k, Item: v})
		}
	}
	return out
}

// waitSubscribers waits until n streams are subscribed to b.
func waitSubscribers(tb testing.TB, b *events.Broker, n int) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for b.Subscribers() < n {
		if time.Now().After(deadline) {
			tb.Fatalf("only %d of %d subscribers after 10 s", b.Subscribers(), n)
		}
		time.Sleep(time.Millisecond) // polling a condition, not waiting a fixed time
	}
}

// fakeLibrary holds video items in memory, newest first.
type fakeLibrary struct {
	mu      sync.Mutex
	items   []ytsum.Result
	last    library.Query
	pending int // summaries still being indexed
}

// IndexingStatus says pending summaries are being indexed, 1,000 a second
// (41,200 take 41.2 s: 42 in whole seconds, rounded up).
func (l *fakeLibrary) IndexingStatus() (library.IndexingStatus, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return library.IndexingStatus{Pending: l.pending, ETA: time.Duration(l.pending) * time.Millisecond}, nil
}

func newFakeLibrary(n int) *fakeLibrary {
	l := &fakeLibrary{}
	for i := 0; i < n; i++ {
		s := fmt.Sprintf("summary %d about cats", i)
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Duration(i) * time.Hour)
		l.items = append(l.items, ytsum.Result{Type: ytsum.ResultVideo, VideoID: fmt.Sprintf("vid%08d", i),
			Title: fmt.Sprintf("Video %d", i), Summary: &s, SummarizedAt: &at, VideoURL: ytsum.WatchURL(fmt.Sprintf("vid%08d", i))})
	}
	return l
}

func (l *fakeLibrary) Results(ctx context.Context, q library.Query) ([]ytsum.Result, int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last = q
	total := len(l.items)
	if q.Offset >= total {
		return nil, total, nil
	}
	end := total
	if q.Limit > 0 {
		end = min(total, q.Offset+q.Limit)
	}
	return append([]ytsum.Result(nil), l.items[q.Offset:end]...), total, nil
}

// RemoteThumbnailURL knows no remote pictures.
func (l *fakeLibrary) RemoteThumbnailURL(string) string { return "" }

func (l *fakeLibrary) FindIn(ctx context.Context, query string, ids []string) ([]library.Hit, error) {
	hits, err := l.Find(ctx, query)
	if ids == nil {
		return hits, err
	}
	var out []library.Hit
	for _, h := range hits {
		if slices.Contains(ids, h.Item.VideoID) {
			out = append(out, h)
		}
	}
	return out, err
}

func (l *fakeLibrary) Find(ctx context.Context, query string) ([]library.Hit, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var hits []library.Hit
	for _, it := range l.items {
		if strings.Contains(*it.Summary, query) {
			hits = append(hits, library.Hit{Item: it, Snippet: "<mark>" + query + "</mark>"})
		}
	}
	return hits, nil
}

func (l *fakeLibrary) Delete(id string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, it := range l.items {
		if it.VideoID == id {
			l.items = append(l.items[:i], l.items[i+1:]...)
			return nil
		}
	}
	return ytsum.Errorf(ytsum.CodeNotFound, "summary_not_found", "Summary not found")
}

func (l *fakeLibrary) Thumbnail(id string) ([]byte, string, error) {
	if id == "vid00000000" {
		return []byte("\xff\xd8\xffjpeg"), "image/jpeg", nil
	}
	return nil, "", ytsum.Errorf(ytsum.CodeNotFound, "thumbnail_not_found", "No thumbnail is cached for this video.")
}

func (l *fakeLibrary) ExportOne(id string, f library.Format) (library.Export, error) {
	if id != "vid00000000" {
		return library.Export{}, ytsum.Errorf(ytsum.CodeNotFound, "summary_not_found", "Summary not found")
	}
	return library.Export{FileName: id + "." + string(f), ContentType: "text/markdown; charset=utf-8", Data: []byte("# Video 0\n")}, nil
}

func (l *fakeLibrary) ExportLibrary(ctx context.Context, f library.Format) (library.Export, error) {
	return library.Export{FileName: "library." + string(f), ContentType: "application/json", Data: []byte(`[]`)}, nil
}

func (l *fakeLibrary) Import(ctx context.Context, path string) (library.ImportReport, error) {
	if path == "/missing" {
		return library.ImportReport{}, ytsum.Errorf(ytsum.CodeNotFound, "import_missing", "There is no file at /missing.")
	}
	return library.ImportReport{Added: 3, Skipped: 1}, nil
}

// fakeSpeech returns fixed "audio".
type fakeSpeech struct{}

func (fakeSpeech) Available(context.Context) bool { return true }
func (fakeSpeech) Speak(ctx context.Context, req tts.SpeakRequest) (tts.Audio, error) {
	if req.VideoID == "unknownvid1" {
		return tts.Audio{}, ytsum.Errorf(ytsum.CodeNotFound, "summary_not_found", "Summary not found")
	}
	return tts.Audio{Data: []byte("ID3mp3")}, nil
}
func (fakeSpeech) Preview(ctx context.Context, voiceID, text string) (tts.Audio, error) {
	return tts.Audio{Data: []byte("ID3preview:" + text)}, nil
}
func (fakeSpeech) Voices(ctx context.Context) tts.VoicesResponse {
	z := tts.Voice{Name: "en-US-Chirp3-HD-Zephyr", Tier: "chirp3-hd"}
	return tts.VoicesResponse{Voices: map[string]tts.Voice{z.Name: z}, Tiers: map[string][]tts.Voice{"chirp3-hd": {z}},
		CurrentVoice: z.Name, DefaultVoice: z.Name}
}
func (fakeSpeech) Status() (audio.Status, error) {
	return audio.Status{TotalFiles: 2, TotalSizeMB: 1.5, MaxSizeMB: 500}, nil
}
func (fakeSpeech) Cleanup() (audio.CleanupResult, error) {
	return audio.CleanupResult{CleanedFiles: 1, RemainingFiles: 1}, nil
}

// fakeSettings keeps a token and a tiny settings object.
type fakeSettings struct {
	mu    sync.Mutex
	token string
	voice string
}

func (f *fakeSettings) View(ctx context.Context) (config.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return config.View{Settings: config.Settings{TTSVoice: f.voice},
		Secrets: map[string]config.SecretState{"google_api_key": {Set: true}}}, nil
}

func (f *fakeSettings) ApplyWith(ctx context.Context, in config.Patch, _ config.ApplyOptions) (config.View, error) {
	patch, _ := json.Marshal(in)
	var p struct {
		TTSVoice *string `json:"tts_voice"`
	}
	dec := json.NewDecoder(bytes.NewReader(patch))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return config.View{}, &wrappedField{err: ytsum.Errorf(ytsum.CodeInvalid, "invalid_setting", "That setting is not known."),
			fields: map[string]string{"unknown": "not a setting"}}
	}
	if p.TTSVoice != nil {
		f.mu.Lock()
		f.voice = *p.TTSVoice
		f.mu.Unlock()
	}
	return f.View(ctx)
}

func (f *fakeSettings) HasSecret(_ context.Context, name string) bool {
	return name == config.SecretGeminiKey
}
func (f *fakeSettings) RevealAPIToken(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.token, nil
}
func (f *fakeSettings) RotateAPIToken(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.token = "rotated-" + f.token
	return f.token, nil
}
func (f *fakeSettings) apiToken(context.Context) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.token
}

type fakeModels struct{}

func (fakeModels) Models(context.Context) []summarize.Model {
	return []summarize.Model{
		{Key: "gemini-2.5-flash", Provider: "gemini", DisplayName: "Gemini 2.5 Flash", Available: true},
		{Key: "gpt-5", Provider: "openai", DisplayName: "GPT-5", Available: false},
	}
}

type fakeBackups struct {
	mu   sync.Mutex
	list []store.BackupInfo
}

func (f *fakeBackups) List(ctx context.Context) ([]store.BackupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]store.BackupInfo(nil), f.list...), nil
}

func (f *fakeBackups) Create(ctx context.Context) (store.BackupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := store.BackupInfo{Name: fmt.Sprintf("ytsum-%d.db", len(f.list)+1), Size: 4096, CreatedAt: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)}
	f.list = append([]store.BackupInfo{b}, f.list...)
	return b, nil
}

// env is a server with fakes behind it.
type env struct {
	srv      *Server
	h        http.Handler
	jobs     *fakeJobs
	broker   *events.Broker
	lib      *fakeLibrary
	settings *fakeSettings
	logs     *syncBuffer
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newEnv builds a server; mod may change the Config.
func newEnv(tb testing.TB, mod func(*Config)) *env {
	tb.Helper()
	b := events.New(events.Options{})
	e := &env{broker: b, jobs: newFakeJobs(b), lib: newFakeLibrary(25), settings: &fakeSettings{token: "tok-" + strings.Repeat("s3cr3t", 4)},
		logs: &syncBuffer{}}
	cfg := Config{Version: "1.2.3", Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		APIToken: e.settings.apiToken}
	if mod != nil {
		mod(&cfg)
	}
	e.srv = New(cfg, Services{Summarize: e.jobs, Jobs: e.jobs, Events: b, Library: e.lib, Thumbnails: e.lib, Files: e.lib,
		Speech: fakeSpeech{}, AudioCache: fakeSpeech{}, Settings: e.settings,
		Models: fakeModels{}, Backups: &fakeBackups{}})
	e.h = e.srv.Handler()
	return e
}

// do sends a request through the handler as a local client would.
func (e *env) do(method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	r.Host = "127.0.0.1:5001"
	r.RemoteAddr = "127.0.0.1:40000"
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			r.Host = hdr[i+1]
			continue
		}
		if hdr[i] == "RemoteAddr" {
			r.RemoteAddr = hdr[i+1]
			continue
		}
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// mustJSON decodes a JSON body into a generic value.
func mustJSON(tb testing.TB, b []byte) any {
	tb.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("body is not JSON: %v: %q", err, b)
	}
	return v
}

// newHostRequest is a GET with Host host from a loopback client.
func newHostRequest(host string) *http.Request {
	r := httptest.NewRequest("GET", "/api_status", nil)
	r.Host = host
	return r
}
