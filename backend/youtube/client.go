package youtube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"ytsum/backend/ytsum"
)

// Cache stores transcripts and video details so that summarizing a video
// again never fetches them again. The bbolt store implements it. Methods may
// be called from many goroutines at once. A miss is (nil, nil); an error is
// logged and treated as a miss (or, for Put, ignored): the cache never makes
// a fetch fail.
type Cache interface {
	// Transcript returns the stored transcript of videoID whose Language
	// is lang. With lang "" it returns any stored transcript of the video
	// (the most recently stored one, if the store knows).
	Transcript(videoID, lang string) (*ytsum.Transcript, error)
	// PutTranscript stores t under t.VideoID and t.Language.
	PutTranscript(t *ytsum.Transcript) error
	// Video returns the stored details of video id.
	Video(id string) (*ytsum.Video, error)
	// PutVideo stores v under v.ID.
	PutVideo(v ytsum.Video) error
}

// Options configure a Client. The zero value of every field is a sensible
// default. Fields read through funcs are read on every call, so settings
// changed at run time apply without a restart.
type Options struct {
	// BaseURL is where watch pages, /youtubei/v1/*, /api/timedtext and
	// /oembed live. Zero: https://www.youtube.com (YTSUM_YOUTUBE_URL).
	BaseURL string
	// ThumbnailURL is the base for thumbnails. Zero: https://i.ytimg.com
	// (YTSUM_THUMBNAIL_URL).
	ThumbnailURL string
	// HTTPClient sends every request. Zero: a client whose transport gives
	// up connecting after ConnectTimeout. Whatever the client, every request
	// is also bounded by RequestTimeout, FirstByteTimeout and IdleTimeout
	// here. Its Jar, if any, is not needed: the consent cookie is kept here.
	HTTPClient *http.Client
	// RequestTimeout bounds one request from sending to the last body byte
	// (a stalled answer frees its concurrency slot then). Zero: 30 s.
	RequestTimeout time.Duration
	// FirstByteTimeout bounds the wait for the answer's headers. Zero: 15 s.
	FirstByteTimeout time.Duration
	// IdleTimeout bounds a pause inside the answer's body. Zero: 10 s.
	IdleTimeout time.Duration
	// ConnectTimeout bounds connecting (TCP + TLS) when HTTPClient is nil.
	// Zero: 10 s.
	ConnectTimeout time.Duration
	// Pacing returns the base gap between the starts of two requests to
	// YouTube (jittered up by as much as half), read before each request.
	// Nil: DefaultPacing. Zero or negative: no base gap (tests). The
	// adaptive slow-down after a refusal comes on top.
	Pacing func() time.Duration
	// PlayerClients returns the innertube player clients to ask, as the JSON
	// of a []PlayerClient (the youtube_clients setting), read per video.
	// Nil or "": DefaultPlayerClients. Broken JSON: the defaults, logged.
	PlayerClients func() string
	// Concurrency is the most requests to YouTube in flight at once
	// (a running yt-dlp counts as one). Zero: 2.
	Concurrency int
	// MaxRetries bounds the retries of one request after HTTP 429, 5xx or
	// a dropped connection. Zero: 2; negative: no retries.
	MaxRetries int
	// Backoff is the first retry delay; it doubles per retry, with jitter,
	// up to MaxBackoff. It is also the step of the global slow-down. Zero: 1 s.
	Backoff time.Duration
	// MaxBackoff caps one retry delay and the global slow-down. Zero: 1 min.
	MaxBackoff time.Duration
	// Languages returns the preferred transcript languages (BCP-47 codes,
	// most preferred first) used when a call passes none. Nil, or an empty
	// answer: the UI language from the environment (LANG), then English.
	Languages func() []string
	// YtDlp reports whether the yt-dlp fallback is enabled. Nil: disabled.
	YtDlp func() bool
	// YtDlpPath is the yt-dlp executable. Zero: "yt-dlp" looked up on PATH
	// at each use; when it is not found the fallback is skipped.
	YtDlpPath string
	// YtDlpTimeout bounds one yt-dlp run. Zero: 2 min.
	YtDlpTimeout time.Duration
	// Cache stores transcripts and details. Nil: no caching.
	Cache Cache
	// Now returns the current time (FetchedAt, memo expiry). Zero: time.Now.
	Now func() time.Time
	// Logger receives internal details (causes, retries). Zero: discarded.
	Logger *slog.Logger
	// AndroidClientVersion, when set, replaces the version of the ANDROID
	// entry of the default player clients (see PlayerClients).
	AndroidClientVersion string
	// WebClientVersion is the innertube WEB client version sent to
	// /browse for playlists and channels. Zero: 2.20260708.00.00 (yt-dlp's
	// INNERTUBE_CLIENTS['web'], commit 81ecd58, 2026-08-20).
	WebClientVersion string
	// ChannelVideoLimit returns how many of a channel's newest uploads
	// Channel returns when the call passes no limit (the
	// channel_video_limit setting), read per call. Nil or <= 0:
	// DefaultChannelVideoLimit.
	ChannelVideoLimit func() int
	// MaxPlaylistPages bounds the continuation pages of one playlist
	// (about 100 videos each). Zero: 200.
	MaxPlaylistPages int
}

const (
	defaultBaseURL      = "https://www.youtube.com"
	defaultThumbnailURL = "https://i.ytimg.com"
	// DefaultPacing is the base gap between two requests to YouTube.
	DefaultPacing = 250 * time.Millisecond
	// DefaultRequestTimeout bounds one request to YouTube.
	DefaultRequestTimeout = 30 * time.Second
	defaultWebClient      = "2.20260708.00.00"
	maxBody               = 16 << 20
	playerMemoTTL         = 10 * time.Minute
	playerMemoMax         = 64
)

// Client fetches video details, transcripts, playlists and channel uploads
// from YouTube, and explains transcript lookups (Diagnose).
// All methods are safe for concurrent use, honour ctx cancellation
// promptly (in-flight HTTP, limiter waits and backoff waits alike) and
// return only *ytsum.Error errors.
type Client struct {
	opts    Options
	base    *url.URL
	thumb   string
	hc      *http.Client
	sem     chan struct{}
	gov     *governor
	log     *slog.Logger
	now     func() time.Time
	consent consentJar

	stats trafficStats
	sess  session

	memoMu sync.Mutex
	memo   map[string]memoEntry
}

// New returns a Client for o. An unparsable BaseURL falls back to the default.
func New(o Options) *Client {
	c := &Client{opts: o}
	if o.BaseURL == "" {
		o.BaseURL = defaultBaseURL
	}
	b, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || b.Scheme == "" || b.Host == "" {
		b, _ = url.Parse(defaultBaseURL)
	}
	c.base = b
	c.thumb = strings.TrimRight(o.ThumbnailURL, "/")
	if c.thumb == "" {
		c.thumb = defaultThumbnailURL
	}
	if c.opts.RequestTimeout <= 0 {
		c.opts.RequestTimeout = DefaultRequestTimeout
	}
	if c.opts.FirstByteTimeout <= 0 {
		c.opts.FirstByteTimeout = 15 * time.Second
	}
	if c.opts.IdleTimeout <= 0 {
		c.opts.IdleTimeout = 10 * time.Second
	}
	if c.opts.ConnectTimeout <= 0 {
		c.opts.ConnectTimeout = 10 * time.Second
	}
	c.hc = o.HTTPClient
	if c.hc == nil {
		c.hc = &http.Client{Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: c.opts.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   c.opts.ConnectTimeout,
			ResponseHeaderTimeout: c.opts.FirstByteTimeout,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          8,
			IdleConnTimeout:       90 * time.Second,
		}}
	}
	n := o.Concurrency
	if n <= 0 {
		n = 2
	}
	c.sem = make(chan struct{}, n)
	if o.MaxRetries == 0 {
		c.opts.MaxRetries = 2
	} else if o.MaxRetries < 0 {
		c.opts.MaxRetries = 0
	}
	if o.Backoff <= 0 {
		c.opts.Backoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		c.opts.MaxBackoff = time.Minute
	}
	if c.opts.MaxBackoff < c.opts.Backoff {
		c.opts.MaxBackoff = c.opts.Backoff
	}
	c.now = o.Now
	if c.now == nil {
		c.now = time.Now
	}
	c.log = o.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.opts.WebClientVersion == "" {
		c.opts.WebClientVersion = defaultWebClient
	}
	if c.opts.MaxPlaylistPages <= 0 {
		c.opts.MaxPlaylistPages = 200
	}
	if c.opts.YtDlpTimeout <= 0 {
		c.opts.YtDlpTimeout = 2 * time.Minute
	}
	c.gov = newGovernor(c.opts.Backoff, c.opts.MaxBackoff)
	c.gov.base = c.pacing
	c.memo = make(map[string]memoEntry)
	c.sess.lock = make(chan struct{}, 1)
	return c
}

// ThumbnailURL returns the URL of video id's hqdefault thumbnail (480×360,
// which every video has) on the configured thumbnail host.
func (c *Client) ThumbnailURL(id string) string {
	return c.thumb + "/vi/" + url.PathEscape(id) + "/hqdefault.jpg"
}

// endpoint returns BaseURL + path (path starts with "/") + query.
func (c *Client) endpoint(path string, q url.Values) string {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawPath = ""
	if q != nil {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// defaultLanguages is the OS locale's language (GNU LANGUAGE's list, then
// the first of LC_ALL, LC_MESSAGES and LANG), then English.
func defaultLanguages() []string {
	var out []string
	norm := func(v string) string {
		if v == "" || v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.") {
			return ""
		}
		if i := strings.IndexAny(v, ".@"); i >= 0 {
			v = v[:i]
		}
		return strings.ReplaceAll(v, "_", "-")
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		if n := norm(v); n != "" {
			// LANGUAGE refines the locale's language (it is ignored under C).
			for _, l := range strings.Split(os.Getenv("LANGUAGE"), ":") {
				if l = norm(l); l != "" {
					out = append(out, l)
				}
			}
			out = append(out, n)
		}
		break
	}
	return append(out, "en")
}

func (c *Client) languages(explicit []string) []string {
	langs := explicit
	if len(langs) == 0 && c.opts.Languages != nil {
		langs = c.opts.Languages()
	}
	if len(langs) == 0 {
		langs = defaultLanguages()
	}
	seen := make(map[string]bool)
	out := make([]string, 0, len(langs))
	for _, l := range langs {
		l = strings.TrimSpace(l)
		if l == "" || seen[strings.ToLower(l)] {
			continue
		}
		seen[strings.ToLower(l)] = true
		out = append(out, l)
	}
	if len(out) == 0 {
		out = []string{"en"}
	}
	return out
}

// consentJar holds the CONSENT cookie value once YouTube asked for it.
type consentJar struct {
	mu    sync.Mutex
	value string
}

func (j *consentJar) get() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.value
}

func (j *consentJar) set(v string) {
	j.mu.Lock()
	j.value = v
	j.mu.Unlock()
}

// request describes one HTTP request; it is rebuilt for each retry.
type request struct {
	method string
	url    string
	body   []byte
	header http.Header
}

// response is a fully read answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// httpError is the internal cause for a non-2xx answer.
type httpError struct {
	status int
	url    string
}

func (e *httpError) Error() string { return fmt.Sprintf("HTTP %d from %s", e.status, redactURL(e.url)) }

// redactURL keeps a URL's path and drops its query (signatures, keys).
func redactURL(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i]
	}
	return s
}

// do sends r to YouTube politely: it waits for a concurrency slot and for
// the global slow-down, retries 429, 5xx and dropped connections with
// jittered exponential backoff (bounded by MaxRetries), and reads the whole
// body. Every wait stops on ctx.Done(). The answer of the last attempt is
// returned whatever its status; errors are *ytsum.Error (offline,
// cancelled, rate_limited or youtube_error after the retries).
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	var lastErr error
	for attempt := 0; ; attempt++ {
		if err := ctxErr(ctx); err != nil {
			return nil, err
		}
		resp, err := c.once(ctx, r)
		retryable := false
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, errCancelled(ctx.Err())
			}
			var st *stallError
			if errors.As(err, &st) {
				// A stalled answer is not retried: the next one would most
				// likely stall as long, holding a slot again.
				c.log.Info("youtube: request stalled", "url", redactURL(r.url), "cause", st)
				return nil, errTimeout(st.after, fmt.Errorf("youtube: %s %s: %w", r.method, redactURL(r.url), err))
			}
			lastErr = err
			retryable = transient(err)
			if !retryable {
				return nil, errOffline(fmt.Errorf("youtube: %s %s: %w", r.method, redactURL(r.url), err))
			}
		case resp.status == http.StatusTooManyRequests:
			wait = retryAfter(resp.header)
			c.gov.refused(wait)
			lastErr = &httpError{resp.status, r.url}
			retryable = true
		case resp.status >= 500:
			lastErr = &httpError{resp.status, r.url}
			retryable = true
		default:
			c.gov.accepted()
			return resp, nil
		}
		if !retryable || attempt >= c.opts.MaxRetries {
			if resp != nil {
				return resp, nil // the caller turns 429/5xx into a *ytsum.Error (a 429 may hold a reCAPTCHA page)
			}
			if transient(lastErr) {
				return nil, errOffline(fmt.Errorf("youtube: %s %s: %w", r.method, redactURL(r.url), lastErr))
			}
			return nil, errYouTubeStatus(0, lastErr)
		}
		d := c.gov.backoff(attempt)
		if wait > d {
			d = min(wait, c.opts.MaxBackoff)
		}
		c.log.Debug("youtube: retrying", "url", redactURL(r.url), "attempt", attempt+1, "wait", d, "cause", lastErr)
		if err := sleepCtx(ctx, d); err != nil {
			return nil, errCancelled(err)
		}
	}
}

// stallError is the cause of a request given up by one of the deadlines.
type stallError struct {
	phase string        // "answer", "first byte" or "body"
	after time.Duration // the deadline that ran out
}

func (e *stallError) Error() string {
	return fmt.Sprintf("no %s from YouTube within %s", e.phase, e.after)
}

// Timeout marks a stall as a timeout for net.Error-style checks.
func (e *stallError) Timeout() bool { return true }

// pacing returns the base gap between two requests.
func (c *Client) pacing() time.Duration {
	if c.opts.Pacing == nil {
		return DefaultPacing
	}
	return max(c.opts.Pacing(), 0)
}

// once sends one attempt, holding a concurrency slot for its duration. The
// attempt is bounded by RequestTimeout overall, FirstByteTimeout until the
// headers and IdleTimeout between two reads of the body; when one runs out
// the request is aborted (its slot freed) with a *stallError.
func (c *Client) once(ctx context.Context, r request) (*response, error) {
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	defer c.release()
	if err := c.gov.wait(ctx); err != nil {
		return nil, err
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	overall := time.AfterFunc(c.opts.RequestTimeout, func() {
		cancel(&stallError{phase: "complete answer", after: c.opts.RequestTimeout})
	})
	defer overall.Stop()
	req, err := http.NewRequestWithContext(rctx, r.method, r.url, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if req.Header.Get("Accept-Language") == "" {
		req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	}
	if v := c.consent.get(); v != "" && c.sameHost(req.URL) {
		req.AddCookie(&http.Cookie{Name: "CONSENT", Value: v})
	}
	firstByte := time.AfterFunc(c.opts.FirstByteTimeout, func() {
		cancel(&stallError{phase: "answer", after: c.opts.FirstByteTimeout})
	})
	resp, err := c.hc.Do(req)
	firstByte.Stop()
	if err != nil {
		return nil, stallCause(rctx, err)
	}
	defer resp.Body.Close()
	idle := time.AfterFunc(c.opts.IdleTimeout, func() {
		cancel(&stallError{phase: "data", after: c.opts.IdleTimeout})
	})
	defer idle.Stop()
	var buf bytes.Buffer
	chunk := make([]byte, 32<<10)
	lr := io.LimitReader(resp.Body, maxBody)
	for {
		n, rerr := lr.Read(chunk)
		buf.Write(chunk[:n])
		if n > 0 {
			idle.Reset(c.opts.IdleTimeout)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, stallCause(rctx, rerr)
		}
	}
	c.stats.add(buf.Len())
	return &response{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}, nil
}

// stallCause returns the *stallError that aborted rctx, if one did, else err.
func stallCause(rctx context.Context, err error) error {
	var st *stallError
	if errors.As(context.Cause(rctx), &st) {
		return st
	}
	return err
}

// trafficStats counts the answers and bytes a Client received.
type trafficStats struct {
	mu       sync.Mutex
	requests int
	bytes    int64
}

func (s *trafficStats) add(n int) {
	s.mu.Lock()
	s.requests++
	s.bytes += int64(n)
	s.mu.Unlock()
}

// Traffic returns how many answers this Client has read from YouTube and
// their body bytes in total, since New. Safe for concurrent use.
func (c *Client) Traffic() (requests int, bytes int64) {
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	return c.stats.requests, c.stats.bytes
}

func (c *Client) sameHost(u *url.URL) bool {
	return strings.EqualFold(u.Host, c.base.Host)
}

func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) release() { <-c.sem }

// transient reports whether a transport error may go away on retry
// (a reset or timeout), as opposed to "no network" (DNS failure,
// connection refused, unreachable network).
func transient(err error) bool {
	if err == nil {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return false
}

// retryAfter reads a Retry-After header in seconds (dates are ignored).
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// statusError turns a non-2xx answer (after retries) into a *ytsum.Error.
func statusError(resp *response, url string) error {
	cause := &httpError{resp.status, url}
	switch {
	case resp.status == http.StatusTooManyRequests:
		return errRateLimited(retryAfter(resp.header), cause)
	case resp.status == http.StatusBadRequest && bytes.Contains(resp.body, []byte("FAILED_PRECONDITION")):
		return errClientOutdated(cause)
	}
	return errYouTubeStatus(resp.status, cause)
}
