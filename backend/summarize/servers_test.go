package summarize

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"ytsum/backend/summarize/discover"
	"ytsum/backend/summarize/discover/discovertest"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "http://" + l.Addr().String()
}

// localServers starts a fake Ollama and a fake LM Studio and returns a
// Discoverer that finds them (and llama.cpp's port closed).
func localServers(t *testing.T) (*discovertest.Server, *discovertest.Server, *discover.Discoverer, *bool) {
	t.Helper()
	ol := discovertest.NewOllama(
		discovertest.Model{ID: "llama3.2:3b", NumCtx: 8192, Trained: 131072},
		discovertest.Model{ID: "qwen2.5:0.5b", Trained: 32768}, // Ollama's default context
		discovertest.Model{ID: "nomic-embed-text:latest", Embedding: true})
	t.Cleanup(ol.Close)
	lm := discovertest.NewLMStudio(discovertest.Model{ID: "qwen2.5-7b-instruct", NumCtx: 16384, Trained: 32768})
	t.Cleanup(lm.Close)
	on := true
	d := discover.New(discover.Options{Enabled: func() bool { return on }, Timeout: 300 * time.Millisecond,
		WellKnown: map[string]string{"ollama": ol.URL, "lmstudio": lm.URL, "llamacpp": closedURL(t)}})
	return ol, lm, d, &on
}

func TestLocalServersListedAndDefault(t *testing.T) {
	ol, _, d, on := localServers(t)
	s, _ := newTestService(t, Options{Discoverer: d})
	models := s.Models(context.Background())
	var names []string
	for _, m := range models {
		if m.Provider != "local" {
			names = append(names, m.Key+"="+m.DisplayName)
		}
		if m.Provider == "ollama" && (!m.Available || m.ContextTokens != map[string]int{"ollama/llama3.2:3b": 8192, "ollama/qwen2.5:0.5b": 4096}[m.Key]) {
			t.Errorf("ollama model = %+v", m)
		}
	}
	want := []string{"ollama/llama3.2:3b=Ollama · llama3.2:3b", "ollama/qwen2.5:0.5b=Ollama · qwen2.5:0.5b",
		"lmstudio/qwen2.5-7b-instruct=LM Studio · qwen2.5-7b-instruct"}
	got := strings.Join(names[len(names)-3:], " ")
	if got != strings.Join(want, " ") {
		t.Errorf("models = %v, want last %v", names, want)
	}
	if got := s.DefaultModel(context.Background()); got != "ollama/llama3.2:3b" {
		t.Errorf("default with no key and Ollama running = %q", got)
	}

	// The order: saved default > Gemini key > OpenAI key > local server > local.
	for _, tt := range []struct {
		name string
		opts Options
		want string
	}{
		{"saved default (a local server's)", Options{GeminiKey: apiKey("k"), DefaultModel: str("lmstudio/qwen2.5-7b-instruct")}, "lmstudio/qwen2.5-7b-instruct"},
		{"saved default gone: the next in order", Options{DefaultModel: str("ollama/deleted:1b")}, "ollama/llama3.2:3b"},
		{"Gemini key before a local server", Options{GeminiKey: apiKey("k")}, ModelGeminiDefault},
		{"OpenAI key before a local server", Options{OpenAIKey: apiKey("k")}, ModelOpenAIDefault},
		{"both keys: Gemini", Options{GeminiKey: apiKey("k"), OpenAIKey: apiKey("k")}, ModelGeminiDefault},
	} {
		tt.opts.Discoverer = d
		s, _ := newTestService(t, tt.opts)
		if got := s.DefaultModel(context.Background()); got != tt.want {
			t.Errorf("%s: default = %q, want %q", tt.name, got, tt.want)
		}
	}

	*on = false // discovery off in Settings
	s.Discover(context.Background())
	if got := s.DefaultModel(context.Background()); got != ModelLocal {
		t.Errorf("discovery off: default = %q", got)
	}
	for _, m := range s.Models(context.Background()) {
		if m.Provider == "ollama" {
			t.Errorf("discovery off, yet listed: %+v", m)
		}
	}
	_ = ol
}

func TestSummarizeWithLocalServer(t *testing.T) {
	ol, lm, d, _ := localServers(t)
	s, _ := newTestService(t, Options{Discoverer: d, OpenAIKey: apiKey("o-key")})
	s.Discover(context.Background())
	for _, srv := range []*discovertest.Server{ol, lm} {
		model := map[*discovertest.Server]string{ol: "ollama/llama3.2:3b", lm: "lmstudio/qwen2.5-7b-instruct"}[srv]
		var streamed strings.Builder
		sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(300),
			Options: ytsum.SummaryOptions{Model: model, Style: "key_points"}}, func(d string) { streamed.WriteString(d) })
		if err != nil {
			t.Fatal(err)
		}
		if sum.Text != srv.Answer || streamed.String() != srv.Answer || sum.Note != "" {
			t.Errorf("%s: summary %q (streamed %q, note %q)", model, sum.Text, streamed.String(), sum.Note)
		}
		if c := srv.Chats(); sum.Model != model || c[0]["model"] != strings.SplitN(model, "/", 2)[1] || sum.Provider != srv.Kind || sum.Usage.InputTokens == 0 {
			t.Errorf("%s: model %q provider %q usage %+v", model, sum.Model, sum.Provider, sum.Usage)
		}
		if a := srv.Authorizations(); len(a) != 1 || a[0] != "" {
			t.Errorf("%s: Authorization headers %q: the OpenAI key must not go to a local server", model, a)
		}
	}
}

func TestGoneLocalModelFallsBackWithNote(t *testing.T) {
	ol, _, d, _ := localServers(t)
	s, _ := newTestService(t, Options{Discoverer: d, GeminiKey: apiKey("g-key"), GeminiBaseURL: str(geminiFake(t).URL)})
	s.Discover(context.Background())

	sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(300),
		Options: ytsum.SummaryOptions{Model: "ollama/deleted:1b"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Model != ModelGeminiDefault || sum.Note != "Ollama no longer has the model deleted:1b, so Gemini 2.5 Flash (Fast) made this summary instead." {
		t.Errorf("model %q, note %q", sum.Model, sum.Note)
	}

	// The server vanishes: its models show unavailable, a job for one falls
	// back with a note.
	ol.Close()
	d.Refresh(context.Background())
	for _, m := range s.Models(context.Background()) {
		if m.Provider == "ollama" && m.Available {
			t.Errorf("vanished server's model available: %+v", m)
		}
	}
	sum, err = s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(300),
		Options: ytsum.SummaryOptions{Model: "ollama/llama3.2:3b"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Model != ModelGeminiDefault || !strings.HasPrefix(sum.Note, "Ollama · llama3.2:3b is not available (Ollama is not running at ") {
		t.Errorf("model %q, note %q", sum.Model, sum.Note)
	}
}

func TestMisbehavingLocalServerIsCutOff(t *testing.T) {
	for _, tt := range []struct {
		mode, want string
	}{
		{discovertest.Hang, "sent no answer within"},
		{discovertest.Forever, "kept writing past 200000 characters"},
		{discovertest.Garbage, "not an OpenAI-compatible chat stream"},
		{discovertest.Drop, ""},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			ol, _, d, _ := localServers(t)
			s, _ := newTestService(t, Options{Discoverer: d, ServerFirstText: 300 * time.Millisecond, ServerIdle: 300 * time.Millisecond})
			s.Discover(context.Background())
			ol.SetChatMode(tt.mode)
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := s.Summarize(ctx, Input{Video: testVideo, Transcript: transcript(300),
				Options: ytsum.SummaryOptions{Model: "ollama/llama3.2:3b"}}, nil)
			elapsed := time.Since(start)
			if err == nil || ctx.Err() != nil {
				t.Fatalf("err = %v after %v (ctx %v)", err, elapsed, ctx.Err())
			}
			e, _ := err.(*ytsum.Error)
			if e == nil || strings.Count(e.Message, ". ") > 0 || !strings.HasSuffix(e.Message, ".") || !strings.Contains(e.Message, tt.want) ||
				!strings.Contains(e.Message, "Ollama at 127.0.0.1:") && e.Kind != llm.KindOffline {
				t.Errorf("error %v is not one sentence naming the server (%q)", err, tt.want)
			}
			if tt.mode == discovertest.Drop && e != nil && e.Kind == llm.KindOffline {
				t.Errorf("a server still running that dropped one answer reads as stopped: %s", e.Message)
			}
			t.Logf("%s: cut off after %v: %s", tt.mode, elapsed.Round(time.Millisecond), e.Message)
		})
	}
}

// TestChunksFitLocalContext summarizes a one-hour transcript with local
// models of 8k and 4k context (Ollama's default): every request fits the
// model's context, and the figures (requests, tokens) are printed for the
// closing note.
func TestChunksFitLocalContext(t *testing.T) {
	hour := transcript(9000) // 150 words a minute
	hour.Segments = hour.Segments[:900]
	for _, tt := range []struct {
		model   string
		context int
	}{{"ollama/llama3.2:3b", 8192}, {"ollama/qwen2.5:0.5b", 4096}} {
		ol, _, d, _ := localServers(t)
		s, _ := newTestService(t, Options{Discoverer: d})
		s.Discover(context.Background())
		sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: hour,
			Options: ytsum.SummaryOptions{Model: tt.model, Style: "key_points"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		chats := ol.Chats()
		biggest, in := 0, 0
		for _, c := range chats {
			n := 0
			for _, m := range c["messages"].([]any) {
				n += EstimateTokens(m.(map[string]any)["content"].(string))
			}
			biggest = max(biggest, n)
			in += n
		}
		// A real model writes notes of the asked length on each part.
		r := &run{s: s, m: resolved{Model: Model{Provider: "ollama", ContextTokens: tt.context}}}
		budget := r.budget()
		parts := len(chats) - 1
		notes := clamp(budget/(2*max(parts, 1)), 80, 500) * 4 / 3 * parts // tokens, about 4/3 a word
		t.Logf("one-hour transcript (%d tokens est.) on a %d-context local model: budget %d a request, %d requests, largest prompt %d tokens est.; input %d tokens, output about %d (notes) + 600 (summary) = about %d tokens a summary",
			EstimateTokens(formatTranscript(hour.Segments)), tt.context, budget, len(chats), biggest, in, notes, in+notes+600)
		if len(chats) < 3 || sum.Usage.InputTokens == 0 {
			t.Errorf("%s: %d requests: not chunked", tt.model, len(chats))
		}
		if biggest > tt.context*3/4 {
			t.Errorf("%s: a prompt of %d tokens leaves too little of the %d context for the answer", tt.model, biggest, tt.context)
		}
	}
}

// The server vanishes in the middle of a long job: the job fails with one
// sentence, the model list shows the server's models unavailable at once
// (without waiting for the next probe), and the next job for that model
// falls back to the default with a note. One call at a time, the next
// chunk's dial is refused after the first answer; four at a time, the
// chunks in flight are cut (an EOF, not a refused dial) and still read as
// "stopped", not as a failure to try again.
func TestServerVanishesMidJob(t *testing.T) {
	for _, calls := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d at a time", calls), func(t *testing.T) {
			ol, _, d, _ := localServers(t)
			s, _ := newTestService(t, Options{Discoverer: d, Concurrency: calls})
			s.Discover(context.Background())
			ol.SetChatMode(discovertest.Vanish)
			hour := transcript(9000)
			_, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: hour,
				Options: ytsum.SummaryOptions{Model: "ollama/llama3.2:3b"}}, nil)
			e := mustKind(t, err, llm.KindOffline)
			if n := len(ol.Chats()); !strings.Contains(e.Message, "Ollama at 127.0.0.1:") || n < 1 || n > calls {
				t.Errorf("error %q after %d requests (at most %d could be under way)", e.Message, n, calls)
			}
			for _, m := range s.Models(context.Background()) {
				if m.Provider == "ollama" && m.Available {
					t.Errorf("vanished server's model still available: %+v", m)
				}
			}
			sum, err := s.Summarize(context.Background(), Input{Video: testVideo, Transcript: transcript(300),
				Options: ytsum.SummaryOptions{Model: "ollama/llama3.2:3b"}}, nil)
			if err != nil || sum.Model != "lmstudio/qwen2.5-7b-instruct" || !strings.Contains(sum.Note, "is not available") {
				t.Fatalf("next job: %+v, %v", sum, err)
			}
			t.Logf("note: %s", sum.Note)
		})
	}
}
