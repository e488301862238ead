package youtube

import (
	"context"
	"strings"
	"testing"
	"time"

	"ytsum/backend/youtube/youtubetest"
)

func TestChannelNewestUploads(t *testing.T) {
	for _, ref := range []string{"https://www.youtube.com/@fakechan", "https://www.youtube.com/@fakechan/videos",
		"https://www.youtube.com/channel/" + chOK, "youtube.com/c/FakeName", "https://m.youtube.com/user/fakeuser/videos",
		"@fakechan", chOK} {
		t.Run(ref, func(t *testing.T) {
			f := newFake(t)
			c := f.client(Options{ChannelVideoLimit: func() int { return 4 }})
			ch, err := c.Channel(context.Background(), ref, 0)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range ch.Entries {
				ids = append(ids, e.VideoID)
			}
			if ch.ID != chOK || ch.Title != "Fake & Channel" || strings.Join(ids, ",") != "chVideo0001,chVideo0002,chVideo0003,chVideo0004" {
				t.Errorf("channel %+v", ch)
			}
			// Four videos need two pages, not three; the page once.
			if n := f.count("POST /youtubei/v1/browse"); n != 2 {
				t.Errorf("browse asked %d times; want 2", n)
			}
			if n := len(f.requests()); n != 3 {
				t.Errorf("requests %q; want channel page + 2 browse", f.requests())
			}
		})
	}
}

func TestChannelLimit(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	ch, err := c.Channel(context.Background(), "@fakechan", 0)
	if err != nil || len(ch.Entries) != 7 { // default 10; the channel has 7
		t.Fatalf("default limit: %+v %v", ch, err)
	}
	ch, err = c.Channel(context.Background(), "@fakechan", 2)
	if err != nil || len(ch.Entries) != 2 || ch.Entries[0].VideoID != "chVideo0001" {
		t.Fatalf("limit 2: %+v %v", ch, err)
	}
}

func TestChannelErrors(t *testing.T) {
	tests := []struct{ ref, kind string }{
		{"@shortsonly", KindChannelShorts},
		{"@membersonly", KindChannelMembers},
		{"@emptychan", KindChannelEmpty},
		{"@nosuchchannel", KindChannelNotFound},
		{"https://www.youtube.com/watch?v=" + idOK, KindChannelLink},
		{"https://youtube.com.evil.io/@fakechan", KindLookAlike},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			f := newFake(t)
			_, err := f.client(Options{}).Channel(context.Background(), tc.ref, 5)
			wantKind(t, err, tc.kind)
		})
	}
}

func TestChannelOnYoutubetest(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	c := New(Options{BaseURL: yt.URL, Pacing: func() time.Duration { return 0 }})
	ch, err := c.Channel(context.Background(), youtubetest.ChannelURL(youtubetest.ChannelHandle), 2)
	if err != nil {
		t.Fatal(err)
	}
	if ch.ID != youtubetest.ChannelID || ch.Title != "Curious Things" || len(ch.Entries) != 2 ||
		ch.Entries[0].VideoID != youtubetest.PlaylistVideoIDs[2] {
		t.Errorf("channel %+v", ch)
	}
}
