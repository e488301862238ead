package events_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/benchmark"
	"ytsum/backend/events"
	"ytsum/backend/ytsum"
)

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimLeft(name, "\t :"))
				break
			}
		}
	}
	return fmt.Sprintf("%s/%s, %d CPUs (%s), %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, runtime.Version())
}

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

// latency publishes n job events, one at a time, to subs subscribers that
// all read concurrently, and returns each event's publish → receive latency
// at every subscriber, plus whether every subscriber saw the last state.
func latency(tb testing.TB, subs, n int) ([]time.Duration, bool) {
	b := events.New(events.Options{})
	defer b.Close()
	sent := make([]time.Time, n+1)
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	sawLast := make([]bool, subs)
	// Each event waits for every subscriber to have it, so the figures are
	// latency, not queueing behind the previous event.
	acks := make(chan struct{}, subs)
	for i := range subs {
		s := b.Subscribe(events.Filter{JobID: "job"})
		wg.Go(func() {
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			local := make([]time.Duration, 0, n)
			for {
				ev, err := s.Next(ctx)
				if err != nil {
					return
				}
				local = append(local, time.Since(sent[ev.Seq]))
				acks <- struct{}{}
				if ev.Seq == uint64(n) {
					sawLast[i] = true
					mu.Lock()
					lat = append(lat, local...)
					mu.Unlock()
					return
				}
			}
		})
	}
	data := json.RawMessage(`{"id":"job","status":"running","progress":1}`)
	for k := 1; k <= n; k++ {
		sent[k] = time.Now() // read by subscribers after Publish (ordered by the broker's locks)
		b.Publish(ytsum.Event{Type: ytsum.EventJob, JobID: "job", Data: data})
		for range subs {
			select {
			case <-acks:
			case <-time.After(time.Minute):
				tb.Fatal("subscriber did not receive an event")
			}
		}
	}
	wg.Wait()
	all := true
	for _, ok := range sawLast {
		all = all && ok
	}
	return lat, all
}

// TestBenchReport prints the broker's latency figures. It runs only with
// YTSUM_BENCH=1:
//
//	YTSUM_BENCH=1 go test -run TestBenchReport -v ./backend/events/
func TestBenchReport(t *testing.T) {
	benchmark.Require(t)
	cases := []struct{ subs, n int }{{1, 2000}, {100, 200}, {1000, 50}}
	if benchmark.Smoke() {
		cases = []struct{ subs, n int }{{1, 200}, {100, 20}}
	}
	r := benchmark.New(t)
	var out strings.Builder
	fmt.Fprintf(&out, "\nevent broker benchmark — %s\n", machine())
	fmt.Fprintf(&out, "%-44s %12s %12s %12s %s\n", "publish → subscriber", "p50", "p99", "max", "all saw last")
	for _, c := range cases {
		lat, all := latency(t, c.subs, c.n)
		fmt.Fprintf(&out, "%-44s %12v %12v %12v %v\n", fmt.Sprintf("%d subscriber(s), %d events", c.subs, c.n),
			pct(lat, 0.5), pct(lat, 0.99), pct(lat, 1), all)
		r.Check(fmt.Sprintf("broker: %d subscriber(s), every one saw the last event", c.subs), fmt.Sprint(all), "true", all)
	}
	t.Log(out.String())
}

// BenchmarkPublish measures Publish with N idle subscriptions (latest wins
// keeps each at one pending job event).
func BenchmarkPublish(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			br := events.New(events.Options{})
			defer br.Close()
			for range n {
				br.Subscribe(events.Filter{})
			}
			ev := ytsum.Event{Type: ytsum.EventJob, JobID: "job", Data: json.RawMessage(`{"id":"job"}`)}
			b.ReportAllocs()
			for b.Loop() {
				br.Publish(ev)
			}
		})
	}
}
