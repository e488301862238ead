package config

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"ytsum/backend/keychain"
	"ytsum/backend/ytsum"
)

// Names of the secrets: the JSON keys of GET/POST /settings and the names
// they are filed under in the keychain.
const (
	SecretGeminiKey      = "gemini_api_key"
	SecretOpenAIKey      = "openai_api_key"
	SecretTTSKey         = "tts_api_key"
	SecretTTSCredentials = "tts_credentials_file" // a service-account JSON file path
	SecretLoginPasscode  = "login_passcode"
	SecretAPIToken       = "api_token"
)

// Sources of a secret in the view.
const (
	SourceEnvironment = "environment"
	SourceKeychain    = string(keychain.SourceKeychain)
	SourceFile        = string(keychain.SourceFile)
)

// EnvNote is how the view marks a setting that an environment variable sets.
const EnvNote = "set by environment"

type secretSpec struct {
	name  string
	label string   // for sentences: "the Gemini API key"
	env   []string // environment variables, first set wins
	check func(v string) string
	doc   string
}

var secretSpecs = []secretSpec{
	{name: SecretGeminiKey, label: "the Gemini API key", env: []string{"GEMINI_API_KEY", "GOOGLE_API_KEY"}, check: checkKey,
		doc: "Gemini API key."},
	{name: SecretOpenAIKey, label: "the OpenAI API key", env: []string{"OPENAI_API_KEY"}, check: checkKey,
		doc: "OpenAI (or OpenAI-compatible server) API key."},
	{name: SecretTTSKey, label: "the Cloud Text-to-Speech API key", env: []string{"GOOGLE_TTS_API_KEY", "GOOGLE_API_KEY"}, check: checkKey,
		doc: "Cloud Text-to-Speech API key (`GOOGLE_API_KEY` serves both Gemini and TTS, as in the original app)."},
	{name: SecretTTSCredentials, label: "the Cloud Text-to-Speech service-account file", env: []string{"GOOGLE_APPLICATION_CREDENTIALS"}, check: checkCredentialsFile,
		doc: "Full path of a Cloud TTS service-account JSON file (the path is kept, not the file: the file is too big for some keychains)."},
	{name: SecretLoginPasscode, label: "the login passcode", env: []string{"LOGIN_CODE"}, check: checkPasscode,
		doc: "Passcode for the HTTP API login, 4–256 characters. Never shown, not even in part."},
	{name: SecretAPIToken, label: "the API token", env: []string{"YTSUM_API_TOKEN"}, check: checkToken,
		doc: "Bearer token for scripts. Generated (32 random bytes) on first use; can be revealed and rotated explicitly, or replaced with your own (16–256 characters)."},
}

func secretSpecFor(name string) *secretSpec {
	for i := range secretSpecs {
		if secretSpecs[i].name == name {
			return &secretSpecs[i]
		}
	}
	return nil
}

func hasControlOrSpace(v string) bool {
	return strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
}

func checkKey(v string) string {
	if len(v) > 4096 {
		return "This key is too long; paste only the key (at most 4096 characters)."
	}
	if hasControlOrSpace(v) || !utf8.ValidString(v) {
		return "Paste the key without spaces or line breaks."
	}
	return ""
}

func checkCredentialsFile(v string) string {
	if !filepath.IsAbs(v) {
		return "Enter the full path of the service-account JSON file."
	}
	fi, err := os.Stat(v)
	if err != nil || !fi.Mode().IsRegular() {
		return "No readable file was found at this path; enter the full path of the service-account JSON file."
	}
	return ""
}

func checkPasscode(v string) string {
	if n := utf8.RuneCountInString(v); n < 4 || n > 256 || !utf8.ValidString(v) {
		return "Choose a passcode of 4 to 256 characters."
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return "The passcode cannot contain line breaks or control characters."
	}
	return ""
}

func checkToken(v string) string {
	if len(v) < 16 || len(v) > 256 {
		return "Choose a token of 16 to 256 characters, or rotate it to get a random one."
	}
	for _, r := range v {
		if r <= ' ' || r > '~' {
			return "A token may only hold letters, digits and punctuation, without spaces."
		}
	}
	return ""
}

// SecretState is how the view shows a secret, and all it shows (API.md §5):
// whether it is set, and where it comes from. Nothing of the value, not even
// its last characters. Its JSON is exactly {"set":bool,"source":…} with
// source "keychain", "environment", "file" or null (not stored: unset, or an
// API token kept only in memory).
type SecretState struct {
	Set bool
	// Source is SourceEnvironment, SourceKeychain, SourceFile, or "" (null
	// in JSON).
	Source string
}

// MarshalJSON writes {"set":bool,"source":string|null}.
func (s SecretState) MarshalJSON() ([]byte, error) {
	src := "null"
	switch s.Source {
	case SourceEnvironment, SourceKeychain, SourceFile:
		src = `"` + s.Source + `"`
	}
	if s.Set {
		return []byte(`{"set":true,"source":` + src + `}`), nil
	}
	return []byte(`{"set":false,"source":` + src + `}`), nil
}

// UnmarshalJSON reads the form MarshalJSON writes.
func (s *SecretState) UnmarshalJSON(b []byte) error {
	var v struct {
		Set    bool    `json:"set"`
		Source *string `json:"source"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.Set, s.Source = v.Set, ""
	if v.Source != nil {
		s.Source = *v.Source
	}
	return nil
}

// envSecret returns the first set environment variable of s.
func (c *Config) envSecret(s *secretSpec) (value, variable string, ok bool) {
	for _, name := range s.env {
		if v, ok := c.env.lookup(name); ok {
			return v, name, true
		}
	}
	return "", "", false
}

type cachedSecret struct {
	value string
	src   keychain.Source
}

// stored returns the secret kept in the keychain (or its file), through a
// cache that Apply and token changes invalidate. Not found is a
// *ytsum.Error with code not_found.
func (c *Config) stored(ctx context.Context, name string) (string, keychain.Source, error) {
	c.cacheMu.Lock()
	e, ok := c.cache[name]
	gen := c.cacheGen
	c.cacheMu.Unlock()
	if ok {
		if e.src == keychain.SourceNone {
			return "", e.src, notSet(secretSpecFor(name))
		}
		return e.value, e.src, nil
	}
	if c.kc == nil {
		return "", keychain.SourceNone, notSet(secretSpecFor(name))
	}
	v, src, err := c.kc.Lookup(ctx, name)
	code := ytsum.ErrorCode(err)
	if err == nil || code == ytsum.CodeNotFound {
		c.cacheMu.Lock()
		if c.cacheGen == gen {
			c.cache[name] = cachedSecret{v, src}
		}
		c.cacheMu.Unlock()
	}
	if code == ytsum.CodeNotFound {
		return "", keychain.SourceNone, notSet(secretSpecFor(name))
	}
	return v, src, err
}

func (c *Config) invalidate() {
	c.cacheMu.Lock()
	c.cache = map[string]cachedSecret{}
	c.cacheGen++
	c.cacheMu.Unlock()
}

func notSet(s *secretSpec) error {
	return ytsum.Errorf(ytsum.CodeNotFound, "secret_not_set",
		"No value is set for %s; add it in Settings or set %s.", s.label, s.env[0])
}

// Secret returns the secret called name (one of the Secret… constants) for a
// service to use: its environment variable first, then the keychain (or the
// opt-in file). The API token is generated when missing (see APIToken).
// Errors are *ytsum.Error: not_found (kind "secret_not_set") when it is not
// set anywhere, unavailable when the keychain cannot be asked, invalid for
// an unknown name. Safe for concurrent use; it may wait up to the
// keychain's timeout on a cache miss.
func (c *Config) Secret(ctx context.Context, name string) (string, error) {
	s := secretSpecFor(name)
	if s == nil {
		return "", ytsum.Errorf(ytsum.CodeInvalid, "unknown_secret", "There is no key with this name.")
	}
	if name == SecretAPIToken {
		return c.APIToken(ctx)
	}
	if v, _, ok := c.envSecret(s); ok {
		return v, nil
	}
	v, _, err := c.stored(ctx, name)
	return v, err
}

// HasSecret reports whether the secret called name is set anywhere. It never
// fails: a keychain that cannot be asked counts as not set.
func (c *Config) HasSecret(ctx context.Context, name string) bool {
	s := secretSpecFor(name)
	if s == nil {
		return false
	}
	if _, _, ok := c.envSecret(s); ok {
		return true
	}
	if name == SecretAPIToken {
		c.tokenMu.Lock()
		mem := c.memToken
		c.tokenMu.Unlock()
		if mem != "" {
			return true
		}
	}
	_, _, err := c.stored(ctx, name)
	return err == nil
}

// secretState describes one secret for the view. A keychain that cannot be
// asked shows the secret as not set (View.Keychain says why).
func (c *Config) secretState(ctx context.Context, s *secretSpec) SecretState {
	if _, _, ok := c.envSecret(s); ok {
		return SecretState{Set: true, Source: SourceEnvironment}
	}
	if s.name == SecretAPIToken {
		c.tokenMu.Lock()
		mem := c.memToken
		c.tokenMu.Unlock()
		if mem != "" {
			return SecretState{Set: true}
		}
	}
	_, src, err := c.stored(ctx, s.name)
	if err != nil {
		return SecretState{}
	}
	switch src {
	case keychain.SourceFile:
		return SecretState{Set: true, Source: SourceFile}
	default:
		return SecretState{Set: true, Source: SourceKeychain}
	}
}

// newToken returns 32 random bytes, base64url without padding (43 chars).
func (c *Config) newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(c.rand, b); err != nil {
		return "", ytsum.Wrap(fmt.Errorf("config: token: %w", err), ytsum.CodeInternal, "token_failed",
			"A new API token could not be made; try again.")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// APIToken returns the bearer token of the HTTP API. YTSUM_API_TOKEN wins;
// otherwise the token kept in the keychain; when there is none, a new one is
// generated from crypto/rand, saved and returned. When it cannot be saved
// (no usable keychain and no opt-in file), it is kept in memory for the life
// of this Config and the view says so. It is the only call that returns a
// secret to a front door: bind it only to an explicit "reveal token" action.
// Safe for concurrent use; generation happens once.
func (c *Config) APIToken(ctx context.Context) (string, error) {
	if v, ok := c.env.lookup("YTSUM_API_TOKEN"); ok {
		return v, nil
	}
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	if c.memToken != "" {
		return c.memToken, nil
	}
	v, _, err := c.stored(ctx, SecretAPIToken)
	if err == nil {
		return v, nil
	}
	code := ytsum.ErrorCode(err)
	if code != ytsum.CodeNotFound && code != ytsum.CodeUnavailable {
		return "", err
	}
	tok, terr := c.newToken()
	if terr != nil {
		return "", terr
	}
	if code == ytsum.CodeNotFound && c.kc != nil {
		serr := c.kc.Set(ctx, SecretAPIToken, tok)
		c.invalidate()
		if serr == nil {
			c.log.Info("config: API token generated and saved")
			return tok, nil
		}
		err = serr
	}
	c.memToken = tok
	c.log.Warn("config: API token kept in memory only; it changes at the next start", "reason", ytsum.ErrorMessage(err))
	return tok, nil
}

// RevealAPIToken is APIToken under the name the front doors bind to the
// explicit "reveal token" action.
func (c *Config) RevealAPIToken(ctx context.Context) (string, error) {
	tok, err := c.APIToken(ctx)
	if err == nil {
		c.log.Info("config: API token revealed")
	}
	return tok, err
}

// RotateAPIToken replaces the API token with a new random one, saves it and
// returns it; the old token stops working at once (CheckAPIToken reads the
// new one). It fails with code conflict when YTSUM_API_TOKEN sets the token,
// and with the keychain's error when the new token cannot be saved (the old
// one then stays valid) — unless the token already lives only in memory, in
// which case the new one does too. Safe for concurrent use.
func (c *Config) RotateAPIToken(ctx context.Context) (string, error) {
	if _, ok := c.env.lookup("YTSUM_API_TOKEN"); ok {
		return "", ytsum.Errorf(ytsum.CodeConflict, "set_by_environment",
			"The API token is set by the environment variable YTSUM_API_TOKEN; change it there.")
	}
	tok, err := c.newToken()
	if err != nil {
		return "", err
	}
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	if c.memToken != "" || c.kc == nil {
		c.memToken = tok
		c.log.Info("config: API token rotated (kept in memory only)")
		return tok, nil
	}
	err = c.kc.Set(ctx, SecretAPIToken, tok)
	c.invalidate()
	if err != nil {
		return "", ytsum.Wrap(err, ytsum.ErrorCode(err), ytsum.ErrorKind(err),
			"The new API token could not be saved, so the old one stays valid: "+ytsum.ErrorMessage(err))
	}
	c.log.Info("config: API token rotated")
	return tok, nil
}

// CheckAPIToken reports whether candidate is the API token, comparing in
// constant time. An empty candidate, or a token that cannot be obtained,
// never matches. Safe for concurrent use.
func (c *Config) CheckAPIToken(ctx context.Context, candidate string) bool {
	if candidate == "" {
		return false
	}
	tok, err := c.APIToken(ctx)
	if err != nil || tok == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(candidate)) == 1
}
