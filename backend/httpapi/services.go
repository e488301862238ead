package httpapi

import (
	"context"
	"time"

	"ytsum/backend/config"
	"ytsum/backend/events"
	"ytsum/backend/jobs"
	"ytsum/backend/library"
	"ytsum/backend/store"
	"ytsum/backend/summarize"
	"ytsum/backend/tts"
	"ytsum/backend/tts/audio"
	"ytsum/backend/ytsum"
)

// The interfaces below are what the HTTP API consumes, one per route group;
// package main hands it the owners' services (jobs, events, library, tts,
// config, summarize, store) in backend.go. Every method may be called from many
// goroutines at once and must be safe for that. Errors crossing these
// interfaces should be *ytsum.Error values: their Code picks the HTTP status
// (ytsum.Code.HTTPStatus) and their Message is shown to the user. Any other
// error is answered as 500 with a generic sentence and logged.

// Summarizer starts jobs (*jobs.Engine): the summarize routes.
type Summarizer interface {
	// Decide says whether a /summarize request runs as a background job or
	// synchronously (see jobs.Engine.Decide).
	Decide(ctx context.Context, req jobs.Request) jobs.Mode
	// Estimate is how long a job for req should take (the estimated_time
	// of an async /summarize answer).
	Estimate(ctx context.Context, req jobs.Request) time.Duration
	// Submit persists a job for req and returns it (status pending) without
	// waiting. A full queue returns ytsum.ErrBusy; bad input a CodeInvalid
	// error.
	Submit(ctx context.Context, req jobs.Request) (*ytsum.Job, error)
	// SubmitAndWait runs req to its end and returns the finished job. It
	// returns when ctx is cancelled (the client went away) with an error.
	SubmitAndWait(ctx context.Context, req jobs.Request) (*ytsum.Job, error)
}

// Jobs reads and cancels jobs (*jobs.Engine): the /jobs routes, the
// stream's snapshot and the metrics.
type Jobs interface {
	// Get returns the job with id, or a CodeNotFound error.
	Get(ctx context.Context, id string) (*ytsum.Job, error)
	// Snapshot is Get with the Seq of the last event published about the
	// job before the copy was taken: the job's events with a higher Seq
	// are newer than the copy, the others are in it.
	Snapshot(ctx context.Context, id string) (*ytsum.Job, uint64, error)
	// List returns up to limit jobs (limit <= 0: all), newest first, only
	// those with status when status is not empty.
	List(ctx context.Context, status ytsum.JobStatus, limit int) ([]*ytsum.Job, error)
	// Cancel cancels the job and returns its new state: CodeNotFound for an
	// unknown id, CodeConflict when the job has already finished.
	Cancel(ctx context.Context, id string) (*ytsum.Job, error)
	// Metrics counts the jobs the engine knows, by status.
	Metrics() jobs.Metrics
}

// Events is the event broker the SSE stream reads (*events.Broker).
type Events interface {
	// Seq is the sequence number of the last event published: the id of a
	// stream's first message.
	Seq() uint64
	// Subscribe returns a subscription to the events f selects, published
	// after the call, in Seq order; the stream reads it directly.
	Subscribe(f events.Filter) *events.Subscription
}

// Library is the store of summaries (*library.Library): the library routes.
type Library interface {
	// Results returns one page of video items (newest first unless q.Sort
	// says otherwise) and the number of items matching q's filters.
	Results(ctx context.Context, q library.Query) (items []ytsum.Result, total int, err error)
	// Find returns the items matching query, best match first.
	Find(ctx context.Context, query string) ([]library.Hit, error)
	// FindIn is Find among the videos ids only (nil: all, empty: none).
	FindIn(ctx context.Context, query string, ids []string) ([]library.Hit, error)
	// Delete removes a summary, its audio and its index entry; CodeNotFound
	// when there is none.
	Delete(videoID string) error
	// IndexingStatus is how many saved summaries search may still miss
	// (being indexed in the background) and about for how long.
	IndexingStatus() (library.IndexingStatus, error)
}

// Thumbnails are the library's pictures (*library.Library): GET
// /thumbnails/{id}.
type Thumbnails interface {
	// Thumbnail returns the locally cached thumbnail of a video and its
	// content type; CodeNotFound when none is cached.
	Thumbnail(videoID string) (data []byte, contentType string, err error)
	// RemoteThumbnailURL is the remote thumbnail of a summarized video (""
	// when unknown): the route redirects there (302) when none is cached,
	// else answers a placeholder SVG.
	RemoteThumbnailURL(videoID string) string
}

// Files moves summaries in and out of the library (*library.Library): the
// export and import routes.
type Files interface {
	// ExportOne renders the newest summary of videoID as f.
	ExportOne(videoID string, f library.Format) (library.Export, error)
	// ExportLibrary renders the whole library as f, named for today.
	ExportLibrary(ctx context.Context, f library.Format) (library.Export, error)
	// Import imports the original app's summary_cache.json at path (and its
	// audio_cache/ beside it). Importing twice adds nothing twice.
	Import(ctx context.Context, path string) (library.ImportReport, error)
}

// ImportReport is the outcome of an import (the JSON of POST /import).
type ImportReport struct {
	Added   int      `json:"added"`
	Skipped int      `json:"skipped"`
	Failed  int      `json:"failed"`
	Errors  []string `json:"errors"`
	// IndexingPending counts the summaries the search index is still
	// taking in (in the background) when the import returns, and
	// IndexingSeconds is about how long that takes (project additions).
	IndexingPending int `json:"indexing_pending"`
	IndexingSeconds int `json:"indexing_seconds"`
}

// Speech is text-to-speech (*tts.Service): /speak, /preview-voice and
// /api/voices.
type Speech interface {
	// Available reports whether speech can be made (a TTS credential is set
	// or cached audio exists for offline use).
	Available(ctx context.Context) bool
	// Speak returns the audio of req: req.Text, or the summary of
	// req.VideoID when Text is empty. CodeNotFound for an unknown video.
	Speak(ctx context.Context, req tts.SpeakRequest) (tts.Audio, error)
	// Preview returns audio of text read by voiceID.
	Preview(ctx context.Context, voiceID, text string) (tts.Audio, error)
	// Voices is the voice catalogue.
	Voices(ctx context.Context) tts.VoicesResponse
}

// AudioCache is the cache of spoken summaries (*audio.Cache): the
// /api/cache routes. Both calls touch only the local disk.
type AudioCache interface {
	// Status describes the audio cache (GET /api/cache/status).
	Status() (audio.Status, error)
	// Cleanup trims the audio cache (POST /api/cache/cleanup).
	Cleanup() (audio.CleanupResult, error)
}

// SpeakRequest is the body of POST /speak.
type SpeakRequest struct {
	Text    string `json:"text"`
	VideoID string `json:"video_id"`
	VoiceID string `json:"voice_id"`
	// Language (optional) is the BCP-47 code of the text; "" means the
	// summary's language for a video_id, else English.
	Language string `json:"language,omitempty"`
}

// Voice is one voice of the catalog (the original app's voice record).
type Voice struct {
	Name         string `json:"name"`
	DisplayName  string `json:"display_name"`
	LanguageCode string `json:"language_code"`
	Gender       string `json:"gender"`
	Accent       string `json:"accent"`
	Style        string `json:"style"`
	Tier         string `json:"tier"`
	Description  string `json:"description"`
	Quality      string `json:"quality"`
}

// VoiceCatalog is the answer of GET /api/voices.
type VoiceCatalog struct {
	Voices       map[string]Voice    `json:"voices"`
	Tiers        map[string][]string `json:"tiers"`
	CurrentVoice string              `json:"current_voice"`
	DefaultVoice string              `json:"default_voice"`
}

// Settings is the saved configuration.
type Settings interface {
	// View returns the settings view; a secret only ever as set/unset.
	View(ctx context.Context) (config.View, error)
	// ApplyWith applies a settings patch under opts and returns the new
	// View. Invalid values give a CodeInvalid error; an error that also has
	// a FieldErrors() map[string]string method adds "fields".
	ApplyWith(ctx context.Context, patch config.Patch, opts config.ApplyOptions) (config.View, error)
	// HasSecret reports whether the secret name (config.Secret…) is set.
	HasSecret(ctx context.Context, name string) bool
	// RevealAPIToken returns the API token for scripts.
	RevealAPIToken(ctx context.Context) (string, error)
	// RotateAPIToken replaces the API token and returns the new one.
	RotateAPIToken(ctx context.Context) (string, error)
}

// Models is the model registry.
type Models interface {
	// Models lists every known model, available or not, in display order.
	Models(ctx context.Context) []summarize.Model
}

// Backups makes and lists consistent database snapshots.
type Backups interface {
	// List returns the backups, newest first.
	List(ctx context.Context) ([]store.BackupInfo, error)
	// Create writes a consistent snapshot of the database and describes it.
	Create(ctx context.Context) (store.BackupInfo, error)
}

// Backup describes one snapshot file (the wire shape of store.BackupInfo).
type Backup struct {
	Name      string    `json:"name"`
	SizeBytes int64     `json:"size_bytes"`
	CreatedAt time.Time `json:"created_at"`
}

func backupOf(b store.BackupInfo) Backup {
	return Backup{Name: b.Name, SizeBytes: b.Size, CreatedAt: b.CreatedAt}
}

// Services are the backends the routes call, one small interface per
// route group. A nil service makes its routes answer 503 "unavailable".
type Services struct {
	Summarize  Summarizer
	Jobs       Jobs
	Events     Events
	Library    Library
	Thumbnails Thumbnails
	Files      Files
	Speech     Speech
	AudioCache AudioCache
	Settings   Settings
	Models     Models
	Backups    Backups
	// Ask and Conversations: POST /ask, /conversations (ask.go).
	Ask           Asking
	Conversations Conversations
	Diagnose      Diagnoser
	// Subscriptions: followed channels and playlists (subscriptions.go).
	Subscriptions Subscriptions
}
