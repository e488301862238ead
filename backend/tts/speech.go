package tts

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lexicon is what the cleaner says for symbols in one language.
type lexicon struct {
	and, percent, plus, equals, less, greater, number, link, email, about string
	// of joins a scale and a currency ("5 millions de dollars"); "" in English.
	of string
	// currency words by symbol: singular, plural.
	currency map[rune][2]string
	// scale words for k / M / B after an amount.
	thousand, million, billion string
	// thousandsComma: "1,250" groups thousands (English); elsewhere a comma
	// is the decimal mark and is left alone.
	thousandsComma bool
	// abbreviations read as words ("e.g." → "for example").
	abbrev *strings.Replacer
	// symbols speaks the remaining symbols of this language.
	symbols *strings.Replacer
}

// neutral is used for languages without a lexicon: symbols a voice reads
// natively in any language (%, currency signs, &, +, =) stay as they are, and
// links and e-mail addresses are dropped rather than named in English.
var neutral = newLexicon(lexicon{})

var lexicons = map[string]*lexicon{
	"en": newLexicon(lexicon{and: "and", percent: "percent", plus: "plus", equals: "equals", less: "less than",
		greater: "greater than", number: "number", link: "link", email: "email address", about: "about",
		currency: map[rune][2]string{'$': {"dollar", "dollars"}, '€': {"euro", "euros"}, '£': {"pound", "pounds"}, '¥': {"yen", "yen"}},
		thousand: "thousand", million: "million", billion: "billion", thousandsComma: true,
		abbrev: strings.NewReplacer("e.g.", "for example", "E.g.", "For example", "i.e.", "that is", "I.e.", "That is",
			"etc.", "and so on", "vs.", "versus", " vs ", " versus ")}),
	"de": newLexicon(lexicon{and: "und", percent: "Prozent", plus: "plus", equals: "gleich", less: "kleiner als",
		greater: "größer als", number: "Nummer", link: "Link", email: "E-Mail-Adresse", about: "etwa",
		currency: map[rune][2]string{'$': {"Dollar", "Dollar"}, '€': {"Euro", "Euro"}, '£': {"Pfund", "Pfund"}, '¥': {"Yen", "Yen"}},
		thousand: "tausend", million: "Millionen", billion: "Milliarden",
		abbrev: strings.NewReplacer("z.B.", "zum Beispiel", "z. B.", "zum Beispiel", "d.h.", "das heißt", "d. h.", "das heißt",
			"usw.", "und so weiter", "bzw.", "beziehungsweise", "ca.", "circa")}),
	"fr": newLexicon(lexicon{and: "et", percent: "pour cent", plus: "plus", equals: "égale", less: "inférieur à",
		greater: "supérieur à", number: "numéro", link: "lien", email: "adresse e-mail", about: "environ", of: "de",
		currency: map[rune][2]string{'$': {"dollar", "dollars"}, '€': {"euro", "euros"}, '£': {"livre", "livres"}, '¥': {"yen", "yens"}},
		thousand: "mille", million: "millions", billion: "milliards",
		abbrev: strings.NewReplacer("p. ex.", "par exemple", "c.-à-d.", "c'est-à-dire", "etc.", "et cetera")}),
	"es": newLexicon(lexicon{and: "y", percent: "por ciento", plus: "más", equals: "igual a", less: "menor que",
		greater: "mayor que", number: "número", link: "enlace", email: "dirección de correo", about: "unos", of: "de",
		currency: map[rune][2]string{'$': {"dólar", "dólares"}, '€': {"euro", "euros"}, '£': {"libra", "libras"}, '¥': {"yen", "yenes"}},
		thousand: "mil", million: "millones", billion: "mil millones",
		abbrev: strings.NewReplacer("p. ej.", "por ejemplo", "etc.", "etcétera")}),
	"it": newLexicon(lexicon{and: "e", percent: "per cento", plus: "più", equals: "uguale a", less: "minore di",
		greater: "maggiore di", number: "numero", link: "link", email: "indirizzo e-mail", about: "circa", of: "di",
		currency: map[rune][2]string{'$': {"dollaro", "dollari"}, '€': {"euro", "euro"}, '£': {"sterlina", "sterline"}, '¥': {"yen", "yen"}},
		thousand: "mila", million: "milioni", billion: "miliardi",
		abbrev: strings.NewReplacer("ecc.", "eccetera", "es.", "ad esempio")}),
	"pt": newLexicon(lexicon{and: "e", percent: "por cento", plus: "mais", equals: "igual a", less: "menor que",
		greater: "maior que", number: "número", link: "link", email: "endereço de e-mail", about: "cerca de", of: "de",
		currency: map[rune][2]string{'$': {"dólar", "dólares"}, '€': {"euro", "euros"}, '£': {"libra", "libras"}, '¥': {"iene", "ienes"}},
		thousand: "mil", million: "milhões", billion: "bilhões",
		abbrev: strings.NewReplacer("p. ex.", "por exemplo", "etc.", "etcétera")}),
}

// newLexicon builds l's symbol replacer. A lexicon without words (neutral)
// keeps the symbols voices read natively.
func newLexicon(l lexicon) *lexicon {
	word := func(w, keep string) string {
		if w == "" {
			return keep
		}
		return " " + w + " "
	}
	l.symbols = strings.NewReplacer(
		"—", ", ", "–", ", ", "→", ", ", "⇒", ", ", "->", ", ", "=>", ", ", "←", ", ",
		"[", " ", "]", " ", "{", " ", "}", " ", "(", " (", ")", ") ",
		"`", "", "~", "", "^", "", "*", "", "_", " ", "|", ", ", "\\", " ", "/", " ",
		"=", word(l.equals, " = "), "+", word(l.plus, " + "),
		"<", word(l.less, " "), ">", word(l.greater, " "),
		"@", " ", "#", word(l.number, " "), "%", word(l.percent, "%"), "&", word(l.and, " & "),
		"§", " § ", "•", " ",
		"\"", "", "“", "", "”", "", "„", "", "«", "", "»", "",
	)
	if l.abbrev == nil {
		l.abbrev = strings.NewReplacer()
	}
	return &l
}

// lexiconFor returns the lexicon of a BCP-47 language code ("" is English).
func lexiconFor(lang string) *lexicon {
	base := strings.ToLower(lang)
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	if base == "" || base == "same" {
		base = "en"
	}
	if l, ok := lexicons[base]; ok {
		return l
	}
	return neutral
}

// ts is one timestamp: m:ss, mm:ss or h:mm:ss.
const ts = `(?:\d{1,2}:)?\d{1,2}:\d{2}`

var (
	// reTSBracket: "[01:52]", "(1:02:03)", "[00:28 - 01:15]", "(at 12:30)".
	reTSBracket = regexp.MustCompile(`\s*[\[(]\s*(?:(?i:at|around|from|ab|um|à|vers|desde|a las|às|alle)\s+)?` + ts +
		`(?:\s*(?:[-–—]|to|bis)\s*` + ts + `)?\s*[\])]`)
	// reTSLead: a bare timestamp opening a line or bullet ("00:28 – Intro").
	reTSLead   = regexp.MustCompile(`^` + ts + `(?:\s*[-–—]\s*` + ts + `)?[*_]*\s*(?:[-–—:|]\s*)?`)
	reNumbered = regexp.MustCompile(`^\s*(?:\d{1,3}|[a-zA-Z])[.)]\s+`)
	reSharp    = regexp.MustCompile(`\b([CFJ])#`)
	// reMoneyPre: "$1,250", "US$ 5", "€3.5M", "£2 billion".
	reMoneyPre = regexp.MustCompile(`(?:US|AU|CA|NZ|HK|[ACR])?([$€£¥])\s?(\d+(?:[.,]\d+)*)(?:([kKmMbB]|bn|mn)\b|\s+(\pL+\.?))?`)
	// reMoneyPost: "1.250 €", "5€" (amount first, as in most of Europe).
	reMoneyPost = regexp.MustCompile(`(\d+(?:[.,]\d+)*)\s?(?:([kKmMbB]|bn|mn|Mio\.|Mrd\.)\s?)?([€£$])`)
	reAbout     = regexp.MustCompile(`~\s?(\d)`)
)

// scaleWords maps the words that may follow an amount ("$5 million") to
// themselves, in the languages of the lexicons; the currency word goes after
// them.
var scaleWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields("thousand million millions billion billions trillion tausend Tausend Million Millionen " +
		"Milliarde Milliarden mille milliard milliards mil millón millones milioni milione miliardi mila " +
		"milhão milhões bilhão bilhões") {
		m[w] = true
	}
	return m
}()

// Clean is CleanFor(text, "en").
func Clean(text string) string { return CleanFor(text, "en") }

// CleanFor turns a summary (plain text or Markdown) into what a listener
// needs to hear, in the summary's language lang (a BCP-47 code; "" and
// "same" mean English):
//   - timestamps are dropped: "[01:52]", "[h:mm:ss]", "(1:02:03)", ranges
//     such as "[00:28 - 01:15]", and a bare timestamp opening a line;
//   - Markdown marks are dropped: headings, bold, italics, strike-through,
//     code ticks and fences, quotes, rules, tables (cells become a list);
//     a link keeps its text, an image its alt text;
//   - URLs become the word "link" and e-mail addresses "email address" (in
//     the language; dropped for a language without a lexicon);
//   - bullets and numbered items become sentences: the marker goes, and a
//     period is added when the line has no end mark;
//   - money reads as money: "$1,250" → "1250 dollars", "€3.5M" → "3.5
//     million euros", "1.250 €" → "1.250 Euro" (German);
//   - other symbols are spoken as words of the language (% → percent,
//     & → and, + → plus, C# → C sharp, e.g. → for example); brackets,
//     quotes and emoji are dropped, an apostrophe inside a word kept.
//
// Languages with a lexicon: English, German, French, Spanish, Italian and
// Portuguese; others keep the symbols a voice reads natively (%, $, €, &).
// CleanFor is a pure function, safe for concurrent use.
func CleanFor(text, lang string) string {
	if text == "" {
		return ""
	}
	lx := lexiconFor(lang)
	text = html.UnescapeString(strings.ReplaceAll(text, "\r\n", "\n"))
	if strings.Contains(text, "](") {
		text = reImage.ReplaceAllString(text, "$1")
		text = reMDLink.ReplaceAllString(text, "$1")
	}
	if strings.Contains(text, ":") {
		text = reTSBracket.ReplaceAllString(text, "")
	}
	if strings.Contains(text, "://") || strings.Contains(strings.ToLower(text), "www.") {
		text = replaceURLsWith(text, lx.link)
	}
	if strings.Contains(text, "@") {
		text = reEmail.ReplaceAllString(text, " "+lx.email+" ")
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
		ln = reNumbered.ReplaceAllString(ln, "")
		ln = tableRow(ln)
		ln = trimMarks(ln)
		ln = trimMarks(reTSLead.ReplaceAllString(ln, ""))
		if ln == "" || !hasWordRune(ln) {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(ln); !isSentenceEnd(r) && !strings.ContainsRune(",;:", r) {
			ln += "."
		} else if r == ',' || r == ';' || r == ':' {
			ln = ln[:len(ln)-1] + "."
		}
		out = append(out, ln)
	}
	text = strings.Join(out, " ")
	text = lx.abbrev.Replace(text)
	if strings.Contains(text, "#") {
		text = reSharp.ReplaceAllString(text, "$1 sharp")
	}
	text = strings.ReplaceAll(text, "C++", "C plus plus")
	if lx != neutral && strings.ContainsAny(text, "$€£¥") {
		text = money(text, lx)
	}
	if strings.Contains(text, "~") && lx.about != "" {
		text = reAbout.ReplaceAllString(text, lx.about+" $1")
	}
	text = apostrophes(text)
	text = lx.symbols.Replace(text)
	if lx.thousandsComma {
		text = removeThousands(text)
	}
	text = dropSymbols(text)
	text = strings.Join(strings.Fields(text), " ")
	text = spacePunct.Replace(text)
	text = strings.NewReplacer("( ", "(", " )", ")", "()", "", ",,", ",", ", ,", ",", ",.", ".").Replace(text)
	text = repeatDots.Replace(text)
	return strings.TrimSpace(text)
}

// trimMarks trims spaces and the emphasis marks around a line ("**Title**",
// "~~gone~~"; a single leading "~" means "about" and stays).
func trimMarks(ln string) string {
	ln = strings.TrimSpace(strings.Trim(strings.TrimSpace(ln), "*_`"))
	if strings.HasPrefix(ln, "~~") || strings.HasSuffix(ln, "~~") {
		ln = strings.TrimSpace(strings.Trim(ln, "~"))
	}
	return ln
}

// hasWordRune reports whether s has a letter or digit (a line of only marks
// is not read).
func hasWordRune(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// money rewrites amounts with a currency sign as amount, scale, currency
// word: "$1,250" → "1,250 dollars", "$5M" → "5 million dollars".
func money(text string, lx *lexicon) string {
	say := func(sym rune, amount, scale string) string {
		w, ok := lx.currency[sym]
		if !ok {
			return amount + " " + string(sym)
		}
		name := w[1]
		if amount == "1" && scale == "" {
			name = w[0]
		}
		if scale != "" {
			if lx.of != "" {
				return amount + " " + scale + " " + lx.of + " " + name
			}
			return amount + " " + scale + " " + name
		}
		return amount + " " + name
	}
	scaled := func(sym rune, amount, abbr string) (string, bool) {
		switch abbr {
		case "k", "K":
			return say(sym, amount, lx.thousand), true
		case "m", "M", "mn", "Mio.":
			return say(sym, amount, lx.million), true
		case "b", "B", "bn", "Mrd.":
			return say(sym, amount, lx.billion), true
		}
		return "", false
	}
	text = reMoneyPre.ReplaceAllStringFunc(text, func(m string) string {
		g := reMoneyPre.FindStringSubmatch(m)
		sym, _ := utf8.DecodeRuneInString(g[1])
		amount, abbr, word := g[2], g[3], g[4]
		if s, ok := scaled(sym, amount, abbr); ok {
			return s
		}
		if s, ok := scaled(sym, amount, word); ok && (word == "Mio." || word == "Mrd.") {
			return s
		}
		if word != "" {
			if scaleWords[word] {
				return say(sym, amount, word)
			}
			if w := strings.TrimSuffix(word, "."); w != word && scaleWords[w] {
				return say(sym, amount, w) + "."
			}
			return say(sym, amount, "") + " " + word
		}
		return say(sym, amount, "")
	})
	return reMoneyPost.ReplaceAllStringFunc(text, func(m string) string {
		g := reMoneyPost.FindStringSubmatch(m)
		sym, _ := utf8.DecodeRuneInString(g[3])
		if s, ok := scaled(sym, g[1], g[2]); ok {
			return s
		}
		return say(sym, g[1], "")
	})
}

// dropSymbols removes emoji and other pictographs that a voice would either
// skip or name ("check mark button").
func dropSymbols(s string) string {
	if !strings.ContainsFunc(s, isPictograph) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isPictograph(r) {
			return ' '
		}
		return r
	}, s)
}

func isPictograph(r rune) bool {
	if r < 0x2000 {
		return false
	}
	if r == '€' || r == '£' || r == '¥' || r == '§' {
		return false
	}
	return unicode.Is(unicode.So, r) || r == 0xFE0F || r == 0x200D || unicode.Is(unicode.Sk, r)
}

// replaceURLsWith replaces links with word (dropped when word is ""),
// running the URL patterns only on whitespace-separated tokens that can hold
// one (fast on long text).
func replaceURLsWith(s, word string) string {
	rep := " " + word + " "
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isASCIISpace(s[j]) {
			j++
		}
		tok := s[i:j]
		if strings.Contains(tok, "://") || strings.Contains(strings.ToLower(tok), "www.") {
			// Punctuation after a link ends the sentence, not the link:
			// "(see https://x.io/a)." keeps its ")." .
			core := strings.TrimRight(tok, ".,;:!?'\")]")
			tail := tok[len(core):]
			if strings.Contains(core, "(") && strings.HasPrefix(tail, ")") {
				core, tail = core+")", tail[1:]
			}
			core = reAutolink.ReplaceAllString(core, rep)
			tok = reURL.ReplaceAllString(core, rep) + tail
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
