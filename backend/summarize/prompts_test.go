package summarize

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ytsum/backend/ytsum"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current prompts")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs from %s (run go test -update if the change is intended):\n%s", name, path, got)
	}
}

func TestPromptsGolden(t *testing.T) {
	video := ytsum.Video{ID: "dQw4w9WgXcQ", Title: "How batteries work", Channel: "Volts", DurationSeconds: 754}
	tr := formatTranscript([]ytsum.Segment{
		{Start: 0, Duration: 3, Text: "Welcome back to the channel."},
		{Start: 3, Duration: 4, Text: "Today we look at\nlithium cells."},
		{Start: 35, Duration: 5, Text: "The anode stores lithium ions."},
		{Start: 61, Duration: 5, Text: "Heat is the enemy of every battery."},
	})
	notes := "[00:00] note on part 1\n[06:10] note on part 2"
	opts := func(style, length, lang string) ytsum.SummaryOptions {
		return ytsum.SummaryOptions{Model: "gemini-2.5-flash", Style: style, Length: length, Language: lang}
	}
	tests := []struct {
		name   string
		o      ytsum.SummaryOptions
		input  string
		text   string
		custom string
	}{
		{name: "audio_medium_en", o: opts("audio", "medium", "en"), input: "transcript", text: tr},
		{name: "audio_short_same", o: opts("audio", "short", "same"), input: "transcript", text: tr},
		{name: "audio_long_de", o: opts("audio", "long", "de"), input: "transcript", text: tr},
		{name: "key_points_medium_ptbr", o: opts("key_points", "medium", "pt-BR"), input: "transcript", text: tr},
		{name: "key_points_long_video", o: opts("key_points", "long", "en"), input: "video"},
		{name: "chapters_short_en", o: opts("chapters", "short", "en"), input: "transcript", text: tr},
		{name: "chapters_long_notes", o: opts("chapters", "long", "en"), input: "notes", text: notes},
		{name: "detailed_medium_ja", o: opts("detailed", "medium", "ja"), input: "transcript", text: tr},
		{name: "custom_with_transcript", o: opts("custom", "medium", "en"), input: "transcript", text: tr,
			custom: "Summarize \"{{.Title}}\" by {{.Channel}} in {{.LanguageName}} as a haiku.\n\n{{.Transcript}}"},
		{name: "custom_style_only", o: opts("custom", "short", "same"), input: "transcript", text: tr,
			custom: "List every product mentioned in the video, one per line."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := finalPrompt(newPromptData(video, tt.o), tt.input, tt.text, tt.custom)
			if err != nil {
				t.Fatal(err)
			}
			if tt.o.Style == "audio" && strings.ContainsAny(got[:strings.Index(got, "Transcript:")], "*#") {
				t.Fatal("the audio prompt itself uses Markdown")
			}
			golden(t, tt.name, got+"\n")
		})
	}
	t.Run("system", func(t *testing.T) { golden(t, "system", systemPrompt+"\n") })
	t.Run("map", func(t *testing.T) {
		d := newPromptData(video, opts("audio", "medium", "en"))
		d.Input, d.Transcript, d.Part, d.Parts, d.From, d.To, d.NoteWords = "transcript", tr, 2, 5, "02:30", "05:00", 120
		got, err := render("map.tmpl", d)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "map_transcript", got+"\n")
		d.Input = "video"
		got, err = render("map.tmpl", d)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "map_video", got+"\n")
	})
	t.Run("combine", func(t *testing.T) {
		d := newPromptData(video, opts("audio", "medium", "same"))
		d.Transcript, d.From, d.To, d.NoteWords = notes, "00:00", "12:34", 300
		got, err := render("combine.tmpl", d)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "combine", got+"\n")
	})
}

func TestPromptVersion(t *testing.T) {
	if !strings.HasPrefix(PromptVersion, promptRevision+"-") || len(PromptVersion) != len(promptRevision)+9 {
		t.Fatalf("PromptVersion = %q", PromptVersion)
	}
}

func TestFormatTranscript(t *testing.T) {
	got := formatTranscript([]ytsum.Segment{{Start: 0, Text: "a"}, {Start: 10, Text: " "}, {Start: 29, Text: "b"},
		{Start: 31, Text: "c  d"}, {Start: 3700, Text: "e"}})
	want := "[00:00] a b\n[00:31] c d\n[1:01:40] e"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSplitSegments(t *testing.T) {
	tr := transcript(5000)
	for _, budget := range []int{60, 500, 3000, 100_000} {
		cs := splitSegments(tr.Segments, budget)
		n := 0
		for i, c := range cs {
			if len(c.segs) == 0 {
				t.Fatalf("budget %d: empty chunk %d", budget, i)
			}
			if est := EstimateTokens(formatTranscript(c.segs)); est > budget*11/10+20 {
				t.Fatalf("budget %d: chunk %d estimated at %d", budget, i, est)
			}
			if c.segs[0].Start != tr.Segments[n].Start {
				t.Fatalf("budget %d: chunk %d starts at %v, want %v", budget, i, c.segs[0].Start, tr.Segments[n].Start)
			}
			n += len(c.segs)
		}
		if n != len(tr.Segments) {
			t.Fatalf("budget %d: %d of %d segments in chunks", budget, n, len(tr.Segments))
		}
	}
	// One huge caption is split by words.
	huge := []ytsum.Segment{{Start: 0, Duration: 600, Text: strings.Repeat("word ", 4000)}}
	cs := splitSegments(huge, 1000)
	words := 0
	for _, c := range cs {
		words += len(strings.Fields(c.segs[0].Text))
	}
	if len(cs) < 4 || words != 4000 {
		t.Fatalf("huge caption: %d chunks, %d words", len(cs), words)
	}
}

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		text     string
		min, max int
	}{
		{strings.Repeat("hello world ", 1000), 2800, 3600}, // ~3000 tokens by tiktoken
		{strings.Repeat("日本語の文章です。", 100), 900, 3200},
		{"", 0, 1},
	}
	for _, tt := range tests {
		if got := EstimateTokens(tt.text); got < tt.min || got > tt.max {
			t.Errorf("EstimateTokens(%.20q) = %d, want %d..%d", tt.text, got, tt.min, tt.max)
		}
	}
}
