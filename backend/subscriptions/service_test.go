package subscriptions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"ytsum/backend/youtube"
	"ytsum/backend/ytsum"
)

func TestFollowRejectsBadInput(t *testing.T) {
	e := newEnv(t)
	link := e.channel(1, entries("a", 1, 3, e.clk.Now())...)
	e.res.learn("https://www.youtube.com/@ghost", ytsum.SubscriptionChannel, chanID(99)) // resolves, but has no feed
	e.res.learn("https://www.youtube.com/@htmlfeed", ytsum.SubscriptionChannel, chanID(98))
	e.follow(link, FollowOptions{})
	ctx := context.Background()
	for _, tc := range []struct {
		name, url string
		opts      FollowOptions
		code      ytsum.Code
		kind      string
		message   string
		html      bool
	}{
		{name: "video link", url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", code: ytsum.CodeInvalid, kind: KindVideoLink,
			message: "This is a video, not a channel or playlist — summarize it instead?"},
		{name: "short link", url: "https://youtu.be/dQw4w9WgXcQ", code: ytsum.CodeInvalid, kind: KindVideoLink},
		{name: "shorts page", url: "https://www.youtube.com/shorts/dQw4w9WgXcQ", code: ytsum.CodeInvalid, kind: KindVideoLink},
		{name: "look-alike host", url: "https://www.youtube.com.evil.example/@chan1", code: ytsum.CodeInvalid, kind: youtube.KindLookAlike},
		{name: "other host", url: "https://vimeo.com/123", code: ytsum.CodeInvalid, kind: youtube.KindNotYouTube},
		{name: "search page", url: "https://www.youtube.com/results?search_query=go", code: ytsum.CodeInvalid, kind: KindNotFollowable},
		{name: "unknown channel", url: "https://www.youtube.com/@nobody", code: ytsum.CodeNotFound, kind: "channel_not_found"},
		{name: "channel without feed", url: "https://www.youtube.com/@ghost", code: ytsum.CodeNotFound, kind: youtube.KindFeedNotFound},
		{name: "html feed", url: "https://www.youtube.com/@htmlfeed", code: ytsum.CodeUnavailable, kind: youtube.KindFeedUnparsable, html: true},
		{name: "duplicate", url: link, code: ytsum.CodeConflict, kind: KindAlreadyFollowed},
		{name: "bad interval", url: link, opts: FollowOptions{IntervalMinutes: 1}, code: ytsum.CodeInvalid, kind: KindBadInterval},
		{name: "bad backfill", url: link, opts: FollowOptions{Backfill: -1}, code: ytsum.CodeInvalid, kind: KindBadBackfill},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.html {
				e.feeds.set(0, "<!DOCTYPE html><html><body>Before you continue to YouTube</body></html>")
				defer e.feeds.set(0, "")
			}
			_, err := e.svc.Follow(ctx, tc.url, tc.opts)
			if ytsum.ErrorCode(err) != tc.code || ytsum.ErrorKind(err) != tc.kind {
				t.Fatalf("err = %v (code %q kind %q), want %q %q", err, ytsum.ErrorCode(err), ytsum.ErrorKind(err), tc.code, tc.kind)
			}
			if tc.message != "" && ytsum.ErrorMessage(err) != tc.message {
				t.Fatalf("message = %q, want %q", ytsum.ErrorMessage(err), tc.message)
			}
			if tc.code == ytsum.CodeConflict && ytsum.ErrorCode(err).HTTPStatus() != http.StatusConflict {
				t.Fatalf("duplicate gives HTTP %d", ytsum.ErrorCode(err).HTTPStatus())
			}
		})
	}
	subs, err := e.svc.List()
	if err != nil || len(subs) != 1 {
		t.Fatalf("after bad input List = %d subscriptions, %v; want 1 (nothing changed)", len(subs), err)
	}
	if len(e.jobs.jobs()) != 0 {
		t.Fatalf("bad input made jobs: %v", e.jobs.jobs())
	}
}

func TestCheckFindsNewVideosAsOneJob(t *testing.T) {
	e := newEnv(t)
	now := e.clk.Now()
	link := e.channel(1, entries("a", 1, 3, now)...)
	sub := e.follow(link, FollowOptions{Model: "gemini-2.5-flash", Style: ytsum.StyleKeyPoints})
	if sub.Kind != "channel" || sub.SourceID != chanID(1) || sub.Title != "Channel 1" || sub.IntervalMinutes != 60 ||
		sub.URL != "https://www.youtube.com/channel/"+chanID(1) || sub.LastError != nil || sub.NewCount != 0 {
		t.Fatalf("followed = %+v", sub)
	}
	raw, _ := json.Marshal(sub)
	var keys map[string]any
	_ = json.Unmarshal(raw, &keys)
	for _, k := range []string{"id", "kind", "source_id", "title", "url", "model", "style", "length", "language",
		"interval_minutes", "paused", "created_at", "last_checked_at", "last_error", "new_count",
		"thumbnail_url"} { // thumbnail_url: docs/API.md's addition (null until the picture is cached)
		if _, ok := keys[k]; !ok {
			t.Errorf("subscription JSON lacks %q: %s", k, raw)
		}
	}
	if len(keys) != 16 {
		t.Errorf("subscription JSON has %d keys, want the contract's 15 and thumbnail_url: %s", len(keys), raw)
	}

	// Nothing new: one request, answered 304.
	r0, _ := e.feeds.counts()
	if n, job := e.check(sub.ID); n != 0 || job != "" {
		t.Fatalf("check with nothing new = %d, %q", n, job)
	}
	r1, nm := e.feeds.counts()
	if r1-r0 != 1 || nm != 1 {
		t.Fatalf("an unchanged check made %d requests (%d answered 304), want 1 (1)", r1-r0, nm)
	}

	// Two uploads: one job with both, oldest first, with the subscription's options.
	e.feeds.add(chanID(1), "", fakeEntry{id: vid("b", 1), published: now.Add(-2 * time.Minute)}, fakeEntry{id: vid("b", 2), published: now.Add(-time.Minute)})
	n, job := e.check(sub.ID)
	if n != 2 || job == "" {
		t.Fatalf("check = %d, %q; want 2 and a job", n, job)
	}
	r2, _ := e.feeds.counts()
	if r2-r1 != 1 {
		t.Fatalf("a check with news made %d requests, want 1", r2-r1)
	}
	jobs := e.jobs.jobs()
	if len(jobs) != 1 || jobs[0].ID != job ||
		!slices.Equal(jobs[0].URLs, []string{ytsum.WatchURL(vid("b", 1)), ytsum.WatchURL(vid("b", 2))}) ||
		jobs[0].Req.Options.Model != "gemini-2.5-flash" || jobs[0].Req.Options.Style != ytsum.StyleKeyPoints {
		t.Fatalf("jobs = %+v", jobs)
	}
	if rec, _, err := e.db.Job(job); err != nil || len(rec) == 0 {
		t.Fatalf("job record not stored: %v", err)
	}
	f := e.pub.waitFound(t)
	if f.jobID != job || len(f.ids) != 2 || f.sub.NewCount != 2 {
		t.Fatalf("Found = %+v", f)
	}
	got, _ := e.svc.Get(sub.ID)
	if got.NewCount != 2 || got.LastCheckedAt == nil {
		t.Fatalf("after the check: %+v", got)
	}
	// Checking again finds nothing (no repeat).
	if n, job := e.check(sub.ID); n != 0 || job != "" {
		t.Fatalf("repeat check = %d, %q", n, job)
	}
	// Opening a summary clears its mark.
	if err := e.svc.MarkOpened(vid("b", 1)); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(sub.ID); got.NewCount != 1 {
		t.Fatalf("new_count after opening one = %d", got.NewCount)
	}
	if nv, _ := e.svc.NewVideos(""); !slices.Equal(nv, []string{vid("b", 2)}) {
		t.Fatalf("NewVideos = %v", nv)
	}
	if vs, _ := e.svc.Videos(sub.ID); !slices.Equal(vs, []string{vid("b", 1), vid("b", 2)}) {
		t.Fatalf("Videos = %v", vs)
	}
}

func TestBackfillSkipsAndDefers(t *testing.T) {
	e := newEnv(t)
	now := e.clk.Now()
	old := entries("a", 1, 5, now) // a…1 oldest … a…5 newest
	link := e.channel(1, old...)
	// a…4 is already in the library: linked, not summarized again.
	if err := e.db.PutSummary(&ytsum.Summary{Video: ytsum.Video{ID: vid("a", 4)}, CacheKey: "k", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	sub := e.follow(link, FollowOptions{Backfill: 3})
	jobs := e.jobs.jobs()
	if len(jobs) != 1 || !slices.Equal(jobs[0].URLs, []string{ytsum.WatchURL(vid("a", 3)), ytsum.WatchURL(vid("a", 5))}) {
		t.Fatalf("backfill jobs = %+v", jobs)
	}
	vs, _ := e.db.SubscriptionVideos(sub.ID)
	how := map[string]string{}
	for _, v := range vs {
		how[v.VideoID] = v.How
	}
	if how[vid("a", 1)] != howBaseline || how[vid("a", 4)] != howLibrary || how[vid("a", 5)] != howJob {
		t.Fatalf("seen = %v", how)
	}

	// A Short, a premiere in the future and a live stream.
	states := &fakeStates{status: map[string]VideoStatus{vid("l", 1): VideoLive}}
	e.rebuild(func(c *Config) { c.VideoStates = states })
	e.feeds.add(chanID(1), "",
		fakeEntry{id: vid("s", 1), published: now.Add(-time.Minute), short: true},
		fakeEntry{id: vid("l", 1), published: now.Add(-time.Minute)},
		fakeEntry{id: vid("p", 1), published: now.Add(3 * time.Hour)},
		fakeEntry{id: vid("v", 1), published: now.Add(-time.Minute)})
	n, _ := e.check(sub.ID)
	if n != 1 || !slices.Equal(e.jobs.jobs()[1].URLs, []string{ytsum.WatchURL(vid("v", 1))}) {
		t.Fatalf("check = %d, jobs %+v; want only the ordinary video", n, e.jobs.jobs())
	}
	d, _ := e.db.SubscriptionDeferred(sub.ID)
	if len(d) != 2 {
		t.Fatalf("deferred = %+v, want the live stream and the premiere", d)
	}
	if got, _ := e.svc.Get(sub.ID); got.LastError != nil {
		t.Fatalf("deferral was reported as an error: %s", *got.LastError)
	}

	// Four hours on, the stream has ended and the premiere aired; the feed
	// is unchanged (304), yet both are summarized in one job.
	states.set(vid("l", 1), VideoReady)
	e.clk.Advance(4 * time.Hour)
	_, nm0 := e.feeds.counts()
	n, _ = e.check(sub.ID)
	_, nm1 := e.feeds.counts()
	if n != 2 || nm1-nm0 != 1 {
		t.Fatalf("check after airing = %d (304s %d); want 2 from an unchanged feed", n, nm1-nm0)
	}
	if d, _ := e.db.SubscriptionDeferred(sub.ID); len(d) != 0 {
		t.Fatalf("still deferred: %+v", d)
	}

	// With the Shorts setting off, Shorts are summarized.
	e.rebuild(func(c *Config) { c.SkipShorts = func() bool { return false } })
	e.feeds.add(chanID(1), "", fakeEntry{id: vid("s", 2), published: e.clk.Now(), short: true})
	if n, _ := e.check(sub.ID); n != 1 {
		t.Fatalf("Short with skipping off: %d new", n)
	}
}

type fakeStates struct {
	mu     chan struct{}
	status map[string]VideoStatus
}

func (f *fakeStates) VideoState(_ context.Context, id string) (VideoState, error) {
	return VideoState{Status: f.get(id)}, nil
}

func (f *fakeStates) get(id string) VideoStatus {
	f.lock()
	defer f.unlock()
	return f.status[id]
}

func (f *fakeStates) set(id string, s VideoStatus) {
	f.lock()
	defer f.unlock()
	f.status[id] = s
}

func (f *fakeStates) lock() {
	if f.mu == nil {
		f.mu = make(chan struct{}, 1)
	}
	f.mu <- struct{}{}
}
func (f *fakeStates) unlock() { <-f.mu }

// TestCrashBetweenRecordAndStart: the process dies after the check and its
// job are recorded but before the job starts; after a restart the job is
// in the store (the engine resumes pending jobs) and the videos are not
// queued again. A crash before the record loses nothing either.
func TestCrashBetweenRecordAndStart(t *testing.T) {
	e := newEnv(t)
	now := e.clk.Now()
	sub := e.follow(e.channel(1, entries("a", 1, 2, now)...), FollowOptions{})
	e.feeds.add(chanID(1), "", fakeEntry{id: vid("b", 1), published: now})

	// Crash before the transaction: nothing recorded.
	e.jobs.failBefore = errKilled
	if _, _, err := e.svc.Check(context.Background(), sub.ID); err == nil {
		t.Fatal("a Submit failing before persist was not reported")
	}
	e.jobs.failBefore = nil
	if got, _ := e.svc.Get(sub.ID); got.LastError == nil {
		t.Fatal("the failed check left no last_error")
	}
	e.restart()
	// Crash right after the transaction.
	e.jobs.crash = true
	n, crashedJob, err := e.svc.Check(context.Background(), sub.ID)
	if err != nil || n != 1 || crashedJob == "" {
		t.Fatalf("check with crash after record = %d, %q, %v", n, crashedJob, err)
	}
	if len(e.jobs.jobs()) != 0 {
		t.Fatal("the job started despite the crash")
	}
	e.restart()
	var pending []fakeJob
	if err := e.db.ForEachJob(func(id string, rec []byte) error {
		var j fakeJob
		if err := json.Unmarshal(rec, &j); err != nil {
			return err
		}
		pending = append(pending, j)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != crashedJob || !slices.Equal(pending[0].URLs, []string{ytsum.WatchURL(vid("b", 1))}) {
		t.Fatalf("after restart the store holds jobs %+v, want one with b…1 (no loss)", pending)
	}
	if n, job := e.check(sub.ID); n != 0 || job != "" {
		t.Fatalf("after restart a check queued %d videos again (job %q): repeated", n, job)
	}
	vs, _ := e.db.SubscriptionVideos(sub.ID)
	for _, v := range vs {
		if v.VideoID == vid("b", 1) && v.JobID != pending[0].ID {
			t.Fatalf("seen b…1 points at job %q, want %q", v.JobID, pending[0].ID)
		}
	}
}

func TestBackoffAfterServerErrors(t *testing.T) {
	e := newEnv(t)
	sub := e.follow(e.channel(1, entries("a", 1, 2, e.clk.Now())...), FollowOptions{})
	e.feeds.set(http.StatusServiceUnavailable, "")
	var waits []time.Duration
	for i := 0; i < 5; i++ {
		_, _, err := e.svc.Check(context.Background(), sub.ID)
		if ytsum.ErrorCode(err) != ytsum.CodeUnavailable {
			t.Fatalf("check %d against a 503: err = %v", i, err)
		}
		r, _ := e.svc.load(sub.ID)
		waits = append(waits, r.NextCheck.Sub(e.clk.Now()))
		if r.Sub.LastError == nil || *r.Sub.LastError == "" {
			t.Fatal("no last_error after a failed check")
		}
	}
	want := []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, 80 * time.Minute}
	if !slices.Equal(waits, want) {
		t.Fatalf("back-off = %v, want %v", waits, want)
	}
	e.rebuild(func(c *Config) { c.BackoffMax = 30 * time.Minute })
	_, _, _ = e.svc.Check(context.Background(), sub.ID)
	if r, _ := e.svc.load(sub.ID); r.NextCheck.Sub(e.clk.Now()) != 30*time.Minute {
		t.Fatalf("capped back-off = %v", r.NextCheck.Sub(e.clk.Now()))
	}
	e.feeds.set(0, "")
	e.check(sub.ID)
	r, _ := e.svc.load(sub.ID)
	if r.Failures != 0 || r.Sub.LastError != nil || r.NextCheck.Sub(e.clk.Now()) != time.Hour {
		t.Fatalf("after recovery: failures %d, last_error %v, next in %v", r.Failures, r.Sub.LastError, r.NextCheck.Sub(e.clk.Now()))
	}
	// Garbage is a failure too, with a sentence.
	e.feeds.set(0, "<html>oops")
	_, _, err := e.svc.Check(context.Background(), sub.ID)
	if ytsum.ErrorKind(err) != youtube.KindFeedUnparsable {
		t.Fatalf("garbage feed: %v", err)
	}
}

func TestUpdatePauseUnfollow(t *testing.T) {
	e := newEnv(t)
	sub := e.follow(e.channel(1, entries("a", 1, 2, e.clk.Now())...), FollowOptions{})
	paused, iv, model := true, 15, "gpt-4o-mini"
	got, err := e.svc.Update(t.Context(), sub.ID, Patch{Paused: &paused, IntervalMinutes: &iv, Model: &model})
	if err != nil || !got.Paused || got.IntervalMinutes != 15 || got.Model != model {
		t.Fatalf("Update = %+v, %v", got, err)
	}
	bad := 0
	if _, err := e.svc.Update(t.Context(), sub.ID, Patch{IntervalMinutes: &bad}); ytsum.ErrorKind(err) != KindBadInterval {
		t.Fatalf("bad interval: %v", err)
	}
	e.rebuild(func(c *Config) {
		c.ValidateOptions = func(_ context.Context, o ytsum.SummaryOptions) error {
			if o.Model == "nope" {
				return errors.New("unknown model")
			}
			return nil
		}
	})
	nope := "nope"
	if _, err := e.svc.Update(t.Context(), sub.ID, Patch{Model: &nope}); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Fatalf("bad model: %v", err)
	}
	if _, err := e.svc.Update(t.Context(), "missing", Patch{Paused: &paused}); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("update missing: %v", err)
	}
	e.feeds.add(chanID(1), "", fakeEntry{id: vid("b", 1), published: e.clk.Now()})
	_, job := e.check(sub.ID)
	if err := e.svc.Unfollow(sub.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-e.pub.removed:
		if s.ID != sub.ID {
			t.Fatalf("Removed(%s)", s.ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no Removed event")
	}
	if _, err := e.svc.Get(sub.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("Get after unfollow: %v", err)
	}
	if err := e.svc.Unfollow(sub.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("second unfollow: %v", err)
	}
	if _, _, err := e.db.Job(job); err != nil {
		t.Fatalf("unfollow removed the job: %v", err)
	}
	if _, _, err := e.svc.Check(context.Background(), sub.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("check after unfollow: %v", err)
	}
	// It can be followed again.
	e.follow("https://www.youtube.com/@chan1", FollowOptions{})
}

func TestPlaylistFollow(t *testing.T) {
	e := newEnv(t)
	const pl = "PLfakePlaylist00000000000000000001"
	link := "https://www.youtube.com/playlist?list=" + pl
	e.res.learn(link, ytsum.SubscriptionPlaylist, pl)
	e.feeds.add(pl, "Lectures", entries("a", 1, 2, e.clk.Now())...)
	sub := e.follow(link, FollowOptions{})
	if sub.Kind != ytsum.SubscriptionPlaylist || sub.Title != "Lectures" || sub.URL != link {
		t.Fatalf("playlist subscription = %+v", sub)
	}
	e.feeds.add(pl, "", fakeEntry{id: vid("b", 1), published: e.clk.Now()})
	if n, _ := e.check(sub.ID); n != 1 {
		t.Fatalf("playlist check = %d", n)
	}
	// A watch link inside the playlist is taken for the playlist (not
	// refused as a video), here already followed.
	watch := "https://www.youtube.com/watch?v=" + vid("a", 1) + "&list=" + pl
	e.res.learn(watch, ytsum.SubscriptionPlaylist, pl)
	if _, err := e.svc.Follow(context.Background(), watch, FollowOptions{}); ytsum.ErrorKind(err) != KindAlreadyFollowed {
		t.Fatalf("watch+list link: %v", err)
	}
}

func TestConcurrentChecksMakeOneJob(t *testing.T) {
	e := newEnv(t)
	sub := e.follow(e.channel(1, entries("a", 1, 2, e.clk.Now())...), FollowOptions{})
	e.feeds.add(chanID(1), "", entries("b", 1, 3, e.clk.Now())...)
	var wg sync.WaitGroup
	total := make(chan int, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, _, err := e.svc.Check(context.Background(), sub.ID)
			if err != nil {
				t.Error(err)
			}
			total <- n
		}()
	}
	wg.Wait()
	close(total)
	sum := 0
	for n := range total {
		sum += n
	}
	if jobs := e.jobs.jobs(); sum != 3 || len(jobs) != 1 {
		t.Fatalf("8 concurrent checks queued %d videos in %d jobs; want 3 in 1", sum, len(jobs))
	}
}

func TestEventPublisher(t *testing.T) {
	var events []ytsum.Event
	var notes []string
	p := EventPublisher{Emit: func(ev ytsum.Event) { events = append(events, ev) }, Notify: func(title, body string) { notes = append(notes, body) }}
	s := ytsum.Subscription{ID: "s1", Kind: "channel", Title: "Channel X", IntervalMinutes: 60}
	p.Changed(s)
	p.Found(s, []string{"a", "b", "c"}, "j1")
	p.Found(s, nil, "")
	p.Found(s, []string{"a"}, "j2")
	p.Removed(s)
	if len(events) != 2 || events[0].Type != ytsum.EventSubscription {
		t.Fatalf("events = %+v", events)
	}
	if bytes.Contains(events[0].Data, []byte(`"removed"`)) || !bytes.Contains(events[1].Data, []byte(`"removed":true`)) {
		t.Fatalf("a change must not say removed, a removal must: %s / %s", events[0].Data, events[1].Data)
	}
	var back ytsum.Subscription
	if err := json.Unmarshal(events[0].Data, &back); err != nil || back.ID != "s1" || back.Title != "Channel X" {
		t.Fatalf("event data %s: %v", events[0].Data, err)
	}
	if !slices.Equal(notes, []string{"3 new summaries from Channel X", "1 new summary from Channel X"}) {
		t.Fatalf("notifications = %q", notes)
	}
	EventPublisher{}.Changed(s) // nil funcs are skipped
}

func TestFollowWithFailingBackfillChangesNothing(t *testing.T) {
	e := newEnv(t)
	link := e.channel(1, entries("a", 1, 3, e.clk.Now())...)
	e.jobs.failBefore = ytsum.ErrBusy
	if _, err := e.svc.Follow(context.Background(), link, FollowOptions{Backfill: 2}); ytsum.ErrorCode(err) != ytsum.ErrorCode(ytsum.ErrBusy) {
		t.Fatalf("Follow with a busy engine: %v", err)
	}
	if subs, _ := e.svc.List(); len(subs) != 0 {
		t.Fatalf("a failed follow stored %+v", subs)
	}
	e.jobs.failBefore = nil
	e.follow(link, FollowOptions{Backfill: 2})
	if jobs := e.jobs.jobs(); len(jobs) != 1 || len(jobs[0].URLs) != 2 {
		t.Fatalf("jobs = %+v", jobs)
	}
}
