// Package benchmark prints the figures of the benchmark suite beside their
// targets and fails the test that measured them when a target is missed, so
// that `make bench` (full targets) and `make bench-smoke` (a reduced run
// with generous margins, run by CI) exit non-zero on a miss.
//
// Every figure is one line on standard output:
//
//	BENCH <measure>  <figure>  <target>  PASS|FAIL
//
// The environment variable YTSUM_BENCH selects the run: "1" or "full" is
// the full suite, "smoke" the reduced one, anything else (or unset) no
// benchmark at all (the tests skip). A Report is not safe for concurrent
// use; make one per test goroutine.
package benchmark

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SmokeMargin is how far the smoke run lets a figure miss its target: an
// order of magnitude, so that only a regression of that size fails CI.
const SmokeMargin = 10

// Mode returns "full", "smoke" or "" (no benchmark) from YTSUM_BENCH.
func Mode() string {
	switch os.Getenv("YTSUM_BENCH") {
	case "1", "full":
		return "full"
	case "smoke":
		return "smoke"
	}
	return ""
}

// Smoke reports whether this is the reduced CI run.
func Smoke() bool { return Mode() == "smoke" }

// Require skips tb unless a benchmark run is selected.
func Require(tb testing.TB) {
	tb.Helper()
	if Mode() == "" {
		tb.Skip("set YTSUM_BENCH=1 (full) or YTSUM_BENCH=smoke to run the benchmark")
	}
}

// RequireFull skips tb unless the full benchmark run is selected.
func RequireFull(tb testing.TB) {
	tb.Helper()
	if Mode() != "full" {
		tb.Skip("set YTSUM_BENCH=1 to run this part of the full benchmark")
	}
}

// Report prints figures beside targets for one test.
type Report struct {
	tb     testing.TB
	margin float64
	missed int
}

// New returns a Report for tb; in the smoke run every target is widened
// by SmokeMargin.
func New(tb testing.TB) *Report {
	m := 1.0
	if Smoke() {
		m = SmokeMargin
	}
	return &Report{tb: tb, margin: m}
}

// Margin is the factor targets are widened by (1, or SmokeMargin).
func (r *Report) Margin() float64 { return r.margin }

// Missed is how many targets this report has missed so far.
func (r *Report) Missed() int { return r.missed }

// line prints one row and fails the test on a miss.
func (r *Report) line(name, figure, target string, ok bool) {
	r.tb.Helper()
	verdict := "PASS"
	if !ok {
		verdict = "FAIL"
		r.missed++
		r.tb.Errorf("benchmark target missed: %s = %s, target %s", name, figure, target)
	}
	fmt.Printf("BENCH %-64s %14s  %-24s %s\n", name, figure, target, verdict)
}

// Info prints a figure that has no target.
func (r *Report) Info(name, figure string) {
	fmt.Printf("BENCH %-64s %14s  %-24s %s\n", name, figure, "-", "info")
}

// Note prints a line of explanation (a formula, a caveat).
func (r *Report) Note(format string, args ...any) {
	fmt.Printf("BENCH   %s\n", fmt.Sprintf(format, args...))
}

// Check prints a figure against a target that is a condition.
func (r *Report) Check(name, figure, target string, ok bool) {
	r.tb.Helper()
	r.line(name, figure, target, ok)
}

func (r *Report) suffix() string {
	if r.margin != 1 {
		return fmt.Sprintf(" (×%g smoke)", r.margin)
	}
	return ""
}

// Below checks a duration against an upper bound (got < target·margin).
func (r *Report) Below(name string, got, target time.Duration) {
	r.tb.Helper()
	lim := time.Duration(float64(target) * r.margin)
	r.line(name, round(got), "< "+round(lim)+r.suffix(), got < lim)
}

// AtMost checks a number against an upper bound (got ≤ target·margin).
func (r *Report) AtMost(name string, got, target float64, unit string) {
	r.tb.Helper()
	lim := target * r.margin
	r.line(name, num(got)+unit, "≤ "+num(lim)+unit+r.suffix(), got <= lim)
}

// AtLeast checks a number against a lower bound (got ≥ target/margin).
func (r *Report) AtLeast(name string, got, target float64, unit string) {
	r.tb.Helper()
	lim := target / r.margin
	r.line(name, num(got)+unit, "≥ "+num(lim)+unit+r.suffix(), got >= lim)
}

func num(f float64) string {
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f", f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	}
	return fmt.Sprintf("%.2f", f)
}

func round(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// Percentile returns the p-quantile (0..1) of d (0 when d is empty); d is
// sorted in place.
func Percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	sortDurations(d)
	return d[int(float64(len(d)-1)*p)]
}

func sortDurations(d []time.Duration) { slices.Sort(d) }

// RSS returns the resident set size and its peak (VmRSS, VmHWM) of process
// pid (0: this process) in bytes, from /proc; zeros where /proc is absent.
func RSS(pid int) (cur, peak int64) {
	p := "/proc/self/status"
	if pid > 0 {
		p = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return 0, 0
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) != 3 || f[2] != "kB" {
			continue
		}
		k, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "VmRSS:":
			cur = k << 10
		case "VmHWM:":
			peak = k << 10
		}
	}
	return cur, peak
}
