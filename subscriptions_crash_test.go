package main

// "A crash between check and job neither loses nor repeats a video"
// (issue 17) against the real engine and a real kill -9: a child process
// (TestSubsCrashChild) opens the services on a shared data dir and checks a
// subscription whose feed gained an entry; the check's transaction (seen
// videos + job record) commits, and the child blocks right after the
// commit, before the engine starts the job. The parent kills it with
// SIGKILL, opens the same data dir again, and counts the fake LLM's calls
// for the video and the library's entries.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ytsum/backend/httpapi"
	"ytsum/backend/subscriptions"
	"ytsum/backend/summarize/llmfake"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// Environment of the child process.
const (
	envSubsCrashDir = "YTSUM_SUBS_CRASH_DIR" // data dir; set only in the child
	envSubsCrashYT  = "YTSUM_SUBS_CRASH_YT"  // the parent's fake YouTube
	envSubsCrashLLM = "YTSUM_SUBS_CRASH_LLM" // the parent's fake Gemini
	envSubsCrashSub = "YTSUM_SUBS_CRASH_SUB" // the subscription to check
	subsCrashPrefix = "SUBSCRASH "
)

// keyedEnv is crashEnv with a Gemini key and the Gemini URL at llmURL, so
// every summary is one counted call to the fake LLM.
func keyedEnv(dir, ytURL, llmURL string) func(string) (string, bool) {
	base := crashEnv(dir, ytURL)
	return func(k string) (string, bool) {
		switch k {
		case "YTSUM_GEMINI_URL":
			return llmURL, true
		case "GEMINI_API_KEY":
			return "AIzaFakeKeyForTests0123456789", true
		}
		return base(k)
	}
}

// blockAfterCommit is the child's Submitter: the engine's, except that
// once the check's transaction has committed it reports the job id and
// never returns, so the job is recorded but not started when the parent
// kills the process.
type blockAfterCommit struct {
	inner     subscriptions.Submitter
	committed func(jobID string)
}

func (b blockAfterCommit) Submit(ctx context.Context, req subscriptions.JobRequest, persist func(string, []byte) error) (string, error) {
	return b.inner.Submit(ctx, req, func(id string, rec []byte) error {
		if err := persist(id, rec); err != nil {
			return err
		}
		b.committed(id)
		time.Sleep(time.Hour) // killed here: between the commit and the job's start
		return nil
	})
}

// TestSubsCrashChild is the child of TestSubscriptionCrashBetweenCheckAndJob;
// run on its own it skips.
func TestSubsCrashChild(t *testing.T) {
	dir := os.Getenv(envSubsCrashDir)
	if dir == "" {
		t.Skip("helper process of TestSubscriptionCrashBetweenCheckAndJob")
	}
	emit := func(event, v string) { fmt.Fprintf(os.Stdout, "%s%s %s\n", subsCrashPrefix, event, v) }
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc, err := openBackend(ctx, backendOptions{localWellKnown: noLocalServers, Version: "subs-crash-child", Stderr: os.Stderr,
		Getenv: keyedEnv(dir, os.Getenv(envSubsCrashYT), os.Getenv(envSubsCrashLLM)), Keychain: &memKeyring{},
		tuneSubscriptions: func(c *subscriptions.Config) {
			c.Submitter = blockAfterCommit{inner: c.Submitter, committed: func(id string) { emit("committed", id) }}
		}})
	if err != nil {
		emit("error", err.Error())
		t.Fatal(err)
	}
	defer svc.Close() // reached only when the parent did not kill us
	n, job, err := svc.Subscriptions().Check(ctx, os.Getenv(envSubsCrashSub))
	emit("error", fmt.Sprintf("the check returned (%d, %q, %v) instead of blocking", n, job, err))
}

// countingLLM is the fake Gemini counting the calls whose prompt holds
// marker.
type countingLLM struct {
	srv    *httptest.Server
	marker []byte
	calls  atomic.Int64
}

func newCountingLLM(t *testing.T, marker string) *countingLLM {
	l := &countingLLM{marker: []byte(marker)}
	h := llmfake.Handler()
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, l.marker) {
			l.calls.Add(1)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(l.srv.Close)
	return l
}

func openKeyed(t *testing.T, dir, ytURL, llmURL string) *rig {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := openBackend(ctx, backendOptions{localWellKnown: noLocalServers, Version: "test", Stderr: logs, Getenv: keyedEnv(dir, ytURL, llmURL), Keychain: &memKeyring{}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	r := &rig{t: t, svc: svc, logs: logs, http: httptest.NewServer(svc.Handler())}
	t.Cleanup(r.close)
	return r
}

func TestSubscriptionCrashBetweenCheckAndJob(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	const vid = "octopus0009"
	llm := newCountingLLM(t, "three hearts") // a line of newUpload's transcript
	dir := t.TempDir()

	// Follow in-process, then the feed gains an entry.
	r := openKeyed(t, dir, yt.URL, llm.srv.URL)
	var sub ytsum.Subscription
	r.mustJSON("POST", "/subscriptions", map[string]any{"url": youtubetest.ChannelURL(youtubetest.ChannelHandle)}, 201, &sub)
	r.close()
	yt.AddUpload(youtubetest.ChannelID, newUpload(vid, "Octopus Hearts"), false)

	// The child checks, commits, blocks; kill -9.
	cmd := exec.Command(os.Args[0], "-test.run=^TestSubsCrashChild$", "-test.count=1", "-test.v=false")
	cmd.Env = append(os.Environ(), envSubsCrashDir+"="+dir, envSubsCrashYT+"="+yt.URL,
		envSubsCrashLLM+"="+llm.srv.URL, envSubsCrashSub+"="+sub.ID)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if l, ok := strings.CutPrefix(sc.Text(), subsCrashPrefix); ok {
				lines <- l
			}
		}
	}()
	var jobID string
	select {
	case l, ok := <-lines:
		ev, v, _ := strings.Cut(l, " ")
		if !ok || ev != "committed" {
			t.Fatalf("child: %q (ok %v); log:\n%s", l, ok, stderr.String())
		}
		jobID = v
	case <-time.After(60 * time.Second):
		t.Fatalf("the child never committed the check; log:\n%s", stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed = true
	if ps := cmd.ProcessState; ps == nil || ps.Success() {
		t.Fatalf("the child was not killed: %v", ps)
	}
	if n := llm.calls.Load(); n != 0 {
		t.Fatalf("the job ran before the kill: %d LLM calls", n)
	}

	// Restart on the same data dir: the recorded job resumes, once.
	r2 := openKeyed(t, dir, yt.URL, llm.srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	j, err := r2.svc.engine.Wait(ctx, jobID)
	if err != nil || j.Status != ytsum.JobCompleted || len(j.Results) != 1 || j.Results[0].VideoID != vid || j.Results[0].Summary == nil {
		t.Fatalf("the recorded job after the restart: %+v %v\n%s", j, err, r2.logs.String())
	}
	// The next check finds nothing new: not repeated.
	var chk httpapi.CheckResult
	r2.mustJSON("POST", "/subscriptions/"+sub.ID+"/check", nil, 202, &chk)
	if chk.NewVideos != 0 || chk.JobID != nil {
		t.Errorf("the check after the restart repeated the video: %+v", chk)
	}
	var list httpapi.JobList
	r2.mustJSON("GET", "/jobs", nil, 200, &list)
	jobsWithVid := 0
	for _, jj := range list.Jobs {
		for _, u := range jj.Metadata.URLs {
			if strings.Contains(u, vid) {
				jobsWithVid++
			}
		}
	}
	if n := llm.calls.Load(); n != 1 || jobsWithVid != 1 {
		t.Errorf("the video was summarized %d times by the LLM, in %d jobs; want exactly once", n, jobsWithVid)
	}
	if ids := libraryIDs(t, r2, "page=1&new=1"); len(ids) != 1 || ids[0] != vid {
		t.Errorf("library new after the crash: %v", ids)
	}
	if ids := libraryIDs(t, r2, "page=1&subscription="+sub.ID); len(ids) != 1 || ids[0] != vid {
		t.Errorf("library by subscription after the crash: %v", ids)
	}
	t.Logf("kill -9 after the check's commit: job %s resumed once (model %q), 1 LLM call, 0 repeats", jobID, j.Results[0].ModelUsed)
}
