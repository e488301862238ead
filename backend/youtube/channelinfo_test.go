package youtube

import (
	"context"
	"testing"
	"time"

	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// ChannelInfo costs one request (the channel page) and no uploads listing;
// the fake's feed answers what ParseFeed reads, with a 304 to its ETag.
func TestChannelInfoAndFeedOnYoutubetest(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	c := New(Options{BaseURL: yt.URL, Pacing: func() time.Duration { return 0 }})
	ctx := context.Background()
	id, title, err := c.ChannelInfo(ctx, youtubetest.ChannelURL(youtubetest.ChannelHandle))
	if err != nil || id != youtubetest.ChannelID || title != "Curious Things" {
		t.Fatalf("ChannelInfo = %q %q %v", id, title, err)
	}
	if n := len(yt.Requests()); n != 1 {
		t.Errorf("ChannelInfo sent %d requests: %v", n, yt.Requests())
	}
	_, _, avatar, err := c.ChannelDetails(ctx, youtubetest.ChannelURL(youtubetest.ChannelHandle))
	if err != nil || avatar != yt.URL+youtubetest.AvatarPath(youtubetest.ChannelID) {
		t.Fatalf("ChannelDetails avatar = %q %v", avatar, err)
	}
	if body, _, err := c.Get(ctx, avatar); err != nil || len(body) < 100 {
		t.Fatalf("avatar GET: %d bytes, %v", len(body), err)
	}
	if _, _, err := c.ChannelInfo(ctx, "https://www.youtube.com/@nobodyhere"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Errorf("unknown channel: %v", err)
	}
	if _, _, err := c.ChannelInfo(ctx, youtubetest.WatchURL(youtubetest.VideoID)); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Errorf("video link: %v", err)
	}

	f, err := c.Feed(ctx, FeedQuery{ChannelID: youtubetest.ChannelID})
	if err != nil || f.ChannelID != youtubetest.ChannelID || len(f.Entries) != 3 || f.Entries[0].VideoID != youtubetest.PlaylistVideoIDs[2] || f.ETag == "" {
		t.Fatalf("Feed = %+v %v", f, err)
	}
	again, err := c.Feed(ctx, FeedQuery{ChannelID: youtubetest.ChannelID, ETag: f.ETag})
	if err != nil || !again.NotModified {
		t.Fatalf("Feed with the ETag = %+v %v", again, err)
	}
	yt.AddUpload(youtubetest.ChannelID, youtubetest.Video{ID: "newUpload01", Title: "New"}, true)
	f2, err := c.Feed(ctx, FeedQuery{ChannelID: youtubetest.ChannelID, ETag: f.ETag})
	if err != nil || f2.NotModified || len(f2.Entries) != 4 || f2.Entries[0].VideoID != "newUpload01" || !f2.Entries[0].Short {
		t.Fatalf("Feed after an upload = %+v %v", f2, err)
	}
	pl, err := c.Feed(ctx, FeedQuery{PlaylistID: youtubetest.PlaylistID})
	if err != nil || len(pl.Entries) != 3 || pl.Title == "" {
		t.Fatalf("playlist Feed = %+v %v", pl, err)
	}
	live, upcoming, err := c.LiveState(ctx, youtubetest.VideoID)
	if err != nil || live || upcoming {
		t.Errorf("LiveState of an ordinary video = %v %v %v", live, upcoming, err)
	}
}
