package subscriptions

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/store"
	"ytsum/backend/youtube"
	"ytsum/backend/ytsum"
)

// feedServer is a fake YouTube serving /feeds/videos.xml in the captured
// Atom shape (see ../youtube/testdata/feeds), with ETag / If-None-Match.
// Channels gain entries over time through add.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	sources  map[string]*fakeSource // channel or playlist id
	status   int                    // non-zero: answer this status to every request
	garbage  string                 // non-empty: answer this 200 body
	requests int
	notMod   int
}

type fakeSource struct {
	title   string
	version int
	entries []fakeEntry // newest first
}

type fakeEntry struct {
	id        string
	title     string
	published time.Time
	short     bool
}

func newFeedServer(t testing.TB) *feedServer {
	f := &feedServer{sources: make(map[string]*fakeSource)}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// add prepends entries (newest last in the arguments) to source id,
// creating it.
func (f *feedServer) add(id, title string, entries ...fakeEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sources[id]
	if s == nil {
		s = &fakeSource{title: title}
		f.sources[id] = s
	}
	for _, e := range entries {
		s.entries = append([]fakeEntry{e}, s.entries...)
	}
	if len(s.entries) > 15 {
		s.entries = s.entries[:15]
	}
	s.version++
}

func (f *feedServer) set(status int, garbage string) {
	f.mu.Lock()
	f.status, f.garbage = status, garbage
	f.mu.Unlock()
}

func (f *feedServer) counts() (requests, notModified int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, f.notMod
}

func (f *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if r.URL.Path != "/feeds/videos.xml" {
		http.NotFound(w, r)
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		return
	}
	if f.garbage != "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(f.garbage))
		return
	}
	q := r.URL.Query()
	id, playlist := q.Get("channel_id"), false
	if id == "" {
		id, playlist = q.Get("playlist_id"), true
	}
	s := f.sources[id]
	if s == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<!DOCTYPE html><html><body>404</body></html>"))
		return
	}
	etag := fmt.Sprintf(`"%s-%d"`, id, s.version)
	if r.Header.Get("If-None-Match") == etag {
		f.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	w.Header().Set("ETag", etag)
	_, _ = w.Write([]byte(renderFeed(id, playlist, s)))
}

func renderFeed(id string, playlist bool, s *fakeSource) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
`)
	ch := id
	if playlist {
		ch = "UCowner000000000000000001"[:24]
		fmt.Fprintf(&b, " <link rel=\"self\" href=\"http://www.youtube.com/feeds/videos.xml?playlist_id=%s\"/>\n <id>yt:playlist:%s</id>\n <yt:playlistId>%s</yt:playlistId>\n <yt:channelId>%s</yt:channelId>\n", id, id, id, ch)
	} else {
		fmt.Fprintf(&b, " <link rel=\"self\" href=\"http://www.youtube.com/feeds/videos.xml?channel_id=%s\"/>\n <id>yt:channel:%s</id>\n <yt:channelId>%s</yt:channelId>\n", id, id[2:], id[2:])
	}
	fmt.Fprintf(&b, " <title>%s</title>\n <author>\n  <name>%s</name>\n  <uri>https://www.youtube.com/channel/%s</uri>\n </author>\n <published>2011-03-14T09:26:53+00:00</published>\n",
		html.EscapeString(s.title), html.EscapeString(s.title), ch)
	for _, e := range s.entries {
		link := "https://www.youtube.com/watch?v=" + e.id
		if e.short {
			link = "https://www.youtube.com/shorts/" + e.id
		}
		fmt.Fprintf(&b, ` <entry>
  <id>yt:video:%[1]s</id>
  <yt:videoId>%[1]s</yt:videoId>
  <yt:channelId>%[2]s</yt:channelId>
  <title>%[3]s</title>
  <link rel="alternate" href="%[4]s"/>
  <author>
   <name>%[5]s</name>
   <uri>https://www.youtube.com/channel/%[2]s</uri>
  </author>
  <published>%[6]s</published>
  <updated>%[6]s</updated>
  <media:group>
   <media:title>%[3]s</media:title>
   <media:content url="https://www.youtube.com/v/%[1]s?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i1.ytimg.com/vi/%[1]s/hqdefault.jpg" width="480" height="360"/>
   <media:description>About %[3]s</media:description>
   <media:community>
    <media:starRating count="10" average="5.00" min="1" max="5"/>
    <media:statistics views="100"/>
   </media:community>
  </media:group>
 </entry>
`, e.id, ch, html.EscapeString(e.title), link, html.EscapeString(s.title), e.published.UTC().Format(time.RFC3339))
	}
	b.WriteString("</feed>\n")
	return b.String()
}

// vid returns a valid 11-character video id for n.
func vid(prefix string, n int) string { return fmt.Sprintf("%s%0*d", prefix, 11-len(prefix), n) }

// chanID returns a valid UC… channel id for n.
func chanID(n int) string { return fmt.Sprintf("UC%022d", n) }

// fakeResolver resolves https://www.youtube.com/@nameN and /channel/UC…
// and playlist links; unknown handles are not_found.
type fakeResolver struct {
	mu    sync.Mutex
	known map[string][2]string // url → kind, id
	calls int
}

func (r *fakeResolver) Resolve(_ context.Context, raw string) (string, string, string, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if k, ok := r.known[raw]; ok {
		if k[0] == ytsum.SubscriptionPlaylist {
			return k[0], k[1], "", "", nil // as the real adapter: the feed gives it
		}
		return k[0], k[1], "", "https://yt3.ggpht.example/avatar.jpg", nil
	}
	return "", "", "", "", ytsum.Errorf(ytsum.CodeNotFound, "channel_not_found", "This channel does not exist; check the link.")
}

func (r *fakeResolver) learn(url, kind, id string) {
	r.mu.Lock()
	if r.known == nil {
		r.known = make(map[string][2]string)
	}
	r.known[url] = [2]string{kind, id}
	r.mu.Unlock()
}

// fakeJobs is the Submitter: it persists a JSON record through persist and
// "starts" the job in memory. crash makes the next Submit return after
// persist without starting (kill -9 between record and start); failBefore
// makes it fail before persist.
type fakeJobs struct {
	mu         sync.Mutex
	n          int
	started    []fakeJob
	crash      bool
	failBefore error
}

type fakeJob struct {
	ID   string     `json:"id"`
	Req  JobRequest `json:"req"`
	Sub  string     `json:"sub"`
	URLs []string   `json:"urls"`
}

var errKilled = fmt.Errorf("killed")

func (j *fakeJobs) Submit(_ context.Context, req JobRequest, persist func(string, []byte) error) (string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.failBefore != nil {
		return "", j.failBefore
	}
	j.n++
	job := fakeJob{ID: fmt.Sprintf("job-%d-%d", time.Now().UnixNano(), j.n), Req: req, Sub: req.SubscriptionID, URLs: req.URLs}
	rec, _ := json.Marshal(job)
	if err := persist(job.ID, rec); err != nil {
		return "", err
	}
	if j.crash {
		j.crash = false
		return "", errKilled
	}
	j.started = append(j.started, job)
	return job.ID, nil
}

func (j *fakeJobs) jobs() []fakeJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.started)
}

// fakeClock is a manual clock; timers fire on Advance.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	armed  chan struct{}
}

type fakeTimer struct {
	at      time.Time
	c       chan time.Time
	stopped bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC), armed: make(chan struct{}, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	t := &fakeTimer{at: c.now.Add(d), c: make(chan time.Time, 1)}
	if d <= 0 {
		t.c <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	c.mu.Unlock()
	select {
	case c.armed <- struct{}{}:
	default:
	}
	return t.c, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves the clock and fires the timers now due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			t.c <- c.now
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
}

// waitArmed waits until the scheduler has set a timer.
func (c *fakeClock) waitArmed(t *testing.T) {
	t.Helper()
	select {
	case <-c.armed:
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler never set a timer")
	}
}

// recorder is the Publisher; it forwards every event to channels.
type recorder struct {
	changed chan ytsum.Subscription
	removed chan ytsum.Subscription
	found   chan foundEvent
}

type foundEvent struct {
	sub   ytsum.Subscription
	ids   []string
	jobID string
}

func newRecorder() *recorder {
	return &recorder{changed: make(chan ytsum.Subscription, 1000), removed: make(chan ytsum.Subscription, 100),
		found: make(chan foundEvent, 100)}
}

func (r *recorder) Changed(s ytsum.Subscription) { r.changed <- s }
func (r *recorder) Removed(s ytsum.Subscription) { r.removed <- s }
func (r *recorder) Found(s ytsum.Subscription, ids []string, jobID string) {
	r.found <- foundEvent{s, ids, jobID}
}

func (r *recorder) waitFound(t *testing.T) foundEvent {
	t.Helper()
	select {
	case f := <-r.found:
		return f
	case <-time.After(10 * time.Second):
		t.Fatal("no Found event")
	}
	return foundEvent{}
}

// waitChecked waits for a Changed event of sub id checked at or after at.
func (r *recorder) waitChecked(t *testing.T, id string, at time.Time) ytsum.Subscription {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case s := <-r.changed:
			if s.ID == id && s.LastCheckedAt != nil && !s.LastCheckedAt.Before(at) {
				return s
			}
		case <-deadline:
			t.Fatalf("subscription %s was not checked at %v", id, at)
		}
	}
}

// env is one service over one database, fakes and a fake clock.
type env struct {
	t     *testing.T
	path  string
	db    *store.DB
	feeds *feedServer
	yt    *youtube.Client
	res   *fakeResolver
	jobs  *fakeJobs
	clk   *fakeClock
	pub   *recorder
	svc   *Service
	cfg   Config
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, path: filepath.Join(t.TempDir(), store.FileName), feeds: newFeedServer(t), res: &fakeResolver{},
		jobs: &fakeJobs{}, clk: newFakeClock(), pub: newRecorder()}
	e.yt = youtube.New(youtube.Options{BaseURL: e.feeds.URL, MaxRetries: -1, Pacing: func() time.Duration { return 0 }})
	e.open()
	return e
}

// open (re)opens the database and builds a new Service, as a restart does.
func (e *env) open() {
	db, err := store.Open(e.path, store.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	e.t.Cleanup(func() { _ = db.Close() })
	e.cfg = Config{DB: db, Feeds: e.yt, Resolver: e.res, Submitter: e.jobs, Publisher: e.pub, Clock: e.clk, Jitter: -1}
	e.svc = New(e.cfg)
}

func (e *env) rebuild(mod func(*Config)) {
	mod(&e.cfg)
	e.svc = New(e.cfg)
}

// restart closes the database and opens it again (the process died).
func (e *env) restart() {
	if err := e.db.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// channel makes channel n known to the resolver and the feed, with the
// given entries, and returns its link.
func (e *env) channel(n int, entries ...fakeEntry) string {
	link := fmt.Sprintf("https://www.youtube.com/@chan%d", n)
	e.res.learn(link, ytsum.SubscriptionChannel, chanID(n))
	e.feeds.add(chanID(n), fmt.Sprintf("Channel %d", n), entries...)
	return link
}

func (e *env) follow(link string, opts FollowOptions) ytsum.Subscription {
	e.t.Helper()
	s, err := e.svc.Follow(context.Background(), link, opts)
	if err != nil {
		e.t.Fatalf("Follow(%s): %v", link, err)
	}
	return s
}

func (e *env) check(id string) (int, string) {
	e.t.Helper()
	n, job, err := e.svc.Check(context.Background(), id)
	if err != nil {
		e.t.Fatalf("Check(%s): %v", id, err)
	}
	return n, job
}

// entries returns n entries with ids prefix+1..n, published an hour apart
// before base, oldest first.
func entries(prefix string, from, n int, base time.Time) []fakeEntry {
	var out []fakeEntry
	for i := from; i < from+n; i++ {
		out = append(out, fakeEntry{id: vid(prefix, i), title: fmt.Sprintf("Video %s %d", prefix, i),
			published: base.Add(time.Duration(i-from-n) * time.Hour)})
	}
	return out
}
