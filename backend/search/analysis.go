package search

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/segment"
)

// Names of the analysis pieces this package registers with bleve. The saved
// index mapping refers to them by name, so they must never change meaning;
// bump mappingVersion when they do.
const (
	tokenizerName = "ytsum_words_symbols"
	foldName      = "ytsum_fold"
	bigramName    = "ytsum_cjk_bigram"
	analyzerName  = "ytsum"
)

func init() {
	if err := registry.RegisterTokenizer(tokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return wordSymbolTokenizer{}, nil
	}); err != nil {
		panic(err)
	}
	if err := registry.RegisterTokenFilter(bigramName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return bigramFilter{inner: cjk.NewCJKBigramFilter(false)}, nil
	}); err != nil {
		panic(err)
	}
	if err := registry.RegisterTokenFilter(foldName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{fold: asciifolding.New()}, nil
	}); err != nil {
		panic(err)
	}
}

// analyzerConfig is the one analyzer for every field and for queries:
// Unicode words (UAX #29) plus symbol characters such as emoji, full-width
// forms normalised, lower case, accents folded (café = cafe), CJK text as
// overlapping bigrams (positions of other tokens kept), English stemming (summaries = summary).
var analyzerConfig = map[string]any{
	"type":      custom.Name,
	"tokenizer": tokenizerName,
	"token_filters": []any{
		cjk.WidthName,
		lowercase.Name,
		foldName,
		bigramName,
		en.SnowballStemmerName,
	},
}

// wordSymbolTokenizer is bleve's Unicode word tokenizer that also keeps
// symbol characters (emoji, ™, ♥ …, Unicode category So) as one-rune
// tokens, which the plain tokenizer drops, and the compounds people type
// with symbols inside or after a word ("C++", "C#", "100%", "AT&T",
// "C++20"). A compound is emitted as one token at the same position as its
// word parts (which are emitted too, so "100" still finds "100%"); the
// query side searches the compound alone (see buildQuery). Sentence
// punctuation (. ; : ! ?) leaves a gap in positions, so a phrase never
// matches across two sentences. Byte offsets refer to the input.
type wordSymbolTokenizer struct{}

// reCompound finds compounds: a word followed by + or # (and maybe more
// word: "c++20"), a number followed by %, or words joined by &.
var reCompound = regexp.MustCompile(`[\pL\pN]+[+#]+[\pL\pN]*|\pN+(?:[.,]\pN+)?%|[\pL\pN]+(?:&[\pL\pN]+)+`)

// compoundTokens returns the compound tokens of one match [start, end) of
// input: the whole compound, and for "c++20" also its head "c++".
func compoundTokens(input []byte, start, end, pos int) []*analysis.Token {
	toks := []*analysis.Token{{Term: input[start:end], Start: start, End: end, Position: pos, Type: analysis.AlphaNumeric}}
	m := input[start:end]
	if i := bytes.IndexAny(m, "+#"); i > 0 {
		j := i
		for j < len(m) && (m[j] == '+' || m[j] == '#') {
			j++
		}
		if j < len(m) {
			toks = append(toks, &analysis.Token{Term: input[start : start+j], Start: start, End: start + j, Position: pos, Type: analysis.AlphaNumeric})
		}
	}
	return toks
}

func (wordSymbolTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	comps := reCompound.FindAllIndex(input, -1)
	ci, compPos := 0, 0 // the next compound; the position of the current one (0: not started)
	seg := segment.NewWordSegmenterDirect(input)
	start, pos := 0, 1
	for seg.Segment() {
		b := seg.Bytes()
		end := start + len(b)
		for ci < len(comps) && start >= comps[ci][1] {
			ci, compPos = ci+1, 0
		}
		inComp := ci < len(comps) && start >= comps[ci][0]
		switch seg.Type() {
		case segment.None:
			for i := 0; i < len(b); {
				r, n := utf8.DecodeRune(b[i:])
				switch {
				case unicode.Is(unicode.So, r):
					out = append(out, &analysis.Token{Term: b[i : i+n], Start: start + i, End: start + i + n,
						Position: pos, Type: analysis.AlphaNumeric})
					pos++
				case strings.ContainsRune(".;:!?。！？", r) && !inComp:
					pos++ // a sentence boundary: phrases do not cross it
				}
				i += n
			}
		default:
			typ := analysis.AlphaNumeric
			switch seg.Type() {
			case segment.Ideo, segment.Kana:
				typ = analysis.Ideographic
			case segment.Number:
				typ = analysis.Numeric
			}
			if n := elided(b); n > 0 {
				b, start = b[n:], start+n
			}
			p := pos
			if inComp {
				if compPos == 0 {
					compPos = pos
					out = append(out, compoundTokens(input, comps[ci][0], comps[ci][1], pos)...)
					pos++
				}
				p = compPos
			} else {
				pos++
			}
			out = append(out, &analysis.Token{Term: b, Start: start, End: end, Position: p, Type: typ})
		}
		start = end
	}
	return out
}

// isCompound reports whether a token is a compound of the tokenizer ("c++",
// "at&t", "100%").
func isCompound(t *analysis.Token) bool {
	return bytes.ContainsAny(t.Term, "+#%&")
}

// bigramFilter is bleve's CJK bigram filter applied to each run of
// ideographic tokens alone. Bleve's filter renumbers every token's
// position, which would undo the tokenizer's shared positions (compounds)
// and sentence gaps; here other tokens keep them, shifted by what the
// bigrams of a run add.
type bigramFilter struct{ inner *cjk.CJKBigramFilter }

func (f bigramFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	has := false
	for _, t := range in {
		if t.Type == analysis.Ideographic {
			has = true
			break
		}
	}
	if !has {
		return in
	}
	out := make(analysis.TokenStream, 0, len(in))
	shift := 0
	for i := 0; i < len(in); {
		t := in[i]
		if t.Type != analysis.Ideographic {
			t.Position += shift
			out = append(out, t)
			i++
			continue
		}
		j := i
		for j < len(in) && in[j].Type == analysis.Ideographic {
			j++
		}
		base, lastIn := in[i].Position+shift, in[j-1].Position
		maxOut := base
		for _, r := range f.inner.Filter(append(analysis.TokenStream(nil), in[i:j]...)) {
			r.Position = base + r.Position - 1
			maxOut = max(maxOut, r.Position)
			out = append(out, r)
		}
		shift = maxOut - lastIn
		i = j
	}
	return out
}

// foldFilter removes accents and other diacritics (Lucene's ASCII folding)
// from each token, leaving offsets alone. Ideographic tokens pass unchanged.
type foldFilter struct {
	fold *asciifolding.AsciiFoldingFilter
}

func (f foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		for _, c := range t.Term {
			if c >= utf8.RuneSelf {
				t.Term = f.fold.Filter(t.Term)
				break
			}
		}
	}
	return in
}

// elisions are the French and Italian articles and particles written
// joined to the next word by an apostrophe (l'homme, d'espresso, qu'il,
// dell'arte); the tokenizer drops them so the word itself is searchable.
var elisions = map[string]bool{"l": true, "d": true, "j": true, "m": true, "n": true, "s": true, "t": true,
	"c": true, "qu": true, "jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true,
	"un": true, "dell": true, "all": true, "dall": true, "nell": true, "sull": true, "quell": true}

// elided returns the byte length of an elided article at the start of
// word (including its apostrophe), or 0.
func elided(word []byte) int {
	for i := 0; i < len(word) && i <= 7; {
		r, n := utf8.DecodeRune(word[i:])
		if r == '\'' || r == '’' || r == 'ʼ' {
			if i > 0 && i+n < len(word) && elisions[strings.ToLower(string(word[:i]))] {
				return i + n
			}
			return 0
		}
		i += n
	}
	return 0
}
