#!/usr/bin/env bash
# The benchmark suite (`make bench`): one table per area, machine noted.
# Timings on a shared machine are noisy; compare ratios, and re-run when a
# figure looks off. YTSUM_BENCH_SIZES="10000" skips the 100,000-summary run.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3-4), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== job engine and event broker (50-video playlist, event latency, 1,000 subscribers)"
YTSUM_BENCH=1 go test -count=1 -run TestBenchReport -v ./backend/jobs/ ./backend/events/ 2>&1 | grep -vE '^(=== RUN|--- PASS|PASS$|ok )' || true
echo
echo "== P2: summarizer done -> SSE client and window subscriber see the result (upstreams 50 ms; inline = thumbnail inside the save, as before issue 14)"
YTSUM_BENCH=1 go test -count=1 -run TestBenchP2 -v . 2>&1 | grep -E 'P2 ' | sed 's/^ *p2_bench_test.go:[0-9]*: //' || true
echo
echo "== HTTP API (500 SSE clients on one job; submit latency with 20 clients)"
go test -count=1 -run XXX -bench 'SSEFanout|SubmitLatency' -benchtime 1x ./backend/httpapi/ 2>&1 | grep -vE '^(goos|goarch|pkg|cpu|PASS$|ok )' || true
echo
echo "== library at ${YTSUM_BENCH_SIZES:-10000 100000} summaries (import, page p95, search p95, database size)"
YTSUM_BENCH_LIBRARY=1 YTSUM_BENCH_SIZES="${YTSUM_BENCH_SIZES:-10000,100000}" go test -count=1 -run TestLibraryScale -v -timeout 30m ./backend/library/ 2>&1 | grep -vE '^(=== RUN|--- PASS|PASS$|ok )' || true
echo
echo "== local summarizer quality (20 labelled synthetic caption transcripts: planted-sentence recall, ROUGE, chapter boundaries)"
go test -count=1 -run TestQualityReport -v ./backend/summarize/local/ 2>&1 | grep -vE '^(=== RUN|--- PASS|PASS$|ok )' || true
echo
echo "== local LLM servers (discovery time with none and with two fake servers; one-hour transcript on 8k/4k-context local models)"
go test -count=1 -run 'TestTwoServersFound|TestNothingRunning' -v ./backend/summarize/discover/ 2>&1 | grep -E 'discovery with' || true
go test -count=1 -run TestChunksFitLocalContext -v ./backend/summarize/ 2>&1 | grep -E 'one-hour transcript' || true
echo
echo "== YouTube traffic per summarized video on the fake (five videos on one client; before the per-session watch-page cache: 3 requests, 1,221,624 bytes down)"
go test -count=1 -run '^TestTrafficPerVideo$' -v ./backend/youtube/ 2>&1 | grep -E 'per video:' | sed 's/^ *[a-z_]*_test.go:[0-9]*: //' || true
echo
echo "== micro-benchmarks (transcript parsing, URL parsing, local summarizer on 30,000 words, TTS chunking, settings)"
go test -count=1 -run '^$' -bench . -benchmem ./backend/youtube/ ./backend/summarize/local/ ./backend/tts/ ./backend/config/ ./backend/events/ 2>&1 | grep -E '^(Benchmark|pkg:)' || true
echo
echo "== window ready at once (cold start under Xvfb, locked keyring; needs make build)"
if [ -x build/bin/ytsum ] && command -v xvfb-run >/dev/null && command -v xdotool >/dev/null; then
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- scripts/bench-window.sh build/bin/ytsum test-output 2>&1 || true
else
  echo "skipped: needs build/bin/ytsum, xvfb-run and xdotool"
fi
