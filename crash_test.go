package main

// Restart safety with a real kill -9 (issue [4/10] point 4, jobs/doc.go
// guarantee 5). The test re-executes its own binary as a child process
// (TestCrashChild) that opens the services on a shared data dir, submits
// jobs or resumes them, and prints every job change on stdout. The parent
// waits for a chosen moment, kills the child with SIGKILL, inspects the
// bbolt file left behind and opens the same data dir again in-process.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ytsum/backend/events"
	"ytsum/backend/jobs"
	"ytsum/backend/store"
	"ytsum/backend/youtube"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// Environment of the child process.
const (
	envCrashDir    = "YTSUM_CRASH_CHILD_DIR"    // data dir; set only in the child
	envCrashYT     = "YTSUM_CRASH_CHILD_YT"     // base URL of the parent's fake YouTube
	envCrashSubmit = "YTSUM_CRASH_CHILD_SUBMIT" // links to submit, one job each, separated by spaces
	envCrashWatch  = "YTSUM_CRASH_CHILD_WATCH"  // job id whose current state is printed after opening
	crashPrefix    = "CRASHCHILD "
)

// The crash catalogue: a playlist of four videos that each take a few
// delayed requests, and a blocker that holds one of YouTube's two
// connection slots and never finishes while the child runs, so the job is
// always unfinished when it is killed. A single video makes a second job.
const (
	crashPlaylistID = "PLcrashtest00000000001"
	crashBlockerID  = "crashBlock1"
	crashSoloID     = "crashSolo01"
	crashStepDelay  = 120 * time.Millisecond
)

var crashVideoIDs = []string{"crashVid001", "crashVid002", "crashVid003", "crashVid004"}

// crashWords holds one word per video that occurs only in its transcript.
var crashWords = map[string]string{
	"crashVid001": "albatross", "crashVid002": "bagpipes", "crashVid003": "cathedral",
	"crashVid004": "dromedary", crashBlockerID: "eucalyptus", crashSoloID: "flamingo",
}

func crashCatalogue() youtubetest.Catalogue {
	var c youtubetest.Catalogue
	var entries []youtubetest.Entry
	mk := func(id string, delay time.Duration) youtubetest.Video {
		w := crashWords[id]
		return youtubetest.Video{ID: id, Title: "All about the " + w, Channel: "Crash Channel", DurationSeconds: 100 + len(c.Videos),
			Delay: delay, Lines: []string{
				"This video explains everything about the " + w + " in a few minutes.",
				"The " + w + " has a long history that surprises most viewers.",
				"Experts agree that the " + w + " deserves more attention than it gets.",
				"Thanks for watching this short film about the " + w + ".",
			}}
	}
	for _, id := range crashVideoIDs {
		c.Videos = append(c.Videos, mk(id, crashStepDelay))
		entries = append(entries, youtubetest.Entry{VideoID: id})
	}
	c.Videos = append(c.Videos, mk(crashBlockerID, time.Hour), mk(crashSoloID, crashStepDelay))
	entries = append(entries, youtubetest.Entry{VideoID: crashBlockerID})
	c.Playlists = []youtubetest.Playlist{{ID: crashPlaylistID, Title: "Crash test playlist", Entries: entries}}
	return c
}

// crashEnv is env of backend_test.go for a fake known only by its URL.
func crashEnv(dataDir, ytURL string) func(string) (string, bool) {
	m := map[string]string{
		"YTSUM_DATA_DIR":       dataDir,
		"YTSUM_YOUTUBE_URL":    ytURL,
		"YTSUM_THUMBNAIL_URL":  ytURL,
		"YTSUM_GEMINI_URL":     "http://127.0.0.1:9",
		"YTSUM_OPENAI_URL":     "http://127.0.0.1:9",
		"YTSUM_TTS_URL":        "http://127.0.0.1:9",
		"TRANSCRIPT_LANGUAGES": "en",
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// childMsg is one line the child prints after crashPrefix.
type childMsg struct {
	Event string          `json:"event"` // "open", "submitted", "job", "error"
	JobID string          `json:"job_id,omitempty"`
	URL   string          `json:"url,omitempty"`
	Job   json.RawMessage `json:"job,omitempty"`
	Err   string          `json:"err,omitempty"`
	job   *ytsum.Job
}

// TestCrashChild is the child process of the crash tests; run on its own it
// skips. It opens the services, prints "open", submits the links of
// envCrashSubmit (printing "submitted" once each is durable), then prints
// every job change until it is killed (or a minute passed).
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(envCrashDir)
	if dir == "" {
		t.Skip("helper process of TestCrashKill* (runs only when they start it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	emit := func(m childMsg) {
		b, _ := json.Marshal(m)
		fmt.Fprintf(os.Stdout, "%s%s\n", crashPrefix, b)
	}
	svc, err := openBackend(ctx, backendOptions{localWellKnown: noLocalServers, Version: "crash-child", Stderr: os.Stderr,
		Getenv: crashEnv(dir, os.Getenv(envCrashYT)), Keychain: &memKeyring{},
		// The blocker video must stay unfinished until the kill, however slow
		// the machine: the client's stall deadlines (15 s) would fail it.
		youtubeOptions: func(o *youtube.Options) {
			o.FirstByteTimeout, o.IdleTimeout, o.RequestTimeout = time.Hour, time.Hour, 2*time.Hour
		}})
	if err != nil {
		emit(childMsg{Event: "error", Err: err.Error()})
		t.Fatalf("Open: %v", err)
	}
	defer svc.Close() // reached only when the parent did not kill us
	sub := svc.Broker().Subscribe(events.Filter{Types: []string{ytsum.EventJob}})
	defer sub.Close()
	emit(childMsg{Event: "open"})
	if id := os.Getenv(envCrashWatch); id != "" {
		// The engine resumed the job before we subscribed: print where it is.
		j, err := svc.engine.Get(ctx, id)
		if err != nil {
			emit(childMsg{Event: "error", JobID: id, Err: err.Error()})
		} else {
			emit(childMsg{Event: "job", JobID: id, Job: ytsum.JobJSON(j)})
		}
	}
	for _, u := range strings.Fields(os.Getenv(envCrashSubmit)) {
		j, err := svc.engine.Submit(ctx, jobs.Request{URLs: []string{u}})
		if err != nil {
			emit(childMsg{Event: "error", URL: u, Err: err.Error()})
			t.Fatalf("Submit %s: %v", u, err)
		}
		emit(childMsg{Event: "submitted", JobID: j.ID, URL: u})
	}
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			return
		}
		emit(childMsg{Event: "job", JobID: ev.JobID, Job: ev.Data})
	}
}

// crashChild is a running child process.
type crashChild struct {
	t      *testing.T
	cmd    *exec.Cmd
	msgs   chan childMsg // closed at the end of the child's stdout
	stderr *syncBuffer
	pw     *io.PipeWriter
	waited bool
}

// startCrashChild starts TestCrashChild on dir. submit are links to submit
// (one job each); watch is a job id whose state the child prints first.
func startCrashChild(t *testing.T, dir string, yt *youtubetest.Server, submit []string, watch string) *crashChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashYT+"="+yt.URL,
		envCrashSubmit+"="+strings.Join(submit, " "), envCrashWatch+"="+watch)
	c := &crashChild{t: t, cmd: cmd, msgs: make(chan childMsg, 4096), stderr: &syncBuffer{}}
	cmd.Stderr = c.stderr
	// Through an io.Pipe, Wait returns only once every line the child wrote
	// was read, so nothing it printed before the kill is lost.
	out, pw := io.Pipe()
	cmd.Stdout = pw
	c.pw = pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the child: %v", err)
	}
	go func() {
		defer close(c.msgs)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 8<<20)
		defer io.Copy(io.Discard, out) // an overlong line: keep the child unblocked
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), crashPrefix)
			if !ok {
				continue
			}
			var m childMsg
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				m = childMsg{Event: "error", Err: "unreadable line: " + line}
			}
			if m.Event == "job" {
				m.job = &ytsum.Job{}
				if err := json.Unmarshal(m.Job, m.job); err != nil {
					m = childMsg{Event: "error", Err: "unreadable job: " + line}
				}
			}
			c.msgs <- m
		}
	}()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			t.Logf("child log:\n%s", c.stderr.String())
		}
	})
	return c
}

// await reads the child's messages until match accepts one, and returns it.
// It fails the test at the deadline, if the child reports an error or if it
// exits first.
func (c *crashChild) await(what string, deadline time.Duration, match func(childMsg) bool) childMsg {
	c.t.Helper()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("the child exited while waiting for %s; its log:\n%s", what, c.stderr.String())
			}
			if m.Event == "error" {
				c.t.Fatalf("the child failed while waiting for %s: %s", what, m.Err)
			}
			if match(m) {
				return m
			}
		case <-timer.C:
			c.t.Fatalf("no %s within %v; child log:\n%s", what, deadline, c.stderr.String())
		}
	}
}

// kill sends SIGKILL (os.Process.Kill) and reaps the child.
func (c *crashChild) kill() {
	if c.waited {
		return
	}
	c.waited = true
	_ = c.cmd.Process.Kill()
	err := c.cmd.Wait()
	c.pw.Close()
	if ps := c.cmd.ProcessState; ps != nil && ps.Success() {
		c.t.Errorf("the child exited by itself (%v) instead of being killed", err)
	}
}

// diskState is what a killed child left in the data dir, read without the
// engine.
type diskState struct {
	jobs      map[string]*ytsum.Job     // stored record's job (no results; progress counted from the parts)
	summaries map[string]*ytsum.Summary // video → newest saved summary
}

// inspectDisk opens the bbolt file alone: it must open without recovery and
// pass bbolt's consistency check; it returns the stored jobs and summaries.
func inspectDisk(t *testing.T, dir string) diskState {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, store.FileName), store.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("opening the database after the kill: %v", err)
	}
	defer db.Close()
	if r := db.Recovery(); r != nil {
		t.Fatalf("the database was damaged by the kill and set aside: %s (%v)", r.Message, r.Cause)
	}
	if err := db.Check(); err != nil {
		t.Fatalf("bbolt consistency check after the kill: %v", err)
	}
	st := diskState{jobs: map[string]*ytsum.Job{}, summaries: map[string]*ytsum.Summary{}}
	err = db.ForEachJob(func(id string, b []byte) error {
		var rec struct {
			Job *ytsum.Job `json:"job"`
		}
		if err := json.Unmarshal(b, &rec); err != nil || rec.Job == nil {
			return fmt.Errorf("job record %s: %v", id, err)
		}
		// Progress is not in the head: it is the videos whose outcome is
		// stored (a part per video, or an entry finished in its link's
		// plan), skipped ones apart.
		_, parts, err := db.Job(id)
		if err != nil {
			return err
		}
		rec.Job.Progress = 0
		for k, v := range parts {
			var o struct {
				Result  json.RawMessage `json:"result"`
				Ref     json.RawMessage `json:"ref"`
				Skipped bool            `json:"skipped"`
				Videos  []struct {
					Result  json.RawMessage `json:"result"`
					Skipped bool            `json:"skipped"`
				} `json:"videos"`
			}
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("job %s part %s: %v", id, k, err)
			}
			switch {
			case strings.HasPrefix(k, "v/") && !o.Skipped && (o.Ref != nil || o.Result != nil):
				rec.Job.Progress++
			case strings.HasPrefix(k, "l/"):
				for n, pv := range o.Videos {
					if _, own := parts[fmt.Sprintf("v/%s/%06d", k[2:], n)]; !own && pv.Result != nil && !pv.Skipped {
						rec.Job.Progress++
					}
				}
			}
		}
		st.jobs[id] = rec.Job
		return nil
	})
	if err != nil {
		t.Fatalf("reading the stored jobs: %v", err)
	}
	for id := range crashWords {
		s, ok, err := db.Latest(id)
		if err != nil {
			t.Fatalf("reading the summary of %s: %v", id, err)
		}
		if ok {
			st.summaries[id] = s
		}
	}
	return st
}

// checkFinalDB checks the bbolt file once the services are closed.
func checkFinalDB(t *testing.T, dir string) {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, store.FileName), store.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("opening the database at the end: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("bbolt consistency check at the end: %v", err)
	}
}

// videoItems returns the video items of j's results (playlist entries
// included) by video id.
func videoItems(j ytsum.Job) map[string]ytsum.Result {
	m := map[string]ytsum.Result{}
	for _, r := range j.Results {
		switch r.Type {
		case ytsum.ResultVideo:
			m[r.VideoID] = r
		case ytsum.ResultPlaylist:
			for _, v := range r.Summaries {
				m[v.VideoID] = v
			}
		}
	}
	return m
}

// TestCrashKillResumes kills a child that runs two jobs (a playlist of
// five videos and a single video) at different moments, then checks that
// the next start finds every accepted job, completes it with every video,
// and does not summarize again a video whose summary was saved.
func TestCrashKillResumes(t *testing.T) {
	points := []struct {
		name string
		done int // kill once the playlist job reported this many finished videos; -1: right after the first submit
		// thumbOf, when set, kills as soon as the fake has answered the
		// request for that video's thumbnail, which Library.Save fetches
		// just before it writes the summary: the kill lands while the video
		// is being saved.
		thumbOf string
	}{
		{"right after submit", -1, ""},
		{"after 1 video", 1, ""},
		{"after 2 videos", 2, ""},
		{"after 3 videos", 3, ""},
		{"while saving a video", -1, crashVideoIDs[1]},
	}
	if testing.Short() {
		points = points[1:2] // one real kill mid-job
	}
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			start := time.Now()
			yt := youtubetest.MustStart(t, crashCatalogue())
			dir := t.TempDir()
			playlistURL := youtubetest.PlaylistURL(crashPlaylistID)
			child := startCrashChild(t, dir, yt, []string{playlistURL, youtubetest.WatchURL(crashSoloID)}, "")
			child.await("the services to open", 60*time.Second, func(m childMsg) bool { return m.Event == "open" })

			accepted := map[string]string{} // job id → link
			sub := child.await("the first submit", 30*time.Second, func(m childMsg) bool { return m.Event == "submitted" })
			accepted[sub.JobID] = sub.URL
			playlistJob := sub.JobID
			if p.thumbOf != "" {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				err := yt.WaitAnswered(ctx, "/vi/"+p.thumbOf+"/", 1)
				cancel()
				if err != nil {
					t.Fatalf("the child never saved %s: %v; child log:\n%s", p.thumbOf, err, child.stderr.String())
				}
			}
			if p.done >= 0 {
				child.await(fmt.Sprintf("%d finished videos", p.done), 60*time.Second, func(m childMsg) bool {
					if m.Event == "submitted" {
						accepted[m.JobID] = m.URL
					}
					return m.Event == "job" && m.JobID == playlistJob && m.job.Progress >= p.done
				})
			}
			child.kill()
			// Lines the child printed before it died may name more accepted jobs.
			for m := range child.msgs {
				if m.Event == "submitted" {
					accepted[m.JobID] = m.URL
				}
			}

			disk := inspectDisk(t, dir)
			for id, u := range accepted {
				j, ok := disk.jobs[id]
				if !ok {
					t.Fatalf("accepted job %s (%s) is not in the database after the kill", id, u)
				}
				if id == playlistJob && j.Status.Terminal() {
					t.Fatalf("job %s is %s after the kill; the blocker video should have kept it unfinished", id, j.Status)
				}
				t.Logf("after the kill: job %s (%s) %s, %d/%d finished", id[:8], u, j.Status, j.Progress, j.TotalItems)
			}
			if pj := disk.jobs[playlistJob]; p.done > 0 && pj.Progress < p.done {
				t.Errorf("the child reported %d finished videos but the database holds %d", p.done, pj.Progress)
			}
			saved := make([]string, 0, len(disk.summaries))
			for id := range disk.summaries {
				saved = append(saved, id)
			}
			t.Logf("summaries saved before the kill: %v", saved)

			// Restart in-process with the blocker made fast.
			yt.SetDelay(crashBlockerID, 0)
			r := openRig(t, dir, yt, &memKeyring{})
			// Every stored job, accepted or not yet announced, must complete.
			for id, dj := range disk.jobs {
				u := strings.Join(dj.Metadata.URLs, " ")
				var j ytsum.Job
				r.mustJSON("GET", "/jobs/"+id, nil, 200, &j) // found
				msgs := r.stream(id, 60*time.Second)
				last := msgs[len(msgs)-1]
				items := videoItems(last)
				want := 1
				if u == playlistURL {
					want = len(crashVideoIDs) + 1
				}
				if last.Status != ytsum.JobCompleted || last.Progress != want || last.TotalItems != want || len(items) != want {
					t.Fatalf("job %s after the restart: %s %d/%d with %d items, error %v", id[:8], last.Status, last.Progress, last.TotalItems, len(items), last.Error)
				}
				cached := 0
				for vid, it := range items {
					if it.Summary == nil || it.Error != nil {
						t.Errorf("job %s video %s: summary %v error %v", id[:8], vid, it.Summary != nil, it.Error)
						continue
					}
					if it.Source == ytsum.SourceCache {
						cached++
					}
					before, ok := disk.summaries[vid]
					if !ok {
						continue
					}
					// Saved before the kill: the item is that summary, not a new one.
					if it.SummarizedAt == nil || !it.SummarizedAt.Equal(before.CreatedAt) {
						t.Errorf("video %s was summarized again after the restart: summarized_at %v, saved before the kill at %v (source %q)",
							vid, it.SummarizedAt, before.CreatedAt, it.Source)
					}
					now, err := r.svc.lib.Latest(vid)
					if err != nil {
						t.Errorf("video %s: %v", vid, err)
					} else if !now.CreatedAt.Equal(before.CreatedAt) {
						t.Errorf("video %s: the library holds a summary made at %v after the restart; the one saved before the kill was made at %v",
							vid, now.CreatedAt, before.CreatedAt)
					}
				}
				t.Logf("job %s completed after the restart: %d items, %d from the cache", id[:8], len(items), cached)
			}
			// No job is left unfinished.
			all, err := r.svc.engine.List(context.Background(), "", 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range all {
				if !j.Status.Terminal() {
					t.Errorf("job %s is still %s", j.ID[:8], j.Status)
				}
			}
			// The search index caught up with every summary.
			for vid, w := range crashWords {
				if vid == crashSoloID && len(disk.jobs) < 2 {
					continue // killed before the second job was stored
				}
				var hits []ytsum.Result
				r.mustJSON("GET", "/search_summaries?q="+w, nil, 200, &hits)
				if len(hits) != 1 || hits[0].VideoID != vid {
					t.Errorf("search %q after the restart: %v, want [%s]", w, videoIDs(hits), vid)
				}
			}
			r.close()
			checkFinalDB(t, dir)
			t.Logf("took %v", time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestCrashKillFourTimesFails kills the same running job four times: after
// three interruptions it still resumes, after the fourth the next start
// fails it with kind "interrupted", keeping the videos it had finished.
func TestCrashKillFourTimesFails(t *testing.T) {
	if testing.Short() {
		t.Skip("four child processes; TestCrashKillResumes does a real kill in -short mode")
	}
	yt := youtubetest.MustStart(t, crashCatalogue())
	dir := t.TempDir()
	var jobID string
	for kill := 1; kill <= 4; kill++ {
		var child *crashChild
		if kill == 1 {
			child = startCrashChild(t, dir, yt, []string{youtubetest.PlaylistURL(crashPlaylistID)}, "")
			jobID = child.await("the submit", 60*time.Second, func(m childMsg) bool { return m.Event == "submitted" }).JobID
		} else {
			child = startCrashChild(t, dir, yt, nil, jobID)
		}
		// Kill k comes once the job runs again with k videos finished, so
		// every start makes progress and the last kill leaves only the
		// blocker unfinished.
		m := child.await(fmt.Sprintf("the job running with %d finished videos (start %d)", kill, kill), 60*time.Second, func(m childMsg) bool {
			if m.Event == "job" && m.JobID == jobID && m.job.Status.Terminal() {
				t.Fatalf("start %d: the job is %s (error %v) before its kill %d", kill, m.job.Status, m.job.Error, kill)
			}
			return m.Event == "job" && m.JobID == jobID && m.job.Status == ytsum.JobRunning && m.job.Progress >= kill
		})
		child.kill()
		t.Logf("kill %d: job was running, %d/%d finished", kill, m.job.Progress, m.job.TotalItems)
		disk := inspectDisk(t, dir)
		if j, ok := disk.jobs[jobID]; !ok || j.Status != ytsum.JobRunning {
			t.Fatalf("after kill %d the stored job is %v", kill, j)
		}
	}

	r := openRig(t, dir, yt, &memKeyring{})
	var j ytsum.Job
	r.mustJSON("GET", "/jobs/"+jobID, nil, 200, &j)
	if j.Status != ytsum.JobFailed || j.Error == nil || !strings.Contains(*j.Error, "interrupted 4 times") {
		t.Fatalf("after four kills the job is %s with error %v; want failed, interrupted 4 times", j.Status, j.Error)
	}
	t.Logf("job error: %s", *j.Error)
	items := videoItems(j)
	if len(items) != len(crashVideoIDs)+1 || j.TotalItems != len(items) {
		t.Fatalf("failed job has %d items (total %d)", len(items), j.TotalItems)
	}
	for vid, it := range items {
		switch {
		case vid != crashBlockerID && it.Summary != nil && it.Error == nil:
		case vid == crashBlockerID && it.Error != nil && it.ErrorKind == "interrupted":
		default:
			t.Errorf("video %s: summary %v error %v kind %q", vid, it.Summary != nil, it.Error, it.ErrorKind)
		}
	}
	if j.Progress != len(crashVideoIDs) {
		t.Errorf("failed job progress %d, want %d (the videos finished before the kills)", j.Progress, len(crashVideoIDs))
	}
	r.close()
	checkFinalDB(t, dir)
}
