package httpapi

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"ytsum/backend/config"
	"ytsum/backend/library"
	"ytsum/backend/tts"
	"ytsum/backend/tts/audio"
	"ytsum/backend/ytsum"
)

// The operations below are what both front doors call: each HTTP handler
// decodes its request, calls one of them and writes its answer as JSON; the
// desktop window's bound methods (package main) call the same operation and
// hand the same typed answer to Wails. So a browser and the window get the
// same JSON from one code path. Each is safe for concurrent use, honours
// ctx, and fails with *ytsum.Error values (CodeUnavailable when the service
// it needs is not wired, CodeInvalid naming the bad field, CodeNotFound with
// the contract's sentence).

// unwired is the error of an operation whose service is not wired.
func unwired(what string) error {
	return ytsum.Errorf(ytsum.CodeUnavailable, "service_unavailable",
		"%s is not available in this build or configuration.", what)
}

// SummarizeRequest is the body of POST /summarize and /summarize_async.
type SummarizeRequest struct {
	// URLs are the links: a JSON array of strings or one string with one
	// link per line.
	URLs           URLList `json:"urls"`
	Model          string  `json:"model"`
	Style          string  `json:"style"`
	Length         string  `json:"length"`
	Language       string  `json:"language"`
	PreferPlaylist bool    `json:"prefer_playlist"`
	Regenerate     bool    `json:"regenerate"`
	ForceSync      bool    `json:"force_sync"`
	ForceAsync     bool    `json:"force_async"`
	// Limit is how many of a channel link's newest uploads are summarized
	// (1–500); 0 or absent: the channel_video_limit setting.
	Limit int `json:"limit,omitempty"`
}

// JobAccepted is the 202 answer of /summarize (mode async) and
// /summarize_async.
type JobAccepted struct {
	Mode          string `json:"mode,omitempty"`
	JobID         string `json:"job_id"`
	Status        string `json:"status"`
	Message       string `json:"message"`
	StreamURL     string `json:"stream_url"`
	StatusURL     string `json:"status_url"`
	EstimatedTime *int   `json:"estimated_time,omitempty"`
}

func accepted(id string) JobAccepted {
	return JobAccepted{JobID: id, Status: "accepted", Message: "Job submitted for processing",
		StreamURL: "/jobs/" + id + "/stream", StatusURL: "/jobs/" + id}
}

// checkSummarize checks a summarize request (links given, one forcing
// flag at most, a known model).
func (s *Server) checkSummarize(ctx context.Context, req SummarizeRequest) error {
	if len(req.URLs) == 0 {
		return invalid("urls", "No links were given; paste at least one YouTube link.")
	}
	if req.ForceSync && req.ForceAsync {
		return invalid("force_sync", "Choose either force_sync or force_async, not both.")
	}
	if req.Limit < 0 || req.Limit > 500 {
		return invalid("limit", "The limit is how many of a channel's newest videos to summarize: a number from 1 to 500.")
	}
	return s.checkModel(ctx, req.Model)
}

// SubmitJob is POST /summarize_async: it queues a job for req and returns
// at once.
func (s *Server) SubmitJob(ctx context.Context, req SummarizeRequest) (JobAccepted, error) {
	if s.svc.Summarize == nil {
		return JobAccepted{}, unwired("Summarizing")
	}
	if err := s.checkSummarize(ctx, req); err != nil {
		return JobAccepted{}, err
	}
	start := s.cfg.now()
	job, err := s.svc.Summarize.Submit(ctx, req.request())
	s.metrics.observe(modeAsync, s.cfg.now().Sub(start), err)
	if err != nil {
		return JobAccepted{}, err
	}
	return accepted(job.ID), nil
}

// Job is GET /jobs/{id}.
func (s *Server) Job(ctx context.Context, id string) (*ytsum.Job, error) {
	if s.svc.Jobs == nil {
		return nil, unwired("The job list")
	}
	job, err := s.svc.Jobs.Get(ctx, id)
	if err != nil {
		return nil, asNotFound(err, "Job not found")
	}
	return job, nil
}

// JobList is the answer of GET /jobs.
type JobList struct {
	Jobs []*ytsum.Job `json:"jobs"`
}

// Jobs is GET /jobs: up to limit jobs (0: 100, at most 1000), newest
// first, only those with status when it is not empty.
func (s *Server) Jobs(ctx context.Context, status ytsum.JobStatus, limit int) (JobList, error) {
	if s.svc.Jobs == nil {
		return JobList{}, unwired("The job list")
	}
	if status != "" && !status.Valid() {
		return JobList{}, invalid("status", "Unknown status "+strconv.Quote(string(status))+
			"; use "+ytsum.JobStatusList()+".")
	}
	switch {
	case limit == 0:
		limit = 100
	case limit < 1:
		return JobList{}, invalid("limit", "The limit must be a whole number of at least 1.")
	}
	jobs, err := s.svc.Jobs.List(ctx, status, min(limit, 1000))
	if err != nil {
		return JobList{}, err
	}
	if jobs == nil {
		jobs = []*ytsum.Job{}
	}
	return JobList{Jobs: jobs}, nil
}

// JobCancelled is the answer of POST /jobs/{id}/cancel.
type JobCancelled struct {
	Message string     `json:"message"`
	Job     *ytsum.Job `json:"job"`
}

// CancelJob is POST /jobs/{id}/cancel.
func (s *Server) CancelJob(ctx context.Context, id string) (JobCancelled, error) {
	if s.svc.Jobs == nil {
		return JobCancelled{}, unwired("The job list")
	}
	job, err := s.svc.Jobs.Cancel(ctx, id)
	if err != nil {
		return JobCancelled{}, asNotFound(err, "Job not found")
	}
	return JobCancelled{Message: "Job cancelled", Job: job}, nil
}

// LibraryQuery is the paged form of GET /get_cached_summaries.
type LibraryQuery struct {
	Page    int    `json:"page"`     // 1-based; < 1 means 1
	PerPage int    `json:"per_page"` // < 1 means 10; at most 100
	Sort    string `json:"sort"`     // "", newest, oldest, title or channel
	Channel string `json:"channel"`  // only this channel, when not empty
	Model   string `json:"model"`    // only this model key, when not empty
	// Subscription keeps only the videos that subscription found; New only
	// the videos marked new (not opened yet). Either makes the answer paged.
	Subscription string `json:"subscription,omitempty"`
	New          bool   `json:"new,omitempty"`
}

// LibraryPage is the paged answer of GET /get_cached_summaries.
type LibraryPage struct {
	Summaries  []ytsum.Result `json:"summaries"`
	Total      int            `json:"total"`
	Page       int            `json:"page"`
	PerPage    int            `json:"per_page"`
	TotalPages int            `json:"total_pages"`
}

func checkSort(sort string) error {
	switch sort {
	case "", "newest", "oldest", "title", "channel":
		return nil
	}
	return invalid("sort", "Unknown sort "+strconv.Quote(sort)+"; use newest, oldest, title or channel.")
}

// Library is GET /get_cached_summaries with page or per_page.
func (s *Server) Library(ctx context.Context, q LibraryQuery) (LibraryPage, error) {
	if s.svc.Library == nil {
		return LibraryPage{}, unwired("The library")
	}
	if err := checkSort(q.Sort); err != nil {
		return LibraryPage{}, err
	}
	page, perPage := max(q.Page, 1), q.PerPage
	if perPage < 1 {
		perPage = 10
	}
	perPage = min(perPage, 100)
	ids, err := s.subscriptionFilter(q)
	if err != nil {
		return LibraryPage{}, err
	}
	items, total, err := s.svc.Library.Results(ctx, library.Query{Offset: (page - 1) * perPage, Limit: perPage,
		Sort: q.Sort, Channel: q.Channel, Model: q.Model, IDs: ids})
	if err != nil {
		return LibraryPage{}, err
	}
	if items == nil {
		items = []ytsum.Result{}
	}
	return LibraryPage{Summaries: items, Total: total, Page: page, PerPage: perPage,
		TotalPages: (total + perPage - 1) / perPage}, nil
}

// Search is GET /search_summaries: the items matching query, best first.
func (s *Server) Search(ctx context.Context, query string) ([]library.Hit, error) {
	return s.SearchLibrary(ctx, SearchQuery{Q: query})
}

// SearchQuery is GET /search_summaries?q=…&subscription=…&new=1: a search
// among the videos a subscription found and/or those marked new.
type SearchQuery struct {
	Q            string `json:"q"`
	Subscription string `json:"subscription,omitempty"`
	New          bool   `json:"new,omitempty"`
}

// SearchLibrary is GET /search_summaries with the library's subscription
// and "new" filters: the matching items among those videos, best first.
func (s *Server) SearchLibrary(ctx context.Context, q SearchQuery) ([]library.Hit, error) {
	if s.svc.Library == nil {
		return nil, unwired("The library")
	}
	query := strings.TrimSpace(q.Q)
	if query == "" {
		return nil, invalid("q", "Query parameter 'q' is required and cannot be empty")
	}
	ids, err := s.subscriptionFilter(LibraryQuery{Subscription: q.Subscription, New: q.New})
	if err != nil {
		return nil, err
	}
	hits, err := s.svc.Library.FindIn(ctx, query, ids)
	if hits == nil && err == nil {
		hits = []library.Hit{}
	}
	return hits, err
}

// LibraryStatus is the answer of GET /library/status (a project
// addition): how many saved summaries search may still miss because the
// index is taking them in (after an import, or a rebuild at start), and
// about how many seconds that takes; both 0 when search finds everything.
type LibraryStatus struct {
	IndexingPending int `json:"indexing_pending"`
	IndexingSeconds int `json:"indexing_seconds"`
}

// LibraryStatus is GET /library/status.
func (s *Server) LibraryStatus(ctx context.Context) (LibraryStatus, error) {
	if s.svc.Library == nil {
		return LibraryStatus{}, unwired("The library")
	}
	if err := ctx.Err(); err != nil {
		return LibraryStatus{}, err
	}
	st, err := s.svc.Library.IndexingStatus()
	if err != nil {
		return LibraryStatus{}, err
	}
	return LibraryStatus{IndexingPending: st.Pending, IndexingSeconds: st.Seconds()}, nil
}

// Deleted is the answer of DELETE /delete_summary.
type Deleted struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// DeleteSummary is DELETE /delete_summary.
func (s *Server) DeleteSummary(ctx context.Context, videoID string) (Deleted, error) {
	if s.svc.Library == nil {
		return Deleted{}, unwired("The library")
	}
	if videoID == "" {
		return Deleted{}, invalid("video_id", "video_id is required")
	}
	if !validVideoID(videoID) {
		return Deleted{}, invalid("video_id", "That is not a YouTube video id.")
	}
	if err := ctx.Err(); err != nil {
		return Deleted{}, err
	}
	if err := s.svc.Library.Delete(videoID); err != nil {
		return Deleted{}, asNotFound(err, "Summary not found")
	}
	return Deleted{Success: true, Message: "Summary for video " + videoID + " deleted successfully"}, nil
}

// checkFormat checks an export format against the ones offered.
func checkFormat(format string, offered ...string) error {
	for _, f := range offered {
		if f == format {
			return nil
		}
	}
	return invalid("format", "Unknown format "+strconv.Quote(format)+"; use "+orList(offered)+".")
}

// orList is "a, b or c".
func orList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

// ExportSummary is GET /export/{video_id}: one summary as md (default),
// txt or json.
func (s *Server) ExportSummary(ctx context.Context, videoID, format string) (library.Export, error) {
	if s.svc.Files == nil {
		return library.Export{}, unwired("The library")
	}
	if !validVideoID(videoID) {
		return library.Export{}, invalid("video_id", "That is not a YouTube video id.")
	}
	if format == "" {
		format = "md"
	}
	f, err := parseFormat(format, library.SummaryFormats)
	if err != nil {
		return library.Export{}, err
	}
	if err := ctx.Err(); err != nil {
		return library.Export{}, err
	}
	return s.svc.Files.ExportOne(videoID, f)
}

// parseFormat checks format against the offered ones and parses it.
func parseFormat(format string, offered []string) (library.Format, error) {
	if err := checkFormat(format, offered...); err != nil {
		return "", err
	}
	return library.ParseFormat(format)
}

// ExportLibrary is GET /export: the whole library as json (default) or md.
func (s *Server) ExportLibrary(ctx context.Context, format string) (library.Export, error) {
	if s.svc.Files == nil {
		return library.Export{}, unwired("The library")
	}
	if format == "" {
		format = "json"
	}
	f, err := parseFormat(format, library.LibraryFormats)
	if err != nil {
		return library.Export{}, err
	}
	return s.svc.Files.ExportLibrary(ctx, f)
}

// Import is POST /import: the original app's summary_cache.json at path.
// The caller has checked that the client is on this machine.
func (s *Server) Import(ctx context.Context, path string) (ImportReport, error) {
	if s.svc.Files == nil {
		return ImportReport{}, unwired("The library")
	}
	if strings.TrimSpace(path) == "" {
		return ImportReport{}, invalid("path", "Give the path of the original app's summary_cache.json.")
	}
	r, err := s.svc.Files.Import(ctx, path)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Added: r.Added, Skipped: r.Skipped, Failed: r.Failed, Errors: []string{},
		IndexingPending: r.IndexingPending, IndexingSeconds: r.IndexingSeconds}
	for _, f := range r.Failures {
		rep.Errors = append(rep.Errors, f.VideoID+": "+f.Reason)
	}
	return rep, nil
}

// Voices is GET /api/voices: the catalogue in the original app's shape,
// each tier listing its voice ids in order.
func (s *Server) Voices(ctx context.Context) (VoiceCatalog, error) {
	return s.VoicesFor(ctx, "")
}

// VoicesFor is GET /api/voices?language=xx: the catalogue filtered to the
// voices of language (and the offline voice), default_voice that
// language's default; "" is the whole catalogue (Voices).
func (s *Server) VoicesFor(ctx context.Context, language string) (VoiceCatalog, error) {
	if s.svc.Speech == nil {
		return VoiceCatalog{}, unwired("Text-to-speech")
	}
	if err := ctx.Err(); err != nil {
		return VoiceCatalog{}, err
	}
	var v tts.VoicesResponse
	if lf, ok := s.svc.Speech.(languageVoices); ok && strings.TrimSpace(language) != "" {
		v = lf.VoicesFor(ctx, strings.TrimSpace(language))
	} else {
		v = s.svc.Speech.Voices(ctx)
	}
	out := VoiceCatalog{Voices: map[string]Voice{}, Tiers: map[string][]string{},
		CurrentVoice: v.CurrentVoice, DefaultVoice: v.DefaultVoice}
	for id, x := range v.Voices {
		out.Voices[id] = Voice{Name: x.Name, DisplayName: x.DisplayName, LanguageCode: x.LanguageCode,
			Gender: x.Gender, Accent: x.Accent, Style: x.Style, Tier: x.Tier, Description: x.Description, Quality: x.Quality}
	}
	for tier, vs := range v.Tiers {
		ids := make([]string, len(vs))
		for i, x := range vs {
			ids[i] = x.Name
		}
		slices.Sort(ids)
		out.Tiers[tier] = ids
	}
	return out, nil
}

// CacheStatus is GET /api/cache/status.
func (s *Server) CacheStatus(ctx context.Context) (audio.Status, error) {
	if s.svc.AudioCache == nil {
		return audio.Status{}, unwired("Text-to-speech")
	}
	if err := ctx.Err(); err != nil {
		return audio.Status{}, err
	}
	return s.svc.AudioCache.Status()
}

// CacheCleanup is POST /api/cache/cleanup.
func (s *Server) CacheCleanup(ctx context.Context) (audio.CleanupResult, error) {
	if s.svc.AudioCache == nil {
		return audio.CleanupResult{}, unwired("Text-to-speech")
	}
	if err := ctx.Err(); err != nil {
		return audio.CleanupResult{}, err
	}
	c, err := s.svc.AudioCache.Cleanup()
	if err != nil {
		return audio.CleanupResult{}, err
	}
	c.Success = true
	return c, nil
}

// Settings is GET /settings.
func (s *Server) Settings(ctx context.Context) (config.View, error) {
	if s.svc.Settings == nil {
		return config.View{}, unwired("Settings")
	}
	return s.svc.Settings.View(ctx)
}

// SaveSettings is POST /settings (and the window's settings form): it
// applies patch under opts — the HTTP route passes the zero options, so a
// base-URL change there clears that provider's stored key; the window, the
// user at the keyboard, keeps it.
func (s *Server) SaveSettings(ctx context.Context, patch config.Patch, opts config.ApplyOptions) (config.View, error) {
	if s.svc.Settings == nil {
		return config.View{}, unwired("Settings")
	}
	return s.svc.Settings.ApplyWith(ctx, patch, opts)
}

// Token is the answer of the API-token reveal and rotate routes.
type Token struct {
	Token string `json:"token"`
}

// RevealAPIToken is POST /settings/api_token/reveal.
func (s *Server) RevealAPIToken(ctx context.Context) (Token, error) {
	if s.svc.Settings == nil {
		return Token{}, unwired("Settings")
	}
	tok, err := s.svc.Settings.RevealAPIToken(ctx)
	return Token{Token: tok}, err
}

// RotateAPIToken is POST /settings/api_token/rotate.
func (s *Server) RotateAPIToken(ctx context.Context) (Token, error) {
	if s.svc.Settings == nil {
		return Token{}, unwired("Settings")
	}
	tok, err := s.svc.Settings.RotateAPIToken(ctx)
	return Token{Token: tok}, err
}

// BackupList is the answer of GET /admin/backups.
type BackupList struct {
	Backups []Backup `json:"backups"`
}

// Backups is GET /admin/backups.
func (s *Server) Backups(ctx context.Context) (BackupList, error) {
	if s.svc.Backups == nil {
		return BackupList{}, unwired("Backups")
	}
	infos, err := s.svc.Backups.List(ctx)
	if err != nil {
		return BackupList{}, err
	}
	list := make([]Backup, len(infos))
	for i, b := range infos {
		list[i] = backupOf(b)
	}
	return BackupList{Backups: list}, nil
}

// BackupCreated is the 201 answer of POST /admin/backups.
type BackupCreated struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Backup  Backup `json:"backup"`
}

// CreateBackup is POST /admin/backups.
func (s *Server) CreateBackup(ctx context.Context) (BackupCreated, error) {
	if s.svc.Backups == nil {
		return BackupCreated{}, unwired("Backups")
	}
	b, err := s.svc.Backups.Create(ctx)
	if err != nil {
		return BackupCreated{}, err
	}
	return BackupCreated{Success: true, Message: "Backup created", Backup: backupOf(b)}, nil
}

// Speak is POST /speak: MP3 audio of req.Text, or of the summary of
// req.VideoID when Text is empty.
func (s *Server) Speak(ctx context.Context, req SpeakRequest) ([]byte, error) {
	if s.svc.Speech == nil {
		return nil, unwired("Text-to-speech")
	}
	if strings.TrimSpace(req.Text) == "" && req.VideoID == "" {
		return nil, invalid("text", "No text provided")
	}
	if req.VideoID != "" && !validVideoID(req.VideoID) {
		return nil, invalid("video_id", "That is not a YouTube video id.")
	}
	a, err := s.svc.Speech.Speak(ctx, tts.SpeakRequest{Text: req.Text, VideoID: req.VideoID, VoiceID: req.VoiceID, Language: req.Language})
	return a.Data, err
}

// PreviewRequest is the body of POST /preview-voice.
type PreviewRequest struct {
	VoiceID string `json:"voice_id"`
	Text    string `json:"text"`
}

// PreviewVoice is POST /preview-voice: MP3 audio of req.Text (cut at 500
// characters) read by req.VoiceID.
func (s *Server) PreviewVoice(ctx context.Context, req PreviewRequest) ([]byte, error) {
	if s.svc.Speech == nil {
		return nil, unwired("Text-to-speech")
	}
	if req.VoiceID == "" {
		return nil, invalid("voice_id", "Choose a voice to preview (voice_id).")
	}
	if strings.TrimSpace(req.Text) == "" {
		return nil, invalid("text", "No text provided")
	}
	if rs := []rune(req.Text); len(rs) > maxPreviewRunes {
		req.Text = string(rs[:maxPreviewRunes]) + "…"
	}
	a, err := s.svc.Speech.Preview(ctx, req.VoiceID, req.Text)
	return a.Data, err
}
