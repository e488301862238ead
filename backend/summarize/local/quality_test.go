package local

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"ytsum/backend/summarize/llm"
)

// Quality floors, set from the measured figures with a margin (see
// TestQualityReport). A change that drops below one fails the test.
const (
	// Measured 2026-12-07: recall 0.417, ROUGE-1 0.498, ROUGE-2 0.336,
	// ROUGE-L 0.419, boundary hit rate 0.778 (the summarizer before the
	// rewrite: 0.035, 0.233, 0.039, 0.155, 0.198).
	floorRecall   = 0.36
	floorRouge1   = 0.44
	floorRouge2   = 0.28
	floorRougeL   = 0.36
	floorBoundary = 0.65
)

// quality is the mean of the figures over the benchmark set.
type quality struct {
	recall, r1, r2, rl, boundary, precision, headings float64
}

func measure(t testing.TB, set []labelled) quality {
	var q quality
	p := New()
	for _, l := range set {
		req := llm.Request{Segments: l.segs, Style: "key_points", Length: "medium", Language: l.lang}
		resp, err := p.Stream(context.Background(), req, nil)
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		lines := summaryLines(resp.Text)
		q.recall += recall(l.planted, lines)
		ref := tokens(strings.Join(l.planted, " "))
		cand := tokens(strings.Join(lines, " "))
		q.r1 += rougeN(ref, cand, 1)
		q.r2 += rougeN(ref, cand, 2)
		q.rl += rougeL(ref, cand)

		req.Style = "chapters"
		resp, err = p.Stream(context.Background(), req, nil)
		if err != nil {
			t.Fatalf("%s chapters: %v", l.name, err)
		}
		heads := headingTimes(resp.Text)
		q.headings += float64(len(heads))
		q.boundary += boundaryHits(l.chapters, heads, 30)
		if len(heads) > 1 {
			q.precision += boundaryHits(append([]float64{0}, heads[1:]...), l.chapters[1:], 30)
		}
	}
	n := float64(len(set))
	return quality{q.recall / n, q.r1 / n, q.r2 / n, q.rl / n, q.boundary / n, q.precision / n, q.headings / n}
}

// TestQualityReport prints planted-sentence recall, ROUGE-1/2/L (F1) against
// the planted sentences, and the chapter-boundary hit rate within ±30 s, each
// the mean over the 20 labelled synthetic transcripts (make bench), and
// fails below the floors.
func TestQualityReport(t *testing.T) {
	set := benchSet()
	q := measure(t, set)
	t.Logf("local summarizer on %d synthetic transcripts (14 en, 3 de, 3 es): planted recall %.3f, ROUGE-1 %.3f, ROUGE-2 %.3f, ROUGE-L %.3f, chapter boundaries hit ±30 s %.3f, headings on a boundary %.3f (%.1f headings a video, %.1f true)",
		len(set), q.recall, q.r1, q.r2, q.rl, q.boundary, q.precision, q.headings, trueChapters(set))
	for _, c := range []struct {
		name       string
		got, floor float64
	}{{"planted recall", q.recall, floorRecall}, {"ROUGE-1", q.r1, floorRouge1}, {"ROUGE-2", q.r2, floorRouge2},
		{"ROUGE-L", q.rl, floorRougeL}, {"boundary hit rate", q.boundary, floorBoundary}} {
		if c.got < c.floor {
			t.Errorf("%s %.3f is below its floor %.3f", c.name, c.got, c.floor)
		}
	}
}

func trueChapters(set []labelled) float64 {
	n := 0
	for _, l := range set {
		n += len(l.chapters)
	}
	return float64(n) / float64(len(set))
}

var stamp = regexp.MustCompile(`[\[(]\d{1,2}:\d{2}(?::\d{2})?[\])]`)

// summaryLines returns the text lines of a summary without list marks,
// headings' hashes and timestamps.
func summaryLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		l = stamp.ReplaceAllString(l, "")
		l = strings.TrimLeft(strings.TrimSpace(l), "-*#• ")
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// recall is the share of planted sentences that some summary line carries
// (at least 80% of the sentence's words, in order).
func recall(planted, lines []string) float64 {
	if len(planted) == 0 {
		return 0
	}
	hit := 0
	for _, p := range planted {
		pt := tokens(p)
		for _, l := range lines {
			if float64(lcs(pt, tokens(l))) >= 0.8*float64(len(pt)) {
				hit++
				break
			}
		}
	}
	return float64(hit) / float64(len(planted))
}

func ngrams(toks []string, n int) map[string]int {
	m := map[string]int{}
	for i := 0; i+n <= len(toks); i++ {
		m[strings.Join(toks[i:i+n], " ")]++
	}
	return m
}

// rougeN is the ROUGE-N F1 of cand against ref.
func rougeN(ref, cand []string, n int) float64 {
	r, c := ngrams(ref, n), ngrams(cand, n)
	overlap, rn, cn := 0, 0, 0
	for g, k := range r {
		overlap += min(k, c[g])
		rn += k
	}
	for _, k := range c {
		cn += k
	}
	return f1(float64(overlap), float64(rn), float64(cn))
}

// rougeL is the ROUGE-L F1 (longest common subsequence) of cand against ref.
func rougeL(ref, cand []string) float64 {
	return f1(float64(lcs(ref, cand)), float64(len(ref)), float64(len(cand)))
}

func f1(overlap, refN, candN float64) float64 {
	if overlap == 0 || refN == 0 || candN == 0 {
		return 0
	}
	p, r := overlap/candN, overlap/refN
	return 2 * p * r / (p + r)
}

func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var headingStamp = regexp.MustCompile(`^(?:#+\s*)?[\[(]?(\d{1,2}):(\d{2})(?::(\d{2}))?[\])]?`)

// headingTimes returns the start times of a chapters summary's headings:
// its lines that begin with a timestamp (not list items).
func headingTimes(text string) []float64 {
	var out []float64
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		m := headingStamp.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		a, b := atoi(m[1]), atoi(m[2])
		if m[3] != "" {
			out = append(out, float64(a*3600+b*60+atoi(m[3])))
		} else {
			out = append(out, float64(a*60+b))
		}
	}
	return out
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// boundaryHits is the share of chapter starts after the first that a
// heading lies within tol seconds of.
func boundaryHits(truth, heads []float64, tol float64) float64 {
	if len(truth) < 2 {
		return 0
	}
	hit := 0
	for _, c := range truth[1:] {
		for _, h := range heads {
			if h >= c-tol && h <= c+tol {
				hit++
				break
			}
		}
	}
	return float64(hit) / float64(len(truth)-1)
}
