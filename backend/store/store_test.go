package store

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/ytsum"
)

// MustOpen opens a database in a temporary directory and, when the test
// ends, closes it after running bbolt's consistency check and the store's
// own invariants.
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(filepath.Join(tb.TempDir(), FileName), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { MustCheck(tb, db); _ = db.Close() })
	return db
}

// reopen closes db and opens its file again, as a restart does.
func reopen(tb testing.TB, db *DB) *DB {
	tb.Helper()
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	return openAt(tb, db.path)
}

// openAt opens the database at path (which the caller closes).
func openAt(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

// MustCheck fails tb when db is inconsistent: bbolt's page check, and the
// store's derived buckets agreeing with the summaries.
func MustCheck(tb testing.TB, db *DB) {
	tb.Helper()
	if err := db.Check(); err != nil {
		tb.Fatalf("bbolt check: %v", err)
	}
	if err := checkInvariants(db); err != nil {
		tb.Fatalf("invariants: %v", err)
	}
}

func checkInvariants(db *DB) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		videos := map[string]bool{}
		c := tx.Bucket(bucketSummaries).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			videos[string(k[:bytes.IndexByte(k, 0)])] = true
		}
		n := 0
		if err := tx.Bucket(bucketTimeline).ForEach(func(k, v []byte) error {
			n++
			if tx.Bucket(bucketSummaries).Get(pair(string(k[8:]), string(v))) == nil {
				return fmt.Errorf("timeline %q points nowhere", k[8:])
			}
			if l := tx.Bucket(bucketLatest).Get(k[8:]); !bytes.Equal(l[:8], k[:8]) {
				return fmt.Errorf("latest and timeline disagree for %q", k[8:])
			}
			return nil
		}); err != nil {
			return err
		}
		if n != len(videos) || tx.Bucket(bucketLatest).Stats().KeyN != len(videos) {
			return fmt.Errorf("timeline has %d entries, latest %d, videos %d", n, tx.Bucket(bucketLatest).Stats().KeyN, len(videos))
		}
		if got := (&Tx{tx: tx}).VideoCount(); got != len(videos) {
			return fmt.Errorf("video count %d, want %d", got, len(videos))
		}
		return nil
	})
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func sum(id, key string, at time.Time) *ytsum.Summary {
	return &ytsum.Summary{Video: ytsum.Video{ID: id, Title: "Title " + id, Channel: "Chan", ThumbnailURL: "http://x/" + id + ".jpg"},
		Text: "Summary of " + id + " by " + key, Model: key, Style: "key_points", CacheKey: key, CreatedAt: at,
		Usage: ytsum.Usage{InputTokens: 10, OutputTokens: 5, TotalTokens: 15}, ElapsedMS: 1234}
}

func ids(ss []*ytsum.Summary) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ID+"/"+s.CacheKey)
	}
	return out
}

func TestSummaryRoundTripAndPaging(t *testing.T) {
	db := MustOpen(t)
	in := sum("vid_aaaaaaa", "k1", t0)
	in.FromVideo, in.TranscriptLanguage, in.PromptVersion = true, "pt-BR", "v3"
	for _, s := range []*ytsum.Summary{in, sum("vid_bbbbbbb", "k1", t0.Add(time.Hour)),
		sum("vid_aaaaaaa", "k2", t0.Add(2*time.Hour)), sum("vid_ccccccc", "k1", t0.Add(-time.Hour))} {
		if err := db.PutSummary(s); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := db.Summary("vid_aaaaaaa", "k1")
	if err != nil || !ok || !reflect.DeepEqual(got, in) {
		t.Fatalf("Summary = %+v %v %v, want %+v", got, ok, err, in)
	}
	if _, ok, _ := db.Summary("vid_aaaaaaa", "nope"); ok {
		t.Fatal("missing summary reported present")
	}
	tests := []struct {
		offset, limit int
		want          []string
	}{
		{0, 10, []string{"vid_aaaaaaa/k2", "vid_bbbbbbb/k1", "vid_ccccccc/k1"}},
		{1, 1, []string{"vid_bbbbbbb/k1"}},
		{2, 5, []string{"vid_ccccccc/k1"}},
		{3, 5, nil},
	}
	for _, tt := range tests {
		page, total, err := db.Page(tt.offset, tt.limit)
		if err != nil || total != 3 || !reflect.DeepEqual(ids(page), tt.want) {
			t.Errorf("Page(%d,%d) = %v total %d err %v, want %v", tt.offset, tt.limit, ids(page), total, err, tt.want)
		}
	}
	if old, _, _ := db.PageOldest(1, 5); !reflect.DeepEqual(ids(old), []string{"vid_bbbbbbb/k1", "vid_aaaaaaa/k2"}) {
		t.Errorf("PageOldest(1,5) = %v", ids(old))
	}
	all, _ := db.Summaries("vid_aaaaaaa")
	if want := []string{"vid_aaaaaaa/k2", "vid_aaaaaaa/k1"}; !reflect.DeepEqual(ids(all), want) {
		t.Errorf("Summaries = %v, want %v", ids(all), want)
	}
	// Replacing the newest with an older time makes the other one the entry.
	if err := db.PutSummary(sum("vid_aaaaaaa", "k2", t0.Add(-2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	page, _, _ := db.Page(0, 10)
	if want := []string{"vid_bbbbbbb/k1", "vid_aaaaaaa/k1", "vid_ccccccc/k1"}; !reflect.DeepEqual(ids(page), want) {
		t.Errorf("after re-put Page = %v, want %v", ids(page), want)
	}
	// An older summary of a video does not move its entry.
	if err := db.PutSummary(sum("vid_bbbbbbb", "k0", t0.Add(-5*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := db.Latest("vid_bbbbbbb"); s.CacheKey != "k1" {
		t.Errorf("entry of b = %s after an older put", s.CacheKey)
	}
	var walked []string
	if err := db.ForEachLatest(func(s *ytsum.Summary) error { walked = append(walked, s.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"vid_bbbbbbb", "vid_aaaaaaa", "vid_ccccccc"}; !reflect.DeepEqual(walked, want) {
		t.Errorf("ForEachLatest = %v, want %v", walked, want)
	}
}

func TestZeroTimeIsNow(t *testing.T) {
	db := MustOpen(t)
	s := sum("v", "", time.Time{})
	if err := db.PutSummary(s); err != nil {
		t.Fatal(err)
	}
	got, ok, _ := db.Summary("v", "")
	if !ok || got.CreatedAt.IsZero() {
		t.Fatalf("CreatedAt not set: %+v", got)
	}
}

func TestInvalidIDs(t *testing.T) {
	db := MustOpen(t)
	for _, s := range []*ytsum.Summary{sum("", "k", t0), sum("a\x00b", "k", t0), sum("v", "k\x00", t0)} {
		if err := db.PutSummary(s); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
			t.Errorf("PutSummary(%q,%q) = %v, want invalid", s.ID, s.CacheKey, err)
		}
	}
}

func TestForEachLatestManyChunks(t *testing.T) {
	db := MustOpen(t)
	const n = chunk*2 + 17
	err := db.Update(func(tx *Tx) error {
		for i := range n {
			if err := tx.PutSummary(sum(fmt.Sprintf("v%05d", i), "k", t0.Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	i := n
	err = db.ForEachLatest(func(s *ytsum.Summary) error {
		i--
		if want := fmt.Sprintf("v%05d", i); s.ID != want {
			return fmt.Errorf("got %s, want %s", s.ID, want)
		}
		// Writing from inside the walk must not deadlock.
		return db.PutSettings([]byte(s.ID))
	})
	if err != nil || i != 0 {
		t.Fatalf("ForEachLatest: %v, %d left", err, i)
	}
	seen := 0
	if err := db.ForEachSummary(func(*ytsum.Summary) error { seen++; return nil }); err != nil || seen != n {
		t.Fatalf("ForEachSummary saw %d (%v), want %d", seen, err, n)
	}
}

func TestDeleteVideoCascade(t *testing.T) {
	db := MustOpen(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.PutSummary(sum("a", "k1", t0)))
	must(db.PutSummary(sum("a", "k2", t0.Add(time.Minute))))
	must(db.PutSummary(sum("b", "k1", t0)))
	must(db.PutTranscript(&ytsum.Transcript{VideoID: "a", Language: "en", Segments: []ytsum.Segment{{Text: "hi"}}}))
	must(db.PutTranscript(&ytsum.Transcript{VideoID: "a", Language: "de"}))
	must(db.PutTranscript(&ytsum.Transcript{VideoID: "ab", Language: "en"})) // shares a byte prefix
	must(db.PutVideo(ytsum.Video{ID: "a", Title: "A"}))
	must(db.AddAudio("a", "voice_1.mp3"))
	must(db.AddAudio("a", "shared.mp3"))
	must(db.AddAudio("b", "shared.mp3"))

	d, err := db.DeleteVideo("a")
	must(err)
	if d.Summaries != 2 || d.Transcripts != 2 || !reflect.DeepEqual(d.AudioFiles, []string{"voice_1.mp3"}) {
		t.Fatalf("Deletion = %+v", d)
	}
	if ss, _ := db.Summaries("a"); len(ss) != 0 {
		t.Error("summaries left")
	}
	if trs, _ := db.Transcripts("a"); len(trs) != 0 {
		t.Error("transcripts left")
	}
	if _, ok, _ := db.Transcript("ab", "en"); !ok {
		t.Error("other video's transcript deleted")
	}
	if _, ok, _ := db.Video("a"); ok {
		t.Error("video left")
	}
	if f, _ := db.AudioFiles("a"); len(f) != 0 {
		t.Error("audio entries left")
	}
	if n, _ := db.VideoCount(); n != 1 {
		t.Errorf("count %d", n)
	}
	d, err = db.DeleteVideo("b")
	must(err)
	if !reflect.DeepEqual(d.AudioFiles, []string{"shared.mp3"}) {
		t.Errorf("b orphans = %v", d.AudioFiles)
	}
	if d, _ := db.DeleteVideo("zzz"); d.Summaries != 0 {
		t.Error("deleting an unknown video removed something")
	}
}

func TestPendingQueue(t *testing.T) {
	db := MustOpen(t)
	_ = db.PutSummary(sum("a", "k", t0))
	_ = db.PutSummary(sum("b", "k", t0))
	_ = db.PutTranscript(&ytsum.Transcript{VideoID: "nosummary", Language: "en"})
	p, _ := db.PendingIndex(100)
	if len(p) != 2 {
		t.Fatalf("pending = %v", p)
	}
	_ = db.PutSummary(sum("a", "k2", t0)) // queued again after we read
	if err := db.ClearPending(p); err != nil {
		t.Fatal(err)
	}
	p2, _ := db.PendingIndex(100)
	if _, ok := p2["a"]; !ok || len(p2) != 1 {
		t.Fatalf("after clear pending = %v, want only a", p2)
	}
	if n, _ := db.QueueAllForIndex(); n != 2 {
		t.Errorf("QueueAll = %d", n)
	}
	_ = db.PutSummary(sum("c", "k", t0))
	if n, err := db.PendingCount(); n != 3 || err != nil {
		t.Errorf("PendingCount = %d %v", n, err)
	}
	// PendingAfter walks the queue in id order, a page at a time.
	var got []string
	_ = db.View(func(tx *Tx) error {
		after := ""
		for {
			m, last := tx.PendingAfter(after, 2)
			if len(m) == 0 {
				return nil
			}
			if _, ok := m[last]; !ok || len(m) > 2 {
				t.Errorf("PendingAfter(%q) = %v, %q", after, m, last)
			}
			for id := range m {
				if id <= after || id > last {
					t.Errorf("PendingAfter(%q) gave %q (last %q)", after, id, last)
				}
				got = append(got, id)
			}
			after = last
		}
	})
	if len(got) != 3 {
		t.Errorf("PendingAfter walked %v, want a, b, c", got)
	}
}

func TestCaches(t *testing.T) {
	db := MustOpen(t)
	tr := &ytsum.Transcript{VideoID: "v", Language: "pt-BR", LanguageName: "Português", Kind: ytsum.TranscriptManual,
		Source: "innertube", Segments: []ytsum.Segment{{Start: 1.5, Duration: 2, Text: "olá"}}, FetchedAt: t0}
	if _, ok, err := db.Transcript("v", "pt-BR"); ok || err != nil {
		t.Fatal("transcript before put")
	}
	if err := db.PutTranscript(tr); err != nil {
		t.Fatal(err)
	}
	got, ok, err := db.Transcript("v", "pt-BR")
	if !ok || err != nil || !reflect.DeepEqual(got, tr) {
		t.Fatalf("Transcript = %+v", got)
	}
	v := ytsum.Video{ID: "v", Title: "T", Channel: "C", ChannelID: "UC", DurationSeconds: 61, ThumbnailURL: "u", LocalThumbnail: "v.jpg"}
	if err := db.PutVideo(v); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := db.Video("v"); !ok || got != v {
		t.Fatalf("Video = %+v", got)
	}
	if s, _ := db.Settings(); s != nil {
		t.Fatal("settings before put")
	}
	_ = db.PutSettings([]byte(`{"a":1}`))
	if s, _ := db.Settings(); string(s) != `{"a":1}` {
		t.Fatalf("settings = %s", s)
	}
}

func TestJobs(t *testing.T) {
	db := MustOpen(t)
	if _, _, err := db.Job("x"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("missing job err = %v", err)
	}
	rec := []byte(`{"id":"1"}`)
	for i := range chunk + 3 {
		if err := db.PutJob(fmt.Sprintf("job%04d", i), rec, map[string][]byte{"p/1": []byte("one")}); err != nil {
			t.Fatal(err)
		}
	}
	rec[0] = 'X' // the store kept its own copy
	if got, parts, _ := db.Job("job0000"); string(got) != `{"id":"1"}` || len(parts) != 1 || string(parts["p/1"]) != "one" {
		t.Fatalf("Job = %s %q", got, parts)
	}
	n := 0
	err := db.ForEachJob(func(id string, r []byte) error {
		n++
		return db.DeleteJob(id) // writes from inside the walk
	})
	if err != nil || n != chunk+3 {
		t.Fatalf("ForEachJob n=%d err=%v", n, err)
	}
	if _, _, err := db.Job("job0001"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatal("job survived delete")
	}
	stop := errors.New("stop")
	_ = db.PutJob("a", rec, nil)
	if err := db.ForEachJob(func(string, []byte) error { return stop }); err != stop {
		t.Fatalf("fn error not returned: %v", err)
	}
}

// A job's parts are written with or without its head, replaced and removed
// one by one, kept apart from another job whose id shares a prefix, and
// deleted with the job.
func TestJobParts(t *testing.T) {
	db := MustOpen(t)
	if err := db.PutJob("j", []byte("head1"), map[string][]byte{"v/0/0": []byte("a"), "v/0/1": []byte("b")}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutJob("j2", []byte("other"), map[string][]byte{"v/0/0": []byte("z")}); err != nil {
		t.Fatal(err)
	}
	// A part alone leaves the head as it was; nil removes a part.
	if err := db.PutJob("j", nil, map[string][]byte{"v/0/1": []byte("B"), "v/0/0": nil, "l/0": []byte("c")}); err != nil {
		t.Fatal(err)
	}
	head, parts, err := db.Job("j")
	if err != nil || string(head) != "head1" || len(parts) != 2 || string(parts["v/0/1"]) != "B" || string(parts["l/0"]) != "c" {
		t.Fatalf("Job(j) = %s %q %v", head, parts, err)
	}
	if err := db.PutJob("j", []byte("x"), map[string][]byte{"bad\x00key": nil}); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
		t.Fatalf("a part key with a NUL byte: %v", err)
	}
	if err := db.DeleteJob("j"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Job("j"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("deleted job: %v", err)
	}
	// A new job with the same id starts without the old parts.
	_ = db.PutJob("j", []byte("head2"), nil)
	if _, parts, _ := db.Job("j"); len(parts) != 0 {
		t.Fatalf("parts survived the delete: %q", parts)
	}
	if _, parts, _ := db.Job("j2"); len(parts) != 1 || string(parts["v/0/0"]) != "z" {
		t.Fatalf("the other job's parts = %q", parts)
	}
}

func TestSecondInstanceIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	_, err = Open(path, Options{Timeout: 100 * time.Millisecond})
	if ytsum.ErrorKind(err) != "already_running" || ytsum.ErrorCode(err) != ytsum.CodeUnavailable {
		t.Fatalf("second open = %v, want already_running", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second open took %v", d)
	}
}

func TestCorruptFileIsMovedAside(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"garbage", bytes.Repeat([]byte("not a bolt database "), 1000)},
		{"zeroed pages", make([]byte, 64*1024)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := Open(path, Options{Now: func() time.Time { return t0 }})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { MustCheck(t, db); db.Close() }()
			r := db.Recovery()
			if r == nil || r.Message == "" {
				t.Fatal("no recovery notice")
			}
			if b, err := os.ReadFile(r.MovedTo); err != nil || !bytes.Equal(b, tt.data) {
				t.Fatalf("moved file: %v", err)
			}
			if err := db.PutSummary(sum("v", "k", t0)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestHealthyOpenHasNoRecovery(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	for range 2 {
		db, err := Open(path, Options{CheckOnOpen: true})
		if err != nil {
			t.Fatal(err)
		}
		if db.Recovery() != nil {
			t.Fatal("recovery on a healthy file")
		}
		_ = db.PutSummary(sum("v", "k", t0))
		MustCheck(t, db)
		db.Close()
	}
}

// A file from before schema versions existed (summaries only) is migrated:
// its derived buckets are built and the version recorded.
func TestMigrateFromUnversioned(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucket(bucketSummaries)
		for i, s := range []*ytsum.Summary{sum("a", "k", t0), sum("b", "k", t0.Add(time.Hour)), sum("a", "k2", t0.Add(2*time.Hour))} {
			raw := fmt.Sprintf(`{"video_id":%q,"title":"T%d","summary":"x","cache_key":%q,"summarized_at":%q}`,
				s.ID, i, s.CacheKey, s.CreatedAt.Format(time.RFC3339))
			if err := b.Put(pair(s.ID, s.CacheKey), []byte(raw)); err != nil {
				return err
			}
		}
		return nil
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { MustCheck(t, db); db.Close() }()
	if v, _ := db.Schema(); v != SchemaVersion {
		t.Fatalf("schema %d", v)
	}
	page, total, _ := db.Page(0, 10)
	if want := []string{"a/k2", "b/k"}; total != 2 || !reflect.DeepEqual(ids(page), want) {
		t.Fatalf("Page = %v (%d), want %v", ids(page), total, want)
	}
}

// The migration mechanism: a future step runs once, in one transaction; a
// failing step leaves the file as it was; a newer file is refused.
func TestMigrationSteps(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.PutSummary(sum("v", "k", t0))
	db.Close()

	orig := migrations
	t.Cleanup(func() { migrations = orig })
	runs := 0
	migrations = append(append([]func(*bolt.Tx) error{}, orig...), func(tx *bolt.Tx) error {
		runs++
		_, err := tx.CreateBucket([]byte("v2_bucket"))
		return err
	})
	failing := append(append([]func(*bolt.Tx) error{}, migrations...), func(tx *bolt.Tx) error {
		_ = tx.Bucket(bucketSummaries).Delete(pair("v", "k"))
		return errors.New("step failed")
	})

	bdb, _ := bolt.Open(path, 0o600, nil)
	if err := migrate(bdb, 2); err != nil || runs != 1 {
		t.Fatalf("migrate to 2: %v, runs %d", err, runs)
	}
	if err := migrate(bdb, 2); err != nil || runs != 1 {
		t.Fatalf("second migrate ran again: %v, runs %d", err, runs)
	}
	migrations = failing
	if err := migrate(bdb, 3); err == nil {
		t.Fatal("failing step reported success")
	}
	_ = bdb.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bucketMeta).Get(keySchema)); v != "2" {
			t.Errorf("schema after failed step = %s", v)
		}
		if tx.Bucket(bucketSummaries).Get(pair("v", "k")) == nil {
			t.Error("failed step's write was kept")
		}
		return nil
	})
	bdb.Close()
	migrations = orig
	if _, err := Open(path, Options{}); ytsum.ErrorKind(err) != "schema_too_new" {
		t.Fatalf("open newer file = %v", err)
	}
}

func TestBackups(t *testing.T) {
	now := t0
	path := filepath.Join(t.TempDir(), FileName)
	db, err := Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := filepath.Join(t.TempDir(), "backups")
	if list, err := Backups(dir); err != nil || len(list) != 0 {
		t.Fatalf("Backups of missing dir = %v %v", list, err)
	}
	var made []BackupInfo
	for i := range 3 {
		_ = db.PutSummary(sum(fmt.Sprintf("v%d", i), "k", t0))
		info, err := db.Backup(dir, 2)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, info)
		now = now.Add(time.Minute)
	}
	list, err := Backups(dir)
	if err != nil || len(list) != 2 || list[0].Name != made[2].Name || list[1].Name != made[1].Name {
		t.Fatalf("Backups = %+v %v", list, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("dir holds %d files (temp left?)", len(entries))
	}
	b, err := Open(list[0].Path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	MustCheck(t, b)
	if n, _ := b.VideoCount(); n != 3 {
		t.Fatalf("backup holds %d videos", n)
	}
}

func TestConcurrentWriters(t *testing.T) {
	db := MustOpen(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				_ = db.PutSummary(sum(fmt.Sprintf("v%d", i), fmt.Sprintf("k%d", g), t0.Add(time.Duration(g*i)*time.Second)))
				_, _, _ = db.Page(0, 5)
			}
		}()
	}
	wg.Wait()
	if n, _ := db.VideoCount(); n != 20 {
		t.Fatalf("count %d", n)
	}
}

// TestCrashConsistency kills a child process that writes summaries, jobs
// and deletions in a loop at random moments, then reopens the file and
// checks it. The child is this test binary re-run with an env var.
func TestCrashConsistency(t *testing.T) {
	if path := os.Getenv("YTSUM_STORE_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	path := filepath.Join(t.TempDir(), FileName)
	for round := range 5 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashConsistency$")
		cmd.Env = append(os.Environ(), "YTSUM_STORE_CRASH_CHILD="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the child has committed a number of writes that varies by
		// round, then kill it mid-loop.
		sc := bufio.NewScanner(out)
		want := 20 + round*37
		acked := 0 // writes the child reported done: their journaled parts must survive
		for ; acked < want && sc.Scan(); acked++ {
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		db, err := Open(path, Options{CheckOnOpen: true})
		if err != nil {
			t.Fatalf("round %d reopen: %v", round, err)
		}
		if db.Recovery() != nil {
			t.Fatalf("round %d: file was damaged: %v", round, db.Recovery().Cause)
		}
		MustCheck(t, db)
		err = db.ForEachJob(func(id string, rec []byte) error {
			if _, err := strconv.Atoi(string(rec)); err != nil {
				return fmt.Errorf("job %s record %q", id, rec)
			}
			return nil
		})
		for i := range acked {
			_, parts, jerr := db.Job(fmt.Sprintf("job%d", i%40))
			if jerr != nil || string(parts[fmt.Sprintf("p/%d", i)]) != strconv.Itoa(i) {
				err = errors.Join(err, fmt.Errorf("round %d: journaled part %d lost after the kill (%v)", round, i, jerr))
			}
		}
		if fi, serr := os.Stat(path + JournalSuffix); serr != nil || fi.Size() != journalHeaderSize {
			err = errors.Join(err, fmt.Errorf("round %d: journal not emptied after its replay: %v %v", round, fi, serr))
		}
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func crashChild(path string) {
	db, err := Open(path, Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		id := fmt.Sprintf("v%03d", i%150)
		s := sum(id, fmt.Sprintf("k%d", i%3), t0.Add(time.Duration(i)*time.Second))
		s.Text = string(bytes.Repeat([]byte("text "), 200+i%500))
		_ = db.Update(func(tx *Tx) error {
			if err := tx.PutSummary(s); err != nil {
				return err
			}
			if i%7 == 0 {
				if _, err := tx.DeleteVideo(fmt.Sprintf("v%03d", (i/7)%150)); err != nil {
					return err
				}
			}
			return tx.AddAudio(id, fmt.Sprintf("a%d.mp3", i%11))
		})
		_ = db.PutJob(fmt.Sprintf("job%d", i%40), []byte(strconv.Itoa(i)), map[string][]byte{"v/0/0": []byte(strconv.Itoa(i))})
		if err := db.PutJob(fmt.Sprintf("job%d", i%40), nil, map[string][]byte{fmt.Sprintf("p/%d", i): []byte(strconv.Itoa(i))}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
		fmt.Fprintln(w, i)
		_ = w.Flush()
	}
}

func TestYouTubeCacheAdapter(t *testing.T) {
	db := MustOpen(t)
	c := db.YouTubeCache()
	if tr, err := c.Transcript("v", ""); tr != nil || err != nil {
		t.Fatalf("miss = %v %v", tr, err)
	}
	if v, err := c.Video("v"); v != nil || err != nil {
		t.Fatalf("video miss = %v %v", v, err)
	}
	_ = c.PutTranscript(&ytsum.Transcript{VideoID: "v", Language: "de", FetchedAt: t0.Add(time.Hour)})
	_ = c.PutTranscript(&ytsum.Transcript{VideoID: "v", Language: "en", FetchedAt: t0})
	if tr, _ := c.Transcript("v", ""); tr == nil || tr.Language != "de" {
		t.Errorf("any-language transcript = %+v, want the newest (de)", tr)
	}
	if tr, _ := c.Transcript("v", "en"); tr == nil || tr.Language != "en" {
		t.Errorf("en transcript = %+v", tr)
	}
	_ = c.PutVideo(ytsum.Video{ID: "v", Title: "T"})
	if v, _ := c.Video("v"); v == nil || v.Title != "T" {
		t.Errorf("video = %+v", v)
	}
}

// Ensure Snapshots makes and lists backups in its folder and honours ctx.
func TestSnapshots(t *testing.T) {
	db := MustOpen(t)
	snaps := db.Snapshots(filepath.Join(t.TempDir(), "backups"))
	if list, err := snaps.List(context.Background()); err != nil || len(list) != 0 {
		t.Fatalf("empty: %v %v", list, err)
	}
	made, err := snaps.Create(context.Background())
	if err != nil || made.Size == 0 {
		t.Fatalf("Create = %+v %v", made, err)
	}
	if list, err := snaps.List(context.Background()); err != nil || len(list) != 1 || list[0].Name != made.Name {
		t.Fatalf("List = %+v %v", list, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := snaps.Create(ctx); err == nil {
		t.Fatal("Create with a cancelled context succeeded")
	}
}
