package tts

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	reFence    = regexp.MustCompile("^\\s*(```|~~~)")
	reImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	reMDLink   = regexp.MustCompile(`\[([^\]]+)\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\)`)
	reAutolink = regexp.MustCompile(`<(?:https?|ftp)://[^>\s]+>`)
	reURL      = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"]+`)
	reEmail    = regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b`)
	reHeading  = regexp.MustCompile(`^\s{0,3}#{1,6}\s+`)
	reQuote    = regexp.MustCompile(`^\s*(?:>\s?)+`)
	reBullet   = regexp.MustCompile(`^\s*[-*+•‣◦]\s+`)
	reRule     = regexp.MustCompile(`^\s*(?:[-*_=]\s*){3,}$`)
	reTableSep = regexp.MustCompile(`^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$`)
	reHTMLTag  = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>`)
)

var (
	spacePunct = strings.NewReplacer(" .", ".", " ,", ",", " !", "!", " ?", "?", " ;", ";", " :", ":")
	repeatDots = strings.NewReplacer("!.", "!", "?.", "?", ";.", ";", ":.", ":", ",.", ",")
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

// OriginalClean is the original app's clean_text_for_tts, kept for one
// reader: the library's import, which finds the original app's audio files
// by a hash of the summary cleaned this way (library.Options.SpeechText).
// Speech itself uses Clean / CleanFor. It:
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
// OriginalClean is a pure function, safe for concurrent use.
func OriginalClean(text string) string {
	if text == "" {
		return ""
	}
	text = html.UnescapeString(strings.ReplaceAll(text, "\r\n", "\n"))
	// Cheap guards skip regexps that cannot match (most summaries have no
	// links, addresses or tags).
	if strings.Contains(text, "](") {
		text = reImage.ReplaceAllString(text, "$1")
		text = reMDLink.ReplaceAllString(text, "$1")
	}
	if strings.Contains(text, "://") || strings.Contains(strings.ToLower(text), "www.") {
		text = replaceURLs(text)
	}
	if strings.Contains(text, "@") {
		text = reEmail.ReplaceAllString(text, " email address ")
	}
	if strings.Contains(text, "<") {
		text = reHTMLTag.ReplaceAllString(text, " ")
	}

	lines := strings.Split(text, "\n")
	out := make([]string, 0, len(lines))
	for _, ln := range lines {
		if reFence.MatchString(ln) || reRule.MatchString(ln) || reTableSep.MatchString(ln) {
			continue
		}
		ln = reHeading.ReplaceAllString(ln, "")
		ln = reQuote.ReplaceAllString(ln, "")
		ln = reBullet.ReplaceAllString(ln, "")
		ln = tableRow(ln)
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
	text = removeThousands(text)
	text = strings.Join(strings.Fields(text), " ")
	text = spacePunct.Replace(text)
	text = repeatDots.Replace(text)
	return text
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

// replaceURLs replaces links with "link", running the URL patterns only on
// the whitespace-separated tokens that can hold one (fast on long text).
func replaceURLs(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isASCIISpace(s[j]) {
			j++
		}
		tok := s[i:j]
		if strings.Contains(tok, "://") || strings.Contains(strings.ToLower(tok), "www.") {
			tok = reAutolink.ReplaceAllString(tok, " link ")
			tok = reURL.ReplaceAllString(tok, " link ")
		}
		b.WriteString(tok)
		k := j
		for k < len(s) && isASCIISpace(s[k]) {
			k++
		}
		b.WriteString(s[j:k])
		i = k
	}
	return b.String()
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return isDigit(c) || c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// removeThousands drops commas that separate groups of three digits
// ("1,000,000" → "1000000", "12,345.67" → "12345.67"; "1,2,3" stays).
func removeThousands(s string) string {
	if !strings.Contains(s, ",") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ',' && i > 0 && isDigit(s[i-1]) && i+3 < len(s) &&
			isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) && (i+4 == len(s) || !isWordByte(s[i+4])) {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// tableRow reads a Markdown table row as a list: its cells joined by
// commas. Any other line is returned as it is.
func tableRow(ln string) string {
	if strings.Count(ln, "|") < 2 {
		return ln
	}
	cells := strings.FieldsFunc(ln, func(r rune) bool { return r == '|' })
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return strings.Join(nonEmpty(cells), ", ")
}
