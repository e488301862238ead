package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mark tags wrapped around matches by Snippet and Highlight.
const (
	MarkOpen  = "<mark>"
	MarkClose = "</mark>"
)

// DefaultSnippetBytes is the snippet length Snippet uses when width <= 0.
const DefaultSnippetBytes = 240

// Snippet returns about width bytes of text around its densest cluster of
// spans, as HTML: the text escaped, runs of white space collapsed to one
// space, every span wrapped in <mark>…</mark>, and "…" where text was cut.
// Without spans it returns the start of the text. Spans out of range or
// not on character boundaries are ignored. It is safe to insert the result
// into a page as HTML.
func Snippet(text string, spans []Span, width int) string {
	if width <= 0 {
		width = DefaultSnippetBytes
	}
	spans = validSpans(text, spans)
	start, end := 0, min(len(text), width)
	if len(spans) > 0 {
		// Pick the window [s.Start, s.Start+width) holding the most spans.
		best, bestN := 0, 0
		j := 0
		for i := range spans {
			if j < i {
				j = i
			}
			for j+1 < len(spans) && spans[j+1].End <= spans[i].Start+width {
				j++
			}
			if n := j - i + 1; n > bestN {
				best, bestN = i, n
			}
		}
		start = max(0, spans[best].Start-width/4)
		end = min(len(text), start+width)
		if end == len(text) {
			start = max(0, end-width)
		}
	}
	start, end = wordStart(text, start), wordEnd(text, end)
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	writeMarked(&b, text, start, end, spans, true)
	if end < len(text) {
		b.WriteString("…")
	}
	return strings.TrimSpace(b.String())
}

// Highlight returns the whole text as escaped HTML with every span wrapped
// in <mark>…</mark> (for titles and channel names).
func Highlight(text string, spans []Span) string {
	var b strings.Builder
	writeMarked(&b, text, 0, len(text), validSpans(text, spans), false)
	return b.String()
}

func validSpans(text string, spans []Span) []Span {
	out := make([]Span, 0, len(spans))
	for _, s := range spans {
		if s.Start >= 0 && s.End > s.Start && s.End <= len(text) && utf8.RuneStart(text[s.Start]) &&
			(s.End == len(text) || utf8.RuneStart(text[s.End])) {
			out = append(out, s)
		}
	}
	return mergeSpans(out)
}

// writeMarked writes text[start:end] escaped, with spans marked (clipped to
// the window).
func writeMarked(b *strings.Builder, text string, start, end int, spans []Span, collapse bool) {
	pos := start
	write := func(s string) {
		if collapse {
			s = collapseSpace(s)
		}
		b.WriteString(html.EscapeString(s))
	}
	for _, s := range spans {
		if s.End <= start || s.Start >= end {
			continue
		}
		ss, se := max(s.Start, start), min(s.End, end)
		if ss > pos {
			write(text[pos:ss])
		}
		b.WriteString(MarkOpen)
		write(text[ss:se])
		b.WriteString(MarkClose)
		pos = se
	}
	if pos < end {
		write(text[pos:end])
	}
}

func collapseSpace(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) && !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// wordStart moves i forward to a character boundary and, if a space is
// near, past it, so a snippet does not begin mid-word.
func wordStart(text string, i int) int {
	if i <= 0 {
		return 0
	}
	for i < len(text) && !utf8.RuneStart(text[i]) {
		i++
	}
	for k := i; k < len(text) && k < i+24; k++ {
		if text[k] == ' ' || text[k] == '\n' {
			return k + 1
		}
	}
	return i
}

// wordEnd moves i back to a character boundary and, if a space is near,
// back to it, so a snippet does not end mid-word.
func wordEnd(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	for k := i; k > 0 && k > i-24; k-- {
		if text[k] == ' ' || text[k] == '\n' {
			return k
		}
	}
	return i
}
