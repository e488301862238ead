package main

// Every setting has a reader: the test goes through config's field table
// and, for each setting, changes it and asserts a difference the user (or
// a client) can observe. A setting read only at start is changed, the
// backend restarted, and then observed. A field with no probe here fails
// the test, so a new setting cannot land without its reader.
//
// Limits (concurrency, workers, heartbeats) are observed against fakes
// that hold requests: the side the limit lets through is seen at once;
// the side it holds back is "not seen within 2–3 s", a bounded wait of
// a few seconds, never a timing assertion.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ytsum/backend/config"
	"ytsum/backend/httpapi"
	"ytsum/backend/keychain"
	"ytsum/backend/summarize"
	"ytsum/backend/summarize/llmfake"
	"ytsum/backend/tts"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// fakeLLMHost answers the model listings of Gemini (/v1beta/models) and of
// an OpenAI-compatible server (/v1/models) and counts the requests it gets.
type fakeLLMHost struct {
	*httptest.Server
	hits atomic.Int64
}

func newFakeLLMHost(t *testing.T) *fakeLLMHost {
	f := &fakeLLMHost{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/v1/models"):
			fmt.Fprint(w, `{"object":"list","data":[{"id":"fake-chat","object":"model","owned_by":"me"}]}`)
		case strings.Contains(r.URL.Path, "/models"):
			fmt.Fprint(w, `{"models":[{"name":"models/gemini-2.5-flash","inputTokenLimit":1048576,"outputTokenLimit":65536,`+
				`"supportedGenerationMethods":["generateContent"]},{"name":"models/gemini-2.5-pro","inputTokenLimit":1048576,`+
				`"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent"]}]}`)
		default:
			http.Error(w, `{"error":{"code":404,"message":"not here","status":"NOT_FOUND"}}`, http.StatusNotFound)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// readerEnv is the rig's environment without the LLM base URLs, so that
// the base-URL settings are the user's to change (the fakes are set as
// settings before anything is asked).
func readerEnv(dataDir string, yt *youtubetest.Server) func(string) (string, bool) {
	base := env(dataDir, yt)
	return func(k string) (string, bool) {
		if k == "YTSUM_GEMINI_URL" || k == "YTSUM_OPENAI_URL" {
			return "", false
		}
		return base(k)
	}
}

func openReaderRig(t *testing.T, dataDir string, yt *youtubetest.Server, kc keychain.Provider) *rig {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := openBackend(ctx, backendOptions{Version: "test", Stderr: logs, Getenv: readerEnv(dataDir, yt), Keychain: kc})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	r := &rig{t: t, svc: svc, logs: logs, http: httptest.NewServer(svc.Handler())}
	t.Cleanup(r.close)
	return r
}

// readerProbe changes one setting and observes it.
type readerProbe struct {
	// value is what the setting is changed to (JSON value).
	value any
	// pre is applied before the first observation (and stays).
	pre map[string]any
	// catalogue, when set, is served by a fake YouTube of the probe's own
	// (the probe changes what it serves, or needs slow videos of its own).
	catalogue func() youtubetest.Catalogue
	// noKeychain opens the backend with a keychain that refuses every call
	// (and sets no API key before the probe).
	noKeychain bool
	// setup runs once on the first opening, after pre is applied and
	// before any restart (e.g. to leave a finished job behind).
	setup func(t *testing.T, r *rig, f *readerFixture)
	// observe returns what a user or client sees that depends on the setting.
	observe func(t *testing.T, r *rig, env *readerFixture) string
}

type readerFixture struct {
	gem, oai, other *fakeLLMHost
	// block is a fake LLM host (Gemini and OpenAI-compatible wire formats)
	// that holds every generation call until released and counts them.
	block *blockingLLM
	// wellKnown is the address of a fake LLM server on a port discovery
	// looks at by itself (LM Studio's, llama.cpp's or Ollama's), "" when
	// none of them is free.
	wellKnown string
	// yt is the fake YouTube the backend talks to; dir its data folder.
	yt  *youtubetest.Server
	dir string
	// n counts observations (probes pick a fresh video each time, so that
	// the YouTube cache does not answer the second one).
	n int
	// jobID is what a probe's setup leaves for its observations.
	jobID string
}

// listenWellKnown serves the fake's handler on the first free port of the
// usual local LLM servers.
func listenWellKnown(t *testing.T, h http.Handler) string {
	for _, addr := range []string{"127.0.0.1:1234", "127.0.0.1:8080"} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		srv := &http.Server{Handler: h}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return addr
	}
	return ""
}

func apiStatusField(name string) func(t *testing.T, r *rig, _ *readerFixture) string {
	return func(t *testing.T, r *rig, _ *readerFixture) string {
		var st map[string]json.RawMessage
		code, _, b := r.do("GET", "/api_status", nil)
		if code != 200 {
			return fmt.Sprintf("status %d", code)
		}
		if err := json.Unmarshal(b, &st); err != nil {
			t.Fatalf("api_status: %v", err)
		}
		return string(st[name])
	}
}

// resolved is what a request without options gets (every door goes through
// the job engine's Resolve).
func resolved(model string, pick func(ytsum.SummaryOptions) string) func(t *testing.T, r *rig, _ *readerFixture) string {
	return func(t *testing.T, r *rig, _ *readerFixture) string {
		o, err := r.svc.sum.Resolve(t.Context(), ytsum.SummaryOptions{Model: model})
		if err != nil {
			return "error: " + ytsum.ErrorKind(err)
		}
		return pick(o)
	}
}

// listingHits counts the model-listing requests a fake gets when the
// model list is asked for.
func listingHits(host func(*readerFixture) *fakeLLMHost) func(t *testing.T, r *rig, f *readerFixture) string {
	return func(t *testing.T, r *rig, f *readerFixture) string {
		h := host(f)
		before := h.hits.Load()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r.svc.sum.Models(ctx)
		if h.hits.Load() > before {
			return "asked"
		}
		return "not asked"
	}
}

func readerProbes() map[string]readerProbe {
	voice := ""
	for _, v := range tts.Catalogue() {
		if v.Name != tts.DefaultVoice && strings.HasPrefix(v.Name, "en-") {
			voice = v.Name
			break
		}
	}
	return map[string]readerProbe{
		"default_model":   {value: "gemini-2.5-pro", observe: apiStatusField("default_model")},
		"openai_base_url": {value: "OTHER/v1", observe: listingHits(func(f *readerFixture) *fakeLLMHost { return f.other })},
		"gemini_base_url": {value: "OTHER", observe: listingHits(func(f *readerFixture) *fakeLLMHost { return f.other })},
		"local_discovery": {value: false,
			observe: func(t *testing.T, r *rig, f *readerFixture) string {
				if f.wellKnown == "" {
					t.Skip("no well-known local LLM port (1234, 8080, 11434) is free on this machine")
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				r.svc.sum.Discover(ctx)
				var ids []string
				for _, s := range r.svc.sum.Servers() {
					ids = append(ids, s.ID)
				}
				return strings.Join(ids, ",")
			}},
		"local_servers": {value: []string{"OTHERHOST"}, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var keys []string
			for _, m := range r.svc.sum.Models(ctx) {
				if m.Available && strings.HasSuffix(m.Key, "/fake-chat") {
					keys = append(keys, m.DisplayName)
				}
			}
			return strings.Join(keys, ",")
		}},
		"default_style":   {value: "key_points", observe: resolved("local", func(o ytsum.SummaryOptions) string { return o.Style })},
		"default_length":  {value: "long", observe: resolved("local", func(o ytsum.SummaryOptions) string { return o.Length })},
		"output_language": {value: "de", observe: resolved("gemini-2.5-flash", func(o ytsum.SummaryOptions) string { return o.Language })},
		"custom_prompt": {value: "Summarize {{.Title}} in three lines.", observe: func(t *testing.T, r *rig, _ *readerFixture) string {
			_, err := r.svc.sum.Resolve(t.Context(), ytsum.SummaryOptions{Model: "gemini-2.5-flash", Style: summarize.StyleCustom})
			return ytsum.ErrorKind(err)
		}},
		"gemini_video_fallback": {value: "off", observe: func(t *testing.T, r *rig, _ *readerFixture) string {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			o, err := r.svc.sum.Resolve(ctx, ytsum.SummaryOptions{Model: "gemini-2.5-flash"})
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			_, err = r.svc.sum.Summarize(ctx, summarize.Input{Video: ytsum.Video{ID: "dQw4w9WgXcQ", DurationSeconds: 60}, Options: o}, nil)
			return ytsum.ErrorKind(err)
		}},
		"async_processing": {value: false, observe: apiStatusField("async_processing_enabled")},
		"sse_enabled": {value: false, observe: func(t *testing.T, r *rig, _ *readerFixture) string {
			code, _, b := r.do("GET", "/jobs/nope/stream", nil)
			return fmt.Sprintf("%d %s", code, b)
		}},
		"tts_voice": {value: voice, observe: func(t *testing.T, r *rig, _ *readerFixture) string {
			var v struct {
				Current string `json:"current_voice"`
			}
			r.mustJSON("GET", "/api/voices", nil, 200, &v)
			return v.Current
		}},
		"audio_cache_max_mb":    {value: 7, observe: cacheStatus("max_size_mb")},
		"audio_cache_max_files": {value: 7, observe: cacheStatus("max_files")},
		"audio_cache_ttl_hours": {value: 7, observe: cacheStatus("ttl_hours")},
		"http_enabled": {value: true, observe: func(t *testing.T, r *rig, _ *readerFixture) string {
			return r.svc.DesktopHTTPAddress("")
		}},
		"http_address": {value: "127.0.0.1:18123", pre: map[string]any{"http_enabled": true},
			observe: func(t *testing.T, r *rig, _ *readerFixture) string { return r.svc.DesktopHTTPAddress("") }},
		"allowed_hosts": {value: []string{"box.lan"}, observe: func(t *testing.T, r *rig, _ *readerFixture) string {
			req, _ := http.NewRequest("GET", r.http.URL+"/api_status", nil)
			req.Host = "box.lan"
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.Status
		}},
		"login_enabled": {value: true, pre: map[string]any{"login_passcode": "a-long-passcode-42"},
			observe: func(t *testing.T, r *rig, _ *readerFixture) string {
				code, _, _ := r.do("GET", "/get_cached_summaries", nil)
				return fmt.Sprint(code)
			}},
		"theme": {value: "dark", observe: apiStatusField("theme")},
		"playlist_mode": {value: "prefer_playlist", observe: func(t *testing.T, r *rig, _ *readerFixture) string {
			var out struct {
				Results []struct {
					Type string `json:"type"`
				} `json:"results"`
			}
			link := youtubetest.WatchURL(youtubetest.VideoID) + "&list=" + youtubetest.PlaylistID
			r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{link}, "model": "local", "force_sync": true}, 200, &out)
			if len(out.Results) == 0 {
				return "no result"
			}
			return out.Results[0].Type
		}},
		"max_login_attempts": {value: 1, pre: map[string]any{"login_passcode": "a-long-passcode-42", "login_enabled": true},
			observe: func(t *testing.T, r *rig, _ *readerFixture) string {
				code, _, _ := r.do("POST", "/login", map[string]any{"passcode": "wrong-passcode"})
				return fmt.Sprint(code)
			}},
	}
}

func cacheStatus(name string) func(t *testing.T, r *rig, _ *readerFixture) string {
	return func(t *testing.T, r *rig, _ *readerFixture) string {
		var st struct {
			Config map[string]json.RawMessage `json:"config"`
		}
		r.mustJSON("GET", "/api/cache/status", nil, 200, &st)
		return string(st.Config[name])
	}
}

func TestEverySettingHasAReader(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	f := &readerFixture{gem: newFakeLLMHost(t), oai: newFakeLLMHost(t), other: newFakeLLMHost(t)}
	f.wellKnown = listenWellKnown(t, f.other.Config.Handler)
	probes := readerProbes()
	for k, p := range moreReaderProbes() {
		probes[k] = p
	}
	for _, fs := range config.Schema() {
		if fs.Type == "secret" || strings.HasSuffix(fs.Key, "_api_key") || fs.Key == config.SecretTTSCredentials || fs.Key == config.SecretLoginPasscode {
			continue // secrets have their own tests (config, keychain)
		}
		p, ok := probes[fs.Key]
		if !ok {
			t.Errorf("setting %q has no reader probe: make something read it and observe it here, or remove it", fs.Key)
			continue
		}
		t.Run(fs.Key, func(t *testing.T) {
			f := &readerFixture{gem: f.gem, oai: f.oai, other: newFakeLLMHost(t), block: newBlockingLLM(t), wellKnown: f.wellKnown, yt: yt}
			if p.catalogue != nil {
				f.yt = youtubetest.MustStart(t, p.catalogue())
			}
			otherHost := strings.TrimPrefix(f.other.URL, "http://")
			var subst func(v any) any
			subst = func(v any) any {
				switch x := v.(type) {
				case string:
					x = strings.ReplaceAll(x, "BLOCKHOST", strings.TrimPrefix(f.block.URL, "http://"))
					x = strings.ReplaceAll(x, "BLOCK", f.block.URL)
					x = strings.ReplaceAll(x, "OTHERHOST", otherHost)
					return strings.ReplaceAll(x, "OTHER", f.other.URL)
				case []string:
					out := make([]string, len(x))
					for i, s := range x {
						out[i] = subst(s).(string)
					}
					return out
				}
				return v
			}
			f.dir = t.TempDir()
			var kc keychain.Provider = &memKeyring{}
			base := map[string]any{"gemini_base_url": f.gem.URL, "openai_base_url": f.oai.URL + "/v1",
				"gemini_api_key": "AIzaFakeKeyForTests0123456789"}
			if p.noKeychain {
				kc = refusingKeyring{}
				delete(base, "gemini_api_key")
			}
			r := openReaderRig(t, f.dir, f.yt, kc)
			for k, v := range p.pre {
				base[k] = subst(v)
			}
			if _, err := r.svc.cfg.ApplyTrusted(context.Background(), readerJSON(t, base)); err != nil {
				t.Fatalf("setup: %v", err)
			}
			if p.setup != nil {
				p.setup(t, r, f)
			}
			if fs.Restart {
				r.close()
				r = openReaderRig(t, f.dir, f.yt, kc)
			}
			before := p.observe(t, r, f)
			f.n++
			patch := map[string]any{fs.Key: subst(p.value)}
			if fs.Key == "gemini_base_url" {
				patch["gemini_api_key"] = "AIzaFakeKeyForTests0123456789"
			}
			if _, err := r.svc.cfg.ApplyTrusted(context.Background(), readerJSON(t, patch)); err != nil {
				t.Fatalf("change %s: %v", fs.Key, err)
			}
			if fs.Restart {
				r.close()
				r = openReaderRig(t, f.dir, f.yt, kc)
			}
			after := p.observe(t, r, f)
			if before == after {
				t.Errorf("%s changed to %v: nothing observable changed (%q both times)", fs.Key, p.value, before)
			} else {
				t.Logf("%s: %q → %q", fs.Key, before, after)
			}
		})
	}
}

func readerJSON(t *testing.T, v any) config.Patch {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p, err := config.ParsePatch(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// blockingLLM is a fake LLM host (llmfake's Gemini and OpenAI-compatible
// wire formats) that, while held, keeps every generation call waiting
// until released, and records how many were in flight at once.
type blockingLLM struct {
	*httptest.Server
	mu       sync.Mutex
	gate     chan struct{} // closed: calls pass
	inflight int
	max      int
	calls    int
	changed  chan struct{} // closed and replaced on every change
}

func newBlockingLLM(t *testing.T) *blockingLLM {
	b := &blockingLLM{gate: make(chan struct{}), changed: make(chan struct{})}
	close(b.gate)
	inner := llmfake.Handler()
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !(strings.Contains(r.URL.Path, "enerateContent") || strings.HasSuffix(r.URL.Path, "/chat/completions")) {
			inner.ServeHTTP(w, r)
			return
		}
		b.mu.Lock()
		b.inflight++
		b.calls++
		b.max = max(b.max, b.inflight)
		gate := b.gate
		b.signalLocked()
		b.mu.Unlock()
		defer func() {
			b.mu.Lock()
			b.inflight--
			b.signalLocked()
			b.mu.Unlock()
		}()
		select {
		case <-gate:
			inner.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *blockingLLM) signalLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// hold makes the next calls wait until release; it resets the maximum.
func (b *blockingLLM) hold() {
	b.mu.Lock()
	b.gate, b.max = make(chan struct{}), b.inflight
	b.mu.Unlock()
}

func (b *blockingLLM) release() {
	b.mu.Lock()
	select {
	case <-b.gate:
	default:
		close(b.gate)
	}
	b.mu.Unlock()
}

// waitMax waits until n calls were in flight at once, or d passed (the
// limit then held them back), and returns the most seen at once.
func (b *blockingLLM) waitMax(n int, d time.Duration) int {
	deadline := time.After(d)
	for {
		b.mu.Lock()
		got, ch := b.max, b.changed
		b.mu.Unlock()
		if got >= n {
			return got
		}
		select {
		case <-ch:
		case <-deadline:
			return got
		}
	}
}

func (b *blockingLLM) callCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

// refusingKeyring is an OS keychain that is not there (no Secret Service).
type refusingKeyring struct{}

var errNoKeychain = errors.New("The name org.freedesktop.secrets was not provided by any .service files")

func (refusingKeyring) Set(service, user, password string) error { return errNoKeychain }
func (refusingKeyring) Get(service, user string) (string, error) { return "", errNoKeychain }
func (refusingKeyring) Delete(service, user string) error        { return errNoKeychain }

// slowCatalogue is the default catalogue with a second slow video.
func slowCatalogue() youtubetest.Catalogue {
	c := youtubetest.DefaultCatalogue()
	c.Videos = append(c.Videos, youtubetest.Video{ID: slowVideo2, Title: "Another Slow Video", Channel: "Patience Channel",
		DurationSeconds: 3600, Delay: youtubetest.SlowDelay, Lines: []string{"Nobody should read this either."}})
	return c
}

const slowVideo2 = "slowVideo02"

var slowVideos = []string{youtubetest.SlowVideoID, slowVideo2}

// waitInFlight waits until the fake holds n requests at once or d passed
// (a limit then held the others back: d bounds what "not let through"
// means), and returns how many it holds.
func waitInFlight(yt *youtubetest.Server, n int, d time.Duration) int {
	deadline := time.Now().Add(d)
	for {
		got := yt.InFlight()
		if got >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// submitAsync submits an async job for video id (the local model) and
// returns the answer's status code and job id.
func submitAsync(t *testing.T, r *rig, id string) (int, string) {
	code, _, b := r.do("POST", "/summarize", map[string]any{"urls": []string{youtubetest.WatchURL(id)}, "model": "local", "force_async": true})
	var a struct {
		JobID string `json:"job_id"`
	}
	if code == http.StatusAccepted {
		if err := json.Unmarshal(b, &a); err != nil || a.JobID == "" {
			t.Fatalf("summarize: %s (%v)", b, err)
		}
	}
	return code, a.JobID
}

// cancelJobs cancels the jobs and waits until each has ended.
func cancelJobs(t *testing.T, r *rig, ids []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, id := range ids {
		if id == "" {
			continue
		}
		r.do("POST", "/jobs/"+id+"/cancel", nil)
		if _, err := r.svc.engine.Wait(ctx, id); err != nil {
			t.Fatalf("wait for cancelled job %s: %v", id, err)
		}
	}
}

// llmConcurrency summarizes two videos at once with model against the
// blocking fake and reports how many calls it had in flight at once.
func llmConcurrency(model string) func(t *testing.T, r *rig, f *readerFixture) string {
	return func(t *testing.T, r *rig, f *readerFixture) string {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		o, err := r.svc.sum.Resolve(ctx, ytsum.SummaryOptions{Model: model})
		if err != nil {
			t.Fatalf("Resolve %s: %v", model, err)
		}
		f.block.hold()
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() {
				id := fmt.Sprintf("readerVid%02d", i)
				tr := &ytsum.Transcript{VideoID: id, Language: "en", Kind: ytsum.TranscriptManual, Source: "innertube",
					Segments: []ytsum.Segment{{Start: 0, Duration: 4, Text: "A lighthouse keeper lit the lamp every evening by hand."}}}
				_, errs[i] = r.svc.sum.Summarize(ctx, summarize.Input{Video: ytsum.Video{ID: id, Title: "Lighthouses", DurationSeconds: 60},
					Transcript: tr, Options: o}, nil)
			})
		}
		got := f.block.waitMax(2, 2*time.Second)
		f.block.release()
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("summarize with %s: %v", model, err)
			}
		}
		return fmt.Sprintf("%d calls at once", got)
	}
}

// longTranscript is about 1,500 tokens of captions.
func longTranscript(id string) *ytsum.Transcript {
	tr := &ytsum.Transcript{VideoID: id, Language: "en", Kind: ytsum.TranscriptManual, Source: "innertube"}
	for i := range 150 {
		tr.Segments = append(tr.Segments, ytsum.Segment{Start: float64(4 * i), Duration: 4,
			Text: fmt.Sprintf("Sentence %d: the keeper climbs the tower, trims the wick and lights the great lamp again.", i)})
	}
	return tr
}

func moreReaderProbes() map[string]readerProbe {
	return map[string]readerProbe{
		// The caption track the YouTube client picks (the fake's player
		// answer has en, de, es… tracks).
		"transcript_languages": {value: []string{"de"}, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			since := len(f.yt.Requests())
			// A video not fetched before: a cached transcript is reused
			// whatever its language when it was the video's best.
			tr, err := r.svc.yt.Transcript(ctx, youtubetest.PlaylistVideoIDs[f.n], nil)
			if err != nil {
				t.Fatalf("Transcript: %v", err)
			}
			var asked []string
			for _, q := range f.yt.Requests()[since:] {
				if strings.HasPrefix(q, "GET /api/timedtext") {
					u, _ := url.Parse(strings.TrimPrefix(q, "GET "))
					asked = append(asked, u.Query().Get("lang"))
				}
			}
			return fmt.Sprintf("track %s (timedtext lang=%s)", tr.Language, strings.Join(asked, ","))
		}},
		// Which innertube client (by its API key) the fake's /player sees.
		"youtube_clients": {value: `[{"name":"ANDROID","id":3,"version":"20.10.38","user_agent":"com.google.android.youtube/20.10.38 (Linux; U; Android 11) gzip","api_key":"readerProbeKey"}]`,
			observe: func(t *testing.T, r *rig, f *readerFixture) string {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				since := len(f.yt.Requests())
				id := youtubetest.PlaylistVideoIDs[f.n] // a video not fetched before (no cache)
				if _, err := r.svc.yt.Transcript(ctx, id, nil); err != nil {
					t.Fatalf("Transcript: %v", err)
				}
				var keys []string
				for _, q := range f.yt.Requests()[since:] {
					if strings.HasPrefix(q, "POST /youtubei/v1/player") {
						u, _ := url.Parse(strings.TrimPrefix(q, "POST "))
						keys = append(keys, u.Query().Get("key"))
					}
				}
				return "player key=" + strings.Join(keys, ",")
			}},
		// The least gap between two requests to the fake (loosely: over or
		// under 1.2 s; the setting goes from 250 ms to 2 s).
		"youtube_pacing_ms": {value: 2000, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, _, err := r.svc.yt.Get(ctx, r.svc.yt.ThumbnailURL(youtubetest.PlaylistVideoIDs[0])); err != nil {
				t.Fatalf("thumbnail: %v", err)
			}
			start := time.Now()
			if _, _, err := r.svc.yt.Get(ctx, r.svc.yt.ThumbnailURL(youtubetest.PlaylistVideoIDs[1])); err != nil {
				t.Fatalf("thumbnail: %v", err)
			}
			if time.Since(start) >= 1200*time.Millisecond {
				return "second request ≥ 1.2 s after the first"
			}
			return "second request < 1.2 s after the first"
		}},
		// How many of the channel's newest videos a channel link lists.
		"channel_video_limit": {value: 2, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			// Through the door a user uses: a channel link summarized.
			var out struct {
				Results []ytsum.Result `json:"results"`
			}
			r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{youtubetest.ChannelURL(youtubetest.ChannelHandle)},
				"model": "local", "force_sync": true}, 200, &out)
			if len(out.Results) != 1 || out.Results[0].Type != ytsum.ResultChannel {
				t.Fatalf("channel link summarized as %+v", out.Results)
			}
			return fmt.Sprintf("%d videos", len(out.Results[0].Summaries))
		}},
		// A fake yt-dlp on PATH is run for a video without captions, or not.
		"ytdlp_fallback": {value: true,
			catalogue: func() youtubetest.Catalogue {
				c := youtubetest.DefaultCatalogue()
				c.Videos = append(c.Videos, youtubetest.Video{ID: "noCaptions1", Title: "Silent Film", Channel: "Quiet", DurationSeconds: 90})
				return c
			},
			setup: func(t *testing.T, r *rig, f *readerFixture) {
				bin := t.TempDir()
				script := "#!/bin/sh\necho run >> " + filepath.Join(f.dir, "ytdlp-runs") + "\necho 'ERROR: fake yt-dlp' >&2\nexit 1\n"
				if err := os.WriteFile(filepath.Join(bin, "yt-dlp"), []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
				t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			},
			observe: func(t *testing.T, r *rig, f *readerFixture) string {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, err := r.svc.yt.Transcript(ctx, "noCaptions1", nil)
				b, _ := os.ReadFile(filepath.Join(f.dir, "ytdlp-runs"))
				return fmt.Sprintf("%s; yt-dlp runs: %d", ytsum.ErrorKind(err), strings.Count(string(b), "run"))
			}},
		// Two slow videos asked at once: how many reach the fake together.
		"youtube_concurrency": {value: 1, catalogue: slowCatalogue, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for _, id := range slowVideos { // their watch pages answer after a minute
				wg.Go(func() { r.svc.yt.Get(ctx, f.yt.URL+"/watch?v="+id) })
			}
			n := waitInFlight(f.yt, 2, 3*time.Second)
			cancel()
			wg.Wait()
			return fmt.Sprintf("%d requests held at once", n)
		}},
		// Two async jobs of slow videos: how many run (reach the fake) at once.
		"worker_pool_size": {value: 1, catalogue: slowCatalogue, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			var ids []string
			for _, v := range slowVideos {
				code, id := submitAsync(t, r, v)
				if code != http.StatusAccepted {
					t.Fatalf("submit %s: %d", v, code)
				}
				ids = append(ids, id)
			}
			// The first job holds its worker (its video answers after a
			// minute); the second runs only if another worker is free.
			deadline := time.Now().Add(3 * time.Second)
			var job ytsum.Job
			for {
				r.mustJSON("GET", "/jobs/"+ids[1], nil, 200, &job)
				if job.Status != ytsum.JobPending || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			cancelJobs(t, r, ids)
			return "second job " + string(job.Status)
		}},
		// A second job while one runs: accepted, or 503 (the queue is full).
		"max_concurrent_jobs": {value: 1, catalogue: slowCatalogue, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			var codes []string
			var ids []string
			for _, v := range slowVideos {
				code, id := submitAsync(t, r, v)
				codes = append(codes, fmt.Sprint(code))
				ids = append(ids, id)
			}
			cancelJobs(t, r, ids)
			return strings.Join(codes, ",")
		}},
		"gemini_concurrency": {value: 1, pre: map[string]any{"gemini_base_url": "BLOCK"}, observe: llmConcurrency("gemini-2.5-flash")},
		"openai_concurrency": {value: 1, pre: map[string]any{"openai_base_url": "BLOCK/v1", "openai_api_key": "sk-fakeKeyForTests0123456789"},
			observe: llmConcurrency("gpt-5-mini")},
		// Calls to a local server (local_servers) for one long transcript.
		"local_chunk_tokens": {value: 256, pre: map[string]any{"local_servers": []string{"BLOCKHOST"}},
			observe: func(t *testing.T, r *rig, f *readerFixture) string {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				model := ""
				for _, m := range r.svc.sum.Models(ctx) {
					if m.Available && strings.HasSuffix(m.Key, "/gpt-5-mini") && !strings.HasPrefix(m.Key, "openai") {
						model = m.Key
					}
				}
				if model == "" {
					t.Fatalf("the local server's model is not listed: %+v", r.svc.sum.Models(ctx))
				}
				o, err := r.svc.sum.Resolve(t.Context(), ytsum.SummaryOptions{Model: model})
				if err != nil {
					t.Fatalf("Resolve %s: %v", model, err)
				}
				before := f.block.callCount()
				if _, err := r.svc.sum.Summarize(ctx, summarize.Input{Video: ytsum.Video{ID: "readerLong1", Title: "Lighthouse", DurationSeconds: 600},
					Transcript: longTranscript("readerLong1"), Options: o}, nil); err != nil {
					t.Fatalf("summarize: %v", err)
				}
				return fmt.Sprintf("%d calls to the local server", f.block.callCount()-before)
			}},
		// Heartbeats on the stream of a running job within 3 s.
		"sse_heartbeat_seconds": {value: 1, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			code, id := submitAsync(t, r, youtubetest.SlowVideoID)
			if code != http.StatusAccepted {
				t.Fatalf("submit: %d", code)
			}
			defer cancelJobs(t, r, []string{id})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.http.URL+"/jobs/"+id+"/stream", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("stream: %v", err)
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if strings.Contains(sc.Text(), `"type":"heartbeat"`) {
					return "a heartbeat within 3 s"
				}
			}
			return "no heartbeat within 3 s"
		}},
		// An old finished job is purged at start, or kept.
		"job_retention_hours": {value: 1,
			setup: func(t *testing.T, r *rig, f *readerFixture) {
				var out struct {
					Results []struct{} `json:"results"`
				}
				r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{youtubetest.WatchURL(youtubetest.VideoID)}, "model": "local", "force_sync": true}, 200, &out)
				// Backdate the finished job by ten hours.
				n := 0
				err := r.svc.db.ForEachJob(func(id string, b []byte) error {
					var rec map[string]any
					if err := json.Unmarshal(b, &rec); err != nil {
						return err
					}
					job, _ := rec["job"].(map[string]any)
					if job == nil || job["completed_at"] == nil {
						return nil
					}
					old := time.Now().Add(-10 * time.Hour).UTC().Format(time.RFC3339Nano)
					for _, k := range []string{"created_at", "started_at", "completed_at", "updated_at"} {
						if _, ok := job[k]; ok {
							job[k] = old
						}
					}
					nb, _ := json.Marshal(rec)
					f.jobID = id
					n++
					return r.svc.db.PutJob(id, nb, nil)
				})
				if err != nil || n != 1 {
					t.Fatalf("backdate the job: %d jobs, %v", n, err)
				}
			},
			observe: func(t *testing.T, r *rig, f *readerFixture) string {
				code, _, _ := r.do("GET", "/jobs/"+f.jobID, nil)
				return fmt.Sprintf("GET /jobs/<10 h old job>: %d", code)
			}},
		// The lockout a failed login starts (Retry-After, in seconds).
		"lockout_minutes": {value: 2, pre: map[string]any{"login_passcode": "a-long-passcode-42", "login_enabled": true, "max_login_attempts": 1},
			observe: func(t *testing.T, r *rig, f *readerFixture) string {
				// Each observation logs in from another loopback address (the
				// first one stays locked out).
				d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(10+f.n))}}
				c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
				defer c.CloseIdleConnections()
				req, _ := http.NewRequest("POST", r.http.URL+"/login", strings.NewReader(`{"passcode":"wrong-passcode"}`))
				req.Header.Set("Content-Type", "application/json")
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.Status + " Retry-After " + resp.Header.Get("Retry-After")
			}},
		// A synchronous summary takes at least the pacing of its YouTube
		// requests (≥ 250 ms each): over 0.1 s, not over the default 30 s.
		"alert_response_seconds": {value: 0.1, observe: healthAlert("response_time", "response_time", func(t *testing.T, r *rig, f *readerFixture) {
			r.do("POST", "/summarize", map[string]any{"urls": []string{youtubetest.WatchURL(youtubetest.PlaylistVideoIDs[f.n])}, "model": "local", "force_sync": true})
		})},
		// With one job allowed and one running, a second request is
		// refused (503): one failed request of two is 50 %, over the
		// default 5 %, not over 100 %. (A request whose only video is
		// unavailable answers 200 with the error in its result, and
		// counts as a success.)
		"alert_error_rate_percent": {value: 100, pre: map[string]any{"max_concurrent_jobs": 1}, catalogue: slowCatalogue,
			observe: func(t *testing.T, r *rig, f *readerFixture) string {
				code, id := submitAsync(t, r, youtubetest.SlowVideoID)
				if code != http.StatusAccepted {
					t.Fatalf("submit: %d", code)
				}
				defer cancelJobs(t, r, []string{id})
				if code, _, b := r.do("POST", "/summarize", map[string]any{"urls": []string{youtubetest.WatchURL(youtubetest.VideoID)}, "model": "local", "force_sync": true}); code != http.StatusServiceUnavailable {
					t.Fatalf("a request over max_concurrent_jobs: %d %s", code, b)
				}
				return healthAlert("error_rate", "error_rate", nil)(t, r, f)
			}},
		// The app's own CPU and memory share is not steerable from a test:
		// the thresholds in force are what /system_health reports.
		"alert_cpu_percent":    {value: 12.5, observe: healthAlert("cpu_percent", "", nil)},
		"alert_memory_percent": {value: 12.5, observe: healthAlert("memory_percent", "", nil)},
		// One worker, three slow jobs: two wait, over 1, not over the default 50.
		"alert_queued_jobs": {value: 1, pre: map[string]any{"worker_pool_size": 1}, catalogue: func() youtubetest.Catalogue {
			c := slowCatalogue()
			c.Videos = append(c.Videos, youtubetest.Video{ID: "slowVideo03", Title: "A Third Slow Video", DurationSeconds: 3600,
				Delay: youtubetest.SlowDelay, Lines: []string{"Still loading."}})
			return c
		}, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			var ids []string
			for _, v := range append(slowVideos, "slowVideo03") {
				code, id := submitAsync(t, r, v)
				if code != http.StatusAccepted {
					t.Fatalf("submit %s: %d", v, code)
				}
				ids = append(ids, id)
			}
			defer cancelJobs(t, r, ids)
			return healthAlert("queued_jobs", "queue", nil)(t, r, f)
		}},
		// Saving a key when no keychain is there: refused, or kept in the
		// key file of the data folder.
		"insecure_file_keystore": {value: true, noKeychain: true, observe: func(t *testing.T, r *rig, f *readerFixture) string {
			_, err := r.svc.cfg.ApplyTrusted(context.Background(), readerJSON(t, map[string]any{"openai_api_key": fmt.Sprintf("sk-fakeKeyForTests%010d", f.n)}))
			_, ferr := os.Stat(filepath.Join(f.dir, keychain.FileName))
			return fmt.Sprintf("save: %q; key file: %v", ytsum.ErrorKind(err), ferr == nil)
		}},
		// A followed channel's new Short becomes a job, or is skipped.
		"subscriptions_skip_shorts": {value: false, catalogue: youtubetest.DefaultCatalogue,
			observe: func(t *testing.T, r *rig, f *readerFixture) string {
				var list httpapi.SubscriptionList
				r.mustJSON("GET", "/subscriptions", nil, 200, &list)
				var subID string
				if len(list.Subscriptions) == 0 {
					var sub ytsum.Subscription
					r.mustJSON("POST", "/subscriptions", map[string]any{"url": youtubetest.ChannelURL(youtubetest.ChannelHandle)}, 201, &sub)
					subID = sub.ID
				} else {
					subID = list.Subscriptions[0].ID
				}
				short := newUpload(fmt.Sprintf("shortClip%02d", f.n), "Octopus in 30 seconds")
				short.DurationSeconds = 30
				f.yt.AddUpload(youtubetest.ChannelID, short, true)
				var chk httpapi.CheckResult
				r.mustJSON("POST", "/subscriptions/"+subID+"/check", nil, 202, &chk)
				if chk.JobID != nil {
					cancelJobs(t, r, []string{*chk.JobID})
				}
				return fmt.Sprintf("new videos %d, job %v", chk.NewVideos, chk.JobID != nil)
			}},
	}
}

// healthAlert makes traffic (if any), then reports the threshold name of
// /system_health and whether it raises an alert of type kind.
func healthAlert(name, kind string, traffic func(t *testing.T, r *rig, f *readerFixture)) func(t *testing.T, r *rig, f *readerFixture) string {
	return func(t *testing.T, r *rig, f *readerFixture) string {
		if traffic != nil {
			traffic(t, r, f)
		}
		var h struct {
			Thresholds map[string]json.RawMessage `json:"thresholds"`
			Alerts     []struct {
				Type string `json:"type"`
			} `json:"alerts"`
		}
		r.mustJSON("GET", "/system_health", nil, 200, &h)
		out := "threshold " + string(h.Thresholds[name])
		if kind != "" {
			alert := false
			for _, a := range h.Alerts {
				alert = alert || a.Type == kind
			}
			out += fmt.Sprintf(", %s alert %v", kind, alert)
		}
		return out
	}
}
