package summarize

import (
	"context"
	"sync/atomic"
	"testing"

	"ytsum/backend/summarize/internal/fakellm"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

// Every operation reads the API keys under its caller's context (the
// keychain may be asked: a request's or job's end must reach the read), never
// under one of its own.
func TestKeysAreReadUnderTheCallersContext(t *testing.T) {
	type mark struct{}
	var reads, foreign atomic.Int32
	key := func(v string) llm.Key {
		return func(ctx context.Context) string {
			reads.Add(1)
			if ctx.Value(mark{}) == nil {
				foreign.Add(1)
			}
			return v
		}
	}
	g := geminiFake(t)
	g.Handle = func(fakellm.Call) fakellm.Reply { return fakellm.Reply{Deltas: []string{"A summary."}} }
	s, _ := newTestService(t, Options{GeminiKey: key("g-key"), OpenAIKey: key("o-key"), GeminiBaseURL: str(g.URL)})
	ctx := context.WithValue(t.Context(), mark{}, true)

	ops := []struct {
		name string
		run  func() error
	}{
		{"Resolve", func() error { _, err := s.Resolve(ctx, ytsum.SummaryOptions{}); return err }},
		{"CacheKey", func() error { s.CacheKey(ctx, testVideo.ID, ytsum.SummaryOptions{Model: "gpt-5"}); return nil }},
		{"Models", func() error { s.Models(ctx); return nil }},
		{"DefaultModel", func() error { s.DefaultModel(ctx); return nil }},
		{"Summarize", func() error {
			_, err := s.Summarize(ctx, Input{Video: testVideo, Transcript: transcript(50)}, nil)
			return err
		}},
		{"Generate", func() error { _, err := s.Generate(ctx, llm.Request{Prompt: "Hi."}, nil); return err }},
	}
	for _, op := range ops {
		before := reads.Load()
		if err := op.run(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		if reads.Load() == before {
			t.Errorf("%s read no key", op.name)
		}
	}
	if n := foreign.Load(); n != 0 {
		t.Fatalf("%d of %d key reads were not under the caller's context", n, reads.Load())
	}
}

// A request without a style or length gets Options.DefaultStyle and
// DefaultLength (the saved settings); an unknown saved value falls back to
// audio and medium, and a request's own choice wins.
func TestResolveUsesTheDefaultStyleAndLength(t *testing.T) {
	tests := []struct {
		name, style, length string
		in                  ytsum.SummaryOptions
		wantStyle, wantLen  string
	}{
		{"saved defaults", "key_points", "long", ytsum.SummaryOptions{}, "key_points", "long"},
		{"no saved defaults", "", "", ytsum.SummaryOptions{}, StyleAudio, LengthMedium},
		{"unknown saved values", "poem", "xl", ytsum.SummaryOptions{}, StyleAudio, LengthMedium},
		{"the request's own", "key_points", "long", ytsum.SummaryOptions{Style: "chapters", Length: "short"}, "chapters", "short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestService(t, Options{DefaultStyle: str(tt.style), DefaultLength: str(tt.length)})
			tt.in.Model = ModelLocal
			o, err := s.Resolve(t.Context(), tt.in)
			if err != nil || o.Style != tt.wantStyle || o.Length != tt.wantLen {
				t.Fatalf("Resolve = %s/%s, %v; want %s/%s", o.Style, o.Length, err, tt.wantStyle, tt.wantLen)
			}
		})
	}
}
