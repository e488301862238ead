package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/events"
	"ytsum/backend/httpapi"
	"ytsum/backend/subscriptions"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// shiftClock is the real clock moved forward by a settable offset, so a
// test can make a subscription due without waiting an hour.
type shiftClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *shiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *shiftClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

func (c *shiftClock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// openSubsRig is openRig with the subscriptions service tuned.
func openSubsRig(t *testing.T, yt *youtubetest.Server, tune func(*subscriptions.Config)) *rig {
	t.Helper()
	return openSubsRigAt(t, t.TempDir(), yt, tune)
}

func openSubsRigAt(t *testing.T, dataDir string, yt *youtubetest.Server, tune func(*subscriptions.Config)) *rig {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := openBackend(ctx, backendOptions{localWellKnown: noLocalServers, Version: "test", Stderr: logs, Getenv: env(dataDir, yt),
		Keychain: &memKeyring{}, tuneSubscriptions: tune})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	r := &rig{t: t, svc: svc, logs: logs, http: httptest.NewServer(svc.Handler())}
	t.Cleanup(r.close)
	return r
}

func newUpload(id, title string) youtubetest.Video {
	return youtubetest.Video{ID: id, Title: title, DurationSeconds: 200, Lines: []string{
		"Octopuses have three hearts and blue blood.",
		"Each arm of an octopus can taste what it touches.",
		"An octopus can squeeze through any gap larger than its beak.",
		"They solve puzzles and open jars to reach a crab inside.",
	}}
}

func libraryIDs(t *testing.T, r *rig, query string) []string {
	t.Helper()
	var page httpapi.LibraryPage
	r.mustJSON("GET", "/get_cached_summaries?"+query, nil, 200, &page)
	var ids []string
	for _, it := range page.Summaries {
		ids = append(ids, it.VideoID)
	}
	return ids
}

// Follow a channel over HTTP; a new upload becomes one job whose summary
// is in the library, marked new until opened; the second check is a 304;
// bad input changes nothing; unfollowing keeps the summary.
func TestSubscriptionsOverHTTP(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openSubsRig(t, yt, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var sub ytsum.Subscription
	r.mustJSON("POST", "/subscriptions", map[string]any{"url": youtubetest.ChannelURL(youtubetest.ChannelHandle)}, 201, &sub)
	if sub.Kind != "channel" || sub.SourceID != youtubetest.ChannelID || sub.Title != "Curious Things" || sub.IntervalMinutes != 60 {
		t.Fatalf("followed %+v", sub)
	}
	// Duplicate (another spelling of the same channel): 409.
	code, _, body := r.do("POST", "/subscriptions", map[string]any{"url": "https://www.youtube.com/channel/" + youtubetest.ChannelID})
	if code != 409 {
		t.Errorf("duplicate follow: %d %s", code, body)
	}
	// A video link: 400 with the contract's question; a look-alike: 400.
	code, _, body = r.do("POST", "/subscriptions", map[string]any{"url": youtubetest.WatchURL(youtubetest.VideoID)})
	if code != 400 || !strings.Contains(string(body), "summarize it instead?") {
		t.Errorf("video link: %d %s", code, body)
	}
	code, _, body = r.do("POST", "/subscriptions", map[string]any{"url": "https://youtube.com.evil.io/@x"})
	if code != 400 {
		t.Errorf("look-alike: %d %s", code, body)
	}
	// A channel that does not exist: 404, nothing stored.
	code, _, body = r.do("POST", "/subscriptions", map[string]any{"url": "https://www.youtube.com/@nobodyhere"})
	if code != 404 {
		t.Errorf("unknown channel: %d %s", code, body)
	}
	var list httpapi.SubscriptionList
	r.mustJSON("GET", "/subscriptions", nil, 200, &list)
	if len(list.Subscriptions) != 1 {
		t.Fatalf("after bad input: %d subscriptions", len(list.Subscriptions))
	}

	// Nothing new yet: the check answers 0 and no job.
	feedHits := yt.Hits("/feeds/videos.xml")
	var chk httpapi.CheckResult
	r.mustJSON("POST", "/subscriptions/"+sub.ID+"/check", nil, 202, &chk)
	if chk.NewVideos != 0 || chk.JobID != nil {
		t.Fatalf("check with nothing new: %+v", chk)
	}
	if n := yt.Hits("/feeds/videos.xml") - feedHits; n != 1 {
		t.Errorf("a check with nothing new sent %d feed requests, want 1 (a 304)", n)
	}

	// A new upload: one job, its summary in the library, marked new.
	yt.AddUpload(youtubetest.ChannelID, newUpload("octopus0001", "Octopus Minds"), false)
	before := len(yt.Requests())
	r.mustJSON("POST", "/subscriptions/"+sub.ID+"/check", nil, 202, &chk)
	if chk.NewVideos != 1 || chk.JobID == nil {
		t.Fatalf("check with one upload: %+v", chk)
	}
	t.Logf("requests of a check that found 1 video: %v", yt.Requests()[before:])
	j, err := r.svc.engine.Wait(ctx, *chk.JobID)
	if err != nil || j.Status != ytsum.JobCompleted || len(j.Results) != 1 || j.Results[0].Summary == nil {
		t.Fatalf("job: %+v %v", j, err)
	}
	t.Logf("requests of the check and its job: %d", len(yt.Requests())-before)
	if ids := libraryIDs(t, r, "page=1&subscription="+sub.ID); len(ids) != 1 || ids[0] != "octopus0001" {
		t.Errorf("library by subscription: %v", ids)
	}
	if ids := libraryIDs(t, r, "page=1&new=1"); len(ids) != 1 || ids[0] != "octopus0001" {
		t.Errorf("library new: %v", ids)
	}
	r.mustJSON("GET", "/subscriptions", nil, 200, &list)
	if list.Subscriptions[0].NewCount != 1 || list.Subscriptions[0].LastCheckedAt == nil {
		t.Errorf("after the check: %+v", list.Subscriptions[0])
	}
	// Search honours the subscription and "new" filters, through both doors.
	var other ytsum.Subscription
	r.mustJSON("POST", "/subscriptions", map[string]any{"url": youtubetest.PlaylistURL(youtubetest.PlaylistID)}, 201, &other)
	app := NewApp(ctx, r.svc, nil)
	searchBoth := func(q httpapi.SearchQuery) []string {
		t.Helper()
		v := url.Values{"q": {q.Q}}
		if q.Subscription != "" {
			v.Set("subscription", q.Subscription)
		}
		if q.New {
			v.Set("new", "1")
		}
		var viaHTTP []ytsum.Result
		r.mustJSON("GET", "/search_summaries?"+v.Encode(), nil, 200, &viaHTTP)
		bound, err := app.SearchSubscriptionSummaries(q)
		if err != nil {
			t.Fatalf("SearchSubscriptionSummaries(%+v): %v", q, err)
		}
		var ids, boundIDs []string
		for _, it := range viaHTTP {
			ids = append(ids, it.VideoID)
		}
		for _, h := range bound {
			boundIDs = append(boundIDs, h.Item.VideoID)
		}
		if !slices.Equal(ids, boundIDs) {
			t.Errorf("search %+v: HTTP %v, window %v", q, ids, boundIDs)
		}
		return ids
	}
	for _, c := range []struct {
		q    httpapi.SearchQuery
		want []string
	}{
		{httpapi.SearchQuery{Q: "octopus"}, []string{"octopus0001"}},
		{httpapi.SearchQuery{Q: "octopus", Subscription: sub.ID}, []string{"octopus0001"}},
		{httpapi.SearchQuery{Q: "octopus", Subscription: other.ID}, nil},
		{httpapi.SearchQuery{Q: "octopus", New: true}, []string{"octopus0001"}},
		{httpapi.SearchQuery{Q: "octopus", Subscription: other.ID, New: true}, nil},
	} {
		if got := searchBoth(c.q); !slices.Equal(got, c.want) {
			t.Errorf("search %+v = %v, want %v", c.q, got, c.want)
		}
	}
	if code, _, body := r.do("GET", "/search_summaries?q=octopus&subscription=nope", nil); code != 404 {
		t.Errorf("search with an unknown subscription: %d %s", code, body)
	}
	r.mustJSON("DELETE", "/subscriptions/"+other.ID, nil, 200, nil)
	// Opened: no longer new.
	r.mustJSON("POST", "/library/octopus0001/opened", nil, 200, nil)
	if ids := libraryIDs(t, r, "page=1&new=1"); len(ids) != 0 {
		t.Errorf("library new after opening: %v", ids)
	}
	if ids := searchBoth(httpapi.SearchQuery{Q: "octopus", New: true}); len(ids) != 0 {
		t.Errorf("search new after opening: %v", ids)
	}
	r.mustJSON("GET", "/subscriptions", nil, 200, &list)
	if list.Subscriptions[0].NewCount != 0 {
		t.Errorf("new count after opening: %d", list.Subscriptions[0].NewCount)
	}
	// The same feed again: nothing twice.
	r.mustJSON("POST", "/subscriptions/"+sub.ID+"/check", nil, 202, &chk)
	if chk.NewVideos != 0 || chk.JobID != nil {
		t.Errorf("second check: %+v", chk)
	}

	// Edit, pause, unknown ids.
	var edited ytsum.Subscription
	r.mustJSON("PATCH", "/subscriptions/"+sub.ID, map[string]any{"paused": true, "interval_minutes": 30, "style": "key_points"}, 200, &edited)
	if !edited.Paused || edited.IntervalMinutes != 30 || edited.Style != "key_points" {
		t.Errorf("edited: %+v", edited)
	}
	if code, _, body := r.do("PATCH", "/subscriptions/"+sub.ID, map[string]any{"interval_minutes": 1}); code != 400 {
		t.Errorf("interval 1: %d %s", code, body)
	}
	for _, c := range []struct{ method, path string }{{"PATCH", "/subscriptions/nope"}, {"DELETE", "/subscriptions/nope"}, {"POST", "/subscriptions/nope/check"}} {
		var b any
		if c.method == "PATCH" {
			b = map[string]any{"paused": false}
		}
		if code, _, body := r.do(c.method, c.path, b); code != 404 {
			t.Errorf("%s %s: %d %s", c.method, c.path, code, body)
		}
	}

	// Unfollow keeps the summaries.
	r.mustJSON("DELETE", "/subscriptions/"+sub.ID, nil, 200, nil)
	r.mustJSON("GET", "/subscriptions", nil, 200, &list)
	if len(list.Subscriptions) != 0 {
		t.Errorf("after unfollow: %+v", list.Subscriptions)
	}
	if ids := libraryIDs(t, r, "page=1&per_page=50"); !contains(ids, "octopus0001") {
		t.Errorf("summary gone after unfollow: %v", ids)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// The window's bound methods follow, edit, check and unfollow through the
// same operations, and each change reaches the broker as a subscription
// event (what the window forwards).
func TestSubscriptionsThroughBoundMethods(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openSubsRig(t, yt, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	app := NewApp(ctx, r.svc, nil)
	events := r.svc.Broker().Subscribe(eventsFilter(ytsum.EventSubscription))
	defer events.Close()

	sub, err := app.Follow(httpapi.FollowRequest{URL: youtubetest.PlaylistURL(youtubetest.PlaylistID), Backfill: 1})
	if err != nil || sub.Kind != "playlist" || sub.SourceID != youtubetest.PlaylistID {
		t.Fatalf("Follow playlist: %+v %v", sub, err)
	}
	if _, err := app.Follow(httpapi.FollowRequest{URL: youtubetest.PlaylistURL(youtubetest.PlaylistID)}); ytsum.ErrorCode(err) != ytsum.CodeConflict {
		t.Errorf("duplicate through the window: %v", err)
	}
	ev, err := events.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got ytsum.Subscription
	if err := json.Unmarshal(ev.Data, &got); err != nil || got.ID != sub.ID {
		t.Errorf("event %s: %v", ev.Data, err)
	}
	// Backfill 1: the newest video of the playlist is being summarized.
	if sub.NewCount != 1 {
		t.Errorf("backfill 1: new_count %d", sub.NewCount)
	}
	list, err := app.ListSubscriptions()
	if err != nil || len(list.Subscriptions) != 1 {
		t.Fatalf("ListSubscriptions: %+v %v", list, err)
	}
	paused := true
	if s, err := app.UpdateSubscription(sub.ID, httpapi.SubscriptionPatch{Paused: &paused}); err != nil || !s.Paused {
		t.Errorf("pause: %+v %v", s, err)
	}
	if res, err := app.CheckSubscription(sub.ID); err != nil || res.NewVideos != 0 {
		t.Errorf("check: %+v %v", res, err)
	}
	if _, err := app.Unfollow(sub.ID); err != nil {
		t.Errorf("Unfollow: %v", err)
	}
	if _, err := app.Unfollow(sub.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Errorf("Unfollow twice: %v", err)
	}
	// The window learns of the removal: a subscription event with "removed": true.
	for {
		ev, err := events.Next(ctx)
		if err != nil {
			t.Fatalf("no removal event: %v", err)
		}
		var s ytsum.Subscription
		if json.Unmarshal(ev.Data, &s) == nil && s.ID == sub.ID && s.Removed {
			break
		}
	}
}

// `ytsum serve` runs the scheduler: a due subscription is checked without
// anyone asking, and its new video is summarized.
func TestServeChecksSubscriptions(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	clk := &shiftClock{}
	r := openSubsRig(t, yt, func(c *subscriptions.Config) { c.Clock = clk; c.Jitter = -1 })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut syncBuffer
	served := make(chan int, 1)
	sctx, stop := context.WithCancel(ctx)
	go func() { served <- serve(sctx, r.svc, "127.0.0.1:0", &out, &errOut) }()
	defer func() {
		stop()
		<-served
	}()

	var sub ytsum.Subscription
	r.mustJSON("POST", "/subscriptions", map[string]any{"url": youtubetest.ChannelURL(youtubetest.ChannelHandle), "interval_minutes": 5}, 201, &sub)
	jobs := r.svc.Broker().Subscribe(eventsFilter(ytsum.EventJob))
	defer jobs.Close()

	yt.AddUpload(youtubetest.ChannelID, newUpload("octopus0002", "Octopus Dreams"), false)
	added := time.Now()
	clk.advance(6 * time.Minute)
	r.mustJSON("PATCH", "/subscriptions/"+sub.ID, map[string]any{"paused": false}, 200, nil) // nudges the scheduler
	for {
		ev, err := jobs.Next(ctx)
		if err != nil {
			t.Fatalf("no job from the scheduler: %v\n%s", err, r.logs.String())
		}
		var head ytsum.Job
		if json.Unmarshal(ev.Data, &head) == nil && head.Status == ytsum.JobCompleted {
			j, err := r.svc.engine.Get(ctx, head.ID) // job events carry no results (API.md §7)
			if err != nil {
				t.Fatal(err)
			}
			if len(j.Results) != 1 || j.Results[0].VideoID != "octopus0002" || j.Results[0].Summary == nil {
				t.Fatalf("scheduled job: %+v", j)
			}
			t.Logf("new feed entry to its summary (scheduler, fakes): %v", time.Since(added))
			break
		}
	}
	if !strings.Contains(r.logs.String(), "1 new summary from Curious Things") {
		t.Errorf("serve logs no line for the find:\n%s", r.logs.String())
	}
}

// Figures: memory of 200 subscriptions and the requests per check.
func TestSubscriptionsFigures(t *testing.T) {
	if os.Getenv("YTSUM_FIGURES") == "" {
		t.Skip("set YTSUM_FIGURES=1: 400 paced requests take about 3 minutes")
	}
	cat := youtubetest.DefaultCatalogue()
	for i := range 200 {
		id := "UCfigure" + strings.Repeat("0", 14) + string(rune('a'+i/26%26)) + string(rune('a'+i%26))
		cat.Channels = append(cat.Channels, youtubetest.Channel{ID: id, Title: "Figure " + id[len(id)-3:], Videos: []string{youtubetest.VideoID}})
	}
	yt := youtubetest.MustStart(t, cat)
	r := openSubsRig(t, yt, nil)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	rss0 := procRSS()
	var ids []string
	for _, ch := range cat.Channels[1:] {
		var sub ytsum.Subscription
		r.mustJSON("POST", "/subscriptions", map[string]any{"url": ch.ID}, 201, &sub)
		ids = append(ids, sub.ID)
	}
	// The pictures are fetched in the background: wait for them, so the
	// figure includes them.
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var l httpapi.SubscriptionList
		r.mustJSON("GET", "/subscriptions", nil, 200, &l)
		n := 0
		for _, s := range l.Subscriptions {
			if s.ThumbnailURL != nil {
				n++
			}
		}
		if n == len(ids) {
			break
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	t.Logf("200 subscriptions (pictures cached): heap %+d KiB (in use %d KiB), process RSS %s → %s (test binary with the fake YouTube)",
		(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/1024, m1.HeapAlloc/1024, rss0, procRSS())
	start := time.Now()
	before := yt.Hits("/feeds/videos.xml")
	for _, id := range ids {
		r.mustJSON("POST", "/subscriptions/"+id+"/check", nil, 202, nil)
	}
	t.Logf("200 checks answered 304: %d feed requests, %v", yt.Hits("/feeds/videos.xml")-before, time.Since(start))
	start = time.Now()
	var list httpapi.SubscriptionList
	r.mustJSON("GET", "/subscriptions", nil, 200, &list)
	t.Logf("GET /subscriptions with %d: %v", len(list.Subscriptions), time.Since(start))
}

func eventsFilter(types ...string) events.Filter { return events.Filter{Types: types} }

// A restart between a check and its job's end loses nothing and repeats
// nothing: the check's job resumes at the next start, and the next check
// finds no new video.
func TestSubscriptionCheckSurvivesRestart(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	dir := t.TempDir()
	// No live-state lookup: it would wait on the slow video's player answer.
	noStates := func(c *subscriptions.Config) { c.VideoStates = nil }
	r := openSubsRigAt(t, dir, yt, noStates)
	var sub ytsum.Subscription
	r.mustJSON("POST", "/subscriptions", map[string]any{"url": youtubetest.ChannelURL(youtubetest.ChannelHandle)}, 201, &sub)
	v := newUpload("octopus0003", "Octopus Gardens")
	v.Delay = time.Minute // the job is still running when the app closes
	yt.AddUpload(youtubetest.ChannelID, v, false)
	var chk httpapi.CheckResult
	r.mustJSON("POST", "/subscriptions/"+sub.ID+"/check", nil, 202, &chk)
	if chk.NewVideos != 1 || chk.JobID == nil {
		t.Fatalf("check: %+v", chk)
	}
	r.close()

	yt.SetDelay("octopus0003", 0)
	r2 := openSubsRigAt(t, dir, yt, noStates)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	j, err := r2.svc.engine.Wait(ctx, *chk.JobID)
	if err != nil || j.Status != ytsum.JobCompleted || len(j.Results) != 1 || j.Results[0].Summary == nil {
		t.Fatalf("resumed job: %+v %v", j, err)
	}
	r2.mustJSON("POST", "/subscriptions/"+sub.ID+"/check", nil, 202, &chk)
	if chk.NewVideos != 0 || chk.JobID != nil {
		t.Errorf("check after the restart repeated: %+v", chk)
	}
	if ids := libraryIDs(t, r2, "page=1&new=1"); len(ids) != 1 || ids[0] != "octopus0003" {
		t.Errorf("new after the restart: %v", ids)
	}
}

// Following a channel caches its avatar (the channel page's og:image) off
// the follow's path: with the avatar host hanging, the follow still
// answers and the subscription shows a letter (thumbnail_url null); once
// the avatar answers, it is served offline at thumbnail_url by the API and
// by the window's asset handler.
func TestFollowCachesTheChannelAvatar(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	yt.SetAvatarDelay(time.Hour)
	r := openSubsRig(t, yt, nil)
	var sub ytsum.Subscription
	r.mustJSON("POST", "/subscriptions", map[string]any{"url": youtubetest.ChannelURL(youtubetest.ChannelHandle)}, 201, &sub)
	if sub.ThumbnailURL != nil {
		t.Fatalf("thumbnail_url with the avatar host hanging: %q", *sub.ThumbnailURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := yt.WaitHits(ctx, youtubetest.AvatarPath(youtubetest.ChannelID), 1); err != nil {
		t.Fatalf("the avatar was never asked for: %v", err)
	}
	if code, _, _ := r.do("GET", "/thumbnails/subscriptions/"+sub.ID, nil); code != 404 {
		t.Errorf("picture while the avatar hangs: %d, want 404", code)
	}
	r.mustJSON("DELETE", "/subscriptions/"+sub.ID, nil, 200, nil)

	yt.SetAvatarDelay(0)
	r.mustJSON("POST", "/subscriptions", map[string]any{"url": youtubetest.ChannelURL(youtubetest.ChannelHandle)}, 201, &sub)
	var list httpapi.SubscriptionList
	for {
		r.mustJSON("GET", "/subscriptions", nil, 200, &list)
		if len(list.Subscriptions) == 1 && list.Subscriptions[0].ThumbnailURL != nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the avatar was never cached: %+v", list)
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := "/thumbnails/subscriptions/" + sub.ID
	if got := *list.Subscriptions[0].ThumbnailURL; got != want {
		t.Fatalf("thumbnail_url = %q, want %q", got, want)
	}
	avatarHits := yt.Hits(youtubetest.AvatarPath(youtubetest.ChannelID))
	code, ct, body := r.do("GET", want, nil)
	if code != 200 || ct != "image/jpeg" || len(body) < 100 {
		t.Fatalf("GET %s: %d %q %d bytes", want, code, ct, len(body))
	}
	rec := httptest.NewRecorder()
	r.svc.api.Thumbnails().ServeHTTP(rec, httptest.NewRequest("GET", want, nil))
	if rec.Code != 200 || rec.Body.Len() != len(body) {
		t.Errorf("the window's asset handler: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if n := yt.Hits(youtubetest.AvatarPath(youtubetest.ChannelID)) - avatarHits; n != 0 {
		t.Errorf("serving the cached picture asked YouTube %d times", n)
	}
}

// procRSS is this process's resident set size from /proc (Linux), or "?".
func procRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
