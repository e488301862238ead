package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"ytsum/backend/ytsum"
)

// EnvFunc looks up an environment variable, like os.LookupEnv. A variable
// set to an empty (or all-space) value counts as unset.
type EnvFunc func(string) (string, bool)

// lookup returns the trimmed value of name and whether it is set.
func (env EnvFunc) lookup(name string) (string, bool) {
	if env == nil {
		env = os.LookupEnv
	}
	v, ok := env(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

// Defaults of the environment values that are not settings (API.md §2).
const (
	DefaultYouTubeURL   = "https://www.youtube.com"
	DefaultThumbnailURL = "https://i.ytimg.com"
)

// Environment holds the environment values of API.md §2 that are not
// settings, resolved with their defaults. The Gemini and OpenAI base URLs are
// settings (Settings.GeminiBaseURL, Settings.OpenAIBaseURL) that
// YTSUM_GEMINI_URL and YTSUM_OPENAI_URL override, and keys are secrets (see
// Config.Secret), so they are not here.
type Environment struct {
	// DataDir is YTSUM_DATA_DIR made absolute, or os.UserConfigDir()/ytsum.
	// It holds the database, the audio cache, backups and the opt-in key file.
	DataDir string
	// YouTubeURL (YTSUM_YOUTUBE_URL, default https://www.youtube.com) is the
	// base of watch pages, /youtubei/v1/*, /api/timedtext and /oembed.
	YouTubeURL string
	// ThumbnailURL (YTSUM_THUMBNAIL_URL, default https://i.ytimg.com).
	ThumbnailURL string
	// TTSURL (YTSUM_TTS_URL) is the Cloud Text-to-Speech REST endpoint;
	// empty means the client library's default.
	TTSURL string
	// GoogleApplicationCredentials is GOOGLE_APPLICATION_CREDENTIALS as set
	// in the environment (a service-account file path), or empty. The value
	// to use is Config.Secret(ctx, SecretTTSCredentials), which also sees a
	// path saved in Settings.
	GoogleApplicationCredentials string
}

// ReadEnvironment resolves the Environment from env (nil means the process
// environment). It fails with a *ytsum.Error (code invalid, a FieldErrors
// cause keyed by variable) when a URL is not an http(s) address, and with
// code internal when no data directory can be found.
func ReadEnvironment(env EnvFunc) (Environment, error) {
	dir, err := DataDir(env)
	if err != nil {
		return Environment{}, err
	}
	e := Environment{DataDir: dir, YouTubeURL: DefaultYouTubeURL, ThumbnailURL: DefaultThumbnailURL}
	fe := FieldErrors{}
	for _, u := range []struct {
		name string
		dst  *string
	}{{"YTSUM_YOUTUBE_URL", &e.YouTubeURL}, {"YTSUM_THUMBNAIL_URL", &e.ThumbnailURL}, {"YTSUM_TTS_URL", &e.TTSURL}} {
		if v, ok := env.lookup(u.name); ok {
			if msg := urlProblem(v); msg != "" {
				fe[u.name] = msg
				continue
			}
			*u.dst = strings.TrimRight(v, "/")
		}
	}
	e.GoogleApplicationCredentials, _ = env.lookup("GOOGLE_APPLICATION_CREDENTIALS")
	if err := fe.invalid("An environment variable holds an address that is not usable: " + fe.Error()); err != nil {
		return Environment{}, err
	}
	return e, nil
}

// DataDir returns the data directory: YTSUM_DATA_DIR made absolute, or the
// OS config directory + "/ytsum". It does not create it. env nil means the
// process environment.
func DataDir(env EnvFunc) (string, error) {
	if v, ok := env.lookup("YTSUM_DATA_DIR"); ok {
		abs, err := filepath.Abs(v)
		if err != nil {
			return "", ytsum.Wrap(err, ytsum.CodeInvalid, "invalid_data_dir",
				"YTSUM_DATA_DIR is not a usable folder path; set it to a full path.")
		}
		return abs, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", ytsum.Wrap(err, ytsum.CodeInternal, "no_data_dir",
			"No folder for the app's data was found; set YTSUM_DATA_DIR to a folder path.")
	}
	return filepath.Join(base, "ytsum"), nil
}

// parseBool accepts the usual spellings of a boolean in an environment.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "1", "true", "t", "yes", "y", "on":
		return true, true
	case "0", "false", "f", "no", "n", "off":
		return false, true
	}
	return false, false
}

// parseEnv stores v, an environment value, into the field p points to. It
// returns a sentence when v has the wrong form.
func parseEnv(p any, v string) string {
	switch p := p.(type) {
	case *bool:
		b, ok := parseBool(v)
		if !ok {
			return "must be true or false."
		}
		*p = b
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return "must be a whole number."
		}
		*p = n
	case *float64:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "must be a number."
		}
		*p = f
	case *string:
		*p = v
	case *[]string:
		*p = splitList(v)
	}
	return ""
}

func splitList(v string) []string {
	out := []string{}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
