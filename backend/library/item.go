package library

import (
	"bytes"
	"encoding/json"

	"ytsum/backend/ytsum"
)

// Item is one library entry as the front doors show it: a video item of
// API.md §4 (source "cache") with, for search results, a snippet.
type Item struct {
	Summary *ytsum.Summary
	// Snippet is HTML: the escaped text around the best match with each
	// matched word in <mark>…</mark>; for List it is empty.
	Snippet string
	// TitleHTML is the escaped title with matches marked (search only).
	TitleHTML string
	// MatchField is where the snippet's matches are: "summary",
	// "transcript", "title" or "channel" (search only).
	MatchField string
	// Score is the search relevance (search only; higher is better).
	Score float64
}

// Result returns the item as a result item of API.md §4.
func (it Item) Result() ytsum.Result { return ytsum.VideoResult(it.Summary, ytsum.SourceCache) }

// itemExtra holds the fields an Item adds to the video item's JSON.
type itemExtra struct {
	Style           string  `json:"style,omitempty"`
	ThumbnailCached bool    `json:"thumbnail_cached"`
	VideoResolution string  `json:"video_resolution,omitempty"`
	Language        string  `json:"language,omitempty"`
	Snippet         string  `json:"snippet,omitempty"`
	TitleHTML       string  `json:"title_html,omitempty"`
	MatchField      string  `json:"match_field,omitempty"`
	Score           float64 `json:"score,omitempty"`
}

// MarshalJSON writes the video item of API.md §4 followed by "style",
// "thumbnail_cached" (true when GET /thumbnails/{video_id}.jpg will serve a
// local copy), "from_video" and "video_resolution" (when the summary was
// made from the video itself because no captions were usable: the UI says
// so), "language" (the summary's language) and, for search results, "snippet", "title_html",
// "match_field" and "score".
func (it Item) MarshalJSON() ([]byte, error) {
	base, err := json.Marshal(it.Result())
	if err != nil {
		return nil, err
	}
	extra, err := json.Marshal(itemExtra{Style: it.Summary.Style, ThumbnailCached: it.Summary.LocalThumbnail != "",
		VideoResolution: it.Summary.VideoResolution, Language: it.Summary.Language,
		Snippet: it.Snippet, TitleHTML: it.TitleHTML, MatchField: it.MatchField, Score: it.Score})
	if err != nil {
		return nil, err
	}
	base = bytes.TrimSuffix(base, []byte("}"))
	return append(append(base, `,`...), extra[1:]...), nil
}
