package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"ytsum/backend/ytsum"
)

// Server is the localhost HTTP API. Create it with New; it is safe for
// concurrent use. Handler serves requests; Serve runs it on a listener.
type Server struct {
	cfg     Config
	svc     Services
	log     *slog.Logger
	api     *http.ServeMux
	ui      http.Handler
	metrics *metrics
	auth    *authState

	done     chan struct{} // closed when Serve begins shutting down
	doneOnce sync.Once
	streams  sync.WaitGroup
	// public is set while serving on a non-loopback address: login is then
	// required whatever the setting says later, so switching it off at run
	// time cannot open the API to the network.
	public atomic.Bool
}

// Thumbnails serves GET /thumbnails/{video_id} alone, without the API's
// authentication: the desktop window's asset server hands it the pictures
// its <img> elements ask for (nothing else of the API is reachable there).
func (s *Server) Thumbnails() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /thumbnails/{video_id}", s.handleThumbnail)
	mux.HandleFunc("GET /thumbnails/subscriptions/{id}", s.handleSubscriptionPicture)
	return mux
}

// loginRequired reports whether requests must be authenticated.
func (s *Server) loginRequired() bool { return s.cfg.loginEnabled() || s.public.Load() }

// New returns a Server for cfg and svc. It does not listen.
func New(cfg Config, svc Services) *Server {
	s := &Server{cfg: cfg, svc: svc, log: cfg.Logger, done: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.cfg.MaxBodyBytes <= 0 {
		s.cfg.MaxBodyBytes = 1 << 20
	}
	s.metrics = newMetrics(s.cfg.now)
	s.auth = newAuthState(&s.cfg)
	s.ui = uiHandler(cfg)
	s.api = http.NewServeMux()
	s.routes()
	return s
}

// route is one API route: its pattern and whether it is open without login.
type route struct {
	pattern string
	public  bool
	h       http.HandlerFunc
}

func (s *Server) routeTable() []route {
	return []route{
		{"POST /summarize", false, s.handleSummarize},
		{"POST /summarize_async", false, s.handleSummarizeAsync},
		{"GET /jobs", false, s.handleListJobs},
		{"GET /jobs/{id}", false, s.handleGetJob},
		{"GET /jobs/{id}/stream", false, s.handleStream},
		{"POST /jobs/{id}/cancel", false, s.handleCancelJob},
		{"GET /api_status", false, s.handleAPIStatus},
		{"GET /get_cached_summaries", false, s.handleCachedSummaries},
		{"GET /search_summaries", false, s.handleSearch},
		{"GET /library/status", false, s.handleLibraryStatus},
		{"DELETE /delete_summary", false, s.handleDeleteSummary},
		{"GET /thumbnails/{video_id}", false, s.handleThumbnail},
		{"GET /thumbnails/subscriptions/{id}", false, s.handleSubscriptionPicture},
		{"GET /export/{video_id}", false, s.handleExportSummary},
		{"GET /export", false, s.handleExportLibrary},
		{"POST /import", false, s.handleImport},
		{"POST /speak", false, s.handleSpeak},
		{"POST /preview-voice", false, s.handlePreviewVoice},
		{"GET /api/voices", false, s.handleVoices},
		{"GET /api/cache/status", false, s.handleCacheStatus},
		{"POST /api/cache/cleanup", false, s.handleCacheCleanup},
		{"POST /login", true, s.handleLogin},
		{"POST /logout", false, s.handleLogout},
		{"GET /login_status", true, s.handleLoginStatus},
		{"GET /performance_metrics", false, s.handlePerformanceMetrics},
		{"GET /system_health", false, s.handleSystemHealth},
		{"GET /settings", false, s.handleGetSettings},
		{"POST /settings", false, s.handleSaveSettings},
		{"POST /settings/api_token/reveal", false, s.handleRevealToken},
		{"POST /settings/api_token/rotate", false, s.handleRotateToken},
		{"GET /admin/backups", false, s.handleListBackups},
		{"POST /admin/backups", false, s.handleCreateBackup},
		{"POST /ask", false, s.handleAsk},
		{"GET /conversations", false, s.handleConversations},
		{"DELETE /conversations/{id}", false, s.handleDeleteConversation},
		{"POST /diagnose", false, s.handleDiagnose},
		// Subscriptions (subscriptions.go)
		{"GET /subscriptions", false, s.handleListSubscriptions},
		{"POST /subscriptions", false, s.handleFollow},
		{"PATCH /subscriptions/{id}", false, s.handleUpdateSubscription},
		{"DELETE /subscriptions/{id}", false, s.handleUnfollow},
		{"POST /subscriptions/{id}/check", false, s.handleCheckSubscription},
		{"POST /library/{video_id}/opened", false, s.handleMarkOpened},
	}
}

func (s *Server) routes() {
	for _, rt := range s.routeTable() {
		h := rt.h
		if !rt.public {
			h = s.requireAuth(h)
		}
		s.api.HandleFunc(rt.pattern, h)
	}
}

// Handler returns the HTTP handler of every route, with the host, origin,
// body and authentication checks in front.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")

	// 1. Host allow-list against DNS rebinding: every route.
	if !s.hostAllowed(r) {
		s.log.Warn("request refused: host not allowed", "host", r.Host, "remote", r.RemoteAddr)
		writeStatusError(w, http.StatusForbidden, ytsum.CodeUnauthorized,
			"This server only answers requests addressed to localhost.")
		return
	}
	// 2. Foreign origins may not change anything.
	if !safeMethod(r.Method) && !s.originAllowed(r) {
		s.log.Warn("request refused: foreign origin", "origin", r.Header.Get("Origin"), "path", r.URL.Path)
		writeStatusError(w, http.StatusForbidden, ytsum.CodeUnauthorized,
			"Requests from other web sites are not allowed.")
		return
	}
	// 3. Bodies: JSON only, capped.
	if r.Body != nil && r.Body != http.NoBody && bodyPresent(r) {
		if r.ContentLength > s.cfg.MaxBodyBytes {
			writeStatusError(w, http.StatusRequestEntityTooLarge, ytsum.CodeInvalid,
				fmt.Sprintf("The request body is larger than %d KiB; send less data.", s.cfg.MaxBodyBytes>>10))
			return
		}
		if !isJSON(r.Header.Get("Content-Type")) {
			writeStatusError(w, http.StatusUnsupportedMediaType, ytsum.CodeInvalid,
				"Send the request body as JSON with Content-Type: application/json.")
			return
		}
		// The body must arrive within 30 s; the deadline is lifted once it is
		// read, so that long handlers (and their request context) live on.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(30 * time.Second))
		r.Body = &deadlineBody{ReadCloser: http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes), rc: rc}
	}

	if _, pattern := s.api.Handler(r); pattern != "" {
		s.withWriteDeadline(w, s.cfg.WriteTimeout)
		s.api.ServeHTTP(w, r)
		return
	}
	// Not an API route: find out whether the path exists with another method.
	probe := &statusProbe{header: http.Header{}}
	s.api.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		if allow := probe.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		writeStatusError(w, http.StatusMethodNotAllowed, ytsum.CodeInvalid,
			fmt.Sprintf("%s is not allowed on %s.", r.Method, r.URL.Path))
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.ui.ServeHTTP(w, r) // the web UI and its assets are public
		return
	}
	notFound(w, r)
}

// deadlineBody lifts the connection's read deadline when the body has been
// read to its end (or failed).
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeStatusError(w, http.StatusNotFound, ytsum.CodeNotFound, "There is no "+r.URL.Path+" here.")
}

// statusProbe records what the mux would answer without writing anything.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = 200
	}
	return len(b), nil
}
func (p *statusProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func bodyPresent(r *http.Request) bool {
	return r.ContentLength > 0 || (r.ContentLength < 0 && len(r.TransferEncoding) > 0) ||
		(r.ContentLength < 0 && r.Header.Get("Content-Type") != "")
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// withWriteDeadline bounds writing the answer; ignored where unsupported.
func (s *Server) withWriteDeadline(w http.ResponseWriter, d time.Duration) {
	d = orDuration(d, 60*time.Second)
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
}

// Serve answers requests on ln until ctx is cancelled, then stops accepting,
// ends open SSE streams, waits up to 10 s for requests in flight and
// returns nil. It refuses (with an error, before serving) a listener on a
// non-loopback address unless login is enabled. The listener is closed on
// return.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := CheckBindAddress(ln.Addr().String(), s.cfg.loginEnabled()); err != nil {
		ln.Close()
		return err
	}
	if host, _, err := net.SplitHostPort(ln.Addr().String()); err == nil && !isLoopbackHost(host) {
		s.public.Store(true)
	}
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		// No ReadTimeout: it would cancel the request context of SSE streams
		// and long synchronous summaries; bodies get a deadline of their own.
		IdleTimeout: 120 * time.Second,
		ErrorLog:    slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		s.shutdown()
		return fmt.Errorf("httpapi: serve: %w", err)
	case <-ctx.Done():
	}
	s.shutdown()
	// The drain outlives ctx (which just ended): its values, a fresh deadline.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	s.streams.Wait()
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("httpapi: serve: %w", serr)
	}
	if err != nil {
		srv.Close()
		return fmt.Errorf("httpapi: shutdown: %w", err)
	}
	return nil
}

// shutdown ends every open SSE stream.
func (s *Server) shutdown() { s.doneOnce.Do(func() { close(s.done) }) }

// Listen opens a TCP listener on addr, refusing a non-loopback address
// unless loginEnabled (see CheckBindAddress).
func Listen(addr string, loginEnabled bool) (net.Listener, error) {
	if err := CheckBindAddress(addr, loginEnabled); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		msg := fmt.Sprintf("The HTTP API cannot listen on %s; choose another address with --addr (or in Settings).", addr)
		if errors.Is(err, syscall.EADDRINUSE) {
			msg = fmt.Sprintf("The address %s is already in use (is another ytsum running?); stop the other program or choose another address with --addr.", addr)
		}
		return nil, ytsum.Wrap(err, ytsum.CodeUnavailable, "listen", msg)
	}
	return ln, nil
}

// CheckBindAddress returns an error when addr ("host:port") is not a
// loopback address (127.0.0.0/8, ::1 or "localhost") and login is not
// enabled: the API would be open to the network without a passcode.
func CheckBindAddress(addr string, loginEnabled bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return ytsum.Wrap(err, ytsum.CodeInvalid, "bad_address",
			fmt.Sprintf("The address %q is not host:port, for example 127.0.0.1:5001.", addr))
	}
	if loginEnabled || isLoopbackHost(host) {
		return nil
	}
	return ytsum.Errorf(ytsum.CodeInvalid, "public_without_login",
		"Refusing to listen on %s: other machines could reach it without a passcode; "+
			"listen on 127.0.0.1, or enable login (LOGIN_ENABLED=true with LOGIN_CODE) first.", addr)
}

// isLoopbackHost reports whether host (no port) names this machine only:
// localhost, *.localhost or a loopback IP literal.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i]
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
