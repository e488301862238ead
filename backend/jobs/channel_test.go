package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// Ensure a channel link becomes one channel item holding its newest
// uploads (as many as the request's limit, else the setting), expanded
// like a playlist: progress counts its videos, their order is the
// channel's, and the item's JSON is API.md §4's.
func TestChannelLink(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	ch := yt.addChannel("curious", "cccccccccc1", "cccccccccc2", "cccccccccc3", "cccccccccc4")
	yt.channels["@curious"].Entries[1].Error = "This video is private."
	h := MustStart(t, jobs.Config{}, yt, newFakeSummarizer(4, 0))
	all := h.subscribe("")
	h.start()

	j, err := h.eng.Submit(context.Background(), jobs.Request{URLs: []string{videoURL("vvvvvvvvvv1"), ch}, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if j.Metadata.Limit != 3 {
		t.Fatalf("metadata limit = %d, want 3", j.Metadata.Limit)
	}
	last := waitJob(t, all, func(e *ytsum.Job) bool { return e.ID == j.ID && e.Status.Terminal() })
	want := "completed 4/4: [video vvvvvvvvvv1=Summary of vvvvvvvvvv1]" +
		" [channel cccccccccc1=Summary of cccccccccc1 cccccccccc2=error: This video is private. cccccccccc3=Summary of cccccccccc3]"
	if got := describe(last); got != want {
		t.Fatalf("final job\n got: %s\nwant: %s", got, want)
	}
	if fmt.Sprint(yt.channelLimits) != "[3]" {
		t.Fatalf("Channel limits = %v, want [3]", yt.channelLimits)
	}
	item := last.Results[1]
	if item.ChannelID != yt.channels["@curious"].ID || item.Title != "Channel curious" {
		t.Fatalf("channel item = %+v", item)
	}
	b, err := json.Marshal(item)
	if err != nil {
		t.Fatal(err)
	}
	var shape map[string]json.RawMessage
	if err := json.Unmarshal(b, &shape); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"type", "channel_id", "title", "summaries", "error"} {
		if _, ok := shape[k]; !ok {
			t.Errorf("channel item JSON lacks %q: %s", k, b)
		}
	}
	if _, ok := shape["playlist_id"]; ok {
		t.Errorf("channel item JSON has playlist_id: %s", b)
	}
	if bytes.Contains(shape["summaries"], []byte(`"type"`)) {
		t.Errorf("channel summaries carry a type: %s", shape["summaries"])
	}
	var back ytsum.Result
	if err := json.Unmarshal(b, &back); err != nil || back.Type != ytsum.ResultChannel || back.ChannelID != item.ChannelID ||
		len(back.Summaries) != 3 || back.Summaries[0].Type != ytsum.ResultVideo {
		t.Fatalf("round trip = %+v, %v", back, err)
	}

	// Without a limit the client's setting applies (the fake's default 10).
	j2 := h.MustSubmit(ch)
	last = waitJob(t, all, func(e *ytsum.Job) bool { return e.ID == j2.ID && e.Status.Terminal() })
	if last.TotalItems != 4 || fmt.Sprint(yt.channelLimits) != "[3 0]" {
		t.Fatalf("no limit: total %d, limits %v", last.TotalItems, yt.channelLimits)
	}
}

// Ensure a channel that cannot be expanded (Shorts only, members only) is
// a channel item with its own sentence, not a crash or a bad-link item.
func TestChannelErrors(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	shorts := yt.addChannel("shorts")
	members := yt.addChannel("members")
	yt.channelErr["@shorts"] = ytsum.Errorf(ytsum.CodeNotFound, "channel_shorts_only", "This channel has only Shorts, which have no transcripts to summarize.")
	yt.channelErr["@members"] = ytsum.Errorf(ytsum.CodeUnauthorized, "channel_members_only", "This channel's videos are for its members only.")
	h := MustStart(t, jobs.Config{}, yt, newFakeSummarizer(4, 0))
	all := h.subscribe("")
	h.start()
	j := h.MustSubmit(shorts, members)
	last := waitJob(t, all, func(e *ytsum.Job) bool { return e.ID == j.ID && e.Status.Terminal() })
	want := "completed 0/0: [channel error=This channel has only Shorts, which have no transcripts to summarize.]" +
		" [channel error=This channel's videos are for its members only.]"
	if got := describe(last); got != want {
		t.Fatalf("final job\n got: %s\nwant: %s", got, want)
	}
	if k := last.Results[0].ErrorKind; k != "channel_shorts_only" {
		t.Fatalf("error kind = %q", k)
	}
}

// Ensure a channel link is answered asynchronously, like a playlist, and
// estimated as its limit's videos.
func TestChannelDecide(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	ch := yt.addChannel("curious", "cccccccccc1")
	h := MustStart(t, jobs.Config{}, yt, newFakeSummarizer(4, 0))
	h.start()
	ctx := context.Background()
	if m := h.eng.Decide(ctx, jobs.Request{URLs: []string{ch}}); m != jobs.ModeAsync {
		t.Fatalf("Decide(channel) = %s, want async", m)
	}
	a := h.eng.Estimate(ctx, jobs.Request{URLs: []string{ch}, Options: ytsum.SummaryOptions{Model: "local"}, Limit: 40})
	b := h.eng.Estimate(ctx, jobs.Request{URLs: []string{ch}, Options: ytsum.SummaryOptions{Model: "local"}})
	if a <= b {
		t.Fatalf("Estimate with limit 40 = %s, without = %s: the limit does not count", a, b)
	}
}
