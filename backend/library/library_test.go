package library

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/search"
	"ytsum/backend/store"
	"ytsum/backend/ytsum"
)

// fakeAudio is an audio cache in a folder that keeps its links in the
// store's audio index, as tts/audio.Cache does.
type fakeAudio struct {
	dir  string
	db   func() *store.DB
	fail error

	mu      sync.Mutex
	removed []string
}

func (a *fakeAudio) Put(name string, data []byte) error {
	return os.WriteFile(filepath.Join(a.dir, name), data, 0o600)
}

func (a *fakeAudio) Remove(name string) error {
	a.mu.Lock()
	a.removed = append(a.removed, name)
	a.mu.Unlock()
	err := os.Remove(filepath.Join(a.dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func (a *fakeAudio) RemoveVideo(videoID string) error {
	if a.fail != nil {
		return a.fail
	}
	names, err := a.db().AudioFiles(videoID)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := a.Remove(n); err != nil {
			return err
		}
	}
	return a.db().RemoveAudio(videoID)
}

type env struct {
	lib   *Library
	db    *store.DB
	dir   string
	audio *fakeAudio
	thumb *httptest.Server
	hits  *int
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// jpeg is enough of a JPEG for content sniffing.
var jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{1}, 100)...)

// MustOpen opens a library in a temporary folder with a fake thumbnail
// server and audio cache; at the end it checks the database's consistency.
func MustOpen(tb testing.TB) *env {
	tb.Helper()
	e := &env{dir: tb.TempDir(), hits: new(int)}
	var mu sync.Mutex
	e.thumb = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		*e.hits++
		mu.Unlock()
		if strings.Contains(r.URL.Path, "broken") {
			http.Error(w, "nope", http.StatusInternalServerError)
			return
		}
		if strings.Contains(r.URL.Path, "html") {
			_, _ = w.Write([]byte("<html>not an image</html>"))
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(jpeg)
	}))
	tb.Cleanup(e.thumb.Close)
	e.audio = &fakeAudio{dir: filepath.Join(e.dir, "audio")}
	_ = os.MkdirAll(e.audio.dir, 0o700)
	e.reopen(tb)
	return e
}

func (e *env) reopen(tb testing.TB) {
	tb.Helper()
	db, err := store.Open(filepath.Join(e.dir, store.FileName), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	lib, err := Open(db, Options{DataDir: e.dir, HTTPClient: e.thumb.Client(), Logger: quiet,
		Audio: e.audio, AudioImport: e.audio})
	if err != nil {
		db.Close()
		tb.Fatal(err)
	}
	e.lib, e.db = lib, db
	e.audio.db = func() *store.DB { return db }
	tb.Cleanup(func() {
		if e.lib != lib {
			return
		}
		// The library first: its background indexer may still be writing,
		// and bbolt's check must not run beside a commit (it reads the
		// freelist unlocked: a data race under -race).
		_ = lib.Close()
		if err := db.Check(); err != nil {
			tb.Errorf("bbolt check: %v", err)
		}
		_ = db.Close()
	})
}

func (e *env) close(tb testing.TB) {
	_ = e.lib.Close() // first: see reopen's cleanup
	if err := e.db.Check(); err != nil {
		tb.Errorf("bbolt check: %v", err)
	}
	_ = e.db.Close()
	e.lib, e.db = nil, nil
}

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func (e *env) summary(id, title, text string, at time.Time) *ytsum.Summary {
	return &ytsum.Summary{Video: ytsum.Video{ID: id, Title: title, Channel: "Channel " + id,
		ThumbnailURL: e.thumb.URL + "/vi/" + id + "/hqdefault.jpg", DurationSeconds: 300},
		Text: text, Model: "gemini-2.5-flash", Style: "key_points", CacheKey: "k1", CreatedAt: at}
}

func itemIDs(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Summary.ID)
	}
	return out
}

func TestSaveListSearchOffline(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	a := e.summary("aaaaaaaaaaa", "The AT&T breakup", "How AT&T split in 1984 into the Baby Bells.", t0)
	b := e.summary("bbbbbbbbbbb", "Café culture", "Parisian cafés & their history.", t0.Add(time.Hour))
	c := e.summary("ccccccccccc", "Tokyo", "東京タワーの歴史", t0.Add(2*time.Hour))
	for _, s := range []*ytsum.Summary{a, b, c} {
		if err := e.lib.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// Saving does not touch the network; the pictures come after.
	if *e.hits != 0 {
		t.Errorf("thumbnail fetches during Save = %d, want 0", *e.hits)
	}
	for _, s := range []*ytsum.Summary{a, b, c} {
		e.pictureAfterSave(ctx, s)
	}
	// A second summary of a with another model becomes a's entry.
	a2 := e.summary("aaaaaaaaaaa", "The AT&T breakup", "Second take: Ma Bell divested.", t0.Add(3*time.Hour))
	a2.CacheKey, a2.Model = "k2", "gpt-4o"
	if err := e.lib.Save(context.Background(), a2); err != nil {
		t.Fatal(err)
	}
	if a2.LocalThumbnail == "" {
		t.Error("a second summary of a video does not record its cached thumbnail")
	}
	e.pictureAfterSave(ctx, a2)
	if err := e.db.PutTranscript(&ytsum.Transcript{VideoID: "bbbbbbbbbbb", Language: "fr",
		Segments: []ytsum.Segment{{Text: "bonjour à tous"}, {Text: "aujourd'hui on parle d'espresso"}}}); err != nil {
		t.Fatal(err)
	}

	p, err := e.lib.List(1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 3 || p.TotalPages != 2 || p.Page != 1 || p.PerPage != 2 ||
		!reflect.DeepEqual(itemIDs(p.Items), []string{"aaaaaaaaaaa", "ccccccccccc"}) {
		t.Fatalf("List(1,2) = %+v %v", p, itemIDs(p.Items))
	}
	if p.Items[0].Summary.CacheKey != "k2" {
		t.Errorf("entry of a is %s, want the newest (k2)", p.Items[0].Summary.CacheKey)
	}
	if p2, _ := e.lib.List(2, 2); !reflect.DeepEqual(itemIDs(p2.Items), []string{"bbbbbbbbbbb"}) {
		t.Errorf("List(2,2) = %v", itemIDs(p2.Items))
	}
	if p9, _ := e.lib.List(9, 2); len(p9.Items) != 0 || p9.Items == nil {
		t.Errorf("List past the end = %#v", p9.Items)
	}
	// Thumbnails were cached once per video.
	if *e.hits != 3 {
		t.Errorf("thumbnail fetches = %d, want 3 (one per video)", *e.hits)
	}

	// Everything below works with the network gone.
	e.thumb.Close()
	tests := []struct {
		q     string
		want  []string
		field string
		frag  string
	}{
		{"at&t", []string{"aaaaaaaaaaa"}, "title", "Second take"},
		{"ma bell", []string{"aaaaaaaaaaa"}, "summary", "<mark>Ma</mark> <mark>Bell</mark>"},
		{"cafes", []string{"bbbbbbbbbbb"}, "summary", "Parisian <mark>cafés</mark> &amp; their"},
		{"espresso", []string{"bbbbbbbbbbb"}, "transcript", "<mark>espresso</mark>"},
		{"東京", []string{"ccccccccccc"}, "summary", "<mark>東京</mark>タワー"},
		{"1984", nil, "", ""}, // only in a's older summary, which is not its entry
	}
	for _, tt := range tests {
		items, err := e.lib.Search(ctx, tt.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(itemIDs(items), tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.q, itemIDs(items), tt.want)
			continue
		}
		if len(items) > 0 && (items[0].MatchField != tt.field || !strings.Contains(items[0].Snippet, tt.frag)) {
			t.Errorf("Search(%q) field %q snippet %q, want %q containing %q", tt.q, items[0].MatchField, items[0].Snippet, tt.field, tt.frag)
		}
	}
	if _, err := e.lib.Search(ctx, "  ", 10); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Errorf("blank search err = %v", err)
	}
	data, ct, err := e.lib.Thumbnail("bbbbbbbbbbb.jpg")
	if err != nil || !bytes.Equal(data, jpeg) || ct != "image/jpeg" {
		t.Errorf("Thumbnail = %d bytes %q %v", len(data), ct, err)
	}
	for _, id := range []string{"zzzzzzzzzzz", "../ytsum.db", ""} {
		if _, _, err := e.lib.Thumbnail(id); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
			t.Errorf("Thumbnail(%q) err = %v", id, err)
		}
	}
	// Saving while offline still works; the thumbnail is simply missing.
	d := e.summary("ddddddddddd", "Offline", "Saved offline.", t0)
	if err := e.lib.Save(ctx, d); err != nil {
		t.Fatal(err)
	}
	e.pictureAfterSave(ctx, d)
	if s, _ := e.lib.Latest("ddddddddddd"); s.LocalThumbnail != "" {
		t.Error("thumbnail recorded although the download failed")
	}
}

func TestItemJSON(t *testing.T) {
	e := MustOpen(t)
	s := e.summary("aaaaaaaaaaa", "T <b>", "Text about rust.", t0)
	_ = e.lib.Save(context.Background(), s)
	e.pictureAfterSave(context.Background(), s)
	items, err := e.lib.Search(context.Background(), "rust", 5)
	if err != nil || len(items) != 1 {
		t.Fatal(items, err)
	}
	b, err := json.Marshal(items[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"type": "video", "video_id": "aaaaaaaaaaa", "title": "T <b>",
		"summary": "Text about rust.", "source": "cache", "model_used": "gemini-2.5-flash", "error": nil,
		"video_url": "https://www.youtube.com/watch?v=aaaaaaaaaaa", "duration_seconds": 300.0, "style": "key_points",
		"thumbnail_cached": true, "snippet": "Text about <mark>rust</mark>.", "match_field": "summary", "title_html": "T &lt;b&gt;"} {
		if !reflect.DeepEqual(m[k], want) {
			t.Errorf("%s = %#v, want %#v", k, m[k], want)
		}
	}
	if _, ok := m["from_video"]; ok {
		t.Error("from_video is in the item of a summary made from captions")
	}
	// A summary made from the video itself says so, in the saved record too.
	sv := e.summary("bbbbbbbbbbb", "Video only", "Text about go.", t0)
	sv.FromVideo, sv.VideoResolution = true, "low"
	_ = e.lib.Save(context.Background(), sv)
	got, err := e.lib.Latest("bbbbbbbbbbb")
	if err != nil || !got.FromVideo || got.VideoResolution != "low" {
		t.Fatalf("saved record: %+v %v", got, err)
	}
	vb, _ := json.Marshal(Item{Summary: got})
	if !bytes.Contains(vb, []byte(`"from_video":true`)) || !bytes.Contains(vb, []byte(`"video_resolution":"low"`)) {
		t.Errorf("item JSON = %s", vb)
	}
	p, _ := e.lib.List(1, 10)
	b, _ = json.Marshal(p)
	if !bytes.Contains(b, []byte(`"summaries":[{"type":"video"`)) || !bytes.Contains(b, []byte(`"total":2,"page":1,"per_page":10,"total_pages":1`)) ||
		bytes.Contains(b, []byte(`"snippet"`)) {
		t.Errorf("page JSON = %s", b)
	}
}

// Ensure a cancelled context stops a thumbnail download at once, and that
// the summary saved before it stays.
func TestFetchThumbnailHonoursCancel(t *testing.T) {
	e := MustOpen(t)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	s := e.summary("hhhhhhhhhhh", "Hangs", "x", t0)
	s.ThumbnailURL = hang.URL + "/vi/hhhhhhhhhhh/hqdefault.jpg"
	if err := e.lib.Save(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.pictureAfterSave(ctx, s) }()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("FetchThumbnail did not return after cancel")
	}
	if got, err := e.lib.Latest(s.ID); err != nil || got.LocalThumbnail != "" {
		t.Fatalf("after a cancelled download: %+v %v", got, err)
	}
}

func TestThumbnailFailuresDoNotFailSave(t *testing.T) {
	e := MustOpen(t)
	for i, u := range []string{e.thumb.URL + "/broken.jpg", e.thumb.URL + "/html.jpg", "file:///etc/passwd", "::bad", ""} {
		s := e.summary(strings.Repeat(string(rune('a'+i)), 11), "t", "x", t0)
		s.ThumbnailURL = u
		if err := e.lib.Save(context.Background(), s); err != nil {
			t.Fatalf("Save with thumbnail %q: %v", u, err)
		}
		e.pictureAfterSave(context.Background(), s)
		if _, _, err := e.lib.Thumbnail(s.ID); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
			t.Errorf("thumbnail %q cached: %v", u, err)
		}
	}
}

func TestDeleteCascade(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	id := "aaaaaaaaaaa"
	s := e.summary(id, "Doomed", "Unique zebra text.", t0)
	_ = e.lib.Save(ctx, s)
	s2 := e.summary(id, "Doomed", "Another zebra take.", t0.Add(time.Hour))
	s2.CacheKey = "k2"
	_ = e.lib.Save(ctx, s2)
	_ = e.lib.Save(ctx, e.summary("bbbbbbbbbbb", "Keeper", "Kept text.", t0))
	db := e.db
	_ = db.PutTranscript(&ytsum.Transcript{VideoID: id, Language: "en", Segments: []ytsum.Segment{{Text: "zebra"}}})
	_ = db.PutVideo(ytsum.Video{ID: id, Title: "Doomed"})
	for _, name := range []string{"v_1.mp3", "v_2.mp3"} {
		_ = e.audio.Put(name, []byte("ID3"))
		_ = db.AddAudio(id, name)
	}

	// A failing audio cache stops the delete before anything is removed.
	e.audio.fail = errors.New("disk on fire")
	if err := e.lib.Delete(id); err == nil {
		t.Fatal("delete succeeded although audio removal failed")
	}
	if _, err := e.lib.Latest(id); err != nil {
		t.Fatal("summary removed although the audio was not")
	}
	e.audio.fail = nil

	if err := e.lib.Delete(id); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(e.audio.dir)
	if len(left) != 0 {
		t.Errorf("audio files left: %v", left)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "thumbnails", id+".jpg")); !os.IsNotExist(err) {
		t.Errorf("thumbnail left: %v", err)
	}
	if ss, _ := db.Summaries(id); len(ss) != 0 {
		t.Error("summaries left")
	}
	if trs, _ := db.Transcripts(id); len(trs) != 0 {
		t.Error("transcripts left")
	}
	if _, ok, _ := db.Video(id); ok {
		t.Error("video details left")
	}
	if f, _ := db.AudioFiles(id); len(f) != 0 {
		t.Error("audio index left")
	}
	if items, _ := e.lib.Search(ctx, "zebra", 10); len(items) != 0 {
		t.Errorf("index still finds it: %v", itemIDs(items))
	}
	if ok, _ := e.lib.ix.Has(id); ok {
		t.Error("index entry left")
	}
	if p, _ := e.lib.List(1, 10); p.Total != 1 {
		t.Errorf("total after delete = %d", p.Total)
	}
	if err := e.lib.Delete(id); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Errorf("second delete err = %v", err)
	}
	if err := e.lib.Delete(""); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Errorf("empty id err = %v", err)
	}
}

func TestIndexFollowsDatabase(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	// A write straight to the store (as after a crash before indexing) is
	// found by the next search.
	if err := e.db.PutSummary(e.summary("aaaaaaaaaaa", "Direct", "Written around the library: quokka.", t0)); err != nil {
		t.Fatal(err)
	}
	if items, _ := e.lib.Search(ctx, "quokka", 5); len(items) != 1 {
		t.Fatalf("direct write not indexed: %v", itemIDs(items))
	}
	_ = e.lib.Save(ctx, e.summary("bbbbbbbbbbb", "Other", "narwhal", t0))

	// A deleted index folder is rebuilt at the next open, with a notice.
	e.close(t)
	if err := os.RemoveAll(filepath.Join(e.dir, search.DirName)); err != nil {
		t.Fatal(err)
	}
	e.reopen(t)
	if n := e.lib.Notices(); len(n) != 1 || !strings.Contains(n[0], "rebuilt") {
		t.Errorf("notices = %v", n)
	}
	for _, q := range []string{"quokka", "narwhal"} {
		if items, _ := e.lib.Search(ctx, q, 5); len(items) != 1 {
			t.Errorf("after rebuild Search(%q) = %v", q, itemIDs(items))
		}
	}

	// An index that lost an update with no queue entry left (out of step) is
	// rebuilt too.
	e.close(t)
	db, err := store.Open(filepath.Join(e.dir, store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = db.DeleteVideo("bbbbbbbbbbb")
	p, _ := db.PendingIndex(10)
	_ = db.ClearPending(p)
	db.Close()
	e.reopen(t)
	if items, _ := e.lib.Search(ctx, "narwhal", 5); len(items) != 0 {
		t.Errorf("stale entry survived: %v", itemIDs(items))
	}
	if n, _ := e.lib.ix.Count(); n != 1 {
		t.Errorf("index count %d", n)
	}
}

func TestSecondInstance(t *testing.T) {
	e := MustOpen(t)
	_, err := store.Open(filepath.Join(e.dir, store.FileName), store.Options{Timeout: 50 * time.Millisecond})
	if ytsum.ErrorKind(err) != "already_running" {
		t.Fatalf("second Open = %v", err)
	}
}

func TestCorruptDatabaseNotice(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, store.FileName), bytes.Repeat([]byte("junk"), 5000), 0o600)
	db, err := store.Open(filepath.Join(dir, store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lib, err := Open(db, Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	if n := lib.Notices(); len(n) == 0 || !strings.Contains(n[0], "damaged") {
		t.Fatalf("notices = %v", n)
	}
}

func TestImportOriginalCache(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	src := filepath.Join("testdata", "original")

	rep, err := e.lib.Import(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 3 || rep.Skipped != 0 || rep.Failed != 6 || len(rep.Failures) != 6 {
		t.Fatalf("first import = %+v", rep)
	}
	reasons := map[string]string{}
	for _, f := range rep.Failures {
		reasons[f.VideoID] = f.Reason
	}
	for id, want := range map[string]string{"not-a-valid-id": "11-character", "AAAAAAAAAAA": "no summary",
		"BBBBBBBBBBB": "not an object", "CCCCCCCCCCC": "not a date", "DDDDDDDDDDD": "not an object", "EEEEEEEEEEE": "no summary"} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("reason for %s = %q, want it to mention %q", id, reasons[id], want)
		}
	}
	// Audio: the blake2b-named files of two summaries and the audio_filename
	// of the third; the preview and the orphan are not imported.
	if rep.AudioImported != 3 || rep.AudioUnmatched != 2 {
		t.Errorf("audio imported %d unmatched %d", rep.AudioImported, rep.AudioUnmatched)
	}
	files, _ := e.db.AudioFiles("dQw4w9WgXcQ")
	if len(files) != 1 || !strings.HasPrefix(files[0], "en-US-Chirp3-HD-Zephyr_") {
		t.Errorf("audio of dQw4w9WgXcQ = %v", files)
	}
	if _, err := os.Stat(filepath.Join(e.audio.dir, files[0])); err != nil {
		t.Errorf("audio file not copied: %v", err)
	}

	s, err := e.lib.Latest("dQw4w9WgXcQ")
	if err != nil {
		t.Fatal(err)
	}
	if s.Title != "The AT&T breakup" || s.Model != "gemini-2.5-flash" || s.CacheKey != ImportCacheKey ||
		!s.CreatedAt.Equal(time.Date(2025, 8, 20, 12, 34, 56, 789123000, time.UTC)) || !strings.Contains(s.Text, "café") {
		t.Errorf("imported summary = %+v", s)
	}
	if s, _ := e.lib.Latest("kJQP7kiw5Fk"); !s.CreatedAt.Equal(time.Date(2025, 8, 22, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("offset time = %v", s.CreatedAt)
	}
	if s, _ := e.lib.Latest("9bZkp7q19f0"); !s.CreatedAt.Equal(time.Date(2025, 8, 21, 8, 0, 0, 1000, time.UTC)) {
		t.Errorf("naive time = %v", s.CreatedAt)
	}
	p, _ := e.lib.List(1, 10)
	if want := []string{"kJQP7kiw5Fk", "9bZkp7q19f0", "dQw4w9WgXcQ"}; !reflect.DeepEqual(itemIDs(p.Items), want) {
		t.Errorf("list after import = %v, want %v", itemIDs(p.Items), want)
	}
	for q, want := range map[string]string{"at&t": "dQw4w9WgXcQ", "cafe": "dQw4w9WgXcQ", "東京タワー": "9bZkp7q19f0", "🗼": "9bZkp7q19f0"} {
		if items, _ := e.lib.Search(ctx, q, 5); len(items) == 0 || items[0].Summary.ID != want {
			t.Errorf("Search(%q) after import = %v", q, itemIDs(items))
		}
	}

	// Twice: nothing added twice; the file path works as well as the folder.
	rep2, err := e.lib.Import(ctx, filepath.Join(src, OriginalCacheFile))
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Added != 0 || rep2.Skipped != 3 || rep2.Failed != 6 || rep2.AudioImported != 0 {
		t.Errorf("second import = %+v", rep2)
	}
	if n, _ := e.db.VideoCount(); n != 3 {
		t.Errorf("videos after second import = %d", n)
	}
	if f, _ := e.db.AudioFiles("dQw4w9WgXcQ"); len(f) != 1 {
		t.Errorf("audio links after second import = %v", f)
	}
	if !strings.Contains(rep2.String(), "0 added, 3 already there, 6 failed") {
		t.Errorf("report = %s", rep2)
	}
}

func TestImportMalformedFileImportsNothing(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "original", OriginalCacheFile))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		kind string
	}{
		{"truncated", good[:len(good)/2], "import_malformed"},
		{"trailing garbage", append(append([]byte{}, good...), []byte("}{")...), "import_malformed"},
		{"array", []byte(`[{"title":"x"}]`), "import_malformed"},
		{"empty", nil, "import_malformed"},
		{"not json", []byte("video,title\n"), "import_malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustOpen(t)
			dir := t.TempDir()
			_ = os.WriteFile(filepath.Join(dir, OriginalCacheFile), tt.data, 0o600)
			_, err := e.lib.Import(context.Background(), dir)
			if ytsum.ErrorKind(err) != tt.kind || ytsum.ErrorCode(err) != ytsum.CodeInvalid {
				t.Fatalf("Import = %v, want kind %s", err, tt.kind)
			}
			if n, _ := e.db.VideoCount(); n != 0 {
				t.Errorf("%d summaries imported from a malformed file", n)
			}
		})
	}
	e := MustOpen(t)
	if _, err := e.lib.Import(context.Background(), t.TempDir()); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Errorf("missing file err = %v", err)
	}
}

func TestExport(t *testing.T) {
	e := MustOpen(t)
	s := e.summary("aaaaaaaaaaa", `He said "hi": a/b #1 [x]`, "Line one.\n\nLine two.", t0)
	s.Channel = "Chan: nel"
	_ = e.lib.Save(context.Background(), s)
	_ = e.lib.Save(context.Background(), e.summary("bbbbbbbbbbb", "", "Untitled text.", t0.Add(time.Hour)))

	md, err := e.lib.ExportOne("aaaaaaaaaaa", FormatMarkdown)
	if err != nil {
		t.Fatal(err)
	}
	wantMD := `---
video_id: "aaaaaaaaaaa"
title: "He said \"hi\": a/b #1 [x]"
channel: "Chan: nel"
url: "https://www.youtube.com/watch?v=aaaaaaaaaaa"
model: "gemini-2.5-flash"
style: "key_points"
date: 2026-03-04T05:06:07Z
duration_seconds: 300
tags: [youtube-summary]
---

# He said "hi": a/b #1 [x]

[Watch on YouTube](https://www.youtube.com/watch?v=aaaaaaaaaaa) · Chan: nel

Line one.

Line two.
`
	if string(md.Data) != wantMD || md.FileName != "He said hi a b 1 x (aaaaaaaaaaa).md" || !strings.HasPrefix(md.ContentType, "text/markdown") {
		t.Errorf("markdown export:\n%s\nname %q type %q", md.Data, md.FileName, md.ContentType)
	}
	txt, _ := e.lib.ExportOne("aaaaaaaaaaa", FormatText)
	if !strings.HasPrefix(string(txt.Data), "He said \"hi\": a/b #1 [x]\nChan: nel\nhttps://www.youtube.com/watch?v=aaaaaaaaaaa\ngemini-2.5-flash · key_points · 2026-03-04\n\nLine one.") {
		t.Errorf("text export:\n%s", txt.Data)
	}
	js, _ := e.lib.ExportOne("aaaaaaaaaaa", FormatJSON)
	var back ytsum.Summary
	if err := json.Unmarshal(js.Data, &back); err != nil || back.Text != s.Text || back.ID != s.ID {
		t.Errorf("json export: %v %+v", err, back)
	}
	if _, err := e.lib.ExportOne("zzzzzzzzzzz", FormatMarkdown); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Errorf("export missing err = %v", err)
	}
	if _, err := e.lib.ExportOne("aaaaaaaaaaa", "pdf"); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Errorf("bad format err = %v", err)
	}

	vault := filepath.Join(t.TempDir(), "vault")
	rep, err := e.lib.ExportAll(vault, FormatMarkdown)
	if err != nil || rep.Files != 2 {
		t.Fatalf("ExportAll md = %+v %v", rep, err)
	}
	entries, _ := os.ReadDir(vault)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	sort.Strings(names)
	if want := []string{"He said hi a b 1 x (aaaaaaaaaaa).md", "Untitled (bbbbbbbbbbb).md"}; !reflect.DeepEqual(names, want) {
		t.Errorf("vault files = %q, want %q", names, want)
	}

	jf := filepath.Join(t.TempDir(), "library.json")
	rep, err = e.lib.ExportAll(jf, FormatJSON)
	if err != nil || rep.Count != 2 {
		t.Fatalf("ExportAll json = %+v %v", rep, err)
	}
	raw, _ := os.ReadFile(jf)
	var doc struct {
		Format    string          `json:"format"`
		Summaries []ytsum.Summary `json:"summaries"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Format != "ytsum-library" || len(doc.Summaries) != 2 {
		t.Errorf("json library: %v %+v", err, doc)
	}
}

func TestSafeFileName(t *testing.T) {
	tests := []struct{ title, id, want string }{
		{"Plain title", "abc", "Plain title (abc)"},
		{`a\b/c:d*e?f"g<h>i|j#k^l[m]n`, "id", "a b c d e f g h i j k l m n (id)"},
		{"  ..dots and spaces.. ", "id", "dots and spaces (id)"},
		{"tab\tnew\nline\x00nul\u200bzw", "id", "tab new line nul zw (id)"},
		{"", "id", "Untitled (id)"},
		{"CON", "id", "CON (id)"},
		{"東京タワーの歴史 🗼", "id", "東京タワーの歴史 🗼 (id)"},
		{strings.Repeat("é", 200), "id", strings.Repeat("é", 80) + " (id)"},
		{"../../etc/passwd", "../x", "etc passwd (x)"},
	}
	for _, tt := range tests {
		if got := SafeFileName(tt.title, tt.id); got != tt.want {
			t.Errorf("SafeFileName(%q, %q) = %q, want %q", tt.title, tt.id, got, tt.want)
		}
	}
}

func TestCacheMissingThumbnails(t *testing.T) {
	e := MustOpen(t)
	if _, err := e.lib.Import(context.Background(), filepath.Join("testdata", "original")); err != nil {
		t.Fatal(err)
	}
	// Point the imported URLs at the fake server.
	err := e.db.Update(func(tx *store.Tx) error {
		s, _, _ := tx.Latest("dQw4w9WgXcQ")
		s.ThumbnailURL = e.thumb.URL + "/vi/dQw4w9WgXcQ/hqdefault.jpg"
		return tx.PutSummary(s)
	})
	if err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, e.lib)
	n, err := e.lib.CacheMissingThumbnails(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("CacheMissingThumbnails = %d %v", n, err)
	}
	if s, _ := e.lib.Latest("dQw4w9WgXcQ"); s.LocalThumbnail != "dQw4w9WgXcQ.jpg" {
		t.Errorf("LocalThumbnail = %q", s.LocalThumbnail)
	}
	if p, _ := e.db.PendingIndex(10); len(p) != 0 {
		t.Errorf("thumbnail update queued the index: %v", p)
	}
}

func TestZipListRangeAndJobs(t *testing.T) {
	e := MustOpen(t)
	_ = e.lib.Save(context.Background(), e.summary("aaaaaaaaaaa", "First", "one", t0))
	_ = e.lib.Save(context.Background(), e.summary("bbbbbbbbbbb", "Second", "two", t0.Add(time.Hour)))
	var buf bytes.Buffer
	n, err := e.lib.WriteZip(&buf, FormatMarkdown)
	if err != nil || n != 2 {
		t.Fatalf("WriteZip = %d %v", n, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || len(zr.File) != 2 || zr.File[0].Name != "Second (bbbbbbbbbbb).md" {
		t.Fatalf("zip: %v %v", err, zr)
	}
	if _, err := e.lib.WriteZip(&buf, FormatJSON); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Errorf("json zip err = %v", err)
	}
	items, total, err := e.lib.ListRange(1, 0, false)
	if err != nil || total != 2 || !reflect.DeepEqual(itemIDs(items), []string{"aaaaaaaaaaa"}) {
		t.Errorf("ListRange newest = %v %d %v", itemIDs(items), total, err)
	}
	items, _, _ = e.lib.ListRange(0, 1, true)
	if !reflect.DeepEqual(itemIDs(items), []string{"aaaaaaaaaaa"}) {
		t.Errorf("ListRange oldest = %v", itemIDs(items))
	}
}

// A save does not wait for the index: with the index busy (its lock held,
// as a long sync or merge would), Save still returns; the summary is found
// by the next search once the index is free.
func TestSaveDoesNotWaitForTheIndex(t *testing.T) {
	e := MustOpen(t)
	s := e.summary("ddddddddddd", "Lighthouses", "Keepers of the northern lights.", t0)
	e.lib.syncMu.Lock()
	saved := make(chan error, 1)
	go func() { saved <- e.lib.Save(context.Background(), s) }()
	select {
	case err := <-saved:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		e.lib.syncMu.Unlock()
		t.Fatal("Save waited for the index")
	}
	e.lib.syncMu.Unlock()
	hits, err := e.lib.Search(context.Background(), "lighthouses", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Summary.ID != "ddddddddddd" {
		t.Fatalf("search after the save = %+v, want the saved summary", hits)
	}
}

// Ensure a picture fetched before the save (the engine fetches it beside
// the summarizer call) is recorded by Save itself, and RecordThumbnail then
// has nothing to do.
func TestFetchThumbnailBeforeSave(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	s := e.summary("fffffffffff", "Fetched first", "The picture came before the summary.", t0)
	e.lib.FetchThumbnail(ctx, s.Video)
	if *e.hits != 1 {
		t.Fatalf("downloads = %d, want 1", *e.hits)
	}
	if got, _, err := e.lib.Summary(s.ID, s.CacheKey); err != nil || got != nil {
		t.Fatalf("FetchThumbnail wrote a summary: %v %v", got, err)
	}
	if err := e.lib.Save(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, ok, err := e.lib.Summary(s.ID, s.CacheKey)
	if err != nil || !ok || got.LocalThumbnail == "" {
		t.Fatalf("saved summary's local thumbnail = %+v %v %v, want the fetched file", got, ok, err)
	}
	e.lib.RecordThumbnail(s)
	if *e.hits != 1 {
		t.Errorf("downloads after RecordThumbnail = %d, want still 1", *e.hits)
	}
}

// Ensure a picture the thumbnail host refused is asked for once per video,
// not again when its summary is recorded (with a slow host that was a
// second 10-second wait), and that one arriving after the save is recorded
// on the saved summary.
func TestRecordThumbnailDoesNotDownload(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	refused := e.summary("rrrrrrrrrrr", "Refused", "The host says no.", t0)
	refused.ThumbnailURL = e.thumb.URL + "/broken.jpg"
	late := e.summary("lllllllllll", "Late", "The picture came after the save.", t0)
	for _, s := range []*ytsum.Summary{refused, late} {
		if err := e.lib.Save(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	e.pictureAfterSave(ctx, refused)
	if *e.hits != 1 {
		t.Errorf("requests for a refused picture = %d, want 1", *e.hits)
	}
	if got, _ := e.lib.Latest(refused.ID); got.LocalThumbnail != "" {
		t.Errorf("a refused picture was recorded: %q", got.LocalThumbnail)
	}
	e.pictureAfterSave(ctx, late)
	if got, _ := e.lib.Latest(late.ID); got.LocalThumbnail == "" || late.LocalThumbnail != got.LocalThumbnail {
		t.Errorf("picture downloaded after the save: recorded %q, on s %q", got.LocalThumbnail, late.LocalThumbnail)
	}
}

// queue writes n summaries (ids videoID(0)…) through the store: queued
// for the index, the background indexer not woken.
func (e *env) queue(n int, title, text string) error {
	return e.db.Update(func(tx *store.Tx) error {
		for i := range n {
			if err := tx.PutSummary(e.summary(videoID(i), title, text, t0)); err != nil {
				return err
			}
		}
		return nil
	})
}

// pictureAfterSave downloads the picture of the saved summary s and
// records it, as the engine does when the download ends after the save.
func (e *env) pictureAfterSave(ctx context.Context, s *ytsum.Summary) {
	e.lib.FetchThumbnail(ctx, s.Video)
	e.lib.RecordThumbnail(s)
}

// openFailing reopens e's library (its index removed, so rebuilt from the
// database) with fail run by Open before it brings the index up to date;
// the library and the database are closed at the end of the test.
func (e *env) openFailing(t *testing.T, fail func(l *Library, db *store.DB)) *Library {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(e.dir, search.DirName)); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(e.dir, store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	openHook = func(l *Library) { fail(l, db) }
	defer func() { openHook = nil }()
	lib, err := Open(db, Options{DataDir: e.dir, HTTPClient: e.thumb.Client(), Logger: quiet})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = lib.Close()
		_ = db.Close()
	})
	return lib
}

// waitFailures waits (boundedly) until l's background indexer has failed
// at least n rounds.
func waitFailures(t *testing.T, l *Library, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, _ := l.indexFailures()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("failed background rounds = %d after 30 s, want at least %d (no round was run or retried)", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Ensure that when Open cannot bring the index up to date (it cannot read
// the queue, or indexing a small one fails), the notice says the indexing
// is retried, not that the index was rebuilt or is behind until the next
// restart, and the background indexer runs (and so retries) at once.
func TestOpenIndexingFailureIsRetried(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		fail func(l *Library, db *store.DB)
	}{
		{"queue unreadable", func(l *Library, db *store.DB) { _ = db.Close() }},
		{"indexing fails", func(l *Library, db *store.DB) { _ = l.ix.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := MustOpen(t)
			for _, id := range []string{"aaaaaaaaaaa", "bbbbbbbbbbb"} {
				if err := e.lib.Save(ctx, e.summary(id, "Title "+id, "Some text.", t0)); err != nil {
					t.Fatal(err)
				}
			}
			e.close(t)
			lib := e.openFailing(t, tc.fail)
			notices := strings.Join(lib.Notices(), "\n")
			if !strings.Contains(notices, "search may miss some summaries for a while (indexing is retried)") ||
				strings.Contains(notices, "was rebuilt") || strings.Contains(notices, "next restart") {
				t.Errorf("notices = %q, want that indexing is retried", notices)
			}
			waitFailures(t, lib, 1)
		})
	}
}

// Ensure a search indexes at most the small queue it found, not what was
// queued since (an import's first batches): a search does a fraction of a
// second's work before it answers, the rest is the background indexer's.
// A video of that queue saved again meanwhile is indexed as it is now and
// leaves the queue (its queue entry is the one read under syncMu).
func TestSearchDrainsOnlyTheSmallQueueItRead(t *testing.T) {
	e := MustOpen(t)
	ctx := context.Background()
	// Through the store: queued, and the background indexer not woken.
	if err := e.db.PutSummary(e.summary("aaaaaaaaaaa", "Platypus", "The platypus lays eggs.", t0)); err != nil {
		t.Fatal(err)
	}
	more := 2 * searchDrainMax
	var once sync.Once
	drainHook = func() {
		once.Do(func() {
			if err := e.queue(more, "Later", "Queued after the search read the queue."); err != nil {
				t.Error(err)
			}
			if err := e.db.PutSummary(e.summary("aaaaaaaaaaa", "Platypus", "The platypus lays eggs and swims.", t0)); err != nil {
				t.Error(err)
			}
		})
	}
	defer func() { drainHook = nil }()
	items, err := e.lib.Search(ctx, "platypus", 5)
	if err != nil || len(items) != 1 || items[0].Summary.ID != "aaaaaaaaaaa" {
		t.Errorf("Search(platypus) = %v %v, want the queued summary", itemIDs(items), err)
	}
	if items, err := e.lib.Search(ctx, "swims", 5); err != nil || len(items) != 1 {
		t.Errorf("Search(swims) = %v %v, want the summary as saved again during the drain", itemIDs(items), err)
	}
	if n, err := e.db.PendingCount(); err != nil || n != more {
		t.Errorf("queued after the search = %d (%v), want the %d queued after it read the queue", n, err, more)
	}
}
