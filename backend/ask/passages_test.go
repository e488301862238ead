package ask

import (
	"strings"
	"testing"

	"ytsum/backend/ytsum"
)

func TestPassagesCoverEveryCaptionInOrder(t *testing.T) {
	asr := synthTranscript("v", 600, 3)
	for i := range asr.Segments { // automatic captions: no punctuation
		asr.Segments[i].Text = strings.TrimSuffix(asr.Segments[i].Text, ".")
	}
	huge := &ytsum.Transcript{VideoID: "h", Segments: []ytsum.Segment{{Start: 0, Duration: 600, Text: strings.Repeat("word ", 1500)}}}
	tests := []struct {
		name             string
		tr               *ytsum.Transcript
		minDur, maxDur   float64
		wantMin, wantMax int
	}{
		{"punctuated 10 minutes", synthTranscript("v", 600, 1), 44, 92, 7, 14},
		{"automatic captions 10 minutes", asr, 59, 65, 9, 11},
		{"one huge caption", huge, 0, 92, 7, 14},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := Passages(tc.tr)
			if len(ps) < tc.wantMin || len(ps) > tc.wantMax {
				t.Fatalf("%d passages, want %d–%d", len(ps), tc.wantMin, tc.wantMax)
			}
			var words []string
			for i, p := range ps {
				if p.Index != i || p.VideoID != tc.tr.VideoID {
					t.Fatalf("passage %d: index %d video %q", i, p.Index, p.VideoID)
				}
				if i > 0 && p.Start < ps[i-1].Start {
					t.Fatalf("passage %d starts before the previous one", i)
				}
				d := p.End - p.Start
				if i < len(ps)-1 && (d < tc.minDur || d > tc.maxDur) {
					t.Errorf("passage %d lasts %.0f s, want %.0f–%.0f", i, d, tc.minDur, tc.maxDur)
				}
				if n := len(strings.Fields(p.Text)); n > maxWords {
					t.Errorf("passage %d has %d words", i, n)
				}
				words = append(words, strings.Fields(p.Text)...)
			}
			if want := strings.Fields(tc.tr.Text()); strings.Join(words, " ") != strings.Join(want, " ") {
				t.Fatalf("passages do not hold the transcript's words in order (%d vs %d words)", len(words), len(want))
			}
		})
	}
	if Passages(nil) != nil || Passages(&ytsum.Transcript{Segments: []ytsum.Segment{{Text: "  "}}}) != nil {
		t.Fatal("no text must give no passages")
	}
}

func TestQuoteAt(t *testing.T) {
	p := Passages(&ytsum.Transcript{VideoID: "v", Segments: []ytsum.Segment{
		{Start: 10, Duration: 5, Text: "First we unpack the box."},
		{Start: 15, Duration: 5, Text: "The battery lasts eleven hours."},
		{Start: 20, Duration: 5, Text: "That is a lot."},
	}})[0]
	if got := p.quoteAt(15); got != "…The battery lasts eleven hours. That is a lot." {
		t.Fatalf("quoteAt(15) = %q", got)
	}
	if got := p.quoteAt(10); !strings.HasPrefix(got, "First we unpack") {
		t.Fatalf("quoteAt(10) = %q", got)
	}
	long := Passages(&ytsum.Transcript{VideoID: "v", Segments: []ytsum.Segment{{Start: 0, Duration: 30, Text: strings.Repeat("lorem ipsum ", 30)}}})[0]
	if q := long.quoteAt(0); len(q) > maxQuote+len("…") || !strings.HasSuffix(q, "…") {
		t.Fatalf("long quote %d bytes: %q", len(q), q)
	}
	if !p.covers(10) || !p.covers(25) || !p.covers(26) || p.covers(9) || p.covers(27) {
		t.Fatal("covers: wrong bounds")
	}
}
