package local

import (
	"context"
	"errors"
	"fmt"
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

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   []ytsum.Segment
		want []Sentence
	}{
		{name: "punctuated across captions", in: segs("Hello there. This is", "a test! Is it? Dr. Smith", "agrees."),
			want: []Sentence{{0, "Hello there."}, {0, "This is a test!"}, {5, "Is it?"}, {5, "Dr. Smith agrees."}}},
		{name: "caption noise dropped", in: segs("[Music]", ">> So we start. [Applause]", "♪ la la ♪"),
			want: []Sentence{{5, "So we start."}, {10, "la la"}}},
		{name: "no punctuation: cut at caption boundary after 25 words", in: segs(
			strings.Repeat("word ", 20), strings.Repeat("more ", 10), "tail end"),
			want: []Sentence{{0, strings.TrimSpace(strings.Repeat("word ", 20) + strings.Repeat("more ", 10))}, {10, "tail end"}}},
		{name: "CJK terminators", in: segs("今日は電池の話です。熱が敵です！"),
			want: []Sentence{{0, "今日は電池の話です。熱が敵です！"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.in)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("Split =\n%v\nwant\n%v", got, tt.want)
			}
		})
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
	got := Summarize(topical(), 4)
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
		{"audio", "medium", func(t *testing.T, text string, lines []string) {
			if !strings.HasPrefix(text, "[00:") {
				t.Fatalf("no timestamp: %q", text)
			}
		}},
		{"chapters", "long", func(t *testing.T, text string, lines []string) {
			if strings.Count(text, "\n\n") < 1 || !strings.HasPrefix(text, "[00:00] ") {
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
