package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/youtube"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// Ensure the ?results=delta stream of a real job (a plain video and a
// playlist) follows API.md §6: the first message is the whole job, every
// later job message has results null and results_count, and the item
// events, applied in order to the first message, give the job that
// GET /jobs/{id} returns, byte for byte — a plain video's item at its
// link_index with video_index null, a playlist's videos with video_index
// set.
func TestDeltaStreamThroughTheHTTPAPI(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	// YouTube answers only once the stream is open, so its first message
	// comes before any video is done (a delay was not enough on a loaded
	// machine: the playlist's private entry, done as it is listed, could
	// come first).
	gate := make(chan struct{})
	var opened sync.Once
	open := func() { opened.Do(func() { close(gate) }) }
	defer open()
	r := openRigWith(t, t.TempDir(), yt, &memKeyring{}, func(o *youtube.Options) {
		base := http.DefaultTransport
		if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
			base = o.HTTPClient.Transport
		}
		o.HTTPClient = &http.Client{Transport: gatedTransport{gate: gate, base: base}}
	})

	var acc struct {
		JobID string `json:"job_id"`
	}
	r.mustJSON("POST", "/summarize_async", map[string]any{"urls": []string{
		youtubetest.WatchURL(youtubetest.VideoID), youtubetest.PlaylistURL(youtubetest.PlaylistID)}}, 202, &acc)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.http.URL+"/jobs/"+acc.JobID+"/stream?results=delta", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	var (
		copyJob                   *ytsum.Job
		plainItems, playlistItems int
		event                     string
		data                      []byte
		last                      map[string]json.RawMessage
	)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case bytes.HasPrefix(line, []byte("event: ")):
			event = string(line[len("event: "):])
			continue
		case bytes.HasPrefix(line, []byte("data: ")):
			data = append(data, line[len("data: "):]...)
			continue
		case len(line) != 0:
			continue
		}
		ev, payload := event, data
		event, data = "", nil
		if len(payload) == 0 || bytes.Contains(payload, []byte(`"type":"heartbeat"`)) || ev == ytsum.EventSummaryDelta {
			continue
		}
		if ev == ytsum.EventItem {
			var c ytsum.ItemChange
			if err := json.Unmarshal(payload, &c); err != nil || c.JobID != acc.JobID || copyJob == nil {
				t.Fatalf("item message %s (%v)", payload, err)
			}
			if c.VideoIndex == nil {
				plainItems++
				copyJob.Results = slices.Insert(copyJob.Results, c.LinkIndex, c.Item)
			} else {
				playlistItems++
				p := &copyJob.Results[c.LinkIndex]
				p.Summaries = slices.Insert(slices.Clone(p.Summaries), *c.VideoIndex, c.Item)
			}
			continue
		}
		if copyJob == nil { // the first message: the whole job
			copyJob = new(ytsum.Job)
			if err := json.Unmarshal(payload, copyJob); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(payload, []byte(`"results_count"`)) || copyJob.Status.Terminal() || copyJob.Progress != 0 {
				t.Fatalf("first message, want the whole job before any video is done: %s", payload)
			}
			open() // now YouTube may answer
			continue
		}
		last = nil
		if err := json.Unmarshal(payload, &last); err != nil {
			t.Fatal(err)
		}
		if string(last["results"]) != "null" || last["results_count"] == nil {
			t.Fatalf("job message after the first: results %s, results_count %s", last["results"], last["results_count"])
		}
		var head ytsum.Job
		json.Unmarshal(payload, &head)
		if n := string(last["results_count"]); n != strings.TrimSpace(string(mustMarshal(len(copyJob.Results)))) {
			t.Fatalf("results_count %s, the items made %d", n, len(copyJob.Results))
		}
		copyJob.Status, copyJob.Progress, copyJob.TotalItems, copyJob.CurrentItem = head.Status, head.Progress, head.TotalItems, head.CurrentItem
		copyJob.StartedAt, copyJob.CompletedAt, copyJob.Error = head.StartedAt, head.CompletedAt, head.Error
		if head.Status.Terminal() {
			break
		}
	}
	if copyJob == nil || !copyJob.Status.Terminal() {
		t.Fatalf("the stream ended before the terminal message: %v", sc.Err())
	}
	// The plain video is its link's item; the playlist's item came once
	// expanded, with the private entry; its three videos one by one.
	if plainItems != 2 || playlistItems != len(youtubetest.PlaylistVideoIDs) {
		t.Errorf("%d link items and %d playlist videos as item events, want 2 and %d", plainItems, playlistItems, len(youtubetest.PlaylistVideoIDs))
	}
	var got json.RawMessage
	r.mustJSON("GET", "/jobs/"+acc.JobID, nil, 200, &got)
	if want := ytsum.JobJSON(copyJob); !bytes.Equal(want, got) {
		t.Fatalf("the job built from the delta stream differs from GET /jobs/{id}:\n%s\n%s", want, got)
	}
}

// gatedTransport holds every request until gate is closed (or the
// request's context ends), then sends it through base.
type gatedTransport struct {
	gate <-chan struct{}
	base http.RoundTripper
}

func (g gatedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case <-g.gate:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return g.base.RoundTrip(req)
}
