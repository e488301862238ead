package gemini

import (
	"context"
	"testing"
	"time"

	"ytsum/backend/summarize/internal/fakellm"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		d    []map[string]any
		want time.Duration
	}{
		{[]map[string]any{{"@type": "type.googleapis.com/google.rpc.QuotaFailure"}, {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "43s"}}, 43 * time.Second},
		{[]map[string]any{{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"}}, 1500 * time.Millisecond},
		{[]map[string]any{{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": map[string]any{"seconds": 2.0, "nanos": 5e8}}}, 2500 * time.Millisecond},
		{nil, 0},
	}
	for _, tt := range tests {
		if got := retryDelay(tt.d); got != tt.want {
			t.Errorf("retryDelay(%v) = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestStreamAndList(t *testing.T) {
	t.Setenv("GOOGLE_API_KEY", "")
	t.Setenv("GEMINI_API_KEY", "")
	t.Setenv("GOOGLE_GEMINI_BASE_URL", "")
	g := fakellm.NewGemini("k")
	defer g.Close()
	g.Models = []map[string]any{
		{"name": "gemini-3.8-flash", "displayName": "Gemini 3.8 Flash", "inputTokenLimit": 1048576, "supportedGenerationMethods": []string{"generateContent"}, "thinking": true},
		{"name": "text-embedding-004", "supportedGenerationMethods": []string{"embedContent"}},
		{"name": "gemini-embedding-001", "supportedGenerationMethods": []string{"embedContent"}},
	}
	p := New(Options{APIKey: func(context.Context) string { return "k" }, BaseURL: func() string { return g.URL }})
	var got []string
	resp, err := p.Stream(context.Background(), llm.Request{Model: "gemini-3.8-flash", System: "s", Prompt: "p",
		VideoURL: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", VideoStart: time.Minute, VideoEnd: 2 * time.Minute, LowResolution: true},
		func(d string) { got = append(got, d) })
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Final summary." || len(got) != 2 || resp.Usage.TotalTokens != 1020 || resp.FinishReason != "STOP" {
		t.Fatalf("resp %+v deltas %q", resp, got)
	}
	c := g.Calls()[0]
	if c.FileURI == "" || c.StartOffset != "60s" || c.EndOffset != "120s" || c.MediaRes != "MEDIA_RESOLUTION_LOW" || c.System != "s" || c.FileMIME != VideoMIMEType {
		t.Fatalf("call %+v", c)
	}
	ms, err := p.ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ID != "gemini-3.8-flash" || ms[0].InputTokens != 1048576 || !ms[0].Thinking {
		t.Fatalf("models %+v", ms)
	}
}

func TestNoKey(t *testing.T) {
	_, err := New(Options{}).Stream(context.Background(), llm.Request{Model: "m"}, nil)
	if ytsum.ErrorKind(err) != llm.KindKeyMissing || ytsum.ErrorCode(err) != ytsum.CodeUnauthorized {
		t.Fatalf("err = %v", err)
	}
}

// TestVideoResolutionAndMIME: the YouTube part is sent as video/mp4, and
// the media resolution is low only when asked (otherwise the API default).
func TestVideoResolutionAndMIME(t *testing.T) {
	g := fakellm.NewGemini("k")
	defer g.Close()
	p := New(Options{APIKey: func(context.Context) string { return "k" }, BaseURL: func() string { return g.URL }})
	for _, low := range []bool{true, false} {
		_, err := p.Stream(context.Background(), llm.Request{Model: "gemini-2.5-flash", Prompt: "p",
			VideoURL: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", LowResolution: low}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := p.Stream(context.Background(), llm.Request{Model: "gemini-2.5-flash", Prompt: "transcript only"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	calls := g.Calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls", len(calls))
	}
	if calls[0].MediaRes != "MEDIA_RESOLUTION_LOW" || calls[0].FileMIME != "video/mp4" {
		t.Errorf("low: %q %q", calls[0].MediaRes, calls[0].FileMIME)
	}
	if calls[1].MediaRes != "" || calls[1].FileMIME != "video/mp4" {
		t.Errorf("default: %q %q", calls[1].MediaRes, calls[1].FileMIME)
	}
	if calls[2].FileURI != "" || calls[2].MediaRes != "" {
		t.Errorf("text only: fileUri %q mediaResolution %q", calls[2].FileURI, calls[2].MediaRes)
	}
}
