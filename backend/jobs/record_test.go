package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"ytsum/backend/events"
	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// v1Video is a finished video's result as a version 1 record held it: the
// whole item, text included.
const v1Video = `{"type":"video","video_id":"%s","title":"Old %s","thumbnail_url":"","summary":"Old text of %s","video_url":"https://www.youtube.com/watch?v=%s","error":null,"channel":"","duration_seconds":0,"model_used":"fake-model","summarized_at":"2026-01-01T00:00:00Z","source":"generated"}`

func v1Result(id string) string { return strings.ReplaceAll(v1Video, "%s", id) }

// Ensure records stored by version 1 (the whole job in one record, each
// finished video's text inside) are still read: a finished job shows its
// results as stored; an interrupted one resumes without redoing its
// finished video, keeps that video's stored result, and is stored anew in
// version 2 (a head and parts; the finished video as it was stored).
func TestVersion1RecordsStillRead(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	pl := yt.addPlaylist("PLOLD", "oldvideo001", "oldvideo002")
	h := MustStart(t, jobs.Config{}, yt, newFakeSummarizer(4, 0))
	now := time.Now().UTC().Format(time.RFC3339) // a finished job younger than the retention
	finished := `{"v":1,"job":{"id":"finished1","type":"summarize","status":"completed","created_at":"` + now + `",` +
		`"started_at":"` + now + `","completed_at":"` + now + `","progress":1,"total_items":1,"current_item":null,` +
		`"results":[],"error":null,"metadata":{"urls":["https://www.youtube.com/watch?v=oldvideo009"],"model":"fake-model"}},` +
		`"options":{"model":"fake-model","style":"key_points"},"mode":"async","links":[{"url":"https://www.youtube.com/watch?v=oldvideo009",` +
		`"kind":"video","videos":[{"id":"oldvideo009","result":` + v1Result("oldvideo009") + `}]}]}`
	running := `{"v":1,"job":{"id":"running1","type":"summarize","status":"running","created_at":"2026-01-01T00:00:00Z",` +
		`"started_at":"2026-01-01T00:00:01Z","completed_at":null,"progress":1,"total_items":2,"current_item":null,` +
		`"results":[],"error":null,"metadata":{"urls":["` + pl + `"],"model":"fake-model"}},` +
		`"options":{"model":"fake-model","style":"key_points"},"mode":"async","links":[{"url":"` + pl + `",` +
		`"kind":"playlist","playlist_id":"PLOLD","title":"Playlist PLOLD","videos":[{"id":"oldvideo001","result":` + v1Result("oldvideo001") + `},{"id":"oldvideo002"}]}]}`
	for id, rec := range map[string]string{"finished1": finished, "running1": running} {
		if err := h.store.PutJob(id, []byte(rec), nil); err != nil {
			t.Fatal(err)
		}
	}
	sub := h.subscribe("running1")
	h.start()

	j, err := h.eng.Get(context.Background(), "finished1")
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Results) != 1 || j.Results[0].Summary == nil || *j.Results[0].Summary != "Old text of oldvideo009" || j.Progress != 1 {
		t.Fatalf("finished version 1 job = %s", describe(j))
	}
	if b, _ := json.Marshal(j.Results[0]); string(b) != v1Result("oldvideo009") {
		t.Fatalf("its result, stored as\n%s\nreads as\n%s", v1Result("oldvideo009"), b)
	}

	end := waitJob(t, sub, isTerminal)
	if want := "completed 2/2: [playlist oldvideo001=Old text of oldvideo001 oldvideo002=Summary of oldvideo002]"; describe(end) != want {
		t.Fatalf("resumed version 1 job\n got: %s\nwant: %s", describe(end), want)
	}
	if h.sum.callsOf("oldvideo001") != 0 || h.sum.callsOf("oldvideo002") != 1 {
		t.Fatalf("calls: oldvideo001 %d, oldvideo002 %d; want 0 and 1", h.sum.callsOf("oldvideo001"), h.sum.callsOf("oldvideo002"))
	}
	head, parts, err := h.store.Job("running1")
	if err != nil || !bytes.HasPrefix(head, []byte(`{"v":2,`)) || parts["l/0000"] == nil || parts["v/0000/000000"] == nil || parts["v/0000/000001"] == nil {
		t.Fatalf("stored anew: head %.40s… parts %d (%v)", head, len(parts), err)
	}
	// The stored result of the old video is kept whole (it has no saved
	// summary to refer to); the new one is a reference.
	old, made := parts["v/0000/000000"], parts["v/0000/000001"]
	if !bytes.Contains(old, []byte("Old text of oldvideo001")) || !bytes.Contains(made, []byte(`"ref":`)) || bytes.Contains(made, []byte("Summary of")) {
		t.Fatalf("parts: first video %s, second %s", old, made)
	}
	// Read again from the store, the job is the same as the engine had it.
	h.close()
	h.restart(newFakeSummarizer(4, 0))
	h.start()
	again, err := h.eng.Get(context.Background(), "running1")
	if err != nil || describe(again) != describe(end) {
		t.Fatalf("after a restart: %s (%v), want %s", describe(again), err, describe(end))
	}
	if b, _ := json.Marshal(again.Results[0].Summaries[1]); !bytes.Equal(b, mustJSON(t, end.Results[0].Summaries[1])) {
		t.Fatalf("the new video read back from its reference:\n%s\nwant\n%s", b, mustJSON(t, end.Results[0].Summaries[1]))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Ensure a cancel that fills in many unfinished videos of a playlist at
// once announces the playlist's whole item once (it replaces the item the
// reader holds) rather than one event per video, and a reader applying the
// item events still holds the job as Get returns it.
func TestCancelAnnouncesABigPlaylistWhole(t *testing.T) {
	yt := newFakeYouTube(2, 0)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("big%08d", i)
	}
	pl := yt.addPlaylist("PLBIG", ids...)
	sum := newFakeSummarizer(4, 0)
	sum.hook = blockOn(nil, ids[2:]...)
	h := MustStart(t, jobs.Config{}, yt, sum)
	all := h.broker.Subscribe(events.Filter{Types: []string{ytsum.EventItem}})
	defer all.Close()
	sub := h.subscribe("")
	h.start()
	j := h.MustSubmit(videoURL("single00001"), pl)
	waitJob(t, sub, func(j *ytsum.Job) bool { return j.Progress == 3 })
	if _, err := h.eng.Cancel(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	end := waitJob(t, sub, isTerminal)
	got, _ := h.eng.Get(context.Background(), j.ID)
	if describe(end) != describe(got) || len(got.Results[1].Summaries) != 100 {
		t.Fatalf("after the cancel the events made\n%s\nGet says\n%s", describe(end), describe(got))
	}
	items := 0
	for _, ok := all.TryNext(); ok; _, ok = all.TryNext() {
		items++
	}
	// single, the playlist, its first two videos, then the playlist whole once.
	if items != 5 {
		t.Fatalf("%d item events, want 5", items)
	}
}
