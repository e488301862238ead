package local

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

func segs(texts ...string) []ytsum.Segment {
	out := make([]ytsum.Segment, len(texts))
	for i, t := range texts {
		out[i] = ytsum.Segment{Start: float64(i * 5), Duration: 5, Text: t}
	}
	return out
}

func texts(ss []Sentence) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Text
	}
	return out
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   []ytsum.Segment
		want []string
	}{
		{name: "punctuated across captions", in: segs("Hello there. This is", "a test! Is it? Dr. Smith", "agrees."),
			want: []string{"Hello there.", "This is a test!", "Is it?", "Dr. Smith agrees."}},
		{name: "caption noise dropped, speaker marks break", in: segs("[Music]", ">> So we start. [Applause]", "♪ la la ♪ >> yes"),
			want: []string{"So we start.", "la la", "yes"}},
		{name: "CJK terminators", in: segs("今日は電池の話です。熱が敵です！"),
			want: []string{"今日は電池の話です。熱が敵です！"}},
		{name: "unpunctuated: a pause ends a unit, a caption boundary without one does not", in: []ytsum.Segment{
			{Start: 0, Duration: 2, Text: "so today we are looking at"},
			{Start: 2, Duration: 2, Text: "how lithium cells age over time"},
			{Start: 5, Duration: 2, Text: "the first thing to know is"},
			{Start: 7, Duration: 1.5, Text: "heat makes everything worse"}},
			want: []string{"so today we are looking at how lithium cells age over time", "the first thing to know is heat makes everything worse"}},
		{name: "overlapping durations: pauses from the speaking rate", in: []ytsum.Segment{
			{Start: 0, Duration: 4, Text: "so today we are looking at"},
			{Start: 2, Duration: 4, Text: "how lithium cells age over"},
			{Start: 4, Duration: 4, Text: "time"},
			{Start: 6, Duration: 4, Text: "the first thing to know is"},
			{Start: 8, Duration: 4, Text: "heat makes everything worse"}},
			want: []string{"so today we are looking at how lithium cells age over time", "the first thing to know is heat makes everything worse"}},
		{name: "capitals start units when captions use them", in: []ytsum.Segment{
			{Start: 0, Duration: 2, Text: "Today we look at how lithium"},
			{Start: 2, Duration: 2, Text: "cells age in a hot car and why"},
			{Start: 4, Duration: 2, Text: "heat matters so much for them"},
			{Start: 6, Duration: 2, Text: "The first thing to know is that"},
			{Start: 8, Duration: 2, Text: "everything gets worse above forty degrees"}},
			want: []string{"Today we look at how lithium cells age in a hot car and why heat matters so much for them",
				"The first thing to know is that everything gets worse above forty degrees"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := texts(SplitLang(tt.in, "en"))
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Fatalf("SplitLang =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestSplitLongRunCutsAtBestBreak(t *testing.T) {
	// 50 words in 10 captions with no pause: cut at a caption boundary, and
	// not after a function word.
	var in []ytsum.Segment
	for i := range 10 {
		in = append(in, ytsum.Segment{Start: float64(i) * 2, Duration: 2, Text: "cells heat voltage capacity the"})
	}
	in[4].Text = "cells heat voltage capacity fade"
	got := SplitLang(in, "en")
	if len(got) < 2 {
		t.Fatalf("not cut: %q", texts(got))
	}
	for _, s := range got[:len(got)-1] {
		if n := len(strings.Fields(s.Text)); n > maxWords+1 {
			t.Errorf("unit of %d words: %q", n, s.Text)
		}
		if strings.HasSuffix(s.Text, " the") {
			t.Errorf("unit ends on a function word: %q", s.Text)
		}
	}
}

// topical builds a transcript where sentences about batteries (the topic)
// are interleaved with unrelated one-off filler sentences.
func topical() []ytsum.Segment {
	var texts []string
	topic := []string{
		"Lithium battery cells store energy in the anode and release it through the cathode.",
		"Battery heat damages lithium cells, so cooling the battery pack matters.",
		"Charging a lithium battery too fast creates heat inside the cells.",
		"A battery management system watches every cell voltage and temperature.",
		"Battery capacity fades with each charging cycle of the lithium cells.",
	}
	filler := []string{
		"My cat walked across the keyboard this morning.",
		"Remember to like and subscribe to the channel.",
		"The weather in Lisbon was lovely last spring.",
		"Our sponsor today makes comfortable office chairs.",
		"I once ate a sandwich on a mountain train.",
	}
	for i := range topic {
		texts = append(texts, filler[i], topic[i])
	}
	return segs(texts...)
}

func TestSummarizePicksCentralInOrder(t *testing.T) {
	got := Summarize(t.Context(), topical(), "en", 4)
	if len(got) != 4 {
		t.Fatalf("%d sentences", len(got))
	}
	for i, s := range got {
		if !strings.Contains(strings.ToLower(s.Text), "battery") && !strings.Contains(s.Text, "lithium") {
			t.Errorf("picked filler %q", s.Text)
		}
		if i > 0 && s.Start <= got[i-1].Start {
			t.Errorf("not in transcript order: %v", got)
		}
	}
}

func TestStreamStyles(t *testing.T) {
	tests := []struct {
		style, length string
		check         func(t *testing.T, text string, lines []string)
	}{
		{"key_points", "short", func(t *testing.T, text string, lines []string) {
			for _, l := range lines {
				if !strings.HasPrefix(l, "- [00:") || !strings.HasSuffix(l, "\n") {
					t.Fatalf("bad bullet %q", l)
				}
			}
		}},
		{"audio", "short", func(t *testing.T, text string, lines []string) {
			if strings.Contains(text, "[") || strings.Contains(text, "- ") || strings.Contains(text, "keyboard") {
				t.Fatalf("not flowing sentences: %q", text)
			}
		}},
		{"chapters", "long", func(t *testing.T, text string, lines []string) {
			if !strings.HasPrefix(text, "[00:00] Battery, cells, lithium\n") {
				t.Fatalf("not chapters:\n%s", text)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.style, func(t *testing.T) {
			var lines []string
			resp, err := New().Stream(context.Background(), llm.Request{Segments: topical(), Style: tt.style, Length: tt.length},
				func(d string) { lines = append(lines, d) })
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(lines, "") != resp.Text+"\n" {
				t.Fatalf("deltas do not make the text")
			}
			tt.check(t, resp.Text, lines)
		})
	}
}

func TestStreamErrors(t *testing.T) {
	_, err := New().Stream(context.Background(), llm.Request{}, nil)
	if ytsum.ErrorKind(err) != llm.KindNoTranscript {
		t.Fatalf("no segments: %v", err)
	}
	_, err = New().Stream(context.Background(), llm.Request{Segments: segs("[Music]")}, nil)
	if ytsum.ErrorKind(err) != llm.KindNoTranscript {
		t.Fatalf("only noise: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = New().Stream(ctx, llm.Request{Segments: topical()}, nil)
	if ytsum.ErrorKind(err) != llm.KindCancelled || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		length      string
		total, want int
	}{
		{"short", 3, 3}, {"short", 100, 5}, {"short", 3000, 10}, {"medium", 150, 11}, {"long", 100_000, 40}, {"", 100, 10},
	}
	for _, tt := range tests {
		if got := Count(tt.length, tt.total); got != tt.want {
			t.Errorf("Count(%q, %d) = %d, want %d", tt.length, tt.total, got, tt.want)
		}
	}
}

// TestStylesOnUnpunctuatedCaptions runs every style on automatic-caption-like
// transcripts (no punctuation, lower case) in English and German and checks
// what each style promises.
func TestStylesOnUnpunctuatedCaptions(t *testing.T) {
	set := benchSet()
	for _, l := range []labelled{set[0], set[15]} {
		t.Run(l.lang, func(t *testing.T) {
			a := analyzerFor(l.lang)
			run := func(style, length string) string {
				resp, err := New().Stream(context.Background(), llm.Request{Segments: l.segs, Style: style, Length: length, Language: l.lang}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return resp.Text
			}
			kp := run("key_points", "medium")
			items := strings.Split(kp, "\n")
			if len(items) < 8 {
				t.Fatalf("key_points: %d items", len(items))
			}
			for _, it := range items {
				if !stampedItem.MatchString(it) || !strings.HasSuffix(it, ".") {
					t.Errorf("key_points item %q is not \"- [mm:ss] Sentence.\"", it)
				}
			}

			ch := run("chapters", "medium")
			heads := headingTimes(ch)
			if len(heads) < 3 || boundaryHits(l.chapters, heads, 30) < 0.5 {
				t.Errorf("chapters: headings at %v, topics start at %v:\n%s", heads, l.chapters, ch)
			}
			for _, line := range strings.Split(ch, "\n") {
				if m := headingStamp.FindString(line); m != "" {
					for _, w := range strings.Split(strings.TrimSpace(line[len(m):]), ", ") {
						if isStopword(a, strings.ToLower(w)) {
							t.Errorf("chapter title %q has the function word %q", line, w)
						}
					}
				}
			}
			// Equal slices would put the second heading at a fixed share.
			if total := l.segs[len(l.segs)-1].Start; len(heads) > 1 && int(heads[1]) == int(total/float64(len(heads))) {
				t.Errorf("chapters look like equal slices: %v", heads)
			}

			au := run("audio", "medium")
			if stamp.MatchString(au) || strings.Contains(au, "- ") {
				t.Errorf("audio has times or bullets:\n%s", au)
			}
			de := run("detailed", "medium")
			if len(headingTimes(de)) < 3 || len(tokens(de)) < len(tokens(kp))*14/10 {
				t.Errorf("detailed (%d words) is not a longer sectioned extract than key_points (%d words)", len(tokens(de)), len(tokens(kp)))
			}
		})
	}
}

var stampedItem = regexp.MustCompile(`^- \[\d\d:\d\d\] \p{Lu}`)

// Japanese captions: units join without spaces, end with 。, and chapter
// titles are the start of a unit rather than character pairs.
func TestCJKCaptions(t *testing.T) {
	lines := []string{"今日は電池の話をします", "リチウムイオン電池は熱に弱いです", "充電の速度が大切です", ">> なるほど", "冷却システムを見てみましょう"}
	var in []ytsum.Segment
	for i := range 120 {
		in = append(in, ytsum.Segment{Start: float64(i * 3), Duration: 2.5, Text: lines[i%len(lines)]})
	}
	for _, style := range []string{"key_points", "chapters"} {
		resp, err := New().Stream(context.Background(), llm.Request{Segments: in, Style: style, Language: "ja", Length: "short"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(resp.Text, "\n") {
			if strings.Contains(l, "す リ") || strings.Contains(l, ", ") || strings.HasSuffix(l, "す.") {
				t.Errorf("%s: %q", style, l)
			}
		}
	}
}
