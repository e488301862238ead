package summarize

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

func TestModelsRegistry(t *testing.T) {
	g := geminiFake(t,
		geminiModel("gemini-2.5-pro", 1_048_576),
		geminiModel("gemini-3.8-flash", 1_048_576),
		geminiModel("gemini-3.10-flash", 500_000),
		geminiModel("gemini-3.5-flash-lite", 1_048_576),
		geminiModel("gemini-embedding-001", 2048),
		map[string]any{"name": "models/gemini-2.5-flash-preview-tts", "supportedGenerationMethods": []string{"generateContent"}},
		map[string]any{"name": "models/imagen-4.0-generate-001", "supportedGenerationMethods": []string{"predict"}},
	)
	o := openaiFake(t, "", "llama3.2", "qwen2.5:7b", "nomic-embed-text")
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	gkey := "g-key"
	s, _ := newTestService(t, Options{GeminiKey: func(context.Context) string { return gkey }, GeminiBaseURL: str(g.URL),
		OpenAIBaseURL: str(o.URL + "/v1"), Now: func() time.Time { return now }})

	ms := s.Models(context.Background())
	byKey := map[string]Model{}
	var keys []string
	for _, m := range ms {
		byKey[m.Key] = m
		keys = append(keys, m.Key)
	}
	t.Logf("registry: %v", keys)
	want := map[string]bool{ // key → available
		"local": true, "gemini-2.5-pro": true, "gemini-3.8-flash": true, "gemini-3.10-flash": true, "gemini-3.5-flash-lite": true,
		"gemini-2.5-flash": false, // retired: not in the listing
		"llama3.2":         true, "qwen2.5:7b": true,
		"gpt-5": false, "gpt-5-mini": false, "gpt-4o": false, "gpt-4o-mini": false, // the compatible server does not list them
	}
	for k, avail := range want {
		m, ok := byKey[k]
		if !ok {
			t.Errorf("registry lacks %s", k)
			continue
		}
		if m.Available != avail {
			t.Errorf("%s available = %v, want %v", k, m.Available, avail)
		}
	}
	for _, k := range []string{"gemini-embedding-001", "gemini-2.5-flash-preview-tts", "imagen-4.0-generate-001", "nomic-embed-text"} {
		if _, ok := byKey[k]; ok {
			t.Errorf("registry offers %s", k)
		}
	}
	if i, j := index(keys, "gemini-3.10-flash"), index(keys, "gemini-3.8-flash"); i > j {
		t.Errorf("gemini-3.10-flash (%d) listed after gemini-3.8-flash (%d)", i, j)
	}
	if byKey["gemini-3.10-flash"].ContextTokens != 500_000 || byKey["llama3.2"].DisplayName != "llama3.2 ("+strings.TrimPrefix(o.URL, "http://")+")" {
		t.Errorf("listing details lost: %+v %+v", byKey["gemini-3.10-flash"], byKey["llama3.2"])
	}
	b, _ := json.Marshal(byKey["gemini-2.5-pro"])
	if string(b) != `{"key":"gemini-2.5-pro","provider":"google","display_name":"Gemini 2.5 Pro (Advanced)","available":true}` {
		t.Errorf("JSON = %s", b)
	}

	// The retired original key still works: it resolves to its family's newest listed model.
	r, err := s.Resolve(t.Context(), ytsum.SummaryOptions{Model: "gemini-2.5-flash"})
	if err != nil || r.Model != "gemini-3.10-flash" {
		t.Fatalf("gemini-2.5-flash resolves to %q, %v", r.Model, err)
	}
	if d, _ := s.Resolve(t.Context(), ytsum.SummaryOptions{}); d.Model != "gemini-3.10-flash" {
		t.Fatalf("default model resolves to %q", d.Model)
	}
	// A model only the compatible server knows is routed to it.
	if _, err := s.Resolve(t.Context(), ytsum.SummaryOptions{Model: "qwen2.5:7b"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range o.Calls() {
		if c.Header.Get("Authorization") != "" {
			t.Fatal("Authorization sent to a keyless server")
		}
	}

	// Cached for ModelsTTL, refreshed after it and when the key changes.
	s.Models(context.Background())
	if g.Lists() != 4 || o.Lists() != 1 { // 7 Gemini models at 2 a page = 4 pages
		t.Fatalf("after a cached call: %d gemini pages, %d openai lists", g.Lists(), o.Lists())
	}
	now = now.Add(11 * time.Minute)
	s.Models(context.Background())
	if g.Lists() != 8 || o.Lists() != 2 {
		t.Fatalf("after the TTL: %d gemini pages, %d openai lists", g.Lists(), o.Lists())
	}
	gkey = "wrong"
	ms = s.Models(context.Background())
	if g.Lists() != 8 { // refused at once: the fake counts only accepted lists
		t.Logf("gemini pages %d", g.Lists())
	}
	for _, m := range ms {
		if m.Provider == llm.ProviderGoogle && m.Available {
			t.Errorf("%s available with a rejected key", m.Key)
		}
	}
}

func TestModelsNoKeys(t *testing.T) {
	s, _ := newTestService(t, Options{})
	ms := s.Models(context.Background())
	if got := AvailableKeys(ms); len(got) != 1 || got[0] != "local" {
		t.Fatalf("available = %v", got)
	}
	if len(ms) != 7 { // local and the original six
		t.Fatalf("%d models", len(ms))
	}
}

func TestModelsNeverBlockLong(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	s, _ := newTestService(t, Options{OpenAIBaseURL: str(srv.URL + "/v1"), ListTimeout: 200 * time.Millisecond})
	start := time.Now()
	ms := s.Models(context.Background())
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("Models took %v", el)
	}
	if got := AvailableKeys(ms); len(got) != 5 { // local and the four OpenAI originals, listing unknown
		t.Fatalf("available = %v", got)
	}
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
