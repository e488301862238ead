package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

	"ytsum/backend/config"
	"ytsum/backend/events"
	"ytsum/backend/httpapi"
	"ytsum/backend/library"
	"ytsum/backend/tts/audio"
	"ytsum/backend/youtube"
	"ytsum/backend/ytsum"
)

// App is the one Wails-bound facade of the desktop window. Each bound
// method calls the same operation of the HTTP API (httpapi.Server's
// exported methods) that the route's handler calls, and returns its typed
// answer, so Wails generates the TypeScript models and the window and a
// browser get the same JSON from one code path (golden_test.go checks it).
// Errors reach the UI as {"error","code"[,"fields"]}. Only package main
// imports the Wails runtime.
type App struct {
	svc   *Backend
	api   *httpapi.Server // the operations both doors call
	base  context.Context // the process's context, until the window is up
	links []string        // links from the command line, submitted once the window is up

	dialogs fileDialogs // the OS file dialogs (the Wails runtime's; tests fake them)

	mu      sync.Mutex
	ctx     context.Context // the Wails context, set at startup
	focused atomic.Bool
}

// fileDialogs asks the user for a file to save to or to open. An empty path
// means the user cancelled.
type fileDialogs interface {
	SaveFile(ctx context.Context, title, name string) (path string, err error)
	OpenJSON(ctx context.Context, title, name string) (path string, err error)
}

// wailsDialogs are the Wails runtime's dialogs.
type wailsDialogs struct{}

func (wailsDialogs) SaveFile(ctx context.Context, title, name string) (string, error) {
	return wruntime.SaveFileDialog(ctx, wruntime.SaveDialogOptions{Title: title, DefaultFilename: name})
}

func (wailsDialogs) OpenJSON(ctx context.Context, title, name string) (string, error) {
	return wruntime.OpenFileDialog(ctx, wruntime.OpenDialogOptions{Title: title,
		Filters: []wruntime.FileFilter{{DisplayName: name, Pattern: "*.json"}}})
}

// NewApp returns the facade over svc; ctx is the process's context (the
// bound methods run under it until the window's own context exists), args
// are links (or ytsum:// URLs) to submit at start.
func NewApp(ctx context.Context, svc *Backend, args []string) *App {
	a := &App{svc: svc, api: svc.api, base: ctx, links: linksFromArgs(args), dialogs: wailsDialogs{}}
	a.focused.Store(true)
	return a
}

// callCtx is the context a bound method runs under: the window's, once it
// is up (it ends when the window closes).
func (a *App) callCtx() context.Context {
	if ctx := a.wailsCtx(); ctx != nil {
		return ctx
	}
	return a.base
}

// run opens the window and blocks until it is closed or ctx is done. With
// httpAddr set, the HTTP API runs beside the window.
func (a *App) run(ctx context.Context, ui fs.FS, httpAddr string) error {
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
		AssetServer:      &assetserver.Options{Assets: ui, Handler: a.api.Thumbnails()},
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
		// GPU policy Never, as Wails defaults to when no Linux options are
		// given: the zero value (OnDemand) enters WebKit's accelerated
		// compositing, which without a GPU is software GL costing about
		// 110 MB in the web process (scripts/bench-window.sh) and nothing
		// this text UI needs.
		Linux: &linux.Options{ProgramName: "ytsum", WindowIsTranslucent: false, WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
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

// writeBindings is main in the build of `wails generate module`: Wails
// reads the bound methods of App and writes their TypeScript models.
func writeBindings(stderr io.Writer) int {
	if err := wails.Run(&options.App{Title: "YouTube Summarizer", Bind: []any{&App{}}}); err != nil {
		fmt.Fprintf(stderr, "ytsum: %v\n", err)
		return 1
	}
	return 0
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
	a.svc.StartSubscriptions(a.notifySubscription)
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

// forwardEvents sends every broker event to the window as a Wails event
// (API.md §7): job (results null, results_count), item, summary_delta,
// subscription. A subscription the broker drops for falling behind is
// replaced, and the window gets the current state of the recent jobs as
// job events, from which it sees what it missed and reads those jobs again.
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
		if list, err := a.api.Jobs(wctx, "", 50); err == nil {
			for _, j := range list.Jobs {
				wruntime.EventsEmit(wctx, ytsum.EventJob, json.RawMessage(ytsum.JobDeltaJSON(j, len(j.Results))))
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
	if _, err := a.api.SubmitJob(a.callCtx(), httpapi.SummarizeRequest{URLs: links}); err != nil {
		a.svc.Logger().Warn("submitting links from the command line", "err", ytsum.ErrorMessage(err))
	}
}

// linksFromArgs keeps the YouTube links (and ytsum:// URLs, turned into the
// link they carry) among command-line arguments; a second launch passes its
// raw arguments, flags and their values included. The job engine splits
// them like any other submission (youtube.SplitEntries).
func linksFromArgs(args []string) []string {
	var out []string
	for _, arg := range args {
		if strings.HasPrefix(arg, "-") {
			continue
		}
		if link, ok := youtube.AppLink(arg); ok {
			out = append(out, link)
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

// Summarize submits links as a job, as POST /summarize_async does.
func (a *App) Summarize(req httpapi.SummarizeRequest) (httpapi.JobAccepted, error) {
	return a.api.SubmitJob(a.callCtx(), req)
}

// GetJob returns a job, as GET /jobs/{id} does.
func (a *App) GetJob(id string) (*ytsum.Job, error) { return a.api.Job(a.callCtx(), id) }

// ListJobs lists jobs, newest first, as GET /jobs does (limit 0: 100).
func (a *App) ListJobs(status string, limit int) (httpapi.JobList, error) {
	return a.api.Jobs(a.callCtx(), ytsum.JobStatus(status), limit)
}

// CancelJob cancels a job, as POST /jobs/{id}/cancel does.
func (a *App) CancelJob(id string) (httpapi.JobCancelled, error) {
	return a.api.CancelJob(a.callCtx(), id)
}

// APIStatus returns what GET /api_status returns.
func (a *App) APIStatus() (httpapi.APIStatus, error) { return a.api.APIStatus(a.callCtx()), nil }

// CachedSummaries returns one page of the library, as GET
// /get_cached_summaries?page=…&per_page=… does.
func (a *App) CachedSummaries(page, perPage int, sort, channel, model string) (httpapi.LibraryPage, error) {
	return a.api.Library(a.callCtx(), httpapi.LibraryQuery{Page: page, PerPage: perPage, Sort: sort,
		Channel: channel, Model: model})
}

// SearchSummaries searches the library, as GET /search_summaries does.
func (a *App) SearchSummaries(query string) ([]library.Hit, error) {
	return a.api.Search(a.callCtx(), query)
}

// LibraryStatus says how many summaries search may still miss while the
// index takes them in, as GET /library/status does.
func (a *App) LibraryStatus() (httpapi.LibraryStatus, error) {
	return a.api.LibraryStatus(a.callCtx())
}

// DeleteSummary deletes a summary with its audio, as DELETE /delete_summary does.
func (a *App) DeleteSummary(videoID string) (httpapi.Deleted, error) {
	return a.api.DeleteSummary(a.callCtx(), videoID)
}

// Speech is the window's form of an audio answer.
type Speech struct {
	AudioBase64 string `json:"audio_base64"`
	ContentType string `json:"content_type"`
}

func speech(audio []byte, err error) (Speech, error) {
	if err != nil {
		return Speech{}, err
	}
	return Speech{AudioBase64: base64.StdEncoding.EncodeToString(audio), ContentType: "audio/mpeg"}, nil
}

// Speak returns the audio of a text or a video's summary, as POST /speak does.
func (a *App) Speak(req httpapi.SpeakRequest) (Speech, error) {
	return speech(a.api.Speak(a.callCtx(), req))
}

// PreviewVoice returns a voice sample, as POST /preview-voice does.
func (a *App) PreviewVoice(req httpapi.PreviewRequest) (Speech, error) {
	return speech(a.api.PreviewVoice(a.callCtx(), req))
}

// Voices lists the voices, as GET /api/voices does.
func (a *App) Voices() (httpapi.VoiceCatalog, error) { return a.api.Voices(a.callCtx()) }

// CacheStatus describes the audio cache, as GET /api/cache/status does.
func (a *App) CacheStatus() (audio.Status, error) { return a.api.CacheStatus(a.callCtx()) }

// CacheCleanup trims the audio cache, as POST /api/cache/cleanup does.
func (a *App) CacheCleanup() (audio.CleanupResult, error) { return a.api.CacheCleanup(a.callCtx()) }

// GetSettings returns the settings view; secrets only as set/unset (GET /settings).
func (a *App) GetSettings() (config.View, error) { return a.api.Settings(a.callCtx()) }

// SaveSettings applies a settings patch (POST /settings). The window is
// the user at the keyboard: a base-URL change keeps the provider's key.
func (a *App) SaveSettings(patch config.Patch) (config.View, error) {
	return a.api.SaveSettings(a.callCtx(), patch, config.ApplyOptions{KeepKeysOnBaseURLChange: true})
}

// RevealAPIToken shows the API token, on explicit request only.
func (a *App) RevealAPIToken() (httpapi.Token, error) { return a.api.RevealAPIToken(a.callCtx()) }

// RotateAPIToken replaces the API token.
func (a *App) RotateAPIToken() (httpapi.Token, error) { return a.api.RotateAPIToken(a.callCtx()) }

// PerformanceMetrics returns what GET /performance_metrics returns.
func (a *App) PerformanceMetrics() (httpapi.PerformanceMetrics, error) {
	return a.api.PerformanceMetrics(), nil
}

// SystemHealth returns what GET /system_health returns.
func (a *App) SystemHealth() (httpapi.SystemHealth, error) { return a.api.SystemHealth(), nil }

// Backups lists the database snapshots, as GET /admin/backups does.
func (a *App) Backups() (httpapi.BackupList, error) { return a.api.Backups(a.callCtx()) }

// CreateBackup makes a snapshot of the database, as POST /admin/backups does.
func (a *App) CreateBackup() (httpapi.BackupCreated, error) { return a.api.CreateBackup(a.callCtx()) }

// ExportedFile is one rendered export for the window.
type ExportedFile struct {
	Filename string `json:"filename"`
	Content  string `json:"content"`
}

// ExportSummary renders one summary as md, txt or json (GET /export/{id}).
func (a *App) ExportSummary(videoID, format string) (ExportedFile, error) {
	f, err := a.api.ExportSummary(a.callCtx(), videoID, format)
	if err != nil {
		return ExportedFile{}, err
	}
	return ExportedFile{Filename: f.FileName, Content: string(f.Data)}, nil
}

// Saved says where a file was saved; Path is empty when the user cancelled.
type Saved struct {
	Path string `json:"path"`
}

// ExportLibrary saves the whole library (md: a zip of Markdown files for
// Obsidian; json: one file) where the user chooses (GET /export).
func (a *App) ExportLibrary(format string) (Saved, error) {
	ctx := a.callCtx()
	f, err := a.api.ExportLibrary(ctx, format)
	if err != nil {
		return Saved{}, err
	}
	return a.saveAs(ctx, "Export the library", f.FileName, f.Data, "export_write",
		"The export could not be written there; choose another folder.")
}

// saveAs asks where to save data (suggesting name) and writes it there.
func (a *App) saveAs(ctx context.Context, title, name string, data []byte, kind, sentence string) (Saved, error) {
	path, err := a.dialogs.SaveFile(ctx, title, filepath.Base(name))
	if err != nil || path == "" {
		return Saved{}, nil
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return Saved{}, ytsum.Wrap(err, ytsum.CodeInternal, kind, sentence)
	}
	return Saved{Path: path}, nil
}

// SaveFile asks where to save a file the UI made (an export, an MP3) and
// writes it there. Cancelled: an empty path.
func (a *App) SaveFile(filename, contentBase64 string) (Saved, error) {
	data, err := base64.StdEncoding.DecodeString(contentBase64)
	if err != nil {
		return Saved{}, ytsum.Errorf(ytsum.CodeInvalid, "bad_file", "The file to save is not valid.")
	}
	return a.saveAs(a.callCtx(), "Save", filename, data, "save_write",
		"The file could not be written there; choose another folder.")
}

// ImportOriginal asks for the original app's summary_cache.json and
// imports it (POST /import). Cancelled: a null answer.
func (a *App) ImportOriginal() (*httpapi.ImportReport, error) {
	ctx := a.callCtx()
	path, err := a.dialogs.OpenJSON(ctx, "Choose the original app's summary_cache.json", "summary_cache.json")
	if err != nil || path == "" {
		return nil, nil
	}
	rep, err := a.api.Import(ctx, path)
	if err != nil {
		return nil, err
	}
	return &rep, nil
}

// SetFocused records whether the window has focus (the UI reports it), so
// a finished job notifies only when the user is elsewhere.
func (a *App) SetFocused(focused bool) error {
	a.focused.Store(focused)
	return nil
}

// StartupMarks are the page's own timings of its start, in milliseconds
// from the navigation start (performance.now()); zero means not reached.
type StartupMarks struct {
	// Stage is "form" when the Summarize form has been painted (usable), and
	// "answered" when the page's first call to the service was answered.
	Stage string `json:"stage"`
	// TimeOrigin is the navigation start, in Unix milliseconds.
	TimeOrigin float64 `json:"time_origin"`
	// HTML: the page's document received; Bundle: the main script
	// received; Script: the main script started; Render: the form rendered
	// into the DOM; Paint: the first frame after that (the form painted);
	// Answered: the first call answered.
	HTML     float64 `json:"html"`
	Bundle   float64 `json:"bundle"`
	Script   float64 `json:"script"`
	Render   float64 `json:"render"`
	Paint    float64 `json:"paint"`
	Answered float64 `json:"answered"`
}

// ReportStartup logs the page's start-up timings (one line per stage; a
// cold start's figures for scripts/bench-window.sh).
func (a *App) ReportStartup(m StartupMarks) error {
	msg := "window: startup marks"
	if m.Stage == "form" {
		msg = "window: form usable (painted)"
	}
	a.svc.Logger().Info(msg, "stage", m.Stage, "time_origin_ms", int64(m.TimeOrigin),
		"html_ms", int64(m.HTML), "bundle_ms", int64(m.Bundle), "script_ms", int64(m.Script),
		"render_ms", int64(m.Render), "paint_ms", int64(m.Paint), "answered_ms", int64(m.Answered))
	return nil
}

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
	// Off the event loop that called: reading the whole job must not hold
	// up the window's events.
	go func() {
		ctx, cancel := context.WithTimeout(wctx, 5*time.Second)
		defer cancel()
		_ = wruntime.SendNotification(wctx, wruntime.NotificationOptions{ID: "job-" + j.ID,
			Title: "YouTube Summarizer", Body: a.finishedSentence(ctx, &j)})
	}()
}

// finishedSentence is jobSentence of the whole job j's event announced:
// a job event carries no results (API.md §7), and the sentence counts the
// failed videos in them.
func (a *App) finishedSentence(ctx context.Context, j *ytsum.Job) string {
	if full, err := a.api.Job(ctx, j.ID); err == nil {
		j = full
	}
	return jobSentence(j)
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
