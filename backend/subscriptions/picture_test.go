package subscriptions

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

var jpegBytes = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00fake-avatar")

// A follow answers before a slow picture arrives; once it is cached the
// subscription is published again with its thumbnail_url, and List and
// Picture serve it from the store. A failed or missing picture leaves
// thumbnail_url null (the UI's letter). A playlist's picture is its first
// video's thumbnail.
func TestFollowCachesThePictureOffTheCriticalPath(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	asked := make(chan string, 4)
	e.rebuild(func(c *Config) {
		c.FetchPicture = func(ctx context.Context, raw string) ([]byte, error) {
			asked <- raw
			if raw == "https://yt3.ggpht.example/avatar.jpg" {
				select {
				case <-release:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return jpegBytes, nil
			}
			return nil, errors.New("HTTP 404")
		}
	})
	t.Cleanup(e.svc.Close)
	link := e.channel(1, entries("a", 1, 2, e.clk.Now())...)
	done := make(chan ytsum.Subscription, 1)
	go func() { done <- e.follow(link, FollowOptions{}) }()
	var sub ytsum.Subscription
	select {
	case sub = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Follow waited for the picture")
	}
	if sub.ThumbnailURL != nil {
		t.Fatalf("thumbnail_url before the picture arrived = %q", *sub.ThumbnailURL)
	}
	if _, _, err := e.svc.Picture(sub.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("Picture before it arrived: %v", err)
	}
	<-asked
	close(release)
	deadline := time.After(5 * time.Second)
	for {
		var got ytsum.Subscription
		select {
		case got = <-e.pub.changed:
		case <-deadline:
			t.Fatal("no change published with the picture")
		}
		if got.ID == sub.ID && got.ThumbnailURL != nil {
			if *got.ThumbnailURL != "/thumbnails/subscriptions/"+sub.ID {
				t.Fatalf("thumbnail_url = %q", *got.ThumbnailURL)
			}
			break
		}
	}
	data, ct, err := e.svc.Picture(sub.ID)
	if err != nil || string(data) != string(jpegBytes) || ct != "image/jpeg" {
		t.Fatalf("Picture = %d bytes %q %v", len(data), ct, err)
	}
	list, _ := e.svc.List()
	if len(list) != 1 || list[0].ThumbnailURL == nil {
		t.Fatalf("List = %+v", list)
	}

	// A playlist: its first video's thumbnail, which fails here: no picture.
	pl := "https://www.youtube.com/playlist?list=PLfake0000000000000001"
	e.res.learn(pl, ytsum.SubscriptionPlaylist, "PLfake0000000000000001")
	e.feeds.add("PLfake0000000000000001", "A playlist", entries("p", 1, 2, e.clk.Now())...)
	psub := e.follow(pl, FollowOptions{})
	if got := <-asked; !strings.Contains(got, "ytimg.com/vi/") {
		t.Fatalf("the playlist's picture was asked at %q, not its first video's thumbnail", got)
	}
	e.svc.Close() // waits for the download
	if _, _, err := e.svc.Picture(psub.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("a failed picture was cached: %v", err)
	}
	if err := e.svc.Unfollow(sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Picture(sub.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("unfollow kept the picture: %v", err)
	}
}

// Ensure a picture that failed when followed (offline, a 5xx) is fetched
// again at the next check that reaches the feed, and not again once cached.
func TestPictureRetriedAtTheNextCheck(t *testing.T) {
	e := newEnv(t)
	asked := make(chan string, 8)
	var fail atomic.Bool
	fail.Store(true)
	e.rebuild(func(c *Config) {
		c.FetchPicture = func(ctx context.Context, raw string) ([]byte, error) {
			asked <- raw
			if fail.Load() {
				return nil, errors.New("HTTP 503")
			}
			return jpegBytes, nil
		}
	})
	t.Cleanup(e.svc.Close)
	sub := e.follow(e.channel(1, entries("a", 1, 2, e.clk.Now())...), FollowOptions{})
	<-asked
	waitNoPicture := func() {
		if _, _, err := e.svc.Picture(sub.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
			t.Fatalf("picture after a failed download: %v", err)
		}
	}
	waitNoPicture()
	fail.Store(false) // the next download works (set before the check starts it)
	if _, _, err := e.svc.Check(context.Background(), sub.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case <-asked:
	case <-time.After(5 * time.Second):
		t.Fatal("the check did not fetch the missing picture again")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if data, _, err := e.svc.Picture(sub.ID); err == nil && string(data) == string(jpegBytes) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the retried picture was not cached")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, _, err := e.svc.Check(context.Background(), sub.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case raw := <-asked:
		t.Fatalf("a cached picture was fetched again: %s", raw)
	case <-time.After(200 * time.Millisecond):
	}
}
