package main

// The large-job benchmark of issue 19: a playlist of 5,000 videos on the
// fakes (YouTube 5 ms per request; the summarizer is the local one held to
// at least 20 ms per call, at most 4 at once, as an LLM would be), run by
// a child process that is the backend of `ytsum serve` (openBackend and its
// HTTP handler, re-executing this test binary as crash_test.go does). The
// parent submits over HTTP, watches with 50 SSE clients, samples the
// child's RSS from /proc, kills it with SIGKILL at 50 % and starts it
// again on the same data dir; the resumed job must finish without
// summarizing again a video whose summary was saved before the kill.
//
//	YTSUM_BENCH=1 go test -run 'TestBenchLargeJob$' -v -timeout 40m .
//
// YTSUM_BENCH_VIDEOS changes the size (default 5000); YTSUM_BENCH_TIMEOUT
// (a Go duration, default 20m) bounds each phase; YTSUM_BENCH_CPUPROFILE
// (a file) profiles the restarted child from its start to the job's end
// (go tool pprof -top <test binary> <file>); YTSUM_BENCH_KEEPDB (a file)
// keeps a copy of the database as the run left it.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/benchmark"
	"ytsum/backend/events"
	"ytsum/backend/jobs"
	"ytsum/backend/store"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

const (
	envLJDir     = "YTSUM_LJ_CHILD_DIR" // data dir; set only in the child
	envLJYT      = "YTSUM_LJ_CHILD_YT"  // base URL of the parent's fake YouTube
	ljPrefix     = "LJ "
	ljPlaylistID = "PLlargejob000000000001"
	ljLLMLimit   = 4
	ljSSEClients = 50
)

// The fakes' latencies: YouTube 5 ms per request, the summarizer 20 ms per
// call; YTSUM_BENCH_YOUTUBE and YTSUM_BENCH_LLM (Go durations) change them
// (50ms and 300ms measure the 50-video playlist on the user's path).
var (
	ljYouTube = envDuration("YTSUM_BENCH_YOUTUBE", 5*time.Millisecond)
	ljLLM     = envDuration("YTSUM_BENCH_LLM", 20*time.Millisecond)
)

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

// ljPacing is the YouTube client's pacing in the child: none unless
// YTSUM_BENCH_PACING says (a Go duration; the product's default is 250 ms,
// which alone caps a job at about three requests a second).
func ljPacing() time.Duration {
	d, err := time.ParseDuration(os.Getenv("YTSUM_BENCH_PACING"))
	if err != nil {
		return 0
	}
	return d
}

// ljSummarizer is the local summarizer held to at least ljLLM per call,
// ljLLMLimit at once; it prints "done <unixnano> <video>" when a call returns.
type ljSummarizer struct {
	jobs.Summarizer
	sem chan struct{}
}

func (s ljSummarizer) Summarize(ctx context.Context, in ytsum.SummaryInput, onDelta func(string)) (*ytsum.Summary, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.sem }()
	t0 := time.Now()
	sum, err := s.Summarizer.Summarize(ctx, in, onDelta)
	if d := ljLLM - time.Since(t0); d > 0 {
		time.Sleep(d)
	}
	fmt.Printf("%sdone %d %s\n", ljPrefix, time.Now().UnixNano(), in.Video.ID)
	return sum, err
}

// ljSummaries prints "saved <video> <bytes of the summary's JSON>".
type ljSummaries struct{ jobs.Summaries }

func (s ljSummaries) Save(ctx context.Context, sum *ytsum.Summary) error {
	err := s.Summaries.Save(ctx, sum)
	if err == nil {
		b, _ := json.Marshal(sum)
		fmt.Printf("%ssaved %s %d\n", ljPrefix, sum.ID, len(b))
	}
	return err
}

// ljRecords prints "put <nanoseconds> <bytes>" for every job record write
// (the bytes of its head and parts, keys included).
type ljRecords struct{ jobs.Records }

func (r ljRecords) PutJob(id string, head []byte, parts map[string][]byte) error {
	t0 := time.Now()
	err := r.Records.PutJob(id, head, parts)
	n := len(head)
	for k, v := range parts {
		n += len(k) + len(v)
	}
	fmt.Printf("%sput %d %d\n", ljPrefix, time.Since(t0).Nanoseconds(), n)
	return err
}

// TestBenchLargeJobChild is the child process of TestBenchLargeJob; run on
// its own it skips. It serves the backend's HTTP API on a free port, prints
// "open <url>", and prints "win <unixnano> <progress> <status>" whenever a
// window-style broker subscriber sees a job's progress or status change.
func TestBenchLargeJobChild(t *testing.T) {
	dir := os.Getenv(envLJDir)
	if dir == "" {
		t.Skip("helper process of TestBenchLargeJob (runs only when it starts it)")
	}
	ctx := context.Background()
	// YTSUM_LJ_CPUPROFILE: a CPU profile of this child until its first job
	// ends (the parent passes YTSUM_BENCH_CPUPROFILE to the restarted child).
	var profiling bool
	if p := os.Getenv("YTSUM_LJ_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil && pprof.StartCPUProfile(f) == nil {
			profiling = true
			defer f.Close()
		}
	}
	sem := make(chan struct{}, ljLLMLimit)
	b, err := openBackend(ctx, backendOptions{localWellKnown: noLocalServers, Version: "bench", Stderr: io.Discard, Getenv: crashEnv(dir, os.Getenv(envLJYT)),
		Keychain:       &memKeyring{},
		wrapSummarizer: func(s jobs.Summarizer) jobs.Summarizer { return ljSummarizer{s, sem} },
		wrapSummaries:  func(s jobs.Summaries) jobs.Summaries { return ljSummaries{s} },
		wrapRecords:    func(r jobs.Records) jobs.Records { return ljRecords{r} },
		youtubePacing:  ljPacing,
	})
	if err != nil {
		fmt.Printf("%serror %v\n", ljPrefix, err)
		t.Fatal(err)
	}
	defer b.Close()
	sub := b.Broker().Subscribe(events.Filter{Types: []string{ytsum.EventJob}})
	defer sub.Close()
	srv := httptest.NewServer(b.Handler())
	defer srv.Close()
	fmt.Printf("%sopen %s\n", ljPrefix, srv.URL)
	go func() { // how long journaled parts waited for their synced commit
		for range time.Tick(200 * time.Millisecond) {
			for _, d := range b.db.JournalLag() {
				fmt.Printf("%ssynced %d\n", ljPrefix, d.Nanoseconds())
			}
		}
	}()
	last := map[string]string{}
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			return
		}
		p, st := jobHead(ev.Data)
		if profiling && ytsum.JobStatus(st).Terminal() {
			pprof.StopCPUProfile()
			profiling = false
		}
		if k := fmt.Sprint(p, st); last[ev.JobID] != k {
			last[ev.JobID] = k
			fmt.Printf("%swin %d %d %s\n", ljPrefix, time.Now().UnixNano(), p, st)
		}
	}
}

// jobHead reads the top-level progress and status of a job's JSON from its
// first bytes (both come before the results), without decoding the rest.
func jobHead(data []byte) (progress int, status string) {
	head := data[:min(len(data), 1024)]
	if i := bytes.Index(head, []byte(`"progress":`)); i >= 0 {
		rest := head[i+len(`"progress":`):]
		j := bytes.IndexAny(rest, ",}")
		if j > 0 {
			progress, _ = strconv.Atoi(string(rest[:j]))
		}
	}
	if i := bytes.Index(head, []byte(`"status":"`)); i >= 0 {
		rest := head[i+len(`"status":"`):]
		if j := bytes.IndexByte(rest, '"'); j > 0 {
			status = string(rest[:j])
		}
	}
	return progress, status
}

// observation is when an observer first saw a job at a progress.
type observation struct {
	at       time.Time
	progress int
	status   string
}

// ljChild is a running child with what it printed so far.
type ljChild struct {
	t    *testing.T
	cmd  *exec.Cmd
	pw   *io.PipeWriter
	url  chan string
	done chan struct{} // closed when its output ended

	mu      sync.Mutex
	dones   []time.Time     // summarizer returns, in order
	doneIDs map[string]int  // video → summarizer calls
	saved   map[string]int  // video → bytes of its summary
	puts    []time.Duration // job record writes
	putB    int64           // bytes of job records written
	synced  []time.Duration // journaled part → its synced database commit
	win     []observation   // window subscriber
	changed chan struct{}   // closed and replaced on every win line
	errs    []string
	rssPeak int64 // sampled VmRSS peak
	hwm     int64 // VmHWM read just before the kill
	_       struct{}
}

func startLJChild(t *testing.T, dir, ytURL, profile string) *ljChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchLargeJobChild$", "-test.count=1", "-test.v=false", "-test.timeout=0")
	cmd.Env = append(os.Environ(), envLJDir+"="+dir, envLJYT+"="+ytURL, "YTSUM_LJ_CPUPROFILE="+profile)
	cmd.Stderr = os.Stderr
	out, pw := io.Pipe()
	cmd.Stdout = pw
	c := &ljChild{t: t, cmd: cmd, pw: pw, url: make(chan string, 1), done: make(chan struct{}),
		doneIDs: map[string]int{}, saved: map[string]int{}, changed: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the child: %v", err)
	}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), ljPrefix)
			if !ok {
				continue
			}
			f := strings.Fields(line)
			c.mu.Lock()
			switch {
			case f[0] == "open" && len(f) == 2:
				c.url <- f[1]
			case f[0] == "done" && len(f) == 3:
				ns, _ := strconv.ParseInt(f[1], 10, 64)
				c.dones = append(c.dones, time.Unix(0, ns))
				c.doneIDs[f[2]]++
			case f[0] == "saved" && len(f) == 3:
				c.saved[f[1]], _ = strconv.Atoi(f[2])
			case f[0] == "synced" && len(f) == 2:
				ns, _ := strconv.ParseInt(f[1], 10, 64)
				c.synced = append(c.synced, time.Duration(ns))
			case f[0] == "put" && len(f) == 3:
				ns, _ := strconv.ParseInt(f[1], 10, 64)
				n, _ := strconv.ParseInt(f[2], 10, 64)
				c.puts = append(c.puts, time.Duration(ns))
				c.putB += n
			case f[0] == "win" && len(f) >= 3:
				ns, _ := strconv.ParseInt(f[1], 10, 64)
				p, _ := strconv.Atoi(f[2])
				st := ""
				if len(f) > 3 {
					st = f[3]
				}
				c.win = append(c.win, observation{time.Unix(0, ns), p, st})
				close(c.changed)
				c.changed = make(chan struct{})
			default:
				c.errs = append(c.errs, line)
			}
			c.mu.Unlock()
		}
	}()
	go func() { // RSS sampler
		tick := time.NewTicker(25 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-c.done:
				return
			case <-tick.C:
			}
			if cur, _ := benchmark.RSS(cmd.Process.Pid); cur > 0 {
				c.mu.Lock()
				c.rssPeak = max(c.rssPeak, cur)
				c.mu.Unlock()
			}
		}
	}()
	t.Cleanup(c.kill)
	return c
}

// awaitURL returns the child's HTTP address once it has opened.
func (c *ljChild) awaitURL(d time.Duration) string {
	select {
	case u := <-c.url:
		return u
	case <-c.done:
	case <-time.After(d):
	}
	c.t.Fatalf("the child did not open within %v: %v", d, c.errs)
	return ""
}

// awaitWin waits until the window subscriber saw a state match accepts.
func (c *ljChild) awaitWin(d time.Duration, match func(observation) bool) (observation, bool) {
	deadline := time.After(d)
	for {
		c.mu.Lock()
		if n := len(c.win); n > 0 && match(c.win[n-1]) {
			o := c.win[n-1]
			c.mu.Unlock()
			return o, true
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-c.done:
			return observation{}, false
		case <-deadline:
			return observation{}, false
		}
	}
}

// kill reads VmHWM, sends SIGKILL, reaps the child and drains its output.
func (c *ljChild) kill() {
	if c.cmd.ProcessState != nil {
		return
	}
	if _, hwm := benchmark.RSS(c.cmd.Process.Pid); hwm > 0 {
		c.mu.Lock()
		c.hwm = hwm
		c.mu.Unlock()
	}
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
	c.pw.Close()
	<-c.done
}

// lags returns, for the k-th summarizer return (k = 1..upTo), the time
// until obs first showed progress ≥ base+k.
func lags(dones []time.Time, obs []observation, base, upTo int) []time.Duration {
	d := slices.Clone(dones)
	slices.SortFunc(d, func(a, b time.Time) int { return a.Compare(b) })
	var out []time.Duration
	j := 0
	for k := 1; k <= min(upTo, len(d)); k++ {
		for j < len(obs) && obs[j].progress < base+k {
			j++
		}
		if j == len(obs) {
			break
		}
		out = append(out, max(0, obs[j].at.Sub(d[k-1])))
	}
	return out
}

// sseWatch follows a job stream (?results=delta: the first message is the
// whole job, then job messages without results and an item event per
// finished video) and records when each higher progress was first seen; it
// reads only the head of each job message and counts the item events.
func sseWatch(ctx context.Context, url string, mu *sync.Mutex, obs *[]observation, items *int) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	best := -1
	event := "" // the current message's event name ("" for a job message)
	for {
		line, err := br.ReadSlice('\n')
		head := line
		for err == bufio.ErrBufferFull { // a long line: keep its head only
			_, err = br.ReadSlice('\n')
		}
		if err != nil {
			return nil
		}
		if name, ok := bytes.CutPrefix(head, []byte("event: ")); ok {
			event = string(bytes.TrimSpace(name))
			continue
		}
		if len(bytes.TrimSpace(head)) == 0 {
			event = ""
			continue
		}
		if event == ytsum.EventItem {
			if bytes.HasPrefix(head, []byte("data: ")) {
				mu.Lock()
				*items++
				mu.Unlock()
			}
			continue
		}
		if event != "" {
			continue // summary deltas
		}
		if d, ok := bytes.CutPrefix(head, []byte("data: ")); ok {
			p, st := jobHead(d)
			if p > best || st == string(ytsum.JobCompleted) {
				best = p
				mu.Lock()
				*obs = append(*obs, observation{time.Now(), p, st})
				mu.Unlock()
			}
		}
	}
}

func TestBenchLargeJob(t *testing.T) {
	benchmark.RequireFull(t)
	n := 5000
	if s := os.Getenv("YTSUM_BENCH_VIDEOS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	phaseTimeout := 20 * time.Minute
	if s := os.Getenv("YTSUM_BENCH_TIMEOUT"); s != "" {
		phaseTimeout, _ = time.ParseDuration(s)
	}
	cat := youtubetest.Catalogue{PageSize: 100}
	pl := youtubetest.Playlist{ID: ljPlaylistID, Title: "Large job"}
	for i := range n {
		id := ljVideoID(i)
		cat.Videos = append(cat.Videos, youtubetest.Video{ID: id, Title: "Large job video " + id, Channel: "Bench",
			DurationSeconds: 300, Delay: ljYouTube, Lines: []string{
				"This is video " + id + " of the large job benchmark.",
				"It talks about bench marks, throughput and the latency of a live path.",
				"Each video has a few caption lines so that the summarizer has something to do.",
				"Thanks for watching video " + id + "."}})
		pl.Entries = append(pl.Entries, youtubetest.Entry{VideoID: id})
	}
	cat.Playlists = []youtubetest.Playlist{pl}
	yt := youtubetest.MustStart(t, cat)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, store.FileName)
	floor := diskFloor(t, t.TempDir(), 1000)

	// Phase 1: submit, watch, kill at 50 %.
	c1 := startLJChild(t, dir, yt.URL, "")
	base := c1.awaitURL(time.Minute)
	var dbStart int64
	if fi, err := os.Stat(dbPath); err == nil {
		dbStart = fi.Size()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t0 := time.Now()
	resp, err := http.Post(base+"/summarize_async", "application/json",
		strings.NewReader(`{"urls":["`+youtubetest.PlaylistURL(ljPlaylistID)+`"]}`))
	submitLat := time.Since(t0)
	if err != nil {
		t.Fatal(err)
	}
	var acc struct {
		JobID string `json:"job_id"`
	}
	json.NewDecoder(resp.Body).Decode(&acc)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || acc.JobID == "" {
		t.Fatalf("submit: %s %+v", resp.Status, acc)
	}
	var sseMu sync.Mutex
	sseObs := make([][]observation, ljSSEClients)
	sseItems := make([]int, ljSSEClients)
	var sseWG sync.WaitGroup
	for i := range sseObs {
		sseWG.Go(func() {
			sseWatch(ctx, base+"/jobs/"+acc.JobID+"/stream?results=delta", &sseMu, &sseObs[i], &sseItems[i])
		})
	}
	first, ok := c1.awaitWin(phaseTimeout, func(o observation) bool { return o.progress >= 1 })
	if !ok {
		t.Fatalf("no video done within %v", phaseTimeout)
	}
	half, reached := c1.awaitWin(phaseTimeout, func(o observation) bool { return o.progress >= n/2 })
	phase1 := time.Since(t0)
	// The SSE clients trail the window subscriber by a few milliseconds
	// (their lag is measured below): give them up to 2 s to see the
	// progress the window saw before the kill cuts their streams.
	for wait := time.Now(); reached && time.Since(wait) < 2*time.Second; time.Sleep(10 * time.Millisecond) {
		sseMu.Lock()
		behind := slices.ContainsFunc(sseObs, func(o []observation) bool {
			return len(o) == 0 || o[len(o)-1].progress < half.progress
		})
		sseMu.Unlock()
		if !behind {
			break
		}
	}
	c1.kill()
	var dbMid int64 // the file when the first half was done
	if fi, err := os.Stat(dbPath); err == nil {
		dbMid = fi.Size()
	}
	if !reached { // measure over what was done when the phase ran out
		c1.mu.Lock()
		if len(c1.win) > 0 {
			half = c1.win[len(c1.win)-1]
		}
		c1.mu.Unlock()
	}
	cancel()
	sseWG.Wait()

	c1.mu.Lock()
	savedBefore := maps(c1.saved)
	winLag := lags(c1.dones, c1.win, 0, half.progress)
	var sseLag []time.Duration
	keptUp := 0
	sseMu.Lock()
	for _, o := range sseObs {
		sseLag = append(sseLag, lags(c1.dones, o, 0, half.progress)...)
		if len(o) > 0 && o[len(o)-1].progress >= half.progress {
			keptUp++
		}
	}
	sseMu.Unlock()
	puts1, putB1 := slices.Clone(c1.puts), c1.putB
	synced := slices.Clone(c1.synced)
	rss1, hwm1 := c1.rssPeak, c1.hwm
	c1.mu.Unlock()

	// Phase 2: restart on the same data dir; the job resumes and finishes.
	var redone, finished int
	var phase2 time.Duration
	var rss2, hwm2 int64
	var final observation
	var c2 *ljChild
	if reached {
		t2 := time.Now()
		c2 = startLJChild(t, dir, yt.URL, os.Getenv("YTSUM_BENCH_CPUPROFILE"))
		c2.awaitURL(time.Minute)
		final, ok = c2.awaitWin(phaseTimeout, func(o observation) bool { return ytsum.JobStatus(o.status).Terminal() })
		phase2 = time.Since(t2)
		c2.kill()
		c2.mu.Lock()
		for id, calls := range c2.doneIDs {
			if _, was := savedBefore[id]; was {
				redone += calls
			}
		}
		rss2, hwm2 = c2.rssPeak, c2.hwm
		finished = final.progress
		c2.mu.Unlock()
	}

	// Bytes: the summaries saved against the database's growth and what the
	// job record writes cost.
	var sumBytes int64
	all := maps(c1.saved)
	var puts2 []time.Duration
	var putB2 int64
	if c2 != nil {
		for id, b := range c2.saved {
			all[id] = b
		}
		puts2, putB2 = c2.puts, c2.putB
		synced = append(synced, c2.synced...)
	}
	for _, b := range all {
		sumBytes += int64(b)
	}
	var dbEnd int64
	if fi, err := os.Stat(dbPath); err == nil {
		dbEnd = fi.Size()
	}
	if keep := os.Getenv("YTSUM_BENCH_KEEPDB"); keep != "" { // a copy of the database, to look into
		if b, err := os.ReadFile(dbPath); err == nil {
			_ = os.WriteFile(keep, b, 0o600)
		}
	}
	var sseFirst time.Duration
	for _, o := range sseObs {
		if i := slices.IndexFunc(o, func(o observation) bool { return o.progress >= 1 }); i >= 0 {
			if d := o[i].at.Sub(t0); sseFirst == 0 || d > sseFirst {
				sseFirst = d
			}
		}
	}
	allPuts := append(puts1, puts2...)

	r := benchmark.New(t)
	r.Note("%d-video playlist on the fakes: YouTube %v per request, summarizer ≥ %v per call (%d at once); the child is the backend of `ytsum serve`", n, ljYouTube, ljLLM, ljLLMLimit)
	r.Note("YouTube pacing between requests: %v in this run (YTSUM_BENCH_PACING; the product's default, the youtube_pacing_ms setting, is 250 ms)", ljPacing())
	r.Note("SSE clients use ?results=delta: the whole job once, then the job without results and one item event per finished video")
	reqs := yt.Requests()
	thumbs := 0
	for _, q := range reqs {
		if strings.Contains(q, "/vi/") || strings.Contains(q, "/vi_webp/") {
			thumbs++
		}
	}
	r.Info("large job: YouTube requests per video (both phases; thumbnails apart)",
		fmt.Sprintf("%.2f + %.2f", float64(len(reqs)-thumbs)/float64(n), float64(thumbs)/float64(n)))
	r.Info("large job: wall time to 50 %, then restart to the end", fmt.Sprintf("%v + %v", phase1.Round(time.Second), phase2.Round(time.Second)))
	r.Below("large job: submit (POST /summarize_async) answered", submitLat, 50*time.Millisecond)
	r.Below("large job: first progress event (a video done) after submit, window", first.at.Sub(t0), time.Second)
	r.Info("large job: same, slowest of the 50 SSE clients", sseFirst.Round(time.Millisecond).String())
	r.Below(fmt.Sprintf("large job: per-video commit (job record write; a video's part is journaled: safe from a crash of the app) p99, %d writes", len(allPuts)), benchmark.Percentile(allPuts, 0.99), 5*time.Millisecond)
	r.Info("large job: per-video commit p50", benchmark.Percentile(allPuts, 0.5).String())
	if len(synced) > 0 {
		r.Below(fmt.Sprintf("large job: journaled part → synced in the database (safe from a power loss) p99, %d parts", len(synced)),
			benchmark.Percentile(synced, 0.99), 250*time.Millisecond)
		r.Info("large job: same, p50 / max", fmt.Sprintf("%v / %v", benchmark.Percentile(synced, 0.5).Round(time.Microsecond), slices.Max(synced).Round(time.Microsecond)))
	} else {
		r.Check("large job: journaled part → synced in the database", "none", "every part synced", false)
	}
	r.Info("this disk's floor: one synced database commit, no other writer (1000 commits), p50 / p99",
		fmt.Sprintf("%v / %v", benchmark.Percentile(floor, 0.5).Round(time.Microsecond), benchmark.Percentile(floor, 0.99).Round(time.Microsecond)))
	r.Info("large job: job record bytes written until 50 %", fmt.Sprintf("%.1f MB", float64(putB1)/(1<<20)))
	r.AtMost("large job: job record bytes written / summary bytes", float64(putB1+putB2)/float64(max(sumBytes, 1)), 2, "×")
	r.Info("large job: summary bytes saved (JSON)", fmt.Sprintf("%.1f MB", float64(sumBytes)/(1<<20)))
	// The database grows by the summaries, not by copies of them: the job
	// record holds references (its share is checked on its own), and what
	// YouTube sent — each video's transcript and details, kept once per
	// video so a retry needs no download — is measured apart, since it
	// scales with the videos' captions, not with the summaries.
	use, useText := bucketUse(dbPath)
	caches := use["transcripts"] + use["videos"]
	jobRecs := use["jobs"] + use["job_parts"]
	growth := dbEnd - dbStart
	r.Info("large job: database growth (whole file) / summary bytes", fmt.Sprintf("%.2f× (%.1f MB)", float64(growth)/float64(max(sumBytes, 1)), float64(growth)/(1<<20)))
	r.Info("large job: database by bucket, MB allocated (pages' fill)", useText)
	r.AtMost("large job: database growth, YouTube's transcripts and video details apart / summary bytes", float64(growth-caches)/float64(max(sumBytes, 1)), 3, "×")
	r.AtMost("large job: job records in the database (jobs + job_parts) / summary bytes", float64(jobRecs)/float64(max(sumBytes, 1)), 0.5, "×")
	if c2 != nil && dbMid > dbStart {
		r.AtMost("large job: database growth, second half / first half (linear: 1)", float64(dbEnd-dbMid)/float64(dbMid-dbStart), 1.3, "×")
	} else {
		r.Check("large job: database growth, second half / first half", "not run", "≤ 1.3×", false)
	}
	r.AtMost("large job: peak RSS of the serve process before the kill (VmHWM)", float64(max(hwm1, rss1))/(1<<20), 200, " MB")
	if c2 != nil {
		r.AtMost("large job: peak RSS of the serve process after the restart", float64(max(hwm2, rss2))/(1<<20), 200, " MB")
	} else {
		r.Check("large job: peak RSS of the serve process after the restart", "not run", "≤ 200 MB", false)
	}
	for _, l := range []struct {
		name string
		lag  []time.Duration
	}{
		{fmt.Sprintf("large job: LLM done → window subscriber, lag p99 (%d videos)", len(winLag)), winLag},
		{fmt.Sprintf("large job: LLM done → %d SSE clients (delta mode), lag p99 (%d)", ljSSEClients, len(sseLag)), sseLag},
	} {
		if len(l.lag) == 0 {
			r.Check(l.name, "no sample", "< 100ms", false)
		} else {
			r.Below(l.name, benchmark.Percentile(l.lag, 0.99), 100*time.Millisecond)
		}
	}
	r.Check("large job: SSE clients that saw the progress reached at the kill", fmt.Sprintf("%d/%d", keptUp, ljSSEClients),
		"all", keptUp == ljSSEClients)
	sseMu.Lock()
	minItems := slices.Min(sseItems)
	sseMu.Unlock()
	r.Info("large job: item events per SSE client before the kill (fewest)", fmt.Sprint(minItems))
	r.Check("large job: reached 50 % before the kill", fmt.Sprintf("%d/%d in %v", half.progress, n, phase1.Round(time.Second)), fmt.Sprintf("≥ %d in %v", n/2, phaseTimeout), reached)
	redoneFig := fmt.Sprint(redone)
	if c2 == nil {
		redoneFig = "not run"
	}
	r.Check("large job: videos summarized again after kill -9 and restart", redoneFig, "0", reached && redone == 0)
	r.Check("large job: resumed job finished", fmt.Sprintf("%s %d/%d in %v", final.status, finished, n, phase2.Round(time.Second)),
		"completed, all", final.status == string(ytsum.JobCompleted) && finished == n)
	if len(c1.errs) > 0 {
		t.Logf("child 1 printed: %v", c1.errs[:min(5, len(c1.errs))])
	}
}

func maps(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// diskFloor times n job record writes (a head and one 200-byte part, the
// size of a finished video's) through the store, alone on a fresh database
// in dir: the latency of one synced database commit on this disk with no
// other writer (a head is never journaled).
func diskFloor(t *testing.T, dir string, n int) []time.Duration {
	db, err := store.Open(filepath.Join(dir, store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	part := bytes.Repeat([]byte("x"), 200)
	head := bytes.Repeat([]byte("h"), 100) // with a head, so not journaled
	out := make([]time.Duration, 0, n)
	for i := range n {
		t0 := time.Now()
		if err := db.PutJob("floor", head, map[string][]byte{fmt.Sprintf("v%05d", i): part}); err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Since(t0))
	}
	return out
}

// ljVideoID is the id of the playlist's video i: 11 characters spread like
// YouTube's own (random base64url), not in playlist order — the order of
// the keys shapes how full the database's pages end up (sequential keys
// of this bench's small summaries leave bbolt's pages about half full).
func ljVideoID(i int) string {
	h := sha256.Sum256([]byte("large job video " + strconv.Itoa(i)))
	return base64.RawURLEncoding.EncodeToString(h[:])[:11]
}

// bucketUse describes the database's largest buckets: MB of pages and how
// full they are.
// It returns the bytes allocated to each bucket and a line for the report.
func bucketUse(path string) (map[string]int64, string) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return nil, err.Error()
	}
	defer db.Close()
	var parts []string
	alloced := map[string]int64{}
	_ = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			st := b.Stats()
			alloc, inuse := st.BranchAlloc+st.LeafAlloc, st.BranchInuse+st.LeafInuse
			alloced[string(name)] = int64(alloc)
			if alloc >= 100<<10 {
				parts = append(parts, fmt.Sprintf("%s %.1f (%.0f %%)", name, float64(alloc)/(1<<20), 100*float64(inuse)/float64(alloc)))
			}
			return nil
		})
	})
	return alloced, strings.Join(parts, ", ")
}
