package tts

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"ytsum/backend/tts/audio"
	"ytsum/backend/ytsum"
)

// SummaryTexts gives the text of a saved summary; the store implements it.
// It must be safe for concurrent use and return a *ytsum.Error (not_found)
// for an unknown video.
type SummaryTexts interface {
	SummaryText(ctx context.Context, videoID string) (string, error)
}

// Options configure a Service. Every zero value is a working default.
type Options struct {
	// Endpoint is the Cloud TTS REST base URL (YTSUM_TTS_URL); "" is
	// https://texttospeech.googleapis.com.
	Endpoint string
	// APIKey returns the Cloud TTS API key (GOOGLE_TTS_API_KEY or
	// GOOGLE_API_KEY, or the keychain); read on every call under the
	// caller's context (it must return promptly once that ends). nil or ""
	// = none.
	APIKey func(ctx context.Context) string
	// CredentialsFile returns the path of a service-account JSON file
	// (GOOGLE_APPLICATION_CREDENTIALS), read like APIKey; used when APIKey
	// gives "".
	CredentialsFile func(ctx context.Context) string
	// HTTPClient is used for Cloud calls made with an API key (nil: the
	// client library's own transport). Service-account calls always use the
	// library's authenticated transport.
	HTTPClient *http.Client
	// Voice returns the configured voice (TTS_VOICE); "" = DefaultVoice.
	Voice func() string
	// Concurrency caps the Cloud requests one Speak runs at once (default 4).
	Concurrency int
	// RequestTimeout bounds one Cloud request (default 60 s).
	RequestTimeout time.Duration
	// MaxRequestBytes and MaxSentenceBytes tune Chunk (defaults 4,800 and
	// 400); values over 5,000 are lowered to 5,000.
	MaxRequestBytes, MaxSentenceBytes int
	// LanguageCode filters voices:list ("" = every language).
	LanguageCode string
	// Cache stores the audio; nil disables caching (FileName stays "").
	Cache *audio.Cache
	// Texts fetches summary texts for Speak with a VideoID; nil refuses
	// such requests.
	Texts SummaryTexts
	// DisableOffline turns the OS's offline voice off.
	DisableOffline bool
	// LookPath finds programs for the offline voice (default exec.LookPath).
	LookPath func(string) (string, error)
	// GOOS selects the offline voice's platform (default runtime.GOOS).
	GOOS string
	// Logger receives internal errors (default slog.Default()).
	Logger *slog.Logger
}

// Service speaks text with Google Cloud Text-to-Speech or the OS's offline
// voice, caching the audio. It is safe for concurrent use; both the HTTP API
// and the desktop window use one Service.
type Service struct {
	opts  Options
	cloud cloud

	flightMu sync.Mutex
	flight   map[string]*call

	voicesMu    sync.Mutex
	voicesFor   creds
	voicesAt    time.Time
	voicesCache []Voice
}

type call struct {
	done    chan struct{}
	waiters int // callers sharing this call (guarded by flightMu)
	res     Audio
	err     error
}

// New returns a Service. It does no I/O.
func New(opts Options) *Service {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 60 * time.Second
	}
	if opts.MaxRequestBytes <= 0 || opts.MaxRequestBytes > APIMaxBytes {
		if opts.MaxRequestBytes <= 0 {
			opts.MaxRequestBytes = DefaultMaxRequestBytes
		} else {
			opts.MaxRequestBytes = APIMaxBytes
		}
	}
	if opts.MaxSentenceBytes <= 0 {
		opts.MaxSentenceBytes = DefaultMaxSentenceBytes
	}
	if opts.LookPath == nil {
		opts.LookPath = exec.LookPath
	}
	if opts.GOOS == "" {
		opts.GOOS = runtime.GOOS
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{opts: opts, cloud: cloud{httpClient: opts.HTTPClient}, flight: map[string]*call{}}
}

// SpeakRequest asks for a summary, or any text, to be read aloud.
type SpeakRequest struct {
	// Text to read; when empty, the summary of VideoID is read.
	Text string
	// VideoID links the audio to that video's summary (so deleting the
	// summary deletes the audio) and supplies the text when Text is empty.
	VideoID string
	// VoiceID is a voice of the catalogue, "offline", or any Cloud voice
	// name; "" means the configured voice when it speaks Language, else
	// Language's default voice (VoiceForLanguage).
	VoiceID string
	// Language is the BCP-47 code of the text ("de", "pt-BR"); it picks the
	// words symbols are read as, the default Cloud voice and the offline
	// voice. "" means: the saved summary's language for a VideoID whose text
	// is read (when Options.Texts implements SummarySpeech), else English.
	Language string
}

// Audio is speech ready to play.
type Audio struct {
	Data        []byte
	ContentType string // "audio/mpeg" ("audio/wav" only for a WAV cached by an older version)
	FileName    string // the cache file name ("" without a cache)
	Voice       string // the voice that actually spoke (after any fallback), or "offline"
	Offline     bool   // spoken by the OS's offline voice
	Cached      bool   // served from the cache
}

// creds reads the Cloud credentials under ctx.
func (s *Service) creds(ctx context.Context) creds {
	c := creds{endpoint: s.opts.Endpoint}
	if s.opts.APIKey != nil {
		c.apiKey = strings.TrimSpace(s.opts.APIKey(ctx))
	}
	if c.apiKey == "" && s.opts.CredentialsFile != nil {
		c.credFile = strings.TrimSpace(s.opts.CredentialsFile(ctx))
	}
	return c
}

func (s *Service) offline() (offlinePlan, bool) {
	if s.opts.DisableOffline {
		return offlinePlan{}, false
	}
	return planOffline(s.opts.GOOS, s.opts.LookPath)
}

// CurrentVoice returns the configured voice, or DefaultVoice.
func (s *Service) CurrentVoice() string {
	if s.opts.Voice != nil {
		if v := strings.TrimSpace(s.opts.Voice()); v != "" {
			return v
		}
	}
	return DefaultVoice
}

// Available reports whether Speak can work: Cloud credentials are set or an
// offline voice exists (for /api_status "tts_available"). The credentials
// are read under ctx.
func (s *Service) Available(ctx context.Context) bool {
	if s.creds(ctx).set() {
		return true
	}
	_, ok := s.offline()
	return ok
}

// Engine names what listening uses now: "cloud" when Cloud credentials are
// set, "offline" when only the offline voice exists, "" when neither (for
// /api_status "tts_engine"). The credentials are read under ctx.
func (s *Service) Engine(ctx context.Context) string {
	if s.creds(ctx).set() {
		return "cloud"
	}
	if _, ok := s.offline(); ok {
		return "offline"
	}
	return ""
}

// Speak reads a summary or text aloud. It cleans the text, serves the cache
// when it can, and otherwise synthesizes: with Cloud TTS (chunks in
// parallel, falling back along FallbackChain when a voice fails) when
// credentials are set and the voice is not "offline", else with the offline
// voice. When Cloud TTS is unreachable and an offline voice exists, the
// offline voice speaks instead. Errors are *ytsum.Error with the kinds
// listed in errors.go. Concurrent identical requests share one synthesis.
func (s *Service) Speak(ctx context.Context, req SpeakRequest) (Audio, error) {
	text, lang := req.Text, req.Language
	if strings.TrimSpace(text) == "" && req.VideoID != "" {
		if s.opts.Texts == nil {
			return Audio{}, ytsum.Errorf(ytsum.CodeInvalid, KindNoSummary, "Send the text to read; this setup cannot look up summaries.")
		}
		var t, l string
		var err error
		if sp, ok := s.opts.Texts.(SummarySpeech); ok {
			t, l, err = sp.SummarySpeech(ctx, req.VideoID)
		} else {
			t, err = s.opts.Texts.SummaryText(ctx, req.VideoID)
		}
		if lang == "" {
			lang = l
		}
		if err != nil {
			var ye *ytsum.Error
			if errors.As(err, &ye) {
				return Audio{}, err
			}
			return Audio{}, ytsum.Wrap(err, ytsum.CodeInternal, KindNoSummary, "Could not read the saved summary of this video.")
		}
		text = t
	}
	a, err := s.speak(ctx, CleanFor(text, lang), s.voiceFor(req.VoiceID, lang), lang, false)
	if err != nil {
		return Audio{}, err
	}
	if req.VideoID != "" && a.FileName != "" && s.opts.Cache != nil {
		if err := s.opts.Cache.Link(req.VideoID, a.FileName); err != nil {
			s.opts.Logger.Warn("tts: link audio to video", "video", req.VideoID, "err", err)
		}
	}
	return a, nil
}

// PreviewMaxChars is the longest preview text (in characters, "..." included).
const PreviewMaxChars = 500

// SampleText is the original app's preview sentence, used when Preview gets
// no text.
const SampleText = "Welcome to YouTube Summarizer! This tool helps you quickly understand video content by generating AI-powered summaries. You can choose from multiple AI models and customize your experience with different voice options for audio playback."

// Preview speaks a short sample with voiceID ("" = the configured voice):
// text, cleaned and cut to PreviewMaxChars, or SampleText. The text is
// taken to be in the voice's language. Previews are cached as "preview_…"
// files and fall back like Speak.
func (s *Service) Preview(ctx context.Context, voiceID, text string) (Audio, error) {
	if strings.TrimSpace(text) == "" {
		text = SampleText
	}
	lang := ""
	if voiceID != "" && voiceID != OfflineVoice {
		lang = languageOf(voiceID)
	}
	return s.speak(ctx, truncate(CleanFor(text, lang), PreviewMaxChars), voiceID, lang, true)
}

// truncate cuts text to at most max characters, at a word boundary when
// one is near, ending with "...".
func truncate(text string, max int) string {
	if utf8.RuneCountInString(text) <= max {
		return text
	}
	rs := []rune(text)[:max-3]
	cut := string(rs)
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)*3/4 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "..."
}

func (s *Service) speak(ctx context.Context, text, voice, lang string, preview bool) (Audio, error) {
	if text == "" {
		return Audio{}, errTextEmpty()
	}
	if voice == "" {
		voice = s.CurrentVoice()
	}
	if !validVoiceID(voice) {
		return Audio{}, ytsum.Errorf(ytsum.CodeInvalid, KindVoiceUnavailable,
			"%q is not a voice name; pick a voice from the list in Settings.", voice)
	}
	key := func(v string) string {
		if preview {
			return audio.PreviewKey(v, text)
		}
		return audio.Key(v, text)
	}
	// The requested voice's audio plays even offline or without a key.
	if a, ok := s.lookup(key(voice), voice); ok {
		return a, nil
	}
	cr := s.creds(ctx)
	plan, hasOffline := s.offline()
	if voice == OfflineVoice || !cr.set() {
		if !hasOffline {
			if voice == OfflineVoice || plan.missing != "" {
				return Audio{}, errNoOfflineVoice(plan)
			}
			return Audio{}, errNotConfigured
		}
		if a, ok := s.lookup(key(OfflineVoice), OfflineVoice); ok {
			return a, nil
		}
		return s.once(ctx, key(OfflineVoice), func() (Audio, error) { return s.speakOffline(ctx, plan, text, lang, key(OfflineVoice)) })
	}
	a, err := s.once(ctx, key(voice), func() (Audio, error) { return s.speakCloud(ctx, cr, text, voice, key) })
	if err != nil && ytsum.ErrorKind(err) == KindOffline && hasOffline {
		s.opts.Logger.Info("tts: Cloud TTS unreachable, using the offline voice", "err", err)
		if a, ok := s.lookup(key(OfflineVoice), OfflineVoice); ok {
			return a, nil
		}
		return s.once(ctx, key(OfflineVoice), func() (Audio, error) { return s.speakOffline(ctx, plan, text, lang, key(OfflineVoice)) })
	}
	return a, err
}

// lookup serves stem from the cache.
func (s *Service) lookup(stem, voice string) (Audio, bool) {
	if s.opts.Cache == nil {
		return Audio{}, false
	}
	name, data, ok, err := s.opts.Cache.Find(stem)
	if err != nil {
		s.opts.Logger.Warn("tts: audio cache read", "err", err)
	}
	if !ok {
		return Audio{}, false
	}
	return Audio{Data: data, ContentType: audio.ContentType(name), FileName: name, Voice: voice,
		Offline: voice == OfflineVoice, Cached: true}, true
}

// once runs fn for stem unless the same synthesis is already running, in
// which case it waits for that one's result.
func (s *Service) once(ctx context.Context, stem string, fn func() (Audio, error)) (Audio, error) {
	s.flightMu.Lock()
	if c, ok := s.flight[stem]; ok {
		c.waiters++
		s.flightMu.Unlock()
		select {
		case <-c.done:
			return c.res, c.err
		case <-ctx.Done():
			return Audio{}, classify(ctx.Err(), "")
		}
	}
	c := &call{done: make(chan struct{})}
	s.flight[stem] = c
	s.flightMu.Unlock()
	c.res, c.err = fn()
	s.flightMu.Lock()
	delete(s.flight, stem)
	s.flightMu.Unlock()
	close(c.done)
	return c.res, c.err
}

// store saves synthesized audio (a failure only loses the caching), then
// applies the cache limits when they are close, as the original app did
// before each synthesis.
func (s *Service) store(stem string, a *Audio) {
	if s.opts.Cache == nil {
		return
	}
	ext := ".mp3"
	if a.ContentType == audio.ContentTypeWAV {
		ext = ".wav"
	}
	if err := s.opts.Cache.Put(stem+ext, a.Data); err != nil {
		s.opts.Logger.Warn("tts: audio cache write", "err", err)
		return
	}
	a.FileName = stem + ext
	if s.opts.Cache.NeedsCleanup() { // the new file is the newest: it stays
		if _, err := s.opts.Cache.Cleanup(); err != nil {
			s.opts.Logger.Warn("tts: audio cache cleanup", "err", err)
		}
	}
}

func (s *Service) speakCloud(ctx context.Context, cr creds, text, voice string, key func(string) string) (Audio, error) {
	chunks := Chunk(text, s.opts.MaxRequestBytes, s.opts.MaxSentenceBytes)
	var lastErr error
	for i, v := range append([]string{voice}, fallbacks(voice)...) {
		if i > 0 {
			if a, ok := s.lookup(key(v), v); ok {
				return a, nil
			}
		}
		data, err := s.synthCloud(ctx, cr, v, chunks)
		if err == nil {
			a := Audio{Data: data, ContentType: audio.ContentTypeMP3, Voice: v}
			s.store(key(v), &a)
			return a, nil
		}
		lastErr = err
		if !worthFallback(err) || ctx.Err() != nil {
			break
		}
		s.opts.Logger.Info("tts: voice failed, trying the next one", "voice", v, "kind", ytsum.ErrorKind(err))
	}
	return Audio{}, lastErr
}

func (s *Service) speakOffline(ctx context.Context, plan offlinePlan, text, lang, stem string) (Audio, error) {
	data, ct, err := plan.synthesize(ctx, text, lang)
	if err != nil {
		return Audio{}, err
	}
	a := Audio{Data: data, ContentType: ct, Voice: OfflineVoice, Offline: true}
	s.store(stem, &a)
	return a, nil
}

// voicesTTL is how long the account's voice list is reused.
const voicesTTL = 10 * time.Minute

// Voices returns the voice catalogue for GET /api/voices: the original
// app's 11 voices, the offline voice when there is one, and the voices
// of the account from voices:list when credentials are set and the API
// answers within 10 s (the list is reused for 10 minutes; a failure is
// logged and the catalogue returned without them).
func (s *Service) Voices(ctx context.Context) VoicesResponse {
	cr := s.creds(ctx)
	var account []Voice
	if cr.set() {
		s.voicesMu.Lock()
		if s.voicesFor == cr && time.Since(s.voicesAt) < voicesTTL {
			account = s.voicesCache
		} else {
			lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			v, err := s.listVoices(lctx, cr)
			cancel()
			if err != nil {
				s.opts.Logger.Info("tts: voices:list failed; offering the built-in catalogue", "err", err)
			} else {
				s.voicesFor, s.voicesAt, s.voicesCache = cr, time.Now(), v
				account = v
			}
		}
		s.voicesMu.Unlock()
	}
	engine := ""
	if p, ok := s.offline(); ok {
		engine = p.engine
	}
	voices, tiers := buildVoices(account, engine)
	return VoicesResponse{Voices: voices, Tiers: tiers, CurrentVoice: s.CurrentVoice(), DefaultVoice: DefaultVoice,
		OfflineAvailable: engine != "", CloudConfigured: cr.set()}
}
