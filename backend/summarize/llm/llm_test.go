package llm

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestParseRetryHeaders(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		h    map[string]string
		want time.Duration
	}{
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"date", map[string]string{"Retry-After": now.Add(30 * time.Second).Format(http.TimeFormat)}, 30 * time.Second},
		{"ms", map[string]string{"Retry-After-Ms": "1500"}, 1500 * time.Millisecond},
		{"openai reset when exhausted", map[string]string{"X-Ratelimit-Remaining-Requests": "0", "X-Ratelimit-Reset-Requests": "6m0s"}, 6 * time.Minute},
		{"openai reset ignored when not exhausted", map[string]string{"X-Ratelimit-Remaining-Tokens": "10", "X-Ratelimit-Reset-Tokens": "20ms"}, 0},
		{"longest wins", map[string]string{"Retry-After": "2", "X-Ratelimit-Remaining-Tokens": "0", "X-Ratelimit-Reset-Tokens": "5s"}, 5 * time.Second},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.h {
			h.Set(k, v)
		}
		if got := ParseRetryHeaders(h, now); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestHintTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "12")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := WrapClient(nil)
	ctx, hint := WithHint(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hint.RetryAfter() != 12*time.Second {
		t.Fatalf("hint = %v", hint.RetryAfter())
	}
}

func TestOffline(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = http.Get("http://" + addr)
	if !Offline(err) {
		t.Fatalf("refused connection not offline: %v", err)
	}
	if Offline(errors.New("bad json")) || Offline(nil) {
		t.Fatal("plain errors are offline")
	}
}

func TestIsReasoningModel(t *testing.T) {
	for id, want := range map[string]bool{"gpt-5": true, "gpt-5-mini": true, "o3-mini": true, "o4-mini": true, "gpt-4o": false, "llama3.2": false, "GPT-5.5": true} {
		if IsReasoningModel(id) != want {
			t.Errorf("IsReasoningModel(%q) != %v", id, want)
		}
	}
}

func TestCredentialsReadsAConsistentPair(t *testing.T) {
	// The address changes while the key is read: read again.
	bases := []string{"old", "new", "new", "new"}
	i := 0
	base := func() string { b := bases[min(i, len(bases)-1)]; i++; return b }
	k, b := Credentials(t.Context(), func(context.Context) string { return " key " }, base)
	if k != "key" || b != "new" {
		t.Fatalf("Credentials = %q, %q", k, b)
	}
	// The address never settles: no key.
	n := 0
	flip := func() string { n++; return string(rune('a' + n)) }
	if k, _ := Credentials(t.Context(), func(context.Context) string { return "key" }, flip); k != "" {
		t.Fatalf("a key came with an unsettled address: %q", k)
	}
	if k, b := Credentials(t.Context(), nil, nil); k != "" || b != "" {
		t.Fatalf("nil funcs = %q, %q", k, b)
	}
}
