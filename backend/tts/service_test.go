package tts

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/tts/audio"
	"ytsum/backend/ytsum"
)

const testKey = "AIza-test-key-123"

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// noTools is a LookPath that finds nothing: no offline voice.
func noTools(string) (string, error) { return "", errors.New("not found") }

type memIndex struct {
	mu sync.Mutex
	m  map[string][]string
}

func (x *memIndex) AddAudio(v, n string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.m == nil {
		x.m = map[string][]string{}
	}
	if !slices.Contains(x.m[v], n) {
		x.m[v] = append(x.m[v], n)
	}
	return nil
}
func (x *memIndex) AudioFiles(v string) ([]string, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.m[v]), nil
}
func (x *memIndex) RemoveAudio(v string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.m, v)
	return nil
}

type memTexts map[string]string

func (m memTexts) SummaryText(_ context.Context, id string) (string, error) {
	if s, ok := m[id]; ok {
		return s, nil
	}
	return "", ytsum.Errorf(ytsum.CodeNotFound, "summary_not_found", "There is no saved summary for video %s.", id)
}

type env struct {
	fake  *fakeTTS
	svc   *Service
	cache *audio.Cache
	index *memIndex
}

func newEnv(t *testing.T, mod func(*Options)) *env {
	t.Helper()
	f := newFakeTTS(t)
	f.wantKey = testKey
	idx := &memIndex{}
	c, err := audio.Open(filepath.Join(t.TempDir(), "audio"), audio.Options{}, idx)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Endpoint: f.URL(), APIKey: func(context.Context) string { return testKey }, Cache: c,
		LookPath: noTools, Logger: quietLogger(), RequestTimeout: 10 * time.Second}
	if mod != nil {
		mod(&o)
	}
	return &env{fake: f, svc: New(o), cache: c, index: idx}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestSpeak20000Chars: a 20,000-character summary becomes N requests of
// under 5,000 bytes each, and the audio holds every chunk's frames in order.
func TestSpeak20000Chars(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Texts = memTexts{"vid12345678": longText(20000)} })
	a, err := e.svc.Speak(ctxT(t), SpeakRequest{VideoID: "vid12345678"})
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.fake.reqs()
	if len(reqs) < 5 {
		t.Fatalf("%d requests for 20,000 characters, want at least 5", len(reqs))
	}
	var sent []string
	for i, r := range reqs {
		if len(r.Text) >= 5000 {
			t.Errorf("request %d has %d bytes", i, len(r.Text))
		}
		if r.Voice != DefaultVoice || r.Lang != "en-US" || r.Encoding != "2" {
			t.Errorf("request %d: voice %q lang %q encoding %v (want numeric enum 2)", i, r.Voice, r.Lang, r.Encoding)
		}
		sent = append(sent, r.Text)
	}
	// The chunks, in text order, are what the service sent (in any order).
	chunks := Chunk(Clean(longText(20000)), 0, 0)
	slices.Sort(sent)
	sorted := slices.Clone(chunks)
	slices.Sort(sorted)
	if !slices.Equal(sent, sorted) {
		t.Fatalf("sent texts differ from the chunks of the cleaned text")
	}
	// The joined audio plays every chunk, in order, from start to end.
	got := frameMarkers(t, a.Data)
	if len(got) != 2*len(chunks) {
		t.Fatalf("%d frames, want %d", len(got), 2*len(chunks))
	}
	for i, c := range chunks {
		if !bytes.Equal(got[2*i], marker(c)) || !bytes.Equal(got[2*i+1], marker(c)) {
			t.Fatalf("frames of chunk %d out of order", i)
		}
	}
	if a.ContentType != "audio/mpeg" || a.Offline || a.Cached || a.Voice != DefaultVoice {
		t.Fatalf("audio = %+v", a)
	}
	if want := audio.Key(DefaultVoice, Clean(longText(20000))) + ".mp3"; a.FileName != want {
		t.Fatalf("FileName = %q, want %q", a.FileName, want)
	}
	if files, _ := e.index.AudioFiles("vid12345678"); !slices.Equal(files, []string{a.FileName}) {
		t.Fatalf("index links %v", files)
	}
	t.Logf("20,000 chars → %d requests, %d bytes of MP3", len(reqs), len(a.Data))

	// Second time: from the cache, no request.
	b, err := e.svc.Speak(ctxT(t), SpeakRequest{VideoID: "vid12345678"})
	if err != nil || !b.Cached || !bytes.Equal(b.Data, a.Data) || len(e.fake.reqs()) != len(reqs) {
		t.Fatalf("second Speak: cached=%v err=%v requests=%d", b.Cached, err, len(e.fake.reqs()))
	}
	// Deleting the summary deletes its audio.
	if err := e.cache.RemoveVideo("vid12345678"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.cache.Path(a.FileName)); !os.IsNotExist(err) {
		t.Fatalf("audio still on disk after RemoveVideo: %v", err)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	const limit = 3
	e := newEnv(t, func(o *Options) { o.Concurrency = limit; o.MaxRequestBytes = 200; o.Cache = nil })
	e.fake.hold = make(chan struct{})
	e.fake.arrived = make(chan int, 100)
	text := strings.Repeat("This sentence is about forty bytes long. ", 40) // ~1,640 bytes → 10+ chunks
	done := make(chan error, 1)
	go func() {
		_, err := e.svc.Speak(context.Background(), SpeakRequest{Text: text})
		done <- err
	}()
	deadline := time.After(10 * time.Second)
	for full := false; !full; {
		select {
		case n := <-e.fake.arrived:
			full = n == limit
		case <-deadline:
			t.Fatal("the limit's worth of requests never arrived")
		}
	}
	// With all slots held, no further request may arrive.
	select {
	case n := <-e.fake.arrived:
		t.Fatalf("request arrived with %d in flight, limit %d", n, limit)
	case <-time.After(100 * time.Millisecond):
	}
	close(e.fake.hold)
	go func() {
		for range e.fake.arrived {
		}
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Speak did not finish")
	}
	e.fake.mu.Lock()
	defer e.fake.mu.Unlock()
	if e.fake.maxInflight != limit || len(e.fake.requests) < 8 {
		t.Fatalf("max in flight %d (limit %d) over %d requests", e.fake.maxInflight, limit, len(e.fake.requests))
	}
}

var (
	failVoice = fakeFail{400, "INVALID_ARGUMENT", "Requested voice not found.", ""}
	failQuota = fakeFail{429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Chirp3 requests' and limit 'Chirp3RequestsPerMinutePerProject'.",
		`[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17s"}]`}
	failServer = fakeFail{500, "INTERNAL", "Internal error encountered.", ""}
	failDenied = fakeFail{403, "PERMISSION_DENIED", "Cloud Text-to-Speech API has not been used in project 123 before or it is disabled.", ""}
)

func TestFallbackChain(t *testing.T) {
	tests := []struct {
		name      string
		voice     string
		fail      map[string]fakeFail
		wantVoice string
		wantTried []string
		wantKind  string
	}{
		{"default works", "", nil, DefaultVoice, []string{DefaultVoice}, ""},
		{"zephyr unavailable → Neural2-C", "", map[string]fakeFail{DefaultVoice: failVoice},
			"en-US-Neural2-C", []string{DefaultVoice, "en-US-Neural2-C"}, ""},
		{"chirp quota → Neural2-C", "", map[string]fakeFail{DefaultVoice: failQuota},
			"en-US-Neural2-C", []string{DefaultVoice, "en-US-Neural2-C"}, ""},
		{"two fail → Neural2-J", "", map[string]fakeFail{DefaultVoice: failServer, "en-US-Neural2-C": failVoice},
			"en-US-Neural2-J", []string{DefaultVoice, "en-US-Neural2-C", "en-US-Neural2-J"}, ""},
		{"voice in chain continues after itself", "en-US-Studio-O", map[string]fakeFail{"en-US-Studio-O": failVoice},
			"en-US-Wavenet-D", []string{"en-US-Studio-O", "en-US-Wavenet-D"}, ""},
		{"voice outside chain starts at its head", "en-GB-Neural2-A", map[string]fakeFail{"en-GB-Neural2-A": failVoice},
			DefaultVoice, []string{"en-GB-Neural2-A", DefaultVoice}, ""},
		{"all fail → last error", "", map[string]fakeFail{"*": failVoice},
			"", append([]string(nil), FallbackChain...), KindVoiceUnavailable},
		{"permission denied does not fall back", "", map[string]fakeFail{"*": failDenied},
			"", []string{DefaultVoice}, KindInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			for v, ff := range tt.fail {
				e.fake.setFail(v, ff)
			}
			a, err := e.svc.Speak(ctxT(t), SpeakRequest{Text: "A short summary.", VoiceID: tt.voice})
			if tt.wantKind != "" {
				if ytsum.ErrorKind(err) != tt.wantKind {
					t.Fatalf("err = %v (kind %q), want kind %q", err, ytsum.ErrorKind(err), tt.wantKind)
				}
			} else if err != nil || a.Voice != tt.wantVoice {
				t.Fatalf("Speak = voice %q err %v, want voice %q", a.Voice, err, tt.wantVoice)
			}
			var tried []string
			for _, r := range e.fake.reqs() {
				tried = append(tried, r.Voice)
			}
			if !slices.Equal(tried, tt.wantTried) {
				t.Fatalf("tried %v, want %v", tried, tt.wantTried)
			}
			if err == nil && !strings.HasPrefix(a.FileName, tt.wantVoice+"_") {
				t.Fatalf("cached as %q, want the voice that spoke", a.FileName)
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	closed := newFakeTTS(t)
	closedURL := closed.URL()
	closed.srv.Close()
	tests := []struct {
		name     string
		mod      func(*Options)
		fail     fakeFail
		req      SpeakRequest
		wantKind string
		wantCode ytsum.Code
		wantRA   time.Duration
	}{
		{"invalid key", func(o *Options) { o.APIKey = func(context.Context) string { return "AIza-wrong" } }, fakeFail{}, SpeakRequest{Text: "Hi."},
			KindInvalidKey, ytsum.CodeInvalid, 0},
		{"quota", nil, failQuota, SpeakRequest{Text: "Hi.", VoiceID: "en-US-Wavenet-D"}, KindQuotaExceeded, ytsum.CodeRateLimited, 17 * time.Second},
		{"voice not available", nil, failVoice, SpeakRequest{Text: "Hi.", VoiceID: "en-US-Wavenet-D"}, KindVoiceUnavailable, ytsum.CodeInvalid, 0},
		{"bad voice id", nil, fakeFail{}, SpeakRequest{Text: "Hi.", VoiceID: "../etc"}, KindVoiceUnavailable, ytsum.CodeInvalid, 0},
		{"text empty", nil, fakeFail{}, SpeakRequest{Text: "  **  ``  "}, KindTextEmpty, ytsum.CodeInvalid, 0},
		{"offline", func(o *Options) { o.Endpoint = closedURL }, fakeFail{}, SpeakRequest{Text: "Hi."}, KindOffline, ytsum.CodeUnavailable, 0},
		{"not configured", func(o *Options) { o.APIKey = nil }, fakeFail{}, SpeakRequest{Text: "Hi."}, KindNotConfigured, ytsum.CodeUnavailable, 0},
		{"offline voice missing", nil, fakeFail{}, SpeakRequest{Text: "Hi.", VoiceID: OfflineVoice}, KindVoiceUnavailable, ytsum.CodeUnavailable, 0},
		{"unknown video", func(o *Options) { o.Texts = memTexts{} }, fakeFail{}, SpeakRequest{VideoID: "nope"}, "summary_not_found", ytsum.CodeNotFound, 0},
		{"server trouble", nil, failServer, SpeakRequest{Text: "Hi.", VoiceID: "en-US-Wavenet-D"}, KindUnavailable, ytsum.CodeUnavailable, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.mod)
			if tt.fail.code != 0 {
				e.fake.setFail("*", tt.fail)
			}
			_, err := e.svc.Speak(ctxT(t), tt.req)
			var ye *ytsum.Error
			if !errors.As(err, &ye) {
				t.Fatalf("err = %v, want *ytsum.Error", err)
			}
			if ye.Kind != tt.wantKind || ye.Code != tt.wantCode || ye.RetryAfter != tt.wantRA {
				t.Fatalf("err kind %q code %q retry %v, want %q %q %v (%v)", ye.Kind, ye.Code, ye.RetryAfter, tt.wantKind, tt.wantCode, tt.wantRA, err)
			}
			if !strings.HasSuffix(ye.Message, ".") || strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), "AIza-wrong") {
				t.Fatalf("message must be a sentence without the key: %q", err.Error())
			}
		})
	}
}

func TestOfflineErrorHidesKeyInURL(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	e := newEnv(t, func(o *Options) { o.Endpoint = "http://" + addr })
	_, err = e.svc.Speak(ctxT(t), SpeakRequest{Text: "Hi."})
	if ytsum.ErrorKind(err) != KindOffline {
		t.Fatalf("kind %q: %v", ytsum.ErrorKind(err), err)
	}
	if strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "REDACTED") {
		t.Fatalf("the key leaks (or the URL is not shown redacted) in %q", err.Error())
	}
}

func TestKeyChangeRebuildsClient(t *testing.T) {
	var mu sync.Mutex
	key := "AIza-old"
	e := newEnv(t, func(o *Options) {
		o.APIKey = func(context.Context) string { mu.Lock(); defer mu.Unlock(); return key }
	})
	if _, err := e.svc.Speak(ctxT(t), SpeakRequest{Text: "First."}); ytsum.ErrorKind(err) != KindInvalidKey {
		t.Fatalf("old key: %v", err)
	}
	mu.Lock()
	key = testKey
	mu.Unlock()
	if _, err := e.svc.Speak(ctxT(t), SpeakRequest{Text: "First."}); err != nil {
		t.Fatalf("new key: %v", err)
	}
	e.fake.mu.Lock()
	defer e.fake.mu.Unlock()
	if !slices.Equal(e.fake.keysSeen, []string{"AIza-old", testKey}) {
		t.Fatalf("keys seen %v", e.fake.keysSeen)
	}
}

func TestServiceAccountFile(t *testing.T) {
	f := newFakeTTS(t)
	f.wantBearer = true
	pk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(pk))})
	sa, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": string(pemKey),
		"client_email": "tts@p.iam.gserviceaccount.com", "client_id": "1", "token_uri": f.URL() + "/token",
	})
	path := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(path, sa, 0o600); err != nil {
		t.Fatal(err)
	}
	svc := New(Options{Endpoint: f.URL(), CredentialsFile: func(context.Context) string { return path }, LookPath: noTools, Logger: quietLogger()})
	if !svc.Available(t.Context()) {
		t.Fatal("Available false with a service-account file")
	}
	a, err := svc.Speak(ctxT(t), SpeakRequest{Text: "Hello from a service account."})
	if err != nil || len(a.Data) == 0 {
		t.Fatalf("Speak: %v", err)
	}
	// A missing file is an invalid-key error naming the file.
	svc2 := New(Options{Endpoint: f.URL(), CredentialsFile: func(context.Context) string { return path + ".missing" }, LookPath: noTools, Logger: quietLogger()})
	if _, err := svc2.Speak(ctxT(t), SpeakRequest{Text: "Hi."}); ytsum.ErrorKind(err) != KindInvalidKey {
		t.Fatalf("missing file: %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestHTTPClientOptionSendsKey(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.HTTPClient = &httpClientForTest })
	if _, err := e.svc.Speak(ctxT(t), SpeakRequest{Text: "With a custom client."}); err != nil {
		t.Fatal(err)
	}
}

func TestVoices(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Voice = func() string { return "en-US-Neural2-J" }
		o.LookPath = func(n string) (string, error) {
			if n == "espeak-ng" || n == "lame" {
				return "/usr/bin/" + n, nil
			}
			return "", errors.New("no")
		}
		o.GOOS = "linux"
	})
	r := e.svc.Voices(ctxT(t))
	b, _ := json.Marshal(r)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"voices", "tiers", "current_voice", "default_voice"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("voices JSON lacks %q", k)
		}
	}
	if r.CurrentVoice != "en-US-Neural2-J" || r.DefaultVoice != DefaultVoice || !r.OfflineAvailable || !r.CloudConfigured {
		t.Fatalf("current %q default %q offline %v cloud %v", r.CurrentVoice, r.DefaultVoice, r.OfflineAvailable, r.CloudConfigured)
	}
	for _, v := range Catalogue() {
		if got := r.Voices[v.Name]; got != v {
			t.Errorf("catalogue voice %s = %+v", v.Name, got)
		}
	}
	if len(r.Tiers[TierChirp3HD]) != 5 || len(r.Tiers[TierNeural2]) != 4 || len(r.Tiers[TierStudio]) != 1 || len(r.Tiers[TierWavenet]) != 3 {
		t.Errorf("tier sizes: chirp %d neural2 %d studio %d wavenet %d", len(r.Tiers[TierChirp3HD]), len(r.Tiers[TierNeural2]),
			len(r.Tiers[TierStudio]), len(r.Tiers[TierWavenet]))
	}
	kore := r.Voices["en-US-Chirp3-HD-Kore"]
	if kore.Source != "account" || kore.Gender != "female" || kore.Tier != TierChirp3HD {
		t.Errorf("account voice Kore = %+v", kore)
	}
	if de := r.Voices["de-DE-Wavenet-B"]; de.LanguageCode != "de-DE" || de.Gender != "male" {
		t.Errorf("account voice de-DE = %+v", de)
	}
	if off := r.Voices[OfflineVoice]; off.Tier != TierOffline || !strings.Contains(off.DisplayName, "espeak-ng") {
		t.Errorf("offline voice = %+v", off)
	}
	// The 11 voices of the original are there with their descriptions.
	if n := len(Catalogue()); n != 11 {
		t.Fatalf("catalogue has %d voices", n)
	}

	// voices:list failing: the catalogue alone, no error.
	e2 := newEnv(t, nil)
	e2.fake.voicesFail = true
	r2 := e2.svc.Voices(ctxT(t))
	if len(r2.Voices) != 11 || r2.OfflineAvailable {
		t.Fatalf("with voices:list down: %d voices", len(r2.Voices))
	}
}

func TestPreview(t *testing.T) {
	e := newEnv(t, nil)
	a, err := e.svc.Preview(ctxT(t), "en-US-Neural2-F", strings.Repeat("Preview text goes on. ", 60))
	if err != nil {
		t.Fatal(err)
	}
	reqs := e.fake.reqs()
	if len(reqs) != 1 || len([]rune(reqs[0].Text)) > PreviewMaxChars || !strings.HasSuffix(reqs[0].Text, "...") {
		t.Fatalf("preview sent %d requests, first %d chars", len(reqs), len([]rune(reqs[0].Text)))
	}
	if !strings.HasPrefix(a.FileName, "preview_en-US-Neural2-F_") {
		t.Fatalf("preview file %q", a.FileName)
	}
	// No text: the original's sample sentence.
	if _, err := e.svc.Preview(ctxT(t), "en-US-Neural2-C", ""); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.reqs()[1].Text; got != Clean(SampleText) {
		t.Fatalf("sample text = %q", got)
	}
	// Previews fall back too.
	e.fake.setFail("en-US-Studio-O", failVoice)
	p, err := e.svc.Preview(ctxT(t), "en-US-Studio-O", "Hi.")
	if err != nil || p.Voice != "en-US-Wavenet-D" {
		t.Fatalf("preview fallback: %q %v", p.Voice, err)
	}
	st, _ := e.cache.Status()
	if st.PreviewFiles != 3 {
		t.Fatalf("preview files %d", st.PreviewFiles)
	}
}

func TestConcurrentIdenticalSpeakShareOneSynthesis(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.hold = make(chan struct{})
	e.fake.arrived = make(chan int, 10)
	const n = 4
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, err := e.svc.Speak(context.Background(), SpeakRequest{Text: "Same text for everyone."})
			errs <- err
		}()
	}
	select {
	case <-e.fake.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("no request")
	}
	// Wait until the other callers are parked on the shared call.
	deadline := time.Now().Add(10 * time.Second)
	for {
		e.svc.flightMu.Lock()
		waiting := 0
		if c := e.svc.flight[audio.Key(DefaultVoice, "Same text for everyone.")]; c != nil {
			waiting = c.waiters
		}
		e.svc.flightMu.Unlock()
		if waiting == n-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callers share the call, want %d", waiting, n-1)
		}
		runtime.Gosched()
	}
	close(e.fake.hold)
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := len(e.fake.reqs()); got != 1 {
		t.Fatalf("%d requests", got)
	}
}

func TestCacheLimitsAppliedAfterEachSynthesis(t *testing.T) {
	e := newEnv(t, nil)
	e.cache.SetOptions(audio.Options{MaxFiles: 2})
	for _, s := range []string{"One.", "Two.", "Three.", "Four."} {
		if _, err := e.svc.Speak(ctxT(t), SpeakRequest{Text: s}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := e.cache.Status()
	if err != nil {
		t.Fatal(err)
	}
	// Cleanup runs after each new file once 80 % of 2 files is used.
	if st.TotalFiles > 2 {
		t.Fatalf("%d files in a 2-file cache", st.TotalFiles)
	}
}

func TestCorruptedCacheFileIsResynthesized(t *testing.T) {
	e := newEnv(t, nil)
	a, err := e.svc.Speak(ctxT(t), SpeakRequest{Text: "Corrupt me."})
	if err != nil {
		t.Fatal(err)
	}
	p := e.cache.Path(a.FileName)
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 0xFF
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	a2, err := e.svc.Speak(ctxT(t), SpeakRequest{Text: "Corrupt me."})
	if err != nil || a2.Cached || !bytes.Equal(a2.Data, a.Data) || len(e.fake.reqs()) != 2 {
		t.Fatalf("after corruption: cached=%v err=%v requests=%d", a2.Cached, err, len(e.fake.reqs()))
	}
}

func TestAvailable(t *testing.T) {
	if New(Options{LookPath: noTools}).Available(t.Context()) {
		t.Fatal("available without key or offline voice")
	}
	if !New(Options{APIKey: func(context.Context) string { return "k" }, LookPath: noTools}).Available(t.Context()) {
		t.Fatal("not available with a key")
	}
	if New(Options{APIKey: func(context.Context) string { return "  " }, LookPath: noTools}).Available(t.Context()) {
		t.Fatal("a blank key counts as set")
	}
	espeak := func(n string) (string, error) {
		if n == "espeak-ng" || n == "lame" {
			return "/x/" + n, nil
		}
		return "", errors.New("no")
	}
	if !New(Options{LookPath: espeak, GOOS: "linux"}).Available(t.Context()) {
		t.Fatal("not available with espeak-ng and lame")
	}
	espeakOnly := func(n string) (string, error) {
		if n == "espeak-ng" {
			return "/x/espeak-ng", nil
		}
		return "", errors.New("no")
	}
	if New(Options{LookPath: espeakOnly, GOOS: "linux"}).Available(t.Context()) {
		t.Fatal("available with espeak-ng but no MP3 encoder")
	}
	if New(Options{LookPath: espeak, GOOS: "linux", DisableOffline: true}).Available(t.Context()) {
		t.Fatal("available with the offline voice disabled")
	}
}

var httpClientForTest = http.Client{Timeout: 10 * time.Second}

func TestCachedCloudAudioPlaysWithoutKey(t *testing.T) {
	e := newEnv(t, nil)
	a, err := e.svc.Speak(ctxT(t), SpeakRequest{Text: "Keep this one."})
	if err != nil {
		t.Fatal(err)
	}
	// The key is gone and there is no offline voice: the cache still plays.
	noKey := New(Options{Cache: e.cache, LookPath: noTools, Logger: quietLogger()})
	b, err := noKey.Speak(ctxT(t), SpeakRequest{Text: "Keep this one."})
	if err != nil || !b.Cached || !bytes.Equal(a.Data, b.Data) {
		t.Fatalf("cached audio without key: cached=%v err=%v", b.Cached, err)
	}
	if _, err := noKey.Speak(ctxT(t), SpeakRequest{Text: "Never spoken."}); ytsum.ErrorKind(err) != KindNotConfigured {
		t.Fatalf("uncached text without key: %v", err)
	}
}

// speechTexts implements SummarySpeech: text and language by video.
type speechTexts map[string][2]string

func (m speechTexts) SummaryText(_ context.Context, id string) (string, error) {
	if s, ok := m[id]; ok {
		return s[0], nil
	}
	return "", ytsum.Errorf(ytsum.CodeNotFound, "summary_not_found", "There is no saved summary for video %s.", id)
}

func (m speechTexts) SummarySpeech(ctx context.Context, id string) (string, string, error) {
	t, err := m.SummaryText(ctx, id)
	return t, m[id][1], err
}

// TestCloudVoiceFollowsSummaryLanguage: /speak with a video_id reads a
// German summary with a German voice when the configured voice is English,
// keeps a configured voice of the summary's language, and honours an
// explicit voice; a failing German voice falls back to German voices first.
func TestCloudVoiceFollowsSummaryLanguage(t *testing.T) {
	texts := speechTexts{
		"de1": {"- [00:10] Der Preis stieg um 15%.", "de"},
		"en1": {"- [00:10] Prices rose 15%.", "en"},
		"pt1": {"Olá mundo.", "pt-BR"},
	}
	tests := []struct {
		name, configured string
		req              SpeakRequest
		fail             string
		wantVoices       []string
		wantText         string
	}{
		{"german summary, English voice configured", "", SpeakRequest{VideoID: "de1"}, "",
			[]string{"de-DE-Chirp3-HD-Zephyr"}, "Der Preis stieg um 15 Prozent."},
		{"german summary, German voice configured", "de-DE-Neural2-B", SpeakRequest{VideoID: "de1"}, "",
			[]string{"de-DE-Neural2-B"}, "Der Preis stieg um 15 Prozent."},
		{"explicit voice wins", "", SpeakRequest{VideoID: "de1", VoiceID: "en-US-Neural2-J"}, "",
			[]string{"en-US-Neural2-J"}, "Der Preis stieg um 15 Prozent."},
		{"english summary keeps the configured voice", "en-GB-Neural2-A", SpeakRequest{VideoID: "en1"}, "",
			[]string{"en-GB-Neural2-A"}, "Prices rose 15 percent."},
		{"region of the summary language", "", SpeakRequest{VideoID: "pt1"}, "",
			[]string{"pt-BR-Chirp3-HD-Zephyr"}, "Olá mundo."},
		{"german voice unavailable falls back within German", "", SpeakRequest{VideoID: "de1"}, "de-DE-Chirp3-HD-Zephyr",
			[]string{"de-DE-Chirp3-HD-Zephyr", "de-DE-Standard-A"}, "Der Preis stieg um 15 Prozent."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) {
				o.Texts = texts
				o.Voice = func() string { return tt.configured }
			})
			if tt.fail != "" {
				e.fake.setFail(tt.fail, fakeFail{code: 400, status: "INVALID_ARGUMENT", message: "Voice does not exist."})
			}
			a, err := e.svc.Speak(ctxT(t), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var voices []string
			for _, r := range e.fake.reqs() {
				voices = append(voices, r.Voice)
				if r.Text != tt.wantText {
					t.Errorf("sent text %q, want %q", r.Text, tt.wantText)
				}
			}
			if strings.Join(voices, ",") != strings.Join(tt.wantVoices, ",") || a.Voice != tt.wantVoices[len(tt.wantVoices)-1] {
				t.Fatalf("voices tried %v (spoke %s), want %v", voices, a.Voice, tt.wantVoices)
			}
		})
	}
}

func TestVoicesForLanguage(t *testing.T) {
	e := newEnv(t, nil)
	r := e.svc.VoicesFor(ctxT(t), "de")
	if r.DefaultVoice != "de-DE-Chirp3-HD-Zephyr" || r.CurrentVoice != "de-DE-Chirp3-HD-Zephyr" || r.Language != "de" {
		t.Fatalf("default %q current %q language %q", r.DefaultVoice, r.CurrentVoice, r.Language)
	}
	if _, ok := r.Voices["de-DE-Wavenet-B"]; !ok {
		t.Fatal("the account's German voice is missing")
	}
	for name, v := range r.Voices {
		if !strings.HasPrefix(name, "de-") || !strings.HasPrefix(v.LanguageCode, "de-") {
			t.Errorf("voice %s (%s) in the German list", name, v.LanguageCode)
		}
	}
	n := 0
	for _, vs := range r.Tiers {
		n += len(vs)
	}
	if n != len(r.Voices) {
		t.Fatalf("tiers hold %d voices, map %d", n, len(r.Voices))
	}
	if all := e.svc.VoicesFor(ctxT(t), ""); len(all.Voices) <= len(r.Voices) || all.Language != "" {
		t.Fatalf("unfiltered list has %d voices", len(all.Voices))
	}
}
