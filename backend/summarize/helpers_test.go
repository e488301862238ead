package summarize

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/summarize/discover"
	"ytsum/backend/summarize/internal/fakellm"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

func str(s string) func() string { return func() string { return s } }

// apiKey is a key getter that always returns s.
func apiKey(s string) llm.Key { return func(context.Context) string { return s } }

// waits records the retry waits a Service asked for, instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// clock is a fake Now that advances 1.5 s per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(1500 * time.Millisecond)
	return c.t
}

func newTestService(t testing.TB, o Options) (*Service, *waits) {
	t.Helper()
	if o.Discoverer == nil { // tests never probe the machine's own servers
		o.Discoverer = discover.New(discover.Options{Enabled: func() bool { return false }})
	}
	s := New(o)
	w := &waits{}
	s.sleep = w.sleep
	return s, w
}

func geminiFake(t testing.TB, models ...map[string]any) *fakellm.Gemini {
	t.Helper()
	g := fakellm.NewGemini("g-key")
	g.Models = models
	t.Cleanup(g.Close)
	return g
}

func openaiFake(t testing.TB, key string, models ...string) *fakellm.OpenAI {
	t.Helper()
	o := fakellm.NewOpenAI(key)
	o.Models = models
	t.Cleanup(o.Close)
	return o
}

func geminiModel(id string, input int) map[string]any {
	return map[string]any{"name": "models/" + id, "displayName": strings.ToUpper(id[:1]) + id[1:], "inputTokenLimit": input,
		"outputTokenLimit": 65536, "supportedGenerationMethods": []string{"generateContent", "countTokens"}}
}

// transcript returns a transcript of words words in segments of 10 words,
// 4 seconds apart; segment i carries the marker "seg%05d" and every tenth
// segment ends a sentence.
func transcript(words int) *ytsum.Transcript {
	vocab := strings.Fields(`battery charging cells lithium voltage current heat cooling design engineer
		test measure capacity cycle chemistry anode cathode safety pack module thermal energy power grid solar`)
	t := &ytsum.Transcript{VideoID: "vid00000001", Language: "en", Kind: ytsum.TranscriptGenerated, Source: "innertube"}
	n := 0
	for i := 0; n < words; i++ {
		w := []string{fmt.Sprintf("seg%05d", i)}
		for len(w) < 10 {
			w = append(w, vocab[(i*7+len(w)*3)%len(vocab)])
		}
		text := strings.Join(w, " ")
		if i%10 == 9 {
			text += "."
		}
		t.Segments = append(t.Segments, ytsum.Segment{Start: float64(i * 4), Duration: 4, Text: text})
		n += len(w)
	}
	return t
}

var testVideo = ytsum.Video{ID: "vid00000001", Title: "How batteries work", Channel: "Volts", DurationSeconds: 754}

func mustKind(t *testing.T, err error, kind string) *ytsum.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want error of kind %q, got nil", kind)
	}
	e, ok := err.(*ytsum.Error)
	if !ok {
		t.Fatalf("want *ytsum.Error, got %T: %v", err, err)
	}
	if e.Kind != kind {
		t.Fatalf("kind = %q (%v), want %q", e.Kind, err, kind)
	}
	if e.Message == "" || !strings.HasSuffix(e.Message, ".") {
		t.Fatalf("message %q is not a sentence", e.Message)
	}
	for _, secret := range []string{"g-key", "o-key"} {
		if strings.Contains(e.Message, secret) {
			t.Fatalf("message %q leaks a key", e.Message)
		}
	}
	return e
}
