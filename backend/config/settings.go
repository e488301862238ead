package config

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"

	"ytsum/backend/ytsum"
)

// Settings is everything a user can configure, except secrets (see the
// Secret… names). The zero value is not meaningful: start from Defaults().
// Its JSON field names are the keys of GET/POST /settings.
type Settings struct {
	// Summaries
	DefaultModel   string `json:"default_model"`
	OpenAIBaseURL  string `json:"openai_base_url"`
	GeminiBaseURL  string `json:"gemini_base_url"`
	DefaultStyle   string `json:"default_style"`
	DefaultLength  string `json:"default_length"`
	OutputLanguage string `json:"output_language"`
	CustomPrompt   string `json:"custom_prompt"`
	// GeminiVideoFallback is what happens when a video has no usable
	// captions and the model is Gemini: VideoFallbackOff, VideoFallbackLow
	// or VideoFallbackDefault (the media resolution of the video input).
	GeminiVideoFallback string `json:"gemini_video_fallback"`
	// Local LLM servers (read by summarize's discovery)
	LocalDiscovery bool     `json:"local_discovery"`
	LocalServers   []string `json:"local_servers"`

	// YouTube
	TranscriptLanguages []string `json:"transcript_languages"`
	PlaylistMode        string   `json:"playlist_mode"`
	YtDlpFallback       bool     `json:"ytdlp_fallback"`
	YouTubeConcurrency  int      `json:"youtube_concurrency"`
	YouTubeClients      string   `json:"youtube_clients"`
	YouTubePacingMs     int      `json:"youtube_pacing_ms"`
	ChannelVideoLimit   int      `json:"channel_video_limit"`
	// SubscriptionsSkipShorts: a followed channel's Shorts are not
	// summarized (read at every check by the subscriptions service).
	SubscriptionsSkipShorts bool `json:"subscriptions_skip_shorts"`

	// Jobs and performance
	AsyncProcessing   bool `json:"async_processing"`
	WorkerPoolSize    int  `json:"worker_pool_size"`
	MaxConcurrentJobs int  `json:"max_concurrent_jobs"`
	GeminiConcurrency int  `json:"gemini_concurrency"`
	OpenAIConcurrency int  `json:"openai_concurrency"`
	LocalChunkTokens  int  `json:"local_chunk_tokens"`
	SSEEnabled        bool `json:"sse_enabled"`
	HeartbeatSeconds  int  `json:"sse_heartbeat_seconds"`
	JobRetentionHours int  `json:"job_retention_hours"`

	// Listening
	TTSVoice           string `json:"tts_voice"`
	AudioCacheMaxMB    int    `json:"audio_cache_max_mb"`
	AudioCacheMaxFiles int    `json:"audio_cache_max_files"`
	AudioCacheTTLHours int    `json:"audio_cache_ttl_hours"`

	// HTTP API and login
	HTTPEnabled      bool     `json:"http_enabled"`
	HTTPAddress      string   `json:"http_address"`
	AllowedHosts     []string `json:"allowed_hosts"`
	LoginEnabled     bool     `json:"login_enabled"`
	MaxLoginAttempts int      `json:"max_login_attempts"`
	LockoutMinutes   int      `json:"lockout_minutes"`

	// Monitoring alert thresholds
	AlertResponseSeconds  float64 `json:"alert_response_seconds"`
	AlertErrorRatePercent float64 `json:"alert_error_rate_percent"`
	AlertCPUPercent       float64 `json:"alert_cpu_percent"`
	AlertMemoryPercent    float64 `json:"alert_memory_percent"`
	AlertQueuedJobs       int     `json:"alert_queued_jobs"`

	// Appearance
	Theme string `json:"theme"`

	// Keys
	InsecureFileKeystore bool `json:"insecure_file_keystore"`
}

// Values of the enumerated settings.
const (
	PlaylistPreferVideo    = "prefer_video"    // watch?v=X&list=Y summarizes video X
	PlaylistPreferPlaylist = "prefer_playlist" // watch?v=X&list=Y summarizes playlist Y

	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"

	// Values of gemini_video_fallback.
	VideoFallbackOff     = "off"     // no captions: the summary fails with a clear error
	VideoFallbackLow     = "low"     // Gemini watches the video at low media resolution (~66 tokens a frame)
	VideoFallbackDefault = "default" // Gemini's default media resolution (~258 tokens a frame)
)

// Defaults of settings that other packages may want to name.
const (
	DefaultModel         = "" // automatic: see the default_model doc
	DefaultOpenAIBaseURL = "https://api.openai.com/v1"
	DefaultHTTPAddress   = "127.0.0.1:5001"
	DefaultTTSVoice      = "en-US-Chirp3-HD-Zephyr"
)

// Defaults returns the settings a fresh install starts with.
func Defaults() Settings {
	return Settings{
		DefaultModel:   DefaultModel,
		OpenAIBaseURL:  DefaultOpenAIBaseURL,
		DefaultStyle:   ytsum.StyleAudio,
		DefaultLength:  ytsum.LengthMedium,
		OutputLanguage: "en",
		LocalDiscovery: true,
		LocalServers:   []string{},

		GeminiVideoFallback: VideoFallbackLow,

		TranscriptLanguages: []string{}, // automatic: the system's language, then English
		PlaylistMode:        PlaylistPreferVideo,
		YouTubeConcurrency:  2,
		YouTubePacingMs:     250,
		ChannelVideoLimit:   10,

		SubscriptionsSkipShorts: true,

		AsyncProcessing:   true,
		WorkerPoolSize:    4,
		MaxConcurrentJobs: 10,
		GeminiConcurrency: 4,
		OpenAIConcurrency: 4,
		LocalChunkTokens:  3000,
		SSEEnabled:        true,
		HeartbeatSeconds:  15,
		JobRetentionHours: 72,

		TTSVoice:           DefaultTTSVoice,
		AudioCacheMaxMB:    50,
		AudioCacheMaxFiles: 100,
		AudioCacheTTLHours: 72,

		HTTPAddress:      DefaultHTTPAddress,
		AllowedHosts:     []string{},
		MaxLoginAttempts: 5,
		LockoutMinutes:   15,

		AlertResponseSeconds:  30,
		AlertErrorRatePercent: 5,
		AlertCPUPercent:       80,
		AlertMemoryPercent:    85,
		AlertQueuedJobs:       50,

		Theme: ThemeSystem,
	}
}

// clone returns a deep copy of s.
func (s Settings) clone() Settings {
	s.TranscriptLanguages = append([]string{}, s.TranscriptLanguages...)
	s.AllowedHosts = append([]string{}, s.AllowedHosts...)
	return s
}

// field describes one setting: its JSON key, environment variable, whether
// it needs a restart, its documentation and its check.
type field struct {
	key     string
	env     string // "" when no environment variable overrides it
	restart bool
	doc     string
	ptr     func(*Settings) any // pointer to the field in s
	check   func(*Settings) string
	min     *float64 // bounds of a number, if any
	max     *float64
}

func strField(key, env, doc string, p func(*Settings) *string, check func(*Settings) string) field {
	return field{key: key, env: env, doc: doc, ptr: func(s *Settings) any { return p(s) }, check: check}
}

func boolField(key, env, doc string, p func(*Settings) *bool) field {
	return field{key: key, env: env, doc: doc, ptr: func(s *Settings) any { return p(s) },
		check: func(*Settings) string { return "" }}
}

func intField(key, env, doc string, lo, hi int, p func(*Settings) *int) field {
	flo, fhi := float64(lo), float64(hi)
	return field{key: key, env: env, doc: fmt.Sprintf("%s Whole number, %d–%d.", doc, lo, hi),
		min: &flo, max: &fhi, ptr: func(s *Settings) any { return p(s) },
		check: func(s *Settings) string {
			if v := *p(s); v < lo || v > hi {
				return fmt.Sprintf("Enter a whole number from %d to %d.", lo, hi)
			}
			return ""
		}}
}

func floatField(key, doc string, lo, hi float64, p func(*Settings) *float64) field {
	return field{key: key, doc: fmt.Sprintf("%s Number, %g–%g.", doc, lo, hi),
		min: &lo, max: &hi, ptr: func(s *Settings) any { return p(s) },
		check: func(s *Settings) string {
			if v := *p(s); math.IsNaN(v) || v < lo || v > hi {
				return fmt.Sprintf("Enter a number from %g to %g.", lo, hi)
			}
			return ""
		}}
}

// checkPlayerClients checks youtube_clients: empty, or a JSON array of
// clients each with a name, a positive id and a version (the youtube
// package's ParsePlayerClients rules).
func checkPlayerClients(s *Settings) string {
	v := strings.TrimSpace(s.YouTubeClients)
	if v == "" {
		return ""
	}
	if len(v) > 20000 {
		return "Keep the player clients under 20000 characters."
	}
	var cs []struct {
		Name    string `json:"name"`
		ID      int    `json:"id"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal([]byte(v), &cs); err != nil || len(cs) == 0 || len(cs) > 20 {
		return "Enter a JSON array of 1 to 20 clients such as [{\"name\":\"ANDROID\",\"id\":3,\"version\":\"20.10.38\",\"user_agent\":\"…\"}], or leave it empty."
	}
	for i, c := range cs {
		if strings.TrimSpace(c.Name) == "" || c.ID <= 0 || strings.TrimSpace(c.Version) == "" {
			return fmt.Sprintf("Player client %d needs a name, a positive id and a version.", i+1)
		}
	}
	return ""
}

func listField(key, doc string, p func(*Settings) *[]string, check func(*Settings) string) field {
	return field{key: key, doc: doc, ptr: func(s *Settings) any { return p(s) }, check: check}
}

// oneOf checks that the field p points at holds one of values; the values
// become the field's choices in the schema.
func oneOf(p func(*Settings) *string, values ...string) func(*Settings) string {
	registerChoices(p, values)
	return func(s *Settings) string {
		for _, v := range values {
			if *p(s) == v {
				return ""
			}
		}
		return "Choose one of: " + strings.Join(values, ", ") + "."
	}
}

// restartFields take effect only after the app restarts.
func restart(f field) field { f.restart = true; return f }

// fields lists every setting in display order. Tests check it covers every
// Settings field exactly once.
var fields = []field{
	strField("default_model", "", "Model key used when a request names none; empty (the default) is automatic. A model set here is used whenever it can be used now; otherwise, and when empty, Gemini (with a Gemini key), then OpenAI (with an OpenAI key), then a local LLM server's model, then the offline `local` model is chosen; e.g. `gemini-2.5-flash`, `gpt-5-mini`, `local` or a local server's model such as `ollama/llama3.2:3b`.",
		func(s *Settings) *string { return &s.DefaultModel }, checkModel),
	strField("openai_base_url", "YTSUM_OPENAI_URL", "Base URL of the OpenAI-compatible API (OpenAI, Ollama `http://127.0.0.1:11434/v1`, LM Studio, OpenRouter…).",
		func(s *Settings) *string { return &s.OpenAIBaseURL }, checkURL(func(s *Settings) *string { return &s.OpenAIBaseURL }, false)),
	strField("gemini_base_url", "YTSUM_GEMINI_URL", "Gemini API base URL; empty means the genai default.",
		func(s *Settings) *string { return &s.GeminiBaseURL }, checkURL(func(s *Settings) *string { return &s.GeminiBaseURL }, true)),
	boolField("local_discovery", "", "Look for local LLM servers on this machine (Ollama on port 11434, LM Studio on 1234, llama.cpp on 8080) and list their models, usable with no key.",
		func(s *Settings) *bool { return &s.LocalDiscovery }),
	listField("local_servers", "More local LLM servers to look for, as `host:port` or URLs (Ollama or any OpenAI-compatible server); no key is ever sent to them; at most 20.",
		func(s *Settings) *[]string { return &s.LocalServers }, checkLocalServers),
	strField("default_style", "", "Summary style: `audio`, `key_points`, `chapters`, `detailed` or `custom` (uses `custom_prompt`).",
		func(s *Settings) *string { return &s.DefaultStyle }, checkStyle),
	strField("default_length", "", "Summary length: `short`, `medium` or `long`.",
		func(s *Settings) *string { return &s.DefaultLength },
		oneOf(func(s *Settings) *string { return &s.DefaultLength }, ytsum.LengthShort, ytsum.LengthMedium, ytsum.LengthLong)),
	strField("output_language", "", "Language of summaries: a BCP-47 code (`en`, `de`, `pt-BR`) or `same` for the video's language.",
		func(s *Settings) *string { return &s.OutputLanguage }, checkOutputLanguage),
	strField("custom_prompt", "", "Prompt template for the `custom` style; at most 20000 characters.",
		func(s *Settings) *string { return &s.CustomPrompt }, checkCustomPrompt),
	strField("gemini_video_fallback", "", "When a video has no usable captions and the model is Gemini, Gemini can watch the video itself. "+
		"Cost in input tokens (1 frame a second, plus 32 tokens per second of audio): "+
		"`low` = low media resolution, 66 tokens per frame, about 98 tokens a second: about 5,900 per minute, 350,000 for an hour; "+
		"`default` = the API's default resolution, 258 tokens per frame, about 290 tokens a second: about 17,400 per minute, 1,050,000 for an hour "+
		"(more than most models accept, so long videos still go at low resolution); "+
		"`off` = such videos fail with a clear error instead. A summary made this way is marked as made from the video.",
		func(s *Settings) *string { return &s.GeminiVideoFallback },
		oneOf(func(s *Settings) *string { return &s.GeminiVideoFallback }, VideoFallbackOff, VideoFallbackLow, VideoFallbackDefault)),

	listField("transcript_languages", "Preferred caption languages, best first (BCP-47 codes); at most 20. "+
		"Empty (the default) is automatic: the system's language, then English, then the video's own language; "+
		"YouTube's machine translation is never used. Naming languages here also allows a machine-translated track "+
		"into the first of them when a video has nothing else.",
		func(s *Settings) *[]string { return &s.TranscriptLanguages }, checkTranscriptLanguages),
	strField("playlist_mode", "", "For a link with both a video and a playlist: `prefer_video` or `prefer_playlist`.",
		func(s *Settings) *string { return &s.PlaylistMode },
		oneOf(func(s *Settings) *string { return &s.PlaylistMode }, PlaylistPreferVideo, PlaylistPreferPlaylist)),
	boolField("ytdlp_fallback", "", "Try yt-dlp (when installed) if YouTube's own caption endpoints fail.",
		func(s *Settings) *bool { return &s.YtDlpFallback }),
	restart(intField("youtube_concurrency", "", "Requests to YouTube at once.", 1, 8,
		func(s *Settings) *int { return &s.YouTubeConcurrency })),
	strField("youtube_clients", "", "Innertube player clients asked for caption tracks, in order, as a JSON array of "+
		"`{\"name\",\"id\",\"version\",\"user_agent\",\"api_key\"?,\"context\"?}`; empty means the built-in list "+
		"(ANDROID, ANDROID_VR, VISIONOS, IOS). Change it when YouTube stops giving one of them clean captions.",
		func(s *Settings) *string { return &s.YouTubeClients }, checkPlayerClients),
	intField("youtube_pacing_ms", "", "Least time between two requests to YouTube, in milliseconds (jittered up by half; "+
		"YouTube refusing a request slows down further).", 250, 60000,
		func(s *Settings) *int { return &s.YouTubePacingMs }),
	intField("channel_video_limit", "", "How many of a channel's newest videos a channel link summarizes when the request names no `limit`.", 1, 500,
		func(s *Settings) *int { return &s.ChannelVideoLimit }),
	boolField("subscriptions_skip_shorts", "", "Followed channels' Shorts are not summarized (checked at each feed check).",
		func(s *Settings) *bool { return &s.SubscriptionsSkipShorts }),

	boolField("async_processing", "ASYNC_PROCESSING_ENABLED", "`false` makes `/summarize` always answer synchronously.",
		func(s *Settings) *bool { return &s.AsyncProcessing }),
	restart(intField("worker_pool_size", "WORKER_POOL_SIZE", "Goroutines that run jobs.", 1, 64,
		func(s *Settings) *int { return &s.WorkerPoolSize })),
	intField("max_concurrent_jobs", "MAX_CONCURRENT_JOBS", "Jobs pending or running at once; more get 503 + `Retry-After`.", 1, 1000,
		func(s *Settings) *int { return &s.MaxConcurrentJobs }),
	intField("gemini_concurrency", "", "Gemini API calls in flight at once, across all jobs (parts of a long video run in parallel); lower it if Gemini answers with rate limits.", 1, 64,
		func(s *Settings) *int { return &s.GeminiConcurrency }),
	intField("openai_concurrency", "", "Calls in flight at once, across all jobs, to the OpenAI-compatible API at `openai_base_url`: OpenAI itself or a local server such as Ollama, LM Studio or llama.cpp (for a local server on a small machine, 1–2 is often best).", 1, 64,
		func(s *Settings) *int { return &s.OpenAIConcurrency }),
	restart(intField("local_chunk_tokens", "", "Chunk size (tokens) for long transcripts sent to local models.", 256, 200000,
		func(s *Settings) *int { return &s.LocalChunkTokens })),
	boolField("sse_enabled", "SSE_ENABLED", "`false`: `/jobs/{id}/stream` answers 404 and clients poll.",
		func(s *Settings) *bool { return &s.SSEEnabled }),
	intField("sse_heartbeat_seconds", "SSE_HEARTBEAT_INTERVAL", "Seconds between heartbeats on a stream.", 1, 300,
		func(s *Settings) *int { return &s.HeartbeatSeconds }),
	restart(intField("job_retention_hours", "JOB_RETENTION_HOURS", "Finished jobs older than this are purged (their summaries stay).", 1, 87600,
		func(s *Settings) *int { return &s.JobRetentionHours })),

	strField("tts_voice", "TTS_VOICE", "Default Cloud Text-to-Speech voice.",
		func(s *Settings) *string { return &s.TTSVoice }, checkVoice),
	intField("audio_cache_max_mb", "", "Audio cache size limit in MB.", 1, 100000,
		func(s *Settings) *int { return &s.AudioCacheMaxMB }),
	intField("audio_cache_max_files", "", "Audio cache file count limit.", 1, 1000000,
		func(s *Settings) *int { return &s.AudioCacheMaxFiles }),
	intField("audio_cache_ttl_hours", "", "Cached audio older than this is removed.", 1, 87600,
		func(s *Settings) *int { return &s.AudioCacheTTLHours }),

	restart(boolField("http_enabled", "", "Start the local HTTP API with the desktop window (`ytsum serve` always starts it).",
		func(s *Settings) *bool { return &s.HTTPEnabled })),
	restart(strField("http_address", "", "Address the HTTP API listens on, `host:port` (port 0 picks a free one). A non-loopback address needs login enabled.",
		func(s *Settings) *string { return &s.HTTPAddress }, checkHTTPAddress)),
	restart(listField("allowed_hosts", "Extra host names or IP addresses accepted in the `Host` header besides loopback ones; at most 50.",
		func(s *Settings) *[]string { return &s.AllowedHosts }, checkAllowedHosts)),
	boolField("login_enabled", "LOGIN_ENABLED", "Require the passcode (or the API token) for the HTTP API. Needs `login_passcode`.",
		func(s *Settings) *bool { return &s.LoginEnabled }),
	intField("max_login_attempts", "MAX_LOGIN_ATTEMPTS", "Failed logins per client address before a lockout.", 1, 100,
		func(s *Settings) *int { return &s.MaxLoginAttempts }),
	intField("lockout_minutes", "LOCKOUT_DURATION", "Length of a lockout in minutes.", 1, 1440,
		func(s *Settings) *int { return &s.LockoutMinutes }),

	restart(floatField("alert_response_seconds", "Alert when the average response time exceeds this many seconds.", 0.1, 3600,
		func(s *Settings) *float64 { return &s.AlertResponseSeconds })),
	restart(floatField("alert_error_rate_percent", "Alert when the error rate exceeds this percentage.", 0, 100,
		func(s *Settings) *float64 { return &s.AlertErrorRatePercent })),
	restart(floatField("alert_cpu_percent", "Alert when CPU use exceeds this percentage.", 1, 100,
		func(s *Settings) *float64 { return &s.AlertCPUPercent })),
	restart(floatField("alert_memory_percent", "Alert when memory use exceeds this percentage.", 1, 100,
		func(s *Settings) *float64 { return &s.AlertMemoryPercent })),
	restart(intField("alert_queued_jobs", "", "Alert when more jobs than this wait in the queue.", 1, 100000,
		func(s *Settings) *int { return &s.AlertQueuedJobs })),

	strField("theme", "", "`system`, `light` or `dark`.",
		func(s *Settings) *string { return &s.Theme },
		oneOf(func(s *Settings) *string { return &s.Theme }, ThemeSystem, ThemeLight, ThemeDark)),

	boolField("insecure_file_keystore", "", "When no keychain is usable, keep keys in a 0600 file in the data folder. Less safe: the file is not encrypted.",
		func(s *Settings) *bool { return &s.InsecureFileKeystore }),
}

var fieldByKey = func() map[string]*field {
	m := make(map[string]*field, len(fields))
	for i := range fields {
		m[fields[i].key] = &fields[i]
	}
	return m
}()

// restartKeys lists the settings that take effect only after a restart.
func restartKeys() []string {
	var out []string
	for _, f := range fields {
		if f.restart {
			out = append(out, f.key)
		}
	}
	return out
}

// validate checks every field of s and returns one sentence per bad field.
func validate(s *Settings) FieldErrors {
	fe := FieldErrors{}
	for _, f := range fields {
		if msg := f.check(s); msg != "" {
			fe[f.key] = msg
		}
	}
	return fe
}

var modelRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$`)

func checkModel(s *Settings) string {
	if s.DefaultModel != "" && !modelRE.MatchString(s.DefaultModel) {
		return "Enter a model name of letters, digits and . _ : / @ + - (at most 128 characters)."
	}
	return ""
}

func checkURL(p func(*Settings) *string, emptyOK bool) func(*Settings) string {
	return func(s *Settings) string {
		v := *p(s)
		if v == "" && emptyOK {
			return ""
		}
		return urlProblem(v)
	}
}

// urlProblem returns a sentence when v is not a usable http(s) base URL.
// Credentials or a query are refused: they would be shown back as plain
// settings, and keys belong in the key fields.
func urlProblem(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "Enter a full http:// or https:// address, such as https://api.openai.com/v1."
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Contains(v, "?") {
		return "Enter the address without a user name, password, query or fragment; put keys in the key fields."
	}
	return ""
}

var checkStyleName = oneOf(func(s *Settings) *string { return &s.DefaultStyle },
	ytsum.StyleAudio, ytsum.StyleKeyPoints, ytsum.StyleChapters, ytsum.StyleDetailed, ytsum.StyleCustom)

func checkStyle(s *Settings) string {
	if msg := checkStyleName(s); msg != "" {
		return msg
	}
	if s.DefaultStyle == ytsum.StyleCustom && strings.TrimSpace(s.CustomPrompt) == "" {
		return "The custom style needs a custom prompt; write one first."
	}
	return ""
}

func checkCustomPrompt(s *Settings) string {
	if utf8.RuneCountInString(s.CustomPrompt) > 20000 {
		return "Shorten the custom prompt to at most 20000 characters."
	}
	if !utf8.ValidString(s.CustomPrompt) {
		return "The custom prompt is not valid text."
	}
	return ""
}

func validLanguage(v string) bool {
	if v == "" || len(v) > 35 {
		return false
	}
	t, err := language.Parse(v)
	return err == nil && t != language.Und
}

func checkOutputLanguage(s *Settings) string {
	if s.OutputLanguage == ytsum.LanguageSame || validLanguage(s.OutputLanguage) {
		return ""
	}
	return "Enter a language code such as en, de or pt-BR, or same for the video's own language."
}

func checkTranscriptLanguages(s *Settings) string {
	if len(s.TranscriptLanguages) > 20 {
		return "List at most 20 transcript languages."
	}
	for _, v := range s.TranscriptLanguages {
		if !validLanguage(v) {
			return "Each transcript language must be a code such as en, de or pt-BR."
		}
	}
	return ""
}

var voiceRE = regexp.MustCompile(`^[a-z]{2,3}-[A-Z]{2,3}-[A-Za-z0-9-]{1,64}$`)

func checkVoice(s *Settings) string {
	if !voiceRE.MatchString(s.TTSVoice) {
		return "Enter a Cloud Text-to-Speech voice name such as en-US-Chirp3-HD-Zephyr."
	}
	return ""
}

// isLoopbackHost reports whether host is "localhost" (or a subdomain of
// it) or a loopback IP address.
func isLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

var hostRE = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$`)

func validHost(h string) bool {
	return len(h) <= 253 && (hostRE.MatchString(h) || net.ParseIP(h) != nil)
}

func checkHTTPAddress(s *Settings) string {
	host, port, err := net.SplitHostPort(s.HTTPAddress)
	if err != nil || host == "" || !validHost(host) {
		return "Enter host:port, such as 127.0.0.1:5001."
	}
	n := 0
	if _, err := fmt.Sscanf(port, "%d", &n); err != nil || fmt.Sprint(n) != port || n < 0 || n > 65535 {
		return "Enter a port from 0 to 65535, such as 127.0.0.1:5001."
	}
	if !isLoopbackHost(host) && !s.LoginEnabled {
		return "Listening on a non-loopback address needs login enabled; turn login on first or use 127.0.0.1."
	}
	return ""
}

func checkLocalServers(s *Settings) string {
	if len(s.LocalServers) > 20 {
		return "List at most 20 local servers."
	}
	for _, a := range s.LocalServers {
		u := strings.TrimSpace(a)
		if !strings.Contains(u, "://") {
			u = "http://" + u
		}
		p, err := url.Parse(u)
		if len(a) > 200 || err != nil || p.Host == "" || p.Port() == "" || (p.Scheme != "http" && p.Scheme != "https") {
			return "Each local server must be host:port (e.g. 127.0.0.1:11434) or an http:// URL with a port."
		}
	}
	return ""
}

func checkAllowedHosts(s *Settings) string {
	if len(s.AllowedHosts) > 50 {
		return "List at most 50 allowed hosts."
	}
	for _, h := range s.AllowedHosts {
		if !validHost(h) {
			return "Each allowed host must be a host name such as mybox.local or an IP address, without a port."
		}
	}
	return ""
}
