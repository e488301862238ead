package ask

import (
	"context"
	"strconv"

	"ytsum/backend/store"
	"ytsum/backend/ytsum"
)

// StoreSource reads videos, transcripts and the library from the
// application's database. It is both the VideoSource and the LibrarySource
// of an Asker; *store.DB itself is its ConversationStore. Safe for
// concurrent use.
type StoreSource struct{ DB *store.DB }

// Video returns the details of videoID when the library knows the video:
// from its newest summary, or from the cached details when it has a saved
// transcript but no summary. ok is false otherwise.
func (s StoreSource) Video(ctx context.Context, videoID string) (ytsum.Video, bool, error) {
	if sum, ok, err := s.DB.Latest(videoID); err != nil || ok {
		if sum == nil {
			return ytsum.Video{}, false, err
		}
		return sum.Video, true, nil
	}
	v, ok, err := s.DB.Video(videoID)
	if err != nil || !ok {
		return ytsum.Video{}, false, err
	}
	trs, err := s.DB.Transcripts(videoID)
	return v, err == nil && len(trs) > 0, err
}

// Transcript returns the transcript of videoID to answer from: the one the
// newest summary was made from when it is saved, else the most recently
// fetched; nil when none is saved.
func (s StoreSource) Transcript(ctx context.Context, videoID string) (*ytsum.Transcript, error) {
	trs, err := s.DB.Transcripts(videoID)
	if err != nil || len(trs) == 0 {
		return nil, err
	}
	if sum, ok, err := s.DB.Latest(videoID); err == nil && ok && sum.TranscriptLanguage != "" {
		for _, tr := range trs {
			if tr.Language == sum.TranscriptLanguage {
				return tr, nil
			}
		}
	}
	best := trs[0]
	for _, tr := range trs[1:] {
		if tr.FetchedAt.After(best.FetchedAt) {
			best = tr
		}
	}
	return best, nil
}

// ForEachVersion calls fn with every library entry and its newest
// summary's cache key and time. A transcript saved again without a new
// summary keeps the version (summaries are what bring transcripts in).
func (s StoreSource) ForEachVersion(ctx context.Context, fn func(videoID, version string) error) error {
	return s.DB.ForEachLibraryVersion(func(v store.LibraryVersion) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(v.VideoID, v.CacheKey+"@"+strconv.FormatInt(v.SummarizedAt.UnixNano(), 36))
	})
}

// Document returns the library entry of videoID with its transcript.
func (s StoreSource) Document(ctx context.Context, videoID string) (Document, bool, error) {
	sum, ok, err := s.DB.Latest(videoID)
	if err != nil || !ok {
		return Document{}, false, err
	}
	tr, err := s.Transcript(ctx, videoID)
	if err != nil {
		return Document{}, false, err
	}
	return Document{Video: sum.Video, Transcript: tr, Summary: sum.Text}, true, nil
}
