package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"
)

// Config holds the server's options. Every field is optional: the zero
// value of each is the documented default. Funcs are read on every request,
// so settings changed at run time apply without a restart.
type Config struct {
	// SSEEnabled reports whether GET /jobs/{id}/stream streams; when it
	// returns false the route answers 404 and clients poll. Nil: enabled.
	SSEEnabled func() bool
	// HeartbeatInterval is the time between SSE heartbeats. Nil or <= 0: 15 s.
	HeartbeatInterval func() time.Duration
	// AsyncEnabled is reported by /api_status. The sync/async choice itself
	// is Jobs.Async. Nil: true.
	AsyncEnabled func() bool

	// LoginEnabled turns on passcode login. Nil: false.
	LoginEnabled func() bool
	// Passcode is the login passcode. Nil or empty: no passcode matches.
	Passcode func(ctx context.Context) string
	// MaxAttempts is the number of failed logins per client address before
	// a lockout. Nil or <= 0: 5.
	MaxAttempts func() int
	// Lockout is how long an address stays locked out. Nil or <= 0: 15 min.
	Lockout func() time.Duration
	// APIToken is the bearer token for scripts. Nil or empty: bearer
	// authentication is refused.
	APIToken func(ctx context.Context) string
	// SessionTTL is how long a login session lasts. Zero: 7 days.
	SessionTTL time.Duration

	// AllowedHosts are extra Host names (without port) accepted besides
	// loopback names and addresses, e.g. a LAN name when listening beyond
	// loopback with login enabled.
	AllowedHosts []string
	// AllowedOrigins are extra exact origins ("scheme://host[:port]")
	// trusted on state-changing requests besides the request's own origin.
	AllowedOrigins []string

	// Alert thresholds of /system_health. Zero: 30 s, 5 %, 80 %, 85 %, 50.
	MaxResponseTime  time.Duration
	MaxErrorRate     float64 // percent
	MaxCPUPercent    float64
	MaxMemoryPercent float64
	MaxQueuedJobs    int

	// Version is reported by /api_status.
	Version string
	// Defaults returns the saved defaults a summarize request without them
	// gets and the UI theme, reported by /api_status. Nil: none reported.
	Defaults func() StatusDefaults
	// UI serves the web UI at "/" when set; it wins over UIFS.
	UI http.Handler
	// UIFS holds the built web UI (index.html at its root). An SPA: paths
	// without a file get index.html. Nil and UI nil: "/" answers 404.
	UIFS fs.FS

	// Logger receives request errors and security events. Nil: discarded.
	Logger *slog.Logger
	// Now is the clock. Nil: time.Now.
	Now func() time.Time

	// MaxBodyBytes caps request bodies. Zero: 1 MiB.
	MaxBodyBytes int64
	// WriteTimeout bounds writing one ordinary response. Zero: 60 s.
	// Streams and long requests (sync summarize, speech) manage their own.
	WriteTimeout time.Duration
}

func (c *Config) sseEnabled() bool   { return c.SSEEnabled == nil || c.SSEEnabled() }
func (c *Config) asyncEnabled() bool { return c.AsyncEnabled == nil || c.AsyncEnabled() }
func (c *Config) loginEnabled() bool { return c.LoginEnabled != nil && c.LoginEnabled() }

func (c *Config) heartbeat() time.Duration {
	if c.HeartbeatInterval != nil {
		if d := c.HeartbeatInterval(); d > 0 {
			return d
		}
	}
	return 15 * time.Second
}

func (c *Config) passcode(ctx context.Context) string {
	if c.Passcode == nil {
		return ""
	}
	return c.Passcode(ctx)
}

func (c *Config) apiToken(ctx context.Context) string {
	if c.APIToken == nil {
		return ""
	}
	return c.APIToken(ctx)
}

func (c *Config) maxAttempts() int {
	if c.MaxAttempts != nil {
		if n := c.MaxAttempts(); n > 0 {
			return n
		}
	}
	return 5
}

func (c *Config) lockout() time.Duration {
	if c.Lockout != nil {
		if d := c.Lockout(); d > 0 {
			return d
		}
	}
	return 15 * time.Minute
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func orFloat(f, def float64) float64 {
	if f > 0 {
		return f
	}
	return def
}
