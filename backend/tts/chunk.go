package tts

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of one Cloud TTS request (protocols.md §4.4). The API rejects input
// over 5,000 UTF-8 bytes, and separately rejects "sentences that are too
// long"; we stay well under both.
const (
	// APIMaxBytes is the API's hard limit per request.
	APIMaxBytes = 5000
	// DefaultMaxRequestBytes is the most text bytes Chunk puts in one request.
	DefaultMaxRequestBytes = 4800
	// DefaultMaxSentenceBytes is the longest sentence sent as is; longer ones
	// are split at commas, then words, and each piece ends with a period.
	DefaultMaxSentenceBytes = 400
)

// Sentences splits cleaned text at sentence boundaries (. ! ? … 。 ！ ？
// followed by a space or the end; closing quotes and brackets stay with
// their sentence). Whitespace between sentences is dropped.
func Sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		if !isSentenceEnd(r) {
			continue
		}
		j := i
		for j < len(text) { // more end marks and closers: "?!", ".)", "…"
			r2, n2 := utf8.DecodeRuneInString(text[j:])
			if !isSentenceEnd(r2) && !strings.ContainsRune(`)]"'”’»`, r2) {
				break
			}
			j += n2
		}
		if j < len(text) {
			if r2, _ := utf8.DecodeRuneInString(text[j:]); !unicode.IsSpace(r2) && r < 0x3000 {
				i = j
				continue // "3.5", "e.g.x": not a boundary (CJK marks need no space)
			}
		}
		if s := strings.TrimSpace(text[start:j]); s != "" {
			out = append(out, s)
		}
		start, i = j, j
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// Chunk splits cleaned text into requests of at most maxBytes UTF-8 bytes,
// at sentence boundaries, packing whole sentences greedily. A sentence longer
// than maxSentence bytes is split at , ; : (then at spaces, then between
// runes) into pieces that each end with a period. Zero limits mean the
// defaults; maxSentence is capped at maxBytes. Concatenating the chunks with
// single spaces gives back the text, except for the periods added to split
// sentences. Chunk is pure and safe for concurrent use.
func Chunk(text string, maxBytes, maxSentence int) []string {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxRequestBytes
	}
	if maxSentence <= 0 {
		maxSentence = DefaultMaxSentenceBytes
	}
	if maxSentence > maxBytes {
		maxSentence = maxBytes
	}
	var chunks []string
	var cur strings.Builder
	add := func(s string) {
		if cur.Len() > 0 && cur.Len()+1+len(s) > maxBytes {
			chunks = append(chunks, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(s)
	}
	for _, s := range Sentences(text) {
		if len(s) <= maxSentence {
			add(s)
			continue
		}
		for _, p := range splitSentence(s, maxSentence) {
			add(p)
		}
	}
	if cur.Len() > 0 {
		chunks = append(chunks, cur.String())
	}
	return chunks
}

// splitSentence cuts a too-long sentence into pieces of at most max bytes
// (room for an added period included); every piece but the last gets a
// period so the engine sees separate sentences.
func splitSentence(s string, max int) []string {
	limit := max - 1 // room for the period
	var pieces []string
	var cur string
	flush := func() {
		if cur != "" {
			pieces = append(pieces, cur)
			cur = ""
		}
	}
	for _, clause := range splitKeep(s, ",;:") {
		if len(clause) > limit {
			flush()
			for _, w := range wordPieces(clause, limit) {
				if cur != "" && len(cur)+1+len(w) > limit {
					flush()
				}
				if cur != "" {
					cur += " "
				}
				cur += w
			}
			continue
		}
		if cur != "" && len(cur)+1+len(clause) > limit {
			flush()
		}
		if cur != "" {
			cur += " "
		}
		cur += clause
	}
	flush()
	for i := range pieces[:len(pieces)-1] {
		p := strings.TrimRight(pieces[i], ",;: ")
		if r, _ := utf8.DecodeLastRuneInString(p); !isSentenceEnd(r) {
			p += "."
		}
		pieces[i] = p
	}
	return pieces
}

// splitKeep splits s after each of the separator runes, trimming spaces.
func splitKeep(s, seps string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if strings.ContainsRune(seps, r) {
			if p := strings.TrimSpace(s[start : i+utf8.RuneLen(r)]); p != "" {
				out = append(out, p)
			}
			start = i + utf8.RuneLen(r)
		}
	}
	if p := strings.TrimSpace(s[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

// wordPieces splits s at spaces, and words longer than limit between runes.
func wordPieces(s string, limit int) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		for len(w) > limit {
			cut := limit
			for cut > 0 && !utf8.RuneStart(w[cut]) {
				cut--
			}
			if cut == 0 { // limit smaller than one rune: take the rune
				_, cut = utf8.DecodeRuneInString(w)
			}
			out = append(out, w[:cut])
			w = w[cut:]
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
