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

// ResourceUsage is the process's CPU and memory (resource_usage of
// /performance_metrics and /system_health).
type ResourceUsage struct {
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
func (m *metrics) resources() ResourceUsage {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u := ResourceUsage{Goroutines: runtime.NumGoroutine(), NumCPU: runtime.NumCPU(),
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
func (s *Server) PerformanceMetrics() PerformanceMetrics {
	sy, as := s.metrics.snapshot(modeSync), s.metrics.snapshot(modeAsync)
	js := s.jobStats()
	return PerformanceMetrics{
		SyncRequests:    sy.count,
		AsyncRequests:   as.count,
		AvgSyncTime:     seconds(sy.avg),
		AvgAsyncTime:    seconds(as.avg),
		ActiveJobs:      js.Pending + js.Running,
		CompletedJobs:   js.Completed,
		FailedJobs:      js.Failed,
		CancelledJobs:   js.Cancelled,
		QueuedJobs:      js.Pending,
		SSEConnections:  s.metrics.sseOpen(),
		ResourceUsage:   s.metrics.resources(),
		Timestamp:       s.cfg.now().UTC().Format(time.RFC3339),
		TimestampFormat: "RFC3339",
	}
}

// PerformanceMetrics is the answer of GET /performance_metrics (API.md §5).
// Its members are in name order, the order this answer has always had.
type PerformanceMetrics struct {
	ActiveJobs      int           `json:"active_jobs"`
	AsyncRequests   int64         `json:"async_requests"`
	AvgAsyncTime    float64       `json:"avg_async_time"` // seconds
	AvgSyncTime     float64       `json:"avg_sync_time"`  // seconds
	CancelledJobs   int           `json:"cancelled_jobs"`
	CompletedJobs   int           `json:"completed_jobs"`
	FailedJobs      int           `json:"failed_jobs"`
	QueuedJobs      int           `json:"queued_jobs"`
	ResourceUsage   ResourceUsage `json:"resource_usage"`
	SSEConnections  int           `json:"sse_connections"`
	SyncRequests    int64         `json:"sync_requests"`
	Timestamp       string        `json:"timestamp"`
	TimestampFormat string        `json:"timestamp_format"`
}

// SystemHealth is the answer of GET /system_health (API.md §5).
type SystemHealth struct {
	Alerts     []Alert          `json:"alerts"`
	Metrics    HealthMetrics    `json:"metrics"`
	Status     string           `json:"status"` // "healthy" or "warning"
	Thresholds HealthThresholds `json:"thresholds"`
	Timestamp  string           `json:"timestamp"`
}

// Alert is one threshold the service is over.
type Alert struct {
	Message   string  `json:"message"`
	Threshold float64 `json:"threshold"`
	Type      string  `json:"type"`
	Value     float64 `json:"value"`
}

// HealthMetrics are the figures /system_health judges.
type HealthMetrics struct {
	ActiveConnections int           `json:"active_connections"`
	ErrorRates        ErrorRates    `json:"error_rates"`
	JobQueueSize      int           `json:"job_queue_size"`
	ResourceUsage     ResourceUsage `json:"resource_usage"`
	ResponseTimes     ResponseTimes `json:"response_times"`
}

// ErrorRates are percentages of failed requests and jobs, and a count of
// answers with a status >= 500.
type ErrorRates struct {
	Async        float64 `json:"async"`
	Jobs         float64 `json:"jobs"`
	Overall      float64 `json:"overall"`
	ServerErrors int64   `json:"server_errors"`
	Sync         float64 `json:"sync"`
}

// ResponseTimes are summarize response times in seconds.
type ResponseTimes struct {
	AvgAsync float64 `json:"avg_async"`
	AvgSync  float64 `json:"avg_sync"`
	MaxAsync float64 `json:"max_async"`
	MaxSync  float64 `json:"max_sync"`
}

// HealthThresholds are the alert thresholds in force (the alert_* settings).
type HealthThresholds struct {
	CPUPercent    float64 `json:"cpu_percent"`
	ErrorRate     float64 `json:"error_rate"`
	MemoryPercent float64 `json:"memory_percent"`
	QueuedJobs    int     `json:"queued_jobs"`
	ResponseTime  float64 `json:"response_time"` // seconds
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
func (s *Server) SystemHealth() SystemHealth {
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

	alerts := []Alert{}
	add := func(kind, msg string, value, threshold float64) {
		alerts = append(alerts, Alert{Type: kind, Message: msg, Value: value, Threshold: threshold})
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
	return SystemHealth{
		Status:    status,
		Timestamp: s.cfg.now().UTC().Format(time.RFC3339),
		Metrics: HealthMetrics{
			ResponseTimes: ResponseTimes{AvgSync: seconds(sy.avg), AvgAsync: seconds(as.avg),
				MaxSync: seconds(sy.max), MaxAsync: seconds(as.max)},
			ErrorRates: ErrorRates{Overall: errRate, Sync: pct(sy.errors, sy.count),
				Async: pct(as.errors, as.count), Jobs: jobFail, ServerErrors: s.metrics.srvErrs.Load()},
			ResourceUsage:     res,
			ActiveConnections: s.metrics.sseOpen(),
			JobQueueSize:      js.Pending,
		},
		Thresholds: HealthThresholds{ResponseTime: maxResp.Seconds(), ErrorRate: maxErr,
			CPUPercent: maxCPU, MemoryPercent: maxMem, QueuedJobs: maxQueue},
		Alerts: alerts,
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(round2(f), 'f', -1, 64) }
