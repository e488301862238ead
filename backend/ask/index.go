package ask

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// analyzerName is the analyzer of passages and questions: Unicode words,
// full-width forms normalised, lower case, accents folded, CJK bigrams,
// English stop words removed (a question's "what did he say about" would
// otherwise outweigh its subject) and English stemming.
const analyzerName = "ytsum_ask"

const fieldText = "text"

func passageMapping() mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(analyzerName, map[string]any{
		"type":         custom.Name,
		"char_filters": []any{asciifolding.Name},
		"tokenizer":    unicode.Name,
		"token_filters": []any{
			cjk.WidthName,
			lowercase.Name,
			cjk.BigramName,
			en.StopName,
			en.SnowballStemmerName,
		},
	}); err != nil {
		panic("ask: analyzer config: " + err.Error()) // a programming error
	}
	im.DefaultAnalyzer = analyzerName
	im.ScoringModel = index.BM25Scoring
	dm := bleve.NewDocumentStaticMapping()
	fm := bleve.NewTextFieldMapping()
	fm.Analyzer = analyzerName
	fm.Store = false // the text is cut again from its source
	fm.IncludeTermVectors = false
	fm.IncludeInAll = false
	fm.DocValues = false
	dm.AddFieldMappingsAt(fieldText, fm)
	im.DefaultMapping = dm
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im
}

type textDoc struct {
	Text string `json:"text"`
}

// hit is one search result: a document id and its BM25 score.
type hit struct {
	id    string
	score float64
}

// questionQuery matches question (and, boosted lower, the previous
// question of the conversation, so that "and the price?" finds its subject).
func questionQuery(question, previous string) query.Query {
	q := bleve.NewMatchQuery(question)
	q.SetField(fieldText)
	q.Analyzer = analyzerName
	if strings.TrimSpace(previous) == "" {
		return q
	}
	p := bleve.NewMatchQuery(previous)
	p.SetField(fieldText)
	p.Analyzer = analyzerName
	p.SetBoost(0.4)
	return bleve.NewDisjunctionQuery(q, p)
}

// searchIndex returns up to size hits of q in idx, best first.
func searchIndex(ctx context.Context, idx bleve.Index, q query.Query, size int) ([]hit, error) {
	req := bleve.NewSearchRequestOptions(q, size, 0, false)
	res, err := idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("ask: searching passages: %w", err)
	}
	out := make([]hit, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = hit{id: h.ID, score: h.Score}
	}
	return out, nil
}

// Document ids of the library index: video id, '#', kind, passage index.
const (
	kindTranscript = 't'
	kindSummary    = 's'
)

func docID(videoID string, kind byte, i int) string {
	return videoID + "#" + string(kind) + strconv.Itoa(i)
}

func parseDocID(id string) (videoID string, kind byte, i int, ok bool) {
	at := strings.LastIndexByte(id, '#')
	if at < 0 || at+2 > len(id) {
		return "", 0, 0, false
	}
	n, err := strconv.Atoi(id[at+2:])
	if err != nil {
		return "", 0, 0, false
	}
	return id[:at], id[at+1], n, true
}

// newMemIndex returns an in-memory scorch index of passages. (bleve's
// NewMemOnly uses the older upsidedown index, which is several times slower
// to build and does not score with BM25.)
func newMemIndex() (bleve.Index, error) {
	return bleve.NewUsing("", passageMapping(), scorch.Name, scorch.Name, nil)
}
