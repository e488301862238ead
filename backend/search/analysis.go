package search

import (
	"bytes"
	"hash/maphash"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en" // stemmer_en_snowball, named by indexes built before stemName
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/segment"
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// Names of the analysis pieces this package registers with bleve. The saved
// index mapping refers to them by name, so they must never change meaning;
// bump mappingVersion when they do.
const (
	tokenizerName = "ytsum_words_symbols"
	foldName      = "ytsum_fold"
	bigramName    = "ytsum_cjk_bigram"
	stemName      = "ytsum_stem_en"
	widthName     = "ytsum_cjk_width"
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
	if err := registry.RegisterTokenFilter(widthName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return widthFilter{inner: cjk.NewCJKWidthFilter()}, nil
	}); err != nil {
		panic(err)
	}
	if err := registry.RegisterTokenFilter(stemName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return newStemFilter(), nil
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
// overlapping bigrams (positions of other tokens kept), English stemming
// (summaries = summary). Indexes built before widthName and stemName existed
// name bleve's cjk_width and stemmer_en_snowball in their saved mapping
// instead: the same terms, computed more slowly.
var analyzerConfig = map[string]any{
	"type":      custom.Name,
	"tokenizer": tokenizerName,
	"token_filters": []any{
		widthName,
		lowercase.Name,
		foldName,
		bigramName,
		stemName,
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

// compoundSpans returns what reCompound.FindAllIndex(input, -1) returns,
// without running the regular expression over the whole text: a compound
// holds one of + # % & and lies inside a run of the characters a match can
// hold (letters, digits, + # . , % &), so only the runs around those
// symbols are matched, and text without them (most of it) costs one scan.
func compoundSpans(input []byte) [][]int {
	var out [][]int
	for pos := 0; pos < len(input); {
		k := bytes.IndexAny(input[pos:], compoundSymbols)
		if k < 0 {
			break
		}
		k += pos
		s, e := k, k
		for s > pos {
			r, n := utf8.DecodeLastRune(input[:s])
			if !inCompoundRun(r) {
				break
			}
			s -= n
		}
		for e < len(input) {
			r, n := utf8.DecodeRune(input[e:])
			if !inCompoundRun(r) {
				break
			}
			e += n
		}
		for _, m := range reCompound.FindAllIndex(input[s:e], -1) {
			out = append(out, []int{s + m[0], s + m[1]})
		}
		pos = e
	}
	return out
}

// compoundSymbols are the characters every compound holds one of.
const compoundSymbols = "+#%&"

// inCompoundRun reports whether r can be part of a match of reCompound.
func inCompoundRun(r rune) bool {
	switch r {
	case '+', '#', '%', '&', '.', ',':
		return true
	}
	return r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') ||
		r >= utf8.RuneSelf && r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r))
}

func (wordSymbolTokenizer) Tokenize(input []byte) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(input)/6+1)
	// Tokens come from slabs rather than one allocation each (as bleve's
	// own tokenizers do): a summary has hundreds.
	var slab []analysis.Token
	newToken := func(t analysis.Token) *analysis.Token {
		if len(slab) == cap(slab) {
			slab = make([]analysis.Token, 0, min(256, len(input)/6+1))
		}
		slab = append(slab, t)
		return &slab[len(slab)-1]
	}
	comps := compoundSpans(input)
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
					out = append(out, newToken(analysis.Token{Term: b[i : i+n], Start: start + i, End: start + i + n,
						Position: pos, Type: analysis.AlphaNumeric}))
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
			out = append(out, newToken(analysis.Token{Term: b, Start: start, End: end, Position: p, Type: typ}))
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

// stemFilter is bleve's English Snowball stemmer (stemmer_en_snowball)
// with a cache of the stems it has computed: words follow a Zipf
// distribution, so nearly every token is a word seen before, and stemming
// was the largest cost of indexing. The cache is shared by the analysis
// workers (sharded, read-mostly) and bounded; once full, new words are
// stemmed without being remembered.
type stemFilter struct {
	seed   maphash.Seed
	shards [stemShards]stemShard
}

const (
	stemShards   = 64
	stemPerShard = 4096 // 262,144 words in all, a few MB
)

type stemShard struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func newStemFilter() *stemFilter {
	f := &stemFilter{seed: maphash.MakeSeed()}
	for i := range f.shards {
		f.shards[i].m = map[string][]byte{}
	}
	return f
}

// Filter replaces each token's term by its stem. A cached stem is shared
// by the tokens that have it (nothing writes into a term after the last
// filter; its capacity is its length, so an append copies).
func (f *stemFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		sh := &f.shards[maphash.Bytes(f.seed, t.Term)%stemShards]
		sh.mu.RLock()
		stem, ok := sh.m[string(t.Term)]
		sh.mu.RUnlock()
		if !ok {
			word := string(t.Term)
			env := snowballstem.NewEnv(word)
			english.Stem(env)
			stem = []byte(env.Current())
			stem = stem[:len(stem):len(stem)]
			sh.mu.Lock()
			if len(sh.m) < stemPerShard {
				sh.m[word] = stem
			}
			sh.mu.Unlock()
		}
		t.Term = stem
	}
	return input
}

// widthFilter is bleve's CJK width filter (cjk_width: full-width ASCII and
// half-width katakana to their usual forms), which decodes every token into
// runes; a token of plain ASCII has nothing to change, so it is only copied
// (as the inner filter would have: later filters may write into it).
type widthFilter struct{ inner *cjk.CJKWidthFilter }

func (f widthFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	var wide analysis.TokenStream
	for _, t := range input {
		ascii := true
		for _, c := range t.Term {
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if ascii {
			t.Term = bytes.Clone(t.Term)
		} else {
			wide = append(wide, t)
		}
	}
	if len(wide) > 0 {
		f.inner.Filter(wide)
	}
	return input
}
