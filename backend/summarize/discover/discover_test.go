package discover_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/summarize/discover"
	"ytsum/backend/summarize/discover/discovertest"
)

// closedAddr returns the URL of a loopback port nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestTwoServersFound(t *testing.T) {
	ol := discovertest.NewOllama(
		discovertest.Model{ID: "llama3.2:3b", NumCtx: 8192, Trained: 131072},
		discovertest.Model{ID: "qwen2.5:0.5b", Trained: 32768},
		discovertest.Model{ID: "nomic-embed-text:latest", Trained: 8192, Embedding: true})
	defer ol.Close()
	lm := discovertest.NewLMStudio(
		discovertest.Model{ID: "qwen2.5-7b-instruct", NumCtx: 8192, Trained: 32768},
		discovertest.Model{ID: "text-embedding-nomic-embed-text-v1.5", Trained: 2048, Embedding: true})
	defer lm.Close()
	d := discover.New(discover.Options{WellKnown: map[string]string{"ollama": ol.URL, "lmstudio": lm.URL, "llamacpp": closedAddr(t)}})
	start := time.Now()
	got := d.Servers(context.Background())
	elapsed := time.Since(start)
	t.Logf("discovery with two fake servers running (and llama.cpp's port closed): %v", elapsed.Round(time.Millisecond))
	if len(got) != 2 {
		t.Fatalf("servers = %+v", got)
	}
	o, l := got[0], got[1]
	if o.ID != "ollama" || o.Name != "Ollama" || !o.Up || o.BaseURL != ol.URL+"/v1" || o.Problem != "" {
		t.Errorf("ollama = %+v", o)
	}
	want := []discover.Model{{ID: "llama3.2:3b", ContextTokens: 8192}, {ID: "qwen2.5:0.5b", ContextTokens: discover.OllamaDefaultContext}}
	if len(o.Models) != 2 || o.Models[0] != want[0] || o.Models[1] != want[1] {
		t.Errorf("ollama models = %+v, want %+v", o.Models, want)
	}
	if l.ID != "lmstudio" || l.Name != "LM Studio" || !l.Up || len(l.Models) != 1 ||
		l.Models[0] != (discover.Model{ID: "qwen2.5-7b-instruct", ContextTokens: 8192}) {
		t.Errorf("lmstudio = %+v", l)
	}
	if o.Key("llama3.2:3b") != "ollama/llama3.2:3b" {
		t.Errorf("key = %q", o.Key("llama3.2:3b"))
	}
	if elapsed > time.Second {
		t.Errorf("discovery took %v", elapsed)
	}
}

func TestNothingRunning(t *testing.T) {
	d := discover.New(discover.Options{WellKnown: map[string]string{"ollama": closedAddr(t), "lmstudio": closedAddr(t), "llamacpp": closedAddr(t)}})
	start := time.Now()
	got := d.Servers(context.Background())
	elapsed := time.Since(start)
	t.Logf("discovery with no server running: %v", elapsed.Round(time.Microsecond))
	if len(got) != 0 {
		t.Fatalf("servers = %+v", got)
	}
	if elapsed > 500*time.Millisecond {
		t.Errorf("discovery with nothing running took %v", elapsed)
	}
}

func TestDiscoveryOffStillProbesAddedAddresses(t *testing.T) {
	ol := discovertest.NewOllama(discovertest.Model{ID: "llama3.2:3b", Trained: 131072})
	defer ol.Close()
	lm := discovertest.NewLMStudio(discovertest.Model{ID: "qwen2.5-7b-instruct", Trained: 32768})
	defer lm.Close()
	on := true
	d := discover.New(discover.Options{
		Enabled:   func() bool { return on },
		Addresses: func() []string { return []string{lm.Addr() + "/v1", "not a url ::"} },
		WellKnown: map[string]string{"ollama": ol.URL, "lmstudio": "", "llamacpp": ""},
	})
	if got := d.Servers(context.Background()); len(got) != 2 || got[0].ID != "ollama" || got[1].ID != lm.Addr() ||
		got[1].Kind != discover.KindOpenAI || got[1].Name != "Local server ("+lm.Addr()+")" {
		t.Fatalf("on: %+v", got)
	}
	on = false
	hits := ol.Hits()
	got := d.Servers(context.Background()) // settings changed: probes again at once
	if len(got) != 1 || got[0].ID != lm.Addr() || !got[0].Up {
		t.Fatalf("off: %+v", got)
	}
	if ol.Hits() != hits {
		t.Errorf("discovery off, yet Ollama got %d requests", ol.Hits()-hits)
	}
}

func TestCachedForTTL(t *testing.T) {
	ol := discovertest.NewOllama(discovertest.Model{ID: "llama3.2:3b", Trained: 131072})
	defer ol.Close()
	c := &clock{t: time.Unix(1e9, 0)}
	d := discover.New(discover.Options{Now: c.now, WellKnown: map[string]string{"ollama": ol.URL, "lmstudio": "", "llamacpp": ""}})
	d.Servers(context.Background())
	hits := ol.Hits()
	c.add(59 * time.Second)
	d.Servers(context.Background())
	if ol.Hits() != hits {
		t.Fatalf("probed again within the minute")
	}
	c.add(2 * time.Second)
	d.Servers(context.Background())
	if ol.Hits() == hits {
		t.Fatalf("not probed again after a minute")
	}
}

func TestVanishedServerIsUnavailableAndLoggedOnce(t *testing.T) {
	ol := discovertest.NewOllama(discovertest.Model{ID: "llama3.2:3b", Trained: 131072})
	var logs syncBuf
	c := &clock{t: time.Unix(1e9, 0)}
	d := discover.New(discover.Options{Now: c.now, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		WellKnown: map[string]string{"ollama": ol.URL, "lmstudio": "", "llamacpp": ""}})
	if got := d.Servers(context.Background()); len(got) != 1 || !got[0].Up {
		t.Fatalf("before: %+v", got)
	}
	ol.Close()
	for range 5 {
		c.add(2 * time.Minute)
		got := d.Servers(context.Background())
		if len(got) != 1 || got[0].Up || len(got[0].Models) != 1 ||
			got[0].Problem != "Ollama is not running at "+strings.TrimPrefix(ol.URL, "http://")+"." {
			t.Fatalf("after: %+v", got)
		}
	}
	if n := strings.Count(logs.String(), "stopped answering"); n != 1 {
		t.Errorf("%d log lines about the server going down, want 1:\n%s", n, logs.String())
	}
}

func TestMisbehavingServers(t *testing.T) {
	garbage := discovertest.NewOllama(discovertest.Model{ID: "llama3.2:3b"})
	garbage.SetListMode(discovertest.Garbage)
	defer garbage.Close()
	hang := discovertest.NewLMStudio(discovertest.Model{ID: "qwen"})
	hang.SetListMode(discovertest.Hang)
	defer hang.Close()
	d := discover.New(discover.Options{Timeout: 200 * time.Millisecond, WellKnown: map[string]string{"ollama": "", "lmstudio": "", "llamacpp": ""},
		Addresses: func() []string { return []string{garbage.URL, hang.URL} }})
	start := time.Now()
	d.Servers(context.Background())
	if e := time.Since(start); e > time.Second {
		t.Fatalf("a hanging server held discovery for %v", e)
	}
	// Never up: not listed (TestProblemSentences covers their sentences).
	if got := d.Cached(); len(got) != 0 {
		t.Fatalf("servers never up are listed: %+v", got)
	}
}

func TestProblemSentences(t *testing.T) {
	ol := discovertest.NewOllama(discovertest.Model{ID: "llama3.2:3b"})
	defer ol.Close()
	c := &clock{t: time.Unix(1e9, 0)}
	d := discover.New(discover.Options{Now: c.now, Timeout: 200 * time.Millisecond,
		WellKnown: map[string]string{"ollama": ol.URL, "lmstudio": "", "llamacpp": ""}})
	d.Servers(context.Background())
	host := strings.TrimPrefix(ol.URL, "http://")
	for _, tt := range []struct{ mode, want string }{
		{discovertest.Garbage, "Ollama at " + host + " gave an answer that is not a model list."},
		{discovertest.Hang, "Ollama at " + host + " did not answer in time."},
	} {
		ol.SetListMode(tt.mode)
		c.add(2 * time.Minute)
		got := d.Servers(context.Background())
		if len(got) != 1 || got[0].Up || got[0].Problem != tt.want {
			t.Errorf("%s: %+v, want problem %q", tt.mode, got, tt.want)
		}
	}
	ol.SetListMode(discovertest.OK)
	c.add(2 * time.Minute)
	if got := d.Servers(context.Background()); len(got) != 1 || !got[0].Up {
		t.Errorf("back: %+v", got)
	}
}

// A caller that gives up mid-probe does not make servers look down.
func TestCancelledProbeChangesNothing(t *testing.T) {
	ol := discovertest.NewOllama(discovertest.Model{ID: "llama3.2:3b"})
	defer ol.Close()
	c := &clock{t: time.Unix(1e9, 0)}
	d := discover.New(discover.Options{Now: c.now, WellKnown: map[string]string{"ollama": ol.URL, "lmstudio": "", "llamacpp": ""}})
	d.Servers(context.Background())
	c.add(2 * time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := d.Servers(ctx); len(got) != 1 || !got[0].Up {
		t.Fatalf("after a cancelled probe: %+v", got)
	}
}
