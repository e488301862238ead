package youtube

import (
	"context"
	"strings"
	"testing"

	"ytsum/backend/ytsum"
)

func TestVideo(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		want    ytsum.Video
		errKind string
		oembed  bool // whether oEmbed must have been asked
	}{
		{name: "real player", id: idOK, want: ytsum.Video{ID: idOK, Title: "Surface Go Review - It’s Awesome", Channel: "Dave2D",
			ChannelID: "UCVYamHliCI9rw1tHR1xbkfw", DurationSeconds: 316, ThumbnailURL: "/thumbs/vi/GJLlxj_dtq8/sddefault.jpg"}},
		{name: "details of a video without captions", id: idDisabled, want: ytsum.Video{ID: idDisabled,
			Title: "Angèle - Eels x Richard Cocciante | A Take Away Show", Channel: "Blogothèque", ChannelID: "UCFAKGci5lneha2x4XMbzYrQ",
			DurationSeconds: 288, ThumbnailURL: "/thumbs/vi/dsMFmonKDD4/sddefault.jpg"}},
		{name: "synthetic player keeps the thumbnail query", id: idSrv3, want: ytsum.Video{ID: idSrv3, Title: "Title of " + idSrv3,
			Channel: "Fake Channel", ChannelID: "UCfake", DurationSeconds: 125, ThumbnailURL: "/thumbs/vi/" + idSrv3 + "/hqdefault.jpg?sqp=abc"}},
		{name: "blocked player falls back to oEmbed", id: idBlocked, oembed: true, want: ytsum.Video{ID: idBlocked,
			Title: "Known from oEmbed", Channel: "oEmbed Channel", ThumbnailURL: "/thumbs/vi/" + idBlocked + "/hqdefault.jpg"}},
		{name: "blocked and oEmbed refuses", id: idBlockedNoEmb, errKind: KindBlocked, oembed: true},
		{name: "unavailable needs no oEmbed", id: idUnavailable, errKind: KindVideoUnavailable},
		{name: "private", id: idPrivate, errKind: KindVideoPrivate},
		{name: "rate limited watch page, oEmbed 404", id: idRate, errKind: KindRateLimited, oembed: true},
		{name: "bad id", id: "nope", errKind: KindBadVideoID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			cache := newMemCache()
			c := f.client(Options{Cache: cache, MaxRetries: -1})
			v, err := c.Video(context.Background(), tc.id)
			if tc.errKind != "" {
				wantKind(t, err, tc.errKind)
			} else {
				if err != nil {
					t.Fatal(err)
				}
				tc.want.ThumbnailURL = strings.Replace(tc.want.ThumbnailURL, "/thumbs", f.srv.URL+"/thumbs", 1)
				if v != tc.want {
					t.Fatalf("Video = %+v\nwant    %+v", v, tc.want)
				}
				_, cached := cache.videos[tc.id]
				if cached == tc.oembed {
					t.Errorf("cached = %v; only player details are cached", cached)
				}
			}
			if got := f.count("GET /oembed") > 0; got != tc.oembed {
				t.Errorf("oEmbed asked = %v; want %v", got, tc.oembed)
			}
		})
	}
}

func TestThumbnailURL(t *testing.T) {
	c := New(Options{})
	if got := c.ThumbnailURL(idOK); got != "https://i.ytimg.com/vi/GJLlxj_dtq8/hqdefault.jpg" {
		t.Errorf("default %q", got)
	}
	c = New(Options{ThumbnailURL: "http://127.0.0.1:9/thumbs/"})
	if got := c.ThumbnailURL(idOK); got != "http://127.0.0.1:9/thumbs/vi/GJLlxj_dtq8/hqdefault.jpg" {
		t.Errorf("configured %q", got)
	}
	if got := c.rebaseThumb("https://evil.example/vi/x/a.jpg"); got != "" {
		t.Errorf("foreign thumbnail rebased: %q", got)
	}
}

func TestPlaylist(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	p, err := c.Playlist(context.Background(), plOK)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != plOK || p.Title != "Fake playlist" {
		t.Errorf("playlist %q %q", p.ID, p.Title)
	}
	want := []ytsum.PlaylistEntry{
		{VideoID: idOK, Title: "Surface Go Review", DurationSeconds: 316},
		{VideoID: idDisabled, Title: "Angèle", DurationSeconds: 288},
		{VideoID: "delVideo001", Title: "[Deleted video]", Error: "This video was deleted from YouTube.", ErrorKind: KindVideoUnavailable},
		{VideoID: "prvVideo001", Title: "[Private video]", Error: "This video is private, so only its owner can watch it.", ErrorKind: KindVideoPrivate},
		{VideoID: "aaaaaaaaaaa", Title: "Third", DurationSeconds: 61},
		{VideoID: "bbbbbbbbbbb", Title: "Fourth"},
		{VideoID: "ccccccccccc", Title: "Fifth", DurationSeconds: 3600},
	}
	if len(p.Entries) != len(want) {
		t.Fatalf("entries %+v", p.Entries)
	}
	for i := range want {
		if p.Entries[i] != want[i] {
			t.Errorf("entry %d = %+v; want %+v", i, p.Entries[i], want[i])
		}
	}
	if n := f.count("POST /youtubei/v1/browse"); n != 3 {
		t.Errorf("%d browse requests; want 3 pages", n)
	}
}

func TestPlaylistErrors(t *testing.T) {
	tests := []struct {
		id   string
		kind string
	}{
		{plNotFound, KindPlaylistNotFound},
		{"PLunknown000000001", KindPlaylistNotFound}, // 400 INVALID_ARGUMENT
		{plEmpty, KindPlaylistEmpty},
		{plRate, KindRateLimited},
		{"WL", KindWatchLater},
		{"LL", KindLikedVideos},
		{"LM", KindLikedMusic},
		{"RDMM", KindMix},
		{"RDAMVM" + vid, KindMix},
		{"bad id!", KindBadPlaylistID},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			f := newFake(t)
			p, err := f.client(Options{MaxRetries: 1}).Playlist(context.Background(), tc.id)
			if p != nil {
				t.Fatalf("playlist %+v", p)
			}
			wantKind(t, err, tc.kind)
		})
	}
}

func TestPlaylistContinuationLoopEnds(t *testing.T) {
	f := newFake(t)
	p, err := f.client(Options{}).Playlist(context.Background(), plLoop)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 2 || f.count("POST /youtubei/v1/browse") != 2 {
		t.Fatalf("entries %+v after %d requests", p.Entries, f.count("POST /youtubei/v1/browse"))
	}
}
