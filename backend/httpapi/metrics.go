package httpapi

import (
	"math"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"ytsum/backend/jobs"
)

type mode int

const (
	modeSync mode = iota
	modeAsync
)

// metrics counts summarize requests, errors and SSE connections. Safe for
// concurrent use.
type metrics struct {
	now func() time.Time

	mu       sync.Mutex
	count    [2]int64
	errors   [2]int64
	total    [2]time.Duration
	maxTime  [2]time.Duration
	itemTime time.Duration // sync time per link, moving average
	srvErrs  atomic.Int64  // answers with a status >= 500
	sse      atomic.Int64

	cpuMu   sync.Mutex
	cpuLast time.Duration
	cpuAt   time.Time
	cpuPct  float64
}

func newMetrics(now func() time.Time) *metrics { return &metrics{now: now} }

func (m *metrics) observe(md mode, d time.Duration, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.count[md]++
	m.total[md] += d
	m.maxTime[md] = max(m.maxTime[md], d)
	if err != nil {
		m.errors[md]++
	}
}

// observeItems records a sync run of n links taking d.
func (m *metrics) observeItems(n int, d time.Duration) {
	if n <= 0 {
		return
	}
	per := d / time.Duration(n)
	m.mu.Lock()
	if m.itemTime == 0 {
		m.itemTime = per
	} else {
		m.itemTime = (m.itemTime*4 + per) / 5
	}
	m.mu.Unlock()
}

// estimate guesses the seconds n links take: the measured time per link,
// or 30 s before anything was measured.
func (m *metrics) estimate(n int) int {
	m.mu.Lock()
	per := m.itemTime
	m.mu.Unlock()
	if per <= 0 {
		per = 30 * time.Second
	}
	return int(math.Ceil((per * time.Duration(n)).Seconds()))
}

func (m *metrics) noteError()   { m.srvErrs.Add(1) }
func (m *metrics) sseOpened()   { m.sse.Add(1) }
func (m *metrics) sseClosed()   { m.sse.Add(-1) }
func (m *metrics) sseOpen() int { return int(m.sse.Load()) }

type modeSnapshot struct {
	count, errors int64
	avg, max      time.Duration
}

func (m *metrics) snapshot(md mode) modeSnapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := modeSnapshot{count: m.count[md], errors: m.errors[md], max: m.maxTime[md]}
	if s.count > 0 {
		s.avg = m.total[md] / time.Duration(s.count)
	}
	return s
}

// resourceUsage is the process's CPU and memory.
type resourceUsage struct {
	CPUPercent    float64 `json:"cpu_percent"`
	MemoryPercent float64 `json:"memory_percent"`
	MemoryRSSMB   float64 `json:"memory_rss_mb"`
	MemoryTotalMB float64 `json:"memory_total_mb"`
	GoHeapMB      float64 `json:"go_heap_mb"`
	Goroutines    int     `json:"goroutines"`
	NumCPU        int     `json:"num_cpu"`
}

// resources measures the process. CPU percent is the share of one core
// used since the previous call (the first call: since the process started),
// divided by the number of cores, as top's Irix-off mode.
func (m *metrics) resources() resourceUsage {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u := resourceUsage{Goroutines: runtime.NumGoroutine(), NumCPU: runtime.NumCPU(),
		GoHeapMB: round2(float64(ms.HeapAlloc) / (1 << 20))}
	rss, total := processMemory()
	if rss == 0 {
		rss = ms.Sys // what the Go runtime holds from the OS
	}
	u.MemoryRSSMB = round2(float64(rss) / (1 << 20))
	if total > 0 {
		u.MemoryTotalMB = round2(float64(total) / (1 << 20))
		u.MemoryPercent = round2(100 * float64(rss) / float64(total))
	}

	cpu, ok := processCPUTime()
	now := time.Now()
	m.cpuMu.Lock()
	defer m.cpuMu.Unlock()
	if ok {
		if m.cpuAt.IsZero() {
			m.cpuAt = processStart
		}
		if wall := now.Sub(m.cpuAt); wall >= 200*time.Millisecond {
			m.cpuPct = round2(100 * float64(cpu-m.cpuLast) / float64(wall) / float64(runtime.NumCPU()))
			m.cpuLast, m.cpuAt = cpu, now
		}
	}
	u.CPUPercent = m.cpuPct
	return u
}

var processStart = time.Now()

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func seconds(d time.Duration) float64 { return round2(d.Seconds()*1000) / 1000 }

func (s *Server) jobStats() jobs.Metrics {
	if s.svc.Jobs == nil {
		return jobs.Metrics{}
	}
	return s.svc.Jobs.Metrics()
}

func (s *Server) handlePerformanceMetrics(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.PerformanceMetrics())
}

// PerformanceMetrics is GET /performance_metrics.
func (s *Server) PerformanceMetrics() map[string]any {
	sy, as := s.metrics.snapshot(modeSync), s.metrics.snapshot(modeAsync)
	js := s.jobStats()
	return map[string]any{
		"sync_requests":    sy.count,
		"async_requests":   as.count,
		"avg_sync_time":    seconds(sy.avg),
		"avg_async_time":   seconds(as.avg),
		"active_jobs":      js.Pending + js.Running,
		"completed_jobs":   js.Completed,
		"failed_jobs":      js.Failed,
		"cancelled_jobs":   js.Cancelled,
		"queued_jobs":      js.Pending,
		"sse_connections":  s.metrics.sseOpen(),
		"resource_usage":   s.metrics.resources(),
		"timestamp":        s.cfg.now().UTC().Format(time.RFC3339),
		"timestamp_format": "RFC3339",
	}
}

func pct(part, whole int64) float64 {
	if whole == 0 {
		return 0
	}
	return round2(100 * float64(part) / float64(whole))
}

func (s *Server) handleSystemHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.SystemHealth())
}

// SystemHealth is GET /system_health.
func (s *Server) SystemHealth() map[string]any {
	sy, as := s.metrics.snapshot(modeSync), s.metrics.snapshot(modeAsync)
	js := s.jobStats()
	res := s.metrics.resources()
	maxResp := orDuration(s.cfg.MaxResponseTime, 30*time.Second)
	maxErr := orFloat(s.cfg.MaxErrorRate, 5)
	maxCPU := orFloat(s.cfg.MaxCPUPercent, 80)
	maxMem := orFloat(s.cfg.MaxMemoryPercent, 85)
	maxQueue := s.cfg.MaxQueuedJobs
	if maxQueue <= 0 {
		maxQueue = 50
	}
	requests := sy.count + as.count
	errRate := pct(sy.errors+as.errors, requests)
	finished := int64(js.Completed + js.Failed)
	jobFail := pct(int64(js.Failed), finished)

	alerts := []map[string]any{}
	add := func(kind, msg string, value, threshold float64) {
		alerts = append(alerts, map[string]any{"type": kind, "message": msg, "value": value, "threshold": threshold})
	}
	if sy.avg > maxResp {
		add("response_time", "Synchronous summaries take "+ftoa(sy.avg.Seconds())+" s on average; use async mode for long inputs.",
			seconds(sy.avg), maxResp.Seconds())
	}
	if errRate > maxErr {
		add("error_rate", ftoa(errRate)+" % of summarize requests failed.", errRate, maxErr)
	}
	if jobFail > maxErr {
		add("job_failure_rate", ftoa(jobFail)+" % of finished jobs failed.", jobFail, maxErr)
	}
	if res.CPUPercent > maxCPU {
		add("cpu", "The app uses "+ftoa(res.CPUPercent)+" % CPU.", res.CPUPercent, maxCPU)
	}
	if res.MemoryPercent > maxMem {
		add("memory", "The app uses "+ftoa(res.MemoryPercent)+" % of memory.", res.MemoryPercent, maxMem)
	}
	if js.Pending > maxQueue {
		add("queue", itoa(js.Pending)+" jobs are waiting in the queue.", float64(js.Pending), float64(maxQueue))
	}
	status := "healthy"
	if len(alerts) > 0 {
		status = "warning"
	}
	return map[string]any{
		"status":    status,
		"timestamp": s.cfg.now().UTC().Format(time.RFC3339),
		"metrics": map[string]any{
			"response_times": map[string]any{"avg_sync": seconds(sy.avg), "avg_async": seconds(as.avg),
				"max_sync": seconds(sy.max), "max_async": seconds(as.max)},
			"error_rates": map[string]any{"overall": errRate, "sync": pct(sy.errors, sy.count),
				"async": pct(as.errors, as.count), "jobs": jobFail, "server_errors": s.metrics.srvErrs.Load()},
			"resource_usage":     res,
			"active_connections": s.metrics.sseOpen(),
			"job_queue_size":     js.Pending,
		},
		"thresholds": map[string]any{"response_time": maxResp.Seconds(), "error_rate": maxErr,
			"cpu_percent": maxCPU, "memory_percent": maxMem, "queued_jobs": maxQueue},
		"alerts": alerts,
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(round2(f), 'f', -1, 64) }
