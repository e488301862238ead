package keychain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zalando/go-keyring"

	"ytsum/backend/ytsum"
)

// Provider is the keychain backend: go-keyring's own interface minus
// DeleteAll. Implementations must be safe for concurrent use. They report a
// missing item with keyring.ErrNotFound and an oversized value with
// keyring.ErrSetDataTooBig. A call may block indefinitely; Keychain bounds it.
type Provider interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// osProvider calls go-keyring's package functions, so keyring.MockInit and
// keyring.MockInitWithError take effect through it.
type osProvider struct{}

func (osProvider) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}
func (osProvider) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osProvider) Delete(service, user string) error        { return keyring.Delete(service, user) }

// Options configure a Keychain. The zero value is usable: service "ytsum",
// 3 s timeout, 30 s recheck, the OS keychain, no file fallback.
type Options struct {
	// Service is the keychain service name every secret is filed under.
	// Empty means "ytsum".
	Service string
	// Timeout bounds every keychain call. Zero means 3 s.
	Timeout time.Duration
	// Recheck is how long calls skip a keychain found locked or missing
	// before trying it again. Zero means 30 s; negative means never skip.
	Recheck time.Duration
	// FallbackDir is the directory of the opt-in key file (normally the data
	// directory). Empty disables the file altogether.
	FallbackDir string
	// AllowFile reports whether the user agreed to keep secrets in the file
	// when the keychain cannot be used. It is called on every write, so a
	// change applies at once. Nil means never. It must not block.
	AllowFile func() bool
	// Provider replaces the OS keychain, for tests. Nil means go-keyring.
	Provider Provider
	// Platform is the GOOS whose size limits apply. Empty means runtime.GOOS.
	Platform string
	// Logger receives warnings (fallbacks, timeouts); never a secret.
	// Nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock, for tests. Nil means time.Now.
	Now func() time.Time
}

// State is the keychain's condition as the settings screen shows it.
type State string

// The three states of Status.State.
const (
	StateAvailable State = "available" // calls work
	StateLocked    State = "locked"    // it exists but is locked or waits for an unlock prompt
	StateMissing   State = "missing"   // there is none this app can use
)

// Source says where a secret came from.
type Source string

// Sources a Lookup reports.
const (
	SourceKeychain Source = "keychain"
	SourceFile     Source = "file"
	SourceNone     Source = "none"
)

// Status describes the keychain for the settings screen. Its JSON is part of
// the settings view.
type Status struct {
	State State `json:"state"`
	// Backend names the OS store, e.g. "Secret Service".
	Backend string `json:"backend"`
	// Message is a sentence for the user: what works and what to do.
	Message string `json:"message"`
	// FileFallback is true when new secrets go to the less safe file: the
	// keychain is not available and the user allowed the file.
	FileFallback bool `json:"file_fallback"`
	// FileAllowed mirrors Options.AllowFile.
	FileAllowed bool `json:"file_allowed"`
	// FilePath is where the file is (or would be); empty when disabled.
	FilePath string `json:"file_path,omitempty"`
	// FileKeys counts the secrets currently in the file.
	FileKeys int `json:"file_keys"`
}

// Keychain stores named secrets. It is safe for concurrent use.
type Keychain struct {
	service  string
	timeout  time.Duration
	recheck  time.Duration
	provider Provider
	platform string
	allow    func() bool
	log      *slog.Logger
	now      func() time.Time
	file     *fileStore // nil when FallbackDir is empty

	hung atomic.Int32 // calls that timed out and are still blocked

	mu        sync.Mutex
	badState  State     // StateLocked or StateMissing while skipping
	badUntil  time.Time // skip the keychain until then
	badReason string
}

// New returns a Keychain. It does not touch the keychain; call Status to probe.
func New(o Options) *Keychain {
	k := &Keychain{service: o.Service, timeout: o.Timeout, recheck: o.Recheck,
		provider: o.Provider, platform: o.Platform, allow: o.AllowFile, log: o.Logger, now: o.Now}
	if k.service == "" {
		k.service = "ytsum"
	}
	if k.timeout <= 0 {
		k.timeout = 3 * time.Second
	}
	if k.recheck == 0 {
		k.recheck = 30 * time.Second
	}
	if k.provider == nil {
		k.provider = osProvider{}
	}
	if k.platform == "" {
		k.platform = runtime.GOOS
	}
	if k.allow == nil {
		k.allow = func() bool { return false }
	}
	if k.log == nil {
		k.log = slog.Default()
	}
	if k.now == nil {
		k.now = time.Now
	}
	if o.FallbackDir != "" {
		k.file = &fileStore{path: filepath.Join(o.FallbackDir, FileName)}
	}
	return k
}

// FileName is the name of the opt-in key file inside Options.FallbackDir.
const FileName = "insecure-keys.json"

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return ytsum.Errorf(ytsum.CodeInvalid, "invalid_secret_name",
			"A secret name must be 1 to 64 lower-case letters, digits, dots, dashes or underscores.")
	}
	return nil
}

// Get returns the secret called name. See Lookup.
func (k *Keychain) Get(ctx context.Context, name string) (string, error) {
	v, _, err := k.Lookup(ctx, name)
	return v, err
}

// Lookup returns the secret called name and where it was found: the keychain
// first, then the file. Errors are *ytsum.Error: not_found (kind
// "secret_not_found") when neither holds it; unavailable (kinds
// "keychain_locked", "keychain_missing", "cancelled") when the keychain
// could not be asked and the file does not hold it; invalid for a bad name.
func (k *Keychain) Lookup(ctx context.Context, name string) (string, Source, error) {
	if err := checkName(name); err != nil {
		return "", SourceNone, err
	}
	var kcErr error
	if err := k.usable(); err != nil {
		kcErr = err
	} else {
		v, err := k.call(ctx, "get", func() (string, error) { return k.provider.Get(k.service, name) })
		switch {
		case err == nil:
			return v, SourceKeychain, nil
		case errors.Is(err, keyring.ErrNotFound):
		default:
			kcErr = err
		}
	}
	if k.file != nil {
		v, ok, err := k.file.get(name)
		if err != nil {
			k.log.Warn("keychain: read key file", "err", err)
		} else if ok {
			return v, SourceFile, nil
		}
	}
	if kcErr != nil {
		return "", SourceNone, kcErr
	}
	return "", SourceNone, notFound(name)
}

func notFound(name string) error {
	return ytsum.Errorf(ytsum.CodeNotFound, "secret_not_found", "No value is saved for %s.", name)
}

// Set stores value as the secret called name, replacing any earlier value.
// It writes to the keychain; when that cannot be used and the user allowed
// the file, to the file. After a keychain write it removes name from the
// file. Errors are *ytsum.Error: invalid ("secret_too_large",
// "invalid_secret_name", "empty_secret"), unavailable (keychain locked or
// missing and no file allowed), internal.
func (k *Keychain) Set(ctx context.Context, name, value string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if value == "" {
		return ytsum.Errorf(ytsum.CodeInvalid, "empty_secret", "An empty value cannot be saved; delete the key instead.")
	}
	if err := k.CheckSize(name, value); err != nil {
		return err
	}
	kcErr := k.usable()
	if kcErr == nil {
		_, err := k.call(ctx, "set", func() (string, error) { return "", k.provider.Set(k.service, name, value) })
		if err == nil {
			if k.file != nil {
				if _, err := k.file.delete(name); err != nil {
					k.log.Warn("keychain: remove key from file after keychain write", "name", name, "err", err)
				}
			}
			return nil
		}
		if errors.Is(err, keyring.ErrSetDataTooBig) {
			return ytsum.Wrap(err, ytsum.CodeInvalid, "secret_too_large",
				fmt.Sprintf("This value is too long for the %s.", k.backend()))
		}
		kcErr = err
	}
	if ytsum.ErrorKind(kcErr) == "cancelled" {
		return kcErr
	}
	if k.file == nil || !k.allow() {
		return kcErr
	}
	if len(value) > fileLimit {
		return ytsum.Errorf(ytsum.CodeInvalid, "secret_too_large",
			"This value is too long to keep (at most %d bytes).", fileLimit)
	}
	if err := k.file.set(name, value); err != nil {
		return ytsum.Wrap(err, ytsum.CodeInternal, "key_file_failed",
			"The key could not be written to the key file in the data folder; check that the folder is writable.")
	}
	k.log.Warn("keychain: key stored in the less safe key file because the keychain is not available",
		"name", name, "file", k.file.path)
	return nil
}

// Delete removes the secret called name from the keychain and from the file.
// Deleting a secret that does not exist is not an error. When the keychain
// is locked the secret may still be in it, so Delete returns an unavailable
// error (after removing any copy from the file); when it is missing, the
// file is all there is.
func (k *Keychain) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if k.file != nil {
		if _, err := k.file.delete(name); err != nil {
			return ytsum.Wrap(err, ytsum.CodeInternal, "key_file_failed",
				"The key could not be removed from the key file in the data folder; check that the folder is writable.")
		}
	}
	err := k.usable()
	if err == nil {
		_, err = k.call(ctx, "delete", func() (string, error) { return "", k.provider.Delete(k.service, name) })
		if err == nil || errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
	}
	if ytsum.ErrorKind(err) == "keychain_missing" {
		return nil
	}
	return err
}

// Status probes the keychain (one lookup of a name that does not exist,
// bounded by Options.Timeout) and describes it. It never fails; it also
// resets the skip window that Options.Recheck describes.
func (k *Keychain) Status(ctx context.Context) Status {
	st := Status{State: StateAvailable, Backend: k.backend(), FileAllowed: k.allow()}
	if k.file != nil {
		st.FilePath = k.file.path
		if n, err := k.file.count(); err == nil {
			st.FileKeys = n
		}
	}
	if k.hung.Load() > 0 {
		st.State = StateLocked
	} else {
		_, err := k.call(ctx, "probe", func() (string, error) { return k.provider.Get(k.service, "keychain-probe") })
		switch kind := ytsum.ErrorKind(err); {
		case err == nil || errors.Is(err, keyring.ErrNotFound):
		case kind == "keychain_locked":
			st.State = StateLocked
		case kind == "cancelled":
			st.State = StateLocked
		default:
			st.State = StateMissing
		}
	}
	st.FileFallback = st.State != StateAvailable && k.file != nil && st.FileAllowed
	st.Message = k.message(st)
	return st
}

func (k *Keychain) message(st Status) string {
	var b strings.Builder
	switch st.State {
	case StateAvailable:
		fmt.Fprintf(&b, "Keys are kept in the %s.", st.Backend)
		if st.FileKeys > 0 {
			fmt.Fprintf(&b, " %d key(s) are still in the less safe key file %s; save them again to move them into the %s.",
				st.FileKeys, st.FilePath, st.Backend)
		}
		return b.String()
	case StateLocked:
		fmt.Fprintf(&b, "The %s is locked or waiting for you to unlock it, so saved keys cannot be read. Unlock it (for example by logging in to your desktop session) and open Settings again.", st.Backend)
	default:
		fmt.Fprintf(&b, "No %s is available on this computer, so keys cannot be kept safely. Set them through environment variables (for example GEMINI_API_KEY).", st.Backend)
	}
	switch {
	case st.FileFallback:
		fmt.Fprintf(&b, " Until then, keys you save are kept in the file %s, readable only by your user account but not encrypted: this is less safe than a keychain.", st.FilePath)
	case k.file != nil:
		b.WriteString(" You can also allow keeping keys in a file in the data folder, which is less safe: the file is not encrypted.")
	}
	return b.String()
}

func (k *Keychain) backend() string {
	switch k.platform {
	case "darwin":
		return "macOS Keychain"
	case "windows":
		return "Windows Credential Manager"
	default:
		return "system keychain (Secret Service)"
	}
}

// usable returns nil when calls may try the keychain, or the error of the
// state found recently (or of a call still blocked).
func (k *Keychain) usable() error {
	if k.hung.Load() > 0 {
		return k.stateError(StateLocked, "an earlier keychain call is still waiting")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.badState != "" && k.now().Before(k.badUntil) {
		return k.stateError(k.badState, k.badReason)
	}
	return nil
}

func (k *Keychain) stateError(s State, reason string) error {
	cause := errors.New(reason)
	if s == StateLocked {
		return ytsum.Wrap(cause, ytsum.CodeUnavailable, "keychain_locked",
			fmt.Sprintf("The %s is locked or waiting for you to unlock it; unlock it and try again, or allow keeping keys in a file in Settings.", k.backend()))
	}
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, "keychain_missing",
		fmt.Sprintf("No %s is available on this computer; set the key through an environment variable, or allow keeping keys in a file in Settings (less safe).", k.backend()))
}

func (k *Keychain) markBad(s State, reason string) {
	if k.recheck < 0 {
		return
	}
	k.mu.Lock()
	k.badState, k.badReason, k.badUntil = s, reason, k.now().Add(k.recheck)
	k.mu.Unlock()
}

func (k *Keychain) markGood() {
	k.mu.Lock()
	k.badState, k.badUntil = "", time.Time{}
	k.mu.Unlock()
}

// call runs fn in a goroutine bounded by the timeout and ctx. It returns
// keyring.ErrNotFound and keyring.ErrSetDataTooBig as they are; every other
// failure as a *ytsum.Error classified as locked or missing.
func (k *Keychain) call(ctx context.Context, op string, fn func() (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", cancelled(err)
	}
	if k.hung.Load() > 0 {
		return "", k.stateError(StateLocked, "an earlier keychain call is still waiting")
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	timer := time.NewTimer(k.timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err == nil || errors.Is(r.err, keyring.ErrNotFound) || errors.Is(r.err, keyring.ErrSetDataTooBig) {
			k.markGood()
			return r.v, r.err
		}
		state := classify(r.err)
		k.markBad(state, r.err.Error())
		k.log.Warn("keychain: call failed", "op", op, "state", string(state), "err", r.err)
		return "", k.stateError(state, fmt.Sprintf("keychain %s: %v", op, r.err))
	case <-timer.C:
	case <-ctx.Done():
		k.abandon(done)
		return "", cancelled(ctx.Err())
	}
	k.abandon(done)
	k.markBad(StateLocked, "timeout")
	k.log.Warn("keychain: call timed out; the keychain is probably waiting for an unlock prompt",
		"op", op, "timeout", k.timeout.String())
	return "", k.stateError(StateLocked, fmt.Sprintf("keychain %s: no answer within %s", op, k.timeout))
}

type result struct {
	v   string
	err error
}

// abandon counts a call that is still blocked until it returns.
func (k *Keychain) abandon(done <-chan result) {
	k.hung.Add(1)
	go func() {
		<-done
		k.hung.Add(-1)
	}()
}

func cancelled(err error) error {
	return ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", "The request was cancelled before the keychain answered.")
}

// classify tells a locked keychain from a missing one by go-keyring's errors.
func classify(err error) State {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"unlock", "locked", "prompt", "dismissed", "user canceled", "user interaction"} {
		if strings.Contains(msg, s) {
			return StateLocked
		}
	}
	return StateMissing
}
