package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"ytsum/backend/jobs"

	"ytsum/backend/ytsum"
)

// progressOf reads "progress" from a job JSON document.
func progressOf(data string) int {
	i := strings.Index(data, `"progress":`)
	if i < 0 {
		return -1
	}
	rest := data[i+len(`"progress":`):]
	j := strings.IndexAny(rest, ",}")
	n, _ := strconv.Atoi(rest[:j])
	return n
}

func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(float64(len(d)-1) * p)
	return d[i]
}

// BenchmarkSSEFanout opens 500 SSE clients on one running job, publishes
// 200 job changes (one every 2 ms) and reports how many clients saw every
// change, the client lag (publish → client parsed it) p50/p99/max, and
// server heap before, with all clients connected, and after they left.
// Run: go test -run XXX -bench SSEFanout -benchtime 1x ./backend/httpapi/
func BenchmarkSSEFanout(b *testing.B) {
	for _, sc := range []struct {
		changes int
		pace    time.Duration
	}{{50, 100 * time.Millisecond}, {100, 20 * time.Millisecond}, {200, 0}} {
		b.Run(fmt.Sprintf("changes=%d,pace=%v", sc.changes, sc.pace), func(b *testing.B) {
			benchFanout(b, 500, sc.changes, sc.pace)
		})
	}
}

func benchFanout(b *testing.B, clients, changes int, pace time.Duration) {
	for it := 0; it < b.N; it++ {
		before := heapMB()
		e := newEnv(b, nil)
		ts := httptest.NewUnstartedServer(e.h)
		ts.Start()
		tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: 0}
		client := &http.Client{Transport: tr}
		job, _ := e.jobs.Submit(context.Background(), jobs.Request{URLs: []string{"a"}})
		e.jobs.update(job.ID, func(j *ytsum.Job) error { j.Status = ytsum.JobRunning; return nil })

		published := make([]time.Time, changes+1)
		var pubMu sync.RWMutex
		type result struct {
			seen       int
			final      bool // saw the terminal state
			reconnects int
			lags       []time.Duration
			err        error
		}
		results := make(chan result, clients)
		for c := 0; c < clients; c++ {
			go func() {
				var r result
				defer func() { results <- r }()
				seen := map[int]bool{}
				defer func() { r.seen = len(seen) }()
				lastID := ""
				// Like EventSource: reconnect with Last-Event-ID until the
				// terminal state arrives (the broker may drop a slow client).
				for attempt := 0; !r.final && attempt < 5; attempt++ {
					if attempt > 0 {
						r.reconnects++
					}
					req, _ := http.NewRequest("GET", ts.URL+"/jobs/"+job.ID+"/stream", nil)
					if lastID != "" {
						req.Header.Set("Last-Event-ID", lastID)
					}
					resp, err := client.Do(req)
					if err != nil {
						r.err = err
						return
					}
					p := newSSEReader(resp.Body)
					for {
						ev, err := p.next()
						if err != nil {
							break
						}
						now := time.Now()
						if strings.Contains(ev.data, `"status":"completed"`) {
							r.final = true
						}
						n := progressOf(ev.data)
						if n <= 0 || seen[n] {
							continue
						}
						seen[n] = true
						pubMu.RLock()
						at := published[n]
						pubMu.RUnlock()
						if !at.IsZero() {
							r.lags = append(r.lags, now.Sub(at))
						}
					}
					lastID = p.lastID
					resp.Body.Close()
				}
			}()
		}
		waitSubscribers(b, e.broker, clients)
		connected := heapMB()
		b.ResetTimer()
		start := time.Now()
		for n := 1; n <= changes; n++ {
			pubMu.Lock()
			published[n] = time.Now()
			pubMu.Unlock()
			e.jobs.update(job.ID, func(j *ytsum.Job) error {
				j.Progress = n
				if n == changes {
					j.Status = ytsum.JobCompleted
				}
				return nil
			})
			if pace > 0 {
				time.Sleep(pace)
			}
		}
		var lags []time.Duration
		full, failed, final, reconnects := 0, 0, 0, 0
		for c := 0; c < clients; c++ {
			r := <-results
			if r.err != nil {
				failed++
				continue
			}
			if r.seen == changes {
				full++
			}
			if r.final {
				final++
			}
			reconnects += r.reconnects
			lags = append(lags, r.lags...)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		ts.Close()
		tr.CloseIdleConnections()
		after := heapMB()
		p50, p99, mx := percentile(lags, 0.5), percentile(lags, 0.99), percentile(lags, 1)
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-lag-ms")
		b.ReportMetric(float64(full), "clients-saw-all")
		fmt.Fprintf(os.Stdout, "\nSSE fan-out: %d clients, %d changes every %v (%v total)\n", clients, changes, pace, elapsed.Round(time.Millisecond))
		fmt.Fprintf(os.Stdout, "| saw every change | saw final state | reconnects | failed | lag p50 | lag p99 | lag max | heap before | heap %d open | heap after |\n", clients)
		fmt.Fprintf(os.Stdout, "|---|---|---|---|---|---|---|---|---|---|\n")
		fmt.Fprintf(os.Stdout, "| %d/%d | %d/%d | %d | %d | %v | %v | %v | %.1f MiB | %.1f MiB | %.1f MiB |\n",
			full, clients, final, clients, reconnects, failed, p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), mx.Round(10*time.Microsecond),
			before, connected, after)
	}
}

// BenchmarkSubmitLatency sends POST /summarize_async (and sync /summarize
// with an instant engine) from 20 concurrent clients over real HTTP and
// reports latency percentiles and throughput.
// Run: go test -run XXX -bench SubmitLatency -benchtime 1x ./backend/httpapi/
func BenchmarkSubmitLatency(b *testing.B) {
	const clients, perClient = 20, 100
	for it := 0; it < b.N; it++ {
		e := newEnv(b, nil)
		ts := httptest.NewServer(e.h)
		tr := &http.Transport{MaxIdleConnsPerHost: clients}
		client := &http.Client{Transport: tr}
		fmt.Fprintf(os.Stdout, "\nSubmit latency: %d concurrent clients × %d requests\n", clients, perClient)
		fmt.Fprintf(os.Stdout, "| route | requests | p50 | p95 | p99 | max | req/s |\n|---|---|---|---|---|---|---|\n")
		for _, rt := range []struct{ path, body string }{
			{"/summarize_async", `{"urls":["https://youtu.be/dQw4w9WgXcQ"]}`},
			{"/summarize", `{"urls":["https://youtu.be/a","https://youtu.be/b"]}`},
			{"/summarize", `{"urls":["https://youtu.be/dQw4w9WgXcQ"]}`},
		} {
			var mu sync.Mutex
			var lat []time.Duration
			var wg sync.WaitGroup
			start := time.Now()
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < perClient; i++ {
						req, _ := http.NewRequest("POST", ts.URL+rt.path, strings.NewReader(rt.body))
						req.Header.Set("Content-Type", "application/json")
						t0 := time.Now()
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						d := time.Since(t0)
						if resp.StatusCode >= 300 && resp.StatusCode != 202 {
							b.Errorf("status %d", resp.StatusCode)
						}
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			el := time.Since(start)
			name := rt.path
			if rt.path == "/summarize" {
				if strings.Count(rt.body, "youtu") > 1 {
					name += " (async)"
				} else {
					name += " (sync)"
				}
			}
			p99 := percentile(lat, 0.99)
			fmt.Fprintf(os.Stdout, "| %s | %d | %v | %v | %v | %v | %.0f |\n", name, len(lat),
				percentile(lat, 0.5).Round(time.Microsecond), percentile(lat, 0.95).Round(time.Microsecond),
				p99.Round(time.Microsecond), percentile(lat, 1).Round(time.Microsecond), float64(len(lat))/el.Seconds())
			if rt.path == "/summarize_async" {
				b.ReportMetric(float64(p99.Microseconds())/1000, "async-p99-ms")
			}
		}
		ts.Close()
		tr.CloseIdleConnections()
	}
}
