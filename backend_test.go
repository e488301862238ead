package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"ytsum/backend/youtube"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// memKeyring is an in-memory keychain.Provider.
type memKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *memKeyring) Set(service, user, password string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[service+"\x00"+user] = password
	return nil
}

func (k *memKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[service+"\x00"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *memKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[service+"\x00"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.m, service+"\x00"+user)
	return nil
}

// rig is one opening of the services on a data dir, with the fake YouTube.
type rig struct {
	t    *testing.T
	svc  *Backend
	http *httptest.Server
	logs *syncBuffer
}

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

// env returns a Getenv that sees only the data dir, the fakes and
// unreachable LLM/TTS endpoints (no API keys: the local model summarizes).
func env(dataDir string, yt *youtubetest.Server) func(string) (string, bool) {
	m := map[string]string{
		"YTSUM_DATA_DIR":       dataDir,
		"YTSUM_YOUTUBE_URL":    yt.URL,
		"YTSUM_THUMBNAIL_URL":  yt.URL,
		"YTSUM_GEMINI_URL":     "http://127.0.0.1:9",
		"YTSUM_OPENAI_URL":     "http://127.0.0.1:9",
		"YTSUM_TTS_URL":        "http://127.0.0.1:9",
		"TRANSCRIPT_LANGUAGES": "en",
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func openRig(t *testing.T, dataDir string, yt *youtubetest.Server, kc *memKeyring) *rig {
	t.Helper()
	return openRigWith(t, dataDir, yt, kc, nil)
}

// openRigWith is openRig whose YouTube client options adjust may change.
func openRigWith(t *testing.T, dataDir string, yt *youtubetest.Server, kc *memKeyring, adjust func(*youtube.Options)) *rig {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := openBackend(ctx, backendOptions{localWellKnown: noLocalServers, Version: "test", Stderr: logs, Getenv: env(dataDir, yt), Keychain: kc,
		youtubePacing:  func() time.Duration { return 0 }, // the fake needs no politeness
		youtubeOptions: adjust})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	r := &rig{t: t, svc: svc, logs: logs, http: httptest.NewServer(svc.Handler())}
	t.Cleanup(r.close)
	return r
}

func (r *rig) close() {
	if r.svc == nil {
		return
	}
	r.http.Close()
	if err := r.svc.Close(); err != nil {
		r.t.Errorf("Close: %v", err)
	}
	r.svc = nil
	if r.t.Failed() {
		r.t.Logf("service log:\n%s", r.logs.String())
	}
}

// do sends a request and returns the status, content type and body.
func (r *rig) do(method, path string, body any) (int, string, []byte) {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, r.http.URL+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func (r *rig) mustJSON(method, path string, body any, want int, out any) {
	r.t.Helper()
	code, _, b := r.do(method, path, body)
	if code != want {
		r.t.Fatalf("%s %s: %d %s (want %d)", method, path, code, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			r.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// stream reads /jobs/{id}/stream until the terminal message and returns
// every job message, checking that ids increase.
func (r *rig) stream(id string, deadline time.Duration) []ytsum.Job {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.http.URL+"/jobs/"+id+"/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("stream: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		r.t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var (
		jobs   []ytsum.Job
		lastID = int64(-1)
		msgID  string
		event  string
		data   []string
	)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id:"):
			msgID = strings.TrimSpace(strings.TrimPrefix(line, "id:"))
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		case line == "":
			payload := strings.Join(data, "\n")
			ev, mid := event, msgID
			msgID, event, data = "", "", nil
			if payload == "" || ev != "" || strings.Contains(payload, `"type":"heartbeat"`) {
				continue // summary_delta and heartbeats
			}
			n, err := strconv.ParseInt(mid, 10, 64)
			if err != nil || n <= lastID {
				r.t.Errorf("message id %q after %d: want increasing numbers", mid, lastID)
			}
			lastID = n
			var j ytsum.Job
			if err := json.Unmarshal([]byte(payload), &j); err != nil {
				r.t.Fatalf("stream message: %v in %s", err, payload)
			}
			jobs = append(jobs, j)
			if j.Status.Terminal() {
				return jobs
			}
		}
	}
	r.t.Fatalf("stream ended before a terminal message (%d messages, err %v)", len(jobs), sc.Err())
	return nil
}

func videoIDs(rs []ytsum.Result) []string {
	var ids []string
	for _, x := range rs {
		ids = append(ids, x.VideoID)
	}
	return ids
}

func TestPipelineThroughTheHTTPAPI(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	dir := t.TempDir()
	kc := &memKeyring{}
	r := openRig(t, dir, yt, kc)

	// Submit a playlist and follow its stream to the end.
	var acc struct {
		JobID     string `json:"job_id"`
		Status    string `json:"status"`
		StreamURL string `json:"stream_url"`
	}
	r.mustJSON("POST", "/summarize_async", map[string]any{"urls": []string{youtubetest.PlaylistURL(youtubetest.PlaylistID)}}, 202, &acc)
	if acc.JobID == "" || acc.Status != "accepted" || acc.StreamURL != "/jobs/"+acc.JobID+"/stream" {
		t.Fatalf("accepted: %+v", acc)
	}
	msgs := r.stream(acc.JobID, 90*time.Second)
	last := msgs[len(msgs)-1]
	const total = 4 // three videos and the private entry
	if last.Status != ytsum.JobCompleted || last.Progress != total || last.TotalItems != total {
		t.Fatalf("final job: status %s progress %d/%d error %v", last.Status, last.Progress, last.TotalItems, last.Error)
	}
	for i := 1; i < len(msgs); i++ {
		if msgs[i].Progress < msgs[i-1].Progress {
			t.Errorf("progress went back: %d then %d", msgs[i-1].Progress, msgs[i].Progress)
		}
	}
	if len(last.Results) != 1 || last.Results[0].Type != ytsum.ResultPlaylist || len(last.Results[0].Summaries) != total {
		t.Fatalf("results: %+v", last.Results)
	}
	ok, failed := 0, 0
	for _, v := range last.Results[0].Summaries {
		switch {
		case v.Summary != nil && v.Error == nil:
			ok++
		case v.Error != nil && v.VideoID == youtubetest.PrivateVideoID:
			failed++
		default:
			t.Errorf("item %s: summary %v error %v", v.VideoID, v.Summary != nil, v.Error)
		}
	}
	if ok != 3 || failed != 1 {
		t.Errorf("%d summaries and %d failures; want 3 and 1", ok, failed)
	}
	// A reconnect after the end gets the final state at once.
	if again := r.stream(acc.JobID, 10*time.Second); again[0].Status != ytsum.JobCompleted {
		t.Errorf("reconnect: first message %s", again[0].Status)
	}

	// The library lists the three videos.
	var items []ytsum.Result
	r.mustJSON("GET", "/get_cached_summaries", nil, 200, &items)
	if got := strings.Join(videoIDs(items), ","); len(items) != 3 || !strings.Contains(got, youtubetest.PlaylistVideoIDs[0]) {
		t.Fatalf("library: %s", got)
	}

	// Search finds the distinctive word of one transcript.
	var hits []ytsum.Result
	r.mustJSON("GET", "/search_summaries?q="+youtubetest.SearchWord, nil, 200, &hits)
	if len(hits) == 0 || hits[0].VideoID != youtubetest.PlaylistVideoIDs[0] {
		t.Fatalf("search %q: %v", youtubetest.SearchWord, videoIDs(hits))
	}

	// Thumbnails are cached locally (served as JPEG) or stand in.
	for _, id := range youtubetest.PlaylistVideoIDs {
		code, ct, _ := r.do("GET", "/thumbnails/"+id, nil)
		if code != 200 || !strings.HasPrefix(ct, "image/") {
			t.Errorf("thumbnail %s: %d %s", id, code, ct)
		}
	}

	target := youtubetest.PlaylistVideoIDs[0]
	spoke := false
	t.Run("speak", func(t *testing.T) {
		if _, err := exec.LookPath("espeak-ng"); err != nil {
			if _, err := exec.LookPath("espeak"); err != nil {
				t.Skip("no offline voice (espeak-ng) on this machine")
			}
		}
		code, ct, b := r.do("POST", "/speak", map[string]any{"video_id": target})
		if code != 200 || ct != "audio/mpeg" || len(b) < 1000 {
			t.Fatalf("speak: %d %s, %d bytes: %.200s", code, ct, len(b), b)
		}
		var st struct {
			TotalFiles int `json:"total_files"`
		}
		r.mustJSON("GET", "/api/cache/status", nil, 200, &st)
		if st.TotalFiles < 1 {
			t.Fatalf("audio cache holds %d files after speaking", st.TotalFiles)
		}
		spoke = true
	})

	// Delete removes the summary, its index entry and its audio.
	var del struct {
		Success bool `json:"success"`
	}
	r.mustJSON("DELETE", "/delete_summary", map[string]any{"video_id": target}, 200, &del)
	r.mustJSON("GET", "/get_cached_summaries", nil, 200, &items)
	if len(items) != 2 || strings.Contains(strings.Join(videoIDs(items), ","), target) {
		t.Errorf("library after delete: %v", videoIDs(items))
	}
	r.mustJSON("GET", "/search_summaries?q="+youtubetest.SearchWord, nil, 200, &hits)
	if len(hits) != 0 {
		t.Errorf("search after delete: %v", videoIDs(hits))
	}
	if spoke {
		var st struct {
			TotalFiles int `json:"total_files"`
		}
		r.mustJSON("GET", "/api/cache/status", nil, 200, &st)
		if st.TotalFiles != 0 {
			t.Errorf("audio cache holds %d files after the delete", st.TotalFiles)
		}
	}
	code, _, _ := r.do("DELETE", "/delete_summary", map[string]any{"video_id": target})
	if code != 404 {
		t.Errorf("second delete: %d, want 404", code)
	}

	// Restart on the same data dir: the library and the finished job stay.
	r.close()
	r2 := openRig(t, dir, yt, kc)
	r2.mustJSON("GET", "/get_cached_summaries", nil, 200, &items)
	if len(items) != 2 {
		t.Errorf("library after restart: %v", videoIDs(items))
	}
	var j ytsum.Job
	r2.mustJSON("GET", "/jobs/"+acc.JobID, nil, 200, &j)
	if j.Status != ytsum.JobCompleted || j.Progress != total || len(j.Results) != 1 {
		t.Errorf("job after restart: %s %d/%d", j.Status, j.Progress, j.TotalItems)
	}
	r2.mustJSON("GET", "/search_summaries?q=zeppelin", nil, 200, &hits)
	if len(hits) == 0 || hits[0].VideoID != youtubetest.PlaylistVideoIDs[1] {
		t.Errorf("search after restart: %v", videoIDs(hits))
	}
}

func TestCancelStopsASlowJob(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	var acc struct {
		JobID string `json:"job_id"`
	}
	r.mustJSON("POST", "/summarize_async", map[string]any{"urls": []string{youtubetest.WatchURL(youtubetest.SlowVideoID)}}, 202, &acc)
	// Wait until YouTube has been asked (the job is running), then cancel.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := yt.WaitHits(ctx, "/watch", 1); err != nil {
		t.Fatalf("the job never reached YouTube: %v", err)
	}
	start := time.Now()
	var c struct {
		Job ytsum.Job `json:"job"`
	}
	r.mustJSON("POST", "/jobs/"+acc.JobID+"/cancel", nil, 200, &c)
	msgs := r.stream(acc.JobID, 10*time.Second)
	if st := msgs[len(msgs)-1].Status; st != ytsum.JobCancelled {
		t.Fatalf("status after cancel: %s", st)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancel took %v", d)
	}
	code, _, _ := r.do("POST", "/jobs/"+acc.JobID+"/cancel", nil)
	if code != 409 {
		t.Errorf("second cancel: %d, want 409", code)
	}
}

func TestSummarizeCLIExitCodes(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	tests := []struct {
		name  string
		urls  []string
		code  int
		types []string
	}{
		{"all ok", []string{youtubetest.WatchURL(youtubetest.VideoID), youtubetest.WatchURL(youtubetest.RealVideoID)}, 0,
			[]string{"video", "video"}},
		{"one bad link", []string{youtubetest.WatchURL(youtubetest.VideoID), "https://example.com/not-youtube"}, 1,
			[]string{"video", "error"}},
		{"unavailable video", []string{youtubetest.WatchURL("unknownVid1")}, 1, []string{"video"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			code := r.svc.SummarizeCLI(ctx, CLIRequest{URLs: tc.urls, JSON: true}, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			var items []ytsum.Result
			if err := json.Unmarshal(stdout.Bytes(), &items); err != nil {
				t.Fatalf("stdout is not a JSON array: %v\n%s", err, stdout.String())
			}
			var types []string
			for _, it := range items {
				types = append(types, it.Type)
			}
			if strings.Join(types, ",") != strings.Join(tc.types, ",") {
				t.Errorf("result types %v, want %v", types, tc.types)
			}
			if tc.code == 0 {
				for _, it := range items {
					if it.Summary == nil || it.Error != nil {
						t.Errorf("%s: summary %v error %v", it.VideoID, it.Summary != nil, it.Error)
					}
				}
			}
		})
	}
}

// noLocalServers turns off the probes of the well-known local LLM ports
// (Ollama 11434, LM Studio 1234, llama.cpp 8080) in test backends: a server
// running on the developer's machine (or another test process's fake) would
// otherwise become the automatic model. The settings-reader rig keeps them:
// it observes local_discovery on those ports.
var noLocalServers = map[string]string{"ollama": "", "lmstudio": "", "llamacpp": ""}
