#!/usr/bin/env bash
# The benchmark suite. `make bench` (scripts/bench.sh) runs it in full;
# `make bench-smoke` (scripts/bench.sh smoke) runs a reduced version in a
# few seconds with every target widened 10×, so CI catches a regression of
# an order of magnitude. Every figure is printed beside its target with
# PASS or FAIL; the script exits non-zero when any target is missed or any
# benchmark fails to run. Timings on a shared machine are noisy: the load
# is printed first; re-run when a figure looks off.
#
#   YTSUM_BENCH_SIZES="10000"   library sizes of the full run (default 10000,100000)
#   YTSUM_BENCH_VIDEOS=5000     size of the large job (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-full}
case "$mode" in
full) export YTSUM_BENCH=1 ;;
smoke) export YTSUM_BENCH=smoke ;;
*) echo "usage: $0 [full|smoke]" >&2; exit 2 ;;
esac
failed=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# section TITLE CMD...: runs CMD, prints its figures, records a failure.
section() {
	local title=$1
	shift
	echo
	echo "== $title"
	local rc=0
	"$@" >"$out" 2>&1 || rc=$?
	grep -vE '^(=== RUN|=== PAUSE|=== CONT|--- PASS|PASS$|ok |goos:|goarch:|cpu:|[[:space:]]*$)' "$out" | sed 's/^BENCH //' || true
	if [ "$rc" != 0 ]; then
		failed+=("$title")
		echo "!! $title: FAILED (exit $rc)"
	fi
}

echo "== $mode run; machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3-4), load $(cut -d' ' -f1-3 /proc/loadavg)"

section "job engine and event broker (50-video playlist vs the bound and the seed, commit → subscriber, fan-out)" \
	go test -count=1 -run TestBenchReport -v ./backend/jobs/ ./backend/events/
section "live path: summarizer done → SSE client and window subscriber (upstreams 50 ms)" \
	go test -count=1 -run TestBenchP2 -v .
if [ "$mode" = smoke ]; then
	section "library (smoke: 1,000 summaries; import target scaled from 20 s per 100,000)" \
		env YTSUM_BENCH_SIZES=1000 go test -count=1 -run TestLibraryScale -v ./backend/library/
else
	section "library at ${YTSUM_BENCH_SIZES:-10000,100000} summaries (import time until it returns and until the index has caught up, RSS over both, search during both and after, page and search p95)" \
		env YTSUM_BENCH_SIZES="${YTSUM_BENCH_SIZES:-10000,100000}" go test -count=1 -run TestLibraryScale -v -timeout 30m ./backend/library/
	section "large job: ${YTSUM_BENCH_VIDEOS:-5000}-video playlist on the fakes (YouTube 5 ms, LLM 20 ms), kill -9 at 50 % and resume" \
		go test -count=1 -run 'TestBenchLargeJob$' -v -timeout 40m .
	section "HTTP API (500 SSE clients on one job; submit latency with 20 clients)" \
		go test -count=1 -run XXX -bench 'SSEFanout|SubmitLatency' -benchtime 1x ./backend/httpapi/
	section "local summarizer quality (20 labelled synthetic caption transcripts)" \
		go test -count=1 -run TestQualityReport -v ./backend/summarize/local/
	section "local LLM servers (discovery; one-hour transcript on 8k/4k-context local models)" \
		bash -o pipefail -c "go test -count=1 -run 'TestTwoServersFound|TestNothingRunning' -v ./backend/summarize/discover/ | grep -E 'discovery with|FAIL' && go test -count=1 -run TestChunksFitLocalContext -v ./backend/summarize/ | grep -E 'one-hour transcript|FAIL'"
	section "micro-benchmarks (transcript and URL parsing, local summarizer on 30,000 words, TTS chunking, settings, broker)" \
		go test -count=1 -run '^$' -bench . -benchmem ./backend/youtube/ ./backend/summarize/local/ ./backend/tts/ ./backend/config/ ./backend/events/
	section "YouTube traffic per summarized video on the fake (before the per-session watch-page cache: 3 requests, 1,221,624 bytes down)" \
		go test -count=1 -run '^TestTrafficPerVideo$' -v ./backend/youtube/
	section "window under Xvfb (cold start to a usable form, RSS of Go + WebKit vs a bare Wails app)" \
		scripts/bench-window.sh
	section "window ready at once (window visible → form usable, cold start, locked keyring; needs make build)" \
		xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- scripts/bench-window-ready.sh build/bin/ytsum test-output
fi

echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "== make bench ($mode): ${#failed[@]} section(s) missed a target or failed:"
	printf '   - %s\n' "${failed[@]}"
	exit 1
fi
echo "== make bench ($mode): every target met"
