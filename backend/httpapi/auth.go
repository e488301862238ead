package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"ytsum/backend/ytsum"
)

// sessionCookie is the name of the login session cookie.
const sessionCookie = "ytsum_session"

// maxSessions caps the session table; the oldest session goes first.
const maxSessions = 1000

// authState holds login sessions and failed-attempt counters, in memory.
type authState struct {
	cfg *Config

	mu       sync.Mutex
	sessions map[string]time.Time // session id hash → expiry
	attempts map[string]*attempt  // client address → failures
}

type attempt struct {
	failures    int
	lockedUntil time.Time
	last        time.Time
}

func newAuthState(cfg *Config) *authState {
	return &authState{cfg: cfg, sessions: map[string]time.Time{}, attempts: map[string]*attempt{}}
}

// sessionKey hashes a session id so the table never holds the cookie value.
func sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return string(sum[:])
}

func (a *authState) newSession() (id string, ttl time.Duration) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("httpapi: crypto/rand failed: " + err.Error())
	}
	id = base64.RawURLEncoding.EncodeToString(b[:])
	ttl = orDuration(a.cfg.SessionTTL, 7*24*time.Hour)
	now := a.cfg.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.sessions) >= maxSessions {
		var oldest string
		var oldestExp time.Time
		for k, exp := range a.sessions {
			if !exp.After(now) {
				delete(a.sessions, k)
				continue
			}
			if oldest == "" || exp.Before(oldestExp) {
				oldest, oldestExp = k, exp
			}
		}
		if len(a.sessions) >= maxSessions {
			delete(a.sessions, oldest)
		}
	}
	a.sessions[sessionKey(id)] = now.Add(ttl)
	return id, ttl
}

func (a *authState) validSession(id string) bool {
	if id == "" {
		return false
	}
	k := sessionKey(id)
	a.mu.Lock()
	defer a.mu.Unlock()
	exp, ok := a.sessions[k]
	if !ok {
		return false
	}
	if !exp.After(a.cfg.now()) {
		delete(a.sessions, k)
		return false
	}
	return true
}

func (a *authState) endSession(id string) {
	a.mu.Lock()
	delete(a.sessions, sessionKey(id))
	a.mu.Unlock()
}

// lockedFor returns how long addr stays locked out (zero: not locked).
func (a *authState) lockedFor(addr string) time.Duration {
	now := a.cfg.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	at := a.attempts[addr]
	if at == nil || !at.lockedUntil.After(now) {
		return 0
	}
	return at.lockedUntil.Sub(now)
}

// fail records a failed login of addr; it returns the attempts left and,
// when this failure locks the address, the lockout length.
func (a *authState) fail(addr string) (remaining int, locked time.Duration) {
	now := a.cfg.now()
	max := a.cfg.maxAttempts()
	lock := a.cfg.lockout()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sweepLocked(now, lock)
	at := a.attempts[addr]
	if at == nil {
		at = &attempt{}
		a.attempts[addr] = at
	}
	if !at.lockedUntil.IsZero() && !at.lockedUntil.After(now) {
		at.failures, at.lockedUntil = 0, time.Time{} // a served lockout starts afresh
	}
	at.failures++
	at.last = now
	if at.failures >= max {
		at.lockedUntil = now.Add(lock)
		return 0, lock
	}
	return max - at.failures, 0
}

func (a *authState) succeed(addr string) {
	a.mu.Lock()
	delete(a.attempts, addr)
	a.mu.Unlock()
}

// sweepLocked forgets stale counters; a.mu is held.
func (a *authState) sweepLocked(now time.Time, lock time.Duration) {
	if len(a.attempts) < 1024 {
		return
	}
	for k, at := range a.attempts {
		if now.Sub(at.last) > lock && !at.lockedUntil.After(now) {
			delete(a.attempts, k)
		}
	}
}

// clientAddr is the connection's address, never a forwarded header.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// equalSecret compares in constant time (for equal lengths; the length of
// the secret itself is not hidden by subtle, so hash both first).
func equalSecret(given, want string) bool {
	if want == "" {
		return false
	}
	g := sha256.Sum256([]byte(given))
	w := sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// authenticated reports whether r carries a live session cookie or the
// API token.
func (s *Server) authenticated(r *http.Request) bool {
	if c, err := r.Cookie(sessionCookie); err == nil && s.auth.validSession(c.Value) {
		return true
	}
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return equalSecret(strings.TrimSpace(h[7:]), s.cfg.apiToken(r.Context()))
	}
	return false
}

// requireAuth answers 401 when login is enabled and r is not authenticated.
func (s *Server) requireAuth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.loginRequired() && !s.authenticated(r) {
			writeStatusError(w, http.StatusUnauthorized, ytsum.CodeUnauthorized,
				"Log in first: this server needs the passcode or the API token.")
			return
		}
		h(w, r)
	}
}

// hostAllowed is the DNS-rebinding guard: the Host must be a loopback name
// or address, a configured host, or the IP address the client connected to.
func (s *Server) hostAllowed(r *http.Request) bool {
	host := hostOnly(r.Host)
	if host == "" {
		return false
	}
	if isLoopbackHost(host) {
		return true
	}
	for _, h := range s.cfg.AllowedHosts {
		if strings.EqualFold(strings.TrimSuffix(h, "."), host) {
			return true
		}
	}
	// An IP literal equal to the listener's own address is not a rebound
	// name (rebinding needs a DNS name); allow it for LAN use with login.
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			if lh, _, err := net.SplitHostPort(la.String()); err == nil {
				if lip, err := netip.ParseAddr(lh); err == nil && !lip.IsUnspecified() && lip.Unmap() == ip.Unmap() {
					return true
				}
			}
		}
	}
	return false
}

// hostOnly strips the port and a trailing dot, and lower-cases.
func hostOnly(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	} else if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// originAllowed reports whether a state-changing request comes from our own
// origin (or a configured one). Requests without Origin (scripts, curl) are
// allowed unless the browser says they are cross-site.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		site := r.Header.Get("Sec-Fetch-Site")
		return site == "" || site == "same-origin" || site == "none"
	}
	for _, o := range s.cfg.AllowedOrigins {
		if origin == o {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// loginBody is the body of POST /login.
type loginBody struct {
	Passcode *string `json:"passcode"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !s.loginRequired() {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Login system is disabled", "code": ytsum.CodeNotFound})
		return
	}
	addr := clientAddr(r)
	if d := s.auth.lockedFor(addr); d > 0 {
		s.writeLocked(w, d)
		return
	}
	var body loginBody
	if err := decodeJSON(r, &body, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if body.Passcode == nil || *body.Passcode == "" {
		s.writeError(w, r, invalid("passcode", "Passcode is required"))
		return
	}
	if !equalSecret(*body.Passcode, s.cfg.passcode(r.Context())) {
		remaining, locked := s.auth.fail(addr)
		s.log.Warn("login failed", "remote", addr, "remaining_attempts", remaining)
		if locked > 0 {
			s.writeLocked(w, locked)
			return
		}
		writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false, "error": "Invalid passcode",
			"code": ytsum.CodeUnauthorized, "remaining_attempts": remaining})
		return
	}
	s.auth.succeed(addr)
	id, ttl := s.auth.newSession()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", MaxAge: int(ttl / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	s.log.Info("login succeeded", "remote", addr)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Successfully logged in"})
}

func (s *Server) writeLocked(w http.ResponseWriter, d time.Duration) {
	minutes := int(math.Ceil(d.Minutes()))
	w.Header().Set("Retry-After", itoa(int(math.Ceil(d.Seconds()))))
	writeJSON(w, ytsum.CodeRateLimited.HTTPStatus(), map[string]any{"success": false,
		"error": "Too many failed attempts. Try again in " + itoa(minutes) + " minutes.",
		"code":  ytsum.CodeRateLimited, "locked_until_minutes": minutes})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if !s.loginRequired() {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Login system is disabled", "code": ytsum.CodeNotFound})
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.auth.endSession(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Successfully logged out"})
}

func (s *Server) handleLoginStatus(w http.ResponseWriter, r *http.Request) {
	if !s.loginRequired() {
		writeJSON(w, http.StatusOK, map[string]any{"login_enabled": false, "authenticated": true,
			"message": "Login system is disabled"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"login_enabled": true, "authenticated": s.authenticated(r)})
}
