package youtube

import (
	"strings"
	"unicode"
)

// ExtractLinks pulls every YouTube-looking link or bare ID out of a pasted
// blob of text — one per line, or mixed into prose, Markdown or HTML — in
// order of appearance and de-duplicated (two links to the same video count
// once). The strings returned are the links as written, trimmed of
// surrounding punctuation; pass each to Parse, which gives a specific
// error for the ones that are not usable (a channel page, a look-alike
// host), so the user learns why.
//
// What counts as YouTube-looking: any URL (with or without a scheme) whose
// host mentions youtube or youtu.be and that has a path or query; a bare
// video or playlist ID standing alone on its line; and, inside prose, a
// bare ID that looks machine-made (mixed case plus a digit, - or _) so that
// ordinary 11-letter words are not taken for IDs. ExtractLinks is safe for
// concurrent use and never panics.
func ExtractLinks(text string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
		tokens := strings.FieldsFunc(line, tokenSep)
		alone := len(tokens) == 1
		for _, tok := range tokens {
			tok = cleanToken(tok)
			if tok == "" || !youTubeLooking(tok, alone) {
				continue
			}
			key := "raw:" + tok
			if l, err := parse(tok, false); err == nil {
				key = l.Kind.String() + ":" + l.VideoID + ":" + l.PlaylistID + ":" + strings.ToLower(l.ChannelPath)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, tok)
		}
	}
	return out
}

// tokenSep splits a line into candidate tokens. YouTube links never hold
// these characters, while prose, Markdown and HTML put them around links.
func tokenSep(r rune) bool {
	if unicode.IsSpace(r) {
		return true
	}
	switch r {
	case '<', '>', '"', '\'', '(', ')', '[', ']', '{', '}', '|', ',', '`', '\u00ab', '\u00bb',
		'\u201c', '\u201d', '\u2018', '\u2019':
		return true
	}
	return false
}

// cleanToken drops what sticks to a link in prose: a label before the
// scheme ("link:https://…") and trailing sentence punctuation.
func cleanToken(tok string) string {
	lower := strings.ToLower(tok)
	for _, s := range []string{"https://", "http://"} {
		if i := strings.Index(lower, s); i > 0 {
			tok, lower = tok[i:], lower[i:]
			break
		}
	}
	tok = strings.TrimRight(tok, ".,;:!?*")
	tok = strings.TrimLeft(tok, ".,;:!?*")
	return tok
}

// youTubeLooking decides whether a token is worth handing to Parse.
func youTubeLooking(tok string, alone bool) bool {
	if ValidVideoID(tok) || barePlaylistID(tok) {
		return alone || machineMade(tok)
	}
	if alone && loginList(tok) != nil {
		return true
	}
	rest := tok
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		return false // a bare host such as "youtube.com" in a sentence
	}
	host := strings.ToLower(rest[:end])
	tail := strings.Trim(rest[end:], "/")
	if tail == "" || !strings.Contains(host, ".") {
		return false
	}
	return strings.Contains(host, "youtube") || strings.Contains(host, "youtu.be")
}

// machineMade reports whether an ID-shaped token looks random: upper and
// lower case letters plus at least one digit, - or _.
func machineMade(s string) bool {
	var upper, lower, other bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		default:
			other = true
		}
	}
	return upper && lower && other
}
