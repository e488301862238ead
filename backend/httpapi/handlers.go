package httpapi

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"ytsum/backend/config"
	"ytsum/backend/jobs"
	"ytsum/backend/library"
	"ytsum/backend/summarize"

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

// readSummarizeRequest reads and checks the body of /summarize and
// /summarize_async.
func (s *Server) readSummarizeRequest(r *http.Request) (SummarizeRequest, error) {
	body, err := readBody(r)
	if err != nil {
		return SummarizeRequest{}, err
	}
	return s.decodeSummarize(r.Context(), body)
}

// checkModel refuses a model key the registry does not know, naming the
// keys it does know.
func (s *Server) checkModel(ctx context.Context, key string) error {
	if key == "" || s.svc.Models == nil {
		return nil
	}
	var avail, all []string
	for _, m := range s.svc.Models.Models(ctx) {
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
	if s.svc.Summarize == nil {
		s.unavailable(w, r, "Summarizing")
		return
	}
	req, err := s.readSummarizeRequest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	jr := req.request()
	start := time.Now()
	if s.svc.Summarize.Decide(r.Context(), jr) == jobs.ModeAsync {
		job, err := s.svc.Summarize.Submit(r.Context(), jr)
		s.metrics.observe(modeAsync, time.Since(start), err)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// The engine knows playlists and measured per-model times.
		est := int(math.Ceil(s.svc.Summarize.Estimate(r.Context(), jr).Seconds()))
		a := accepted(job.ID)
		a.Mode, a.EstimatedTime = "async", &est
		writeJSON(w, http.StatusAccepted, a)
		return
	}
	// A synchronous summary may take minutes: no write deadline until the end.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	job, err := s.svc.Summarize.SubmitAndWait(r.Context(), jr)
	if err == nil {
		err = jobs.Failure(job)
	}
	failed := err
	if err == nil && nothingSummarized(job) {
		// 200 with every item an error (YouTube refusing, a bad key): a
		// failure for the error-rate alert.
		failed = errNothingSummarized
	}
	s.metrics.observe(modeSync, time.Since(start), failed)
	if err == nil {
		s.metrics.observeItems(len(jr.URLs), time.Since(start))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := job.Results
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
	s.serveJSON(w, r, s.svc.Summarize != nil, "Summarizing", http.StatusAccepted, func(ctx context.Context) (any, error) {
		body, err := readBody(r)
		if err != nil {
			return nil, err
		}
		var req SummarizeRequest
		if err := decodeBytes(body, &req); err != nil {
			return nil, err
		}
		return s.SubmitJob(ctx, req)
	})
}

func (s *Server) handleGetJob(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) {
		return s.Job(ctx, r.PathValue("id"))
	})
}

func (s *Server) handleListJobs(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Jobs != nil, "The job list", http.StatusOK, func(ctx context.Context) (any, error) {
		q := r.URL.Query()
		limit := 0
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, invalid("limit", "The limit must be a whole number of at least 1.")
			}
			limit = n
		}
		return s.Jobs(ctx, ytsum.JobStatus(q.Get("status")), limit)
	})
}

func (s *Server) handleCancelJob(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) {
		return s.CancelJob(ctx, r.PathValue("id"))
	})
}

func (s *Server) handleAPIStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.APIStatus(r.Context()))
}

// APIStatus is the answer of GET /api_status (members in name order).
type APIStatus struct {
	AsyncProcessingEnabled bool              `json:"async_processing_enabled"`
	AvailableModels        []string          `json:"available_models"`
	DefaultModel           string            `json:"default_model"`
	Defaults               Defaults          `json:"defaults"`
	GoogleAPIKeySet        bool              `json:"google_api_key_set"`
	LocalServers           []LocalServer     `json:"local_servers,omitempty"`
	LoginEnabled           bool              `json:"login_enabled"`
	Models                 []summarize.Model `json:"models"`
	OpenAIAPIKeySet        bool              `json:"openai_api_key_set"`
	SSEEnabled             bool              `json:"sse_enabled"`
	Theme                  string            `json:"theme,omitempty"`
	TTSAvailable           bool              `json:"tts_available"`
	TTSEngine              string            `json:"tts_engine,omitempty"`
	Version                string            `json:"version"`
}

// APIStatus is GET /api_status: what is configured and available.
func (s *Server) APIStatus(ctx context.Context) APIStatus {
	st := APIStatus{AsyncProcessingEnabled: s.cfg.asyncEnabled(), SSEEnabled: s.cfg.sseEnabled(),
		Models: []summarize.Model{}, AvailableModels: []string{}, Version: s.cfg.Version, LoginEnabled: s.loginRequired(),
		TTSAvailable: s.svc.Speech != nil && s.svc.Speech.Available(ctx)}
	if s.svc.Models != nil {
		for _, m := range s.svc.Models.Models(ctx) {
			st.Models = append(st.Models, m)
			if m.Available {
				st.AvailableModels = append(st.AvailableModels, m.Key)
			}
		}
	}
	if s.svc.Settings != nil {
		st.GoogleAPIKeySet = s.svc.Settings.HasSecret(ctx, config.SecretGeminiKey)
		st.OpenAIAPIKeySet = s.svc.Settings.HasSecret(ctx, config.SecretOpenAIKey)
	}
	s.statusDefaults(ctx, &st)
	return st
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
		lq := LibraryQuery{Sort: q.Get("sort"), Channel: q.Get("channel"), Model: q.Get("model"),
			Subscription: q.Get("subscription"), New: q.Get("new") == "1" || q.Get("new") == "true"}
		page, hasPage := queryInt(q, "page", 1)
		perPage, hasPer := queryInt(q, "per_page", 10)
		if hasPage || hasPer || lq.Subscription != "" || lq.New {
			lq.Page, lq.PerPage = page, perPage
			return s.Library(ctx, lq)
		}
		// The original app's unpaged form: a plain array.
		if err := checkSort(lq.Sort); err != nil {
			return nil, err
		}
		all := library.Query{Sort: lq.Sort, Channel: lq.Channel, Model: lq.Model}
		if limit, has := queryInt(q, "limit", 0); has && limit > 0 {
			all.Limit = limit
		}
		items, _, err := s.svc.Library.Results(ctx, all)
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
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) {
		q := r.URL.Query()
		return s.SearchLibrary(ctx, SearchQuery{Q: q.Get("q"), Subscription: q.Get("subscription"),
			New: q.Get("new") == "1" || q.Get("new") == "true"})
	})
}

func (s *Server) handleLibraryStatus(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) { return s.LibraryStatus(ctx) })
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
		return s.DeleteSummary(ctx, body.VideoID)
	})
}

func (s *Server) handleThumbnail(w http.ResponseWriter, r *http.Request) {
	if s.svc.Thumbnails == nil {
		s.unavailable(w, r, "The library")
		return
	}
	id := r.PathValue("video_id")
	if !validVideoID(id) {
		s.writeError(w, r, invalid("video_id", "That is not a YouTube video id."))
		return
	}
	data, ct, err := s.svc.Thumbnails.Thumbnail(id)
	if err != nil {
		if ytsum.ErrorCode(err) != ytsum.CodeNotFound {
			s.writeError(w, r, err)
			return
		}
		// Not cached (yet): the remote picture when the library knows it,
		// else a placeholder, so that an <img> never breaks.
		if u := s.svc.Thumbnails.RemoteThumbnailURL(id); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, u, http.StatusFound)
			return
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
	writeImage(w, r, data, ct, 86400)
}

// writeImage answers 200 with a picture (no body for HEAD), cacheable by
// the browser for maxAge seconds.
func writeImage(w http.ResponseWriter, r *http.Request, data []byte, ct string, maxAge int) {
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, max-age="+itoa(maxAge))
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

func writeFile(w http.ResponseWriter, f library.Export) {
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	if f.FileName != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+strings.Map(func(r rune) rune {
			if r < 0x20 || r == '"' || r == '\\' || r > 0x7e {
				return '_'
			}
			return r
		}, f.FileName)+`"`)
	}
	w.Header().Set("Content-Length", itoa(len(f.Data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}

func (s *Server) handleExportSummary(w http.ResponseWriter, r *http.Request) {
	f, err := s.ExportSummary(r.Context(), r.PathValue("video_id"), r.URL.Query().Get("format"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeFile(w, f)
}

func (s *Server) handleExportLibrary(w http.ResponseWriter, r *http.Request) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
	f, err := s.ExportLibrary(r.Context(), r.URL.Query().Get("format"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeFile(w, f)
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	if s.svc.Files == nil {
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
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) {
		return s.Import(ctx, body.Path)
	})
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
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(5 * time.Minute))
	audio, err := s.Speak(r.Context(), req)
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
	var req PreviewRequest
	if err := decodeJSON(r, &req, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(2 * time.Minute))
	audio, err := s.PreviewVoice(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeAudio(w, audio)
}

func (s *Server) handleVoices(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) {
		return s.VoicesFor(ctx, r.URL.Query().Get("language"))
	})
}

func (s *Server) handleCacheStatus(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) { return s.CacheStatus(ctx) })
}

func (s *Server) handleCacheCleanup(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) { return s.CacheCleanup(ctx) })
}

// --- settings and backups ---

func (s *Server) handleGetSettings(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) { return s.Settings(ctx) })
}

func (s *Server) handleSaveSettings(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Settings != nil, "Settings", http.StatusOK, func(ctx context.Context) (any, error) {
		body, err := readBody(r)
		if err != nil {
			return nil, err
		}
		var obj map[string]any // the HTTP API's own sentences for a body that is no object
		if err := decodeBytes(body, &obj); err != nil {
			return nil, err
		}
		patch, err := config.ParsePatch(body)
		if err != nil {
			return nil, err
		}
		return s.SaveSettings(ctx, patch, config.ApplyOptions{})
	})
}

func (s *Server) handleRevealToken(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) { return s.RevealAPIToken(ctx) })
}

func (s *Server) handleRotateToken(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) {
		tok, err := s.RotateAPIToken(ctx)
		if err == nil {
			s.log.Info("API token rotated", "remote", clientAddr(r))
		}
		return tok, err
	})
}

func (s *Server) handleListBackups(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) { return s.Backups(ctx) })
}

func (s *Server) handleCreateBackup(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusCreated, func(ctx context.Context) (any, error) {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Minute))
		return s.CreateBackup(ctx)
	})
}

var errNothingSummarized = errors.New("every item failed")

// nothingSummarized reports whether a finished job has items and every one
// of them failed.
func nothingSummarized(job *ytsum.Job) bool {
	n, failed := 0, 0
	var walk func(rs []ytsum.Result)
	walk = func(rs []ytsum.Result) {
		for _, r := range rs {
			if len(r.Summaries) > 0 {
				walk(r.Summaries)
				continue
			}
			n++
			if r.Error != nil {
				failed++
			}
		}
	}
	if job != nil {
		walk(job.Results)
	}
	return n > 0 && failed == n
}
