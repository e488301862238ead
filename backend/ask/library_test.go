package ask

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"ytsum/backend/store"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

type libVideo struct {
	id, title, summary string
	needles            []needle
}

var threeVideos = []libVideo{
	{"espresso001", "Dialing in espresso", "How to dial in a shot: dose, grind size and time.",
		[]needle{{130, "Conical burrs make the best grinder for espresso because they keep the grind even."}}},
	{"history0002", "A short history of coffee", "From Ethiopian legends to the first espresso machines.",
		[]needle{{300, "In 1884 Angelo Moriondo patented the first espresso machine in Turin."}, {420, "Burrs in early grinders were hand cut."}}},
	{"bikerepair3", "Fixing a flat tyre", "Patch kit, levers and a pump are all you need.",
		[]needle{{60, "Take the wheel off and find the puncture with water."}}},
}

// putLibrary stores each video's transcript and summary in db.
func putLibrary(t testing.TB, db *store.DB, vids []libVideo, at time.Time) {
	t.Helper()
	for i, v := range vids {
		tr := synthTranscript(v.id, 600, uint64(100+i), v.needles...)
		if err := db.PutTranscript(tr); err != nil {
			t.Fatal(err)
		}
		s := &ytsum.Summary{Video: ytsum.Video{ID: v.id, Title: v.title, Channel: "Chan", DurationSeconds: 600},
			Text: v.summary, Model: "m", CacheKey: v.id + ":k", TranscriptLanguage: "en", CreatedAt: at.Add(time.Duration(i) * time.Minute)}
		if err := db.PutSummary(s); err != nil {
			t.Fatal(err)
		}
	}
}

var labelLine = regexp.MustCompile(`(?m)^(V\d+): "([^"]+)"`)

func TestLibraryScopeAcrossThreeVideos(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	putLibrary(t, db, threeVideos, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	src := StoreSource{DB: db}
	// The fake model cites, for each video it was given, the time of that
	// video's first needle, plus one time no passage covers.
	gen := &fakeGen{answer: func(req llm.Request) string {
		var b strings.Builder
		for _, m := range labelLine.FindAllStringSubmatch(req.Prompt, -1) {
			for _, v := range threeVideos {
				if v.title == m[2] {
					fmt.Fprintf(&b, "%s says so [%s %s]. ", v.title, m[1], ytsum.Timestamp(v.needles[0].at))
				}
			}
		}
		b.WriteString("Also [V1 9:59:00].")
		return b.String()
	}}
	a := New(Options{Videos: src, Library: src, Generator: gen, Conversations: db, Now: fixedNow, NewID: seqIDs()})
	ans, err := a.Ask(context.Background(), Request{Scope: "library", Question: "Which grinder burrs are best for espresso?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ans.VideoID != nil {
		t.Fatalf("a library answer has video_id %q", *ans.VideoID)
	}
	used := map[string]bool{}
	for _, v := range ans.Videos {
		used[v.VideoID] = true
	}
	if !used["espresso001"] || !used["history0002"] || used["bikerepair3"] {
		t.Fatalf("videos used: %+v", ans.Videos)
	}
	cited := map[string]int{}
	for _, c := range ans.Citations {
		cited[c.VideoID] = c.StartSeconds
	}
	if len(cited) != 2 || cited["espresso001"] != 130 || cited["history0002"] != 300 {
		t.Fatalf("citations %+v", ans.Citations)
	}
	if strings.Contains(ans.Answer, "9:59:00") {
		t.Fatalf("an uncovered citation stayed: %q", ans.Answer)
	}
	golden(t, "system_library", gen.calls()[0].System)
	golden(t, "prompt_library", gen.calls()[0].Prompt)
	if l, _ := db.Conversations(nil, 0); len(l) != 1 || len(l[0].Turns[0].Videos) != 2 {
		t.Fatalf("library conversations: %+v", l)
	}

	// Offline, the library answer is an extract naming the videos.
	off, err := a.Ask(context.Background(), Request{Scope: "library", Question: "espresso machine patent", Model: "local"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !off.Extract || !strings.Contains(off.Answer, "**A short history of coffee** (V1)") || !strings.Contains(off.Answer, "Moriondo") ||
		len(off.Citations) == 0 || off.Citations[0].VideoID != "history0002" {
		t.Fatalf("offline library answer: %+v", off)
	}
}

func TestLibraryIndexSyncsIncrementally(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, tempDBPath(t))
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	putLibrary(t, db, threeVideos, at)
	src := StoreSource{DB: db}
	li, err := OpenLibraryIndex(dir + "/ask.bleve")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if rep, err := li.Sync(ctx, src); err != nil || rep != (SyncReport{Indexed: 3}) {
		t.Fatalf("first sync %+v %v", rep, err)
	}
	if rep, _ := li.Sync(ctx, src); rep != (SyncReport{Unchanged: 3}) {
		t.Fatalf("second sync %+v", rep)
	}
	// A new summary of one video, a new video, a deleted video.
	putLibrary(t, db, threeVideos[:1], at.Add(time.Hour))
	putLibrary(t, db, []libVideo{{"newvideo004", "Latte art", "Milk and patience.", []needle{{10, "Steam the milk to sixty degrees."}}}}, at)
	if _, err := db.DeleteVideo("bikerepair3"); err != nil {
		t.Fatal(err)
	}
	if rep, _ := li.Sync(ctx, src); rep != (SyncReport{Indexed: 2, Removed: 1, Unchanged: 1}) {
		t.Fatalf("sync after changes %+v", rep)
	}
	hits, err := li.search(ctx, "puncture wheel", "", 10)
	if err != nil || len(hits) != 0 {
		t.Fatalf("a deleted video is still found: %+v %v", hits, err)
	}
	if hits, _ := li.search(ctx, "steam milk", "", 10); len(hits) == 0 || hits[0].videoID != "newvideo004" {
		t.Fatalf("the new video is not found: %+v", hits)
	}
	if err := li.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened, it knows what it holds: nothing to do.
	li, err = OpenLibraryIndex(dir + "/ask.bleve")
	if err != nil {
		t.Fatal(err)
	}
	defer li.Close()
	if rep, _ := li.Sync(ctx, src); rep != (SyncReport{Unchanged: 3}) {
		t.Fatalf("sync after reopening %+v", rep)
	}
}

func TestLibraryEmpty(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	src := StoreSource{DB: db}
	a := New(Options{Videos: src, Library: src, Generator: &fakeGen{}, Conversations: db})
	_, err := a.Ask(context.Background(), Request{Scope: "library", Question: "anything?"}, nil)
	if ytsum.ErrorKind(err) != KindLibraryEmpty {
		t.Fatalf("err %v", err)
	}
}

func TestLibrarySyncStoppedResumes(t *testing.T) {
	src := synthLibrary{n: 450, seconds: 20}
	li, err := OpenLibraryIndex("")
	if err != nil {
		t.Fatal(err)
	}
	defer li.Close()
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	stopping := countingLibrary{synthLibrary: src, onDocument: func() {
		if calls++; calls == 250 {
			cancel()
		}
	}}
	if _, err := li.Sync(ctx, stopping); err == nil {
		t.Fatal("a cancelled Sync reported success")
	}
	if n := li.Videos(); n != syncBatch {
		t.Fatalf("%d videos kept after the cancel, want the first batch of %d", n, syncBatch)
	}
	rep, err := li.Sync(context.Background(), src)
	if err != nil || rep.Indexed != 450-syncBatch || rep.Unchanged != syncBatch {
		t.Fatalf("resumed sync %+v %v", rep, err)
	}
}

type countingLibrary struct {
	synthLibrary
	onDocument func()
}

func (c countingLibrary) Document(ctx context.Context, id string) (Document, bool, error) {
	c.onDocument()
	return c.synthLibrary.Document(ctx, id)
}
