package config_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/config"
	"ytsum/backend/summarize/gemini"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/summarize/openai"
	"ytsum/backend/ytsum"
)

// attacker is a local process's server that someone set as a provider's
// base URL. It answers like the real APIs (empty model lists) and records
// every credential it is sent.
type attacker struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string // every x-goog-api-key, key= and Authorization value received
	n   int      // requests received
}

func newAttacker(t *testing.T) *attacker {
	a := &attacker{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.n++
		for _, v := range []string{r.Header.Get("x-goog-api-key"), r.URL.Query().Get("key"), r.Header.Get("Authorization")} {
			if v != "" {
				a.got = append(a.got, v)
			}
		}
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/models") && strings.Contains(r.URL.Path, "v1beta"):
			_, _ = w.Write([]byte(`{"models":[]}`))
		case strings.HasSuffix(r.URL.Path, "/models"):
			_, _ = w.Write([]byte(`{"object":"list","data":[]}`))
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}`))
		}
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *attacker) received() (n int, creds []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n, append([]string(nil), a.got...)
}

// providers builds the real Gemini and OpenAI providers reading their key
// and base URL from c on every call, as the app wires them.
func providers(c *config.Config) (*gemini.Provider, *openai.Provider) {
	key := func(name string) llm.Key {
		return func(ctx context.Context) string { v, _ := c.Secret(ctx, name); return v }
	}
	g := gemini.New(gemini.Options{APIKey: key(config.SecretGeminiKey), BaseURL: func() string { return c.Current().GeminiBaseURL }})
	o := openai.New(openai.Options{APIKey: key(config.SecretOpenAIKey), BaseURL: func() string { return c.Current().OpenAIBaseURL }})
	return g, o
}

// callBoth lists models and asks for a summary through both providers.
func callBoth(t *testing.T, g *gemini.Provider, o *openai.Provider) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = g.ListModels(ctx)
	_, _ = o.ListModels(ctx)
	req := llm.Request{Model: "gemini-2.5-flash", Prompt: "Summarize.", MaxOutputTokens: 10}
	_, _ = g.Stream(ctx, req, nil)
	req.Model = "gpt-5-mini"
	_, _ = o.Stream(ctx, req, nil)
}

const (
	storedGemini = "AIzaSy-STORED-gemini-key-0001"
	storedOpenAI = "sk-STORED-openai-key-0002"
)

func TestBaseURLChangeNeverSendsStoredKeyToNewHost(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		trusted bool
		patch   func(url string) string
		// wantErr: the change is refused and nothing changes.
		wantErr     string
		wantCleared []string
		// wantKeys: the keys left afterwards (gemini, openai).
		wantGemini, wantOpenAI bool
		// wantCreds: the only credentials the attacker may receive.
		wantCreds []string
	}{
		{name: "http: gemini base URL without the key clears the Gemini key",
			patch:       func(u string) string { return `{"gemini_base_url":"` + u + `"}` },
			wantCleared: []string{config.SecretGeminiKey}, wantGemini: false, wantOpenAI: true},
		{name: "http: openai base URL without the key clears the OpenAI key",
			patch:       func(u string) string { return `{"openai_base_url":"` + u + `/v1"}` },
			wantCleared: []string{config.SecretOpenAIKey}, wantGemini: true, wantOpenAI: false},
		{name: "http: both base URLs clear both keys",
			patch:       func(u string) string { return `{"gemini_base_url":"` + u + `","openai_base_url":"` + u + `/v1"}` },
			wantCleared: []string{config.SecretGeminiKey, config.SecretOpenAIKey}},
		{name: "http: the key sent with the change is the only one the new host gets",
			patch: func(u string) string {
				return `{"gemini_base_url":"` + u + `","gemini_api_key":"AIza-NEW-key-for-proxy","openai_base_url":"` + u + `/v1","openai_api_key":"sk-NEW-proxy"}`
			},
			wantGemini: true, wantOpenAI: true, wantCreds: []string{"AIza-NEW-key-for-proxy", "Bearer sk-NEW-proxy"}},
		{name: "http: a key deleted with the change",
			patch:      func(u string) string { return `{"gemini_base_url":"` + u + `","gemini_api_key":""}` },
			wantGemini: false, wantOpenAI: true},
		{name: "http: a key from the environment must come with the change",
			env:     []string{"GEMINI_API_KEY", "AIza-ENV-key-0003"},
			patch:   func(u string) string { return `{"gemini_base_url":"` + u + `"}` },
			wantErr: "GEMINI_API_KEY", wantGemini: true, wantOpenAI: true},
		{name: "window: the user at the keyboard keeps the keys",
			trusted:    true,
			patch:      func(u string) string { return `{"gemini_base_url":"` + u + `","openai_base_url":"` + u + `/v1"}` },
			wantGemini: true, wantOpenAI: true,
			wantCreds: []string{storedGemini, "Bearer " + storedOpenAI}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evil := newAttacker(t)
			f := newFixture(t, tt.env...)
			c := f.MustLoad(t)
			if len(tt.env) == 0 {
				mustApply(t, c, `{"gemini_api_key":"`+storedGemini+`","openai_api_key":"`+storedOpenAI+`"}`)
			} else {
				mustApply(t, c, `{"openai_api_key":"`+storedOpenAI+`"}`)
			}
			ctx := context.Background()
			apply := c.Apply
			if tt.trusted {
				apply = c.ApplyTrusted
			}
			v, err := apply(ctx, patchOf(t, tt.patch(evil.srv.URL)))
			if tt.wantErr != "" {
				var fe config.FieldErrors
				if err == nil || !strings.Contains(err.Error()+ytsum.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s (%v)", err, tt.wantErr, fe)
				}
				if c.Current().GeminiBaseURL != "" {
					t.Fatal("the refused base URL took effect")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if strings.Join(v.ClearedSecrets, ",") != strings.Join(tt.wantCleared, ",") {
				t.Errorf("cleared %v, want %v", v.ClearedSecrets, tt.wantCleared)
			}
			if got := c.HasSecret(ctx, config.SecretGeminiKey); got != tt.wantGemini {
				t.Errorf("Gemini key set = %v, want %v", got, tt.wantGemini)
			}
			if got := c.HasSecret(ctx, config.SecretOpenAIKey); got != tt.wantOpenAI {
				t.Errorf("OpenAI key set = %v, want %v", got, tt.wantOpenAI)
			}

			g, o := providers(c)
			callBoth(t, g, o)
			n, creds := evil.received()
			for _, cr := range creds {
				ok := false
				for _, w := range tt.wantCreds {
					ok = ok || cr == w
				}
				if !ok || (!tt.trusted && (strings.Contains(cr, storedGemini) || strings.Contains(cr, storedOpenAI))) {
					t.Errorf("the attacker received the credential %q", cr)
				}
			}
			if tt.trusted && len(creds) == 0 {
				t.Fatal("the trusted change kept the keys, yet the new host got none: the test cannot see keys")
			}
			t.Logf("attacker: %d requests, credentials %q", n, creds)
		})
	}
}

// TestBaseURLResetToOfficialKeepsKey: going back to the provider's own
// address is not a new host; the key stays.
func TestBaseURLResetToOfficialKeepsKey(t *testing.T) {
	f := newFixture(t)
	c := f.MustLoad(t)
	mustApply(t, c, `{"openai_base_url":"http://127.0.0.1:11434/v1","gemini_base_url":"http://127.0.0.1:9/"}`)
	mustApply(t, c, `{"gemini_api_key":"`+storedGemini+`","openai_api_key":"`+storedOpenAI+`"}`)
	v := mustApply(t, c, `{"openai_base_url":null,"gemini_base_url":""}`)
	if len(v.ClearedSecrets) != 0 || !v.Secrets[config.SecretGeminiKey].Set || !v.Secrets[config.SecretOpenAIKey].Set {
		t.Fatalf("cleared %v, secrets %+v", v.ClearedSecrets, v.Secrets)
	}
}

// TestSecretViewIsSetAndSourceOnly: the JSON of every secret is exactly
// {"set":…,"source":…} with source keychain, environment, file or null.
func TestSecretViewIsSetAndSourceOnly(t *testing.T) {
	f := newFixture(t, "OPENAI_API_KEY", "sk-env-value-123456789")
	c := f.MustLoad(t)
	mustApply(t, c, `{"gemini_api_key":"`+storedGemini+`","login_passcode":"1234-secret"}`)
	v, err := c.View(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v.Secrets)
	var got map[string]map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{config.SecretGeminiKey: `{"set":true,"source":"keychain"}`,
		config.SecretOpenAIKey: `{"set":true,"source":"environment"}`, config.SecretLoginPasscode: `{"set":true,"source":"keychain"}`,
		config.SecretTTSKey: `{"set":false,"source":null}`}
	for name, w := range want {
		one, _ := json.Marshal(v.Secrets[name])
		if string(one) != w {
			t.Errorf("%s = %s, want %s", name, one, w)
		}
	}
	for name, fields := range got {
		if len(fields) != 2 {
			t.Errorf("%s has fields %v, want only set and source", name, fields)
		}
	}
	for _, s := range []string{storedGemini, "sk-env-value-123456789", "1234-secret", "0001", "6789", "cret"} {
		if strings.Contains(string(b), s) {
			t.Errorf("the secrets view holds %q: %s", s, b)
		}
	}
	var back config.SecretState
	if err := json.Unmarshal([]byte(`{"set":true,"source":"file"}`), &back); err != nil || back != (config.SecretState{Set: true, Source: "file"}) {
		t.Fatalf("round trip: %+v %v", back, err)
	}
}

// TestRemovedUILanguageIsDroppedQuietly: a ui_language saved by an older
// version loads without a warning, is not a setting any more, and is gone
// from the store after the next change.
func TestRemovedUILanguageIsDroppedQuietly(t *testing.T) {
	f := newFixture(t)
	f.store.data = []byte(`{"version":1,"settings":{"ui_language":"de","theme":"dark"}}`)
	c := f.MustLoad(t)
	if c.Current().Theme != "dark" {
		t.Fatal("the other saved settings were lost")
	}
	if strings.Contains(f.logs.String(), "ui_language") {
		t.Fatalf("the migration logged: %s", f.logs.String())
	}
	b, _ := json.Marshal(c.Current())
	if strings.Contains(string(b), "ui_language") {
		t.Fatalf("settings still hold ui_language: %s", b)
	}
	mustApply(t, c, `{"theme":"light"}`)
	if strings.Contains(string(f.store.data), "ui_language") {
		t.Fatalf("the store still holds ui_language: %s", f.store.data)
	}
}

func TestGeminiVideoFallbackSetting(t *testing.T) {
	c := newFixture(t).MustLoad(t)
	if got := c.Current().GeminiVideoFallback; got != config.VideoFallbackLow {
		t.Fatalf("default %q, want low", got)
	}
	for _, v := range []string{config.VideoFallbackOff, config.VideoFallbackDefault, config.VideoFallbackLow} {
		if got := mustApply(t, c, `{"gemini_video_fallback":"`+v+`"}`).Settings.GeminiVideoFallback; got != v {
			t.Fatalf("set %q, got %q", v, got)
		}
	}
}

// TestBaseURLChangeDuringCalls: model listings running while the address
// changes never carry the stored key to the new address.
func TestBaseURLChangeDuringCalls(t *testing.T) {
	honest, evil := newAttacker(t), newAttacker(t)
	f := newFixture(t)
	c := f.MustLoad(t)
	mustApply(t, c, `{"gemini_base_url":"`+honest.srv.URL+`","openai_base_url":"`+honest.srv.URL+`/v1"}`)
	mustApply(t, c, `{"gemini_api_key":"`+storedGemini+`","openai_api_key":"`+storedOpenAI+`"}`)
	g, o := providers(c)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, _ = g.ListModels(ctx)
				_, _ = o.ListModels(ctx)
				cancel()
			}
		}()
	}
	// Wait until the listings reach the honest server, then move both
	// providers to the other address.
	for n, _ := honest.received(); n < 4; n, _ = honest.received() {
		runtime.Gosched()
	}
	mustApply(t, c, `{"gemini_base_url":"`+evil.srv.URL+`","openai_base_url":"`+evil.srv.URL+`/v1"}`)
	for n, _ := evil.received(); n < 4; n, _ = evil.received() {
		runtime.Gosched()
	}
	close(done)
	wg.Wait()
	n, creds := evil.received()
	for _, cr := range creds {
		if strings.Contains(cr, storedGemini) || strings.Contains(cr, storedOpenAI) {
			t.Fatalf("the new address received the stored key %q", cr)
		}
	}
	hn, hcreds := honest.received()
	if len(hcreds) == 0 {
		t.Fatal("the honest server never saw a key: the test cannot see keys")
	}
	t.Logf("honest: %d requests with %d keys; new address: %d requests with keys %q", hn, len(hcreds), n, creds)
}
