package tts

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	reFence      = regexp.MustCompile("^\\s*(```|~~~)")
	reImage      = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	reMDLink     = regexp.MustCompile(`\[([^\]]+)\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\)`)
	reAutolink   = regexp.MustCompile(`<(?:https?|ftp)://[^>\s]+>`)
	reURL        = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"]+`)
	reEmail      = regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b`)
	reHeading    = regexp.MustCompile(`^\s{0,3}#{1,6}\s+`)
	reQuote      = regexp.MustCompile(`^\s*(?:>\s?)+`)
	reBullet     = regexp.MustCompile(`^\s*[-*+•‣◦]\s+`)
	reRule       = regexp.MustCompile(`^\s*(?:[-*_=]\s*){3,}$`)
	reTableSep   = regexp.MustCompile(`^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$`)
	reHTMLTag    = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>`)
	reThousands  = regexp.MustCompile(`(\d),(\d{3})\b`)
	reSpaces     = regexp.MustCompile(`\s+`)
	reSpacePunct = regexp.MustCompile(` ([.,!?;:])`)
	reRepeatDots = regexp.MustCompile(`([!?;:,])\.`)
)

// symbolWords are the original app's replacements (clean_text_for_tts),
// applied after links, e-mail addresses and markdown are handled. Quotes and
// apostrophes are handled separately (see Clean).
var symbolWords = strings.NewReplacer(
	"—", " ", "–", " ",
	"[", " ", "]", " ", "{", " ", "}", " ",
	"`", "", "~", "", "^", "", "*", "", "_", " ", "|", " ", "\\", " ", "/", " ",
	"±", " plus or minus ", "×", " times ", "÷", " divided by ", "=", " equals ", "+", " plus ",
	"<", " less than ", ">", " greater than ",
	"$", " dollars ", "€", " euros ", "£", " pounds ", "¥", " yen ",
	"@", " at ", "#", " number ", "%", " percent ", "&", " and ",
	"§", " section ", "©", " copyright ", "®", " registered ", "™", " trademark ",
	"\"", "", "“", "", "”", "", "„", "", "«", "", "»", "",
)

// Clean turns a summary (plain text or markdown) into text a speech engine
// reads well, following the original app's clean_text_for_tts:
//   - links become "link", e-mail addresses "email address"; a markdown link
//     keeps its text;
//   - markdown is removed (headings, emphasis, bullets, quotes, rules, tables,
//     code fences); a line that does not end in punctuation (a heading, a
//     bullet) gets a period so it is read as its own sentence;
//   - symbols are spoken as words (% → percent, $ → dollars, & → and, …);
//     quotes, brackets and backticks are dropped;
//   - thousands separators are removed (1,000,000 → 1000000);
//   - whitespace is collapsed.
//
// Deliberate differences from the original: an apostrophe inside a word is
// kept ("we're" is not read as "were"), and only commas that separate
// groups of three digits are removed ("1,2,3" stays a list).
// Clean is a pure function, safe for concurrent use.
func Clean(text string) string {
	if text == "" {
		return ""
	}
	text = html.UnescapeString(strings.ReplaceAll(text, "\r\n", "\n"))
	text = reImage.ReplaceAllString(text, "$1")
	text = reMDLink.ReplaceAllString(text, "$1")
	text = reAutolink.ReplaceAllString(text, " link ")
	text = reURL.ReplaceAllString(text, " link ")
	text = reEmail.ReplaceAllString(text, " email address ")
	text = reHTMLTag.ReplaceAllString(text, " ")

	lines := strings.Split(text, "\n")
	out := make([]string, 0, len(lines))
	for _, ln := range lines {
		if reFence.MatchString(ln) || reRule.MatchString(ln) || reTableSep.MatchString(ln) {
			continue
		}
		ln = reHeading.ReplaceAllString(ln, "")
		ln = reQuote.ReplaceAllString(ln, "")
		ln = reBullet.ReplaceAllString(ln, "")
		if strings.Count(ln, "|") >= 2 { // a table row: cells become a list
			cells := strings.FieldsFunc(ln, func(r rune) bool { return r == '|' })
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			ln = strings.Join(nonEmpty(cells), ", ")
		}
		ln = strings.TrimSpace(ln)
		if ln == "" {
			continue
		}
		ln = strings.TrimRight(strings.Trim(ln, "*_~`"), " ")
		if ln == "" {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(ln); !isSentenceEnd(r) && !strings.ContainsRune(",;:", r) {
			ln += "."
		}
		out = append(out, ln)
	}
	text = strings.Join(out, " ")
	text = apostrophes(text)
	text = symbolWords.Replace(text)
	for reThousands.MatchString(text) {
		text = reThousands.ReplaceAllString(text, "$1$2")
	}
	text = reSpaces.ReplaceAllString(text, " ")
	text = reSpacePunct.ReplaceAllString(text, "$1")
	text = reRepeatDots.ReplaceAllString(text, "$1")
	return strings.TrimSpace(text)
}

func nonEmpty(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// apostrophes keeps ' and ’ between two letters (as ') and drops every
// other single quote.
func apostrophes(s string) string {
	if !strings.ContainsAny(s, "'’‘`´") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range rs {
		switch r {
		case '\'', '’', '‘', '´':
			if i > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1]) {
				b.WriteByte('\'')
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isSentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}
