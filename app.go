package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/options/mac"
	"github.com/wailsapp/wails/v2/pkg/options/windows"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"ytsum/backend/events"
	"ytsum/backend/youtube"
	"ytsum/backend/ytsum"
)

// App is the one Wails-bound facade of the desktop window. Each bound
// method validates its input and calls the same backend the HTTP API
// serves — in process, through the API's own handler, so the window and a
// browser get the same JSON, byte for byte, from one code path (BINDINGS in
// the README lists the mapping). Errors reach the UI as {"error","code"}.
// This is the only file that imports the Wails runtime.
type App struct {
	svc   *Backend
	links []string // links from the command line, submitted once the window is up

	mu      sync.Mutex
	ctx     context.Context // the Wails context, set at startup
	focused atomic.Bool
}

// NewApp returns the facade over svc; args are links (or ytsum:// URLs) to
// submit at start.
func NewApp(svc *Backend, args []string) *App {
	a := &App{svc: svc, links: linksFromArgs(args)}
	a.focused.Store(true)
	return a
}

// Run opens the window and blocks until it is closed or ctx is done. With
// httpAddr set, the HTTP API runs beside the window.
func (a *App) Run(ctx context.Context, ui fs.FS, httpAddr string) error {
	if httpAddr = a.svc.DesktopHTTPAddress(httpAddr); httpAddr != "" {
		go func() {
			err := a.svc.Serve(ctx, httpAddr, func(u string) { a.svc.Logger().Info("HTTP API listening", "url", u) })
			if err != nil {
				a.svc.Logger().Error("HTTP API stopped", "err", Sentence(err))
			}
		}()
	}
	geo := loadGeometry(a.geometryFile())
	return wails.Run(&options.App{
		Title:            "YouTube Summarizer",
		Width:            geo.Width,
		Height:           geo.Height,
		MinWidth:         800,
		MinHeight:        600,
		BackgroundColour: options.NewRGB(246, 247, 249),
		AssetServer:      &assetserver.Options{Assets: ui, Handler: a.assetHandler()},
		OnStartup:        func(wctx context.Context) { a.startup(ctx, wctx, geo) },
		OnBeforeClose: func(wctx context.Context) bool {
			a.saveGeometry(wctx)
			return false
		},
		Bind:           []any{a},
		ErrorFormatter: formatError,
		SingleInstanceLock: &options.SingleInstanceLock{
			UniqueId:               singleInstanceID,
			OnSecondInstanceLaunch: a.secondInstance,
		},
		Linux: &linux.Options{ProgramName: "ytsum", WindowIsTranslucent: false},
		Mac: &mac.Options{About: &mac.AboutInfo{Title: "YouTube Summarizer", Message: "Version " + version},
			// macOS delivers ytsum:// links as an Apple event, not as arguments.
			OnUrlOpen: func(u string) { a.openURL(u) }},
		Windows: &windows.Options{},
	})
}

// handOff runs when another process holds the library. With a window of
// ours running, Wails' single-instance lock passes our arguments to it and
// exits this process before anything shows; otherwise (the library is held
// by `ytsum serve`) a dialog says why no window opens.
func handOff(ui fs.FS, why string) error {
	return wails.Run(&options.App{
		Title:       "YouTube Summarizer",
		Width:       400,
		Height:      200,
		StartHidden: true,
		AssetServer: &assetserver.Options{Assets: ui},
		OnStartup: func(wctx context.Context) {
			go func() {
				time.Sleep(time.Second) // the lock hand-off exits the process before this
				wruntime.MessageDialog(wctx, wruntime.MessageDialogOptions{Type: wruntime.ErrorDialog,
					Title: "YouTube Summarizer", Message: why + "\n\nClose the other copy (or stop `ytsum serve`) and try again."})
				wruntime.Quit(wctx)
			}()
		},
		SingleInstanceLock: &options.SingleInstanceLock{UniqueId: singleInstanceID},
		Linux:              &linux.Options{ProgramName: "ytsum"},
	})
}

// singleInstanceID names the app for Wails' single-instance lock.
const singleInstanceID = "io.github.ytsum.YouTubeSummarizer"

func (a *App) startup(ctx, wctx context.Context, geo geometry) {
	a.mu.Lock()
	a.ctx = wctx
	a.mu.Unlock()
	if geo.X != nil && geo.Y != nil {
		wruntime.WindowSetPosition(wctx, *geo.X, *geo.Y)
	}
	if err := wruntime.InitializeNotifications(wctx); err != nil {
		a.svc.Logger().Info("OS notifications unavailable", "err", err)
	}
	go a.forwardEvents(wctx)
	go func() {
		<-ctx.Done()
		wruntime.Quit(wctx)
	}()
	a.mu.Lock()
	links := a.links
	a.links = nil
	a.mu.Unlock()
	if len(links) > 0 {
		go a.submitLinks(links)
	}
}

// forwardEvents sends every job change and summary delta to the window as
// Wails events. A subscription the broker drops for falling behind is
// replaced, and the window gets the current state of the recent jobs.
func (a *App) forwardEvents(wctx context.Context) {
	emit := func(name string, payload json.RawMessage) {
		wruntime.EventsEmit(wctx, name, payload)
		if name == ytsum.EventJob {
			a.notifyIfFinished(payload)
		}
	}
	for {
		sub := a.svc.Broker().Subscribe(events.Filter{})
		err := sub.Forward(wctx, emit)
		sub.Close()
		if wctx.Err() != nil || !errors.Is(err, events.ErrEvicted) {
			return
		}
		if list, err := a.call(http.MethodGet, "/jobs?limit=50", nil); err == nil {
			var page struct {
				Jobs []json.RawMessage `json:"jobs"`
			}
			if json.Unmarshal(list, &page) == nil {
				for _, j := range page.Jobs {
					wruntime.EventsEmit(wctx, ytsum.EventJob, j)
				}
			}
		}
	}
}

// secondInstance focuses this window and submits the links a second launch
// was given (single instance).
func (a *App) secondInstance(data options.SecondInstanceData) {
	wctx := a.wailsCtx()
	if wctx == nil {
		return
	}
	wruntime.WindowUnminimise(wctx)
	wruntime.WindowShow(wctx)
	if links := linksFromArgs(data.Args); len(links) > 0 {
		a.submitLinks(links)
	}
}

// openURL submits the link a ytsum:// URL carries, or queues it until the
// window is up.
func (a *App) openURL(u string) {
	links := linksFromArgs([]string{u})
	a.mu.Lock()
	started := a.ctx != nil
	if !started {
		a.links = append(a.links, links...)
	}
	a.mu.Unlock()
	if started {
		go a.submitLinks(links)
	}
}

func (a *App) submitLinks(links []string) {
	body := map[string]any{"urls": links}
	if _, err := a.call(http.MethodPost, "/summarize_async", body); err != nil {
		a.svc.Logger().Warn("submitting links from the command line", "err", ytsum.ErrorMessage(err))
	}
}

// linksFromArgs keeps the YouTube links (and ytsum:// URLs, turned into the
// link they carry) among command-line arguments; a second launch passes its
// raw arguments, flags and their values included.
func linksFromArgs(args []string) []string {
	var out []string
	for _, arg := range args {
		if strings.HasPrefix(arg, "-") {
			continue
		}
		if rest, ok := strings.CutPrefix(arg, "ytsum://"); ok {
			if u, err := url.Parse(arg); err == nil && u.Query().Get("url") != "" {
				out = append(out, u.Query().Get("url"))
				continue
			}
			out = append(out, "https://"+strings.TrimPrefix(rest, "/"))
			continue
		}
		out = append(out, youtube.ExtractLinks(arg)...) // skips flag values such as an address
	}
	return out
}

func (a *App) wailsCtx() context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ctx
}

// formatError turns a bound method's error into the API's error object.
func formatError(err error) any {
	out := map[string]any{"error": ytsum.ErrorMessage(err), "code": string(ytsum.ErrorCode(err))}
	var f interface{ FieldErrors() map[string]string }
	if errors.As(err, &f) && len(f.FieldErrors()) > 0 {
		out["fields"] = f.FieldErrors()
	}
	return out
}

// apiError is an error answer of the in-process API call.
type apiError struct {
	err    *ytsum.Error
	fields map[string]string
}

func (e apiError) Error() string                  { return e.err.Error() }
func (e apiError) Unwrap() error                  { return e.err }
func (e apiError) FieldErrors() map[string]string { return e.fields }

// recorder is a minimal in-memory http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// do runs one request through the HTTP API's handler in process, as a
// trusted local client (loopback host, the API token when login is on).
func (a *App) do(method, path string, body any) (*recorder, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, ytsum.Errorf(ytsum.CodeInvalid, "bad_request", "The request could not be encoded.")
		}
		rd = bytes.NewReader(b)
	}
	ctx := a.wailsCtx()
	if ctx == nil {
		ctx = context.Background()
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://127.0.0.1"+path, rd)
	if err != nil {
		return nil, ytsum.Errorf(ytsum.CodeInvalid, "bad_request", "The request is not valid.")
	}
	req.RemoteAddr = "127.0.0.1:0"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := a.svc.APIToken(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := &recorder{header: http.Header{}}
	a.svc.Handler().ServeHTTP(rec, req)
	if rec.status >= 400 {
		var e struct {
			Error  string            `json:"error"`
			Code   ytsum.Code        `json:"code"`
			Fields map[string]string `json:"fields"`
		}
		if json.Unmarshal(rec.body.Bytes(), &e) != nil || e.Error == "" {
			e.Error, e.Code = fmt.Sprintf("The request failed (HTTP %d).", rec.status), ytsum.CodeInternal
		}
		return nil, apiError{ytsum.Errorf(e.Code, "", "%s", e.Error), e.Fields}
	}
	return rec, nil
}

// call is do for JSON answers.
func (a *App) call(method, path string, body any) (json.RawMessage, error) {
	rec, err := a.do(method, path, body)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(rec.body.Bytes()), nil
}

// assetHandler serves what the embedded UI does not hold (thumbnails,
// exports, audio) from the HTTP API's handler, as a loopback client.
func (a *App) assetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.Host = "127.0.0.1"
		r2.RemoteAddr = "127.0.0.1:0"
		r2.Header.Del("Origin")
		if tok := a.svc.APIToken(); tok != "" {
			r2.Header.Set("Authorization", "Bearer "+tok)
		}
		a.svc.Handler().ServeHTTP(w, r2)
	})
}

func q(path string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// Summarize submits links as a job (POST /summarize_async).
func (a *App) Summarize(body json.RawMessage) (json.RawMessage, error) {
	return a.call(http.MethodPost, "/summarize_async", body)
}

// GetJob returns a job (GET /jobs/{id}).
func (a *App) GetJob(id string) (json.RawMessage, error) {
	return a.call(http.MethodGet, "/jobs/"+url.PathEscape(id), nil)
}

// ListJobs lists jobs, newest first (GET /jobs).
func (a *App) ListJobs(status string, limit int) (json.RawMessage, error) {
	return a.call(http.MethodGet, q("/jobs", "status", status, "limit", itoa(limit)), nil)
}

// CancelJob cancels a job (POST /jobs/{id}/cancel).
func (a *App) CancelJob(id string) (json.RawMessage, error) {
	return a.call(http.MethodPost, "/jobs/"+url.PathEscape(id)+"/cancel", nil)
}

// APIStatus returns what GET /api_status returns.
func (a *App) APIStatus() (json.RawMessage, error) { return a.call(http.MethodGet, "/api_status", nil) }

// CachedSummaries returns one page of the library (GET /get_cached_summaries).
func (a *App) CachedSummaries(page, perPage int, sort, channel, model string) (json.RawMessage, error) {
	return a.call(http.MethodGet, q("/get_cached_summaries", "page", itoa(max(page, 1)), "per_page", itoa(perPage),
		"sort", sort, "channel", channel, "model", model), nil)
}

// SearchSummaries searches the library (GET /search_summaries).
func (a *App) SearchSummaries(query string) (json.RawMessage, error) {
	return a.call(http.MethodGet, q("/search_summaries", "q", query), nil)
}

// DeleteSummary deletes a summary with its audio (DELETE /delete_summary).
func (a *App) DeleteSummary(videoID string) (json.RawMessage, error) {
	return a.call(http.MethodDelete, "/delete_summary", map[string]string{"video_id": videoID})
}

// Speech is the window's form of an audio answer.
type Speech struct {
	AudioBase64 string `json:"audio_base64"`
	ContentType string `json:"content_type"`
}

func (a *App) audio(path string, body json.RawMessage) (Speech, error) {
	rec, err := a.do(http.MethodPost, path, body)
	if err != nil {
		return Speech{}, err
	}
	return Speech{AudioBase64: base64.StdEncoding.EncodeToString(rec.body.Bytes()),
		ContentType: rec.header.Get("Content-Type")}, nil
}

// Speak returns the audio of a text or a video's summary (POST /speak).
func (a *App) Speak(body json.RawMessage) (Speech, error) { return a.audio("/speak", body) }

// PreviewVoice returns a voice sample (POST /preview-voice).
func (a *App) PreviewVoice(body json.RawMessage) (Speech, error) {
	return a.audio("/preview-voice", body)
}

// Voices lists the voices (GET /api/voices).
func (a *App) Voices() (json.RawMessage, error) { return a.call(http.MethodGet, "/api/voices", nil) }

// CacheStatus describes the audio cache (GET /api/cache/status).
func (a *App) CacheStatus() (json.RawMessage, error) {
	return a.call(http.MethodGet, "/api/cache/status", nil)
}

// CacheCleanup trims the audio cache (POST /api/cache/cleanup).
func (a *App) CacheCleanup() (json.RawMessage, error) {
	return a.call(http.MethodPost, "/api/cache/cleanup", nil)
}

// GetSettings returns the settings; secrets only as set/unset (GET /settings).
func (a *App) GetSettings() (json.RawMessage, error) { return a.call(http.MethodGet, "/settings", nil) }

// SaveSettings applies a settings patch (POST /settings).
func (a *App) SaveSettings(patch json.RawMessage) (json.RawMessage, error) {
	return a.call(http.MethodPost, "/settings", patch)
}

// RevealAPIToken shows the API token, on explicit request only.
func (a *App) RevealAPIToken() (json.RawMessage, error) {
	return a.call(http.MethodPost, "/settings/api_token/reveal", nil)
}

// RotateAPIToken replaces the API token.
func (a *App) RotateAPIToken() (json.RawMessage, error) {
	return a.call(http.MethodPost, "/settings/api_token/rotate", nil)
}

// PerformanceMetrics returns GET /performance_metrics.
func (a *App) PerformanceMetrics() (json.RawMessage, error) {
	return a.call(http.MethodGet, "/performance_metrics", nil)
}

// SystemHealth returns GET /system_health.
func (a *App) SystemHealth() (json.RawMessage, error) {
	return a.call(http.MethodGet, "/system_health", nil)
}

// Backups lists the database snapshots (GET /admin/backups).
func (a *App) Backups() (json.RawMessage, error) {
	return a.call(http.MethodGet, "/admin/backups", nil)
}

// CreateBackup makes a snapshot of the database (POST /admin/backups).
func (a *App) CreateBackup() (json.RawMessage, error) {
	return a.call(http.MethodPost, "/admin/backups", nil)
}

// ExportedFile is one rendered export for the window.
type ExportedFile struct {
	Filename string `json:"filename"`
	Content  string `json:"content"`
}

// ExportSummary renders one summary as md, txt or json (GET /export/{id}).
func (a *App) ExportSummary(videoID, format string) (ExportedFile, error) {
	rec, err := a.do(http.MethodGet, q("/export/"+url.PathEscape(videoID), "format", format), nil)
	if err != nil {
		return ExportedFile{}, err
	}
	return ExportedFile{Filename: attachmentName(rec.header, videoID+"."+format), Content: rec.body.String()}, nil
}

// ExportLibrary saves the whole library (md: a zip of Markdown files for
// Obsidian; json: one file) where the user chooses. Cancelled: empty path.
func (a *App) ExportLibrary(format string) (map[string]string, error) {
	rec, err := a.do(http.MethodGet, q("/export", "format", format), nil)
	if err != nil {
		return nil, err
	}
	name := attachmentName(rec.header, "ytsum-library."+format)
	path, err := wruntime.SaveFileDialog(a.wailsCtx(), wruntime.SaveDialogOptions{
		Title: "Export the library", DefaultFilename: name})
	if err != nil || path == "" {
		return map[string]string{"path": ""}, nil
	}
	if err := os.WriteFile(path, rec.body.Bytes(), 0o644); err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "export_write", "The export could not be written there; choose another folder.")
	}
	return map[string]string{"path": path}, nil
}

// SaveFile asks where to save a file the UI made (an export, an MP3) and
// writes it there. Cancelled: an empty path.
func (a *App) SaveFile(filename, contentBase64 string) (map[string]string, error) {
	data, err := base64.StdEncoding.DecodeString(contentBase64)
	if err != nil {
		return nil, ytsum.Errorf(ytsum.CodeInvalid, "bad_file", "The file to save is not valid.")
	}
	path, err := wruntime.SaveFileDialog(a.wailsCtx(), wruntime.SaveDialogOptions{
		Title: "Save", DefaultFilename: filepath.Base(filename)})
	if err != nil || path == "" {
		return map[string]string{"path": ""}, nil
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "save_write", "The file could not be written there; choose another folder.")
	}
	return map[string]string{"path": path}, nil
}

// ImportOriginal asks for the original app's summary_cache.json and
// imports it (POST /import). Cancelled: a null answer.
func (a *App) ImportOriginal() (json.RawMessage, error) {
	path, err := wruntime.OpenFileDialog(a.wailsCtx(), wruntime.OpenDialogOptions{
		Title:   "Choose the original app's summary_cache.json",
		Filters: []wruntime.FileFilter{{DisplayName: "summary_cache.json", Pattern: "*.json"}}})
	if err != nil || path == "" {
		return json.RawMessage("null"), nil
	}
	return a.call(http.MethodPost, "/import", map[string]string{"path": path})
}

// SetFocused records whether the window has focus (the UI reports it), so
// a finished job notifies only when the user is elsewhere.
func (a *App) SetFocused(focused bool) { a.focused.Store(focused) }

// notifyIfFinished shows an OS notification when a job that ran for a while
// ends while the window is not focused.
func (a *App) notifyIfFinished(payload json.RawMessage) {
	if a.focused.Load() {
		return
	}
	var j ytsum.Job
	if json.Unmarshal(payload, &j) != nil || !j.Status.Terminal() || j.StartedAt == nil || j.CompletedAt == nil {
		return
	}
	if j.CompletedAt.Sub(*j.StartedAt) < 10*time.Second {
		return
	}
	wctx := a.wailsCtx()
	if wctx == nil || !wruntime.IsNotificationAvailable(wctx) {
		return // degrade quietly where the OS offers none
	}
	_ = wruntime.SendNotification(wctx, wruntime.NotificationOptions{ID: "job-" + j.ID,
		Title: "YouTube Summarizer", Body: jobSentence(&j)})
}

// jobSentence says how a finished job ended, for a notification.
func jobSentence(j *ytsum.Job) string {
	failed := 0
	for _, r := range j.Results {
		if r.Error != nil {
			failed++
		}
		for _, v := range r.Summaries {
			if v.Error != nil {
				failed++
			}
		}
	}
	switch {
	case j.Status == ytsum.JobCancelled:
		return fmt.Sprintf("Cancelled after %d of %d videos.", j.Progress, j.TotalItems)
	case j.Status == ytsum.JobFailed && j.Error != nil:
		return "The job failed: " + *j.Error
	case failed > 0:
		return fmt.Sprintf("Finished %d videos; %d could not be summarized.", j.TotalItems, failed)
	default:
		return fmt.Sprintf("Finished: %d of %d videos summarized.", j.Progress, j.TotalItems)
	}
}

func attachmentName(h http.Header, fallback string) string {
	if _, params, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		return filepath.Base(params["filename"])
	}
	return fallback
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// geometry is the remembered window size and position.
type geometry struct {
	Width  int  `json:"width"`
	Height int  `json:"height"`
	X      *int `json:"x,omitempty"`
	Y      *int `json:"y,omitempty"`
}

func (a *App) geometryFile() string { return filepath.Join(a.svc.DataDir(), "window.json") }

func loadGeometry(path string) geometry {
	g := geometry{Width: 1200, Height: 820}
	if b, err := os.ReadFile(path); err == nil {
		var s geometry
		if json.Unmarshal(b, &s) == nil && s.Width >= 800 && s.Height >= 600 && s.Width <= 10000 && s.Height <= 10000 {
			g = s
		}
	}
	return g
}

func (a *App) saveGeometry(wctx context.Context) {
	if wruntime.WindowIsMaximised(wctx) || wruntime.WindowIsFullscreen(wctx) {
		return
	}
	var g geometry
	g.Width, g.Height = wruntime.WindowGetSize(wctx)
	x, y := wruntime.WindowGetPosition(wctx)
	g.X, g.Y = &x, &y
	if b, err := json.Marshal(g); err == nil {
		tmp := a.geometryFile() + ".tmp"
		if os.WriteFile(tmp, b, 0o600) == nil {
			os.Rename(tmp, a.geometryFile())
		}
	}
}
