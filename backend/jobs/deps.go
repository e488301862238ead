package jobs

import (
	"context"
	"ytsum/backend/youtube"

	"ytsum/backend/ytsum"
)

// YouTube is what the engine needs from the YouTube side. Implementations
// hold their own concurrency and rate limits (default: 2 requests at once);
// the engine calls them from many goroutines at once. Every method must
// return promptly once ctx is done. Errors should be *ytsum.Error values
// whose Message is shown on the item.
type YouTube interface {
	// Resolve parses rawURL. A link carrying both a video and a playlist is
	// the playlist when preferPlaylist is set, else the video. It should not
	// need the network (Decide and Estimate call it while answering a
	// request); an error makes the link a {"type":"error"} item.
	Resolve(ctx context.Context, rawURL string, preferPlaylist bool) (youtube.Link, error)
	// Playlist expands a playlist across all its pages.
	Playlist(ctx context.Context, id string) (*ytsum.Playlist, error)
	// Channel returns a channel's newest uploads, newest first: at most
	// limit of them (limit <= 0: the configured channel_video_limit). ref
	// is the channel link as submitted. Shorts-only and members-only
	// channels fail with their own sentence.
	Channel(ctx context.Context, ref string, limit int) (*ytsum.Channel, error)
	// Video returns a video's details.
	Video(ctx context.Context, id string) (ytsum.Video, error)
	// Transcript returns a video's captions (cached by the implementation)
	// in the first of languages it has; nil languages: the configured ones.
	Transcript(ctx context.Context, id string, languages []string) (*ytsum.Transcript, error)
}

// Summarizer is what the engine needs from the summarizing side.
// Implementations hold their own LLM concurrency limit (default 4) and
// retry policy; Summarize is called from many goroutines at once and must
// return promptly once ctx is done.
type Summarizer interface {
	// Resolve fills the defaults of opts (the model above all) and checks
	// them; an error is returned to the submitter as is.
	// ctx is the submitter's (the API keys may be read from the keychain).
	Resolve(ctx context.Context, opts ytsum.SummaryOptions) (ytsum.SummaryOptions, error)
	// CacheKey names the inputs that shape a summary of videoID with the
	// resolved opts; equal keys mean an existing summary can be reused.
	CacheKey(ctx context.Context, videoID string, opts ytsum.SummaryOptions) string
	// Summarize writes the summary of in.Video with the resolved
	// in.Options. in.Transcript is nil only when Config.TranscriptOptional
	// is set and no transcript could be fetched. onDelta receives the new
	// text as it streams (it never blocks).
	Summarize(ctx context.Context, in ytsum.SummaryInput, onDelta func(delta string)) (*ytsum.Summary, error)
}

// Records is where the engine keeps its job records (store.DB implements
// it). A record is a head and parts, opaque bytes owned by this package:
// a change writes the head only when it changed and the parts it touched,
// so the bytes written per change do not grow with the job. Every write
// must survive a crash of the process when it returns; a write with a head
// must also be synced to disk by then, while one of parts alone (a video's
// outcome) may reach the disk shortly after (store.DB journals it: a power
// loss can lose the last fraction of a second of progress, which a resumed
// job finds again in the library — the summary was saved first). Methods
// are called from many goroutines at once.
type Records interface {
	// PutJob writes, in one transaction, job id's head (when head is not
	// nil) and parts: each replaces the job's part of the same key (keys
	// are short ASCII strings).
	PutJob(id string, head []byte, parts map[string][]byte) error
	// Job reads a job's head and all its parts, from one snapshot; a
	// missing job is a *ytsum.Error with Code ytsum.CodeNotFound.
	Job(id string) (head []byte, parts map[string][]byte, err error)
	// ForEachJob calls fn for every job's head; fn may call Job.
	ForEachJob(fn func(id string, head []byte) error) error
	// DeleteJob removes a job's head and parts; summaries stay.
	DeleteJob(id string) error
}

// Summaries is the library of saved summaries, where the engine finds an
// existing summary and saves a new one (library.Library implements it).
// Methods are called from many goroutines at once.
type Summaries interface {
	// Summary looks a saved summary up by video and cache key.
	Summary(videoID, cacheKey string) (*ytsum.Summary, bool, error)
	// SummariesByKey looks many saved summaries up at once (the finished
	// videos of a stored job), in a few read transactions rather than one
	// per key: out[i] is what keys[i] found, as Summary would answer it
	// (a failed read sets Err on the keys it was reading).
	SummariesByKey(keys []ytsum.SummaryKey) (out []ytsum.SummaryLookup)
	// Save commits a summary (and indexes it); it must not wait on the
	// network.
	Save(ctx context.Context, s *ytsum.Summary) error
	// FetchThumbnail downloads the picture of video v when none is kept
	// yet, without recording it anywhere: Save finds it on disk and
	// records it in the summary's own write. The engine calls it beside
	// the summarizer call, under the job's context (a cancel stops it); a
	// failure is the implementation's to log.
	FetchThumbnail(ctx context.Context, v ytsum.Video)
	// RecordThumbnail records on the saved summary s the picture
	// FetchThumbnail kept after Save had looked for it (a download that
	// ended after the save). It does not touch the network: a picture
	// that failed to download is not asked for again. The engine calls it
	// once that download has ended, after the video's result is out.
	RecordThumbnail(s *ytsum.Summary)
}

// Publisher receives the engine's events (events.Broker implements it).
// Publish must not block.
type Publisher interface {
	Publish(ev ytsum.Event) uint64
}
