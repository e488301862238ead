// Package ytsum holds the domain vocabulary every other package speaks:
// videos, transcripts, summaries, result items, jobs, events and error codes.
// It imports only the standard library and holds no logic beyond encoding.
package ytsum

import (
	"fmt"
	"time"
)

// Video is what YouTube tells us about one video.
type Video struct {
	ID              string `json:"video_id"`
	Title           string `json:"title"`
	Channel         string `json:"channel"`
	ChannelID       string `json:"channel_id,omitempty"`
	DurationSeconds int    `json:"duration_seconds"`
	ThumbnailURL    string `json:"thumbnail_url"`
	// LocalThumbnail is the file name of the cached thumbnail in the data
	// directory, empty until it is cached.
	LocalThumbnail string `json:"local_thumbnail,omitempty"`
}

// WatchURL returns the canonical watch URL of video id.
func WatchURL(id string) string { return "https://www.youtube.com/watch?v=" + id }

// Segment is one caption line: start and duration in seconds.
type Segment struct {
	Start    float64 `json:"start"`
	Duration float64 `json:"duration"`
	Text     string  `json:"text"`
}

// Transcript kinds record how a transcript was obtained.
const (
	TranscriptManual     = "manual"     // uploaded by the creator
	TranscriptGenerated  = "generated"  // YouTube's automatic speech recognition
	TranscriptTranslated = "translated" // machine-translated by YouTube (tlang)
)

// Transcript is a video's captions in one language.
type Transcript struct {
	VideoID      string    `json:"video_id"`
	Language     string    `json:"language"`      // BCP-47 code of the text, e.g. "en", "pt-BR"
	LanguageName string    `json:"language_name"` // as YouTube names it, e.g. "English (auto-generated)"
	Kind         string    `json:"kind"`          // TranscriptManual, TranscriptGenerated or TranscriptTranslated
	Source       string    `json:"source"`        // "innertube", "yt-dlp"
	Segments     []Segment `json:"segments"`
	FetchedAt    time.Time `json:"fetched_at"`
	// Wanted are the languages, in order of preference, asked for when it
	// was fetched: a cached transcript in another language is the best for
	// those languages only (package youtube).
	Wanted []string `json:"wanted,omitempty"`
}

// Text returns the transcript's text, segments joined by spaces.
func (t *Transcript) Text() string {
	n := 0
	for _, s := range t.Segments {
		n += len(s.Text) + 1
	}
	b := make([]byte, 0, n)
	for i, s := range t.Segments {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, s.Text...)
	}
	return string(b)
}

// Timestamp formats seconds as [h:]mm:ss.
func Timestamp(seconds float64) string {
	s := int(seconds)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// PlaylistEntry is one video of a playlist. Error is set for entries that
// cannot be summarized (private or deleted videos); such entries are kept,
// never dropped silently.
type PlaylistEntry struct {
	VideoID         string `json:"video_id"`
	Title           string `json:"title"`
	DurationSeconds int    `json:"duration_seconds,omitempty"`
	Error           string `json:"error,omitempty"`
	// ErrorKind is the stable kind of Error (e.g. "video_private").
	ErrorKind string `json:"error_kind,omitempty"`
}

// Playlist is an expanded playlist: its title and every entry across all pages.
type Playlist struct {
	ID      string          `json:"playlist_id"`
	Title   string          `json:"title"`
	Entries []PlaylistEntry `json:"entries"`
}

// Channel is a channel's newest uploads (videos, not Shorts), newest first,
// at most the limit asked for.
type Channel struct {
	ID      string          `json:"channel_id"`
	Title   string          `json:"title"`
	Entries []PlaylistEntry `json:"entries"`
}

// Usage is the token usage a provider reported; zero when unknown.
type Usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

// SummaryOptions are the choices that shape a summary. Empty fields mean
// "the configured default".
type SummaryOptions struct {
	Model    string `json:"model,omitempty"`    // a model key, e.g. "gemini-2.5-flash", "local"
	Style    string `json:"style,omitempty"`    // "audio", "key_points", "chapters", "detailed", "custom"
	Length   string `json:"length,omitempty"`   // "short", "medium", "long"
	Language string `json:"language,omitempty"` // output language code, or "same" for the video's language
	// Regenerate bypasses the summary cache.
	Regenerate bool `json:"regenerate,omitempty"`
}

// SummaryInput is one video to summarize, as the job engine hands it to the
// summarizer.
type SummaryInput struct {
	Video Video
	// Transcript is the video's transcript; nil (or one without text) means
	// none is usable, and only Gemini models can then summarize, from the
	// video itself.
	Transcript *Transcript
	// Options are the request's choices; the summarizer resolves them.
	Options SummaryOptions
}

// Summary styles, lengths and the "same language" marker of SummaryOptions.
const (
	StyleAudio     = "audio"      // listening-friendly prose, the default
	StyleKeyPoints = "key_points" // bullets with [mm:ss] timestamps
	StyleChapters  = "chapters"   // sections with start times
	StyleDetailed  = "detailed"
	StyleCustom    = "custom" // the prompt template from settings

	LengthShort  = "short"
	LengthMedium = "medium"
	LengthLong   = "long"

	// LanguageSame as an output language means "the video's own language".
	LanguageSame = "same"
)

// Summary is one saved summary of one video with everything that shaped it.
type Summary struct {
	Video
	Text string `json:"summary"`

	Model         string `json:"model_used"`
	Provider      string `json:"provider"`
	Style         string `json:"style"`
	Length        string `json:"length"`
	Language      string `json:"language"`
	PromptVersion string `json:"prompt_version"`
	// CacheKey identifies the inputs that shaped this summary (model,
	// style, length, language, prompt version); see package summarize.
	CacheKey string `json:"cache_key"`
	// FromVideo is true when the summary was made from the video itself
	// (Gemini fileData) because no transcript was usable.
	FromVideo bool `json:"from_video,omitempty"`
	// VideoResolution is the media resolution the video was watched at when
	// FromVideo: "low" (~100 tokens a second) or "default" (~300).
	VideoResolution string `json:"video_resolution,omitempty"`
	// Note is one sentence for the reader about how the summary was made
	// when it differs from what was asked, e.g. that the chosen local model
	// was gone and the default made it instead; "" when none.
	Note               string `json:"note,omitempty"`
	TranscriptLanguage string `json:"transcript_language,omitempty"`
	TranscriptKind     string `json:"transcript_kind,omitempty"`

	Usage     Usage     `json:"usage"`
	ElapsedMS int64     `json:"elapsed_ms"`
	CreatedAt time.Time `json:"summarized_at"`
}

// SummaryKey names one saved summary: a video and the cache key of the
// inputs that shaped it (Summary.CacheKey).
type SummaryKey struct {
	VideoID  string
	CacheKey string
}

// SummaryLookup is what looking one SummaryKey up found: Summary is nil
// when there is no such summary; Err is set when it could not be read.
type SummaryLookup struct {
	Summary *Summary
	Err     error
}

// Result item types (API.md §4).
const (
	ResultVideo    = "video"
	ResultPlaylist = "playlist"
	// ResultChannel is a channel link: its newest uploads, as a playlist's
	// summaries are (API.md §4).
	ResultChannel = "channel"
	ResultError   = "error"
	// ResultAnswer ("answer", ask.go) is an ask job's item; its fields are in Result.Answer.
)

// Result sources of a video item.
const (
	SourceCache     = "cache"
	SourceGenerated = "generated"
)

// Result is one item of a job's results: a video, a playlist, or bad input
// (API.md §4). Its JSON shape depends on Type; see MarshalJSON (the tags
// name the members it writes, for generated models).
type Result struct {
	Type string `json:"type"` // ResultVideo, ResultPlaylist, ResultChannel or ResultError

	// video
	VideoID      string  `json:"video_id,omitempty"`
	Title        string  `json:"title,omitempty"`
	ThumbnailURL string  `json:"thumbnail_url,omitempty"`
	Summary      *string `json:"summary,omitempty"`
	VideoURL     string  `json:"video_url,omitempty"`
	Channel      string  `json:"channel,omitempty"`
	// ChannelID is the channel's UC… id: a channel item's own id, and a
	// video item's channel when known (the library's "Follow channel" needs
	// it; not in the original app's item).
	ChannelID       string     `json:"channel_id,omitempty"`
	DurationSeconds int        `json:"duration_seconds,omitempty"`
	ModelUsed       string     `json:"model_used,omitempty"`
	SummarizedAt    *time.Time `json:"summarized_at,omitempty"`
	Source          string     `json:"source,omitempty"` // SourceCache or SourceGenerated; empty while pending
	// FromVideo is true when the summary was made from the video itself
	// (no usable captions); Note is the summary's sentence on how it was
	// made when that differs from what was asked (Summary.Note). The UI
	// shows both on the item.
	FromVideo bool   `json:"from_video,omitempty"`
	Note      string `json:"note,omitempty"`

	// playlist
	PlaylistID string   `json:"playlist_id,omitempty"`
	Summaries  []Result `json:"summaries,omitempty"` // video results (their Type is ResultVideo; it is left out of their JSON)

	// channel items use ChannelID above, and their Title and Summaries as a playlist's

	// error items: the input that could not be used
	URL string `json:"url,omitempty"`

	// answer items (Type ResultAnswer): the whole item, encoded as is.
	// Its members are the item's own (MarshalJSON), so it has no JSON name.
	Answer *Answer `json:"-"`

	// Error is the user-facing sentence when this item failed; nil on success.
	Error *string `json:"error,omitempty"`
	// ErrorKind is the stable kind of the failure (see Error.Kind); not part of the contract but sent as "error_kind" so clients can tell failures apart.
	ErrorKind string `json:"error_kind,omitempty"`
}

// VideoResult returns a successful video item for s.
func VideoResult(s *Summary, source string) Result {
	text := s.Text
	at := s.CreatedAt
	return Result{Type: ResultVideo, VideoID: s.ID, Title: s.Title, ThumbnailURL: s.ThumbnailURL,
		Summary: &text, VideoURL: WatchURL(s.ID), Channel: s.Channel, ChannelID: s.ChannelID, DurationSeconds: s.DurationSeconds,
		ModelUsed: s.Model, SummarizedAt: &at, Source: source, FromVideo: s.FromVideo, Note: s.Note}
}

// FailedVideoResult returns a video item that failed with err's user message.
func FailedVideoResult(v Video, err error) Result {
	msg := ErrorMessage(err)
	return Result{Type: ResultVideo, VideoID: v.ID, Title: v.Title, ThumbnailURL: v.ThumbnailURL,
		VideoURL: WatchURL(v.ID), Channel: v.Channel, DurationSeconds: v.DurationSeconds,
		Error: &msg, ErrorKind: ErrorKind(err)}
}

// InputErrorResult returns a bad-input item for url.
func InputErrorResult(url string, err error) Result {
	msg := ErrorMessage(err)
	return Result{Type: ResultError, URL: url, Error: &msg, ErrorKind: ErrorKind(err)}
}
