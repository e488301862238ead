package local

import (
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ar"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/bg"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ca"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ckb"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/cs"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/da"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/el"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/eu"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fa"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ga"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/gl"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hi"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hu"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/hy"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/it"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/nl"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/no"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/pt"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ro"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/sv"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/tr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// Analyzers: one per language, built on first use from bleve's registry
// (stopwords and stemming of the languages bleve ships); other languages get
// a plain lower-casing word tokenizer, where IDF alone discounts the common
// words.
var (
	analyzersMu sync.Mutex
	analyzers   = map[string]analysis.Analyzer{}
	bleveCache  = registry.NewCache()
	plain       = &analysis.DefaultAnalyzer{Tokenizer: unicode.NewUnicodeTokenizer(),
		TokenFilters: []analysis.TokenFilter{lowercase.NewLowerCaseFilter()}}
)

// analyzerName maps a BCP 47 language code to the name of bleve's analyzer
// for it ("" when bleve has none).
func analyzerName(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	base, _, _ = strings.Cut(base, "_")
	switch base {
	case "ja", "zh", "ko":
		return "cjk"
	case "nb", "nn":
		return "no"
	case "", "in", "id":
		return "" // bleve has Indonesian stopwords but no analyzer
	}
	return base
}

// analyzerFor returns the analyzer for a transcript language code. Safe for
// concurrent use; the analyzers themselves keep no state between calls.
func analyzerFor(lang string) analysis.Analyzer {
	name := analyzerName(lang)
	if name == "" {
		return plain
	}
	analyzersMu.Lock()
	defer analyzersMu.Unlock()
	if a, ok := analyzers[name]; ok {
		return a
	}
	a, err := bleveCache.AnalyzerNamed(name)
	if err != nil || a == nil {
		a = plain
	}
	analyzers[name] = a
	return a
}

// guessLanguage returns the language, among a few common ones bleve has
// analyzers for, whose stopwords make up the largest share (at least 15%) of
// the first 400 words of sents; "" when none does. It serves transcripts
// whose language code is unknown.
func guessLanguage(sents []Sentence) string {
	var words []string
	for _, s := range sents {
		words = append(words, strings.Fields(strings.ToLower(s.Text))...)
		if len(words) >= 400 {
			break
		}
	}
	best, bestN := "", len(words)*15/100
	for _, lang := range []string{"en", "es", "de", "fr", "pt", "it", "nl", "ru", "tr", "sv"} {
		a := analyzerFor(lang)
		n := 0
		for _, w := range words {
			if isStopword(a, w) {
				n++
			}
		}
		if n > bestN {
			best, bestN = lang, n
		}
	}
	return best
}

// tok is one analysed term of a text and the surface word it came from.
type tok struct {
	term, surface string
}

// analyze returns the content terms of text: lower-cased, stopwords removed
// and stemmed by the language's analyzer; single letters are dropped.
func analyze(a analysis.Analyzer, text string) []tok {
	in := []byte(text)
	ts := a.Analyze(in)
	out := make([]tok, 0, len(ts))
	for _, t := range ts {
		if len(t.Term) < 2 && t.Type != analysis.Ideographic {
			continue
		}
		surface := ""
		if t.Start >= 0 && t.End <= len(in) && t.Start < t.End {
			surface = string(in[t.Start:t.End])
		}
		out = append(out, tok{term: string(t.Term), surface: surface})
	}
	return out
}

// isStopword reports whether the analyzer drops word entirely (a function
// word such as "the", "und", "de").
func isStopword(a analysis.Analyzer, word string) bool {
	return len(a.Analyze([]byte(word))) == 0
}
