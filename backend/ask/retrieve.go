package ask

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"ytsum/backend/ytsum"
)

// videoIndex is one transcript's passages and their in-memory index.
type videoIndex struct {
	key      string
	passages []Passage
	tokens   int
	idx      bleve.Index // nil when the transcript is short enough to send whole

	// refs counts the callers using idx (guarded by videoCache.mu); an
	// evicted index is closed when the last one releases it.
	refs    int
	evicted bool
}

// videoCache keeps the indexes of the most recently asked videos. Safe for
// concurrent use; two callers asking about the same new video at once may
// both build its index (the second one wins), which costs time, not
// correctness. Every get must be followed by a release of what it returned.
type videoCache struct {
	mu      sync.Mutex
	max     int
	entries []*videoIndex // least recently used first
}

func transcriptKey(tr *ytsum.Transcript) string {
	return tr.VideoID + "\x00" + tr.Language + "\x00" + strconv.FormatInt(tr.FetchedAt.UnixNano(), 36) +
		"\x00" + strconv.Itoa(len(tr.Segments))
}

// get returns the index of tr, building it (outside the lock) on a miss.
// wholeTokens is the size under which no search index is built.
func (c *videoCache) get(tr *ytsum.Transcript, wholeTokens int) (*videoIndex, error) {
	key := transcriptKey(tr)
	c.mu.Lock()
	for i, e := range c.entries {
		if e.key == key {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			e.refs++
			c.mu.Unlock()
			return e, nil
		}
	}
	c.mu.Unlock()

	vi := &videoIndex{key: key, passages: Passages(tr)}
	vi.tokens = tokens(vi.passages)
	if vi.tokens > wholeTokens {
		idx, err := newMemIndex()
		if err != nil {
			return nil, fmt.Errorf("ask: creating a passage index: %w", err)
		}
		b := idx.NewBatch()
		for _, p := range vi.passages {
			if err := b.Index(strconv.Itoa(p.Index), textDoc{Text: p.Text}); err != nil {
				_ = idx.Close()
				return nil, fmt.Errorf("ask: indexing passage %d: %w", p.Index, err)
			}
		}
		if err := idx.Batch(b); err != nil {
			_ = idx.Close()
			return nil, fmt.Errorf("ask: indexing passages: %w", err)
		}
		vi.idx = idx
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.key == key { // built meanwhile by another caller: replace
			c.entries = append(c.entries[:i:i], c.entries[i+1:]...)
			c.evictLocked(e)
			break
		}
	}
	vi.refs = 1
	c.entries = append(c.entries, vi)
	for len(c.entries) > c.max {
		c.evictLocked(c.entries[0])
		c.entries = c.entries[1:]
	}
	return vi, nil
}

// release ends a use of vi (from get).
func (c *videoCache) release(vi *videoIndex) {
	c.mu.Lock()
	defer c.mu.Unlock()
	vi.refs--
	if vi.evicted && vi.refs == 0 && vi.idx != nil {
		_ = vi.idx.Close()
	}
}

// evictLocked marks vi evicted and closes its index unless it is in use
// (then its last release closes it). c.mu must be held.
func (c *videoCache) evictLocked(vi *videoIndex) {
	vi.evicted = true
	if vi.refs == 0 && vi.idx != nil {
		_ = vi.idx.Close()
	}
}

// retrieval is what a question gets from one video's transcript.
type retrieval struct {
	passages []Passage // in time order
	whole    bool      // the whole transcript
	hits     int       // passages that matched the question
}

// retrieve picks the passages of vi for question: all of them when the
// transcript is short; else the best BM25 hits, each followed by its
// neighbours, as long as they fit budget tokens. Without any hit (a
// question such as "what is this about?") it samples passages evenly over
// the video. With extract set (the offline answer) it returns only the best
// hits, at most maxExtract, and nothing when none matched.
func retrieve(ctx context.Context, vi *videoIndex, question, previous string, budget int, extract bool) (retrieval, error) {
	if vi.idx == nil && !extract {
		return retrieval{passages: vi.passages, whole: true, hits: len(vi.passages)}, nil
	}
	var order []int
	if vi.idx != nil {
		hits, err := searchIndex(ctx, vi.idx, questionQuery(question, previous), 12)
		if err != nil {
			return retrieval{}, err
		}
		for _, h := range hits {
			if i, err := strconv.Atoi(h.id); err == nil && i >= 0 && i < len(vi.passages) {
				order = append(order, i)
			}
		}
	} else {
		order = rankSmall(ctx, vi.passages, question, previous)
	}
	r := retrieval{hits: len(order)}
	if extract {
		order = order[:min(len(order), maxExtract)]
		for _, i := range order {
			r.passages = append(r.passages, vi.passages[i])
		}
		slices.SortFunc(r.passages, func(a, b Passage) int { return a.Index - b.Index })
		return r, nil
	}
	r.passages = pick(vi.passages, order, budget)
	return r, nil
}

// maxExtract is how many passages an offline answer quotes.
const maxExtract = 3

// pick returns, in time order, the passages of order (best first) and each
// one's neighbours (before, after) that fit budget; without any, passages
// spread evenly over all.
func pick(all []Passage, order []int, budget int) []Passage {
	chosen := map[int]bool{}
	used := 0
	add := func(i int) {
		if i < 0 || i >= len(all) || chosen[i] || used+all[i].Tokens > budget {
			return
		}
		chosen[i] = true
		used += all[i].Tokens
	}
	for _, i := range order {
		add(i)
		add(i - 1)
		add(i + 1)
	}
	if len(order) == 0 && len(all) > 0 {
		n := max(1, budget/max(1, tokens(all)/len(all)))
		for k := range n {
			add(k * len(all) / n)
		}
	}
	var out []Passage
	for i := range all {
		if chosen[i] {
			out = append(out, all[i])
		}
	}
	return out
}

// rankSmall ranks the passages of a transcript too short to have an index
// (offline extracts only) with a throwaway index, searched under ctx.
func rankSmall(ctx context.Context, ps []Passage, question, previous string) []int {
	idx, err := newMemIndex()
	if err != nil {
		return nil
	}
	defer idx.Close()
	b := idx.NewBatch()
	for _, p := range ps {
		_ = b.Index(strconv.Itoa(p.Index), textDoc{Text: p.Text})
	}
	if idx.Batch(b) != nil {
		return nil
	}
	hits, err := searchIndex(ctx, idx, questionQuery(question, previous), maxExtract)
	if err != nil {
		return nil
	}
	var out []int
	for _, h := range hits {
		if i, err := strconv.Atoi(h.id); err == nil {
			out = append(out, i)
		}
	}
	return out
}
