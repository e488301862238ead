package local

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"ytsum/backend/ytsum"
)

// Sentence is one unit of a transcript — a sentence, or for captions without
// punctuation a stretch of speech between natural breaks — with the times,
// in seconds, where it starts and ends.
type Sentence struct {
	Start, End float64
	Text       string
}

// Unit sizes, in words.
const (
	minWords  = 5  // a pause shorter units do not end at
	softWords = 18 // past this, a weaker break (a short pause, a capital) ends a unit
	maxWords  = 36 // past this, the unit is cut at its best break
)

// Break strengths before a word.
const (
	brNone    = 0 // inside a caption
	brCaption = 1 // a caption boundary with no pause
	brWeak    = 2 // a short pause, or a capitalised caption start in captions that use capitals
	brPause   = 3 // a clear pause
	brHard    = 4 // end of a punctuated sentence, or a ">>" speaker change
)

type word struct {
	text  string
	start float64
	br    int // strength of the break before this word
}

var abbreviations = map[string]bool{"mr.": true, "mrs.": true, "ms.": true, "dr.": true, "prof.": true, "st.": true,
	"vs.": true, "etc.": true, "e.g.": true, "i.e.": true, "jr.": true, "sr.": true, "no.": true, "approx.": true}

// Split cuts a transcript into units with the English analyzer; see SplitLang.
func Split(segs []ytsum.Segment) []Sentence { return SplitLang(segs, "en") }

// SplitLang cuts a transcript into units that start and end at natural
// breaks, using the signals captions carry: sentence punctuation (., !, ?, …
// and CJK forms) where there is any; ">>" speaker-change marks; pauses
// between captions (from their start and duration, or from the speaking rate
// when durations overlap, as in automatic captions); and capitalised caption
// starts when the captions use capitals. A unit of at least five words ends
// at a clear pause; one past 18 words ends at any weaker break; one past 36
// words is cut at its strongest break, preferring not to end on a function
// word of lang. Caption noise ([Music], ♪) is dropped.
func SplitLang(segs []ytsum.Segment, lang string) []Sentence {
	words := wordsOf(segs)
	if len(words) == 0 {
		return nil
	}
	a := analyzerFor(lang)
	stops := map[string]bool{}
	stop := func(w string) bool { // memoised: long runs ask about the same words
		v, ok := stops[w]
		if !ok {
			v = isStopword(a, w)
			stops[w] = v
		}
		return v
	}
	var out []Sentence
	var cur []word
	emit := func(ws []word, end float64) {
		if len(ws) == 0 {
			return
		}
		var b strings.Builder
		for i, w := range ws {
			if i > 0 && !(cjkEnd(ws[i-1].text) && cjkStart(w.text)) {
				b.WriteByte(' ') // CJK text runs on without spaces
			}
			b.WriteString(w.text)
		}
		out = append(out, Sentence{Start: ws[0].start, End: end, Text: b.String()})
	}
	for i, w := range words {
		n := len(cur)
		switch {
		case n == 0:
		case w.br >= brHard,
			w.br >= brPause && n >= minWords,
			w.br >= brWeak && n >= softWords:
			emit(cur, w.start)
			cur = nil
		case n >= maxWords:
			k := bestCut(stop, cur)
			emit(cur[:k], cur[k].start)
			cur = slices.Clone(cur[k:])
		}
		cur = append(cur, w)
		if i == len(words)-1 {
			last := segs[len(segs)-1]
			emit(cur, max(w.start, last.Start+last.Duration))
		}
	}
	return out
}

// bestCut returns where to cut an over-long unit: the strongest break at
// least minWords from either end, ties going to the later one; a cut that
// leaves a function word at the end of the first part counts as weaker.
func bestCut(stop func(string) bool, ws []word) int {
	best, bestScore := len(ws)-minWords, -1
	for k := minWords; k <= len(ws)-minWords; k++ {
		s := 2 * ws[k].br
		if stop(ws[k-1].text) {
			s--
		}
		if s >= bestScore {
			best, bestScore = k, s
		}
	}
	return best
}

// wordsOf flattens the captions into words, each with its start time
// (interpolated inside a caption) and the strength of the break before it.
func wordsOf(segs []ytsum.Segment) []word {
	pauses, threshold := pauseSignal(segs)
	capitals := usesCapitals(segs)
	var out []word
	for i, s := range segs {
		text := strings.TrimSpace(clean(s.Text))
		parts := strings.Split(text, ">>")
		total := len(strings.Fields(text))
		k := 0
		for pi, part := range parts {
			for wi, f := range strings.Fields(part) {
				w := word{text: f, start: s.Start + s.Duration*float64(k)/float64(max(total, 1))}
				switch {
				case pi > 0 && wi == 0:
					w.br = brHard // a speaker change
				case k == 0 && i > 0:
					p := pauses[i]
					switch {
					case p >= threshold:
						w.br = brPause
					case p >= threshold/2 || capitals && startsUpper(f):
						w.br = brWeak
					default:
						w.br = brCaption
					}
				}
				if n := len(out); n > 0 && endsSentence(out[n-1].text) {
					w.br = brHard
				}
				out = append(out, w)
				k++
			}
		}
	}
	return out
}

// pauseSignal returns the silence before each caption and the length of
// silence that counts as a clear pause. When captions' durations overlap
// their successors (automatic captions often run each line until the next
// ends), the silence is estimated from the speaking rate instead: the time
// between two starts less the time the first caption's words take at the
// transcript's median rate.
func pauseSignal(segs []ytsum.Segment) ([]float64, float64) {
	n := len(segs)
	pauses := make([]float64, n)
	if n < 2 {
		return pauses, 0.4
	}
	var gaps, rates []float64
	for i := 1; i < n; i++ {
		prev := segs[i-1]
		gaps = append(gaps, segs[i].Start-(prev.Start+prev.Duration))
		if w := len(strings.Fields(prev.Text)); w > 0 && segs[i].Start > prev.Start {
			rates = append(rates, (segs[i].Start-prev.Start)/float64(w))
		}
	}
	overlap := median(gaps) < -0.05
	rate := median(rates)
	for i := 1; i < n; i++ {
		prev := segs[i-1]
		if overlap {
			pauses[i] = segs[i].Start - prev.Start - float64(len(strings.Fields(prev.Text)))*rate
		} else {
			pauses[i] = segs[i].Start - (prev.Start + prev.Duration)
		}
	}
	// A clear pause is 0.4 s, or longer when most captions are followed by
	// one (captions timed with gaps between every line).
	threshold := 0.4
	sorted := slices.Clone(pauses[1:])
	slices.Sort(sorted)
	if p := sorted[len(sorted)*6/10]; p > threshold {
		threshold = p
	}
	return pauses, threshold
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// usesCapitals reports whether the captions capitalise sentence starts:
// many captions start with a capital while most words do not have one
// (automatic captions are lower case but for names and "I").
func usesCapitals(segs []ytsum.Segment) bool {
	starts, upperStarts, words, upper := 0, 0, 0, 0
	for _, s := range segs {
		fs := strings.Fields(clean(s.Text))
		for i, f := range fs {
			words++
			if startsUpper(f) {
				upper++
				if i == 0 {
					upperStarts++
				}
			}
		}
		if len(fs) > 0 {
			starts++
		}
	}
	return starts > 0 && float64(upperStarts) >= 0.3*float64(starts) && float64(upper) < 0.5*float64(words)
}

func startsUpper(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) && w != "I" && !strings.HasPrefix(w, "I'")
}

// clean drops bracketed caption noise ([Music], [Applause]) and ♪; ">>"
// marks are kept for SplitLang.
func clean(t string) string {
	if !strings.ContainsAny(t, "[♪") {
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
	return b.String()
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

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r) || r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef
}

func cjkStart(w string) bool { r, _ := utf8.DecodeRuneInString(w); return isCJK(r) }
func cjkEnd(w string) bool   { r, _ := utf8.DecodeLastRuneInString(w); return isCJK(r) }
