// Package local is the summarize provider that needs no key and no network:
// a pure-Go extractive summarizer.
//
// It cuts the transcript into units at natural breaks (punctuation when there
// is any; otherwise pauses between captions, ">>" speaker changes and
// capitalised caption starts — see SplitLang), analyses each with bleve's
// analyzer for the transcript's language (its stopwords and stemmer; a plain
// tokenizer for languages bleve lacks), weights terms by TF-IDF, finds topic
// boundaries from vocabulary shifts (TextTiling), ranks each topic's units by
// maximal marginal relevance (relevance to the topic and centrality in the
// whole video, against similarity to units already chosen), and gives every
// topic its share of the summary, so picks are diverse and cover the video
// from start to end.
//
// Styles: key_points is a list with [mm:ss] times; chapters heads each topic
// with its start time and a title of its key terms, with its best units
// beneath; audio is flowing sentences without times, a paragraph a topic;
// detailed is twice as long, a titled section a topic. Other styles get
// key_points.
//
// Caveats: it copies sentences, so its output is in the transcript's language
// whatever language was asked for, and it cannot read video.
package local

import (
	"context"
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

// Stream summarizes req.Segments in the shape of req.Style and req.Length and
// calls onDelta (when non-nil) with each line as it is written. It fails with
// KindNoTranscript when there is no text and KindCancelled when ctx ends.
func (p *Provider) Stream(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
	if req.VideoURL != "" || len(req.Segments) == 0 {
		return llm.Response{}, ytsum.Errorf(ytsum.CodeNotFound, llm.KindNoTranscript,
			"This video has no usable transcript, and the local summarizer needs one; choose a Gemini model to summarize it from the video itself.")
	}
	lang := req.Language
	sents := SplitLang(req.Segments, lang)
	if len(sents) == 0 {
		return llm.Response{}, ytsum.Errorf(ytsum.CodeNotFound, llm.KindNoTranscript,
			"This video's transcript has no text to summarize.")
	}
	if analyzerName(lang) == "" {
		lang = guessLanguage(sents)
	}
	d := analyzeDoc(ctx, analyzerFor(lang), sents)
	if e := llm.Cancelled(ctx); e != nil {
		return llm.Response{}, e
	}
	lines := render(ctx, req.Style, req.Length, d)
	if e := llm.Cancelled(ctx); e != nil {
		return llm.Response{}, e
	}
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

// Summarize returns the n best units of segs (language lang) in transcript
// order. The analysis stops early when ctx ends (the result is then a
// partial pick).
func Summarize(ctx context.Context, segs []ytsum.Segment, lang string, n int) []Sentence {
	sents := SplitLang(segs, lang)
	if len(sents) == 0 {
		return nil
	}
	if analyzerName(lang) == "" {
		lang = guessLanguage(sents)
	}
	d := analyzeDoc(ctx, analyzerFor(lang), sents)
	tops := d.topics(d.segment(maxTopics(sents)))
	idx := d.pick(tops, n)
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

// maxTopics is the most topics a transcript is cut into: one per minute and
// a half, 2 to 12.
func maxTopics(sents []Sentence) int {
	dur := sents[len(sents)-1].End - sents[0].Start
	return min(max(int(dur/90), 2), 12)
}

// render writes the summary in a style, one delta per line or paragraph;
// the deltas end with a newline.
func render(ctx context.Context, style, length string, d *doc) []string {
	tops := d.topics(d.segment(maxTopics(d.sents)))
	if ctx.Err() != nil {
		return nil
	}
	n := Count(length, len(d.sents))
	var lines []string
	switch style {
	case "chapters":
		per := map[string]int{"short": 1, "long": 3}[length]
		if per == 0 {
			per = 2
		}
		for k, t := range tops {
			if k > 0 {
				lines = append(lines, "\n")
			}
			lines = append(lines, "["+ytsum.Timestamp(d.sents[t.lo].Start)+"] "+d.title(t)+"\n")
			if body := d.paragraph(d.pick([]topic{t}, per)); body != "" {
				lines = append(lines, body+"\n")
			}
		}
	case "audio":
		picked := d.pick(tops, n)
		for _, t := range tops {
			var in []int
			for _, i := range picked {
				if i >= t.lo && i < t.hi {
					in = append(in, i)
				}
			}
			if len(in) == 0 {
				continue
			}
			if len(lines) > 0 {
				lines = append(lines, "\n")
			}
			for k, i := range in { // a delta a sentence, a paragraph a topic
				end := " "
				if k == len(in)-1 {
					end = "\n"
				}
				lines = append(lines, sentence(d.sents[i].Text)+end)
			}
		}
	case "detailed":
		picked := d.pick(tops, min(2*n, len(d.sents)))
		for k, t := range tops {
			if k > 0 {
				lines = append(lines, "\n")
			}
			lines = append(lines, "["+ytsum.Timestamp(d.sents[t.lo].Start)+"] "+d.title(t)+"\n")
			var in []int
			for _, i := range picked {
				if i >= t.lo && i < t.hi {
					in = append(in, i)
				}
			}
			if body := d.paragraph(in); body != "" {
				lines = append(lines, body+"\n")
			}
		}
	default: // key_points, custom
		for _, i := range d.pick(tops, n) {
			lines = append(lines, "- ["+ytsum.Timestamp(d.sents[i].Start)+"] "+sentence(d.sents[i].Text)+"\n")
		}
	}
	return lines
}

// paragraph joins units (indices) as sentences.
func (d *doc) paragraph(idx []int) string {
	parts := make([]string, len(idx))
	for k, i := range idx {
		parts[k] = sentence(d.sents[i].Text)
	}
	return strings.Join(parts, " ")
}

// sentence makes a unit read as a sentence: a capital first letter and a
// full stop when it has no closing punctuation.
func sentence(s string) string {
	s = capitalise(strings.TrimSpace(s))
	r, _ := utf8.DecodeLastRuneInString(s)
	switch {
	case isCJK(r) && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		s += "。"
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		s += "."
	}
	return s
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
