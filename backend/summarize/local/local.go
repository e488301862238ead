// Package local is the summarize provider that needs no key and no network:
// a pure-Go extractive summarizer. It splits the transcript into sentences,
// scores each by its centrality — the sum of its TF-IDF cosine similarity to
// every other sentence (degree centrality, as in LexRank, computed in linear
// time through the sum of the unit vectors) — picks the most central ones
// while skipping near-duplicates, and returns them in transcript order with
// their [mm:ss] timestamps.
//
// Caveats: it copies sentences, so its output is in the transcript's language
// whatever language was asked for, and it cannot read video. Auto-generated
// captions without punctuation are cut into pseudo-sentences of about 25
// words at caption boundaries.
package local

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

// Model is the model key of the local summarizer.
const Model = "local"

// Provider is the extractive provider. The zero value is ready; it is safe
// for concurrent use (it keeps no state).
type Provider struct{}

// New returns a Provider.
func New() *Provider { return &Provider{} }

// Name returns llm.ProviderLocal.
func (*Provider) Name() string { return llm.ProviderLocal }

// Sentence is one sentence of a transcript with the start time, in seconds,
// of the caption it begins in.
type Sentence struct {
	Start float64
	Text  string
}

// Stream summarizes req.Segments in the shape of req.Style and req.Length and
// calls onDelta (when non-nil) with each line as it is written. It fails with
// KindNoTranscript when there is no text and KindCancelled when ctx ends.
func (p *Provider) Stream(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
	if req.VideoURL != "" || len(req.Segments) == 0 {
		return llm.Response{}, ytsum.Errorf(ytsum.CodeNotFound, llm.KindNoTranscript,
			"This video has no usable transcript, and the local summarizer needs one; choose a Gemini model to summarize it from the video itself.")
	}
	sents := Split(req.Segments)
	if len(sents) == 0 {
		return llm.Response{}, ytsum.Errorf(ytsum.CodeNotFound, llm.KindNoTranscript,
			"This video's transcript has no text to summarize.")
	}
	n := Count(req.Length, len(sents))
	scored := score(ctx, sents)
	if e := llm.Cancelled(ctx); e != nil {
		return llm.Response{}, e
	}
	picked := scored.pick(n)
	lines := format(req.Style, sents, picked, scored)
	var b strings.Builder
	for _, l := range lines {
		if e := llm.Cancelled(ctx); e != nil {
			return llm.Response{}, e
		}
		b.WriteString(l)
		if onDelta != nil {
			onDelta(l)
		}
	}
	return llm.Response{Text: strings.TrimRight(b.String(), "\n"), Model: Model, FinishReason: "stop"}, nil
}

// Summarize returns the n most central sentences of segs in transcript order.
func Summarize(segs []ytsum.Segment, n int) []Sentence {
	sents := Split(segs)
	if len(sents) == 0 {
		return nil
	}
	sc := score(context.Background(), sents)
	idx := sc.pick(n)
	out := make([]Sentence, len(idx))
	for i, k := range idx {
		out[i] = sents[k]
	}
	return out
}

// Count returns how many sentences a summary of the given length ("short",
// "medium", "long"; anything else counts as medium) keeps out of total: a
// base of 5, 10 or 20 that grows slowly with the transcript, at most twice
// the base, never more than total.
func Count(length string, total int) int {
	base := 10
	switch length {
	case "short":
		base = 5
	case "long":
		base = 20
	}
	n := base + total/150
	if n > 2*base {
		n = 2 * base
	}
	if n > total {
		n = total
	}
	return n
}

const (
	softWords = 25 // close a pseudo-sentence at a caption boundary after this many words
	hardWords = 60 // close a sentence inside a caption after this many words
)

var abbreviations = map[string]bool{"mr.": true, "mrs.": true, "ms.": true, "dr.": true, "prof.": true, "st.": true,
	"vs.": true, "etc.": true, "e.g.": true, "i.e.": true, "jr.": true, "sr.": true, "no.": true, "approx.": true}

// Split cuts the transcript into sentences: at ., !, ?, … and their CJK
// forms, at caption boundaries once a sentence is long (for captions without
// punctuation), and inside a caption when a sentence runs very long. Caption
// noise such as [Music] and >> speaker marks is dropped.
func Split(segs []ytsum.Segment) []Sentence {
	var (
		out   []Sentence
		words []string
		start float64
	)
	flush := func() {
		if len(words) > 0 {
			out = append(out, Sentence{Start: start, Text: strings.Join(words, " ")})
			words = words[:0]
		}
	}
	for _, s := range segs {
		for _, w := range strings.Fields(clean(s.Text)) {
			if len(words) == 0 {
				start = s.Start
			}
			words = append(words, w)
			if endsSentence(w) || len(words) >= hardWords {
				flush()
			}
		}
		if len(words) >= softWords {
			flush()
		}
	}
	flush()
	return out
}

// clean drops bracketed caption noise ([Music], [Applause]), ♪ and >> marks.
func clean(t string) string {
	if !strings.ContainsAny(t, "[♪>") {
		return t
	}
	var b strings.Builder
	depth := 0
	for _, r := range t {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
			b.WriteByte(' ')
		case depth > 0, r == '♪':
		default:
			b.WriteRune(r)
		}
	}
	return strings.ReplaceAll(b.String(), ">>", " ")
}

func endsSentence(w string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(w, "\"'”’)»"))
	switch r {
	case '.':
		return !abbreviations[strings.ToLower(w)]
	case '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

// scores holds each sentence's unit TF-IDF vector and centrality.
type scores struct {
	vecs  [][]term
	score []float64
}

type term struct {
	id int32
	w  float64
}

func score(ctx context.Context, sents []Sentence) *scores {
	vocab := make(map[string]int32, 4096)
	docs := make([][]term, len(sents))
	var df []int32
	counts := make(map[int32]int, 64)
	for i, s := range sents {
		if i%256 == 0 && ctx.Err() != nil {
			return &scores{vecs: docs, score: make([]float64, len(sents))}
		}
		clear(counts)
		eachToken(s.Text, func(tok string) {
			id, ok := vocab[tok]
			if !ok {
				id = int32(len(vocab))
				vocab[tok] = id
				df = append(df, 0)
			}
			if counts[id] == 0 {
				df[id]++
			}
			counts[id]++
		})
		v := make([]term, 0, len(counts))
		for id, c := range counts {
			v = append(v, term{id: id, w: 1 + math.Log(float64(c))})
		}
		sort.Slice(v, func(a, b int) bool { return v[a].id < v[b].id })
		docs[i] = v
	}
	n := float64(len(sents))
	sum := make([]float64, len(vocab))
	for _, v := range docs {
		norm := 0.0
		for k := range v {
			v[k].w *= math.Log(1 + n/float64(df[v[k].id]))
			norm += v[k].w * v[k].w
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		for k := range v {
			v[k].w /= norm
			sum[v[k].id] += v[k].w
		}
	}
	sc := make([]float64, len(sents))
	for i, v := range docs {
		dot := 0.0
		for _, t := range v {
			dot += t.w * sum[t.id]
		}
		if len(v) > 0 {
			dot-- // its similarity to itself
		}
		// Fragments ("Okay.", "Right, so.") say little on their own.
		if w := len(strings.Fields(sents[i].Text)); w < 8 {
			dot *= float64(w) / 8
		}
		sc[i] = dot
	}
	return &scores{vecs: docs, score: sc}
}

// pick returns the indices of up to n top-scoring sentences in transcript
// order, skipping any too similar (cosine > 0.5) to one already picked.
func (s *scores) pick(n int) []int {
	order := make([]int, len(s.score))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return s.score[order[a]] > s.score[order[b]] })
	var picked []int
	for _, i := range order {
		if len(picked) == n {
			break
		}
		if len(s.vecs[i]) == 0 {
			continue
		}
		dup := false
		for _, j := range picked {
			if cosine(s.vecs[i], s.vecs[j]) > 0.5 {
				dup = true
				break
			}
		}
		if !dup {
			picked = append(picked, i)
		}
	}
	sort.Ints(picked)
	return picked
}

func cosine(a, b []term) float64 {
	dot := 0.0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].id == b[j].id:
			dot += a[i].w * b[j].w
			i++
			j++
		case a[i].id < b[j].id:
			i++
		default:
			j++
		}
	}
	return dot
}

// eachToken calls f with each lower-cased content word of text; runs of CJK
// characters, which have no spaces, become character bigrams.
func eachToken(text string, f func(string)) {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' }) {
		w = strings.Trim(w, "'")
		if w == "" {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(w); isCJK(r) {
			rs := []rune(w)
			if len(rs) == 1 {
				f(w)
			}
			for i := 0; i+1 < len(rs); i++ {
				f(string(rs[i : i+2]))
			}
			continue
		}
		w = strings.ToLower(w)
		if utf8.RuneCountInString(w) < 3 || stopwords[w] {
			continue
		}
		f(w)
	}
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`the and for are but not you all any can had her was one our out has him his how its
		may new now old see two way who did get got let put say she too use that this with have from they will would there their what
		about which when make like time just know take into year your some could them than then look only come over think also back
		after work first well even want because these give most very been were said each does doing done being here where why yes yeah
		okay gonna wanna kind sort really actually basically thing things stuff going right just lot lots much many more other such
		should those through while before again further once both few own same off down under until above below between during
		into onto upon i'm it's that's don't can't won't didn't doesn't isn't aren't we're they're you're i've we've you've
		i'll we'll you'll he's she's there's what's let's um uh hmm mhm`) {
		m[w] = true
	}
	return m
}()

// format renders the picked sentences for a style, one line per delta.
func format(style string, sents []Sentence, picked []int, sc *scores) []string {
	var lines []string
	switch style {
	case "key_points":
		for _, i := range picked {
			lines = append(lines, "- ["+ytsum.Timestamp(sents[i].Start)+"] "+sents[i].Text+"\n")
		}
	case "chapters":
		lines = chapters(sents, picked, sc)
	default:
		for _, i := range picked {
			lines = append(lines, "["+ytsum.Timestamp(sents[i].Start)+"] "+sents[i].Text+"\n")
		}
	}
	return lines
}

// chapters cuts the transcript into equal parts (2 to 8, about one per three
// picked sentences), heads each with its start time and its most central
// sentence's leading words, and lists the picked sentences beneath.
func chapters(sents []Sentence, picked []int, sc *scores) []string {
	k := len(picked) / 3
	if k < 2 {
		k = 2
	}
	if k > 8 {
		k = 8
	}
	if k > len(sents) {
		k = len(sents)
	}
	var lines []string
	p := 0
	for c := 0; c < k; c++ {
		lo, hi := c*len(sents)/k, (c+1)*len(sents)/k
		best := lo
		for i := lo; i < hi; i++ {
			if sc.score[i] > sc.score[best] {
				best = i
			}
		}
		if c > 0 {
			lines = append(lines, "\n")
		}
		lines = append(lines, "["+ytsum.Timestamp(sents[lo].Start)+"] "+headline(sents[best].Text)+"\n")
		for p < len(picked) && picked[p] < hi {
			i := picked[p]
			lines = append(lines, "- ["+ytsum.Timestamp(sents[i].Start)+"] "+sents[i].Text+"\n")
			p++
		}
	}
	return lines
}

// headline returns the first words of a sentence as a title.
func headline(s string) string {
	w := strings.Fields(s)
	if len(w) > 8 {
		return strings.Join(w[:8], " ") + "…"
	}
	return strings.TrimRight(s, ".!?")
}
