package summarize

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"ytsum/backend/summarize/internal/fakellm"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		in       ytsum.SummaryOptions
		want     ytsum.SummaryOptions
		wantKind string
	}{
		{name: "no key means local", in: ytsum.SummaryOptions{},
			want: ytsum.SummaryOptions{Model: "local", Style: "audio", Length: "medium", Language: "same"}},
		{name: "gemini key means gemini-2.5-flash", opts: Options{GeminiKey: apiKey("k")},
			want: ytsum.SummaryOptions{Model: "gemini-2.5-flash", Style: "audio", Length: "medium", Language: "en"}},
		{name: "openai key means gpt-5-mini", opts: Options{OpenAIKey: apiKey("k")},
			want: ytsum.SummaryOptions{Model: "gpt-5-mini", Style: "audio", Length: "medium", Language: "en"}},
		{name: "default setting wins", opts: Options{GeminiKey: apiKey("k"), DefaultModel: str("gemini-2.5-pro")},
			want: ytsum.SummaryOptions{Model: "gemini-2.5-pro", Style: "audio", Length: "medium", Language: "en"}},
		{name: "unusable default setting falls back to local", opts: Options{DefaultModel: str("gpt-5")},
			want: ytsum.SummaryOptions{Model: "local", Style: "audio", Length: "medium", Language: "same"}},
		{name: "ui language is the default language", opts: Options{GeminiKey: apiKey("k"), UILanguage: str("pt-BR")},
			in:   ytsum.SummaryOptions{Style: "KEY_POINTS", Length: "long"},
			want: ytsum.SummaryOptions{Model: "gemini-2.5-flash", Style: "key_points", Length: "long", Language: "pt-BR"}},
		{name: "same language", opts: Options{OpenAIKey: apiKey("k")}, in: ytsum.SummaryOptions{Model: "gpt-4o", Language: "same", Regenerate: true},
			want: ytsum.SummaryOptions{Model: "gpt-4o", Style: "audio", Length: "medium", Language: "same", Regenerate: true}},
		{name: "original keys are valid with a key", opts: Options{OpenAIKey: apiKey("k")}, in: ytsum.SummaryOptions{Model: "gpt-5", Language: "de"},
			want: ytsum.SummaryOptions{Model: "gpt-5", Style: "audio", Length: "medium", Language: "de"}},
		// Refused at submit time rather than after every video was fetched.
		{name: "a known model without its key", in: ytsum.SummaryOptions{Model: "gpt-5"}, wantKind: llm.KindKeyMissing},
		{name: "a Gemini model without its key", in: ytsum.SummaryOptions{Model: "gemini-2.5-pro"}, wantKind: llm.KindKeyMissing},
		{name: "custom with template", opts: Options{GeminiKey: apiKey("k"), CustomPrompt: str("Summarize {{.Title}}: {{.Transcript}}")},
			in:   ytsum.SummaryOptions{Style: "custom"},
			want: ytsum.SummaryOptions{Model: "gemini-2.5-flash", Style: "custom", Length: "medium", Language: "en"}},
		{name: "unknown model", in: ytsum.SummaryOptions{Model: "davinci"}, wantKind: llm.KindInvalidOption},
		{name: "unknown style", in: ytsum.SummaryOptions{Style: "poem"}, wantKind: llm.KindInvalidOption},
		{name: "unknown length", in: ytsum.SummaryOptions{Length: "xxl"}, wantKind: llm.KindInvalidOption},
		{name: "bad language", opts: Options{GeminiKey: apiKey("k")}, in: ytsum.SummaryOptions{Language: "not a language!"}, wantKind: llm.KindInvalidOption},
		{name: "custom without template", opts: Options{GeminiKey: apiKey("k")}, in: ytsum.SummaryOptions{Style: "custom"}, wantKind: llm.KindInvalidOption},
		{name: "custom with broken template", opts: Options{GeminiKey: apiKey("k"), CustomPrompt: str("{{.Title")},
			in: ytsum.SummaryOptions{Style: "custom"}, wantKind: llm.KindInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestService(t, tt.opts)
			got, err := s.Resolve(t.Context(), tt.in)
			if tt.wantKind != "" {
				e := mustKind(t, err, tt.wantKind)
				if e.Code != ytsum.CodeInvalid {
					t.Fatalf("code = %s, want invalid", e.Code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Resolve = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCacheKey(t *testing.T) {
	tmpl := "A: {{.Transcript}}"
	s, _ := newTestService(t, Options{GeminiKey: apiKey("k"), OpenAIKey: apiKey("k"), CustomPrompt: func() string { return tmpl }})
	base := ytsum.SummaryOptions{Model: "gemini-2.5-flash", Style: "audio", Length: "medium", Language: "en"}
	k0 := s.CacheKey(t.Context(), "abc", base)
	if !strings.HasPrefix(k0, "abc:") {
		t.Fatalf("key %q does not start with the video ID", k0)
	}
	if s.CacheKey(t.Context(), "abc", base) != k0 {
		t.Fatal("key is not stable")
	}
	regen := base
	regen.Regenerate = true
	if s.CacheKey(t.Context(), "abc", regen) != k0 {
		t.Fatal("Regenerate changed the key; the caller bypasses the cache instead")
	}
	seen := map[string]string{k0: "base"}
	for name, o := range map[string]ytsum.SummaryOptions{
		"model":    {Model: "gpt-5", Style: "audio", Length: "medium", Language: "en"},
		"style":    {Model: "gemini-2.5-flash", Style: "chapters", Length: "medium", Language: "en"},
		"length":   {Model: "gemini-2.5-flash", Style: "audio", Length: "long", Language: "en"},
		"language": {Model: "gemini-2.5-flash", Style: "audio", Length: "medium", Language: "same"},
		"custom":   {Model: "gemini-2.5-flash", Style: "custom", Length: "medium", Language: "en"},
	} {
		k := s.CacheKey(t.Context(), "abc", o)
		if prev, dup := seen[k]; dup {
			t.Fatalf("%s gives the same key as %s", name, prev)
		}
		seen[k] = name
	}
	if s.CacheKey(t.Context(), "abd", base) == k0 {
		t.Fatal("video ID not in key")
	}
	custom := ytsum.SummaryOptions{Model: "gemini-2.5-flash", Style: "custom", Length: "medium", Language: "en"}
	k1 := s.CacheKey(t.Context(), "abc", custom)
	tmpl = "B: {{.Transcript}}"
	if s.CacheKey(t.Context(), "abc", custom) == k1 {
		t.Fatal("a changed custom template keeps the key")
	}
}

func TestSummarizeGeminiStreams(t *testing.T) {
	g := geminiFake(t)
	g.Handle = func(c fakellm.Call) fakellm.Reply {
		return fakellm.Reply{Deltas: []string{"Hel", "lo ", "world."}, Usage: [3]int{120, 3, 123}}
	}
	clk := &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	s, _ := newTestService(t, Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(g.URL), UILanguage: str("fr"), Now: clk.now})
	var deltas []string
	sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(300),
		Options: ytsum.SummaryOptions{Style: "key_points"}}, func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(deltas, "|"); got != "Hel|lo |world." {
		t.Fatalf("deltas = %q", got)
	}
	want := ytsum.Summary{Video: testVideo, Text: "Hello world.", Model: "gemini-2.5-flash", Provider: "google", Style: "key_points",
		Length: "medium", Language: "fr", PromptVersion: PromptVersion, TranscriptLanguage: "en", TranscriptKind: "generated",
		Usage: ytsum.Usage{InputTokens: 120, OutputTokens: 3, TotalTokens: 123}}
	want.CacheKey = s.CacheKey(t.Context(), testVideo.ID, ytsum.SummaryOptions{Model: "gemini-2.5-flash", Style: "key_points", Length: "medium", Language: "fr"})
	got := *sum
	if got.ElapsedMS <= 0 || got.CreatedAt.IsZero() {
		t.Fatalf("timings not filled: %d ms at %v", got.ElapsedMS, got.CreatedAt)
	}
	got.ElapsedMS, got.CreatedAt = 0, time.Time{}
	if got != want {
		t.Fatalf("summary =\n%+v\nwant\n%+v", got, want)
	}
	calls := g.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d calls, want 1", len(calls))
	}
	c := calls[0]
	if !c.Stream || c.Query != "alt=sse" || c.Model != "gemini-2.5-flash" {
		t.Fatalf("call = %s?%s model %s", c.Path, c.Query, c.Model)
	}
	if c.System != systemPrompt || !strings.Contains(c.Prompt, "[00:00] seg00000") || !strings.Contains(c.Prompt, "in French") {
		t.Fatalf("prompt lacks transcript or language:\n%s", c.Prompt)
	}
}

func TestSummarizeOpenAIStreams(t *testing.T) {
	tests := []struct {
		name, model   string
		key           string
		custom        bool
		wantCap       any // max_completion_tokens sent
		wantAuthorize bool
	}{
		{name: "gpt-5 reasoning gets a generous max_completion_tokens", model: "gpt-5", key: "o-key", wantCap: float64(32000), wantAuthorize: true},
		{name: "gpt-4o is not capped", model: "gpt-4o", key: "o-key", wantAuthorize: true},
		{name: "compatible server without key", model: "llama3.2", custom: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := openaiFake(t, tt.key, "llama3.2")
			o.Comments = true
			o.Handle = func(c fakellm.Call) fakellm.Reply {
				return fakellm.Reply{Deltas: []string{"A ", "summary."}, Usage: [3]int{50, 2, 52}}
			}
			opts := Options{OpenAIBaseURL: str(o.URL + "/v1")}
			if tt.key != "" {
				opts.OpenAIKey = apiKey(tt.key)
			}
			if !tt.custom {
				// Point "OpenAI's API" at the fake; the model table still applies.
				opts.OpenAIBaseURL = str(o.URL + "/v1")
			}
			s, _ := newTestService(t, opts)
			var deltas []string
			sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(200),
				Options: ytsum.SummaryOptions{Model: tt.model, Language: "en"}}, func(d string) { deltas = append(deltas, d) })
			if err != nil {
				t.Fatal(err)
			}
			if sum.Text != "A summary." || strings.Join(deltas, "|") != "A |summary." || sum.Provider != "openai" || sum.Model != tt.model {
				t.Fatalf("summary %+v deltas %q", sum, deltas)
			}
			if sum.Usage != (ytsum.Usage{InputTokens: 50, OutputTokens: 2, TotalTokens: 52}) {
				t.Fatalf("usage = %+v", sum.Usage)
			}
			c := o.Calls()[0]
			if c.Body["max_tokens"] != nil || c.Body["max_completion_tokens"] != tt.wantCap {
				t.Fatalf("caps: max_tokens=%v max_completion_tokens=%v, want %v", c.Body["max_tokens"], c.Body["max_completion_tokens"], tt.wantCap)
			}
			if so, _ := c.Body["stream_options"].(map[string]any); so["include_usage"] != true {
				t.Fatalf("stream_options = %v", c.Body["stream_options"])
			}
			if got := c.Header.Get("Authorization") != ""; got != tt.wantAuthorize {
				t.Fatalf("Authorization sent = %v, want %v", got, tt.wantAuthorize)
			}
		})
	}
}

func TestLocalIsDefaultAndOffline(t *testing.T) {
	s, _ := newTestService(t, Options{})
	var lines []string
	sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(3000)}, func(d string) { lines = append(lines, d) })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Model != "local" || sum.Provider != "local" || sum.PromptVersion != localVersion || sum.Language != "en" {
		t.Fatalf("summary = %+v", sum)
	}
	if len(lines) < 5 || strings.Join(lines, "") != sum.Text+"\n" {
		t.Fatalf("%d streamed lines do not make the text", len(lines))
	}
	if sum.Style != "audio" || strings.Contains(sum.Text, "[") {
		t.Fatalf("audio (the default style) with timestamps: %q", sum.Text[:40])
	}
}

func TestErrors(t *testing.T) {
	retryInfo := map[string]any{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}
	gem := func(code int, status, msg string, d ...map[string]any) fakellm.Reply {
		return fakellm.Reply{Status: code, Body: fakellm.GeminiErrorBody(code, status, msg, d...)}
	}
	oai := func(code int, msg, typ, c string, h map[string]string) fakellm.Reply {
		return fakellm.Reply{Status: code, Body: fakellm.OpenAIErrorBody(msg, typ, c), Header: h}
	}
	tests := []struct {
		name      string
		provider  string // "gemini", "openai", "ollama"
		key       string // key the service uses; "" means the right one
		replies   []fakellm.Reply
		wantKind  string
		wantCode  ytsum.Code
		wantCalls int
		wantWaits []time.Duration // exact retry waits (jitter-free cases)
		wantRetry time.Duration   // RetryAfter of the final error
		wantText  string          // for cases that recover
	}{
		{name: "gemini invalid key", provider: "gemini", key: "wrong", wantKind: llm.KindInvalidKey, wantCode: ytsum.CodeUnauthorized, wantCalls: 0},
		{name: "gemini 429 RetryInfo retried then ok", provider: "gemini",
			replies:  []fakellm.Reply{gem(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota", retryInfo), {Deltas: []string{"ok."}}},
			wantText: "ok.", wantCalls: 2, wantWaits: []time.Duration{7 * time.Second}},
		{name: "gemini 429 retries are bounded", provider: "gemini",
			replies:  []fakellm.Reply{gem(429, "RESOURCE_EXHAUSTED", "quota", retryInfo)},
			wantKind: llm.KindRateLimited, wantCode: ytsum.CodeRateLimited, wantCalls: 4, wantRetry: 7 * time.Second,
			wantWaits: []time.Duration{7 * time.Second, 7 * time.Second, 7 * time.Second}},
		{name: "gemini long RetryInfo is not waited for", provider: "gemini",
			replies:  []fakellm.Reply{gem(429, "RESOURCE_EXHAUSTED", "quota", map[string]any{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3600s"})},
			wantKind: llm.KindRateLimited, wantCode: ytsum.CodeRateLimited, wantCalls: 1, wantRetry: time.Hour},
		{name: "gemini model not found", provider: "gemini", replies: []fakellm.Reply{gem(404, "NOT_FOUND", "models/x is not found")},
			wantKind: llm.KindModelNotFound, wantCode: ytsum.CodeNotFound, wantCalls: 1},
		{name: "gemini prompt blocked", provider: "gemini", replies: []fakellm.Reply{{Block: "SAFETY"}},
			wantKind: llm.KindSafetyBlocked, wantCode: ytsum.CodeInvalid, wantCalls: 1},
		{name: "gemini answer stopped for safety", provider: "gemini", replies: []fakellm.Reply{{Deltas: []string{""}, Finish: "SAFETY"}},
			wantKind: llm.KindSafetyBlocked, wantCode: ytsum.CodeInvalid, wantCalls: 1},
		{name: "gemini empty answer", provider: "gemini", replies: []fakellm.Reply{{Deltas: []string{""}, Finish: "MAX_TOKENS"}},
			wantKind: llm.KindEmptyAnswer, wantCode: ytsum.CodeUnavailable, wantCalls: 1},
		{name: "gemini 503 overloaded retried then ok", provider: "gemini",
			replies:  []fakellm.Reply{gem(503, "UNAVAILABLE", "The model is overloaded."), {Deltas: []string{"fine."}}},
			wantText: "fine.", wantCalls: 2},
		{name: "gemini mid-stream 503 after text is not retried", provider: "gemini",
			replies:  []fakellm.Reply{{Deltas: []string{"partial "}, MidError: `{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}`}},
			wantKind: llm.KindOverloaded, wantCode: ytsum.CodeUnavailable, wantCalls: 1},
		{name: "gemini billing required", provider: "gemini", replies: []fakellm.Reply{gem(400, "FAILED_PRECONDITION", "User location is not supported for the API use.")},
			wantKind: llm.KindBillingRequired, wantCode: ytsum.CodeUnauthorized, wantCalls: 1},
		{name: "openai invalid key", provider: "openai", key: "wrong", wantKind: llm.KindInvalidKey, wantCode: ytsum.CodeUnauthorized, wantCalls: 0},
		{name: "openai 429 Retry-After retried then ok", provider: "openai",
			replies: []fakellm.Reply{oai(429, "Rate limit reached", "requests", "rate_limit_exceeded",
				map[string]string{"Retry-After": "9", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s"}), {Deltas: []string{"ok."}}},
			wantText: "ok.", wantCalls: 2, wantWaits: []time.Duration{9 * time.Second}},
		{name: "openai insufficient quota is not retried", provider: "openai",
			replies:  []fakellm.Reply{oai(429, "You exceeded your current quota", "insufficient_quota", "insufficient_quota", nil)},
			wantKind: llm.KindQuotaExceeded, wantCode: ytsum.CodeRateLimited, wantCalls: 1},
		{name: "openai model not found", provider: "openai",
			replies:  []fakellm.Reply{oai(404, "The model `gpt-5` does not exist", "invalid_request_error", "model_not_found", nil)},
			wantKind: llm.KindModelNotFound, wantCode: ytsum.CodeNotFound, wantCalls: 1},
		{name: "openai content filter", provider: "openai", replies: []fakellm.Reply{{Deltas: []string{""}, Finish: "content_filter"}},
			wantKind: llm.KindSafetyBlocked, wantCode: ytsum.CodeInvalid, wantCalls: 1},
		{name: "openai empty answer of a reasoning model", provider: "openai", replies: []fakellm.Reply{{Finish: "length"}},
			wantKind: llm.KindEmptyAnswer, wantCode: ytsum.CodeUnavailable, wantCalls: 1},
		{name: "openai 503 retried then ok", provider: "openai",
			replies:  []fakellm.Reply{oai(503, "The server is overloaded", "server_error", "", nil), {Deltas: []string{"ok."}}},
			wantText: "ok.", wantCalls: 2},
		{name: "openai mid-stream error", provider: "openai",
			replies:  []fakellm.Reply{{Deltas: []string{"x"}, MidError: `{"error":{"message":"overloaded","type":"server_error","code":"server_error"}}`}},
			wantKind: llm.KindOverloaded, wantCode: ytsum.CodeUnavailable, wantCalls: 1},
		{name: "ollama string error for a missing model", provider: "ollama",
			replies:  []fakellm.Reply{{Status: 404, Body: `{"error":"model \"llama3.2\" not found, try pulling it first"}`}},
			wantKind: llm.KindModelNotFound, wantCode: ytsum.CodeNotFound, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				fake  interface{ Calls() []fakellm.Call }
				opts  Options
				model string
				n     int
			)
			handle := func(c fakellm.Call) fakellm.Reply {
				r := tt.replies[min(n, len(tt.replies)-1)]
				n++
				return r
			}
			key := func(def string) llm.Key {
				if tt.key != "" {
					return apiKey(tt.key)
				}
				return apiKey(def)
			}
			switch tt.provider {
			case "gemini":
				g := geminiFake(t)
				g.Handle, fake = handle, g
				opts, model = Options{GeminiKey: key("g-key"), GeminiBaseURL: str(g.URL)}, "gemini-2.5-flash"
			case "openai":
				o := openaiFake(t, "o-key")
				o.Handle, fake = handle, o
				opts, model = Options{OpenAIKey: key("o-key"), OpenAIBaseURL: str(o.URL + "/v1")}, "gpt-5"
			case "ollama":
				o := openaiFake(t, "")
				o.Handle, fake = handle, o
				opts, model = Options{OpenAIBaseURL: str(o.URL + "/v1")}, "llama3.2"
			}
			s, w := newTestService(t, opts)
			sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(100),
				Options: ytsum.SummaryOptions{Model: model}}, nil)
			if got := len(fake.Calls()); got != tt.wantCalls {
				t.Errorf("%d generation calls, want %d", got, tt.wantCalls)
			}
			if tt.wantWaits != nil && fmt.Sprint(w.all()) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("retry waits = %v, want %v", w.all(), tt.wantWaits)
			}
			if tt.wantKind == "" {
				if err != nil {
					t.Fatal(err)
				}
				if sum.Text != tt.wantText {
					t.Fatalf("text = %q", sum.Text)
				}
				return
			}
			e := mustKind(t, err, tt.wantKind)
			if e.Code != tt.wantCode {
				t.Errorf("code = %s, want %s", e.Code, tt.wantCode)
			}
			if e.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", e.RetryAfter, tt.wantRetry)
			}
			t.Logf("message: %s", e.Message)
		})
	}
}

func TestOffline(t *testing.T) {
	g := fakellm.NewGemini("g-key")
	url := g.URL
	g.Close() // nothing listens there any more
	s, _ := newTestService(t, Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(url)})
	_, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(100)}, nil)
	mustKind(t, err, llm.KindOffline)
	// The registry still answers, from the built-in list.
	ms := s.Models(context.Background())
	if !contains(AvailableKeys(ms), "gemini-2.5-flash") || !contains(AvailableKeys(ms), "local") {
		t.Fatalf("offline registry = %v", AvailableKeys(ms))
	}
}

func TestNoTranscript(t *testing.T) {
	g := geminiFake(t)
	o := openaiFake(t, "o-key")
	s, _ := newTestService(t, Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(g.URL), OpenAIKey: apiKey("o-key"), OpenAIBaseURL: str(o.URL + "/v1")})
	for _, m := range []string{"gpt-5", "local"} {
		_, err := s.Summarize(context.Background(), Input{Video: testVideo, Options: ytsum.SummaryOptions{Model: m}}, nil)
		if e := mustKind(t, err, llm.KindNoTranscript); !strings.Contains(e.Message, "Gemini") {
			t.Errorf("%s: message %q does not point to Gemini", m, e.Message)
		}
	}
	var deltas []string
	sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: &ytsum.Transcript{Segments: []ytsum.Segment{{Text: "  "}}}},
		func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if !sum.FromVideo || sum.Text != "Final summary." || len(deltas) != 2 {
		t.Fatalf("summary %+v, deltas %q", sum, deltas)
	}
	c := g.Calls()[0]
	if c.FileURI != "https://www.youtube.com/watch?v="+testVideo.ID || !strings.Contains(c.Prompt, "attached YouTube video") {
		t.Fatalf("call fileUri %q prompt %q", c.FileURI, c.Prompt)
	}
	if c.MediaRes != "MEDIA_RESOLUTION_LOW" || c.FileMIME != "video/mp4" {
		t.Fatalf("the video was sent at %q as %q; want low resolution (the default setting) as video/mp4", c.MediaRes, c.FileMIME)
	}
	if sum.VideoResolution != VideoFallbackLow {
		t.Fatalf("summary video resolution %q", sum.VideoResolution)
	}
}

// TestVideoFallbackSetting: gemini_video_fallback decides whether a video
// without captions is watched, and at which media resolution; the request
// always names the video as video/mp4, and the summary says it was made
// from the video.
func TestVideoFallbackSetting(t *testing.T) {
	tests := []struct {
		setting  string
		wantErr  bool
		wantRes  string // generationConfig.mediaResolution sent
		wantNote string // Summary.VideoResolution
	}{
		{"", false, "MEDIA_RESOLUTION_LOW", VideoFallbackLow},
		{VideoFallbackLow, false, "MEDIA_RESOLUTION_LOW", VideoFallbackLow},
		{VideoFallbackDefault, false, "", VideoFallbackDefault},
		{VideoFallbackOff, true, "", ""},
	}
	for _, tt := range tests {
		t.Run("setting "+tt.setting, func(t *testing.T) {
			g := geminiFake(t)
			s, _ := newTestService(t, Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(g.URL), VideoFallback: str(tt.setting)})
			sum, err := s.Summarize(context.Background(), Input{Video: testVideo}, nil)
			if tt.wantErr {
				e := mustKind(t, err, llm.KindNoTranscript)
				if !strings.Contains(e.Message, "turned off") || len(g.Calls()) != 0 {
					t.Fatalf("message %q, %d Gemini calls", e.Message, len(g.Calls()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			calls := g.Calls()
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			c := calls[0]
			if c.MediaRes != tt.wantRes || c.FileMIME != "video/mp4" || c.FileURI != "https://www.youtube.com/watch?v="+testVideo.ID {
				t.Fatalf("sent mediaResolution %q mimeType %q fileUri %q", c.MediaRes, c.FileMIME, c.FileURI)
			}
			if !sum.FromVideo || sum.VideoResolution != tt.wantNote {
				t.Fatalf("summary from_video %v video_resolution %q", sum.FromVideo, sum.VideoResolution)
			}
		})
	}
}

func TestLongVideoInClips(t *testing.T) {
	g := geminiFake(t, geminiModel("gemini-2.5-flash", 200_000))
	s, _ := newTestService(t, Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(g.URL), Concurrency: 2})
	s.Models(context.Background())
	v := testVideo
	v.DurationSeconds = 10 * 3600
	var deltas []string
	sum, err := s.Summarize(context.Background(), Input{Video: v}, func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if !sum.FromVideo || strings.Join(deltas, "") != "Final summary." {
		t.Fatalf("summary %+v deltas %q", sum, deltas)
	}
	var clips []string
	for _, c := range g.Calls() {
		if c.StartOffset != "" || c.EndOffset != "" {
			clips = append(clips, c.StartOffset+"-"+c.EndOffset)
			if c.MediaRes != "MEDIA_RESOLUTION_LOW" || c.FileURI == "" {
				t.Fatalf("clip call %+v", c)
			}
		}
	}
	if len(clips) < 2 || !strings.HasSuffix(clips[len(clips)-1], "-36000s") && !containsSuffix(clips, "-36000s") {
		t.Fatalf("clips = %v", clips)
	}
	t.Logf("%d clips: %v", len(clips), clips)
}

func containsSuffix(list []string, suf string) bool {
	for _, s := range list {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}

func TestCancel(t *testing.T) {
	g := geminiFake(t)
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	g.Handle = func(c fakellm.Call) fakellm.Reply {
		close(started)
		<-release
		return fakellm.Default(c)
	}
	s, _ := newTestService(t, Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(g.URL)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.Summarize(ctx, Input{Video: testVideo, Transcript: transcript(100)}, nil)
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("no call reached the fake")
	}
	cancel()
	select {
	case err := <-done:
		mustKind(t, err, llm.KindCancelled)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v does not wrap context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Summarize did not return within 5 s of the cancel")
	}
}
