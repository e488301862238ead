package summarize

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/summarize/internal/fakellm"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

var segMarker = regexp.MustCompile(`seg\d{5}`)

// TestLongTranscriptEveryProvider summarizes a 30,000-word transcript with
// every provider: nothing fails, every segment reaches exactly one request
// (no silent truncation), only the final pass streams, and parallel calls
// stay within the configured limit.
func TestLongTranscriptEveryProvider(t *testing.T) {
	tr := transcript(30_000)
	words := 0
	for _, s := range tr.Segments {
		words += len(strings.Fields(s.Text))
	}
	if words < 30_000 {
		t.Fatalf("transcript has %d words", words)
	}
	tests := []struct {
		name      string
		setup     func(t *testing.T) (Options, interface{ Calls() []fakellm.Call }, string)
		wantParts bool // map-reduce expected
	}{
		{name: "local", setup: func(t *testing.T) (Options, interface{ Calls() []fakellm.Call }, string) {
			return Options{}, nil, "local"
		}},
		{name: "gemini with a small listed context", wantParts: true,
			setup: func(t *testing.T) (Options, interface{ Calls() []fakellm.Call }, string) {
				g := geminiFake(t, geminiModel("gemini-2.5-flash", 20_000))
				return Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(g.URL)}, g, "gemini-2.5-flash"
			}},
		{name: "gemini 1M context in one pass",
			setup: func(t *testing.T) (Options, interface{ Calls() []fakellm.Call }, string) {
				g := geminiFake(t)
				return Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(g.URL)}, g, "gemini-2.5-pro"
			}},
		{name: "openai gpt-4o 128k in one pass",
			setup: func(t *testing.T) (Options, interface{ Calls() []fakellm.Call }, string) {
				o := openaiFake(t, "o-key")
				// a base URL with a trailing slash is still OpenAI-like for the model table
				return Options{OpenAIKey: apiKey("o-key"), OpenAIBaseURL: str(o.URL + "/v1/")}, o, "gpt-4o"
			}},
		{name: "ollama with the default chunk size", wantParts: true,
			setup: func(t *testing.T) (Options, interface{ Calls() []fakellm.Call }, string) {
				o := openaiFake(t, "", "llama3.2")
				return Options{OpenAIBaseURL: str(o.URL + "/v1"), Concurrency: 3}, o, "llama3.2"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, fake, model := tt.setup(t)
			s, _ := newTestService(t, opts)
			var (
				mu     sync.Mutex
				deltas []string
			)
			sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: tr,
				Options: ytsum.SummaryOptions{Model: model, Style: "chapters"}}, func(d string) {
				mu.Lock()
				deltas = append(deltas, d)
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(deltas, "") != sum.Text && strings.Join(deltas, "") != sum.Text+"\n" {
				t.Fatalf("streamed %q, summary %q", strings.Join(deltas, "")[:min(80, len(strings.Join(deltas, "")))], sum.Text)
			}
			if fake == nil {
				t.Logf("local: %d lines", strings.Count(sum.Text, "\n")+1)
				return
			}
			if sum.Text != "Final summary." {
				t.Fatalf("final pass did not stream alone: %q", sum.Text)
			}
			calls := fake.Calls()
			seen := map[string]int{}
			maps := 0
			for _, c := range calls {
				if strings.Contains(c.Prompt, "Write notes on this part") {
					maps++
					for _, m := range segMarker.FindAllString(c.Prompt, -1) {
						seen[m]++
					}
				}
			}
			if !tt.wantParts {
				if len(calls) != 1 {
					t.Fatalf("%d calls, want one pass", len(calls))
				}
				if n := len(segMarker.FindAllString(calls[0].Prompt, -1)); n != len(tr.Segments) {
					t.Fatalf("one pass carried %d of %d segments", n, len(tr.Segments))
				}
				return
			}
			for i := range tr.Segments {
				if m := fmt.Sprintf("seg%05d", i); seen[m] != 1 {
					t.Fatalf("segment %s went to %d map requests", m, seen[m])
				}
			}
			last := calls[len(calls)-1]
			if !strings.Contains(last.Prompt, "Notes:") || !strings.Contains(last.Prompt, "Divide the video into chapters") {
				t.Fatalf("last call is not the final chapters pass:\n%.300s", last.Prompt)
			}
			limit := opts.Concurrency
			if limit == 0 {
				limit = 4
			}
			mi := fake.(interface{ MaxInflight() int }).MaxInflight()
			if mi > limit {
				t.Fatalf("%d calls at once, limit %d", mi, limit)
			}
			if sum.Usage.TotalTokens == 0 {
				t.Fatal("usage of the parts not added up")
			}
			t.Logf("%d map calls, %d calls in all, at most %d at once, usage %+v", maps, len(calls), mi, sum.Usage)
		})
	}
}

// TestParallelUpToLimit shows map calls really overlap: each call waits until
// limit calls are in flight (or 5 s pass).
func TestParallelUpToLimit(t *testing.T) {
	const limit = 3
	o := openaiFake(t, "", "llama3.2")
	var mu sync.Mutex
	arrived := 0
	full := make(chan struct{})
	o.Handle = func(c fakellm.Call) fakellm.Reply {
		mu.Lock()
		arrived++
		if arrived == limit {
			close(full)
		}
		mu.Unlock()
		select {
		case <-full:
		case <-time.After(5 * time.Second):
		}
		return fakellm.Default(c)
	}
	s, _ := newTestService(t, Options{OpenAIBaseURL: str(o.URL + "/v1"), Concurrency: limit, LocalChunkTokens: 1000})
	if _, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(5000),
		Options: ytsum.SummaryOptions{Model: "llama3.2"}}, nil); err != nil {
		t.Fatal(err)
	}
	if got := o.MaxInflight(); got != limit {
		t.Fatalf("at most %d calls at once, want exactly %d", got, limit)
	}
}

// TestContextTooLongRechunks: a server whose real context is smaller than
// configured answers context_length_exceeded; the work is redone in halves.
func TestContextTooLongRechunks(t *testing.T) {
	o := openaiFake(t, "", "llama3.2")
	o.Handle = func(c fakellm.Call) fakellm.Reply {
		if len(c.Prompt) > 6000 {
			return fakellm.Reply{Status: 400, Body: fakellm.OpenAIErrorBody(
				"This model's maximum context length is 2048 tokens.", "invalid_request_error", "context_length_exceeded")}
		}
		return fakellm.Default(c)
	}
	s, _ := newTestService(t, Options{OpenAIBaseURL: str(o.URL + "/v1"), LocalChunkTokens: 8000})
	sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(3000),
		Options: ytsum.SummaryOptions{Model: "llama3.2"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Text != "Final summary." {
		t.Fatalf("text %q", sum.Text)
	}
	t.Logf("%d calls", len(o.Calls()))
}

// TestTooLongFailsLoudly: a model that cannot take even the smallest part
// fails with a sentence instead of truncating.
func TestTooLongFailsLoudly(t *testing.T) {
	o := openaiFake(t, "", "tiny")
	o.Handle = func(c fakellm.Call) fakellm.Reply {
		return fakellm.Reply{Status: 400, Body: fakellm.OpenAIErrorBody("maximum context length exceeded", "invalid_request_error", "context_length_exceeded")}
	}
	s, _ := newTestService(t, Options{OpenAIBaseURL: str(o.URL + "/v1")})
	_, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(3000),
		Options: ytsum.SummaryOptions{Model: "tiny"}}, nil)
	mustKind(t, err, llm.KindContextTooLong)
}
