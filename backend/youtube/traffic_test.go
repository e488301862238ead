package youtube

import (
	"context"
	"testing"
)

// summarizeTraffic summarizes every traffic video the way a job does
// (details, then transcript) on a fresh client and returns the requests and
// bytes (down, up) per video.
func summarizeTraffic(tb testing.TB) (reqs, down, up float64) {
	f := newFake(tb)
	c := f.client(Options{})
	for _, id := range trafficIDs {
		if _, err := c.Video(context.Background(), id); err != nil {
			tb.Fatalf("video %s: %v", id, err)
		}
		if _, err := c.Transcript(context.Background(), id, []string{"en"}); err != nil {
			tb.Fatalf("transcript %s: %v", id, err)
		}
	}
	r, d, u := f.traffic()
	n := float64(len(trafficIDs))
	return float64(r) / n, float64(d) / n, float64(u) / n
}

// TestTrafficPerVideo prints the requests and bytes one summarized video
// costs on the fake (run with -v to see them), over five videos on one
// client. Before the watch page was cached per session: 3 requests,
// 1,221,624 bytes down, 643 bytes up per video. Now: 2.2 requests and
// 402,673 bytes down (the one watch page shared by the five; every video
// after the first costs 2 requests, about 198 kB).
func TestTrafficPerVideo(t *testing.T) {
	reqs, down, up := summarizeTraffic(t)
	t.Logf("per video: %.1f requests, %.0f bytes down, %.0f bytes up", reqs, down, up)
	if reqs > 2.2 || down > 450_000 {
		t.Errorf("per video %.1f requests and %.0f bytes; want at most 2.2 and 450 kB", reqs, down)
	}
}

// BenchmarkTrafficPerVideo reports the same figures as metrics
// (requests/video, bytes-down/video) for make bench.
func BenchmarkTrafficPerVideo(b *testing.B) {
	var reqs, down, up float64
	for b.Loop() {
		reqs, down, up = summarizeTraffic(b)
	}
	b.ReportMetric(reqs, "requests/video")
	b.ReportMetric(down, "bytes-down/video")
	b.ReportMetric(up, "bytes-up/video")
}
