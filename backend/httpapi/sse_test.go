package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"ytsum/backend/jobs"

	"go.uber.org/goleak"

	"ytsum/backend/ytsum"
)

// sseEvent is one dispatched event, parsed per the WHATWG rules.
type sseEvent struct {
	id, event, data string
	hasID           bool
}

// sseReader parses an event stream.
type sseReader struct {
	br     *bufio.Reader
	lastID string
}

func newSSEReader(r io.Reader) *sseReader { return &sseReader{br: bufio.NewReader(r)} }

// next returns the next dispatched event, or io.EOF when the stream ends.
func (p *sseReader) next() (sseEvent, error) {
	var ev sseEvent
	var data []string
	hasData := false
	for {
		line, err := p.br.ReadString('\n')
		if err != nil {
			return sseEvent{}, err // an incomplete event at EOF is discarded
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if !hasData {
				ev = sseEvent{}
				continue
			}
			ev.data = strings.Join(data, "\n")
			return ev, nil
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.id, ev.hasID, p.lastID = value, true, value
		case "event":
			ev.event = value
		case "data":
			data = append(data, value)
			hasData = true
		}
	}
}

// openStream starts a stream request and checks the headers.
func openStream(tb testing.TB, ctx context.Context, url string, hdr ...string) (*http.Response, *sseReader) {
	tb.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tb.Fatalf("stream status %d: %s", resp.StatusCode, b)
	}
	for k, v := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
		if got := resp.Header.Get(k); got != v {
			tb.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	return resp, newSSEReader(resp.Body)
}

// readEvent reads one event within 5 s.
func readEvent(tb testing.TB, p *sseReader) sseEvent {
	tb.Helper()
	type res struct {
		ev  sseEvent
		err error
	}
	ch := make(chan res, 1)
	go func() { ev, err := p.next(); ch <- res{ev, err} }()
	select {
	case r := <-ch:
		if r.err != nil {
			tb.Fatalf("stream ended: %v", r.err)
		}
		return r.ev
	case <-time.After(5 * time.Second):
		tb.Fatal("no event within 5 s")
	}
	return sseEvent{}
}

func jobOf(tb testing.TB, ev sseEvent) ytsum.Job {
	tb.Helper()
	var j ytsum.Job
	if ev.event != "" {
		tb.Fatalf("job message has event %q", ev.event)
	}
	if err := json.Unmarshal([]byte(ev.data), &j); err != nil {
		tb.Fatalf("data is not job JSON: %v %q", err, ev.data)
	}
	return j
}

// Ensure the stream follows API.md §6: snapshot first, each change with an
// id, summary deltas as named events, close after the terminal message.
func TestStreamLifecycle(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := newEnv(t, nil)
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	defer http.DefaultClient.CloseIdleConnections()
	job, _ := e.jobs.Submit(t.Context(), jobs.Request{URLs: []string{"a", "b"}})

	resp, p := openStream(t, t.Context(), ts.URL+"/jobs/"+job.ID+"/stream")
	defer resp.Body.Close()
	first := readEvent(t, p)
	if !first.hasID || jobOf(t, first).Status != ytsum.JobPending || first.data != string(ytsum.JobJSON(job)) {
		t.Fatalf("first message %+v", first)
	}
	waitSubscribers(t, e.broker, 1)

	e.jobs.update(job.ID, func(j *ytsum.Job) error { j.Status = ytsum.JobRunning; return nil })
	if ev := readEvent(t, p); jobOf(t, ev).Status != ytsum.JobRunning || ev.id == "" {
		t.Fatalf("running message %+v", ev)
	}
	d, _ := json.Marshal(ytsum.SummaryDelta{JobID: job.ID, VideoID: "v1", Delta: "Hello"})
	seq := e.broker.Publish(ytsum.Event{Type: ytsum.EventSummaryDelta, JobID: job.ID, Data: d})
	ev := readEvent(t, p)
	var got ytsum.SummaryDelta
	if ev.event != ytsum.EventSummaryDelta || ev.id != fmt.Sprint(seq) || json.Unmarshal([]byte(ev.data), &got) != nil ||
		got != (ytsum.SummaryDelta{JobID: job.ID, VideoID: "v1", Delta: "Hello"}) {
		t.Fatalf("delta message %+v", ev)
	}
	e.jobs.update(job.ID, func(j *ytsum.Job) error { j.Status = ytsum.JobCompleted; j.Progress = 2; return nil })
	if ev := readEvent(t, p); jobOf(t, ev).Status != ytsum.JobCompleted {
		t.Fatalf("terminal message %+v", ev)
	}
	if _, err := p.next(); err != io.EOF {
		t.Fatalf("stream not closed after the terminal message: %v", err)
	}
	// A reconnect to a finished job gets its state at once, with the
	// broker's sequence number (not the client's), then the end.
	resp2, p2 := openStream(t, t.Context(), ts.URL+"/jobs/"+job.ID+"/stream", "Last-Event-ID", "42")
	defer resp2.Body.Close()
	if ev := readEvent(t, p2); jobOf(t, ev).Status != ytsum.JobCompleted || ev.id != fmt.Sprint(e.broker.Seq()) {
		t.Fatalf("reconnect message %+v", ev)
	}
	if _, err := p2.next(); err != io.EOF {
		t.Fatalf("reconnect stream not closed: %v", err)
	}
	waitSubscribers(t, e.broker, 0)
}

// Ensure ?results=delta follows API.md §6: the first message is the whole
// job; later job messages have results null and results_count; each added
// item comes as `event: item` with its link_index, and video_index set for
// a video inside a playlist (null for a plain video). The default stream
// of the same job keeps sending whole jobs with every result.
func TestStreamDeltaMode(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := newEnv(t, nil)
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	defer http.DefaultClient.CloseIdleConnections()
	job, _ := e.jobs.Submit(t.Context(), jobs.Request{URLs: []string{"v", "pl"}})
	text := func(s string) *string { return &s }
	video := ytsum.Result{Type: ytsum.ResultVideo, VideoID: "vvvvvvvvvv1", Title: "V", Summary: text("Sum V"), VideoURL: ytsum.WatchURL("vvvvvvvvvv1"), Source: ytsum.SourceGenerated}
	inList := ytsum.Result{Type: ytsum.ResultVideo, VideoID: "pppppppppp1", Title: "P1", Summary: text("Sum P1"), VideoURL: ytsum.WatchURL("pppppppppp1"), Source: ytsum.SourceCache}
	e.jobs.update(job.ID, func(j *ytsum.Job) error {
		j.Status, j.Progress, j.TotalItems = ytsum.JobRunning, 1, 3
		j.Results = []ytsum.Result{video}
		return nil
	})

	resp, p := openStream(t, t.Context(), ts.URL+"/jobs/"+job.ID+"/stream?results=delta")
	defer resp.Body.Close()
	full, _ := e.jobs.Get(t.Context(), job.ID)
	if first := readEvent(t, p); first.event != "" || first.data != string(ytsum.JobJSON(full)) {
		t.Fatalf("first message is not the whole job: %+v", first)
	}
	respFull, pf := openStream(t, t.Context(), ts.URL+"/jobs/"+job.ID+"/stream")
	defer respFull.Body.Close()
	readEvent(t, pf)
	waitSubscribers(t, e.broker, 2)

	// The playlist is expanded (an item at link_index 1), then its first
	// video is done (video_index 0).
	e.jobs.update(job.ID, func(j *ytsum.Job) error {
		j.Results = append(j.Results, ytsum.Result{Type: ytsum.ResultPlaylist, PlaylistID: "PL1", Title: "List", Summaries: []ytsum.Result{}})
		return nil
	})
	e.jobs.update(job.ID, func(j *ytsum.Job) error {
		j.Progress = 2
		j.Results[1].Summaries = append(j.Results[1].Summaries, inList)
		return nil
	})

	type itemMsg struct {
		JobID      string          `json:"job_id"`
		LinkIndex  int             `json:"link_index"`
		VideoIndex *int            `json:"video_index"`
		Item       json.RawMessage `json:"item"`
	}
	item := func(ev sseEvent) itemMsg {
		t.Helper()
		var m itemMsg
		if ev.event != ytsum.EventItem || !ev.hasID || json.Unmarshal([]byte(ev.data), &m) != nil || m.JobID != job.ID {
			t.Fatalf("not an item message: %+v", ev)
		}
		if !strings.Contains(ev.data, `"video_index":`) {
			t.Fatalf("video_index missing (it is null, not absent, for a link's own item): %s", ev.data)
		}
		return m
	}
	head := func(ev sseEvent, count, progress int) {
		t.Helper()
		var m map[string]json.RawMessage
		if ev.event != "" || json.Unmarshal([]byte(ev.data), &m) != nil {
			t.Fatalf("not a job message: %+v", ev)
		}
		if string(m["results"]) != "null" || string(m["results_count"]) != fmt.Sprint(count) || string(m["progress"]) != fmt.Sprint(progress) {
			t.Fatalf("job message results=%s results_count=%s progress=%s, want null, %d, %d", m["results"], m["results_count"], m["progress"], count, progress)
		}
	}
	// Items in order; job messages may be coalesced (latest wins), never
	// ahead of their items.
	var items []itemMsg
	for {
		ev := readEvent(t, p)
		if ev.event == ytsum.EventItem {
			items = append(items, item(ev))
			continue
		}
		if jobOf(t, ev).Progress == 2 {
			head(ev, 2, 2)
			break
		}
		head(ev, 2, 1)
	}
	if len(items) != 2 {
		t.Fatalf("%d item messages, want 2", len(items))
	}
	pl, v := items[0], items[1]
	if pl.LinkIndex != 1 || pl.VideoIndex != nil || !strings.Contains(string(pl.Item), `"type":"playlist"`) {
		t.Fatalf("playlist item %+v %s", pl, pl.Item)
	}
	want, _ := json.Marshal(ytsum.Result{VideoID: inList.VideoID, Title: inList.Title, Summary: inList.Summary, VideoURL: inList.VideoURL, Source: inList.Source})
	if v.LinkIndex != 1 || v.VideoIndex == nil || *v.VideoIndex != 0 || string(v.Item) != string(want) {
		t.Fatalf("video in playlist %+v %s, want link 1 video 0 %s", v, v.Item, want)
	}

	// The default stream got the whole job (coalesced: at least the last).
	var last ytsum.Job
	for last.Progress != 2 {
		last = jobOf(t, readEvent(t, pf))
	}
	if len(last.Results) != 2 || len(last.Results[1].Summaries) != 1 || *last.Results[1].Summaries[0].Summary != "Sum P1" {
		t.Fatalf("full stream job results = %+v", last.Results)
	}

	// A plain video finishing: its own item, video_index null; the
	// terminal message (delta form) ends the stream.
	e.jobs.update(job.ID, func(j *ytsum.Job) error {
		j.Status, j.Progress = ytsum.JobCompleted, 3
		j.Results = append(j.Results, video)
		return nil
	})
	if m := item(readEvent(t, p)); m.LinkIndex != 2 || m.VideoIndex != nil || !strings.Contains(string(m.Item), `"type":"video"`) {
		t.Fatalf("plain video item %+v %s", m, m.Item)
	}
	head(readEvent(t, p), 3, 3)
	if _, err := p.next(); err != io.EOF {
		t.Fatalf("delta stream not closed after the terminal message: %v", err)
	}
	// The default stream may still hold a message of the change before
	// (one per event read, each the job as it is then); it ends with the
	// terminal state.
	var j ytsum.Job
	for !j.Status.Terminal() {
		j = jobOf(t, readEvent(t, pf))
	}
	if j.Status != ytsum.JobCompleted || len(j.Results) != 3 {
		t.Fatalf("full stream terminal = %s with %d results", j.Status, len(j.Results))
	}
}

// Ensure heartbeats come at the configured interval, in the documented
// shape, and that a stream outlives the server's write timeout.
func TestStreamHeartbeatAndWriteTimeout(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := newEnv(t, func(c *Config) {
		c.HeartbeatInterval = func() time.Duration { return 20 * time.Millisecond }
		c.WriteTimeout = 50 * time.Millisecond
	})
	ln, err := Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- e.srv.Serve(ctx, ln) }()
	job, _ := e.jobs.Submit(t.Context(), jobs.Request{URLs: []string{"a"}})
	resp, p := openStream(t, t.Context(), "http://"+ln.Addr().String()+"/jobs/"+job.ID+"/stream")
	defer resp.Body.Close()
	readEvent(t, p)
	start := time.Now()
	var last int64
	for i := 0; i < 10; i++ {
		ev := readEvent(t, p)
		var hb struct {
			Type      string `json:"type"`
			Timestamp int64  `json:"timestamp"`
		}
		if err := json.Unmarshal([]byte(ev.data), &hb); err != nil || hb.Type != "heartbeat" || hb.Timestamp < last ||
			hb.Timestamp < time.Now().Add(-time.Minute).Unix() || !ev.hasID {
			t.Fatalf("heartbeat %+v", ev)
		}
		last = hb.Timestamp
	}
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Fatalf("10 heartbeats in %v: faster than the interval", el)
	}
	// More than 3 write timeouts have passed; the stream still works.
	e.jobs.update(job.ID, func(j *ytsum.Job) error { j.Status = ytsum.JobRunning; return nil })
	for {
		ev := readEvent(t, p)
		if strings.Contains(ev.data, `"status":"running"`) {
			break
		}
	}
	// Shutdown ends the open stream and Serve returns nil.
	cancel()
	if _, err := io.ReadAll(resp.Body); err != nil && !strings.Contains(err.Error(), "EOF") {
		t.Logf("read after shutdown: %v", err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return with a stream open")
	}
	http.DefaultClient.CloseIdleConnections()
}

// Ensure a client that goes away ends the handler and its subscription.
func TestStreamClientDisconnect(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := newEnv(t, nil)
	ts := httptest.NewServer(e.h)
	defer ts.Close()
	defer http.DefaultClient.CloseIdleConnections()
	job, _ := e.jobs.Submit(t.Context(), jobs.Request{URLs: []string{"a"}})
	ctx, cancel := context.WithCancel(t.Context())
	resp, p := openStream(t, ctx, ts.URL+"/jobs/"+job.ID+"/stream")
	readEvent(t, p)
	waitSubscribers(t, e.broker, 1)
	if n := e.srv.metrics.sseOpen(); n != 1 {
		t.Fatalf("open streams %d", n)
	}
	cancel()
	resp.Body.Close()
	waitSubscribers(t, e.broker, 0) // cancel() of the subscription ran: the handler returned
	deadline := time.Now().Add(5 * time.Second)
	for e.srv.metrics.sseOpen() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("stream still counted open")
		}
		time.Sleep(time.Millisecond)
	}
}

// Ensure SSE disabled answers 404 so clients poll.
func TestStreamDisabled(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.SSEEnabled = func() bool { return false } })
	job, _ := e.jobs.Submit(t.Context(), jobs.Request{URLs: []string{"a"}})
	w := e.do("GET", "/jobs/"+job.ID+"/stream", "")
	if w.Code != 404 || !strings.Contains(w.Body.String(), "poll") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := e.do("GET", "/api_status", ""); !strings.Contains(w.Body.String(), `"sse_enabled":false`) {
		t.Fatalf("api_status: %s", w.Body)
	}
	if w := e.do("GET", "/jobs/"+job.ID, ""); w.Code != 200 {
		t.Fatalf("polling: %d", w.Code)
	}
}

// Ensure the frames the stream writes (formatSSE) split multi-line
// data per the spec and that the parser used by these tests joins it back.
func TestSSEFrames(t *testing.T) {
	cases := []struct {
		seq       uint64
		typ, data string
		id, event string
		want      string
	}{
		{1, ytsum.EventJob, `{"a":1}`, "1", "", "id: 1\ndata: {\"a\":1}\n\n"},
		{2, ytsum.EventSummaryDelta, "a\nb", "2", "summary_delta", "id: 2\nevent: summary_delta\ndata: a\ndata: b\n\n"},
		{3, ytsum.EventJob, "a\r\nb\rc\n", "3", "", "id: 3\ndata: a\ndata: b\ndata: c\ndata: \n\n"},
	}
	for _, c := range cases {
		got := string(appendEvent(nil, ytsum.Event{Seq: c.seq, Type: c.typ, Data: []byte(c.data)}))
		if got != c.want {
			t.Errorf("frame of %q = %q, want %q", c.data, got, c.want)
		}
		ev, err := newSSEReader(strings.NewReader(got)).next()
		norm := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(c.data)
		if err != nil || ev.data != norm || ev.event != c.event || ev.id != c.id {
			t.Errorf("round trip of %q: %+v %v", c.data, ev, err)
		}
	}
	hb := string(appendHeartbeat(nil, 7, time.Unix(1700000000, 0)))
	if hb != "id: 7\ndata: {\"type\":\"heartbeat\",\"timestamp\":1700000000}\n\n" {
		t.Errorf("heartbeat frame %q", hb)
	}
}

// Ensure jobStatus reads the top-level status only.
func TestJobStatus(t *testing.T) {
	s := "status\":\"completed"
	j := &ytsum.Job{ID: "x", Type: "summarize", Status: ytsum.JobRunning, CurrentItem: s,
		Results: []ytsum.Result{{Type: ytsum.ResultError, URL: `"status":"completed"`, Error: &s}}}
	if got := jobStatus(ytsum.JobJSON(j)); got != ytsum.JobRunning {
		t.Fatalf("status %q", got)
	}
}
