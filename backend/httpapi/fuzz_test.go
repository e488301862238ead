package httpapi

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"ytsum/backend/ytsum"
)

// FuzzDecodeSummarize checks the request decoder: it never panics; an
// accepted request has 1..maxURLs links without separators; encoding the
// links as an array and decoding again gives the same request; and every
// refusal is a CodeInvalid error with a sentence.
func FuzzDecodeSummarize(f *testing.F) {
	for _, s := range []string{
		`{"urls":["https://youtu.be/dQw4w9WgXcQ"]}`,
		`{"urls":"https://youtu.be/a\nhttps://youtu.be/b, c d"}`,
		`{"urls":["a"],"model":"gemini-2.5-flash","force_sync":true}`,
		`{"urls":[],"force_async":true}`, `{"urls":null}`, `{"urls":5}`, `{"urls":["a"],"x":1}`,
		`[]`, `null`, ``, `{"urls":["a"]} {}`, "{\"urls\":\"\xff\"}", `{"urls":["a"],"style":"key_points","length":"short","language":"pt-BR","prefer_playlist":true,"regenerate":true}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := (&Server{}).decodeSummarize(t.Context(), body)
		if err != nil {
			if ytsum.ErrorCode(err) != ytsum.CodeInvalid || ytsum.ErrorMessage(err) == "" ||
				!strings.HasSuffix(strings.TrimSpace(ytsum.ErrorMessage(err)), ".") && !strings.Contains(ytsum.ErrorMessage(err), "'q'") {
				t.Fatalf("refusal %v (code %q) is not an invalid-request sentence", err, ytsum.ErrorCode(err))
			}
			return
		}
		if len(req.URLs) == 0 {
			t.Fatal("accepted a request without links")
		}
		for _, u := range req.URLs {
			if strings.TrimSpace(u) == "" {
				t.Fatalf("accepted a blank entry %q", u)
			}
		}
		if req.ForceSync && req.ForceAsync {
			t.Fatal("accepted force_sync and force_async together")
		}
		again := map[string]any{"urls": []string(req.URLs), "model": req.Model, "force_sync": req.ForceSync,
			"force_async": req.ForceAsync, "style": req.Style, "length": req.Length, "language": req.Language,
			"prefer_playlist": req.PreferPlaylist, "regenerate": req.Regenerate}
		b, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		req2, err := (&Server{}).decodeSummarize(t.Context(), b)
		if err != nil {
			t.Fatalf("re-encoded request refused: %v", err)
		}
		if !slices.Equal(req.URLs, req2.URLs) || req.request().Options.Model != req2.request().Options.Model || req.ForceSync != req2.ForceSync {
			t.Fatalf("round trip changed the request: %+v vs %+v", req, req2)
		}
	})
}

// FuzzHostCheck checks the DNS-rebinding predicate against an independent
// oracle: only localhost, *.localhost and loopback IP literals pass.
func FuzzHostCheck(f *testing.F) {
	for _, s := range []string{"localhost", "localhost:80", "127.0.0.1", "[::1]:1", "evil.com", "localhost.evil.com",
		"0.0.0.0", "::ffff:127.0.0.1", "[fe80::1%lo]:1", "LOCALHOST.", "a.localhost", "127.1"} {
		f.Add(s)
	}
	s := New(Config{}, Services{})
	f.Fuzz(func(t *testing.T, host string) {
		got := s.hostAllowed(newHostRequest(host))
		h := hostOnly(host)
		want := h == "localhost" || strings.HasSuffix(h, ".localhost")
		if ip, err := netip.ParseAddr(strings.Split(h, "%")[0]); err == nil && ip.Unmap().IsLoopback() {
			want = true
		}
		if got && !want {
			t.Fatalf("host %q accepted", host)
		}
	})
}
