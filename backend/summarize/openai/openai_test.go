package openai

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ytsum/backend/summarize/internal/fakellm"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

func TestChatModel(t *testing.T) {
	tests := []struct {
		id     string
		custom bool
		want   bool
	}{
		{"gpt-5.5", false, true}, {"gpt-4o-2024-08-06", false, false}, {"gpt-4-0613", false, false},
		{"gpt-4o-realtime-preview", false, false}, {"text-embedding-3-small", false, false}, {"o4-mini", false, true},
		{"dall-e-3", false, false}, {"whisper-1", false, false}, {"llama3.2", false, false},
		{"llama3.2", true, true}, {"nomic-embed-text", true, false}, {"qwen2.5:7b", true, true},
	}
	for _, tt := range tests {
		if got := chatModel(tt.id, tt.custom); got != tt.want {
			t.Errorf("chatModel(%q, %v) = %v", tt.id, tt.custom, got)
		}
	}
}

func TestKeylessCompatibleServer(t *testing.T) {
	o := fakellm.NewOpenAI("")
	defer o.Close()
	o.Models = []string{"llama3.2", "nomic-embed-text"}
	p := New(Options{BaseURL: func() string { return o.URL + "/v1/" }})
	if !p.Custom() || !p.Configured(t.Context()) {
		t.Fatal("a custom base URL without key must be usable")
	}
	ms, err := p.ListModels(context.Background())
	if err != nil || len(ms) != 1 || ms[0].ID != "llama3.2" {
		t.Fatalf("models %+v, %v", ms, err)
	}
	resp, err := p.Stream(context.Background(), llm.Request{Model: "llama3.2", Prompt: "p"}, nil)
	if err != nil || resp.Text != "Final summary." {
		t.Fatalf("resp %+v, %v", resp, err)
	}
	if o.Calls()[0].Header.Get("Authorization") != "" {
		t.Fatal("Authorization sent without a key")
	}
}

func TestOpenAIWithoutKey(t *testing.T) {
	p := New(Options{})
	if p.Configured(t.Context()) {
		t.Fatal("OpenAI without key is configured")
	}
	_, err := p.Stream(context.Background(), llm.Request{Model: "gpt-5"}, nil)
	if ytsum.ErrorKind(err) != llm.KindKeyMissing {
		t.Fatalf("err = %v", err)
	}
	_, err = p.Stream(context.Background(), llm.Request{Model: "gpt-5", VideoURL: "https://www.youtube.com/watch?v=x"}, nil)
	if ytsum.ErrorKind(err) != llm.KindNoTranscript {
		t.Fatalf("video: err = %v", err)
	}
}

// A local server that stops with a request in flight cuts the connection (an
// EOF, not a refused dial). When it no longer accepts connections the error
// says it stopped (offline); when it is still there, the cut is a failure to
// try again. A cloud provider's cut connection is never probed.
func TestCutConnectionOfAStoppedLocalServer(t *testing.T) {
	for _, tt := range []struct {
		name, provider string
		stop           bool
		want           string
	}{
		{"stopped", "ollama", true, llm.KindOffline},
		{"still running", "ollama", false, llm.KindProviderError},
		{"cloud", "", true, llm.KindProviderError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.stop {
					srv.Listener.Close()
				}
				c, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					c.Close()
				}
			}))
			defer srv.Close()
			p := New(Options{BaseURL: func() string { return srv.URL + "/v1" }, ProviderName: tt.provider})
			_, err := p.Stream(context.Background(), llm.Request{Model: "llama3.2", Prompt: "p"}, nil)
			if got := ytsum.ErrorKind(err); got != tt.want {
				t.Fatalf("kind %q (%v), want %q", got, err, tt.want)
			}
			if tt.want == llm.KindOffline && !strings.Contains(err.Error(), "it has stopped") {
				t.Errorf("message %q does not say the server stopped", err)
			}
		})
	}
}
