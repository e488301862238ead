package httpapi

import (
	"context"
	"strings"
	"testing"

	"ytsum/backend/ytsum"
)

// Every route a service serves answers 503 naming it when it is not wired.
func TestUnwiredServices(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.svc = Services{}
	cases := []struct{ method, target, body, what string }{
		{"POST", "/summarize", `{"urls":["a"]}`, "Summarizing"},
		{"POST", "/summarize_async", `{"urls":["a"]}`, "Summarizing"},
		{"GET", "/jobs", "", "The job list"},
		{"GET", "/jobs/job1", "", "The job list"},
		{"POST", "/jobs/job1/cancel", "", "The job list"},
		{"GET", "/get_cached_summaries", "", "The library"},
		{"GET", "/search_summaries?q=x", "", "The library"},
		{"GET", "/library/status", "", "The library"},
		{"DELETE", "/delete_summary", `{"video_id":"vid00000001"}`, "The library"},
		{"GET", "/export/vid00000000", "", "The library"},
		{"GET", "/export", "", "The library"},
		{"POST", "/import", `{"path":"/tmp/x"}`, "The library"},
		{"POST", "/speak", `{"text":"x"}`, "Text-to-speech"},
		{"POST", "/preview-voice", `{"voice_id":"v","text":"x"}`, "Text-to-speech"},
		{"GET", "/api/voices", "", "Text-to-speech"},
		{"GET", "/api/cache/status", "", "Text-to-speech"},
		{"POST", "/api/cache/cleanup", "", "Text-to-speech"},
		{"GET", "/settings", "", "Settings"},
		{"POST", "/settings", `{}`, "Settings"},
		{"POST", "/settings/api_token/reveal", "", "Settings"},
		{"POST", "/settings/api_token/rotate", "", "Settings"},
		{"GET", "/admin/backups", "", "Backups"},
		{"POST", "/admin/backups", "", "Backups"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			w := e.do(c.method, c.target, c.body, "Authorization", "Bearer "+e.settings.token)
			want := `{"error":"` + c.what + ` is not available in this build or configuration.","code":"unavailable"}`
			if w.Code != 503 || w.Body.String() != want {
				t.Fatalf("got %d %s, want 503 %s", w.Code, w.Body, want)
			}
		})
	}
}

// otherNotFound answers not-found with a sentence of its own, which the
// routes replace by the contract's.
type otherNotFound struct{ *fakeJobs }

func (otherNotFound) Get(ctx context.Context, id string) (*ytsum.Job, error) {
	return nil, ytsum.Errorf(ytsum.CodeNotFound, "no_such_row", "row %s is gone", id)
}

func (otherNotFound) Cancel(ctx context.Context, id string) (*ytsum.Job, error) {
	return nil, ytsum.Errorf(ytsum.CodeNotFound, "no_such_row", "row %s is gone", id)
}

type otherNotFoundLib struct{ *fakeLibrary }

func (otherNotFoundLib) Delete(id string) error {
	return ytsum.Errorf(ytsum.CodeNotFound, "no_such_row", "row %s is gone", id)
}

func TestNotFoundSentences(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.svc.Jobs = otherNotFound{e.jobs}
	e.srv.svc.Library = otherNotFoundLib{e.lib}
	cases := []struct{ method, target, body, want string }{
		{"GET", "/jobs/job9", "", `{"error":"Job not found","code":"not_found"}`},
		{"POST", "/jobs/job9/cancel", "", `{"error":"Job not found","code":"not_found"}`},
		{"DELETE", "/delete_summary", `{"video_id":"vid00000001"}`, `{"error":"Summary not found","code":"not_found"}`},
	}
	for _, c := range cases {
		w := e.do(c.method, c.target, c.body, "Authorization", "Bearer "+e.settings.token)
		if w.Code != 404 || w.Body.String() != c.want {
			t.Errorf("%s %s: got %d %s, want 404 %s", c.method, c.target, w.Code, w.Body, c.want)
		}
	}
}

// GET /library/status says how many summaries search may still miss while
// the index takes them in, and about for how long.
func TestLibraryStatus(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct {
		pending int
		want    string
	}{{0, `{"indexing_pending":0,"indexing_seconds":0}`}, {41200, `{"indexing_pending":41200,"indexing_seconds":42}`}} {
		e.lib.mu.Lock()
		e.lib.pending = c.pending
		e.lib.mu.Unlock()
		w := e.do("GET", "/library/status", "")
		if w.Code != 200 || strings.TrimSpace(w.Body.String()) != c.want {
			t.Errorf("pending %d: got %d %s, want %s", c.pending, w.Code, w.Body, c.want)
		}
	}
}
