package youtube

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"ytsum/backend/ytsum"
)

const vid = "dQw4w9WgXcQ"

func TestParseAccepts(t *testing.T) {
	pl := "PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf"
	tests := []struct {
		in       string
		prefer   bool
		kind     LinkKind
		video    string
		playlist string
		start    int
	}{
		{vid, false, Video, vid, "", 0},
		{"  " + vid + "\n", false, Video, vid, "", 0},
		{"https://www.youtube.com/watch?v=" + vid, false, Video, vid, "", 0},
		{"http://youtube.com/watch?v=" + vid, false, Video, vid, "", 0},
		{"www.youtube.com/watch?v=" + vid, false, Video, vid, "", 0},
		{"youtube.com/watch?v=" + vid, false, Video, vid, "", 0},
		{"//www.youtube.com/watch?v=" + vid, false, Video, vid, "", 0},
		{"HTTPS://WWW.YOUTUBE.COM/watch?v=" + vid, false, Video, vid, "", 0},
		{"https://www.youtube.com./watch?v=" + vid, false, Video, vid, "", 0},
		{"https://www.youtube.com:443/watch?v=" + vid, false, Video, vid, "", 0},
		{"https://www.youtube.com/watch?feature=share&v=" + vid, false, Video, vid, "", 0},
		{"https://www.youtube.com/watch?app=desktop&v=" + vid + "&ab_channel=X", false, Video, vid, "", 0},
		{"https://www.youtube.com/watch?v=" + vid + "&si=abc&pp=ygUE", false, Video, vid, "", 0},
		{"https://m.youtube.com/watch?v=" + vid, false, Video, vid, "", 0},
		{"https://music.youtube.com/watch?v=" + vid + "&list=RDAMVM" + vid, false, Video, vid, "", 0},
		{"https://music.youtube.com/watch?v=" + vid + "&list=RDAMVM" + vid, true, Video, vid, "", 0},
		{"https://youtu.be/" + vid, false, Video, vid, "", 0},
		{"https://youtu.be/" + vid + "?si=abc&t=42", false, Video, vid, "", 42},
		{"youtu.be/" + vid, false, Video, vid, "", 0},
		{"https://www.youtube.com/shorts/" + vid, false, Video, vid, "", 0},
		{"https://youtube.com/shorts/" + vid + "?feature=share", false, Video, vid, "", 0},
		{"https://www.youtube.com/live/" + vid + "?si=xyz", false, Video, vid, "", 0},
		{"https://www.youtube.com/embed/" + vid + "?start=90", false, Video, vid, "", 90},
		{"https://www.youtube-nocookie.com/embed/" + vid, false, Video, vid, "", 0},
		{"https://www.youtube.com/v/" + vid, false, Video, vid, "", 0},
		{"https://www.youtube.com/e/" + vid, false, Video, vid, "", 0},
		{"https://www.youtube.com/watch/" + vid, false, Video, vid, "", 0},
		{"https://www.youtube.com/watch?v=" + vid + "&t=1h2m3s", false, Video, vid, "", 3723},
		{"https://www.youtube.com/watch?v=" + vid + "&t=90", false, Video, vid, "", 90},
		{"https://www.youtube.com/watch?v=" + vid + "&t=90s", false, Video, vid, "", 90},
		{"https://www.youtube.com/watch?v=" + vid + "&time_continue=90", false, Video, vid, "", 90},
		{"https://www.youtube.com/watch?v=" + vid + "#t=1m30s", false, Video, vid, "", 90},
		{"https://www.youtube.com/watch?v=" + vid + "&t=garbage", false, Video, vid, "", 0},
		{"https://www.youtube.com/playlist?list=" + pl, false, Playlist, "", pl, 0},
		{"https://music.youtube.com/playlist?list=OLAK5uy_kGz3XhB9gXqfTqMTmDkWspgP4gNuBxaDk", false, Playlist, "", "OLAK5uy_kGz3XhB9gXqfTqMTmDkWspgP4gNuBxaDk", 0},
		{pl, false, Playlist, "", pl, 0},
		{"UUX6OQ3DkcsbYNE6H8uQQuVA", false, Playlist, "", "UUX6OQ3DkcsbYNE6H8uQQuVA", 0},
		{"OLAK5uy_kGz3XhB9gXqfTqMTmDkWspgP4gNuBxaDk", false, Playlist, "", "OLAK5uy_kGz3XhB9gXqfTqMTmDkWspgP4gNuBxaDk", 0},
		// both: the video by default, the playlist when preferred
		{"https://www.youtube.com/watch?v=" + vid + "&list=" + pl + "&index=3", false, Video, vid, pl, 0},
		{"https://www.youtube.com/watch?v=" + vid + "&list=" + pl + "&index=3", true, Playlist, vid, pl, 0},
		{"https://youtu.be/" + vid + "?list=" + pl, true, Playlist, vid, pl, 0},
		{"https://www.youtube.com/watch?list=" + pl, false, Playlist, "", pl, 0},
		{"https://www.youtube.com/embed/videoseries?list=" + pl, false, Playlist, "", pl, 0},
		// mixes and login-only lists are dropped when a video is there
		{"https://www.youtube.com/watch?v=" + vid + "&list=RD" + vid + "&start_radio=1", true, Video, vid, "", 0},
		{"https://www.youtube.com/watch?v=" + vid + "&list=RDMM", true, Video, vid, "", 0},
		{"https://www.youtube.com/watch?v=" + vid + "&list=WL&index=2", false, Video, vid, "", 0},
		{"https://www.youtube.com/watch?v=" + vid + "&list=LL", true, Video, vid, "", 0},
		{"https://www.youtube.com/?v=" + vid, false, Video, vid, "", 0},
		{"https://www.youtubekids.com/watch?v=" + vid, false, Video, vid, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			l, err := Parse(tc.in, tc.prefer)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.in, err)
			}
			if l.Kind != tc.kind || l.VideoID != tc.video || l.PlaylistID != tc.playlist || l.StartSeconds != tc.start {
				t.Fatalf("Parse(%q) = %+v; want kind %v video %q playlist %q start %d", tc.in, l, tc.kind, tc.video, tc.playlist, tc.start)
			}
			if l.Raw != strings.TrimSpace(tc.in) {
				t.Errorf("Raw = %q", l.Raw)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		in     string
		prefer bool
		kind   string
	}{
		{"", false, KindEmptyLink},
		{"   \t", false, KindEmptyLink},
		{"javascript:alert(1)", false, KindBadScheme},
		{"JavaScript:alert(document.cookie)//youtube.com/watch?v=" + vid, false, KindBadScheme},
		{"ftp://youtube.com/watch?v=" + vid, false, KindBadScheme},
		{"data:text/html,<script>", false, KindBadScheme},
		{"file:///etc/passwd", false, KindBadScheme},
		{"https://youtube.com.evil.io/watch?v=" + vid, false, KindLookAlike},
		{"https://notyoutube.com/watch?v=" + vid, false, KindLookAlike},
		{"https://www.youtube.co/watch?v=" + vid, false, KindLookAlike},
		{"https://evil.example/watch?v=" + vid, false, KindNotYouTube},
		{"https://evil.example/?u=https://youtube.com/watch?v=" + vid, false, KindNotYouTube},
		{"https://youtube.com@evil.example/watch?v=" + vid, false, KindNotYouTube},
		{"https://www.youtube.com:8080/watch?v=" + vid, false, KindNotYouTube},
		{"https://www.youtube.com/@MrBeast/shorts", false, KindChannelLink},
		{"https://www.youtube.com/@MrBeast/videos/extra", false, KindChannelLink},
		{"https://www.youtube.com/@ab", false, KindChannelLink},
		{"https://www.youtube.com/@bad%20name", false, KindChannelLink},
		{"https://www.youtube.com/channel/UCX6OQ3DkcsbYNE6H8uQQu", false, KindChannelLink},
		{"https://www.youtube.com/channel/PLX6OQ3DkcsbYNE6H8uQQuVA", false, KindChannelLink},
		{"https://www.youtube.com/channel/", false, KindChannelLink},
		{"https://www.youtube.com/c/", false, KindChannelLink},
		{"https://www.youtube.com/user/some%3Cone", false, KindChannelLink},
		{"https://www.youtube.com/c/SomeName/playlists", false, KindChannelLink},
		{"https://youtube.com.evil.io/@MrBeast", false, KindLookAlike},
		{"https://www.youtube.com@evil.io/@MrBeast", false, KindNotYouTube},
		{"https://youtube.co/@MrBeast", false, KindLookAlike},
		{"https://www.youtube.com/results?search_query=go+generics", false, KindSearchLink},
		{"https://www.youtube.com/feed/subscriptions", false, KindFeedLink},
		{"https://www.youtube.com/feed/history", false, KindFeedLink},
		{"https://www.youtube.com/hashtag/golang", false, KindHashtagLink},
		{"https://www.youtube.com/post/UgkxAbc", false, KindPostLink},
		{"https://www.youtube.com/clip/UgkxAbCdEfGhIjKlMnOp", false, KindClipLink},
		{"https://www.youtube.com/", false, KindHomePage},
		{"youtube.com", false, KindHomePage},
		{"https://youtu.be/", false, KindNoVideo},
		{"https://www.youtube.com/watch", false, KindNoVideo},
		{"https://www.youtube.com/shorts/", false, KindNoVideo},
		{"https://www.youtube.com/watch?v=dQw4w9WgXc", false, KindBadVideoID},
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQQ", false, KindBadVideoID},
		{"https://www.youtube.com/watch?v=dQw4w9WgX%21Q", false, KindBadVideoID},
		{"https://youtu.be/short", false, KindBadVideoID},
		{"https://www.youtube.com/shorts/dQw4w9WgXc!", false, KindBadVideoID},
		{"https://www.youtube.com/playlist", false, KindBadPlaylistID},
		{"https://www.youtube.com/playlist?list=PL%20bad", false, KindBadPlaylistID},
		{"https://www.youtube.com/playlist?list=WL", false, KindWatchLater},
		{"https://www.youtube.com/playlist?list=LL", false, KindLikedVideos},
		{"https://music.youtube.com/playlist?list=LM", false, KindLikedMusic},
		{"WL", false, KindWatchLater},
		{"LL", false, KindLikedVideos},
		{"LM", false, KindLikedMusic},
		{"https://www.youtube.com/watch?list=RD" + vid, false, KindMix},
		{"RDMM", false, KindMix},
		{"RD" + vid, false, KindMix},
		{"https://www.youtube.com/about", false, KindUnsupportedPage},
		{"hello world", false, KindNotYouTube},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			l, err := Parse(tc.in, tc.prefer)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v; want error %s", tc.in, l, tc.kind)
			}
			var ye *ytsum.Error
			if !errors.As(err, &ye) || ye.Code != ytsum.CodeInvalid {
				t.Fatalf("Parse(%q) error %T %v; want *ytsum.Error with code invalid", tc.in, err, err)
			}
			if ye.Kind != tc.kind {
				t.Fatalf("Parse(%q) kind %q (%s); want %q", tc.in, ye.Kind, ye.Message, tc.kind)
			}
			if !strings.HasSuffix(ye.Message, ".") || len(ye.Message) < 30 {
				t.Errorf("message is not a sentence: %q", ye.Message)
			}
		})
	}
}

// Every rejection kind has its own sentence.
func TestParseRejectionSentencesDistinct(t *testing.T) {
	inputs := []string{"", "javascript:x", "https://youtube.com.evil.io/watch?v=" + vid, "https://evil.example/",
		"https://www.youtube.com/@x", "https://www.youtube.com/results?q", "https://www.youtube.com/feed/x",
		"https://www.youtube.com/hashtag/x", "https://www.youtube.com/post/x", "https://www.youtube.com/clip/x",
		"https://www.youtube.com/", "https://youtu.be/", "https://youtu.be/bad", "https://www.youtube.com/playlist?list=x",
		"WL", "LL", "LM", "RDMM", "https://www.youtube.com/about"}
	byKind := map[string]string{}
	for _, in := range inputs {
		_, err := Parse(in, false)
		k, m := ytsum.ErrorKind(err), ytsum.ErrorMessage(err)
		if k == "" {
			t.Fatalf("%q: no kind (%v)", in, err)
		}
		if prev, ok := byKind[k]; ok && prev != m {
			t.Errorf("kind %s has two sentences", k)
		}
		byKind[k] = m
	}
	seen := map[string]string{}
	for k, m := range byKind {
		if other, ok := seen[m]; ok {
			t.Errorf("kinds %s and %s share the sentence %q", k, other, m)
		}
		seen[m] = k
	}
	if len(byKind) != len(inputs)-1 { // "https://youtu.be/" and "https://www.youtube.com/playlist?list=x" … each kind once
		t.Logf("kinds seen: %d", len(byKind))
	}
}

func TestLinkURL(t *testing.T) {
	l, err := Parse("https://youtu.be/"+vid+"?t=1m5s", false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := l.URL(), "https://www.youtube.com/watch?v="+vid+"&t=65s"; got != want {
		t.Errorf("URL() = %q, want %q", got, want)
	}
	if l.ID() != vid || l.Kind.String() != "video" {
		t.Errorf("ID/Kind = %q %v", l.ID(), l.Kind)
	}
	p, _ := Parse("PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf", false)
	if p.URL() != "https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf" || p.ID() != p.PlaylistID {
		t.Errorf("playlist URL() = %q", p.URL())
	}
}

func TestExtractLinks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one per line", "https://youtu.be/" + vid + "\n  https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf \r\n\n" + "9bZkp7q19f0\n",
			[]string{"https://youtu.be/" + vid, "https://www.youtube.com/playlist?list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf", "9bZkp7q19f0"}},
		{"prose", "Watch this (https://www.youtube.com/watch?v=" + vid + "), then youtu.be/9bZkp7q19f0. Also kJQP7kiw5Fk!",
			[]string{"https://www.youtube.com/watch?v=" + vid, "youtu.be/9bZkp7q19f0", "kJQP7kiw5Fk"}},
		{"dedupe across shapes", "https://youtu.be/" + vid + " https://www.youtube.com/watch?v=" + vid + "&si=x " + vid,
			[]string{"https://youtu.be/" + vid}},
		{"markdown and html", "[a talk](https://www.youtube.com/watch?v=" + vid + ") <a href=\"https://youtu.be/9bZkp7q19f0\">x</a>",
			[]string{"https://www.youtube.com/watch?v=" + vid, "https://youtu.be/9bZkp7q19f0"}},
		{"label before scheme", "link:https://youtu.be/" + vid, []string{"https://youtu.be/" + vid}},
		{"ordinary words are not IDs", "This informative PlayStation video is interesting", nil},
		{"bare host in prose is skipped", "I found it on youtube.com yesterday.", nil},
		{"non-youtube links skipped", "https://example.com/watch?v=" + vid + " https://evil.example/x", nil},
		{"look-alike and channel kept for a specific error", "https://youtube.com.evil.io/watch?v=" + vid + " https://www.youtube.com/@chan",
			[]string{"https://youtube.com.evil.io/watch?v=" + vid, "https://www.youtube.com/@chan"}},
		{"watch later alone on a line", "WL", []string{"WL"}},
		{"empty", "  \n\t", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ExtractLinks(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ExtractLinks = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{vid, "https://www.youtube.com/watch?v=" + vid + "&list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf&t=1h2m3s",
		"https://youtu.be/" + vid + "?t=42", "youtube.com.evil.io/watch?v=" + vid, "javascript:alert(1)", "WL",
		"https://www.youtube.com/shorts/" + vid, "https://www.youtube.com/embed/videoseries?list=PL1234567890ab",
		"//youtube.com/watch?v=%00%ff", "https://[::1]:80/watch?v=" + vid, "https://youtube.com/watch?v=" + vid + "#t=99999999999999",
		"https://www.youtube.com/@handle/videos", "youtube.com/channel/UCX6OQ3DkcsbYNE6H8uQQuVA", "m.youtube.com/c/Name/featured",
		"https://www.youtube.com/user/x%2Fy", "https://www.youtube.com/@%E2%82%AC%E2%82%AC%E2%82%AC", "youtube.com.evil.io/@handle"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, prefer bool) {
		l, err := Parse(in, prefer)
		if err != nil {
			var ye *ytsum.Error
			if !errors.As(err, &ye) || ye.Code != ytsum.CodeInvalid || ye.Kind == "" || ye.Message == "" {
				t.Fatalf("Parse(%q): bad error %#v", in, err)
			}
			if l != (Link{}) {
				t.Fatalf("Parse(%q): error with a link %+v", in, l)
			}
			return
		}
		switch l.Kind {
		case Video:
			if !ValidVideoID(l.VideoID) {
				t.Fatalf("Parse(%q): video ID %q", in, l.VideoID)
			}
		case Playlist:
			if !validPlaylistID(l.PlaylistID) || isMix(l.PlaylistID) || loginList(l.PlaylistID) != nil {
				t.Fatalf("Parse(%q): playlist ID %q", in, l.PlaylistID)
			}
		case Channel:
			if l.ChannelID != "" && !validChannelID(l.ChannelID) || l.ChannelPath == "" ||
				strings.ContainsAny(l.ChannelPath, "?#\\ ") || strings.Count(l.ChannelPath, "/") > 1 {
				t.Fatalf("Parse(%q): channel %q %q", in, l.ChannelPath, l.ChannelID)
			}
		default:
			t.Fatalf("Parse(%q): kind %v", in, l.Kind)
		}
		if l.VideoID != "" && !ValidVideoID(l.VideoID) {
			t.Fatalf("Parse(%q): video ID %q", in, l.VideoID)
		}
		if l.StartSeconds < 0 {
			t.Fatalf("Parse(%q): start %d", in, l.StartSeconds)
		}
		// The canonical URL parses back to the same target.
		back, err := Parse(l.URL(), prefer || l.Kind == Playlist)
		if err != nil || back.Kind != l.Kind || back.ID() != l.ID() {
			t.Fatalf("Parse(%q).URL() = %q does not round-trip: %+v %v", in, l.URL(), back, err)
		}
	})
}

func FuzzExtractLinks(f *testing.F) {
	f.Add("see https://youtu.be/" + vid + ", and (" + vid + ")\nPLrAXtmErZgOeiKm4sgNOknGvNjby9efdf")
	f.Add("link:https://youtube.com.evil.io/watch?v=x…”")
	f.Fuzz(func(t *testing.T, in string) {
		seen := map[string]bool{}
		for _, s := range ExtractLinks(in) {
			if s == "" || strings.ContainsAny(s, " \n\t") {
				t.Fatalf("bad token %q", s)
			}
			if seen[s] {
				t.Fatalf("duplicate %q", s)
			}
			seen[s] = true
			_, _ = Parse(s, false)
		}
	})
}

func TestParseChannels(t *testing.T) {
	tests := []struct{ in, path, id string }{
		{"https://www.youtube.com/@MrBeast", "@MrBeast", ""},
		{"https://www.youtube.com/@MrBeast/videos", "@MrBeast", ""},
		{"youtube.com/@mr.beast-6000_x/featured", "@mr.beast-6000_x", ""},
		{"https://m.youtube.com/@%E3%83%86%E3%82%B9%E3%83%88", "@%E3%83%86%E3%82%B9%E3%83%88", ""},
		{"https://www.youtube.com/channel/UCX6OQ3DkcsbYNE6H8uQQuVA", "channel/UCX6OQ3DkcsbYNE6H8uQQuVA", "UCX6OQ3DkcsbYNE6H8uQQuVA"},
		{"https://www.youtube.com/channel/UCX6OQ3DkcsbYNE6H8uQQuVA/videos?view=0", "channel/UCX6OQ3DkcsbYNE6H8uQQuVA", "UCX6OQ3DkcsbYNE6H8uQQuVA"},
		{"https://www.youtube.com/c/SomeName", "c/SomeName", ""},
		{"https://www.youtube.com/C/SomeName/videos", "c/SomeName", ""},
		{"https://www.youtube.com/user/someone", "user/someone", ""},
	}
	for _, tc := range tests {
		l, err := Parse(tc.in, false)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if l.Kind != Channel || l.ChannelPath != tc.path || l.ChannelID != tc.id {
			t.Errorf("Parse(%q) = %+v; want channel %q %q", tc.in, l, tc.path, tc.id)
		}
		back, err := Parse(l.URL(), false)
		if err != nil || back.ChannelPath != l.ChannelPath {
			t.Errorf("URL() %q does not parse back: %+v %v", l.URL(), back, err)
		}
	}
}
