package httpapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Ensure the Host allow-list refuses rebound names on every kind of route.
func TestHostCheck(t *testing.T) {
	cases := []struct {
		host string
		ok   bool
	}{
		{"localhost", true}, {"LOCALHOST", true}, {"localhost.", true}, {"localhost:5001", true},
		{"127.0.0.1", true}, {"127.23.45.56:8080", true}, {"[::1]:8080", true}, {"[::1]", true},
		{"www.localhost", true}, {"myhost.example:5001", true}, // configured
		{"evil.example", false}, {"evil.example:5001", false}, {"localhost.evil.example", false},
		{"localhost.com", false}, {"192.0.2.10", false}, {"0.0.0.0", false}, {"[::]:8080", false},
		{":8080", false}, {"", false}, {"127.0.0.1.nip.io", false},
	}
	e := newEnv(t, func(c *Config) { c.AllowedHosts = []string{"MyHost.example"} })
	for _, c := range cases {
		for _, target := range []string{"/api_status", "/", "/jobs/job1/stream"} {
			w := e.do("GET", target, "", "Host", c.host)
			if got := w.Code != 403; got != c.ok {
				t.Errorf("Host %q %s: status %d, want allowed=%v", c.host, target, w.Code, c.ok)
			}
		}
	}
	// POST with a rebound Host and a matching Origin (the rebinding attack
	// shape) is refused too.
	w := e.do("POST", "/summarize", `{"urls":["a"]}`, "Host", "evil.example:5001", "Origin", "http://evil.example:5001",
		"Sec-Fetch-Site", "same-origin")
	if w.Code != 403 {
		t.Fatalf("rebinding POST: status %d", w.Code)
	}
}

// Ensure foreign origins cannot change state, and same-origin ones can.
func TestOriginCheck(t *testing.T) {
	cases := []struct {
		origin, site string
		ok           bool
	}{
		{"", "", true},
		{"http://127.0.0.1:5001", "same-origin", true},
		{"https://127.0.0.1:5001", "", true},
		{"wails://wails", "", true}, // configured
		{"http://evil.example", "cross-site", false},
		{"http://127.0.0.1:5002", "", false},
		{"http://127.0.0.1:5001.evil.com", "", false},
		{"http://localhost:5001", "", false}, // not the Host the request names
		{"null", "", false},
		{"", "cross-site", false},
		{"file://", "", false},
	}
	e := newEnv(t, func(c *Config) { c.AllowedOrigins = []string{"wails://wails"} })
	for _, c := range cases {
		hdr := []string{"Origin", c.origin, "Sec-Fetch-Site", c.site}
		w := e.do("POST", "/summarize_async", `{"urls":["a"]}`, hdr...)
		if got := w.Code != 403; got != c.ok {
			t.Errorf("Origin %q site %q: status %d, want allowed=%v", c.origin, c.site, w.Code, c.ok)
		}
	}
	// A GET from anywhere is answered, but never with a CORS grant.
	w := e.do("GET", "/api_status", "", "Origin", "http://evil.example")
	if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("GET with foreign origin: %d %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
}

// Ensure bodies must be JSON and at most 1 MiB.
func TestBodyLimits(t *testing.T) {
	e := newEnv(t, nil)
	r := func(ct, body string) int {
		w := e.do("POST", "/summarize_async", body, "Content-Type", ct)
		return w.Code
	}
	if got := r("application/x-www-form-urlencoded", "urls=a"); got != 415 {
		t.Errorf("form post: %d", got)
	}
	if got := r("text/plain", `{"urls":["a"]}`); got != 415 {
		t.Errorf("text/plain: %d", got)
	}
	if got := r("application/json; charset=utf-8", `{"urls":["a"]}`); got != 202 {
		t.Errorf("json with charset: %d", got)
	}
	big := `{"urls":["` + strings.Repeat("a", 1<<20) + `"]}`
	if got := r("application/json", big); got != 413 {
		t.Errorf("over 1 MiB: %d", got)
	}
	// Chunked (no Content-Length) bodies are capped while reading.
	req, _ := http.NewRequest("POST", "http://127.0.0.1:5001/summarize_async", strings.NewReader(big))
	req.ContentLength = -1
	req.TransferEncoding = []string{"chunked"}
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "127.0.0.1:1"
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	if w.Code != 413 {
		t.Errorf("chunked over 1 MiB: %d %s", w.Code, w.Body)
	}
	malformed := []string{`null`, `[]`, `"x"`, `{"urls":["a"]} {}`, `{"urls":5}`, `{"urls":[1]}`, "{\"urls\":\"\xff\xfe\"", `{"urls":["a"],"urls":["b"],"x":1}`}
	for _, m := range malformed {
		if got := r("application/json", m); got != 400 {
			t.Errorf("body %q: %d, want 400", m, got)
		}
	}
}

// Ensure login works as the original app's: wrong passcodes count down,
// the address is locked after MAX_LOGIN_ATTEMPTS, the session cookie is
// HttpOnly and SameSite=Strict, and X-Forwarded-For changes nothing.
func TestLoginLockout(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, func(c *Config) {
		c.LoginEnabled = func() bool { return true }
		c.Passcode = func(context.Context) string { return "open sesame" }
		c.MaxAttempts = func() int { return 3 }
		c.Lockout = func() time.Duration { return 15 * time.Minute }
		c.Now = clock
	})
	login := func(pass string, hdr ...string) (int, string, *http.Cookie) {
		w := e.do("POST", "/login", `{"passcode":"`+pass+`"}`, hdr...)
		var c *http.Cookie
		for _, ck := range w.Result().Cookies() {
			if ck.Name == sessionCookie {
				c = ck
			}
		}
		return w.Code, w.Body.String(), c
	}
	if code, body, _ := login("wrong"); code != 401 || !strings.Contains(body, `"remaining_attempts":2`) {
		t.Fatalf("first failure: %d %s", code, body)
	}
	if code, body, _ := login("wrong", "X-Forwarded-For", "10.9.9.9"); code != 401 || !strings.Contains(body, `"remaining_attempts":1`) {
		t.Fatalf("second failure (X-Forwarded-For ignored): %d %s", code, body)
	}
	if code, body, _ := login("wrong"); code != 429 || !strings.Contains(body, `"locked_until_minutes":15`) {
		t.Fatalf("third failure: %d %s", code, body)
	}
	if code, body, _ := login("open sesame"); code != 429 {
		t.Fatalf("right passcode while locked: %d %s", code, body)
	}
	// Another address is not locked.
	if code, _, c := login("open sesame", "RemoteAddr", "127.0.0.2:1234"); code != 200 || c == nil {
		t.Fatalf("other address: %d", code)
	}
	mu.Lock()
	now = now.Add(16 * time.Minute)
	mu.Unlock()
	code, body, cookie := login("open sesame")
	if code != 200 || !strings.Contains(body, `"success":true`) || cookie == nil {
		t.Fatalf("after lockout: %d %s", code, body)
	}
	if !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || len(cookie.Value) < 40 {
		t.Fatalf("cookie %+v", cookie)
	}
	ck := sessionCookie + "=" + cookie.Value
	if w := e.do("GET", "/api_status", "", "Cookie", ck); w.Code != 200 {
		t.Fatalf("with cookie: %d", w.Code)
	}
	if w := e.do("GET", "/login_status", "", "Cookie", ck); !strings.Contains(w.Body.String(), `"authenticated":true`) {
		t.Fatalf("login_status: %s", w.Body)
	}
	if w := e.do("GET", "/api_status", "", "Cookie", sessionCookie+"=forged"); w.Code != 401 {
		t.Fatalf("forged cookie: %d", w.Code)
	}
	if w := e.do("POST", "/logout", "", "Cookie", ck); w.Code != 200 {
		t.Fatalf("logout: %d", w.Code)
	}
	if w := e.do("GET", "/api_status", "", "Cookie", ck); w.Code != 401 {
		t.Fatalf("cookie after logout: %d", w.Code)
	}
	// Sessions expire.
	_, _, cookie = login("open sesame")
	mu.Lock()
	now = now.Add(8 * 24 * time.Hour)
	mu.Unlock()
	if w := e.do("GET", "/api_status", "", "Cookie", sessionCookie+"="+cookie.Value); w.Code != 401 {
		t.Fatalf("expired session: %d", w.Code)
	}
	if w := e.do("POST", "/login", `{}`); w.Code != 400 || !strings.Contains(w.Body.String(), "Passcode is required") {
		t.Fatalf("no passcode: %d %s", w.Code, w.Body)
	}
}

// Ensure the bearer token is checked exactly and only from the header.
func TestBearerToken(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.LoginEnabled = func() bool { return true } })
	tok := e.settings.apiToken(context.Background())
	cases := []struct {
		name   string
		target string
		hdr    []string
		status int
	}{
		{"missing", "/api_status", nil, 401},
		{"right", "/api_status", []string{"Authorization", "Bearer " + tok}, 200},
		{"lower-case scheme", "/api_status", []string{"Authorization", "bearer " + tok}, 200},
		{"wrong", "/api_status", []string{"Authorization", "Bearer nope"}, 401},
		{"same length wrong", "/api_status", []string{"Authorization", "Bearer " + strings.Repeat("x", len(tok))}, 401},
		{"prefix", "/api_status", []string{"Authorization", "Bearer " + tok[:len(tok)-1]}, 401},
		{"basic", "/api_status", []string{"Authorization", "Basic " + tok}, 401},
		{"query string", "/api_status?token=" + tok, nil, 401},
		{"ui is public", "/", nil, 404}, // no UI configured: 404, not 401
		{"login_status public", "/login_status", nil, 200},
	}
	for _, c := range cases {
		if w := e.do("GET", c.target, "", c.hdr...); w.Code != c.status {
			t.Errorf("%s: %d, want %d", c.name, w.Code, c.status)
		}
	}
	// An empty configured token never matches.
	e2 := newEnv(t, func(c *Config) {
		c.LoginEnabled = func() bool { return true }
		c.APIToken = func(context.Context) string { return "" }
	})
	if w := e2.do("GET", "/api_status", "", "Authorization", "Bearer "); w.Code != 401 {
		t.Errorf("empty token: %d", w.Code)
	}
}

// Ensure no passcode or token reaches the log or a non-reveal answer.
func TestNoSecretsInLogsOrAnswers(t *testing.T) {
	const pass = "PASSCODE-d0-not-leak"
	e := newEnv(t, func(c *Config) {
		c.LoginEnabled = func() bool { return true }
		c.Passcode = func(context.Context) string { return pass }
		c.MaxAttempts = func() int { return 2 }
	})
	tok := e.settings.apiToken(context.Background())
	var answers strings.Builder
	for _, p := range []string{pass + "x", pass + "y", pass} {
		answers.WriteString(e.do("POST", "/login", `{"passcode":"`+p+`"}`, "RemoteAddr", "127.0.0.9:1").Body.String())
	}
	answers.WriteString(e.do("POST", "/login", `{"passcode":"`+pass+`"}`).Body.String())
	for _, target := range []string{"/api_status", "/settings", "/system_health", "/performance_metrics", "/login_status"} {
		answers.WriteString(e.do("GET", target, "", "Authorization", "Bearer "+tok).Body.String())
		answers.WriteString(e.do("GET", target, "", "Authorization", "Bearer "+tok+"x").Body.String())
	}
	e.do("POST", "/settings/api_token/reveal", "", "Authorization", "Bearer "+tok)
	logs := e.logs.String()
	if !strings.Contains(logs, "login failed") {
		t.Fatalf("expected security events in the log, got %q", logs)
	}
	for _, secret := range []string{pass, tok} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds a secret: %s", logs)
		}
		if strings.Contains(answers.String(), secret) {
			t.Errorf("an answer holds a secret: %s", answers.String())
		}
	}
}

// Ensure the server refuses to listen beyond loopback without login.
func TestCheckBindAddress(t *testing.T) {
	cases := []struct {
		addr  string
		login bool
		ok    bool
	}{
		{"127.0.0.1:0", false, true}, {"localhost:5001", false, true}, {"[::1]:0", false, true},
		{"0.0.0.0:5001", false, false}, {":5001", false, false}, {"192.168.1.5:5001", false, false},
		{"[::]:0", false, false}, {"example.com:80", false, false},
		{"0.0.0.0:5001", true, true}, {"nonsense", true, false},
	}
	for _, c := range cases {
		err := CheckBindAddress(c.addr, c.login)
		if (err == nil) != c.ok {
			t.Errorf("%s login=%v: %v", c.addr, c.login, err)
		}
	}
	if _, err := Listen("0.0.0.0:0", false); err == nil || !strings.Contains(err.Error(), "enable login") {
		t.Fatalf("Listen 0.0.0.0 without login: %v", err)
	}
	// Serve refuses a listener that is already open beyond loopback.
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip("cannot listen on 0.0.0.0:", err)
	}
	s := New(Config{}, Services{})
	if err := s.Serve(context.Background(), ln); err == nil {
		t.Fatal("Serve on 0.0.0.0 without login succeeded")
	}
}

// Ensure a real server on 127.0.0.1:0 checks the Host, and Serve drains and
// returns nil when its context ends.
func TestServeHostCheckAndShutdown(t *testing.T) {
	e := newEnv(t, nil)
	ln, err := Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()
	for _, c := range []struct {
		host   string
		status int
	}{{"", 200}, {"localhost", 200}, {"example.com", 403}, {"localhost.evil.example:80", 403}} {
		req, _ := http.NewRequest("GET", url+"/api_status", nil)
		if c.host != "" {
			req.Host = c.host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("Host %q: %d, want %d", c.host, resp.StatusCode, c.status)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := http.Get(url + "/api_status"); err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("server still answers after shutdown: %v", err)
	}
}

// lanListener is a loopback listener that reports a LAN address, standing in
// for a server bound beyond loopback.
type lanListener struct{ net.Listener }

func (lanListener) Addr() net.Addr { return &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 5001} }

// Ensure that a server serving beyond loopback keeps requiring login even
// when the login setting is switched off while it runs.
func TestPublicServerKeepsLogin(t *testing.T) {
	var login atomic.Bool
	login.Store(true)
	e := newEnv(t, func(c *Config) {
		c.LoginEnabled = login.Load
		c.Passcode = func(context.Context) string { return "open sesame" }
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, lanListener{ln}) }()
	defer func() { cancel(); <-done }()
	get := func() int {
		resp, err := http.Get(url + "/jobs")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code != http.StatusUnauthorized {
		t.Fatalf("with login on: %d, want 401", code)
	}
	login.Store(false) // the setting is switched off at run time
	if code := get(); code != http.StatusUnauthorized {
		t.Fatalf("login switched off while serving beyond loopback: %d, want 401", code)
	}
}

// Ensure /import, which reads a path on the server's disk, answers only
// clients on this machine.
func TestImportOnlyFromThisMachine(t *testing.T) {
	e := newEnv(t, nil)
	r := httptest.NewRequest("POST", "/import", strings.NewReader(`{"path":"/etc/shadow"}`))
	r.Host = "127.0.0.1:5001"
	r.RemoteAddr = "192.0.2.7:40000"
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Fatalf("remote /import: %d %s, want 403", w.Code, w.Body)
	}
	if got := e.do("POST", "/import", `{"path":"/tmp/summary_cache.json"}`); got.Code != http.StatusOK {
		t.Fatalf("local /import: %d %s", got.Code, got.Body)
	}
}
