package keychain_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zalando/go-keyring"
	"go.uber.org/goleak"

	"ytsum/backend/keychain"
	"ytsum/backend/ytsum"
)

func TestMain(m *testing.M) {
	// godbus keeps one shared session-bus connection per process on purpose
	// (the secretservice build runs against a real bus).
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.newConn.func1"),
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.(*Conn).inWorker"))
}

// fakeProvider is a Provider with function fields; nil fields use a map.
type fakeProvider struct {
	mu    sync.Mutex
	m     map[string]string
	calls atomic.Int32
	err   error                  // returned by every call when set
	block chan struct{}          // when set, every call waits until it is closed
	setFn func(v string) error   // optional hook for Set
	onGet func(user string) bool // optional: return true to answer ErrNotFound
}

func (p *fakeProvider) wait() error {
	p.calls.Add(1)
	if p.block != nil {
		<-p.block
	}
	return p.err
}

func (p *fakeProvider) Set(service, user, password string) error {
	if err := p.wait(); err != nil {
		return err
	}
	if p.setFn != nil {
		if err := p.setFn(password); err != nil {
			return err
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]string{}
	}
	p.m[service+"/"+user] = password
	return nil
}

func (p *fakeProvider) Get(service, user string) (string, error) {
	if err := p.wait(); err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[service+"/"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (p *fakeProvider) Delete(service, user string) error {
	if err := p.wait(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.m[service+"/"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(p.m, service+"/"+user)
	return nil
}

// logBuf is a concurrency-safe log sink.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLogger() (*slog.Logger, *logBuf) {
	lb := &logBuf{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

const secret = "sk-TEST-0123456789abcdefSECRET"

// Ensure the go-keyring mock (keyring.MockInit) works through the default
// provider: set, read, replace, delete, and not found.
func TestMockRoundTrip(t *testing.T) {
	keyring.MockInit()
	log, logs := newLogger()
	k := keychain.New(keychain.Options{Logger: log})
	ctx := context.Background()

	if _, _, err := k.Lookup(ctx, "gemini_api_key"); ytsum.ErrorKind(err) != "secret_not_found" || ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("lookup before set: %v", err)
	}
	for _, v := range []string{secret, secret + "-2"} {
		if err := k.Set(ctx, "gemini_api_key", v); err != nil {
			t.Fatal(err)
		}
		got, src, err := k.Lookup(ctx, "gemini_api_key")
		if err != nil || got != v || src != keychain.SourceKeychain {
			t.Fatalf("lookup = %q, %s, %v", got, src, err)
		}
	}
	if err := k.Delete(ctx, "gemini_api_key"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, "gemini_api_key"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := k.Get(ctx, "gemini_api_key"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("get after delete: %v", err)
	}
	if st := k.Status(ctx); st.State != keychain.StateAvailable || st.FileFallback {
		t.Fatalf("status = %+v", st)
	}
	if strings.Contains(logs.String(), secret) {
		t.Fatal("secret in log")
	}
}

// Ensure keyring.MockInitWithError(ErrUnsupportedPlatform) reads as a
// missing keychain, and that the user is told plainly.
func TestMockUnsupportedIsMissing(t *testing.T) {
	keyring.MockInitWithError(keyring.ErrUnsupportedPlatform)
	defer keyring.MockInit()
	log, _ := newLogger()
	k := keychain.New(keychain.Options{Logger: log})
	st := k.Status(context.Background())
	if st.State != keychain.StateMissing || !strings.Contains(st.Message, "environment variables") {
		t.Fatalf("status = %+v", st)
	}
	err := k.Set(context.Background(), "openai_api_key", secret)
	if ytsum.ErrorKind(err) != "keychain_missing" || ytsum.ErrorCode(err) != ytsum.CodeUnavailable {
		t.Fatalf("set = %v", err)
	}
}

// Ensure names are checked.
func TestBadName(t *testing.T) {
	k := keychain.New(keychain.Options{Provider: &fakeProvider{}})
	for _, name := range []string{"", "Upper", "a b", "../x", strings.Repeat("a", 65)} {
		if err := k.Set(context.Background(), name, "v"); ytsum.ErrorCode(err) != ytsum.CodeInvalid {
			t.Errorf("Set(%q) = %v", name, err)
		}
	}
	if err := k.Set(context.Background(), "ok", ""); ytsum.ErrorKind(err) != "empty_secret" {
		t.Errorf("empty value: %v", err)
	}
}

// Ensure the per-OS size limits are enforced before the keychain is called.
func TestSizeLimits(t *testing.T) {
	tests := []struct {
		platform string
		size     int
		ok       bool
	}{
		{"windows", 2560, true},
		{"windows", 2561, false},
		{"linux", 100 << 10, true},
		{"linux", 100<<10 + 1, false},
		{"freebsd", 200 << 10, false},
		{"darwin", 200, true},
		{"darwin", 2900, true},
		{"darwin", 3100, false},
		{"darwin", 2400, true}, // a service-account JSON is about 2.3 KB
	}
	for _, tt := range tests {
		p := &fakeProvider{}
		k := keychain.New(keychain.Options{Provider: p, Platform: tt.platform})
		err := k.Set(context.Background(), "tts_credentials", strings.Repeat("x", tt.size))
		if tt.ok != (err == nil) {
			t.Errorf("%s %d bytes: err = %v", tt.platform, tt.size, err)
		}
		if !tt.ok {
			if ytsum.ErrorKind(err) != "secret_too_large" || p.calls.Load() != 0 {
				t.Errorf("%s %d bytes: kind %q, %d provider calls", tt.platform, tt.size, ytsum.ErrorKind(err), p.calls.Load())
			}
		}
	}
	// The exact macOS boundary: the `security -i` command must be ≤ 4096 bytes.
	k := keychain.New(keychain.Options{Provider: &fakeProvider{}, Platform: "darwin"})
	// 4096 - len("add-generic-password -U -s ytsum -a gemini_api_key -w go-keyring-base64:\n") = 4023
	// base64 chars → 4020 chars = 3015 bytes.
	if k.CheckSize("gemini_api_key", strings.Repeat("x", 3015)) != nil || k.CheckSize("gemini_api_key", strings.Repeat("x", 3016)) == nil {
		t.Errorf("the largest darwin value is not 3015 bytes")
	}
	// A provider that still says "too big" gives the same kind.
	p := &fakeProvider{setFn: func(string) error { return keyring.ErrSetDataTooBig }}
	k = keychain.New(keychain.Options{Provider: p})
	if err := k.Set(context.Background(), "a", "b"); ytsum.ErrorKind(err) != "secret_too_large" {
		t.Errorf("provider too big: %v", err)
	}
}

// Ensure a locked keychain (the Secret Service's unlock failure) is reported
// as locked, that nothing falls back to the file without the opt-in, and
// that with the opt-in the secret goes to a 0600 file marked as less safe.
func TestLockedAndFileFallback(t *testing.T) {
	dir := t.TempDir()
	var allow atomic.Bool
	p := &fakeProvider{err: errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")}
	log, logs := newLogger()
	k := keychain.New(keychain.Options{Provider: p, FallbackDir: dir, AllowFile: allow.Load, Logger: log, Recheck: -1})
	ctx := context.Background()

	st := k.Status(ctx)
	if st.State != keychain.StateLocked || st.FileFallback || st.FileAllowed || !strings.Contains(st.Message, "less safe") {
		t.Fatalf("status = %+v", st)
	}
	if err := k.Set(ctx, "gemini_api_key", secret); ytsum.ErrorKind(err) != "keychain_locked" {
		t.Fatalf("set without opt-in = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, keychain.FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file written without opt-in: %v", err)
	}

	allow.Store(true)
	if err := k.Set(ctx, "gemini_api_key", secret); err != nil {
		t.Fatal(err)
	}
	v, src, err := k.Lookup(ctx, "gemini_api_key")
	if err != nil || v != secret || src != keychain.SourceFile {
		t.Fatalf("lookup = %q %s %v", v, src, err)
	}
	fi, err := os.Stat(filepath.Join(dir, keychain.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode = %v", fi.Mode().Perm())
	}
	st = k.Status(ctx)
	if !st.FileFallback || st.FileKeys != 1 || !strings.Contains(st.Message, "less safe") || !strings.Contains(st.Message, st.FilePath) {
		t.Fatalf("status = %+v", st)
	}
	// The file stays readable after the opt-in is withdrawn.
	allow.Store(false)
	if v, src, _ := k.Lookup(ctx, "gemini_api_key"); v != secret || src != keychain.SourceFile {
		t.Fatalf("after opt-out: %q %s", v, src)
	}
	// Delete on a locked keychain cleans the file but says it could not
	// reach the keychain.
	if err := k.Delete(ctx, "gemini_api_key"); ytsum.ErrorKind(err) != "keychain_locked" {
		t.Fatalf("delete = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, keychain.FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file left after deleting its only key: %v", err)
	}
	if strings.Contains(logs.String(), secret) {
		t.Fatal("secret in log")
	}
}

// Ensure a missing keychain (no Secret Service on the bus) is reported as
// missing; Delete then only needs the file.
func TestMissing(t *testing.T) {
	tests := []error{
		errors.New("The name org.freedesktop.secrets was not provided by any .service files"),
		errors.New(`exec: "dbus-launch": executable file not found in $PATH`),
		keyring.ErrUnsupportedPlatform,
	}
	for _, perr := range tests {
		dir := t.TempDir()
		k := keychain.New(keychain.Options{Provider: &fakeProvider{err: perr}, FallbackDir: dir,
			AllowFile: func() bool { return true }, Logger: slog.New(slog.DiscardHandler)})
		ctx := context.Background()
		if st := k.Status(ctx); st.State != keychain.StateMissing || !st.FileFallback {
			t.Errorf("%v: status = %+v", perr, st)
		}
		if err := k.Set(ctx, "openai_api_key", secret); err != nil {
			t.Errorf("%v: set = %v", perr, err)
		}
		if err := k.Delete(ctx, "openai_api_key"); err != nil {
			t.Errorf("%v: delete = %v", perr, err)
		}
		if _, _, err := k.Lookup(ctx, "openai_api_key"); ytsum.ErrorKind(err) != "keychain_missing" {
			t.Errorf("%v: lookup after delete = %v", perr, err)
		}
	}
}

// Ensure a keychain found unusable is skipped for the recheck window and
// tried again afterwards, and that a later keychain write moves the key out
// of the file.
func TestRecheckAndMigration(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	p := &fakeProvider{err: errors.New("failed to unlock correct collection")}
	k := keychain.New(keychain.Options{Provider: p, FallbackDir: dir, AllowFile: func() bool { return true },
		Now: clock, Recheck: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	if err := k.Set(ctx, "gemini_api_key", secret); err != nil {
		t.Fatal(err)
	}
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("calls = %d", n)
	}
	for range 3 {
		if v, src, err := k.Lookup(ctx, "gemini_api_key"); v != secret || src != keychain.SourceFile || err != nil {
			t.Fatalf("lookup = %q %s %v", v, src, err)
		}
	}
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("keychain asked again within the recheck window: %d calls", n)
	}
	// The keychain comes back (unlocked) and the window passes.
	p.mu.Lock()
	p.err = nil
	p.mu.Unlock()
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if err := k.Set(ctx, "gemini_api_key", secret+"-new"); err != nil {
		t.Fatal(err)
	}
	v, src, err := k.Lookup(ctx, "gemini_api_key")
	if v != secret+"-new" || src != keychain.SourceKeychain || err != nil {
		t.Fatalf("after migration: %q %s %v", v, src, err)
	}
	if _, err := os.Stat(filepath.Join(dir, keychain.FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file kept after the key moved to the keychain: %v", err)
	}
}

// Ensure a call that hangs (a Secret Service waiting for an unlock prompt)
// returns "locked" after exactly the timeout, that later calls do not pile
// up goroutines behind it, and that all is well once it returns.
func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &fakeProvider{block: make(chan struct{})}
		k := keychain.New(keychain.Options{Provider: p, Logger: slog.New(slog.DiscardHandler)})
		ctx := context.Background()
		start := time.Now()
		_, err := k.Get(ctx, "gemini_api_key")
		if ytsum.ErrorKind(err) != "keychain_locked" || ytsum.ErrorCode(err) != ytsum.CodeUnavailable {
			t.Fatalf("get = %v", err)
		}
		if d := time.Since(start); d != 3*time.Second {
			t.Fatalf("returned after %v, want 3s", d)
		}
		// While the first call is stuck, others answer at once without a new call.
		start = time.Now()
		if err := k.Set(ctx, "gemini_api_key", secret); ytsum.ErrorKind(err) != "keychain_locked" {
			t.Fatalf("set while stuck = %v", err)
		}
		if st := k.Status(ctx); st.State != keychain.StateLocked {
			t.Fatalf("status while stuck = %+v", st)
		}
		if d := time.Since(start); d != 0 || p.calls.Load() != 1 {
			t.Fatalf("took %v and %d calls while stuck", d, p.calls.Load())
		}
		close(p.block) // the prompt is answered
		synctest.Wait()
		if st := k.Status(ctx); st.State != keychain.StateAvailable {
			t.Fatalf("status after release = %+v", st)
		}
	})
}

// Ensure a custom Timeout applies and a cancelled context stops the wait.
func TestTimeoutOptionAndCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &fakeProvider{block: make(chan struct{})}
		k := keychain.New(keychain.Options{Provider: p, Timeout: 500 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		start := time.Now()
		if _, err := k.Get(context.Background(), "x"); ytsum.ErrorKind(err) != "keychain_locked" || time.Since(start) != 500*time.Millisecond {
			t.Fatalf("get = %v after %v", err, time.Since(start))
		}
		close(p.block)
		synctest.Wait()

		p2 := &fakeProvider{block: make(chan struct{})}
		k2 := keychain.New(keychain.Options{Provider: p2, Logger: slog.New(slog.DiscardHandler)})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start = time.Now()
		if _, err := k2.Get(ctx, "x"); ytsum.ErrorKind(err) != "cancelled" || time.Since(start) != 100*time.Millisecond {
			t.Fatalf("cancelled get = %v after %v", err, time.Since(start))
		}
		close(p2.block)
		synctest.Wait()
	})
}

// Ensure no error message, error text or log line carries the secret, even
// when the provider fails.
func TestNoSecretInErrorsOrLogs(t *testing.T) {
	log, logs := newLogger()
	dir := t.TempDir()
	p := &fakeProvider{}
	k := keychain.New(keychain.Options{Provider: p, FallbackDir: dir, AllowFile: func() bool { return true }, Logger: log, Recheck: -1})
	ctx := context.Background()
	var errs []error
	errs = append(errs, k.Set(ctx, "gemini_api_key", secret+strings.Repeat("x", 200<<10)))
	p.err = errors.New("failed to unlock")
	errs = append(errs, k.Set(ctx, "gemini_api_key", secret))
	_, _, err := k.Lookup(ctx, "nothing")
	errs = append(errs, err)
	// A corrupt file whose bytes hold the secret must not be quoted.
	if err := os.WriteFile(filepath.Join(dir, keychain.FileName), []byte(`{"keys":{"a":"`+secret), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = k.Lookup(ctx, "a")
	errs = append(errs, err)
	errs = append(errs, k.Set(ctx, "a", secret))
	st := k.Status(ctx)
	for _, e := range errs {
		if e == nil {
			continue
		}
		if strings.Contains(e.Error(), secret) || strings.Contains(ytsum.ErrorMessage(e), secret) {
			t.Errorf("secret in error %q", e.Error())
		}
	}
	if strings.Contains(st.Message, secret) || strings.Contains(logs.String(), secret) {
		t.Errorf("secret in status or log:\n%s", logs.String())
	}
	if logs.String() == "" {
		t.Error("nothing logged; the test would not see a leak")
	}
}
