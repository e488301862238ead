package youtube

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

func readFeedFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/feeds/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseFeedChannel(t *testing.T) {
	f, err := ParseFeed(readFeedFixture(t, "channel.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if f.ChannelID != "UCfakeChannel0000000001a" || f.PlaylistID != "" || f.Title != "Example Science Channel" ||
		f.Author != "Example Science Channel" || f.Published.Year() != 2011 {
		t.Fatalf("feed header = %+v", f)
	}
	if len(f.Entries) != 3 {
		t.Fatalf("entries = %d, want 3", len(f.Entries))
	}
	e := f.Entries[0]
	want := FeedEntry{VideoID: "aaaaaaaaa03", ChannelID: "UCfakeChannel0000000001a", Title: "Why the sky is blue & sunsets are red",
		URL: "https://www.youtube.com/watch?v=aaaaaaaaa03", Author: "Example Science Channel",
		Published: time.Date(2026, 12, 5, 16, 0, 6, 0, time.UTC), Updated: time.Date(2026, 12, 6, 2, 11, 45, 0, time.UTC),
		Thumbnail: "https://i4.ytimg.com/vi/aaaaaaaaa03/hqdefault.jpg", Views: 40211}
	e.Description = ""
	if e != want {
		t.Fatalf("entry 0 =\n%+v\nwant\n%+v", e, want)
	}
	if !f.Entries[1].Short || f.Entries[0].Short || f.Entries[2].Short {
		t.Fatalf("Short flags = %v %v %v, want false true false", f.Entries[0].Short, f.Entries[1].Short, f.Entries[2].Short)
	}
}

func TestParseFeedPlaylist(t *testing.T) {
	f, err := ParseFeed(readFeedFixture(t, "playlist.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if f.PlaylistID != "PLfakePlaylist00000000000000000001" || f.ChannelID != "UCfakeChannel0000000001a" ||
		f.Title != "Lectures 2026" || len(f.Entries) != 1 || f.Entries[0].VideoID != "bbbbbbbbb01" {
		t.Fatalf("playlist feed = %+v", f)
	}
}

func TestParseFeedRejectsNonFeeds(t *testing.T) {
	for name, body := range map[string]string{
		"empty":        "",
		"html":         "<!DOCTYPE html><html><head><title>YouTube</title></head><body>Before you continue</body></html>",
		"json":         `{"error":"nope"}`,
		"truncated":    `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><yt:videoId>`,
		"other atom":   `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>blog</title></feed>`,
		"rss":          `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>`,
		"binary bytes": "\x00\x01\x02garbage",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseFeed([]byte(body))
			if ytsum.ErrorKind(err) != KindFeedUnparsable || ytsum.ErrorCode(err) != ytsum.CodeUnavailable {
				t.Fatalf("err = %v (kind %q), want %s", err, ytsum.ErrorKind(err), KindFeedUnparsable)
			}
		})
	}
}

func TestFeedConditionalGet(t *testing.T) {
	body := readFeedFixture(t, "channel.xml")
	var requests, full atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path != "/feeds/videos.xml" || r.URL.Query().Get("channel_id") != "UCfakeChannel0000000001a" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Sun, 06 Dec 2026 02:11:45 GMT")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c := New(Options{BaseURL: srv.URL, MaxRetries: -1})
	ctx := context.Background()
	f, err := c.Feed(ctx, FeedQuery{ChannelID: "UCfakeChannel0000000001a"})
	if err != nil {
		t.Fatal(err)
	}
	if f.NotModified || f.ETag != `"v1"` || f.LastModified == "" || len(f.Entries) != 3 {
		t.Fatalf("first answer = %+v", f)
	}
	g, err := c.Feed(ctx, FeedQuery{ChannelID: "UCfakeChannel0000000001a", ETag: f.ETag, LastModified: f.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !g.NotModified || g.ETag != `"v1"` || len(g.Entries) != 0 {
		t.Fatalf("second answer = %+v, want not modified", g)
	}
	if requests.Load() != 2 || full.Load() != 1 {
		t.Fatalf("requests = %d (full %d), want 2 (1)", requests.Load(), full.Load())
	}
}

func TestFeedErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("channel_id") {
		case "UCmissing":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<html><body>404 Not Found</body></html>"))
		case "UChtml":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<!DOCTYPE html><html><body>consent.youtube.com</body></html>"))
		case "UC500":
			w.WriteHeader(http.StatusInternalServerError)
		case "UCslow":
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	c := New(Options{BaseURL: srv.URL, MaxRetries: -1})
	for _, tc := range []struct {
		id   string
		code ytsum.Code
		kind string
	}{
		{"UCmissing", ytsum.CodeNotFound, KindFeedNotFound},
		{"UChtml", ytsum.CodeUnavailable, KindFeedUnparsable},
		{"UC500", ytsum.CodeUnavailable, KindYouTubeError},
	} {
		_, err := c.Feed(context.Background(), FeedQuery{ChannelID: tc.id})
		if ytsum.ErrorCode(err) != tc.code || ytsum.ErrorKind(err) != tc.kind {
			t.Errorf("%s: err = %v (code %q kind %q), want %q %q", tc.id, err, ytsum.ErrorCode(err), ytsum.ErrorKind(err), tc.code, tc.kind)
		}
	}
	if _, err := c.Feed(context.Background(), FeedQuery{}); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Errorf("empty query: err = %v, want invalid", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Feed(ctx, FeedQuery{ChannelID: "UCslow"})
	if ytsum.ErrorKind(err) != KindCancelled || time.Since(start) > 5*time.Second {
		t.Errorf("slow feed: err = %v after %v, want cancelled promptly", err, time.Since(start))
	}
}
