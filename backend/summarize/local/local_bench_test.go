package local

import (
	"context"
	"strings"
	"testing"

	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

// words30k is a 30,000-word auto-generated-style transcript: 3,000 captions
// of 10 words, 4 s apart, a sentence end every fifth caption.
func words30k() []ytsum.Segment {
	vocab := strings.Fields(`the battery charging cells lithium voltage current heat cooling design engineer we
		test measure capacity cycle chemistry anode cathode safety pack module thermal energy power grid solar so and
		really important because when you look at this system every manufacturer wants more range less cost`)
	segs := make([]ytsum.Segment, 0, 3000)
	for i := 0; i < 3000; i++ {
		w := make([]string, 10)
		for j := range w {
			w[j] = vocab[(i*31+j*17+i/7)%len(vocab)]
		}
		text := strings.Join(w, " ")
		if i%5 == 4 {
			text += "."
		}
		segs = append(segs, ytsum.Segment{Start: float64(i * 4), Duration: 4, Text: text})
	}
	return segs
}

// BenchmarkLocal30kWords is the local summarizer on a 30,000-word transcript
// (make bench: go test -run '^$' -bench Local30k -benchmem ./backend/summarize/local/).
func BenchmarkLocal30kWords(b *testing.B) {
	segs := words30k()
	p := New()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Stream(context.Background(), llm.Request{Segments: segs, Style: "key_points", Length: "medium"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
