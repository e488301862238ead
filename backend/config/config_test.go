package config_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"go.uber.org/goleak"

	"ytsum/backend/config"
	"ytsum/backend/keychain"
	"ytsum/backend/ytsum"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var update = flag.Bool("update", false, "rewrite SETTINGS.md")

// memStore is the bbolt store's settings record in memory.
type memStore struct {
	mu   sync.Mutex
	data []byte
	err  error // returned by PutSettings when set
	puts int
}

func (s *memStore) Settings() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.data), nil
}

func (s *memStore) PutSettings(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.data = bytes.Clone(b)
	s.puts++
	return nil
}

// mapProvider is a keychain.Provider in memory; err makes every call fail.
type mapProvider struct {
	mu  sync.Mutex
	m   map[string]string
	err error
}

func (p *mapProvider) fail() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *mapProvider) Set(service, user, pw string) error {
	if err := p.fail(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]string{}
	}
	p.m[user] = pw
	return nil
}

func (p *mapProvider) Get(service, user string) (string, error) {
	if err := p.fail(); err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (p *mapProvider) Delete(service, user string) error {
	if err := p.fail(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.m[user]; !ok {
		return keyring.ErrNotFound
	}
	delete(p.m, user)
	return nil
}

func (p *mapProvider) value(user string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[user]
	return v, ok
}

// logBuf collects log output safely.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// env is a fake environment; the data dir is always a temp dir.
func envOf(t testing.TB, kv ...string) config.EnvFunc {
	m := map[string]string{"YTSUM_DATA_DIR": t.TempDir()}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

type fixture struct {
	store *memStore
	prov  *mapProvider
	kc    *keychain.Keychain
	env   config.EnvFunc
	logs  *logBuf
	log   *slog.Logger
	dir   string
}

func newFixture(t testing.TB, kv ...string) *fixture {
	t.Helper()
	f := &fixture{store: &memStore{}, prov: &mapProvider{}, logs: &logBuf{}, env: envOf(t, kv...)}
	f.log = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.dir, _ = config.DataDir(f.env)
	return f
}

// MustLoad builds a Config over the fixture's store and keychain, as a
// fresh process would.
func (f *fixture) MustLoad(t testing.TB) *config.Config {
	t.Helper()
	var cfg *config.Config
	f.kc = keychain.New(keychain.Options{Provider: f.prov, FallbackDir: f.dir, Logger: f.log, Recheck: -1,
		AllowFile: func() bool { return cfg != nil && cfg.AllowFileKeystore() }})
	cfg, err := config.New(config.Options{Store: f.store, Keychain: f.kc, Env: f.env, Logger: f.log})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return cfg
}

// patchOf reads a settings patch from its JSON text, as POST /settings does.
func patchOf(t testing.TB, body string) config.Patch {
	t.Helper()
	p, err := config.ParsePatch([]byte(body))
	if err != nil {
		t.Fatalf("patch %s: %v", body, err)
	}
	return p
}

func mustApply(t testing.TB, c *config.Config, patch string) config.View {
	t.Helper()
	v, err := c.Apply(context.Background(), patchOf(t, patch))
	if err != nil {
		t.Fatalf("apply %s: %v", patch, err)
	}
	return v
}

func fieldErrors(t testing.TB, err error) config.FieldErrors {
	t.Helper()
	var fe config.FieldErrors
	if ytsum.ErrorCode(err) != ytsum.CodeInvalid || !errors.As(err, &fe) {
		t.Fatalf("want invalid with field errors, got %v", err)
	}
	return fe
}

// Ensure the field table covers every Settings field exactly once, in
// struct order.
func TestFieldsCoverSettings(t *testing.T) {
	b, _ := json.Marshal(config.Defaults())
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	view := mustApply(t, newFixture(t).MustLoad(t), `{}`)
	if len(view.Sources) != len(m) {
		t.Fatalf("sources has %d keys, Settings %d", len(view.Sources), len(m))
	}
	typ := reflect.TypeFor[config.Settings]()
	for i := range typ.NumField() {
		key := strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]
		if view.Sources[key] != config.FromDefault {
			t.Errorf("%s: source %q", key, view.Sources[key])
		}
		if !strings.Contains(config.Markdown(), "| `"+key+"` |") {
			t.Errorf("%s missing from the Markdown table", key)
		}
	}
}

// Ensure the defaults are the documented ones and valid.
func TestDefaults(t *testing.T) {
	d := config.Defaults()
	want := map[string]any{
		"youtube": d.YouTubeConcurrency == 2, "llm": d.GeminiConcurrency == 4 && d.OpenAIConcurrency == 4, "pool": d.WorkerPoolSize == 4,
		"jobs": d.MaxConcurrentJobs == 10, "heartbeat": d.HeartbeatSeconds == 15, "retention": d.JobRetentionHours == 72,
		"cache": d.AudioCacheMaxMB == 50 && d.AudioCacheMaxFiles == 100 && d.AudioCacheTTLHours == 72,
		"addr":  d.HTTPAddress == "127.0.0.1:5001" && !d.HTTPEnabled,
		"login": !d.LoginEnabled && d.MaxLoginAttempts == 5 && d.LockoutMinutes == 15,
		"alerts": d.AlertResponseSeconds == 30 && d.AlertErrorRatePercent == 5 && d.AlertCPUPercent == 80 &&
			d.AlertMemoryPercent == 85 && d.AlertQueuedJobs == 50,
		"theme": d.Theme == "system", "voice": d.TTSVoice == "en-US-Chirp3-HD-Zephyr",
		"async": d.AsyncProcessing && d.SSEEnabled, "file": !d.InsecureFileKeystore,
		"openai": d.OpenAIBaseURL == "https://api.openai.com/v1",
	}
	for k, ok := range want {
		if ok != true {
			t.Errorf("default %s differs from API.md/the issue", k)
		}
	}
	if got := config.RestartFields(); !slices.Equal(got, []string{"youtube_concurrency", "worker_pool_size",
		"local_chunk_tokens", "job_retention_hours", "http_enabled", "http_address", "allowed_hosts",
		"alert_response_seconds", "alert_error_rate_percent", "alert_cpu_percent", "alert_memory_percent", "alert_queued_jobs"}) {
		t.Errorf("restart fields = %v", got)
	}
}

// Ensure invalid patches are refused field by field, change nothing and
// never quote the value.
func TestValidation(t *testing.T) {
	tests := []struct {
		name  string
		patch string
		keys  []string
	}{
		{"range", `{"worker_pool_size":0,"youtube_concurrency":9,"gemini_concurrency":4}`, []string{"worker_pool_size", "youtube_concurrency"}},
		{"llm limits", `{"gemini_concurrency":0,"openai_concurrency":65}`, []string{"gemini_concurrency", "openai_concurrency"}},
		{"old single llm limit", `{"llm_concurrency":4}`, []string{"llm_concurrency"}},
		{"types", `{"sse_enabled":"yes","max_concurrent_jobs":2.5,"theme":3,"transcript_languages":"en"}`,
			[]string{"sse_enabled", "max_concurrent_jobs", "theme", "transcript_languages"}},
		{"enums", `{"theme":"blue","default_style":"poem","default_length":"xl","playlist_mode":"both"}`,
			[]string{"theme", "default_style", "default_length", "playlist_mode"}},
		{"custom style needs prompt", `{"default_style":"custom"}`, []string{"default_style"}},
		{"languages", `{"output_language":"zz-!!","transcript_languages":["en","no such"]}`,
			[]string{"output_language", "transcript_languages"}},
		{"urls", `{"openai_base_url":"ftp://x","gemini_base_url":"https://user:pw@example.com"}`, []string{"openai_base_url", "gemini_base_url"}},
		{"url with key in query", `{"openai_base_url":"https://example.com/v1?key=zzz"}`, []string{"openai_base_url"}},
		{"empty openai url", `{"openai_base_url":""}`, []string{"openai_base_url"}},
		{"address", `{"http_address":"localhost"}`, []string{"http_address"}},
		{"port", `{"http_address":"127.0.0.1:70000"}`, []string{"http_address"}},
		{"non-loopback needs login", `{"http_address":"0.0.0.0:5001"}`, []string{"http_address"}},
		{"hosts", `{"allowed_hosts":["ok.local","bad host:80"]}`, []string{"allowed_hosts"}},
		{"thresholds", `{"alert_cpu_percent":101,"alert_error_rate_percent":-1,"alert_response_seconds":0}`,
			[]string{"alert_cpu_percent", "alert_error_rate_percent", "alert_response_seconds"}},
		{"voice", `{"tts_voice":"Zephyr"}`, []string{"tts_voice"}},
		{"video fallback", `{"gemini_video_fallback":"high"}`, []string{"gemini_video_fallback"}},
		{"removed ui_language", `{"ui_language":"de"}`, []string{"ui_language"}},
		{"model", `{"default_model":"bad model!"}`, []string{"default_model"}},
		{"unknown", `{"no_such_setting":1}`, []string{"no_such_setting"}},
		{"login without passcode", `{"login_enabled":true}`, []string{"login_passcode"}},
		{"short passcode", `{"login_passcode":"abc"}`, []string{"login_passcode"}},
		{"short token", `{"api_token":"tiny-tok"}`, []string{"api_token"}},
		{"key with spaces", `{"gemini_api_key":"two words"}`, []string{"gemini_api_key"}},
		{"secret not text", `{"openai_api_key":42}`, []string{"openai_api_key"}},
		{"credentials not a file", `{"tts_credentials_file":"/no/such/file.json"}`, []string{"tts_credentials_file"}},
		{"relative credentials", `{"tts_credentials_file":"sa.json"}`, []string{"tts_credentials_file"}},
		{"one bad one good", `{"theme":"dark","lockout_minutes":0}`, []string{"lockout_minutes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			c := f.MustLoad(t)
			before := c.Current()
			_, err := c.Apply(context.Background(), patchOf(t, tt.patch))
			fe := fieldErrors(t, err)
			var got []string
			for k, msg := range fe {
				got = append(got, k)
				if msg == "" || !strings.HasSuffix(msg, ".") {
					t.Errorf("%s: message %q is not a sentence", k, msg)
				}
				for _, bad := range []string{"zzz", "two words", "pw@", "no such", "abc\"", "tiny-tok"} {
					if strings.Contains(msg, bad) {
						t.Errorf("%s: message quotes the value: %q", k, msg)
					}
				}
			}
			slices.Sort(got)
			want := slices.Clone(tt.keys)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("field errors %v, want %v (%v)", got, want, fe)
			}
			if !reflect.DeepEqual(c.Current(), before) || f.store.puts != 0 {
				t.Errorf("an invalid patch changed something (puts=%d)", f.store.puts)
			}
			if len(f.prov.m) != 0 {
				t.Errorf("an invalid patch wrote secrets")
			}
		})
	}
	// A body that is not an object.
	c := newFixture(t).MustLoad(t)
	for _, body := range []string{`[]`, `"x"`, `null`, `{`} {
		if _, err := config.ParsePatch([]byte(body)); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
			t.Errorf("%s: %v", body, err)
		}
	}
	if _, err := c.Apply(context.Background(), nil); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Errorf("no patch: %v", err)
	}
}

// Ensure valid changes are normalized, saved, survive a restart (a new
// Config over the same store), and that null resets to the default.
func TestPersistAcrossRestart(t *testing.T) {
	f := newFixture(t)
	c := f.MustLoad(t)
	v := mustApply(t, c, `{"theme":"dark","worker_pool_size":8,"transcript_languages":[" de ","en","DE",""],
		"allowed_hosts":["MyBox.Local"],"output_language":"same","default_style":"custom","custom_prompt":"  Summarize {{title}}  ",
		"alert_response_seconds":12.5,"ytdlp_fallback":true,"playlist_mode":"prefer_playlist","insecure_file_keystore":true}`)
	want := config.Defaults()
	want.Theme, want.WorkerPoolSize, want.TranscriptLanguages = "dark", 8, []string{"de", "en"}
	want.AllowedHosts, want.OutputLanguage, want.DefaultStyle = []string{"mybox.local"}, "same", "custom"
	want.CustomPrompt, want.AlertResponseSeconds, want.YtDlpFallback = "  Summarize {{title}}  ", 12.5, true
	want.PlaylistMode, want.InsecureFileKeystore = "prefer_playlist", true
	if !reflect.DeepEqual(v.Settings, want) || !reflect.DeepEqual(c.Current(), want) {
		t.Fatalf("settings = %+v\nwant %+v", v.Settings, want)
	}
	if v.Sources["theme"] != config.FromSaved || v.Sources["sse_enabled"] != config.FromDefault {
		t.Fatalf("sources = %v", v.Sources)
	}
	if !slices.Equal(v.RestartPending, []string{"worker_pool_size", "allowed_hosts", "alert_response_seconds"}) {
		t.Fatalf("restart pending = %v", v.RestartPending)
	}

	c2 := f.MustLoad(t)
	if !reflect.DeepEqual(c2.Current(), want) || !c2.AllowFileKeystore() {
		t.Fatalf("after restart: %+v", c2.Current())
	}
	v2 := mustApply(t, c2, `{}`)
	if len(v2.RestartPending) != 0 {
		t.Fatalf("restart pending after restart = %v", v2.RestartPending)
	}
	mustApply(t, c2, `{"theme":null,"worker_pool_size":null,"default_style":null}`)
	c3 := f.MustLoad(t)
	cur := c3.Current()
	if cur.Theme != "system" || cur.WorkerPoolSize != 4 || cur.DefaultStyle != "audio" || cur.CustomPrompt == "" {
		t.Fatalf("after reset: %+v", cur)
	}
	// Only what the user set is stored.
	var doc struct {
		Version  int                        `json:"version"`
		Settings map[string]json.RawMessage `json:"settings"`
	}
	if err := json.Unmarshal(f.store.data, &doc); err != nil || doc.Version != 2 {
		t.Fatalf("stored doc: %v %s", err, f.store.data)
	}
	if _, ok := doc.Settings["theme"]; ok {
		t.Fatal("a reset setting is still stored")
	}
	if _, ok := doc.Settings["sse_enabled"]; ok {
		t.Fatal("a default that was never set is stored")
	}
}

// Ensure a saved value that is no longer valid is dropped with a warning, and
// unknown saved keys are kept.
func TestLoadDropsInvalidSaved(t *testing.T) {
	f := newFixture(t)
	f.store.data = []byte(`{"version":1,"settings":{"worker_pool_size":999,"theme":"dark","future_setting":1,"http_address":"0.0.0.0:80"}}`)
	c := f.MustLoad(t)
	if cur := c.Current(); cur.WorkerPoolSize != 4 || cur.Theme != "dark" || cur.HTTPAddress != "127.0.0.1:5001" {
		t.Fatalf("current = %+v", cur)
	}
	if !strings.Contains(f.logs.String(), "worker_pool_size") {
		t.Fatal("dropping a saved value was not logged")
	}
	mustApply(t, c, `{"theme":"light"}`)
	if !strings.Contains(string(f.store.data), "future_setting") {
		t.Fatal("an unknown saved key was lost")
	}
	// Corrupt JSON starts from defaults.
	f.store.data = []byte(`{not json`)
	if c := f.MustLoad(t); c.Current().Theme != "system" {
		t.Fatal("corrupt settings not ignored")
	}
}

// Ensure the per-provider LLM limits apply at once (no restart pending, the
// subscribers see them), and a saved llm_concurrency of an older version
// becomes both of them unless one is saved already.
func TestLLMConcurrency(t *testing.T) {
	tests := []struct {
		name           string
		saved          string
		gemini, openai int
	}{
		{"defaults", `{}`, 4, 4},
		{"old single limit", `{"llm_concurrency":8}`, 8, 8},
		{"new name wins", `{"llm_concurrency":8,"openai_concurrency":2}`, 8, 2},
		{"invalid old value is dropped", `{"llm_concurrency":500}`, 4, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.store.data = []byte(`{"version":1,"settings":` + tt.saved + `}`)
			c := f.MustLoad(t)
			if cur := c.Current(); cur.GeminiConcurrency != tt.gemini || cur.OpenAIConcurrency != tt.openai {
				t.Fatalf("gemini %d openai %d, want %d and %d", cur.GeminiConcurrency, cur.OpenAIConcurrency, tt.gemini, tt.openai)
			}
			got := make(chan config.Settings, 1)
			defer c.Subscribe(func(s config.Settings) { got <- s })()
			v := mustApply(t, c, `{"gemini_concurrency":2,"openai_concurrency":3}`)
			if len(v.RestartPending) != 0 {
				t.Fatalf("restart pending %v", v.RestartPending)
			}
			if s := <-got; s.GeminiConcurrency != 2 || s.OpenAIConcurrency != 3 {
				t.Fatalf("subscriber saw gemini %d openai %d", s.GeminiConcurrency, s.OpenAIConcurrency)
			}
			if cur := c.Current(); cur.GeminiConcurrency != 2 || cur.OpenAIConcurrency != 3 {
				t.Fatalf("current gemini %d openai %d", cur.GeminiConcurrency, cur.OpenAIConcurrency)
			}
			if strings.Contains(string(f.store.data), "llm_concurrency") {
				t.Fatalf("the old name is still stored: %s", f.store.data)
			}
		})
	}
}

// Ensure environment variables override saved values, are reported as "set
// by environment", and cannot be changed through Apply.
func TestEnvironmentOverrides(t *testing.T) {
	f := newFixture(t, "WORKER_POOL_SIZE", "8", "SSE_ENABLED", "off", "TTS_VOICE", "en-GB-Neural2-A",
		"YTSUM_OPENAI_URL", "http://127.0.0.1:11434/v1", "LOCKOUT_DURATION", "30", "ASYNC_PROCESSING_ENABLED", "false",
		"SSE_HEARTBEAT_INTERVAL", "5", "JOB_RETENTION_HOURS", "24", "MAX_CONCURRENT_JOBS", "3", "MAX_LOGIN_ATTEMPTS", "7",
		"YTSUM_GEMINI_URL", "http://127.0.0.1:9999", "LOGIN_ENABLED", "true", "LOGIN_CODE", "env-passcode-1")
	f.store.data = []byte(`{"version":1,"settings":{"worker_pool_size":2,"theme":"dark"}}`)
	c := f.MustLoad(t)
	cur := c.Current()
	if cur.WorkerPoolSize != 8 || cur.SSEEnabled || cur.TTSVoice != "en-GB-Neural2-A" || cur.OpenAIBaseURL != "http://127.0.0.1:11434/v1" ||
		cur.LockoutMinutes != 30 || cur.AsyncProcessing || cur.HeartbeatSeconds != 5 || cur.JobRetentionHours != 24 ||
		cur.MaxConcurrentJobs != 3 || cur.MaxLoginAttempts != 7 || cur.GeminiBaseURL != "http://127.0.0.1:9999" ||
		!cur.LoginEnabled || cur.Theme != "dark" {
		t.Fatalf("current = %+v", cur)
	}
	v := mustApply(t, c, `{}`)
	for key, variable := range map[string]string{"worker_pool_size": "WORKER_POOL_SIZE", "sse_enabled": "SSE_ENABLED",
		"lockout_minutes": "LOCKOUT_DURATION", "openai_base_url": "YTSUM_OPENAI_URL", "login_enabled": "LOGIN_ENABLED"} {
		if v.Sources[key] != config.FromEnvironment || v.Environment[key] != (config.EnvOverride{Variable: variable, Note: "set by environment"}) {
			t.Errorf("%s: source %q, env %+v", key, v.Sources[key], v.Environment[key])
		}
	}
	if _, ok := v.Environment["theme"]; ok || v.Sources["theme"] != config.FromSaved {
		t.Error("theme reported as environment")
	}
	if s := v.Secrets[config.SecretLoginPasscode]; !s.Set || s.Source != "environment" {
		t.Errorf("passcode = %+v", s)
	}
	// Changing an env-set value is refused; posting it back unchanged is fine.
	_, err := c.Apply(context.Background(), patchOf(t, `{"worker_pool_size":2,"login_passcode":"other-pass"}`))
	fe := fieldErrors(t, err)
	if !strings.Contains(fe["worker_pool_size"], "WORKER_POOL_SIZE") || !strings.Contains(fe["login_passcode"], "LOGIN_CODE") {
		t.Fatalf("field errors = %v", fe)
	}
	mustApply(t, c, `{"worker_pool_size":8,"sse_enabled":false,"theme":"light"}`)
	if c.Current().Theme != "light" {
		t.Fatal("a normal setting next to env ones was not applied")
	}
	// Services read secrets from the environment first.
	if v, err := c.Secret(context.Background(), config.SecretLoginPasscode); v != "env-passcode-1" || err != nil {
		t.Fatalf("secret = %q %v", v, err)
	}
}

// Ensure a bad environment variable fails Load with a sentence naming it.
func TestEnvironmentInvalid(t *testing.T) {
	tests := map[string][]string{
		"WORKER_POOL_SIZE":    {"WORKER_POOL_SIZE", "many"},
		"SSE_ENABLED":         {"SSE_ENABLED", "perhaps"},
		"MAX_CONCURRENT_JOBS": {"MAX_CONCURRENT_JOBS", "0"},
		"YTSUM_OPENAI_URL":    {"YTSUM_OPENAI_URL", "localhost:11434"},
		"YTSUM_YOUTUBE_URL":   {"YTSUM_YOUTUBE_URL", "youtube"},
	}
	for variable, kv := range tests {
		f := newFixture(t, kv...)
		_, err := config.New(config.Options{Store: f.store, Env: f.env, Logger: f.log})
		fe := fieldErrors(t, err)
		if _, ok := fe[variable]; !ok || !strings.Contains(ytsum.ErrorMessage(err), variable) {
			t.Errorf("%s: %v", variable, err)
		}
	}
}

// Ensure the non-setting environment values resolve with their defaults.
func TestEnvironmentValues(t *testing.T) {
	e, err := config.ReadEnvironment(envOf(t))
	if err != nil || e.YouTubeURL != "https://www.youtube.com" || e.ThumbnailURL != "https://i.ytimg.com" || e.TTSURL != "" {
		t.Fatalf("defaults: %+v %v", e, err)
	}
	e, err = config.ReadEnvironment(envOf(t, "YTSUM_YOUTUBE_URL", "http://127.0.0.1:8080/", "YTSUM_THUMBNAIL_URL", "http://127.0.0.1:8081",
		"YTSUM_TTS_URL", "http://127.0.0.1:8082", "GOOGLE_APPLICATION_CREDENTIALS", "/sa.json", "YTSUM_DATA_DIR", "rel/dir"))
	if err != nil || e.YouTubeURL != "http://127.0.0.1:8080" || e.ThumbnailURL != "http://127.0.0.1:8081" ||
		e.TTSURL != "http://127.0.0.1:8082" || e.GoogleApplicationCredentials != "/sa.json" || !filepath.IsAbs(e.DataDir) {
		t.Fatalf("set: %+v %v", e, err)
	}
	dir, err := config.DataDir(func(string) (string, bool) { return "", false })
	base, _ := os.UserConfigDir()
	if err == nil && dir != filepath.Join(base, "ytsum") {
		t.Fatalf("default data dir = %q", dir)
	}
}

// Ensure secrets are set, replaced and deleted through Apply, and shown
// only as set/unset with the last four characters and their source.
func TestSecretsThroughApply(t *testing.T) {
	f := newFixture(t)
	c := f.MustLoad(t)
	ctx := context.Background()
	v := mustApply(t, c, `{"gemini_api_key":"AIzaSyTEST-gemini-0001","openai_api_key":"sk-test-openai-0002","login_passcode":"hunter22x"}`)
	if s := v.Secrets["gemini_api_key"]; !s.Set || s.Source != "keychain" {
		t.Fatalf("gemini = %+v", s)
	}
	if s := v.Secrets["login_passcode"]; !s.Set || s.Source != "keychain" {
		t.Fatalf("passcode = %+v", s)
	}
	if s := v.Secrets["tts_api_key"]; s.Set || s.Source != "" {
		t.Fatalf("tts = %+v", s)
	}
	if got, _ := f.prov.value("gemini_api_key"); got != "AIzaSyTEST-gemini-0001" {
		t.Fatalf("keychain holds %q", got)
	}
	if got, err := c.Secret(ctx, config.SecretGeminiKey); got != "AIzaSyTEST-gemini-0001" || err != nil {
		t.Fatalf("secret = %q %v", got, err)
	}
	// Replace, then delete with "" and with null.
	mustApply(t, c, `{"gemini_api_key":"  AIzaSyTEST-gemini-0003 "}`)
	if got, _ := c.Secret(ctx, config.SecretGeminiKey); got != "AIzaSyTEST-gemini-0003" {
		t.Fatalf("after replace: %q", got)
	}
	v = mustApply(t, c, `{"gemini_api_key":"","openai_api_key":null}`)
	if v.Secrets["gemini_api_key"].Set || v.Secrets["openai_api_key"].Set {
		t.Fatalf("after delete: %+v", v.Secrets)
	}
	if _, err := c.Secret(ctx, config.SecretOpenAIKey); ytsum.ErrorKind(err) != "secret_not_set" ||
		!strings.Contains(ytsum.ErrorMessage(err), "OPENAI_API_KEY") {
		t.Fatalf("deleted secret: %v", err)
	}
	if c.HasSecret(ctx, config.SecretOpenAIKey) || !c.HasSecret(ctx, config.SecretLoginPasscode) {
		t.Fatal("HasSecret")
	}
	// A service-account file path.
	sa := filepath.Join(t.TempDir(), "service-account.json")
	if err := os.WriteFile(sa, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"tts_credentials_file": sa})
	v = mustApply(t, c, string(b))
	if s := v.Secrets["tts_credentials_file"]; !s.Set {
		t.Fatalf("credentials = %+v", s)
	}
	// A short key shows no characters at all.
	v = mustApply(t, c, `{"openai_api_key":"ollama"}`)
	if s := v.Secrets["openai_api_key"]; !s.Set {
		t.Fatalf("short key = %+v", s)
	}
	if _, err := c.Secret(ctx, "nope"); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Fatalf("unknown secret: %v", err)
	}
	// GOOGLE_API_KEY serves Gemini and TTS.
	f2 := newFixture(t, "GOOGLE_API_KEY", "AIzaSyENV-google-7777")
	c2 := f2.MustLoad(t)
	for _, name := range []string{config.SecretGeminiKey, config.SecretTTSKey} {
		if got, _ := c2.Secret(ctx, name); got != "AIzaSyENV-google-7777" {
			t.Errorf("%s = %q", name, got)
		}
	}
	v = mustApply(t, c2, `{}`)
	if s := v.Secrets["tts_api_key"]; s.Source != "environment" || !s.Set {
		t.Errorf("tts from env = %+v", s)
	}
}

// Ensure login can only be turned on with a passcode and the passcode not
// deleted while it is on, and that a non-loopback address needs login.
func TestLoginRules(t *testing.T) {
	c := newFixture(t).MustLoad(t)
	fe := fieldErrors(t, func() error {
		_, err := c.Apply(context.Background(), patchOf(t, `{"login_enabled":true}`))
		return err
	}())
	if fe["login_passcode"] == "" {
		t.Fatal("login without passcode accepted")
	}
	mustApply(t, c, `{"login_enabled":true,"login_passcode":"correct horse"}`)
	_, err := c.Apply(context.Background(), patchOf(t, `{"login_passcode":null}`))
	if fieldErrors(t, err)["login_passcode"] == "" {
		t.Fatal("passcode deleted while login is on")
	}
	mustApply(t, c, `{"http_address":"0.0.0.0:5001","allowed_hosts":["192.168.1.20","mybox.local"]}`)
	_, err = c.Apply(context.Background(), patchOf(t, `{"login_enabled":false}`))
	if fieldErrors(t, err)["http_address"] == "" {
		t.Fatal("login turned off while listening on a non-loopback address")
	}
	mustApply(t, c, `{"login_enabled":false,"http_address":"127.0.0.1:0"}`)
	mustApply(t, c, `{"login_passcode":""}`)
	// With the passcode already saved, turning login on alone is fine.
	mustApply(t, c, `{"login_passcode":"correct horse"}`)
	mustApply(t, c, `{"login_enabled":true}`)
}

// Ensure the API token is generated once (32 random bytes), kept in the
// keychain, survives a restart, can be revealed, checked and rotated, and
// that YTSUM_API_TOKEN wins.
func TestAPIToken(t *testing.T) {
	f := newFixture(t)
	c := f.MustLoad(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	toks := make([]string, 8)
	for i := range toks {
		wg.Go(func() {
			tok, err := c.APIToken(ctx)
			if err != nil {
				t.Error(err)
			}
			toks[i] = tok
		})
	}
	wg.Wait()
	for _, tok := range toks {
		if tok != toks[0] {
			t.Fatalf("two tokens generated: %q %q", toks[0], tok)
		}
	}
	if len(toks[0]) != 43 {
		t.Fatalf("token length %d", len(toks[0]))
	}
	if got, _ := f.prov.value("api_token"); got != toks[0] {
		t.Fatal("token not kept in the keychain")
	}
	c2 := f.MustLoad(t)
	if tok, _ := c2.RevealAPIToken(ctx); tok != toks[0] {
		t.Fatal("token changed across a restart")
	}
	if !c2.CheckAPIToken(ctx, toks[0]) || c2.CheckAPIToken(ctx, toks[0][:42]+"x") || c2.CheckAPIToken(ctx, "") {
		t.Fatal("CheckAPIToken")
	}
	v := mustApply(t, c2, `{}`)
	if s := v.Secrets["api_token"]; !s.Set || s.Source != "keychain" {
		t.Fatalf("token view = %+v", s)
	}
	rot, err := c2.RotateAPIToken(ctx)
	if err != nil || rot == toks[0] || len(rot) != 43 {
		t.Fatalf("rotate = %q %v", rot, err)
	}
	if c2.CheckAPIToken(ctx, toks[0]) || !c2.CheckAPIToken(ctx, rot) {
		t.Fatal("old token still valid after rotation")
	}
	// A custom token through Apply, then delete: a new one is generated.
	mustApply(t, c2, `{"api_token":"my-own-script-token-123"}`)
	if !c2.CheckAPIToken(ctx, "my-own-script-token-123") {
		t.Fatal("custom token")
	}
	mustApply(t, c2, `{"api_token":null}`)
	if tok, _ := c2.APIToken(ctx); tok == "my-own-script-token-123" || len(tok) != 43 {
		t.Fatalf("after delete: %q", tok)
	}

	// The environment wins and cannot be rotated.
	c3 := newFixture(t, "YTSUM_API_TOKEN", "env-token-abcdefghijkl").MustLoad(t)
	if tok, _ := c3.APIToken(ctx); tok != "env-token-abcdefghijkl" {
		t.Fatalf("env token = %q", tok)
	}
	if _, err := c3.RotateAPIToken(ctx); ytsum.ErrorCode(err) != ytsum.CodeConflict {
		t.Fatalf("rotate env token: %v", err)
	}

	// No usable keychain and no opt-in: the token lives in memory.
	f4 := newFixture(t)
	f4.prov.err = errors.New("The name org.freedesktop.secrets was not provided by any .service files")
	c4 := f4.MustLoad(t)
	tok, err := c4.APIToken(ctx)
	if err != nil || len(tok) != 43 {
		t.Fatalf("memory token: %q %v", tok, err)
	}
	v = mustApply(t, c4, `{}`)
	if s := v.Secrets["api_token"]; s.Source != "" || !s.Set {
		t.Fatalf("memory token view = %+v", s)
	}
	if rot, err := c4.RotateAPIToken(ctx); err != nil || !c4.CheckAPIToken(ctx, rot) || c4.CheckAPIToken(ctx, tok) {
		t.Fatalf("rotate memory token: %v", err)
	}
}

// Ensure that without a keychain the user is told plainly, can opt in to the
// file (in the same patch as the key), and that opting out moves the keys
// into the keychain once it works.
func TestFileKeystoreOptIn(t *testing.T) {
	f := newFixture(t)
	f.prov.err = errors.New("The name org.freedesktop.secrets was not provided by any .service files")
	c := f.MustLoad(t)
	ctx := context.Background()
	v := mustApply(t, c, `{}`)
	if v.Keychain.State != keychain.StateMissing || v.Keychain.FileFallback || !strings.Contains(v.Keychain.Message, "less safe") {
		t.Fatalf("keychain = %+v", v.Keychain)
	}
	_, err := c.Apply(ctx, patchOf(t, `{"gemini_api_key":"AIzaSyTEST-file-0009"}`))
	var fe config.FieldErrors
	if ytsum.ErrorKind(err) != "secret_not_saved" || ytsum.ErrorCode(err) != ytsum.CodeUnavailable || !errors.As(err, &fe) || fe["gemini_api_key"] == "" {
		t.Fatalf("set without keychain: %v", err)
	}
	v = mustApply(t, c, `{"insecure_file_keystore":true,"gemini_api_key":"AIzaSyTEST-file-0009"}`)
	if s := v.Secrets["gemini_api_key"]; s.Source != "file" || !s.Set {
		t.Fatalf("gemini = %+v", s)
	}
	if !v.Keychain.FileFallback || v.Keychain.FileKeys != 1 {
		t.Fatalf("keychain = %+v", v.Keychain)
	}
	fi, err := os.Stat(filepath.Join(f.dir, keychain.FileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	// The keychain comes back; the user withdraws the opt-in.
	f.prov.mu.Lock()
	f.prov.err = nil
	f.prov.mu.Unlock()
	v = mustApply(t, c, `{"insecure_file_keystore":false}`)
	if s := v.Secrets["gemini_api_key"]; s.Source != "keychain" {
		t.Fatalf("after opt-out: %+v", s)
	}
	if _, err := os.Stat(filepath.Join(f.dir, keychain.FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("key file left: %v", err)
	}
}

// Ensure subscribers see every change in order, and can unsubscribe.
func TestSubscribe(t *testing.T) {
	c := newFixture(t).MustLoad(t)
	var got []string
	cancel := c.Subscribe(func(s config.Settings) { got = append(got, s.Theme) })
	mustApply(t, c, `{"theme":"dark"}`)
	mustApply(t, c, `{"theme":"light"}`)
	mustApply(t, c, `{"gemini_api_key":"AIzaSyTEST-sub-0001"}`) // secrets only: still notified
	mustApply(t, c, `{}`)                                       // nothing changed: not notified
	_, _ = c.Apply(context.Background(), patchOf(t, `{"theme":"x"}`))
	cancel()
	mustApply(t, c, `{"theme":"system"}`)
	if !slices.Equal(got, []string{"dark", "light", "light"}) {
		t.Fatalf("notifications = %v", got)
	}
}

// Ensure a store that refuses to save changes nothing.
func TestStoreFailure(t *testing.T) {
	f := newFixture(t)
	c := f.MustLoad(t)
	f.store.err = errors.New("disk full")
	_, err := c.Apply(context.Background(), patchOf(t, `{"theme":"dark"}`))
	if ytsum.ErrorCode(err) != ytsum.CodeInternal || c.Current().Theme != "system" {
		t.Fatalf("apply with a failing store: %v, theme %s", err, c.Current().Theme)
	}
}

// Ensure Current returns a copy that callers cannot use to change the
// settings, and that readers and writers can run at once (-race).
func TestConcurrentUse(t *testing.T) {
	c := newFixture(t).MustLoad(t)
	mustApply(t, c, `{"transcript_languages":["en"]}`)
	cur := c.Current()
	cur.TranscriptLanguages[0] = "xx"
	if c.Current().TranscriptLanguages[0] != "en" {
		t.Fatal("Current shares its slices")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 20 {
				switch (i + j) % 4 {
				case 0:
					_ = c.Current()
				case 1:
					if _, err := c.View(ctx); err != nil {
						t.Error(err)
					}
				case 2:
					theme := []string{"dark", "light"}[j%2]
					if _, err := c.Apply(ctx, patchOf(t, `{"theme":"`+theme+`"}`)); err != nil {
						t.Error(err)
					}
				case 3:
					_, _ = c.Secret(ctx, config.SecretGeminiKey)
				}
			}
		})
	}
	wg.Wait()
}

// Ensure SETTINGS.md is the generated table (go test -run TestSettingsDoc -update).
func TestSettingsDoc(t *testing.T) {
	want := config.Markdown()
	if *update {
		if err := os.WriteFile("SETTINGS.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("SETTINGS.md")
	if err != nil || string(got) != want {
		t.Fatalf("SETTINGS.md is out of date; run go test ./backend/config -run TestSettingsDoc -update (%v)", err)
	}
	for _, s := range []string{"api_token", "gemini_api_key", "WORKER_POOL_SIZE", "after restart", "insecure_file_keystore"} {
		if !strings.Contains(want, s) {
			t.Errorf("SETTINGS.md lacks %s", s)
		}
	}
}

// default_model is automatic by default (empty) and can be set back to
// automatic after a model was chosen.
func TestDefaultModelAutomatic(t *testing.T) {
	c := newFixture(t).MustLoad(t)
	if got := c.Current().DefaultModel; got != "" {
		t.Fatalf("default_model by default = %q, want automatic (empty)", got)
	}
	if _, err := c.Apply(context.Background(), patchOf(t, `{"default_model":"gpt-5-mini"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(context.Background(), patchOf(t, `{"default_model":""}`)); err != nil {
		t.Fatalf("setting default_model back to automatic: %v", err)
	}
	if got := c.Current().DefaultModel; got != "" {
		t.Fatalf("default_model = %q after choosing automatic", got)
	}
}
