package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"ytsum/backend/library"
	"ytsum/backend/store"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

func TestRunUsageErrors(t *testing.T) {
	t.Setenv("YTSUM_DATA_DIR", t.TempDir())
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"summarize without links", []string{"summarize"}, 2, "give at least one YouTube link"},
		{"summarize unknown flag", []string{"summarize", "--bogus", "x"}, 2, "flag provided but not defined: -bogus"},
		{"summarize flag without value", []string{"summarize", "--model"}, 2, "flag needs an argument"},
		{"summarize trailing flag without value", []string{"summarize", "https://youtu.be/dQw4w9WgXcQ", "--model"}, 2, "flag needs an argument: --model"},
		{"serve stray argument", []string{"serve", "extra"}, 2, `unexpected argument "extra"`},
		{"serve unknown flag", []string{"serve", "--port", "1"}, 2, "flag provided but not defined: -port"},
		{"serve malformed address", []string{"serve", "--addr", "nonsense"}, 2, `The address "nonsense" is not host:port`},
		{"import without path", []string{"import"}, 2, "give the path"},
		{"desktop unknown flag", []string{"--nope"}, 2, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tt.args, &out, &errb)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errb.String())
			}
			if !strings.Contains(errb.String(), tt.wantErr) {
				t.Fatalf("stderr %q does not contain %q", errb.String(), tt.wantErr)
			}
			if first := strings.SplitN(errb.String(), "\n", 2)[0]; !strings.HasPrefix(first, "ytsum: ") {
				t.Fatalf("first stderr line %q is not a one-line explanation", first)
			}
		})
	}
}

func TestRunHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"summarize", "-h"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		if !strings.Contains(out.String(), "ytsum serve") {
			t.Fatalf("%v: usage missing: %q", args, out.String())
		}
	}
	var out bytes.Buffer
	if code := run([]string{"version"}, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "ytsum ") {
		t.Fatalf("version: exit %d, %q", code, out.String())
	}
}

func TestDesktopWithoutDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the display check is Linux-only")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	var out, errb bytes.Buffer
	code := run(nil, &out, &errb)
	if code == 0 {
		t.Fatal("exit 0 without a display")
	}
	if !strings.Contains(errb.String(), "no display found") || strings.Count(errb.String(), "\n") != 1 {
		t.Fatalf("want one line explaining the missing display, got %q", errb.String())
	}
}

func TestInterleave(t *testing.T) {
	got, err := interleave([]string{"URL1", "--json", "--model", "gpt-4o", "URL2", "--", "--weird"}, "json")
	want := []string{"--json", "--model", "gpt-4o", "URL1", "URL2", "--weird"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
}

func TestLinksFromArgs(t *testing.T) {
	got := linksFromArgs([]string{
		"--http", "127.0.0.1:5001", // flags and their values are not links
		"https://youtu.be/dQw4w9WgXcQ",
		"ytsum://www.youtube.com/watch?v=dQw4w9WgXcQ",
		"ytsum://summarize?url=https%3A%2F%2Fwww.youtube.com%2Fplaylist%3Flist%3DPL123",
	})
	want := []string{
		"https://youtu.be/dQw4w9WgXcQ",
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		"https://www.youtube.com/playlist?list=PL123",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestJobSentence(t *testing.T) {
	msg := "This video is private, so only its owner can watch it."
	j := &ytsum.Job{Status: ytsum.JobCompleted, Progress: 2, TotalItems: 2,
		Results: []ytsum.Result{{Type: ytsum.ResultVideo}, {Type: ytsum.ResultVideo, Error: &msg}}}
	if got := jobSentence(j); got != "Finished 2 videos; 1 could not be summarized." {
		t.Fatalf("got %q", got)
	}
	j.Status = ytsum.JobCancelled
	if got := jobSentence(j); !strings.HasPrefix(got, "Cancelled after 2 of 2") {
		t.Fatalf("got %q", got)
	}
}

func TestLoadGeometry(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/window.json"
	if g := loadGeometry(path); g.Width != 1200 || g.Height != 820 || g.X != nil {
		t.Fatalf("without a file: %+v", g)
	}
	for _, c := range []struct {
		json       string
		w, h       int
		remembered bool
	}{
		{`{"width":1400,"height":900,"x":10,"y":20}`, 1400, 900, true},
		{`{"width":300,"height":200}`, 1200, 820, false}, // smaller than the minimum window: ignored
		{`not json`, 1200, 820, false},
	} {
		if err := os.WriteFile(path, []byte(c.json), 0o600); err != nil {
			t.Fatal(err)
		}
		g := loadGeometry(path)
		if g.Width != c.w || g.Height != c.h || (g.X != nil) != c.remembered {
			t.Fatalf("%s: %+v", c.json, g)
		}
	}
}

// `ytsum import` of more summaries than a search indexes itself says the
// index is still taking them in, waits for it, and leaves nothing queued.
func TestImportCommandWaitsForTheIndex(t *testing.T) {
	data := t.TempDir()
	t.Setenv("YTSUM_DATA_DIR", data)
	src := t.TempDir()
	var b strings.Builder
	b.WriteString("{")
	const n = 400
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"v%010d": {"title": "Video %d", "summary": "About wombats %d.", "summarized_at": "2025-01-01T00:00:00"}`, i, i, i)
	}
	b.WriteString("}")
	if err := os.WriteFile(filepath.Join(src, library.OriginalCacheFile), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"import", src}, &out, &errb); code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("%d added", n)) || !strings.Contains(out.String(), fmt.Sprintf("still taking in %d summaries", n)) ||
		!strings.Contains(errb.String(), "Search finds them all now.") {
		t.Fatalf("stdout %q\nstderr %q", out.String(), errb.String())
	}
	db, err := store.Open(filepath.Join(data, store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if p, err := db.PendingCount(); p != 0 || err != nil {
		t.Errorf("after ytsum import %d summaries still queued for the index (%v)", p, err)
	}
}

// Ensure the finish notification counts failed videos from the whole job:
// the job event it starts from carries no results (API.md §7), so it said
// "Finished: 4 of 4 videos summarized" with a private video among them.
func TestFinishedSentenceReadsTheWholeJob(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	app := NewApp(context.Background(), r.svc, nil)
	var acc struct {
		JobID string `json:"job_id"`
	}
	r.mustJSON("POST", "/summarize_async", map[string]any{"urls": []string{youtubetest.PlaylistURL(youtubetest.PlaylistID)}}, 202, &acc)
	var done ytsum.Job
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r.mustJSON("GET", "/jobs/"+acc.JobID, nil, 200, &done)
		if done.Status.Terminal() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job not finished: %+v", done)
		}
	}
	var event ytsum.Job // what the window's job event carries
	if err := json.Unmarshal(ytsum.JobDeltaJSON(&done, len(done.Results)), &event); err != nil || event.Results != nil {
		t.Fatalf("delta event: %+v %v", event, err)
	}
	got := app.finishedSentence(context.Background(), &event)
	if !strings.Contains(got, "1 could not be summarized") {
		t.Errorf("sentence from the job event = %q, want the private video counted", got)
	}
}
