package httpapi

import (
	"context"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"ytsum/backend/jobs"

	"ytsum/backend/ytsum"
)

// Ensure every route answers the documented status and shape.
func TestContract(t *testing.T) {
	type tc struct {
		name, method, target, body string
		hdr                        []string
		status                     int
		keys                       []string // top-level keys the JSON object must have
		contains                   string   // substring of the body
		setup                      func(e *env)
	}
	running := func(e *env) {
		e.jobs.Submit(t.Context(), jobs.Request{URLs: []string{"a"}})
	}
	finished := func(e *env) {
		running(e)
		e.jobs.update("job1", func(j *ytsum.Job) error { j.Status = ytsum.JobCompleted; return nil })
	}
	cases := []tc{
		{name: "summarize sync", method: "POST", target: "/summarize", body: `{"urls":["https://youtu.be/dQw4w9WgXcQ"]}`,
			status: 200, keys: []string{"mode", "results"}, contains: `"mode":"sync"`},
		{name: "summarize async many", method: "POST", target: "/summarize", body: `{"urls":"https://youtu.be/a\nhttps://youtu.be/b"}`,
			status: 202, keys: []string{"mode", "job_id", "status", "message", "stream_url", "status_url", "estimated_time"}, contains: `"mode":"async"`},
		{name: "summarize playlist async", method: "POST", target: "/summarize", body: `{"urls":["https://www.youtube.com/playlist?list=PL1"]}`,
			status: 202, contains: `"status":"accepted"`},
		{name: "summarize force_sync", method: "POST", target: "/summarize", body: `{"urls":["a","b"],"force_sync":true}`,
			status: 200, contains: `"mode":"sync"`},
		{name: "summarize force_async", method: "POST", target: "/summarize", body: `{"urls":["a"],"force_async":true}`,
			status: 202, contains: `"stream_url":"/jobs/job1/stream"`},
		{name: "summarize no urls", method: "POST", target: "/summarize", body: `{"urls":[]}`, status: 400,
			keys: []string{"error", "code", "fields"}, contains: `"code":"invalid"`},
		{name: "summarize unknown model", method: "POST", target: "/summarize", body: `{"urls":["a"],"model":"gpt-9"}`,
			status: 400, contains: "Available models: gemini-2.5-flash"},
		{name: "summarize unknown field", method: "POST", target: "/summarize", body: `{"urls":["a"],"foo":1}`,
			status: 400, contains: `\"foo\" is not known`},
		{name: "summarize wrong type", method: "POST", target: "/summarize", body: `{"urls":["a"],"model":7}`,
			status: 400, contains: `must be a string`},
		{name: "summarize not json", method: "POST", target: "/summarize", body: `{"urls":`, status: 400},
		{name: "summarize busy", method: "POST", target: "/summarize_async", body: `{"urls":["a"]}`, status: 503,
			contains: `"code":"unavailable"`, setup: func(e *env) { e.jobs.SubmitErr = ytsum.ErrBusy }},
		{name: "summarize_async", method: "POST", target: "/summarize_async", body: `{"urls":"a b,c"}`, status: 202,
			keys: []string{"job_id", "status", "message", "stream_url", "status_url"}, contains: `"message":"Job submitted for processing"`},
		{name: "job get", method: "GET", target: "/jobs/job1", status: 200, keys: []string{"id", "status", "results", "metadata"}, setup: running},
		{name: "job get 404", method: "GET", target: "/jobs/nope", status: 404, contains: `"error":"Job not found"`},
		{name: "jobs list", method: "GET", target: "/jobs?status=pending&limit=5", status: 200, keys: []string{"jobs"}, contains: `"id":"job1"`, setup: running},
		{name: "jobs list bad status", method: "GET", target: "/jobs?status=weird", status: 400},
		{name: "jobs list bad limit", method: "GET", target: "/jobs?limit=x", status: 400},
		{name: "cancel", method: "POST", target: "/jobs/job1/cancel", status: 200, keys: []string{"message", "job"},
			contains: `"message":"Job cancelled"`, setup: running},
		{name: "cancel 404", method: "POST", target: "/jobs/nope/cancel", status: 404},
		{name: "cancel 409", method: "POST", target: "/jobs/job1/cancel", status: 409, contains: `"code":"conflict"`, setup: finished},
		{name: "stream 404", method: "GET", target: "/jobs/nope/stream", status: 404},
		{name: "api_status", method: "GET", target: "/api_status", status: 200, keys: []string{"async_processing_enabled", "sse_enabled",
			"available_models", "models", "google_api_key_set", "openai_api_key_set", "tts_available", "version"}, contains: `"available_models":["gemini-2.5-flash"]`},
		{name: "cached array", method: "GET", target: "/get_cached_summaries", status: 200, contains: `[{"type":"video"`},
		{name: "cached limit", method: "GET", target: "/get_cached_summaries?limit=2", status: 200, contains: `"vid00000001"`},
		{name: "cached paged", method: "GET", target: "/get_cached_summaries?page=3&per_page=10", status: 200,
			keys: []string{"summaries", "total", "page", "per_page", "total_pages"}, contains: `"total":25,"page":3,"per_page":10,"total_pages":3`},
		{name: "cached per_page clamp", method: "GET", target: "/get_cached_summaries?per_page=500&page=0", status: 200,
			contains: `"page":1,"per_page":100,"total_pages":1`},
		{name: "cached bad sort", method: "GET", target: "/get_cached_summaries?sort=random", status: 400},
		{name: "search", method: "GET", target: "/search_summaries?q=summary+3", status: 200, contains: `"snippet":"<mark>summary 3</mark>"`},
		{name: "search no q", method: "GET", target: "/search_summaries", status: 400,
			contains: "Query parameter 'q' is required and cannot be empty"},
		{name: "delete", method: "DELETE", target: "/delete_summary", body: `{"video_id":"vid00000001"}`, status: 200,
			contains: `"success":true`},
		{name: "delete 404", method: "DELETE", target: "/delete_summary", body: `{"video_id":"vidXXXXXXXX"}`, status: 404,
			contains: `"error":"Summary not found"`},
		{name: "delete 400", method: "DELETE", target: "/delete_summary", body: `{}`, status: 400, contains: "video_id is required"},
		{name: "thumbnail", method: "GET", target: "/thumbnails/vid00000000", status: 200, contains: "jpeg"},
		{name: "thumbnail not cached: placeholder", method: "GET", target: "/thumbnails/vid00000009", status: 200, contains: "<svg"},
		{name: "thumbnail bad id", method: "GET", target: "/thumbnails/a.b", status: 400},
		{name: "export one", method: "GET", target: "/export/vid00000000?format=md", status: 200, contains: "# Video 0"},
		{name: "export bad format", method: "GET", target: "/export/vid00000000?format=pdf", status: 400},
		{name: "export 404", method: "GET", target: "/export/vid00000009?format=txt", status: 404},
		{name: "export library", method: "GET", target: "/export?format=json", status: 200, contains: "[]"},
		{name: "import", method: "POST", target: "/import", body: `{"path":"/tmp/summary_cache.json"}`, status: 200,
			keys: []string{"added", "skipped", "failed", "errors"}},
		{name: "import missing", method: "POST", target: "/import", body: `{"path":"/missing"}`, status: 404},
		{name: "import no path", method: "POST", target: "/import", body: `{}`, status: 400},
		{name: "speak", method: "POST", target: "/speak", body: `{"text":"hello"}`, status: 200, contains: "ID3mp3"},
		{name: "speak video 404", method: "POST", target: "/speak", body: `{"video_id":"unknownvid1"}`, status: 404},
		{name: "speak empty", method: "POST", target: "/speak", body: `{}`, status: 400, contains: "No text provided"},
		{name: "preview", method: "POST", target: "/preview-voice", body: `{"voice_id":"v","text":"` + strings.Repeat("x", 600) + `"}`,
			status: 200, contains: strings.Repeat("x", 500) + "…"},
		{name: "preview no voice", method: "POST", target: "/preview-voice", body: `{"text":"x"}`, status: 400},
		{name: "voices", method: "GET", target: "/api/voices", status: 200, keys: []string{"voices", "tiers", "current_voice", "default_voice"}},
		{name: "cache status", method: "GET", target: "/api/cache/status", status: 200,
			keys: []string{"total_files", "preview_files", "total_size_mb", "max_size_mb", "cache_utilization", "needs_cleanup", "config"}},
		{name: "cache cleanup", method: "POST", target: "/api/cache/cleanup", status: 200,
			keys: []string{"success", "cleaned_files", "size_freed_mb", "remaining_files", "remaining_size_mb"}},
		{name: "login disabled", method: "POST", target: "/login", body: `{"passcode":"x"}`, status: 404, contains: "Login system is disabled"},
		{name: "logout disabled", method: "POST", target: "/logout", status: 404},
		{name: "login_status disabled", method: "GET", target: "/login_status", status: 200,
			contains: `{"authenticated":true,"login_enabled":false,"message":"Login system is disabled"}`},
		{name: "performance_metrics", method: "GET", target: "/performance_metrics", status: 200,
			keys: []string{"sync_requests", "async_requests", "avg_sync_time", "avg_async_time", "active_jobs", "completed_jobs", "failed_jobs", "resource_usage", "timestamp"}},
		{name: "system_health", method: "GET", target: "/system_health", status: 200, keys: []string{"status", "timestamp", "metrics", "alerts"}},
		{name: "settings get", method: "GET", target: "/settings", status: 200, contains: `"tts_voice"`},
		{name: "settings post", method: "POST", target: "/settings", body: `{"tts_voice":"en-US-Neural2-C"}`, status: 200, contains: `en-US-Neural2-C`},
		{name: "settings post invalid", method: "POST", target: "/settings", body: `{"nope":1}`, status: 400, contains: `"fields":{"unknown"`},
		{name: "settings post array", method: "POST", target: "/settings", body: `[1]`, status: 400},
		{name: "token reveal", method: "POST", target: "/settings/api_token/reveal", status: 200, keys: []string{"token"}},
		{name: "token rotate", method: "POST", target: "/settings/api_token/rotate", status: 200, contains: `"token":"rotated-`},
		{name: "backups list", method: "GET", target: "/admin/backups", status: 200, contains: `{"backups":[]}`},
		{name: "backups create", method: "POST", target: "/admin/backups", status: 201, contains: `"name":"ytsum-1.db"`},
		{name: "unknown route", method: "GET", target: "/api/nothing.json", status: 404, contains: `"code":"not_found"`},
		{name: "unknown route post", method: "POST", target: "/nothing", status: 404, contains: `"code":"not_found"`},
		{name: "wrong method", method: "GET", target: "/summarize", status: 405, contains: `"code":"invalid"`},
		{name: "wrong method delete", method: "PUT", target: "/jobs/job1", status: 405},
		{name: "ui index", method: "GET", target: "/", status: 200, contains: "<title>ytsum</title>"},
		{name: "unknown page", method: "GET", target: "/library", status: 404, contains: `"code":"not_found"`},
		{name: "ui asset", method: "GET", target: "/assets/app-1234.js", status: 200, contains: "console.log"},
		{name: "ui missing asset", method: "GET", target: "/assets/gone.js", status: 404, contains: `"code":"not_found"`},
	}
	ui := fstest.MapFS{"index.html": {Data: []byte("<title>ytsum</title>")}, "assets/app-1234.js": {Data: []byte("console.log(1)")}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, func(cfg *Config) { cfg.UIFS = ui })
			if c.setup != nil {
				c.setup(e)
			}
			w := e.do(c.method, c.target, c.body, c.hdr...)
			body := w.Body.String()
			if w.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, c.status, body)
			}
			if c.contains != "" && !strings.Contains(body, c.contains) {
				t.Errorf("body %s\ndoes not contain %s", body, c.contains)
			}
			if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
				v := mustJSON(t, w.Body.Bytes())
				if w.Code >= 400 {
					m, ok := v.(map[string]any)
					if !ok || m["error"] == nil || m["code"] == nil {
						t.Errorf("error body %s lacks error/code", body)
					}
				}
				if len(c.keys) > 0 {
					m, ok := v.(map[string]any)
					if !ok {
						t.Fatalf("body is not an object: %s", body)
					}
					var missing []string
					for _, k := range c.keys {
						if _, ok := m[k]; !ok {
							missing = append(missing, k)
						}
					}
					if len(missing) > 0 {
						t.Errorf("missing keys %v in %s", missing, body)
					}
				}
			} else if w.Code >= 400 {
				t.Errorf("error answer has Content-Type %q", w.Header().Get("Content-Type"))
			}
			if acao := w.Header().Get("Access-Control-Allow-Origin"); acao != "" {
				t.Errorf("Access-Control-Allow-Origin %q", acao)
			}
		})
	}
}

// Ensure the busy answer carries Retry-After.
func TestBusyRetryAfter(t *testing.T) {
	e := newEnv(t, nil)
	e.jobs.SubmitErr = ytsum.ErrBusy
	w := e.do("POST", "/summarize", `{"urls":["a","b"]}`)
	if w.Code != 503 || w.Header().Get("Retry-After") != "5" {
		t.Fatalf("status %d Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
}

// Ensure every route in the table is reachable (no pattern shadows
// another) and each non-public one demands login when it is enabled.
func TestEveryRouteNeedsLogin(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.LoginEnabled = func() bool { return true }
		c.Passcode = func(context.Context) string { return "pw" }
	})
	var names []string
	for _, rt := range e.srv.routeTable() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.NewReplacer("{id}", "job1", "{video_id}", "vid00000000").Replace(path)
		body := ""
		if method != "GET" {
			body = `{}`
		}
		w := e.do(method, path, body)
		if rt.public {
			if w.Code == 401 {
				t.Errorf("%s: public route answered 401", rt.pattern)
			}
			continue
		}
		names = append(names, rt.pattern)
		if w.Code != 401 {
			t.Errorf("%s: status %d without login, want 401", rt.pattern, w.Code)
		}
		w = e.do(method, path, body, "Authorization", "Bearer "+e.settings.apiToken(context.Background()))
		if w.Code == 401 {
			t.Errorf("%s: status 401 with the token", rt.pattern)
		}
	}
	sort.Strings(names)
	if len(names) < 25 {
		t.Fatalf("only %d protected routes: %v", len(names), names)
	}
}
