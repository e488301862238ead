package search

import (
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
	analyzerName  = "ytsum"
)

func init() {
	if err := registry.RegisterTokenizer(tokenizerName, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return wordSymbolTokenizer{}, nil
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
// overlapping bigrams, English stemming (summaries = summary).
var analyzerConfig = map[string]any{
	"type":      custom.Name,
	"tokenizer": tokenizerName,
	"token_filters": []any{
		cjk.WidthName,
		lowercase.Name,
		foldName,
		cjk.BigramName,
		en.SnowballStemmerName,
	},
}

// wordSymbolTokenizer is bleve's Unicode word tokenizer that also keeps
// symbol characters (emoji, ™, ♥ …, Unicode category So) as one-rune
// tokens, which the plain tokenizer drops. Byte offsets refer to the input.
type wordSymbolTokenizer struct{}

func (wordSymbolTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	seg := segment.NewWordSegmenterDirect(input)
	start, pos := 0, 1
	for seg.Segment() {
		b := seg.Bytes()
		end := start + len(b)
		switch seg.Type() {
		case segment.None:
			for i := 0; i < len(b); {
				r, n := utf8.DecodeRune(b[i:])
				if unicode.Is(unicode.So, r) {
					out = append(out, &analysis.Token{Term: b[i : i+n], Start: start + i, End: start + i + n,
						Position: pos, Type: analysis.AlphaNumeric})
					pos++
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
			out = append(out, &analysis.Token{Term: b, Start: start, End: end, Position: pos, Type: typ})
			pos++
		}
		start = end
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
