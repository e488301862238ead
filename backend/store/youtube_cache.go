package store

import (
	"ytsum/backend/ytsum"
)

// YouTubeCache adapts DB to the cache interface of package youtube, whose
// methods report a miss as (nil, nil) instead of an ok flag. Get one with
// DB.YouTubeCache; it is safe for concurrent use.
type YouTubeCache struct{ db *DB }

// YouTubeCache returns db as the youtube package's transcript and video
// details cache.
func (db *DB) YouTubeCache() YouTubeCache { return YouTubeCache{db: db} }

// Transcript returns the cached transcript of videoID in lang, or with lang
// "" the most recently fetched one of any language; nil when none.
func (c YouTubeCache) Transcript(videoID, lang string) (*ytsum.Transcript, error) {
	if lang != "" {
		tr, _, err := c.db.Transcript(videoID, lang)
		return tr, err
	}
	all, err := c.db.Transcripts(videoID)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	newest := all[0]
	for _, tr := range all[1:] {
		if tr.FetchedAt.After(newest.FetchedAt) {
			newest = tr
		}
	}
	return newest, nil
}

// PutTranscript caches t.
func (c YouTubeCache) PutTranscript(t *ytsum.Transcript) error { return c.db.PutTranscript(t) }

// Video returns the cached details of video id; nil when unknown.
func (c YouTubeCache) Video(id string) (*ytsum.Video, error) {
	v, ok, err := c.db.Video(id)
	if err != nil || !ok {
		return nil, err
	}
	return &v, nil
}

// PutVideo caches v.
func (c YouTubeCache) PutVideo(v ytsum.Video) error { return c.db.PutVideo(v) }
