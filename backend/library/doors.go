package library

import (
	"bytes"
	"context"
	"encoding/json"

	"ytsum/backend/ytsum"
)

// The methods below give the front doors (package httpapi, and through it
// the window) the library's entries as the contract's video items.

// Results is Query with the entries as video items (API.md §4). ctx is
// checked before reading.
func (l *Library) Results(ctx context.Context, q Query) ([]ytsum.Result, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	items, total, err := l.Query(q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]ytsum.Result, len(items))
	for i, it := range items {
		out[i] = it.Result()
	}
	return out, total, nil
}

// Hit is one search result: the video item and, when the index made one,
// an HTML snippet with <mark> around matches (everything else escaped).
type Hit struct {
	Item    ytsum.Result `json:"item"`
	Snippet string       `json:"snippet,omitempty"`
}

// MarshalJSON writes the item's own object with "snippet" added as its
// last member (GET /search_summaries), the snippet's markup unescaped.
func (h Hit) MarshalJSON() ([]byte, error) {
	item, err := json.Marshal(h.Item)
	if err != nil || h.Snippet == "" || len(item) < 2 || item[len(item)-1] != '}' {
		return item, err
	}
	var sb bytes.Buffer
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(h.Snippet)
	snip := bytes.TrimSuffix(sb.Bytes(), []byte("\n"))
	item = append(item[:len(item)-1], `,"snippet":`...)
	return append(append(item, snip...), '}'), nil
}

// Find searches the library (see Search) and returns the hits as video
// items with their snippets, best first.
func (l *Library) Find(ctx context.Context, query string) ([]Hit, error) {
	return l.FindIn(ctx, query, nil)
}

// FindIn is Find among the videos ids only (nil: all, empty: none).
func (l *Library) FindIn(ctx context.Context, query string, ids []string) ([]Hit, error) {
	items, err := l.SearchIn(ctx, query, 0, ids)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, len(items))
	for i, it := range items {
		hits[i] = Hit{Item: it.Result(), Snippet: it.Snippet}
	}
	return hits, nil
}

// RemoteThumbnailURL is the remote thumbnail of a summarized video ("" when
// unknown): where GET /thumbnails/{id} redirects when none is cached.
func (l *Library) RemoteThumbnailURL(videoID string) string {
	s, err := l.Latest(videoID)
	if err != nil || s == nil {
		return ""
	}
	return s.ThumbnailURL
}
