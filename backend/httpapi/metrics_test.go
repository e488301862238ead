package httpapi

import (
	"context"
	"encoding/json"
	"testing"

	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// Ensure the metrics count real requests and jobs, and health turns to
// "warning" with an alert when a threshold is passed.
func TestMetricsAndHealth(t *testing.T) {
	// CPU and memory thresholds out of reach: this test must not depend on
	// the machine's load.
	e := newEnv(t, func(c *Config) { c.MaxQueuedJobs = 1; c.MaxCPUPercent = 1e9; c.MaxMemoryPercent = 1e9 })
	e.do("POST", "/summarize", `{"urls":["a"]}`)
	e.do("POST", "/summarize", `{"urls":["a","b"]}`)
	e.do("POST", "/summarize_async", `{"urls":["a"]}`)
	e.jobs.SubmitErr = ytsum.ErrBusy
	e.do("POST", "/summarize_async", `{"urls":["a"]}`)

	var pm struct {
		SyncRequests    int            `json:"sync_requests"`
		AsyncRequests   int            `json:"async_requests"`
		AvgSync         float64        `json:"avg_sync_time"`
		ActiveJobs      int            `json:"active_jobs"`
		RawResourceUsge map[string]any `json:"resource_usage"`
	}
	if err := json.Unmarshal(e.do("GET", "/performance_metrics", "").Body.Bytes(), &pm); err != nil {
		t.Fatal(err)
	}
	if pm.SyncRequests != 1 || pm.AsyncRequests != 3 || pm.ActiveJobs != 2 {
		t.Fatalf("metrics %+v", pm)
	}
	if pm.RawResourceUsge["memory_rss_mb"].(float64) <= 0 || pm.RawResourceUsge["goroutines"].(float64) < 1 {
		t.Fatalf("resource usage %+v", pm.RawResourceUsge)
	}
	var h struct {
		Status  string           `json:"status"`
		Metrics map[string]any   `json:"metrics"`
		Alerts  []map[string]any `json:"alerts"`
	}
	if err := json.Unmarshal(e.do("GET", "/system_health", "").Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	if h.Status != "warning" || h.Metrics["job_queue_size"].(float64) != 2 {
		t.Fatalf("health %+v", h)
	}
	kinds := map[string]bool{}
	for _, a := range h.Alerts {
		kinds[a["type"].(string)] = true
	}
	if !kinds["queue"] || !kinds["error_rate"] { // 1 of 4 requests failed: 25 % > 5 %
		t.Fatalf("alerts %v", h.Alerts)
	}
	if rate := h.Metrics["error_rates"].(map[string]any)["overall"].(float64); rate != 25 {
		t.Fatalf("error rate %v", rate)
	}

	healthy := newEnv(t, func(c *Config) { c.MaxCPUPercent = 1e9; c.MaxMemoryPercent = 1e9 })
	if err := json.Unmarshal(healthy.do("GET", "/system_health", "").Body.Bytes(), &h); err != nil || h.Status != "healthy" {
		t.Fatalf("fresh server: %v %+v", err, h)
	}
}

// Ensure a sync summary answered 200 whose every item failed (YouTube
// refusing, a rejected key) counts as a failure for the error-rate alert,
// and one with a single success does not.
func TestMetricsCountAllFailedItems(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxCPUPercent = 1e9; c.MaxMemoryPercent = 1e9 })
	fail := "The video is unavailable."
	ok := "a summary"
	e.jobs.WaitFn = func(ctx context.Context, req jobs.Request) (*ytsum.Job, error) {
		j := &ytsum.Job{ID: "sync1", Type: ytsum.JobTypeSummarize, Status: ytsum.JobCompleted}
		for _, u := range req.URLs {
			bad := ytsum.Result{Type: ytsum.ResultVideo, VideoID: "dQw4w9WgXcQ", VideoURL: u, Error: &fail}
			item := ytsum.Result{Type: ytsum.ResultPlaylist, Summaries: []ytsum.Result{bad}}
			if u == "mixed" {
				good := ytsum.Result{Type: ytsum.ResultVideo, VideoID: "aaaaaaaaaaa", VideoURL: u, Summary: &ok}
				item.Summaries = append(item.Summaries, good)
			}
			j.Results = append(j.Results, item)
		}
		return j, nil
	}
	if rec := e.do("POST", "/summarize", `{"urls":["bad"]}`); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if rec := e.do("POST", "/summarize", `{"urls":["mixed"]}`); rec.Code != 200 {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	var h struct {
		Metrics map[string]any `json:"metrics"`
	}
	if err := json.Unmarshal(e.do("GET", "/system_health", "").Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	if rate := h.Metrics["error_rates"].(map[string]any)["sync"].(float64); rate != 50 {
		t.Fatalf("sync error rate %v, want 50 (1 of 2 requests summarized nothing)", rate)
	}
}
