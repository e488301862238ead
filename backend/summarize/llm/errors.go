package llm

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"ytsum/backend/ytsum"
)

// Stable error kinds (ytsum.Error.Kind) of summarizing. The UI and tests
// switch on them; the codes in parentheses are the ytsum codes they carry.
const (
	KindKeyMissing       = "key_missing"       // (unauthorized) no key configured for the model's provider
	KindInvalidKey       = "invalid_key"       // (unauthorized) the provider rejected the key
	KindPermissionDenied = "permission_denied" // (unauthorized) the key may not use this model or API
	KindRateLimited      = "rate_limited"      // (rate_limited) too many requests right now; retried
	KindQuotaExceeded    = "quota_exceeded"    // (rate_limited) quota or credit used up; not retried
	KindModelNotFound    = "model_not_found"   // (not_found) the provider does not know the model
	KindSafetyBlocked    = "safety_blocked"    // (invalid) the provider's safety filters blocked it
	KindEmptyAnswer      = "empty_answer"      // (unavailable) the model answered nothing
	KindOverloaded       = "overloaded"        // (unavailable) 5xx / overloaded; retried
	KindOffline          = "offline"           // (unavailable) the server could not be reached
	KindContextTooLong   = "context_too_long"  // (invalid) input over the model's context; re-chunked
	KindBillingRequired  = "billing_required"  // (unauthorized) e.g. Gemini free tier not offered in the country
	KindVideoUnavailable = "video_unavailable" // (invalid) Gemini could not read the YouTube video
	KindNoTranscript     = "no_transcript"     // (not_found) no transcript and the model cannot watch video
	KindInvalidOption    = "invalid_option"    // (invalid) unknown model, style, length or language
	KindTooLong          = "too_long"          // (invalid) could not be reduced to fit the model
	KindCancelled        = "cancelled"         // (unavailable) the caller's context ended
	KindProviderError    = "provider_error"    // (unavailable) any other failure of the provider
)

// Retryable reports whether err is worth retrying after a wait: a rate limit
// or an overloaded server.
func Retryable(err error) bool {
	switch ytsum.ErrorKind(err) {
	case KindRateLimited, KindOverloaded:
		return true
	}
	return false
}

// Cancelled returns the *ytsum.Error for a call ended by ctx, or nil when ctx
// is still live. errors.Is(err, context.Canceled) holds for the result.
func Cancelled(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	cause := context.Cause(ctx)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindCancelled, "The summary took too long and was stopped.")
	}
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindCancelled, "The summary was cancelled.")
}

// Offline reports whether err means the server could not be reached at all:
// DNS failure, refused or reset connection, unreachable network, dial timeout,
// or a connection the server closed under a request being sent (a local
// server that stopped while the request was written).
func Offline(err error) bool {
	if err == nil {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	for _, e := range []error{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ENETUNREACH, syscall.EHOSTUNREACH, syscall.EPIPE, net.ErrClosed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// OfflineError returns the offline error for a server the user knows as who
// (e.g. "Gemini", "the server at localhost:11434").
func OfflineError(cause error, who string) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindOffline,
		"Could not reach "+who+"; check your internet connection (or that the server is running) and try again.")
}

// Host returns the host[:port] of a base URL for messages, never its user
// info, path or query (which could hold a secret). "" for an unparsable URL.
func Host(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Hint collects what the HTTP responses of one call said about when to retry.
// It is filled by the transport of WrapClient and read by the provider.
type Hint struct {
	mu         sync.Mutex
	retryAfter time.Duration
}

// RetryAfter returns the longest retry delay a response of the call announced.
func (h *Hint) RetryAfter() time.Duration {
	if h == nil {
		return 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.retryAfter
}

func (h *Hint) observe(d time.Duration) {
	h.mu.Lock()
	if d > h.retryAfter {
		h.retryAfter = d
	}
	h.mu.Unlock()
}

type hintKey struct{}

// WithHint returns a context whose HTTP responses (through a client made by
// WrapClient) record their retry hints in the returned Hint.
func WithHint(ctx context.Context) (context.Context, *Hint) {
	h := &Hint{}
	return context.WithValue(ctx, hintKey{}, h), h
}

// WrapClient returns a copy of c (or of a default client when c is nil) whose
// transport records Retry-After style headers of 429 and 5xx responses into
// the Hint of the request's context. The copy has no overall timeout: the
// caller's context bounds each call.
func WrapClient(c *http.Client) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	}
	base := cp.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = hintTransport{base: base}
	return &cp
}

type hintTransport struct{ base http.RoundTripper }

func (t hintTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) {
		if h, ok := r.Context().Value(hintKey{}).(*Hint); ok {
			if d := ParseRetryHeaders(resp.Header, time.Now()); d > 0 {
				h.observe(d)
			}
		}
	}
	return resp, err
}

// ParseRetryHeaders reads the retry delay from Retry-After (seconds or an
// HTTP date), retry-after-ms, and OpenAI's x-ratelimit-reset-requests /
// x-ratelimit-reset-tokens ("1s", "6m0s", "20ms"). It returns the longest
// delay announced, or 0.
func ParseRetryHeaders(h http.Header, now time.Time) time.Duration {
	var best time.Duration
	take := func(d time.Duration) {
		if d > best {
			best = d
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			take(time.Duration(n * float64(time.Second)))
		} else if t, err := http.ParseTime(v); err == nil {
			take(t.Sub(now))
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			take(time.Duration(n * float64(time.Millisecond)))
		}
	}
	// The reset headers are only meaningful when that budget is exhausted.
	if strings.TrimSpace(h.Get("X-Ratelimit-Remaining-Requests")) == "0" {
		if d, err := time.ParseDuration(strings.TrimSpace(h.Get("X-Ratelimit-Reset-Requests"))); err == nil {
			take(d)
		}
	}
	if strings.TrimSpace(h.Get("X-Ratelimit-Remaining-Tokens")) == "0" {
		if d, err := time.ParseDuration(strings.TrimSpace(h.Get("X-Ratelimit-Reset-Tokens"))); err == nil {
			take(d)
		}
	}
	return best
}

// Seconds formats d for a message: "about 43 seconds", "about 2 minutes".
func Seconds(d time.Duration) string {
	if d < 2*time.Minute {
		s := int((d + time.Second - 1) / time.Second)
		if s <= 1 {
			return "a second"
		}
		return "about " + strconv.Itoa(s) + " seconds"
	}
	return "about " + strconv.Itoa(int((d+time.Minute-1)/time.Minute)) + " minutes"
}

// IsReasoningModel reports whether an OpenAI-style model ID names a model
// that reasons before answering (o-series, gpt-5 and later), whose output
// cap must also cover the hidden reasoning.
func IsReasoningModel(id string) bool {
	id = strings.ToLower(id)
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6", "gpt-7"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}
