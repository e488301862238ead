package search

import (
	"context"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Limits that keep one query's cost bounded whatever the user pastes.
const (
	maxQueryBytes = 1000
	maxQueryUnits = 32
	// DefaultLimit is the number of hits Search returns when limit <= 0.
	DefaultLimit = 50
)

// Span is a matched word's byte range [Start, End) in a field's text.
type Span struct{ Start, End int }

// Hit is one matching document.
type Hit struct {
	ID    string
	Score float64
	// Spans maps a field name (FieldTitle …) to the matched byte ranges in
	// that field's text, sorted and not overlapping.
	Spans map[string][]Span
}

// Results are the hits of one search, best first, and how many documents
// matched in all.
type Results struct {
	Hits  []Hit
	Total int
}

// Search finds documents matching q (see the package comment for the query
// language) and returns up to limit hits (DefaultLimit when limit <= 0),
// best match first. A query with no searchable characters matches nothing
// (it is not an error). Cancelling ctx stops the search.
func (ix *Index) Search(ctx context.Context, q string, limit int) (Results, error) {
	return ix.SearchIDs(ctx, q, limit, nil)
}

// SearchIDs is Search among the documents ids only (the library's
// subscription and "new" filters); nil ids means every document, an empty
// non-nil slice none. The ranking is Search's: the filter only removes.
func (ix *Index) SearchIDs(ctx context.Context, q string, limit int, ids []string) (Results, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if ids != nil && len(ids) == 0 {
		return Results{}, nil
	}
	bq := ix.buildQuery(q)
	if bq == nil {
		return Results{}, nil
	}
	if ids != nil {
		bq = bleve.NewConjunctionQuery(bq, bleve.NewDocIDQuery(ids))
	}
	req := bleve.NewSearchRequestOptions(bq, limit, 0, false)
	req.IncludeLocations = true
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return Results{}, indexErr(err, "searching")
	}
	out := Results{Total: int(res.Total), Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		hit := Hit{ID: h.ID, Score: h.Score, Spans: map[string][]Span{}}
		for field, terms := range h.Locations {
			var spans []Span
			for _, locs := range terms {
				for _, l := range locs {
					spans = append(spans, Span{Start: int(l.Start), End: int(l.End)})
				}
			}
			hit.Spans[field] = mergeSpans(spans)
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// unit is one thing the user asked for: a word, or a quoted phrase.
type unit struct {
	text   string
	phrase bool
}

// parseQuery splits q into words and "quoted phrases". Straight and curly
// double quotes delimit phrases; an unclosed quote runs to the end.
// last reports whether the final unit is an unquoted word still being
// typed (no trailing space), which also matches as a prefix.
func parseQuery(q string) (units []unit, last bool) {
	if len(q) > maxQueryBytes {
		q = strings.ToValidUTF8(q[:maxQueryBytes], "")
	}
	var cur strings.Builder
	inQuote := false
	flush := func(phrase bool) {
		if s := strings.TrimSpace(cur.String()); s != "" {
			units = append(units, unit{text: s, phrase: phrase})
		}
		cur.Reset()
	}
	for _, r := range q {
		switch {
		case r == '"' || r == '“' || r == '”' || r == '„':
			flush(inQuote)
			inQuote = !inQuote
		case unicode.IsSpace(r) && !inQuote:
			flush(false)
		default:
			cur.WriteRune(r)
		}
	}
	flush(inQuote)
	if len(units) > maxQueryUnits {
		units = units[:maxQueryUnits]
	}
	trimmed := strings.TrimRightFunc(q, unicode.IsSpace)
	last = len(units) > 0 && !units[len(units)-1].phrase && len(trimmed) == len(q) && !inQuote &&
		!strings.HasSuffix(q, `"`) && !strings.HasSuffix(q, "”")
	return units, last
}

// buildQuery turns user text into a bleve query: every word or phrase must
// match in some field (conjunction of per-field disjunctions, weighted by
// field), and all words in order as one phrase score extra. nil means
// nothing searchable.
func (ix *Index) buildQuery(q string) query.Query {
	units, lastIsPrefix := parseQuery(q)
	an := ix.idx.Mapping().AnalyzerNamed(analyzerName)
	var must []query.Query
	var all []string
	for i, u := range units {
		toks := queryTokens(an.Analyze([]byte(u.text)))
		if len(toks) == 0 {
			continue
		}
		terms := make([]string, len(toks))
		for j, t := range toks {
			terms[j] = string(t.Term)
		}
		all = append(all, terms...)
		var alts []query.Query
		for _, f := range fieldBoosts {
			if len(terms) == 1 {
				tq := bleve.NewTermQuery(terms[0])
				tq.SetField(f.name)
				tq.SetBoost(f.boost)
				alts = append(alts, tq)
				if i == len(units)-1 && lastIsPrefix && prefixable(toks[0]) {
					pq := bleve.NewPrefixQuery(terms[0])
					pq.SetField(f.name)
					pq.SetBoost(f.boost * 0.5)
					alts = append(alts, pq)
				}
			} else {
				pq := bleve.NewPhraseQuery(terms, f.name)
				pq.SetBoost(f.boost)
				alts = append(alts, pq)
			}
		}
		must = append(must, bleve.NewDisjunctionQuery(alts...))
	}
	if len(must) == 0 {
		return nil
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(must...)
	if len(must) > 1 && len(all) > 1 {
		for _, f := range fieldBoosts {
			pq := bleve.NewPhraseQuery(all, f.name)
			pq.SetBoost(f.boost * 2)
			bq.AddShould(pq)
		}
	}
	return bq
}

// queryTokens keeps, of a unit's tokens, what must match: a compound
// ("c++", "at&t", "100%") stands for itself, so the word parts inside it
// (and a shorter compound inside a longer one) are dropped, and the
// compound must match exactly. Tokens come back in position order.
func queryTokens(toks analysis.TokenStream) analysis.TokenStream {
	var comps analysis.TokenStream
	for _, t := range toks {
		if isCompound(t) {
			comps = append(comps, t)
		}
	}
	if len(comps) == 0 {
		return toks
	}
	out := toks[:0:0]
	for _, t := range toks {
		inside := false
		for _, c := range comps {
			if c != t && t.Start >= c.Start && t.End <= c.End && (t.End-t.Start < c.End-c.Start) {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Position < out[j].Position })
	return out
}

// prefixable reports whether a token is worth a prefix expansion: at least
// three characters and not CJK (whose bigrams already match partially).
func prefixable(t *analysis.Token) bool {
	return utf8.RuneCount(t.Term) >= 3 && t.Type != analysis.Ideographic && t.Type != analysis.Double &&
		t.Type != analysis.Single
}

func mergeSpans(s []Span) []Span {
	if len(s) == 0 {
		return nil
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Start < s[j].Start || s[i].Start == s[j].Start && s[i].End > s[j].End })
	out := s[:1]
	for _, x := range s[1:] {
		lastSpan := &out[len(out)-1]
		if x.Start <= lastSpan.End {
			if x.End > lastSpan.End {
				lastSpan.End = x.End
			}
			continue
		}
		out = append(out, x)
	}
	return out
}
