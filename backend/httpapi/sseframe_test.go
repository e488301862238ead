package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ytsum/backend/events"
	"ytsum/backend/ytsum"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// waitTimeout bounds a wait for an event that must come.
const waitTimeout = 10 * time.Second

// mustNext returns the next event of s or fails.
func mustNext(tb testing.TB, s *events.Subscription) ytsum.Event {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	ev, err := s.Next(ctx)
	if err != nil {
		tb.Fatalf("Next: %v", err)
	}
	return ev
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from golden file\n got: %q\nwant: %q", name, got, want)
	}
}

// goldenJob is a running playlist job whose text exercises HTML escaping,
// non-ASCII and line separators.
func goldenJob() *ytsum.Job {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	started := at.Add(100 * time.Millisecond)
	sum := "Key points:\n- <b>Tom & Jerry</b> — “quoted” \u2028 line sep ✓"
	fail := "This video has no captions, so it cannot be summarized."
	return &ytsum.Job{
		ID: "6f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e", Type: ytsum.JobTypeSummarize, Status: ytsum.JobRunning,
		CreatedAt: at, StartedAt: &started, Progress: 2, TotalItems: 3,
		CurrentItem: "https://www.youtube.com/watch?v=cccccccccc3",
		Results: []ytsum.Result{{Type: ytsum.ResultPlaylist, PlaylistID: "PLabc", Title: "A <playlist>",
			Summaries: []ytsum.Result{
				{Type: ytsum.ResultVideo, VideoID: "aaaaaaaaaa1", Title: "One", ThumbnailURL: "https://i.ytimg.com/vi/aaaaaaaaaa1/hqdefault.jpg",
					Summary: &sum, VideoURL: ytsum.WatchURL("aaaaaaaaaa1"), Channel: "Chan", DurationSeconds: 61,
					ModelUsed: "gemini-2.5-flash", SummarizedAt: &started, Source: ytsum.SourceGenerated},
				{Type: ytsum.ResultVideo, VideoID: "bbbbbbbbbb2", Title: "Two", VideoURL: ytsum.WatchURL("bbbbbbbbbb2"),
					Error: &fail, ErrorKind: "no_transcript"},
			}}},
		Metadata: ytsum.JobMetadata{URLs: []string{"https://www.youtube.com/playlist?list=PLabc"}, Model: "gemini-2.5-flash"},
	}
}

// wailsPayload encodes payload the way Wails v2's runtime.EventsEmit does
// (frontend.Notify: json.Marshal of {"name","data":[args...]}) and returns
// the bytes of the first argument as the window receives them.
func wailsPayload(t *testing.T, name string, payload json.RawMessage) []byte {
	t.Helper()
	msg, err := json.Marshal(struct {
		Name string `json:"name"`
		Data []any  `json:"data"`
	}{name, []any{payload}})
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Name string            `json:"name"`
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(msg, &back); err != nil || back.Name != name || len(back.Data) != 1 {
		t.Fatalf("wails message %s: %v", msg, err)
	}
	return back.Data[0]
}

// sseData returns the data of one SSE frame (data lines joined by "\n").
func sseData(t *testing.T, frame []byte) []byte {
	t.Helper()
	var data [][]byte
	for _, line := range bytes.Split(bytes.TrimSuffix(frame, []byte("\n\n")), []byte("\n")) {
		if d, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
			data = append(data, d)
		}
	}
	return bytes.Join(data, []byte("\n"))
}

// Ensure the Wails window and an SSE client receive byte-identical job JSON
// and summary deltas, both equal to the golden files.
func TestWailsAndSSEPayloadsAreTheSameBytes(t *testing.T) {
	job := goldenJob()
	delta, _ := json.Marshal(ytsum.SummaryDelta{JobID: job.ID, VideoID: "cccccccccc3", Delta: "<p>Tom & “Jerry”"})
	tests := []struct {
		name string
		ev   ytsum.Event
	}{
		{"job_event", ytsum.Event{Type: ytsum.EventJob, JobID: job.ID, Data: ytsum.JobJSON(job)}},
		{"delta_event", ytsum.Event{Type: ytsum.EventSummaryDelta, JobID: job.ID, Data: delta}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := events.New(events.Options{})
			defer b.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()

			// The Wails path: a Forward loop as app.go runs it.
			wails := make(chan []byte, 1)
			fwd := b.Subscribe(events.Filter{})
			go fwd.Forward(ctx, func(name string, payload json.RawMessage) {
				if name != tt.ev.Type {
					t.Errorf("event name %q, want %q", name, tt.ev.Type)
				}
				wails <- wailsPayload(t, name, payload)
			})
			// The SSE path: a subscription written with FormatSSE.
			sse := b.Subscribe(events.Filter{JobID: job.ID})
			defer sse.Close()

			b.Publish(tt.ev)
			var frame bytes.Buffer
			if err := formatSSE(&frame, mustNext(t, sse)); err != nil {
				t.Fatal(err)
			}
			var fromWails []byte
			select {
			case fromWails = <-wails:
			case <-time.After(waitTimeout):
				t.Fatal("Wails emit not called")
			}
			fromSSE := sseData(t, frame.Bytes())
			if !bytes.Equal(fromWails, fromSSE) {
				t.Fatalf("payloads differ\nwails: %s\n  sse: %s", fromWails, fromSSE)
			}
			if !bytes.Equal(fromSSE, tt.ev.Data) {
				t.Fatalf("SSE data is not Event.Data\n got: %s\nwant: %s", fromSSE, tt.ev.Data)
			}
			golden(t, tt.name+".sse", frame.Bytes())
			golden(t, tt.name+".wails.json", fromWails)
		})
	}
}

// Ensure FormatSSE writes the frames of API.md §6.
func TestFormatSSE(t *testing.T) {
	tests := []struct {
		name string
		ev   ytsum.Event
		want string
	}{
		{"job", ytsum.Event{Seq: 7, Type: ytsum.EventJob, Data: json.RawMessage(`{"id":"x"}`)},
			"id: 7\ndata: {\"id\":\"x\"}\n\n"},
		{"delta", ytsum.Event{Seq: 8, Type: ytsum.EventSummaryDelta, Data: json.RawMessage(`{"delta":"a"}`)},
			"id: 8\nevent: summary_delta\ndata: {\"delta\":\"a\"}\n\n"},
		{"multi-line data", ytsum.Event{Seq: 9, Type: ytsum.EventJob, Data: json.RawMessage("{\n\"a\":1\r\n}\r")},
			"id: 9\ndata: {\ndata: \"a\":1\ndata: }\ndata: \n\n"},
		{"no data", ytsum.Event{Seq: 10, Type: ytsum.EventJob}, "id: 10\ndata: null\n\n"},
		{"type with newline", ytsum.Event{Seq: 11, Type: "x\nid: 99", Data: json.RawMessage(`1`)},
			"id: 11\nevent: x\ndata: 1\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := formatSSE(&b, tt.ev); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Fatalf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
}

// parseFrame is a minimal SSE parser (the spec's field rules) for the fuzz target.
func parseFrame(frame string) (id uint64, typ, data string, ok bool) {
	var lines []string
	for _, line := range strings.Split(strings.TrimSuffix(frame, "\n\n"), "\n") {
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return 0, "", "", false
			}
			id = n
		case "event":
			typ = value
		case "data":
			lines = append(lines, value)
		default:
			return 0, "", "", false
		}
	}
	if typ == "" {
		typ = "message"
	}
	return id, typ, strings.Join(lines, "\n"), true
}

// FuzzFormatSSE checks that a client parses back the id, type and data of
// every frame, whatever the data holds.
func FuzzFormatSSE(f *testing.F) {
	f.Add(uint64(1), ytsum.EventJob, `{"id":"a"}`)
	f.Add(uint64(2), ytsum.EventSummaryDelta, "a\nb\r\nc\rd")
	f.Fuzz(func(t *testing.T, seq uint64, typ, data string) {
		if typ != ytsum.EventJob && typ != ytsum.EventSummaryDelta {
			typ = ytsum.EventSummaryDelta
		}
		if data == "" {
			data = "null"
		}
		var b bytes.Buffer
		if err := formatSSE(&b, ytsum.Event{Seq: seq, Type: typ, Data: json.RawMessage(data)}); err != nil {
			t.Fatal(err)
		}
		id, gotType, gotData, ok := parseFrame(b.String())
		if !ok || id != seq {
			t.Fatalf("frame %q: id %d ok %v", b.String(), id, ok)
		}
		wantType := typ
		if typ == ytsum.EventJob {
			wantType = "message"
		}
		if gotType != wantType {
			t.Fatalf("type %q, want %q", gotType, wantType)
		}
		norm := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(data)
		if gotData != norm {
			t.Fatalf("data %q, want %q", gotData, norm)
		}
	})
}
