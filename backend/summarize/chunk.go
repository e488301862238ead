package summarize

import (
	"unicode/utf8"

	"ytsum/backend/ytsum"
)

// EstimateTokens estimates how many tokens text costs a typical LLM
// tokenizer, erring high: a token per 4 bytes of ASCII text and per
// non-ASCII letter outside Latin scripts (CJK, Thai…), about 2 per accented
// Latin or Cyrillic word piece, plus 5%.
func EstimateTokens(text string) int {
	ascii, other := 0, 0
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			ascii++
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		if r < 0x0530 { // Latin-1, Latin Extended, Greek, Cyrillic, Armenian
			other += 1
		} else {
			other += 3
		}
	}
	t := ascii/4 + other/2
	return t + t/20 + 1
}

// chunk is a run of transcript segments that fits one request.
type chunk struct {
	segs     []ytsum.Segment
	from, to float64
}

// splitSegments cuts segs into consecutive chunks whose formatted transcript
// is estimated at most budget tokens each, preferring to cut after a segment
// that ends a sentence once a chunk is 85% full. Every segment lands in
// exactly one chunk, in order; a single segment larger than budget is a chunk
// of its own (and is split by text if it is still too big for the model).
func splitSegments(segs []ytsum.Segment, budget int) []chunk {
	if budget < 50 {
		budget = 50
	}
	var out []chunk
	start, used := 0, 0
	emit := func(end int) {
		if end > start {
			c := chunk{segs: segs[start:end], from: segs[start].Start}
			last := segs[end-1]
			c.to = last.Start + last.Duration
			out = append(out, c)
		}
		start, used = end, 0
	}
	for i, s := range segs {
		cost := EstimateTokens(s.Text) + 2 // space and the occasional [mm:ss]
		if used > 0 && used+cost > budget {
			emit(i)
		}
		used += cost
		if used >= budget*85/100 && endsSentence(s.Text) {
			emit(i + 1)
		}
	}
	emit(len(segs))
	return splitHuge(out, budget)
}

// splitHuge splits a one-segment chunk whose text alone exceeds budget (a
// transcript delivered as one huge caption) into pieces of words.
func splitHuge(cs []chunk, budget int) []chunk {
	var out []chunk
	for _, c := range cs {
		if len(c.segs) != 1 || EstimateTokens(c.segs[0].Text) <= budget {
			out = append(out, c)
			continue
		}
		s := c.segs[0]
		words := fieldsKeep(s.Text)
		var piece []byte
		for _, w := range words {
			if len(piece) > 0 && EstimateTokens(string(piece))+EstimateTokens(w)+1 > budget {
				out = append(out, chunk{segs: []ytsum.Segment{{Start: s.Start, Duration: s.Duration, Text: string(piece)}}, from: c.from, to: c.to})
				piece = piece[:0:0]
			}
			if len(piece) > 0 {
				piece = append(piece, ' ')
			}
			piece = append(piece, w...)
		}
		if len(piece) > 0 {
			out = append(out, chunk{segs: []ytsum.Segment{{Start: s.Start, Duration: s.Duration, Text: string(piece)}}, from: c.from, to: c.to})
		}
	}
	return out
}

func fieldsKeep(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if r == ' ' || r == '\n' || r == '\t' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

func endsSentence(t string) bool {
	for i := len(t) - 1; i >= 0; i-- {
		switch t[i] {
		case ' ', '\n', '"', '\'', ')':
			continue
		case '.', '!', '?':
			return true
		}
		return false
	}
	return false
}
