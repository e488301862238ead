package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ytsum/backend/ytsum"
)

func itoa(n int) string { return strconv.Itoa(n) }

// readBody reads the (already capped) body.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, decodeReadError(err)
	}
	return b, nil
}

func decodeReadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return mbe
	}
	return ytsum.Wrap(err, ytsum.CodeInvalid, "invalid_request", "The request body could not be read.")
}

// serveJSON answers a request that one service serves: when the service is
// not wired (wired false) it answers 503 naming what and does not call; else
// it answers call's value as JSON with status, or call's error through
// writeError (so its code picks the status). call runs on the request's
// goroutine with the request's context.
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, wired bool, what string, status int,
	call func(ctx context.Context) (any, error)) {
	if !wired {
		s.unavailable(w, r, what)
		return
	}
	v, err := call(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// asNotFound replaces a not-found err by the contract's sentence msg, so the
// answer is 404 {"error": msg, "code": "not_found"}; other errors pass as
// they are.
func asNotFound(err error, msg string) error {
	if ytsum.ErrorCode(err) == ytsum.CodeNotFound {
		return &ytsum.Error{Code: ytsum.CodeNotFound, Kind: "not_found", Message: msg}
	}
	return err
}

// --- summarize and jobs ---

// asyncAnswer is the 202 body of /summarize (mode async) and /summarize_async.
type asyncAnswer struct {
	Mode          string `json:"mode,omitempty"`
	JobID         string `json:"job_id"`
	Status        string `json:"status"`
	Message       string `json:"message"`
	StreamURL     string `json:"stream_url"`
	StatusURL     string `json:"status_url"`
	EstimatedTime *int   `json:"estimated_time,omitempty"`
}

// readSummarizeRequest reads and checks the body of /summarize and
// /summarize_async.
func (s *Server) readSummarizeRequest(r *http.Request) (summarizeRequest, error) {
	body, err := readBody(r)
	if err != nil {
		return summarizeRequest{}, err
	}
	req, err := decodeSummarize(body)
	if err == nil {
		err = s.checkModel(req.Model)
	}
	if err != nil {
		return summarizeRequest{}, err
	}
	return req, nil
}

// checkModel refuses a model key the registry does not know, naming the
// keys it does know.
func (s *Server) checkModel(key string) error {
	if key == "" || s.svc.Models == nil {
		return nil
	}
	var avail, all []string
	for _, m := range s.svc.Models.Models() {
		if m.Key == key {
			return nil
		}
		all = append(all, m.Key)
		if m.Available {
			avail = append(avail, m.Key)
		}
	}
	if len(avail) == 0 {
		avail = all
	}
	return invalid("model", "Unsupported model: "+key+". Available models: "+strings.Join(avail, ", ")+".")
}

func (s *Server) handleSummarize(w http.ResponseWriter, r *http.Request) {
	if s.svc.Jobs == nil {
		s.unavailable(w, r, "Summarizing")
		return
	}
	req, err := s.readSummarizeRequest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	meta := req.metadata()
	start := time.Now()
	if s.svc.Jobs.Async(meta, req.ForceSync, req.ForceAsync) {
		job, err := s.svc.Jobs.Submit(r.Context(), meta)
		s.metrics.observe(modeAsync, time.Since(start), err)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		est := s.metrics.estimate(len(meta.URLs))
		if e, ok := s.svc.Jobs.(interface {
			Estimate(ytsum.JobMetadata) time.Duration
		}); ok {
			// The engine knows playlists and measured per-model times.
			est = int(math.Ceil(e.Estimate(meta).Seconds()))
		}
		writeJSON(w, http.StatusAccepted, asyncAnswer{Mode: "async", JobID: job.ID, Status: "accepted",
			Message: "Job submitted for processing", StreamURL: "/jobs/" + job.ID + "/stream",
			StatusURL: "/jobs/" + job.ID, EstimatedTime: &est})
		return
	}
	// A synchronous summary may take minutes: no write deadline until the end.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	results, err := s.svc.Jobs.SubmitAndWait(r.Context(), meta)
	s.metrics.observe(modeSync, time.Since(start), err)
	if err == nil {
		s.metrics.observeItems(len(meta.URLs), time.Since(start))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if results == nil {
		results = []ytsum.Result{}
	}
	s.withWriteDeadline(w, s.cfg.WriteTimeout)
	writeJSON(w, http.StatusOK, struct {
		Mode    string         `json:"mode"`
		Results []ytsum.Result `json:"results"`
	}{"sync", results})
}

func (s *Server) handleSummarizeAsync(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Jobs != nil, "Summarizing", http.StatusAccepted, func(ctx context.Context) (any, error) {
		req, err := s.readSummarizeRequest(r)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		job, err := s.svc.Jobs.Submit(ctx, req.metadata())
		s.metrics.observe(modeAsync, time.Since(start), err)
		if err != nil {
			return nil, err
		}
		return asyncAnswer{JobID: job.ID, Status: "accepted", Message: "Job submitted for processing",
			StreamURL: "/jobs/" + job.ID + "/stream", StatusURL: "/jobs/" + job.ID}, nil
	})
}

func (s *Server) handleGetJob(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Jobs != nil, "The job list", http.StatusOK, func(ctx context.Context) (any, error) {
		job, err := s.svc.Jobs.Get(ctx, r.PathValue("id"))
		if err != nil {
			return nil, asNotFound(err, "Job not found")
		}
		return ytsum.JobJSON(job), nil
	})
}

func (s *Server) handleListJobs(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Jobs != nil, "The job list", http.StatusOK, func(ctx context.Context) (any, error) {
		q := r.URL.Query()
		status := ytsum.JobStatus(q.Get("status"))
		switch status {
		case "", ytsum.JobPending, ytsum.JobRunning, ytsum.JobCompleted, ytsum.JobFailed, ytsum.JobCancelled:
		default:
			return nil, invalid("status", "Unknown status "+strconv.Quote(string(status))+
				"; use pending, running, completed, failed or cancelled.")
		}
		limit := 100
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, invalid("limit", "The limit must be a whole number of at least 1.")
			}
			limit = min(n, 1000)
		}
		jobs, err := s.svc.Jobs.List(ctx, status, limit)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		b.WriteString(`{"jobs":[`)
		for i, j := range jobs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(ytsum.JobJSON(j))
		}
		b.WriteString(`]}`)
		return b.Bytes(), nil
	})
}

func (s *Server) handleCancelJob(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Jobs != nil, "The job list", http.StatusOK, func(ctx context.Context) (any, error) {
		job, err := s.svc.Jobs.Cancel(ctx, r.PathValue("id"))
		if err != nil {
			return nil, asNotFound(err, "Job not found")
		}
		return struct {
			Message string          `json:"message"`
			Job     json.RawMessage `json:"job"`
		}{"Job cancelled", ytsum.JobJSON(job)}, nil
	})
}

func (s *Server) handleAPIStatus(w http.ResponseWriter, r *http.Request) {
	models := []ModelInfo{}
	avail := []string{}
	if s.svc.Models != nil {
		for _, m := range s.svc.Models.Models() {
			models = append(models, m)
			if m.Available {
				avail = append(avail, m.Key)
			}
		}
	}
	var keys KeyStatus
	if s.svc.Settings != nil {
		keys = s.svc.Settings.KeysSet(r.Context())
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"async_processing_enabled": s.cfg.asyncEnabled(),
		"sse_enabled":              s.cfg.sseEnabled(),
		"available_models":         avail,
		"models":                   models,
		"google_api_key_set":       keys.GoogleAPIKey,
		"openai_api_key_set":       keys.OpenAIAPIKey,
		"tts_available":            s.svc.Speech != nil && s.svc.Speech.Available(),
		"version":                  s.cfg.Version,
		"login_enabled":            s.loginRequired(),
	})
}

// --- library ---

// queryInt returns the integer parameter name, or def when absent or not a
// number (the original app's lenient parsing).
func queryInt(q map[string][]string, name string, def int) (int, bool) {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return def, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
	if err != nil {
		return def, true
	}
	return n, true
}

func (s *Server) handleCachedSummaries(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Library != nil, "The library", http.StatusOK, func(ctx context.Context) (any, error) {
		q := r.URL.Query()
		lq := ListQuery{Sort: q.Get("sort"), Channel: q.Get("channel"), Model: q.Get("model")}
		switch lq.Sort {
		case "", "newest", "oldest", "title", "channel":
		default:
			return nil, invalid("sort", "Unknown sort "+strconv.Quote(lq.Sort)+"; use newest, oldest, title or channel.")
		}
		page, hasPage := queryInt(q, "page", 1)
		perPage, hasPer := queryInt(q, "per_page", 10)
		if hasPage || hasPer {
			if page < 1 {
				page = 1
			}
			if perPage < 1 {
				perPage = 10
			}
			perPage = min(perPage, 100)
			lq.Offset, lq.Limit = (page-1)*perPage, perPage
			items, total, err := s.svc.Library.List(ctx, lq)
			if err != nil {
				return nil, err
			}
			if items == nil {
				items = []ytsum.Result{}
			}
			return struct {
				Summaries  []ytsum.Result `json:"summaries"`
				Total      int            `json:"total"`
				Page       int            `json:"page"`
				PerPage    int            `json:"per_page"`
				TotalPages int            `json:"total_pages"`
			}{items, total, page, perPage, (total + perPage - 1) / perPage}, nil
		}
		if limit, has := queryInt(q, "limit", 0); has && limit > 0 {
			lq.Limit = limit
		}
		items, _, err := s.svc.Library.List(ctx, lq)
		if err != nil {
			return nil, err
		}
		if items == nil {
			items = []ytsum.Result{}
		}
		return items, nil
	})
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Library != nil, "The library", http.StatusOK, func(ctx context.Context) (any, error) {
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if q == "" {
			return nil, invalid("q", "Query parameter 'q' is required and cannot be empty")
		}
		hits, err := s.svc.Library.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		b.WriteByte('[')
		for i, h := range hits {
			if i > 0 {
				b.WriteByte(',')
			}
			item, err := json.Marshal(h.Item)
			if err != nil {
				return nil, err
			}
			if h.Snippet != "" && len(item) > 1 && item[len(item)-1] == '}' {
				var sb bytes.Buffer
				enc := json.NewEncoder(&sb)
				enc.SetEscapeHTML(false)
				_ = enc.Encode(h.Snippet)
				snip := bytes.TrimSuffix(sb.Bytes(), []byte("\n"))
				item = append(item[:len(item)-1], `,"snippet":`...)
				item = append(append(item, snip...), '}')
			}
			b.Write(item)
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	})
}

// validVideoID accepts YouTube-like ids only (no path tricks).
func validVideoID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (s *Server) handleDeleteSummary(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Library != nil, "The library", http.StatusOK, func(ctx context.Context) (any, error) {
		var body struct {
			VideoID string `json:"video_id"`
		}
		if err := decodeJSON(r, &body, true); err != nil {
			return nil, err
		}
		if body.VideoID == "" {
			body.VideoID = r.URL.Query().Get("video_id")
		}
		if body.VideoID == "" {
			return nil, invalid("video_id", "video_id is required")
		}
		if !validVideoID(body.VideoID) {
			return nil, invalid("video_id", "That is not a YouTube video id.")
		}
		if err := s.svc.Library.Delete(ctx, body.VideoID); err != nil {
			return nil, asNotFound(err, "Summary not found")
		}
		return map[string]any{"success": true,
			"message": "Summary for video " + body.VideoID + " deleted successfully"}, nil
	})
}

func (s *Server) handleThumbnail(w http.ResponseWriter, r *http.Request) {
	if s.svc.Library == nil {
		s.unavailable(w, r, "The library")
		return
	}
	id := r.PathValue("video_id")
	if !validVideoID(id) {
		s.writeError(w, r, invalid("video_id", "That is not a YouTube video id."))
		return
	}
	data, ct, err := s.svc.Library.Thumbnail(r.Context(), id)
	if err != nil {
		if ytsum.ErrorCode(err) != ytsum.CodeNotFound {
			s.writeError(w, r, err)
			return
		}
		// Not cached (yet): the remote picture when the library knows it,
		// else a placeholder, so that an <img> never breaks.
		if rt, ok := s.svc.Library.(RemoteThumbnails); ok {
			if u := rt.RemoteThumbnailURL(r.Context(), id); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
				w.Header().Set("Cache-Control", "no-store")
				http.Redirect(w, r, u, http.StatusFound)
				return
			}
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Length", itoa(len(placeholderThumbnail)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = io.WriteString(w, placeholderThumbnail)
		}
		return
	}
	if ct == "" {
		ct = http.DetectContentType(data)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("Content-Length", itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

// placeholderThumbnail stands in for a thumbnail that is not cached: a
// neutral 16:9 card with a play sign, legible in light and dark themes.
const placeholderThumbnail = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="270" viewBox="0 0 480 270">` +
	`<rect width="480" height="270" fill="#8a919c"/><circle cx="240" cy="135" r="44" fill="#ffffff" fill-opacity="0.85"/>` +
	`<path d="M226 112v46l38-23z" fill="#8a919c"/></svg>`

func writeFile(w http.ResponseWriter, f ExportFile) {
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	if f.Filename != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+strings.Map(func(r rune) rune {
			if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
				return '_'
			}
			return r
		}, f.Filename)+`"`)
	}
	w.Header().Set("Content-Length", itoa(len(f.Content)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Content)
}

func (s *Server) handleExportSummary(w http.ResponseWriter, r *http.Request) {
	if s.svc.Library == nil {
		s.unavailable(w, r, "The library")
		return
	}
	id := r.PathValue("video_id")
	if !validVideoID(id) {
		s.writeError(w, r, invalid("video_id", "That is not a YouTube video id."))
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "md"
	}
	if format != "md" && format != "txt" && format != "json" {
		s.writeError(w, r, invalid("format", "Unknown format "+strconv.Quote(format)+"; use md, txt or json."))
		return
	}
	f, err := s.svc.Library.ExportSummary(r.Context(), id, format)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeFile(w, f)
}

func (s *Server) handleExportLibrary(w http.ResponseWriter, r *http.Request) {
	if s.svc.Library == nil {
		s.unavailable(w, r, "The library")
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	if format != "md" && format != "json" {
		s.writeError(w, r, invalid("format", "Unknown format "+strconv.Quote(format)+"; use md or json."))
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
	f, err := s.svc.Library.ExportLibrary(r.Context(), format)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeFile(w, f)
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	if s.svc.Library == nil {
		s.unavailable(w, r, "The library")
		return
	}
	// The path names a file on this machine's disk: only a client on this
	// machine may ask, even when login lets other machines in.
	if !isLoopbackHost(clientAddr(r)) {
		writeStatusError(w, http.StatusForbidden, ytsum.CodeUnauthorized,
			"Importing reads a file on the server's disk, so it only works from the machine the server runs on.")
		return
	}
	var body struct {
		Path string `json:"path"`
	}
	if err := decodeJSON(r, &body, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if strings.TrimSpace(body.Path) == "" {
		s.writeError(w, r, invalid("path", "Give the path of the original app's summary_cache.json."))
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
	rep, err := s.svc.Library.Import(r.Context(), body.Path)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rep.Errors == nil {
		rep.Errors = []string{}
	}
	writeJSON(w, http.StatusOK, rep)
}

// --- speech ---

func writeAudio(w http.ResponseWriter, audio []byte) {
	w.Header().Set("Content-Type", "audio/mpeg")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", itoa(len(audio)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(audio)
}

func (s *Server) handleSpeak(w http.ResponseWriter, r *http.Request) {
	if s.svc.Speech == nil {
		s.unavailable(w, r, "Text-to-speech")
		return
	}
	var req SpeakRequest
	if err := decodeJSON(r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if strings.TrimSpace(req.Text) == "" && req.VideoID == "" {
		s.writeError(w, r, invalid("text", "No text provided"))
		return
	}
	if req.VideoID != "" && !validVideoID(req.VideoID) {
		s.writeError(w, r, invalid("video_id", "That is not a YouTube video id."))
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(5 * time.Minute))
	audio, err := s.svc.Speech.Speak(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeAudio(w, audio)
}

// maxPreviewRunes is where preview text is cut, as in the original app.
const maxPreviewRunes = 500

func (s *Server) handlePreviewVoice(w http.ResponseWriter, r *http.Request) {
	if s.svc.Speech == nil {
		s.unavailable(w, r, "Text-to-speech")
		return
	}
	var req struct {
		VoiceID string `json:"voice_id"`
		Text    string `json:"text"`
	}
	if err := decodeJSON(r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.VoiceID == "" {
		s.writeError(w, r, invalid("voice_id", "Choose a voice to preview (voice_id)."))
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		s.writeError(w, r, invalid("text", "No text provided"))
		return
	}
	if rs := []rune(req.Text); len(rs) > maxPreviewRunes {
		req.Text = string(rs[:maxPreviewRunes]) + "…"
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(2 * time.Minute))
	audio, err := s.svc.Speech.Preview(r.Context(), req.VoiceID, req.Text)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeAudio(w, audio)
}

func (s *Server) handleVoices(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Speech != nil, "Text-to-speech", http.StatusOK, func(ctx context.Context) (any, error) {
		v, err := s.svc.Speech.Voices(ctx)
		if err != nil {
			return nil, err
		}
		if v.Voices == nil {
			v.Voices = map[string]Voice{}
		}
		if v.Tiers == nil {
			v.Tiers = map[string][]string{}
		}
		return v, nil
	})
}

func (s *Server) handleCacheStatus(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Speech != nil, "Text-to-speech", http.StatusOK, func(ctx context.Context) (any, error) {
		st, err := s.svc.Speech.CacheStatus(ctx)
		if err != nil {
			return nil, err
		}
		if st.Config == nil {
			st.Config = map[string]any{}
		}
		return st, nil
	})
}

func (s *Server) handleCacheCleanup(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Speech != nil, "Text-to-speech", http.StatusOK, func(ctx context.Context) (any, error) {
		c, err := s.svc.Speech.CacheCleanup(ctx)
		if err != nil {
			return nil, err
		}
		return struct {
			Success bool `json:"success"`
			CacheCleanup
		}{true, c}, nil
	})
}

// --- settings and backups ---

func (s *Server) handleGetSettings(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Settings != nil, "Settings", http.StatusOK, func(ctx context.Context) (any, error) {
		return s.svc.Settings.View(ctx)
	})
}

func (s *Server) handleSaveSettings(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Settings != nil, "Settings", http.StatusOK, func(ctx context.Context) (any, error) {
		body, err := readBody(r)
		if err != nil {
			return nil, err
		}
		var obj map[string]json.RawMessage
		if err := decodeBytes(body, &obj); err != nil {
			return nil, err
		}
		return s.svc.Settings.Apply(ctx, bytes.TrimSpace(body))
	})
}

func (s *Server) handleRevealToken(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Settings != nil, "Settings", http.StatusOK, func(ctx context.Context) (any, error) {
		tok, err := s.svc.Settings.RevealAPIToken(ctx)
		if err != nil {
			return nil, err
		}
		return map[string]string{"token": tok}, nil
	})
}

func (s *Server) handleRotateToken(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Settings != nil, "Settings", http.StatusOK, func(ctx context.Context) (any, error) {
		tok, err := s.svc.Settings.RotateAPIToken(ctx)
		if err != nil {
			return nil, err
		}
		s.log.Info("API token rotated", "remote", clientAddr(r))
		return map[string]string{"token": tok}, nil
	})
}

func (s *Server) handleListBackups(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Backups != nil, "Backups", http.StatusOK, func(ctx context.Context) (any, error) {
		list, err := s.svc.Backups.List(ctx)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []Backup{}
		}
		return map[string]any{"backups": list}, nil
	})
}

func (s *Server) handleCreateBackup(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Backups != nil, "Backups", http.StatusCreated, func(ctx context.Context) (any, error) {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
		b, err := s.svc.Backups.Create(ctx)
		if err != nil {
			return nil, err
		}
		return map[string]any{"success": true, "message": "Backup created", "backup": b}, nil
	})
}
