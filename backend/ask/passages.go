package ask

import (
	"strings"

	"ytsum/backend/summarize"
	"ytsum/backend/ytsum"
)

// Passage is a run of consecutive caption segments: the unit that is
// indexed, retrieved, shown to the model and cited. Start and End are
// seconds of the video; Segs are the captions it holds (their text joined
// is Text), kept so that quotes and in-passage times are exact.
type Passage struct {
	VideoID string
	// Index is the passage's position in its video's list (0-based).
	Index int
	Start float64
	End   float64
	Text  string
	Segs  []ytsum.Segment
	// Tokens is the estimated token cost of the passage as a prompt line.
	Tokens int
}

// Passage lengths: a passage ends at the first sentence end after
// minSeconds, at targetSeconds in a transcript without punctuation
// (automatic captions), and at maxSeconds or maxWords at the latest.
const (
	minSeconds    = 45
	targetSeconds = 60
	maxSeconds    = 90
	maxWords      = 220
	// pieceWords is the size of the pieces a huge caption (a whole
	// transcript delivered as one segment) is split into.
	pieceWords = 40
)

// Passages cuts tr into timed passages of about a minute (45–90 seconds,
// at most 220 words), preferring to end a passage where a sentence ends.
// Every non-empty caption lands in exactly one passage, in order. A caption
// longer than 40 words is first split into pieces whose times are spread
// over its duration. Passages of the same transcript are always cut the
// same way, so an index may refer to them by Index. tr nil or without text
// gives nil.
func Passages(tr *ytsum.Transcript) []Passage {
	if tr == nil {
		return nil
	}
	segs := splitLong(tr.Segments)
	punctuated := 0
	for _, s := range segs {
		if endsSentence(s.Text) {
			punctuated++
		}
	}
	// Automatic captions carry (almost) no punctuation: cut on time alone.
	usePunct := punctuated*20 >= len(segs)
	var out []Passage
	var cur []ytsum.Segment
	words := 0
	emit := func() {
		if len(cur) == 0 {
			return
		}
		p := Passage{VideoID: tr.VideoID, Index: len(out), Start: cur[0].Start, Segs: cur}
		texts := make([]string, len(cur))
		for i, s := range cur {
			texts[i] = s.Text
			p.End = max(p.End, s.Start+s.Duration)
		}
		p.Text = strings.Join(texts, " ")
		p.Tokens = summarize.EstimateTokens(p.Text) + 6
		out = append(out, p)
		cur, words = nil, 0
	}
	for i, s := range segs {
		n := len(strings.Fields(s.Text))
		if len(cur) > 0 && (s.Start+s.Duration-cur[0].Start > maxSeconds || words+n > maxWords) {
			emit()
		}
		cur = append(cur, s)
		words += n
		d := s.Start + s.Duration - cur[0].Start
		if i+1 < len(segs) {
			d = max(d, segs[i+1].Start-cur[0].Start)
		}
		switch {
		case d >= maxSeconds, words >= maxWords:
			emit()
		case usePunct && d >= minSeconds && endsSentence(s.Text):
			emit()
		case !usePunct && d >= targetSeconds:
			emit()
		}
	}
	emit()
	return out
}

// splitLong drops empty captions, trims the others and splits those of more
// than pieceWords words into pieces with interpolated times.
func splitLong(in []ytsum.Segment) []ytsum.Segment {
	out := make([]ytsum.Segment, 0, len(in))
	for _, s := range in {
		text := strings.Join(strings.Fields(s.Text), " ")
		if text == "" {
			continue
		}
		ws := strings.Fields(text)
		if len(ws) <= pieceWords {
			s.Text = text
			out = append(out, s)
			continue
		}
		n := (len(ws) + pieceWords - 1) / pieceWords
		for i := range n {
			lo, hi := i*len(ws)/n, (i+1)*len(ws)/n
			out = append(out, ytsum.Segment{
				Start:    s.Start + s.Duration*float64(lo)/float64(len(ws)),
				Duration: s.Duration * float64(hi-lo) / float64(len(ws)),
				Text:     strings.Join(ws[lo:hi], " "),
			})
		}
	}
	return out
}

func endsSentence(t string) bool {
	t = strings.TrimRight(t, " \n\"')»”’")
	if t == "" {
		return false
	}
	switch t[len(t)-1] {
	case '.', '!', '?':
		return true
	}
	return strings.HasSuffix(t, "。") || strings.HasSuffix(t, "！") || strings.HasSuffix(t, "？")
}

// tokens returns the estimated token cost of passages.
func tokens(ps []Passage) int {
	n := 0
	for _, p := range ps {
		n += p.Tokens
	}
	return n
}

// covers reports whether second t (as written in a citation, whole
// seconds) falls inside p, allowing for the rounding of its printed start.
func (p Passage) covers(t int) bool {
	return float64(t) >= float64(int(p.Start)) && float64(t) <= p.End+1
}

// quoteAt returns the words said from second t on within p: the caption
// covering t and the following ones, cut at a word boundary near maxQuote
// bytes, with "…" where text was cut off.
func (p Passage) quoteAt(t int) string {
	from := 0
	for i, s := range p.Segs {
		if float64(int(s.Start)) <= float64(t) {
			from = i
		}
	}
	parts := make([]string, 0, len(p.Segs)-from)
	size := 0
	for _, s := range p.Segs[from:] {
		if size > maxQuote {
			break
		}
		parts = append(parts, s.Text)
		size += len(s.Text) + 1
	}
	q := strings.Join(parts, " ")
	lead := ""
	if from > 0 {
		lead = "…"
	}
	if len(q) <= maxQuote {
		return lead + q
	}
	cut := strings.LastIndexByte(q[:maxQuote], ' ')
	if cut <= 0 {
		cut = maxQuote
		for cut > 0 && !isRuneStart(q[cut]) {
			cut--
		}
	}
	return lead + strings.TrimRight(q[:cut], " ,;:") + "…"
}

// maxQuote is the longest quote of a citation, in bytes.
const maxQuote = 200

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
