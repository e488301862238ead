package summarize

import (
	"context"
	"strings"
	"testing"

	"ytsum/backend/summarize/internal/fakellm"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

// Generate reaches a cloud model and a discovered local server's model
// with the request as given, streams, and refuses a model without key.
func TestGenerate(t *testing.T) {
	g := geminiFake(t)
	g.Handle = func(c fakellm.Call) fakellm.Reply {
		return fakellm.Reply{Deltas: []string{"It ", "says [00:10]."}, Usage: [3]int{50, 4, 54}}
	}
	ol, _, d, _ := localServers(t)
	s, _ := newTestService(t, Options{GeminiKey: apiKey("g-key"), GeminiBaseURL: str(g.URL), Discoverer: d})
	s.Discover(context.Background())

	var streamed strings.Builder
	resp, err := s.Generate(context.Background(), llm.Request{Model: "gemini-2.5-flash", System: "SYS", Prompt: "Q?"},
		func(d string) { streamed.WriteString(d) })
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "It says [00:10]." || streamed.String() != resp.Text || resp.Usage.InputTokens != 50 {
		t.Fatalf("gemini: %+v, streamed %q", resp, streamed.String())
	}
	if c := g.Calls(); len(c) != 1 || c[0].System != "SYS" || c[0].Prompt != "Q?" || c[0].Model != "gemini-2.5-flash" {
		t.Fatalf("gemini calls %+v", c)
	}

	resp, err = s.Generate(context.Background(), llm.Request{Model: "ollama/llama3.2:3b", Prompt: "Q?"}, nil)
	if err != nil || resp.Text != ol.Answer {
		t.Fatalf("local server: %q, %v", resp.Text, err)
	}
	if c := ol.Chats(); len(c) != 1 || c[0]["model"] != "llama3.2:3b" {
		t.Fatalf("local server chats %v", c)
	}

	_, err = s.Generate(context.Background(), llm.Request{Model: "gpt-4o-mini", Prompt: "Q?"}, nil)
	if ytsum.ErrorKind(err) != llm.KindKeyMissing || ytsum.ErrorCode(err) != ytsum.CodeUnauthorized {
		t.Fatalf("no OpenAI key: %v (kind %q)", err, ytsum.ErrorKind(err))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err = s.Generate(ctx, llm.Request{Model: "gemini-2.5-flash", Prompt: "Q?"}, nil); ytsum.ErrorKind(err) != llm.KindCancelled {
		t.Fatalf("cancelled: %v", err)
	}
}
