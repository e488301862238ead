package ask

import (
	"context"
	"sync"
	"testing"
	"time"

	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

func TestStoreSource(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	src := StoreSource{DB: db}
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	// A summarized video with transcripts in two languages; the summary was
	// made from the German one, the English one is newer.
	de := &ytsum.Transcript{VideoID: "vid1", Language: "de", FetchedAt: at, Segments: []ytsum.Segment{{Text: "Hallo"}}}
	en := &ytsum.Transcript{VideoID: "vid1", Language: "en", FetchedAt: at.Add(time.Hour), Segments: []ytsum.Segment{{Text: "Hello"}}}
	for _, tr := range []*ytsum.Transcript{de, en} {
		if err := db.PutTranscript(tr); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutSummary(&ytsum.Summary{Video: ytsum.Video{ID: "vid1", Title: "One"}, CacheKey: "k", Text: "S", TranscriptLanguage: "de", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	// A video with a transcript but no summary, and one with details only.
	if err := db.PutVideo(ytsum.Video{ID: "vid2", Title: "Two"}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutTranscript(&ytsum.Transcript{VideoID: "vid2", Language: "en", Segments: []ytsum.Segment{{Text: "x"}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutVideo(ytsum.Video{ID: "vid3", Title: "Three"}); err != nil {
		t.Fatal(err)
	}

	if v, ok, err := src.Video(ctx, "vid1"); err != nil || !ok || v.Title != "One" {
		t.Fatalf("vid1: %+v %v %v", v, ok, err)
	}
	if tr, _ := src.Transcript(ctx, "vid1"); tr == nil || tr.Language != "de" {
		t.Fatalf("vid1 transcript %+v, want the summary's language", tr)
	}
	if v, ok, _ := src.Video(ctx, "vid2"); !ok || v.Title != "Two" {
		t.Fatalf("vid2 (transcript, no summary): %+v %v", v, ok)
	}
	if _, ok, _ := src.Video(ctx, "vid3"); ok {
		t.Fatal("vid3 has nothing to answer from but was reported known")
	}
	if _, ok, _ := src.Video(ctx, "nope"); ok {
		t.Fatal("unknown video reported known")
	}
	var ids []string
	if err := src.ForEachVersion(ctx, func(id, v string) error { ids = append(ids, id+"="+v); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0][:5] != "vid1=" {
		t.Fatalf("versions %v (only summarized videos are the library)", ids)
	}
	if d, ok, _ := src.Document(ctx, "vid1"); !ok || d.Summary != "S" || d.Transcript.Language != "de" {
		t.Fatalf("document %+v", d)
	}
	if _, ok, _ := src.Document(ctx, "vid2"); ok {
		t.Fatal("a video without summary is not a library document")
	}
}

// TestConcurrentAsks runs questions about several videos and the library at
// once on one Asker (meant for -race).
func TestConcurrentAsks(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	putLibrary(t, db, threeVideos, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	src := StoreSource{DB: db}
	vs := newFakeVideos()
	vs.add(ytsum.Video{ID: longID}, synthTranscript(longID, 3600, 5, batteryNeedle))
	vs.add(ytsum.Video{ID: shortID}, shortTranscript())
	gen := &fakeGen{answer: func(llm.Request) string { return "It lasts [00:04]." }}
	a := New(Options{Videos: vs, Library: src, Generator: gen, Conversations: db, CachedVideos: 1})
	defer a.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := Request{VideoID: []string{longID, shortID}[i%2], Question: "How long does the battery last?"}
			if i%4 == 3 {
				req = Request{Scope: ytsum.ScopeLibrary, Question: "espresso burrs"}
			}
			if i%3 == 0 {
				req.Model = "local"
			}
			_, err := a.Ask(context.Background(), req, func(string) {})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
