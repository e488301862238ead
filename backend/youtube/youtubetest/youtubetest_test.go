package youtubetest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"ytsum/backend/youtube"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

func client(s *youtubetest.Server) *youtube.Client {
	return youtube.New(youtube.Options{BaseURL: s.URL, ThumbnailURL: s.URL,
		Languages: func() []string { return []string{"en"} }, Backoff: 5 * time.Millisecond,
		Pacing: func() time.Duration { return 0 }})
}

func TestChannelThroughTheRealClient(t *testing.T) {
	s := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	c := client(s)
	for _, ref := range []string{youtubetest.ChannelURL(youtubetest.ChannelHandle),
		"https://www.youtube.com/channel/" + youtubetest.ChannelID + "/videos"} {
		ch, err := c.Channel(context.Background(), ref, 10)
		if err != nil {
			t.Fatalf("Channel(%s): %v", ref, err)
		}
		var ids []string
		for _, e := range ch.Entries {
			ids = append(ids, e.VideoID)
		}
		want := []string{youtubetest.PlaylistVideoIDs[2], youtubetest.PlaylistVideoIDs[1], youtubetest.PlaylistVideoIDs[0]}
		if ch.ID != youtubetest.ChannelID || ch.Title != "Curious Things" || strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("Channel(%s) = %+v", ref, ch)
		}
	}
	if _, err := c.Channel(context.Background(), "https://www.youtube.com/@nobodyhere", 10); ytsum.ErrorKind(err) != youtube.KindChannelNotFound {
		t.Errorf("unknown channel: %v", err)
	}
}

func TestDefaultCatalogueThroughTheRealClient(t *testing.T) {
	s := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	c := client(s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	pl, err := c.Playlist(ctx, youtubetest.PlaylistID)
	if err != nil {
		t.Fatalf("Playlist: %v", err)
	}
	var ids, bad []string
	for _, e := range pl.Entries {
		if e.Error != "" {
			bad = append(bad, e.VideoID)
			continue
		}
		ids = append(ids, e.VideoID)
	}
	if strings.Join(ids, ",") != strings.Join(youtubetest.PlaylistVideoIDs, ",") || len(bad) != 1 || bad[0] != youtubetest.PrivateVideoID {
		t.Errorf("playlist entries: ok %v, failed %v", ids, bad)
	}
	if s.Hits("/youtubei/v1/browse") < 2 {
		t.Errorf("browse hits = %d, want continuation pages", s.Hits("/youtubei/v1/browse"))
	}

	tests := []struct {
		id, title, word string
	}{
		{youtubetest.PlaylistVideoIDs[0], "How Aardvarks Dig Their Burrows", youtubetest.SearchWord},
		{youtubetest.VideoID, "Lighthouses of the North Sea", "lighthouse"},
		{youtubetest.RealVideoID, "Surface Go Review - It\u2019s Awesome", "original transcript"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			v, err := c.Video(ctx, tc.id)
			if err != nil {
				t.Fatalf("Video: %v", err)
			}
			if v.Title != tc.title || v.ThumbnailURL == "" || !strings.HasPrefix(v.ThumbnailURL, s.URL+"/vi/"+tc.id+"/") {
				t.Errorf("video = %+v", v)
			}
			tr, err := c.Transcript(ctx, tc.id, nil)
			if err != nil {
				t.Fatalf("Transcript: %v", err)
			}
			if !strings.Contains(strings.ToLower(tr.Text()), tc.word) {
				t.Errorf("transcript %q lacks %q", tr.Text(), tc.word)
			}
			resp, err := http.Get(v.ThumbnailURL)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || http.DetectContentType(b) != "image/jpeg" {
				t.Errorf("thumbnail: %d %s", resp.StatusCode, http.DetectContentType(b))
			}
		})
	}

	if _, err := c.Video(ctx, youtubetest.PrivateVideoID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Errorf("private video: %v", err)
	}
}

func TestSlowVideoCancels(t *testing.T) {
	s := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	c := client(s)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Video(ctx, youtubetest.SlowVideoID)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("slow video: err %v after %v; want a cancellation soon after 300ms", err, time.Since(start))
	}
	s.SetDelay(youtubetest.SlowVideoID, 0)
	if _, err := c.Video(context.Background(), youtubetest.SlowVideoID); err != nil {
		t.Fatalf("without delay: %v", err)
	}
}

func TestWaitHits(t *testing.T) {
	s := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.WaitHits(ctx, "/oembed", 1); err == nil {
		t.Fatal("WaitHits returned before any request")
	}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- s.WaitHits(ctx, "/oembed", 2)
	}()
	for range 2 {
		resp, err := http.Get(s.URL + "/oembed?format=json&url=" + youtubetest.WatchURL(youtubetest.VideoID))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if err := <-done; err != nil {
		t.Fatalf("WaitHits: %v", err)
	}
}

func TestWaitAnswered(t *testing.T) {
	s := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.WaitAnswered(ctx, "/vi/"+youtubetest.VideoID+"/", 1); err == nil {
		t.Fatal("WaitAnswered returned before any request")
	}
	done := make(chan error, 1)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	go func() { done <- s.WaitAnswered(ctx2, "/vi/"+youtubetest.VideoID+"/", 2) }()
	for _, name := range []string{"hqdefault.jpg", "sddefault.jpg"} {
		resp, err := http.Get(s.URL + "/vi/" + youtubetest.VideoID + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if err := <-done; err != nil {
		t.Fatalf("WaitAnswered after two thumbnails: %v", err)
	}
}
