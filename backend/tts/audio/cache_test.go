package audio

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

// memIndex is an in-memory Index.
type memIndex struct {
	mu sync.Mutex
	m  map[string][]string
}

func (x *memIndex) AddAudio(videoID, name string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.m == nil {
		x.m = map[string][]string{}
	}
	if !slices.Contains(x.m[videoID], name) {
		x.m[videoID] = append(x.m[videoID], name)
	}
	return nil
}

func (x *memIndex) AudioFiles(videoID string) ([]string, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.m[videoID]), nil
}

func (x *memIndex) RemoveAudio(videoID string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.m, videoID)
	return nil
}

// mp3 returns n bytes that start like an MP3 frame.
func mp3(n int, fill byte) []byte {
	b := bytes.Repeat([]byte{fill}, n)
	b[0], b[1], b[2], b[3] = 0xFF, 0xFB, 0x90, 0x64
	return b
}

func mustOpen(tb testing.TB, dir string, o Options, idx Index) *Cache {
	tb.Helper()
	c, err := Open(dir, o, idx)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return c
}

func TestKeyMatchesOriginal(t *testing.T) {
	// blake2b(b"hello", digest_size=16).hexdigest() in Python.
	if got, want := Key("en-US-Chirp3-HD-Zephyr", "hello"), "en-US-Chirp3-HD-Zephyr_46fb7408d4f285228f4af516ea25851b"; got != want {
		t.Fatalf("Key = %s, want %s", got, want)
	}
	if got := PreviewKey("v", "hello"); !strings.HasPrefix(got, "preview_v_") {
		t.Fatalf("PreviewKey = %s", got)
	}
	if Key("a", "x") == Key("b", "x") || Key("a", "x") == Key("a", "y") {
		t.Fatal("keys must differ by voice and text")
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c := mustOpen(t, dir, Options{}, nil)
	data := mp3(1000, 7)
	name := Key("v", "text") + ".mp3"
	if err := c.Put(name, data); err != nil {
		t.Fatal(err)
	}
	got, ok, err := c.Get(name)
	if err != nil || !ok || !bytes.Equal(got, data) {
		t.Fatalf("Get = %d bytes, %v, %v", len(got), ok, err)
	}
	n, _, ok, _ := c.Find(Key("v", "text"))
	if !ok || n != name {
		t.Fatalf("Find = %q %v", n, ok)
	}
	if _, ok, _ := c.Get(Key("v", "other") + ".mp3"); ok {
		t.Fatal("hit for a file never stored")
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Fatalf("leftover %s", e.Name())
		}
	}
}

func TestBadNamesRejected(t *testing.T) {
	c := mustOpen(t, t.TempDir(), Options{}, nil)
	for _, n := range []string{"", "../x.mp3", "a/b.mp3", `a\b.mp3`, ".hidden.mp3", "x.txt", "manifest.json", ".mp3"} {
		if err := c.Put(n, mp3(10, 1)); ytsum.ErrorKind(err) != "audio_bad_name" {
			t.Errorf("Put(%q) = %v, want audio_bad_name", n, err)
		}
	}
}

func TestCorruptedFileIsAMiss(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(path string) error
	}{
		{"flipped byte same length", func(p string) error {
			b, _ := os.ReadFile(p)
			b[500] ^= 0xFF
			return os.WriteFile(p, b, 0o644)
		}},
		{"truncated", func(p string) error { return os.Truncate(p, 100) }},
		{"emptied", func(p string) error { return os.Truncate(p, 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := mustOpen(t, dir, Options{}, nil)
			name := "v_abc.mp3"
			if err := c.Put(name, mp3(1000, 3)); err != nil {
				t.Fatal(err)
			}
			if err := tt.corrupt(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := c.Get(name); ok || err != nil {
				t.Fatalf("corrupted file served: ok=%v err=%v", ok, err)
			}
			if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
				t.Fatalf("corrupted file not deleted: %v", err)
			}
		})
	}
}

func TestUntrackedFilesVerifiedByHeader(t *testing.T) {
	dir := t.TempDir()
	// As if copied from the original app's audio_cache/ or a crash happened
	// between rename and manifest write.
	good := mp3(300, 1)
	id3 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), mp3(200, 2)...)
	wav := append([]byte("RIFF\x00\x00\x00\x00WAVEfmt "), make([]byte, 40)...)
	files := map[string][]byte{"a_1.mp3": good, "b_2.mp3": id3, "c_3.wav": wav, "d_4.mp3": []byte("<html>not audio</html>")}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := mustOpen(t, dir, Options{}, nil)
	for n, want := range map[string]bool{"a_1.mp3": true, "b_2.mp3": true, "c_3.wav": true, "d_4.mp3": false} {
		_, ok, err := c.Get(n)
		if err != nil || ok != want {
			t.Errorf("Get(%s) ok=%v err=%v, want ok=%v", n, ok, err, want)
		}
	}
	// Adopted files are now in the manifest and verified by hash.
	b, _ := os.ReadFile(filepath.Join(dir, manifestName))
	var m manifestFile
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Files["a_1.mp3"]; !ok {
		t.Fatalf("a_1.mp3 not adopted: %s", b)
	}
}

func TestOpenSweepsCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	c := mustOpen(t, dir, Options{}, nil)
	if err := c.Put("v_keep.mp3", mp3(400, 1)); err != nil {
		t.Fatal(err)
	}
	if err := c.Put("v_torn.mp3", mp3(400, 2)); err != nil {
		t.Fatal(err)
	}
	// A crash: a half-written temp file, a temp manifest, and a file whose
	// size no longer matches the manifest.
	for _, n := range []string{".tmp-123456", ".tmp-manifest-9"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Truncate(filepath.Join(dir, "v_torn.mp3"), 10); err != nil {
		t.Fatal(err)
	}
	c2 := mustOpen(t, dir, Options{}, nil)
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	if want := []string{"manifest.json", "v_keep.mp3"}; !slices.Equal(names, want) {
		t.Fatalf("after Open: %v, want %v", names, want)
	}
	if _, ok, _ := c2.Get("v_keep.mp3"); !ok {
		t.Fatal("intact file lost")
	}
}

func TestCorruptManifestTolerated(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "v_x.mp3"), mp3(100, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := mustOpen(t, dir, Options{}, nil)
	if _, ok, err := c.Get("v_x.mp3"); !ok || err != nil {
		t.Fatalf("Get after corrupt manifest: %v %v", ok, err)
	}
}

// fill writes n files of size bytes with increasing mtimes from start.
func fill(t *testing.T, c *Cache, prefix string, n, size int, start time.Time, step time.Duration) []string {
	t.Helper()
	var names []string
	for i := 0; i < n; i++ {
		name := prefix + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + ".mp3"
		if err := c.Put(name, mp3(size, byte(i))); err != nil {
			t.Fatal(err)
		}
		mt := start.Add(time.Duration(i) * step)
		if err := os.Chtimes(c.Path(name), mt, mt); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

func TestCleanupLimits(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tests := []struct {
		name        string
		opts        Options
		n, size     int
		start       time.Time
		step        time.Duration
		wantCleaned int
		wantLeft    int
		wantGone    []int // indexes of files (oldest = 0) that must be gone
	}{
		{"under all limits", Options{}, 5, 1000, now.Add(-time.Hour), time.Minute, 0, 5, nil},
		{"ttl removes expired", Options{TTL: time.Hour}, 4, 1000, now.Add(-3 * time.Hour), time.Hour, 2, 2, []int{0, 1}},
		{"count keeps newest", Options{MaxFiles: 3}, 5, 1000, now.Add(-time.Hour), time.Minute, 2, 3, []int{0, 1}},
		{"size keeps newest", Options{MaxSizeMB: 0.25}, 4, 100 * 1024, now.Add(-time.Hour), time.Minute, 2, 2, []int{0, 1}},
		{"negative means unlimited", Options{MaxFiles: -1, MaxSizeMB: -1, TTL: -1}, 6, 1000, now.Add(-1000 * time.Hour), time.Minute, 0, 6, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Now = clock
			c := mustOpen(t, t.TempDir(), o, nil)
			names := fill(t, c, "v_", tt.n, tt.size, tt.start, tt.step)
			res, err := c.Cleanup()
			if err != nil {
				t.Fatal(err)
			}
			if !res.Success || res.CleanedFiles != tt.wantCleaned || res.RemainingFiles != tt.wantLeft {
				t.Fatalf("Cleanup = %+v, want cleaned %d remaining %d", res, tt.wantCleaned, tt.wantLeft)
			}
			for _, i := range tt.wantGone {
				if _, err := os.Stat(c.Path(names[i])); !os.IsNotExist(err) {
					t.Errorf("file %d (%s) should be gone", i, names[i])
				}
			}
			st, err := c.Status()
			if err != nil {
				t.Fatal(err)
			}
			if st.TotalFiles != tt.wantLeft {
				t.Errorf("Status.TotalFiles = %d, want %d", st.TotalFiles, tt.wantLeft)
			}
		})
	}
}

func TestStatusShapeAndRuntimeLimits(t *testing.T) {
	now := time.Now()
	c := mustOpen(t, t.TempDir(), Options{Now: func() time.Time { return now }}, nil)
	fill(t, c, "v_", 3, 512*1024, now.Add(-time.Minute), time.Second)
	fill(t, c, "preview_v_", 1, 512*1024, now.Add(-time.Minute), time.Second)
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(st)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"total_files", "preview_files", "total_size_mb", "max_size_mb", "cache_utilization", "needs_cleanup", "config"} {
		if _, ok := m[k]; !ok {
			t.Errorf("status JSON lacks %q: %s", k, b)
		}
	}
	cfg, _ := m["config"].(map[string]any)
	for _, k := range []string{"max_size_mb", "max_files", "ttl_hours", "cleanup_threshold"} {
		if _, ok := cfg[k]; !ok {
			t.Errorf("config lacks %q: %s", k, b)
		}
	}
	if st.TotalFiles != 4 || st.PreviewFiles != 1 || st.TotalSizeMB != 2 || st.MaxSizeMB != 50 ||
		st.CacheUtilization != 4 || st.NeedsCleanup || st.Config.TTLHours != 72 || st.Config.MaxFiles != 100 {
		t.Fatalf("status = %s", b)
	}
	// Limits change at run time: 4 files of a 4-file cap is above 80 %.
	c.SetOptions(Options{MaxFiles: 4, Now: func() time.Time { return now }})
	if !c.NeedsCleanup() {
		t.Fatal("NeedsCleanup false after lowering MaxFiles to 4")
	}
	c.SetOptions(Options{MaxFiles: 2, Now: func() time.Time { return now }})
	res, err := c.Cleanup()
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(res)
	if string(b) != `{"success":true,"cleaned_files":2,"size_freed_mb":1,"remaining_files":2,"remaining_size_mb":1}` {
		t.Fatalf("cleanup JSON = %s", b)
	}
}

func TestGetRefreshesAge(t *testing.T) {
	now := time.Now()
	c := mustOpen(t, t.TempDir(), Options{TTL: time.Hour, Now: func() time.Time { return now }}, nil)
	names := fill(t, c, "v_", 2, 100, now.Add(-2*time.Hour), 0)
	if _, ok, _ := c.Get(names[0]); !ok {
		t.Fatal("miss")
	}
	res, _ := c.Cleanup()
	if res.CleanedFiles != 1 {
		t.Fatalf("cleaned %d, want 1 (the played file must survive)", res.CleanedFiles)
	}
	if _, ok, _ := c.Get(names[0]); !ok {
		t.Fatal("played file was removed")
	}
}

func TestRemoveVideo(t *testing.T) {
	idx := &memIndex{}
	c := mustOpen(t, t.TempDir(), Options{}, idx)
	for _, n := range []string{"v_1.mp3", "v_2.mp3", "v_3.mp3"} {
		if err := c.Put(n, mp3(100, 1)); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.Link("vidA", "v_1.mp3")
	_ = c.Link("vidA", "v_2.mp3")
	_ = c.Link("vidB", "v_3.mp3")
	_ = idx.AddAudio("vidA", "../../etc/passwd.mp3") // hostile entry is ignored
	_ = idx.AddAudio("vidA", "v_gone.mp3")           // already cleaned up
	if err := c.RemoveVideo("vidA"); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]bool{"v_1.mp3": false, "v_2.mp3": false, "v_3.mp3": true} {
		if _, ok, _ := c.Get(n); ok != want {
			t.Errorf("%s present=%v want %v", n, ok, want)
		}
	}
	if f, _ := idx.AudioFiles("vidA"); len(f) != 0 {
		t.Fatalf("index still lists %v", f)
	}
	// Without an index it is a no-op.
	if err := mustOpen(t, t.TempDir(), Options{}, nil).RemoveVideo("x"); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentPutGet(t *testing.T) {
	c := mustOpen(t, t.TempDir(), Options{}, nil)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := Key("v", string(rune('a'+i%3))) + ".mp3"
			data := mp3(2000, byte(i%3))
			for j := 0; j < 20; j++ {
				if err := c.Put(name, data); err != nil {
					t.Error(err)
					return
				}
				if got, ok, err := c.Get(name); err != nil || (ok && !bytes.Equal(got, data)) {
					t.Errorf("Get: ok=%v err=%v", ok, err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
}

// The cache folder Open creates is private (0700), like the rest of the
// data folder: what the user listened to is nobody else's business.
func TestOpenCreatesAPrivateFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes")
	}
	dir := filepath.Join(t.TempDir(), "audio")
	mustOpen(t, dir, Options{}, nil)
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("audio folder: %v %v, want mode 0700", fi.Mode().Perm(), err)
	}
}
