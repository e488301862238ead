package main

// The wiring: one page that opens the store once, builds every service and
// hands them to the two doors — the HTTP API (ytsum serve, and --http beside
// the window) and the desktop window (app.go). No domain logic lives here.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"ytsum/backend/ask"
	"ytsum/backend/config"
	"ytsum/backend/events"
	"ytsum/backend/httpapi"
	"ytsum/backend/jobs"
	"ytsum/backend/keychain"
	"ytsum/backend/library"
	"ytsum/backend/store"
	"ytsum/backend/subscriptions"
	"ytsum/backend/summarize"
	"ytsum/backend/tts"
	"ytsum/backend/tts/audio"
	"ytsum/backend/youtube"
	"ytsum/backend/ytsum"
)

// backendOptions configure openBackend. Zero values are sensible defaults.
type backendOptions struct {
	// Version is reported by /api_status.
	Version string
	// Stderr receives log lines (default os.Stderr).
	Stderr io.Writer
	// Getenv reads the environment (default os.LookupEnv); tests inject their own.
	Getenv func(string) (string, bool)
	// HTTPClient reaches YouTube, the LLMs and Cloud TTS (default: a client
	// whose calls are bounded by their contexts only).
	HTTPClient *http.Client
	// Keychain replaces the OS keychain provider, for tests.
	Keychain keychain.Provider
	// LogLevel is the minimum level logged (default Info).
	LogLevel slog.Level
	// UI is the built web UI the HTTP API serves at "/" (nil: none).
	UI fs.FS
	// wrapSummarizer and wrapSummaries, when set, wrap what the job engine
	// is given (benchmarks time the engine's steps through them).
	wrapSummarizer func(jobs.Summarizer) jobs.Summarizer
	wrapSummaries  func(jobs.Summaries) jobs.Summaries
	// youtubePacing, when set, replaces the youtube_pacing_ms setting (whose
	// least value is 250 ms): tests against local fakes pace at zero.
	youtubePacing func() time.Duration
	// localWellKnown, when set, replaces the well-known ports probed for
	// local LLM servers (tests: noLocalServers, so an Ollama on the machine
	// does not become their automatic model).
	localWellKnown map[string]string
	// youtubeOptions, when set, adjusts the YouTube client's options before
	// it is built (tests shorten its deadlines).
	youtubeOptions func(*youtube.Options)
	// tuneSubscriptions, when set, adjusts the subscriptions service's
	// configuration (tests: a clock, no jitter).
	tuneSubscriptions func(*subscriptions.Config)
	// wrapRecords, when set, wraps the job records the engine writes (the
	// large-job benchmark times each commit through it).
	wrapRecords func(jobs.Records) jobs.Records
}

// Backend is the assembled backend. Its methods are safe for concurrent use.
type Backend struct {
	opts    backendOptions
	log     *slog.Logger
	env     config.Environment
	notices []string

	lib     *library.Library
	db      *store.DB
	kc      *keychain.Keychain
	cfg     *config.Config
	yt      *youtube.Client
	sum     *summarize.Service
	audio   *audio.Cache
	speech  *tts.Service
	broker  *events.Broker
	engine  *jobs.Engine
	api     *httpapi.Server
	unwatch func()

	discoverStop context.CancelFunc // stops the first probe for local LLM servers
	discoverDone chan struct{}      // closed when it ended

	asker     *ask.Asker             // questions (backend_ask.go)
	askIndex  *ask.LibraryIndex      // the library's passages
	askStop   context.CancelFunc     // stops the background indexing
	askSynced chan struct{}          // closed when it ended
	subs      *subscriptions.Service // issue 17; its scheduler: StartSubscriptions
	subsRun   subsRunner
}

// Open builds and starts every service: it opens the database in the data
// directory (a second instance gets a clear "already running" error),
// reads settings and the keychain, and starts the job engine, which resumes
// jobs a crash interrupted. The caller must Close it.
func openBackend(ctx context.Context, opts backendOptions) (_ *Backend, err error) {
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.Getenv == nil {
		opts.Getenv = os.LookupEnv
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	log := slog.New(slog.NewTextHandler(opts.Stderr, &slog.HandlerOptions{Level: opts.LogLevel}))
	s := &Backend{opts: opts, log: log}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := s.openData(); err != nil { // the store, settings, audio cache and library
		return nil, err
	}
	set := s.cfg.Current()
	s.yt = s.newYouTube(set)
	s.sum = s.newSummarizer(set)
	s.openAsk()
	s.speech = tts.New(tts.Options{
		Endpoint:        s.env.TTSURL,
		APIKey:          s.secretCtx(config.SecretTTSKey),
		CredentialsFile: s.secretCtx(config.SecretTTSCredentials),
		HTTPClient:      opts.HTTPClient,
		Voice:           func() string { return s.cfg.Current().TTSVoice },
		Cache:           s.audio,
		Texts:           summaryTexts{s.lib},
		Logger:          log,
	})
	s.broker = events.New(events.Options{})
	if err := s.startEngine(ctx, set); err != nil {
		return nil, err
	}
	s.subs = s.newSubscriptions()
	s.unwatch = s.cfg.Subscribe(func(set config.Settings) {
		s.audio.SetOptions(audioOptions(set))
		s.engine.SetMaxJobs(set.MaxConcurrentJobs)
	})
	hc := s.httpConfig()
	hc.UIFS = opts.UI
	s.api = httpapi.New(hc, s.httpServices())
	// Probe for local LLM servers now, so the model list and default_model
	// are ready when first asked; the window never waits for it.
	// Close stops it and waits, so it never logs after Close.
	dctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.discoverStop, s.discoverDone = stop, make(chan struct{})
	go func() {
		defer close(s.discoverDone)
		s.sum.Discover(dctx)
	}()
	return s, nil
}

// openData opens the data folder: the store (its one owner: everything
// that keeps records in it gets it from here; a second instance gets
// "already running"), the settings and keychain, the audio cache and the
// library.
func (s *Backend) openData() (err error) {
	s.env, err = config.ReadEnvironment(s.opts.Getenv)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.env.DataDir, 0o700); err != nil {
		return ytsum.Wrap(err, ytsum.CodeInternal, "data_dir",
			fmt.Sprintf("The data folder %s cannot be created; check its permissions or set YTSUM_DATA_DIR.", s.env.DataDir))
	}
	s.db, err = store.Open(filepath.Join(s.env.DataDir, store.FileName), store.Options{})
	if err != nil {
		return err
	}
	s.kc = keychain.New(keychain.Options{FallbackDir: s.env.DataDir, Provider: s.opts.Keychain, Logger: s.log,
		AllowFile: func() bool { return s.cfg != nil && s.cfg.AllowFileKeystore() }})
	s.cfg, err = config.New(config.Options{Store: s.db, Keychain: s.kc, Env: config.EnvFunc(s.opts.Getenv), Logger: s.log})
	if err != nil {
		return err
	}
	s.audio, err = audio.Open(filepath.Join(s.env.DataDir, "audio"), audioOptions(s.cfg.Current()), s.db)
	if err != nil {
		return err
	}
	s.lib, err = library.Open(s.db, library.Options{DataDir: s.env.DataDir, HTTPClient: s.opts.HTTPClient,
		Fetch: s.fetchYouTube, SpeechText: tts.OriginalClean, Logger: s.log, Audio: s.audio, AudioImport: s.audio, Appendix: s.askAppendix})
	if err != nil {
		return err
	}
	s.notices = append(s.notices, s.lib.Notices()...)
	return nil
}

// newYouTube builds the YouTube client; the settings it reads per call
// (languages, yt-dlp, player clients, pacing, channel limit) apply at
// once, youtube_concurrency after a restart.
func (s *Backend) newYouTube(set config.Settings) *youtube.Client {
	cur := s.cfg.Current
	o := youtube.Options{
		BaseURL: s.env.YouTubeURL, ThumbnailURL: s.env.ThumbnailURL, HTTPClient: s.opts.HTTPClient,
		Concurrency: set.YouTubeConcurrency, Cache: s.db.YouTubeCache(), Logger: s.log,
		Languages:         func() []string { return cur().TranscriptLanguages },
		YtDlp:             func() bool { return cur().YtDlpFallback },
		PlayerClients:     func() string { return cur().YouTubeClients },
		Pacing:            s.youtubePacing,
		ChannelVideoLimit: func() int { return cur().ChannelVideoLimit },
	}
	if s.opts.youtubeOptions != nil {
		s.opts.youtubeOptions(&o)
	}
	return youtube.New(o)
}

// youtubePacing is the base gap between two requests to YouTube: the
// youtube_pacing_ms setting (read per request, so a change applies at
// once), or the tests' override.
func (s *Backend) youtubePacing() time.Duration {
	if s.opts.youtubePacing != nil {
		return s.opts.youtubePacing()
	}
	return time.Duration(s.cfg.Current().YouTubePacingMs) * time.Millisecond
}

// fetchYouTube fetches a thumbnail through the YouTube client, under its
// deadlines, pacing and concurrency limit (the client is built after the
// library, and used only once the engine runs).
func (s *Backend) fetchYouTube(ctx context.Context, rawURL string) ([]byte, string, error) {
	if s.yt == nil {
		return nil, "", ytsum.Errorf(ytsum.CodeUnavailable, "not_started", "YouTube Summarizer is still starting; try again in a moment.")
	}
	return s.yt.Get(ctx, rawURL)
}

// newSummarizer builds the summarizer; settings it reads per call apply at
// once, LocalChunkTokens after a restart.
func (s *Backend) newSummarizer(set config.Settings) *summarize.Service {
	cur := s.cfg.Current
	return summarize.New(summarize.Options{
		GeminiKey:        s.secretCtx(config.SecretGeminiKey),
		OpenAIKey:        s.secretCtx(config.SecretOpenAIKey),
		GeminiBaseURL:    func() string { return cur().GeminiBaseURL },
		OpenAIBaseURL:    func() string { return cur().OpenAIBaseURL },
		HTTPClient:       s.opts.HTTPClient,
		DefaultModel:     func() string { return cur().DefaultModel },
		LocalChunkTokens: set.LocalChunkTokens,
		CustomPrompt:     func() string { return cur().CustomPrompt },
		UILanguage:       func() string { return cur().OutputLanguage },
		DefaultStyle:     func() string { return cur().DefaultStyle },
		DefaultLength:    func() string { return cur().DefaultLength },
		VideoFallback:    func() string { return cur().GeminiVideoFallback },
		LocalDiscovery:   func() bool { return cur().LocalDiscovery },
		LocalServers:     func() []string { return cur().LocalServers },
		LocalWellKnown:   s.opts.localWellKnown,
		Logger:           s.log,
		ConcurrencyFor: func(provider string) int { // read per call: a changed limit applies at once
			switch set := cur(); provider {
			case "google":
				return set.GeminiConcurrency
			case "openai": // OpenAI and compatible servers at openai_base_url
				return set.OpenAIConcurrency
			}
			// local, and a discovered server (ollama, lmstudio, llamacpp,
			// host:port): 0 means the built-in limit (one call at a time
			// for a discovered server).
			return 0
		},
	})
}

// startEngine builds the job engine over the store (job records), the
// library (summaries), YouTube, the summarizer and the broker, and starts
// it: it resumes the jobs a crash interrupted.
func (s *Backend) startEngine(ctx context.Context, set config.Settings) error {
	var summarizer jobs.Summarizer = s.sum
	var summaries jobs.Summaries = s.lib
	if s.opts.wrapSummarizer != nil {
		summarizer = s.opts.wrapSummarizer(summarizer)
	}
	if s.opts.wrapSummaries != nil {
		summaries = s.opts.wrapSummaries(summaries)
	}
	var records jobs.Records = s.db
	if s.opts.wrapRecords != nil {
		records = s.opts.wrapRecords(records)
	}
	cur := s.cfg.Current
	s.engine = jobs.New(records, summaries, s.yt, summarizer, s.broker, jobs.Config{
		Workers:            set.WorkerPoolSize,
		MaxJobs:            set.MaxConcurrentJobs,
		Retention:          time.Duration(set.JobRetentionHours) * time.Hour,
		TranscriptOptional: true,
		AsyncEnabled:       func() bool { return cur().AsyncProcessing },
		PreferPlaylist:     func() bool { return cur().PlaylistMode == config.PlaylistPreferPlaylist },
		Logger:             s.log,
		Asker:              s.asker,
	})
	return s.engine.Start(ctx)
}

func audioOptions(set config.Settings) audio.Options {
	return audio.Options{MaxSizeMB: float64(set.AudioCacheMaxMB), MaxFiles: set.AudioCacheMaxFiles,
		TTL: time.Duration(set.AudioCacheTTLHours) * time.Hour}
}

// secretReadTimeout bounds one read of a secret, below the caller's own
// deadline: a locked or slow keychain (whose calls the keychain package
// also bounds) never holds a request or a job longer than this.
const secretReadTimeout = 5 * time.Second

// secretCtx returns a func reading a secret on every call under its
// caller's context, bounded by secretReadTimeout (environment first, then
// the keychain); one that cannot be read in time, or whose caller's
// context ended, is "".
func (s *Backend) secretCtx(name string) func(context.Context) string {
	return func(ctx context.Context) string {
		ctx, cancel := context.WithTimeout(ctx, secretReadTimeout)
		defer cancel()
		v, err := s.cfg.Secret(ctx, name)
		if err != nil {
			return ""
		}
		return v
	}
}

// Close stops the engine (unfinished jobs resume at the next start), closes
// the broker, the library and the database. It is safe to call on a partly opened value.
func (s *Backend) Close() error {
	if s.unwatch != nil {
		s.unwatch()
	}
	s.stopSubscriptions()
	if s.discoverStop != nil {
		s.discoverStop()
		<-s.discoverDone
	}
	var errs []error
	if s.engine != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, s.engine.Stop(ctx))
		cancel()
	}
	if s.broker != nil {
		s.broker.Close()
	}
	errs = append(errs, s.closeAsk())
	if s.lib != nil {
		errs = append(errs, s.lib.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}

// Notices are sentences for the user about what happened while opening
// (for example a corrupt database that was moved aside).
func (s *Backend) Notices() []string { return s.notices }

// Logger is the shared structured logger.
func (s *Backend) Logger() *slog.Logger { return s.log }

// Handler is the HTTP API and web UI handler (the same one Serve runs).
func (s *Backend) Handler() http.Handler { return s.api.Handler() }

// Broker is the event broker both front doors read.
func (s *Backend) Broker() *events.Broker { return s.broker }

// Sentence returns the user-facing sentence for err.
func Sentence(err error) string {
	var e *ytsum.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// Serve runs the HTTP API and web UI on addr (the saved setting when empty)
// until ctx is done, then drains. A non-loopback address is refused unless
// login is enabled. onListen is called with the base URL once bound.
func (s *Backend) Serve(ctx context.Context, addr string, onListen func(url string)) error {
	if addr == "" {
		addr = s.cfg.Current().HTTPAddress
	}
	ln, err := httpapi.Listen(addr, s.cfg.Current().LoginEnabled)
	if err != nil {
		return err
	}
	onListen("http://" + listenURLHost(addr, ln.Addr()))
	return s.api.Serve(ctx, ln)
}

// DataDir is the folder holding the database, audio cache and backups.
func (s *Backend) DataDir() string { return s.env.DataDir }

// DesktopHTTPAddress is where the HTTP API should run beside the window:
// flagAddr when given (--http), else the saved address when the HTTP server
// is enabled in settings, else "" (no server).
func (s *Backend) DesktopHTTPAddress(flagAddr string) string {
	if flagAddr != "" {
		return flagAddr
	}
	if set := s.cfg.Current(); set.HTTPEnabled {
		return set.HTTPAddress
	}
	return ""
}

// listenURLHost is host:port for the "listening on" line: the host as asked
// (so 0.0.0.0 stays 0.0.0.0, not [::]) with the port actually bound.
func listenURLHost(asked string, bound net.Addr) string {
	host, _, err := net.SplitHostPort(asked)
	_, port, perr := net.SplitHostPort(bound.String())
	if err != nil || perr != nil || host == "" {
		return bound.String()
	}
	return net.JoinHostPort(host, port)
}
