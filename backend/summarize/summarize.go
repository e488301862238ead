package summarize

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"

	"ytsum/backend/summarize/discover"
	"ytsum/backend/summarize/gemini"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/summarize/local"
	"ytsum/backend/summarize/openai"
	"ytsum/backend/ytsum"
)

// Provider is one way of making a summary: a model API or the local
// summarizer. Stream sends one request and calls onDelta (when non-nil) with
// each piece of text, in order, from the calling goroutine, then returns the
// whole answer. It must return promptly once ctx ends. Errors are
// *ytsum.Error with an llm Kind. Implementations are safe for concurrent use.
type Provider interface {
	Name() string
	Stream(ctx context.Context, req llm.Request, onDelta func(delta string)) (llm.Response, error)
}

// Options configure a Service. Every field is optional; the zero value gives
// a Service that summarizes with the local model and with the models of any
// local LLM server it finds on this machine (no key). Funcs are called on
// every use, so settings changed at run time apply at once.
type Options struct {
	// GeminiKey and OpenAIKey return the API keys, read under the caller's
	// context (the keychain may be asked: a read must return promptly once
	// that context ends); nil or "" means none.
	GeminiKey, OpenAIKey llm.Key
	// GeminiBaseURL returns the Gemini base URL (YTSUM_GEMINI_URL); nil or ""
	// means the genai default.
	GeminiBaseURL func() string
	// OpenAIBaseURL returns the OpenAI-compatible base URL including /v1
	// (YTSUM_OPENAI_URL, or the user's setting, e.g.
	// http://localhost:11434/v1 for Ollama); nil or "" means OpenAI's API.
	// A custom base URL works without a key.
	OpenAIBaseURL func() string
	// HTTPClient is used for every provider call; nil means a default client.
	// Leave its Timeout zero: streams are long, and contexts bound calls.
	HTTPClient *http.Client
	// DefaultModel returns the model setting used when a request names none;
	// nil or "" means the built-in choice (see Service.DefaultModel).
	DefaultModel func() string
	// Concurrency is how many LLM calls run at once per provider when
	// ConcurrencyFor is nil or returns 0 or less; 0 means 4.
	Concurrency int
	// ConcurrencyFor returns how many LLM calls may run at once for provider
	// (llm.ProviderGoogle "google", llm.ProviderOpenAI "openai" — which
	// includes local servers such as Ollama at a custom base URL — or
	// llm.ProviderLocal "local"); 0 or less, or a nil func, means
	// Concurrency. It is called before every call is admitted (and about
	// once a second by each waiting call), so a changed limit applies at
	// once: new and waiting calls see it, calls in flight finish. It must be
	// fast, safe for concurrent use, and must not call the Service.
	ConcurrencyFor func(provider string) int
	// LocalChunkTokens is the transcript size, in estimated tokens, of one
	// request to an OpenAI-compatible server at a custom base URL (whose
	// context is often small: Ollama's default is 4096); 0 means 3000.
	LocalChunkTokens int
	// CustomPrompt returns the prompt template of the "custom" style
	// (text/template; fields in doc.go); nil or "" makes "custom" invalid.
	CustomPrompt func() string
	// UILanguage returns the UI language, the default output language; nil
	// or "" means "en".
	UILanguage func() string
	// DefaultStyle and DefaultLength return the style and length a request
	// that names none gets (settings default_style, default_length); nil,
	// "" or an unknown value means "audio" and "medium".
	DefaultStyle, DefaultLength func() string
	// VideoFallback returns what a Gemini model does with a video that has
	// no usable transcript (setting gemini_video_fallback): VideoFallbackLow
	// watches the video at low media resolution (~66 tokens a frame + 32 a
	// second of audio: ~100 tokens a second), VideoFallbackDefault at the
	// API's default resolution (~258 tokens a frame: ~300 a second; low is
	// still used when the video would not fit the model's context),
	// VideoFallbackOff fails with KindNoTranscript. nil or "" means low.
	VideoFallback func() string
	// MaxRetries is how often a rate-limited or overloaded call is retried;
	// 0 means 3, negative means never.
	MaxRetries int
	// MaxRetryWait is the longest wait before one retry; a longer Retry-After
	// fails at once with its hint. 0 means 60 seconds.
	MaxRetryWait time.Duration
	// ModelsTTL is how long a provider's model listing is kept; 0 means 10 minutes.
	ModelsTTL time.Duration
	// ListTimeout bounds one refresh of the model listings; 0 means 3 seconds.
	ListTimeout time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// LocalDiscovery reports whether local LLM servers on loopback (Ollama,
	// LM Studio, llama.cpp) are looked for — the local_discovery setting;
	// nil means yes.
	LocalDiscovery func() bool
	// LocalServers returns more addresses of local LLM servers to probe
	// ("host:port" or a URL) — the local_servers setting.
	LocalServers func() []string
	// LocalWellKnown, when set, replaces the well-known addresses of local
	// LLM servers by kind (an empty address skips that kind): tests keep a
	// server running on the machine out of their model lists.
	LocalWellKnown map[string]string
	// Discoverer finds local LLM servers; nil means one made from
	// LocalDiscovery, LocalServers, LocalWellKnown, HTTPClient and Logger.
	Discoverer *discover.Discoverer
	// Logger records local servers going down and coming back; nil: none.
	Logger *slog.Logger
	// ServerFirstText and ServerIdle bound each call to a discovered local
	// server: the wait for the first text, and the longest silence after it;
	// 0 means 90 and 30 seconds.
	ServerFirstText, ServerIdle time.Duration
}

// Service makes summaries. It is safe for concurrent use; LLM calls of all
// concurrent Summarize calls share the per-provider limit (ConcurrencyFor).
type Service struct {
	opts      Options
	gemini    *gemini.Provider
	openai    *openai.Provider
	providers map[string]Provider
	limits    map[string]*limiter
	// sleep waits d or until ctx ends (tests replace it).
	sleep func(ctx context.Context, d time.Duration) error

	disc    *discover.Discoverer
	provMu  sync.Mutex                  // guards limits (after New) and servers
	servers map[string]*openai.Provider // clients of discovered servers, by ID and URL

	refreshMu sync.Mutex // one listing refresh at a time
	mu        sync.Mutex // guards lists
	lists     map[string]*listing
}

// New returns a Service. It makes no network call.
func New(opts Options) *Service {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.LocalChunkTokens <= 0 {
		opts.LocalChunkTokens = 3000
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 3
	}
	if opts.MaxRetryWait <= 0 {
		opts.MaxRetryWait = time.Minute
	}
	if opts.ModelsTTL <= 0 {
		opts.ModelsTTL = 10 * time.Minute
	}
	if opts.ListTimeout <= 0 {
		opts.ListTimeout = 3 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ServerFirstText <= 0 {
		opts.ServerFirstText = serverFirstText
	}
	if opts.ServerIdle <= 0 {
		opts.ServerIdle = serverIdle
	}
	if opts.Discoverer == nil {
		opts.Discoverer = discover.New(discover.Options{Enabled: opts.LocalDiscovery, Addresses: opts.LocalServers,
			HTTPClient: opts.HTTPClient, Logger: opts.Logger, WellKnown: opts.LocalWellKnown})
	}
	s := &Service{
		disc:    opts.Discoverer,
		servers: map[string]*openai.Provider{},
		opts:    opts,
		gemini:  gemini.New(gemini.Options{APIKey: opts.GeminiKey, BaseURL: opts.GeminiBaseURL, HTTPClient: opts.HTTPClient}),
		openai:  openai.New(openai.Options{APIKey: opts.OpenAIKey, BaseURL: opts.OpenAIBaseURL, HTTPClient: opts.HTTPClient}),
		limits:  map[string]*limiter{},
		lists:   map[string]*listing{},
		sleep:   sleepCtx,
	}
	s.providers = map[string]Provider{llm.ProviderGoogle: s.gemini, llm.ProviderOpenAI: s.openai, llm.ProviderLocal: local.New()}
	for name := range s.providers {
		s.limits[name] = &limiter{size: func() int { return s.limit(name) }, recheck: time.Second}
	}
	return s
}

// limit returns the current limit of calls in flight for provider, ≥ 1.
func (s *Service) limit(provider string) int {
	if s.opts.ConcurrencyFor != nil {
		if n := s.opts.ConcurrencyFor(provider); n > 0 {
			return n
		}
	}
	if _, builtin := s.providers[provider]; !builtin {
		return serverConcurrency // a discovered local server
	}
	return s.opts.Concurrency
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) now() time.Time { return s.opts.Now() }

func call(f func() string) string {
	if f == nil {
		return ""
	}
	return strings.TrimSpace(f())
}

// Input is one video to summarize: the shared ytsum.SummaryInput, so the
// job engine hands its videos to Summarize as they are.
type Input = ytsum.SummaryInput

// Resolve fills the defaults of opts and checks them: the model (the
// configured default when empty; a retired Gemini key becomes its listed
// successor), the style (Options.DefaultStyle, else "audio"), the length
// (Options.DefaultLength, else "medium") and the output language (the UI
// language; "same" keeps the video's). Every door — HTTP, window, CLI —
// gets these defaults, since the job engine calls Resolve. The local model
// always gets language "same": it copies sentences and cannot translate.
// An unknown model, style, length or language, or the custom style without a
// template, is a *ytsum.Error with CodeInvalid and KindInvalidOption; a
// model whose provider has no key is CodeInvalid with KindKeyMissing.
// Resolve makes no network call: it uses the last model listings; it reads
// the API keys under ctx (the keychain may be asked).
func (s *Service) Resolve(ctx context.Context, opts ytsum.SummaryOptions) (ytsum.SummaryOptions, error) {
	return s.resolve(s.readKeys(ctx), opts)
}

func (s *Service) resolve(k apiKeys, opts ytsum.SummaryOptions) (ytsum.SummaryOptions, error) {
	out := opts
	out.Model = strings.TrimSpace(opts.Model)
	if out.Model == "" {
		out.Model = s.defaultModel(k)
	}
	// A local server's model ("ollama/llama3.2:3b") is kept as asked even
	// when its server is not found now: Summarize looks again, and falls back
	// to the default with a note on the summary if it is gone.
	var r resolved
	if !s.serverKey(out.Model) {
		var err error
		if r, err = s.lookup(k, out.Model); err != nil {
			return opts, err
		}
		if !s.configured(k, r.Provider) {
			// Refused at submit time (400), before any video is fetched for it.
			return opts, ytsum.Errorf(ytsum.CodeInvalid, llm.KindKeyMissing, "%s", ytsum.ErrorMessage(keyMissing(r.Provider)))
		}
		out.Model = r.apiModel
	}

	out.Style = strings.ToLower(strings.TrimSpace(opts.Style))
	if out.Style == "" {
		out.Style = StyleAudio
		if d := strings.ToLower(call(s.opts.DefaultStyle)); contains(Styles, d) {
			out.Style = d
		}
	}
	if !contains(Styles, out.Style) {
		return opts, ytsum.Errorf(ytsum.CodeInvalid, llm.KindInvalidOption,
			"Unknown summary style %q; choose one of: %s.", opts.Style, strings.Join(Styles, ", "))
	}
	if out.Style == StyleCustom && r.Provider != llm.ProviderLocal {
		if _, err := parseCustom(call(s.opts.CustomPrompt)); err != nil {
			return opts, err
		}
	}
	out.Length = strings.ToLower(strings.TrimSpace(opts.Length))
	if out.Length == "" {
		out.Length = LengthMedium
		if d := strings.ToLower(call(s.opts.DefaultLength)); contains(Lengths, d) {
			out.Length = d
		}
	}
	if !contains(Lengths, out.Length) {
		return opts, ytsum.Errorf(ytsum.CodeInvalid, llm.KindInvalidOption,
			"Unknown summary length %q; choose short, medium or long.", opts.Length)
	}
	lang := strings.TrimSpace(opts.Language)
	if lang == "" {
		lang = call(s.opts.UILanguage)
		if _, err := language.Parse(lang); lang == "" || err != nil {
			lang = "en"
		}
	}
	if strings.EqualFold(lang, LanguageSame) {
		out.Language = LanguageSame
	} else {
		t, err := language.Parse(lang)
		if err != nil {
			return opts, ytsum.Errorf(ytsum.CodeInvalid, llm.KindInvalidOption,
				"Unknown output language %q; use a language code such as \"en\" or \"pt-BR\", or \"same\".", opts.Language)
		}
		out.Language = t.String()
	}
	if r.Provider == llm.ProviderLocal {
		out.Language = LanguageSame
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// localVersion stands in for the prompt version of the local summarizer.
const localVersion = "local-2"

// CacheKey returns the key under which the summary of videoID made with
// resolved options (the result of Resolve) is cached: the video ID, a colon,
// and a hash of provider, model, style, length, language and prompt version
// (plus a hash of the custom template when the style is custom). A different
// model, style, length, language or prompt is therefore a new summary.
//
// Regenerate is not part of the key: a caller honours opts.Regenerate by
// skipping its cache lookup, calling Summarize, and storing the new summary
// under the same key (replacing the old one).
//
// The keys are read under ctx: which provider serves a listed model depends
// on the listing of the current key.
func (s *Service) CacheKey(ctx context.Context, videoID string, resolved ytsum.SummaryOptions) string {
	return s.cacheKey(s.readKeys(ctx), videoID, resolved)
}

func (s *Service) cacheKey(k apiKeys, videoID string, resolved ytsum.SummaryOptions) string {
	provider := ""
	if s.serverKey(resolved.Model) {
		provider, _, _ = strings.Cut(resolved.Model, "/") // whether or not the server is up now
	} else if r, err := s.lookup(k, resolved.Model); err == nil {
		provider = r.Provider
	}
	version := PromptVersion
	if provider == llm.ProviderLocal {
		version = localVersion
	}
	custom := ""
	if resolved.Style == StyleCustom && provider != llm.ProviderLocal {
		h := sha256.Sum256([]byte(call(s.opts.CustomPrompt)))
		custom = hex.EncodeToString(h[:])
	}
	h := sha256.Sum256([]byte(strings.Join([]string{"ytsum-summary-1", videoID, provider, resolved.Model,
		resolved.Style, resolved.Length, resolved.Language, version, custom}, "\x00")))
	return videoID + ":" + hex.EncodeToString(h[:12])
}

// Summarize makes the summary of in.Video. It refreshes the model listings
// if they are stale (bounded by Options.ListTimeout), resolves in.Options,
// and calls onDelta (when non-nil) with the text of the summary as it is
// written — for a long transcript summarized in parts, only the final
// combining pass streams. onDelta is called from goroutines of Summarize,
// never concurrently. Without a usable transcript a Gemini model summarizes
// the video itself (Summary.FromVideo); other models fail with
// KindNoTranscript. Errors are *ytsum.Error; when ctx ends the error has
// KindCancelled and wraps ctx's error.
func (s *Service) Summarize(ctx context.Context, in Input, onDelta func(delta string)) (*ytsum.Summary, error) {
	start := s.now()
	k := s.refresh(ctx)
	var note string
	if m := strings.TrimSpace(in.Options.Model); m != "" && s.serverKey(m) {
		s.disc.Servers(ctx) // probes unless the last probe is under a minute old
		in.Options.Model, note = s.fallback(k, m)
	}
	o, err := s.resolve(k, in.Options)
	if err != nil {
		return nil, err
	}
	r, err := s.lookup(k, o.Model)
	if err != nil {
		return nil, err
	}
	if !s.configured(k, r.Provider) {
		return nil, keyMissing(r.Provider)
	}
	p, err := s.providerFor(r.Provider)
	if err != nil {
		return nil, err
	}
	sum := &ytsum.Summary{Note: note, Video: in.Video, Model: o.Model, Provider: r.Provider, Style: o.Style, Length: o.Length,
		Language: o.Language, PromptVersion: PromptVersion, CacheKey: s.cacheKey(k, in.Video.ID, o)}
	if r.Provider == llm.ProviderLocal {
		sum.PromptVersion = localVersion
	}
	run := &run{s: s, p: p, m: r, o: o, in: in, data: newPromptData(in.Video, o), custom: call(s.opts.CustomPrompt)}
	var resp llm.Response
	if usable(in.Transcript) {
		sum.TranscriptLanguage, sum.TranscriptKind = in.Transcript.Language, in.Transcript.Kind
		if o.Language == LanguageSame && in.Transcript.Language != "" {
			sum.Language = in.Transcript.Language
		}
		resp, err = run.fromTranscript(ctx, onDelta)
	} else {
		if r.Provider != llm.ProviderGoogle {
			return nil, ytsum.Errorf(ytsum.CodeNotFound, llm.KindNoTranscript,
				"This video has no usable transcript, and %s cannot watch videos; choose a Gemini model to summarize it from the video itself.", r.DisplayName)
		}
		mode := s.videoFallback()
		if mode == VideoFallbackOff {
			return nil, ytsum.Errorf(ytsum.CodeNotFound, llm.KindNoTranscript,
				"This video has no usable transcript, and summarizing from the video itself is turned off (Settings: Gemini video fallback); turn it on to let %s watch the video.", r.DisplayName)
		}
		sum.FromVideo = true
		run.lowRes = mode == VideoFallbackLow
		resp, err = run.fromVideo(ctx, onDelta)
		sum.VideoResolution = VideoFallbackDefault
		if run.usedLowRes {
			sum.VideoResolution = VideoFallbackLow
		}
	}
	if err != nil {
		if e := llm.Cancelled(ctx); e != nil {
			return nil, e
		}
		s.serverDown(r.Provider, err)
		return nil, err
	}
	sum.Text = strings.TrimSpace(resp.Text)
	sum.Usage = run.usage
	sum.CreatedAt = s.now()
	sum.ElapsedMS = sum.CreatedAt.Sub(start).Milliseconds()
	return sum, nil
}

func keyMissing(provider string) error {
	if provider == llm.ProviderGoogle {
		return ytsum.Errorf(ytsum.CodeUnauthorized, llm.KindKeyMissing,
			"No Gemini API key is set; add one in Settings or choose another model.")
	}
	return ytsum.Errorf(ytsum.CodeUnauthorized, llm.KindKeyMissing,
		"No OpenAI API key is set; add one in Settings, set an OpenAI-compatible server URL, or choose another model.")
}

func usable(t *ytsum.Transcript) bool {
	if t == nil {
		return false
	}
	for _, s := range t.Segments {
		if strings.TrimSpace(s.Text) != "" {
			return true
		}
	}
	return false
}

// call runs one provider request under the provider's concurrency limit,
// retrying rate limits and overloads with exponential backoff that honours
// the provider's Retry-After hint — but never after text has streamed out.
func (s *Service) call(ctx context.Context, p Provider, req llm.Request, onDelta func(string)) (llm.Response, error) {
	lim := s.limiterFor(p.Name())
	for attempt := 0; ; attempt++ {
		if lim.acquire(ctx) != nil {
			return llm.Response{}, llm.Cancelled(ctx)
		}
		emitted := false
		resp, err := p.Stream(ctx, req, func(d string) {
			emitted = true
			if onDelta != nil {
				onDelta(d)
			}
		})
		lim.release()
		if err == nil || emitted || !llm.Retryable(err) || attempt >= s.opts.MaxRetries {
			return resp, err
		}
		hint := ytsum.RetryAfter(err)
		if hint > s.opts.MaxRetryWait {
			return resp, err
		}
		wait := time.Second << attempt
		wait += time.Duration(rand.Int64N(int64(wait / 4))) // jitter
		if hint > wait {
			wait = hint
		}
		if wait > s.opts.MaxRetryWait {
			wait = s.opts.MaxRetryWait
		}
		if s.sleep(ctx, wait) != nil {
			return resp, llm.Cancelled(ctx)
		}
	}
}

// run is one Summarize call.
type run struct {
	s      *Service
	p      Provider
	m      resolved
	o      ytsum.SummaryOptions
	in     Input
	data   promptData
	custom string
	// lowRes asks for low media resolution for the video input
	// (VideoFallbackLow); usedLowRes records that some request used it.
	lowRes, usedLowRes bool

	mu    sync.Mutex
	usage ytsum.Usage
}

func (r *run) add(u ytsum.Usage) {
	r.mu.Lock()
	r.usage.InputTokens += u.InputTokens
	r.usage.OutputTokens += u.OutputTokens
	r.usage.TotalTokens += u.TotalTokens
	r.mu.Unlock()
}

func (r *run) request(prompt string) llm.Request {
	return llm.Request{Model: r.m.apiModel, System: systemPrompt, Prompt: prompt, Style: r.o.Style, Length: r.o.Length}
}

func (r *run) stream(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
	resp, err := r.s.call(ctx, r.p, req, onDelta)
	r.add(resp.Usage)
	return resp, err
}

// budget is how many transcript tokens one request may carry: the model's
// context window less room for the prompt and the answer, or the chunk size
// setting for a model of a compatible server (unless it is a known OpenAI
// model, e.g. "openai/gpt-4o" on OpenRouter).
func (r *run) budget() int {
	if _, builtin := r.s.providers[r.m.Provider]; !builtin && r.m.ContextTokens <= 0 {
		return r.s.opts.LocalChunkTokens // a discovered server that does not say its context
	}
	if r.m.Provider == llm.ProviderOpenAI && r.s.openai.Custom() {
		_, id, _ := strings.Cut("/"+r.o.Model, "/")
		if i := strings.LastIndex(id, "/"); i >= 0 {
			id = id[i+1:]
		}
		if openai.ContextTokens(id) == 0 {
			return r.s.opts.LocalChunkTokens
		}
		r.m.ContextTokens = openai.ContextTokens(id)
	}
	window := r.m.ContextTokens
	if window <= 0 {
		window = contextFor(r.m.Provider, r.o.Model, 0)
	}
	reserve := 16_384
	if window < 4*reserve {
		reserve = window / 4
	}
	b := window - reserve - 2_000
	if b < 1_000 {
		b = 1_000
	}
	return b
}

// fromTranscript summarizes the transcript in one pass when it fits the
// budget, else by map-reduce. A provider that reports the input too long
// (a context smaller than thought) gets the work again in halves, up to
// three times, as long as nothing has streamed yet.
func (r *run) fromTranscript(ctx context.Context, onDelta func(string)) (llm.Response, error) {
	segs := r.in.Transcript.Segments
	if r.m.Provider == llm.ProviderLocal {
		req := r.request("")
		req.Segments, req.Language = segs, r.in.Transcript.Language
		return r.stream(ctx, req, onDelta)
	}
	text := formatTranscript(segs)
	est := EstimateTokens(text)
	budget := r.budget()
	emitted := false
	out := func(d string) {
		emitted = true
		if onDelta != nil {
			onDelta(d)
		}
	}
	for attempt := 0; ; attempt++ {
		var resp llm.Response
		var err error
		if est <= budget {
			var prompt string
			if prompt, err = finalPrompt(r.data, "transcript", text, r.custom); err != nil {
				return resp, err
			}
			resp, err = r.stream(ctx, r.request(prompt), out)
		} else {
			resp, err = r.mapReduce(ctx, splitSegments(segs, budget), budget, out)
		}
		if ytsum.ErrorKind(err) != llm.KindContextTooLong || emitted || attempt >= 3 {
			return resp, err
		}
		budget = min(budget, est) / 2
	}
}

// mapReduce writes notes on each chunk in parallel (bounded by the provider
// limit), merges the notes until they fit one request, and streams the final
// pass in the requested style.
func (r *run) mapReduce(ctx context.Context, chunks []chunk, budget int, onDelta func(string)) (llm.Response, error) {
	noteWords := clamp(budget/(2*len(chunks)), 80, 500)
	d := r.data
	d.Parts, d.NoteWords = len(chunks), noteWords
	prompts := make([]llm.Request, len(chunks))
	for i, c := range chunks {
		d.Part, d.From, d.To = i+1, ytsum.Timestamp(c.from), ytsum.Timestamp(c.to)
		d.Input, d.Transcript = "transcript", formatTranscript(c.segs)
		p, err := render("map.tmpl", d)
		if err != nil {
			return llm.Response{}, err
		}
		prompts[i] = r.request(p)
	}
	notes, err := r.parallel(ctx, prompts)
	if err != nil {
		return llm.Response{}, err
	}
	for i, c := range chunks {
		notes[i].from, notes[i].to = c.from, c.to
	}
	return r.reduce(ctx, notes, budget, onDelta)
}

type note struct {
	text     string
	from, to float64
}

// reduce merges notes (in order) in batches that fit budget until they fit
// one request, then runs the final pass.
func (r *run) reduce(ctx context.Context, notes []note, budget int, onDelta func(string)) (llm.Response, error) {
	for level := 0; ; level++ {
		joined := joinNotes(notes)
		if EstimateTokens(joined) <= budget {
			prompt, err := finalPrompt(r.data, "notes", joined, r.custom)
			if err != nil {
				return llm.Response{}, err
			}
			return r.stream(ctx, r.request(prompt), onDelta)
		}
		if level >= 4 || len(notes) == 1 && level > 0 {
			return llm.Response{}, ytsum.Errorf(ytsum.CodeInvalid, llm.KindTooLong,
				"This video is too long for %s even in parts; choose a model with a larger context (or raise the chunk size in Settings).", r.m.DisplayName)
		}
		var batches [][]note
		var cur []note
		used := 0
		for _, n := range notes {
			c := EstimateTokens(n.text) + 4
			if len(cur) > 0 && used+c > budget {
				batches = append(batches, cur)
				cur, used = nil, 0
			}
			cur = append(cur, n)
			used += c
		}
		batches = append(batches, cur)
		d := r.data
		d.NoteWords = clamp(budget/(2*len(batches)), 80, 800)
		reqs := make([]llm.Request, len(batches))
		next := make([]note, len(batches))
		for i, b := range batches {
			d.From, d.To = ytsum.Timestamp(b[0].from), ytsum.Timestamp(b[len(b)-1].to)
			d.Transcript = joinNotes(b)
			p, err := render("combine.tmpl", d)
			if err != nil {
				return llm.Response{}, err
			}
			reqs[i] = r.request(p)
			next[i] = note{from: b[0].from, to: b[len(b)-1].to}
		}
		texts, err := r.parallel(ctx, reqs)
		if err != nil {
			return llm.Response{}, err
		}
		for i := range next {
			next[i].text = texts[i].text
		}
		notes = next
	}
}

func joinNotes(ns []note) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strings.TrimSpace(n.text)
	}
	return strings.Join(parts, "\n")
}

// parallel runs reqs (not streamed) with at most the provider's limit in
// flight and returns their answers in order; the first error cancels the
// rest. Workers are added as the limit allows (re-read before each request
// is handed out and at each recheck tick), so a raised limit speeds up a
// run already under way; a lowered one is enforced by the limiter.
func (r *run) parallel(ctx context.Context, reqs []llm.Request) ([]note, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make([]note, len(reqs))
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	worker := func() {
		defer wg.Done()
		for i := range jobs {
			resp, err := r.stream(ctx, reqs[i], nil)
			if err != nil {
				errOnce.Do(func() { firstErr = err; cancel(err) })
				continue
			}
			out[i].text = resp.Text
		}
	}
	workers := 0
	grow := func() {
		for n := min(r.s.limit(r.p.Name()), len(reqs)); workers < n; workers++ {
			wg.Add(1)
			go worker()
		}
	}
	tick := time.NewTicker(r.s.limiterFor(r.p.Name()).recheck)
	defer tick.Stop()
feed:
	for i := range reqs {
		for {
			grow()
			select {
			case jobs <- i:
				continue feed
			case <-tick.C:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if e := llm.Cancelled(ctx); e != nil {
		return nil, e
	}
	return out, nil
}

// Values of Options.VideoFallback (the setting gemini_video_fallback).
const (
	VideoFallbackOff     = "off"
	VideoFallbackLow     = "low"
	VideoFallbackDefault = "default"
)

func (s *Service) videoFallback() string {
	switch v := call(s.opts.VideoFallback); v {
	case VideoFallbackOff, VideoFallbackDefault:
		return v
	}
	return VideoFallbackLow
}

// fromVideo summarizes the video itself (Gemini fileData). A video too long
// for the model's context even at low resolution is summarized in clips
// (videoMetadata offsets) and the clips' notes are then combined.
func (r *run) fromVideo(ctx context.Context, onDelta func(string)) (llm.Response, error) {
	const perSecond, perSecondLow = 300, 100 // tokens per second of video
	url := ytsum.WatchURL(r.in.Video.ID)
	dur := r.in.Video.DurationSeconds
	budget := r.budget()
	emitted := false
	out := func(d string) {
		emitted = true
		if onDelta != nil {
			onDelta(d)
		}
	}
	for attempt := 0; ; attempt++ {
		var resp llm.Response
		var err error
		if dur*perSecondLow <= budget {
			prompt, perr := finalPrompt(r.data, "video", "", r.custom)
			if perr != nil {
				return resp, perr
			}
			req := r.request(prompt)
			req.VideoURL, req.LowResolution = url, r.lowRes || dur == 0 || dur*perSecond > budget
			r.usedLowRes = r.usedLowRes || req.LowResolution
			resp, err = r.stream(ctx, req, out)
		} else {
			resp, err = r.videoClips(ctx, url, dur, budget/perSecondLow, budget, out)
		}
		if ytsum.ErrorKind(err) != llm.KindContextTooLong || emitted || attempt >= 3 {
			return resp, err
		}
		if dur == 0 {
			dur = budget / perSecondLow * 2
		}
		budget = min(budget, dur*perSecondLow) / 2
	}
}

func (r *run) videoClips(ctx context.Context, url string, dur, clip, budget int, onDelta func(string)) (llm.Response, error) {
	if clip < 60 {
		clip = 60
	}
	n := (dur + clip - 1) / clip
	d := r.data
	d.Input, d.Parts, d.NoteWords = "video", n, clamp(budget/(2*n), 80, 500)
	reqs := make([]llm.Request, n)
	for i := range n {
		from, to := i*clip, min((i+1)*clip, dur)
		d.Part, d.From, d.To = i+1, ytsum.Timestamp(float64(from)), ytsum.Timestamp(float64(to))
		p, err := render("map.tmpl", d)
		if err != nil {
			return llm.Response{}, err
		}
		reqs[i] = r.request(p)
		reqs[i].VideoURL, reqs[i].LowResolution = url, true
		r.usedLowRes = true
		reqs[i].VideoStart, reqs[i].VideoEnd = time.Duration(from)*time.Second, time.Duration(to)*time.Second
	}
	notes, err := r.parallel(ctx, reqs)
	if err != nil {
		return llm.Response{}, err
	}
	for i := range notes {
		notes[i].from, notes[i].to = float64(i*clip), float64(min((i+1)*clip, dur))
	}
	return r.reduce(ctx, notes, budget, onDelta)
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
