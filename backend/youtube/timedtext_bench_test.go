package youtube

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// benchBodies builds an hour of captions (1,800 lines) in each format.
func benchBodies() map[string][]byte {
	const n = 1800
	var classic, srv3 strings.Builder
	classic.WriteString(`<?xml version="1.0" encoding="utf-8" ?><transcript>`)
	srv3.WriteString(`<?xml version="1.0" encoding="utf-8" ?><timedtext format="3"><body>`)
	events := make([]any, 0, n)
	for i := 0; i < n; i++ {
		start := float64(i) * 2
		fmt.Fprintf(&classic, `<text start="%.2f" dur="2.1">line %d: I&amp;#39;m saying &lt;i&gt;something&lt;/i&gt; here</text>`, start, i)
		fmt.Fprintf(&srv3, `<p t="%d" d="2100"><s ac="0">line</s><s t="200"> %d:</s><s t="400"> I&amp;#39;m</s><s t="600"> saying</s><s t="800"> something</s><s t="900"> here</s></p>`, int(start*1000), i)
		events = append(events, map[string]any{"tStartMs": int(start * 1000), "dDurationMs": 2100,
			"segs": []any{map[string]any{"utf8": "line"}, map[string]any{"utf8": fmt.Sprintf(" %d:", i)},
				map[string]any{"utf8": " I'm saying something here"}}})
	}
	classic.WriteString(`</transcript>`)
	srv3.WriteString(`</body></timedtext>`)
	j, _ := json.Marshal(map[string]any{"wireMagic": "pb3", "events": events})
	return map[string][]byte{"classic": []byte(classic.String()), "srv3": []byte(srv3.String()), "json3": j}
}

// BenchmarkParseTimedText: run with
// go test -run '^$' -bench ParseTimedText -benchmem ./backend/youtube/
func BenchmarkParseTimedText(b *testing.B) {
	for _, name := range []string{"classic", "srv3", "json3"} {
		body := benchBodies()[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				segs, err := ParseTimedText(body)
				if err != nil || len(segs) != 1800 {
					b.Fatalf("%d segments, %v", len(segs), err)
				}
			}
		})
	}
}

// BenchmarkParse measures the URL parser on a typical pasted link.
func BenchmarkParse(b *testing.B) {
	in := "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf&index=3&t=1m30s"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractLinks measures link extraction on a 100-line paste.
func BenchmarkExtractLinks(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&sb, "Talk %d: https://youtu.be/dQw4w9WgX%02d?si=abc — worth it\n", i, i)
	}
	text := sb.String()
	b.ReportAllocs()
	for b.Loop() {
		if got := ExtractLinks(text); len(got) != 100 {
			b.Fatalf("%d links", len(got))
		}
	}
}
