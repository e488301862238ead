#!/usr/bin/env bash
# Window benchmark (a section of `make bench`, not CI): under Xvfb, the
# release binary's cold start to a usable form (the window mapped and the
# UI painted: more than 20 distinct colours on screen, polled every 50 ms)
# and the resident memory of the whole app (the Go process and its WebKit
# children, summed VmRSS; PSS beside it, which does not count shared pages
# twice), against a bare Wails app (one HTML form, same Wails version and
# build tags) built here from a tiny template in a temporary directory.
#
#   scripts/bench-window.sh [binary]      default build/bin/ytsum (built if missing)
#
# Targets (issue 19): cold start < 1.5 s; RSS < bare + 60 MB. Exit 1 on a miss.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/bin/ytsum}
tags=desktop,production,webkit2_41
if [ -z "${YTSUM_WINDOW_CHILD:-}" ]; then
	[ -x "$bin" ] || make --no-print-directory build >&2
	exec env YTSUM_WINDOW_CHILD=1 xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$@"
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" YTSUM_DATA_DIR="$tmp/ytsum"
mkdir -p "$HOME"
dbus-update-activation-environment HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME 2>/dev/null || true
export YTSUM_YOUTUBE_URL=http://127.0.0.1:9 YTSUM_GEMINI_URL=http://127.0.0.1:9 YTSUM_OPENAI_URL=http://127.0.0.1:9 YTSUM_TTS_URL=http://127.0.0.1:9
unset GEMINI_API_KEY GOOGLE_API_KEY OPENAI_API_KEY

# The bare app: the same Wails version as go.mod, one page with a form.
wails_version=$(awk '$1 == "github.com/wailsapp/wails/v2" {print $2}' go.mod)
mkdir -p "$tmp/bare/frontend"
cat >"$tmp/bare/go.mod" <<MOD
module bare

go $(awk '$1 == "go" {print $2}' go.mod)

require github.com/wailsapp/wails/v2 $wails_version
MOD
cp go.sum "$tmp/bare/go.sum"
cat >"$tmp/bare/frontend/index.html" <<'HTML'
<!doctype html><html><head><meta charset="utf-8"><title>Bare</title></head>
<body style="font-family:sans-serif;background:linear-gradient(90deg,#f0a,#0af,#af0)"><form><input placeholder="link"><button>Go</button></form></body></html>
HTML
cat >"$tmp/bare/main.go" <<'GO'
package main

import (
	"embed"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
)

//go:embed all:frontend
var assets embed.FS

func main() {
	if err := wails.Run(&options.App{Title: "Bare Wails", Width: 1024, Height: 768,
		AssetServer: &assetserver.Options{Assets: assets}}); err != nil {
		println(err.Error())
	}
}
GO
# Built once per Wails version and kept beside the release binary.
bare=build/bin/bare-wails-$wails_version
if [ ! -x "$bare" ]; then
	(cd "$tmp/bare" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 && go build -tags "$tags" -o "$tmp/bare/bare" .) || {
		echo "FAIL: the bare Wails app did not build (offline module cache?)"
		exit 1
	}
	mkdir -p build/bin && cp "$tmp/bare/bare" "$bare"
fi

# tree PID: the process and all its descendants.
tree() {
	echo "$1"
	for c in $(pgrep -P "$1" || true); do tree "$c"; done
}
# mem PID: "rss_kB pss_kB" summed over the tree.
mem() {
	local rss=0 pss=0 r p
	for p in $(tree "$1"); do
		r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
		rss=$((rss + ${r:-0}))
		r=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		pss=$((pss + ${r:-0}))
	done
	echo "$rss $pss"
}
# run NAME BIN: starts BIN, prints "start_ms rss_kB pss_kB procs".
run() {
	local name=$1 exe=$2 t0 pid wid ms colours
	t0=$(date +%s%N)
	"$exe" >"$tmp/$name.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	wid=
	for _ in $(seq 1 600); do
		wid=$(xdotool search --onlyvisible --name "^$3\$" 2>/dev/null | head -1 || true)
		[ -n "$wid" ] && break
		sleep 0.02
	done
	[ -n "$wid" ] || { echo "FAIL: $name: no window within 12 s" >&2; cat "$tmp/$name.log" >&2; echo "-1 0 0 0"; return; }
	ms=-1
	for _ in $(seq 1 400); do
		colours=$(import -window "$wid" png:- 2>/dev/null | convert png:- -format %k info: 2>/dev/null || echo 0)
		if [ "${colours:-0}" -gt 20 ]; then
			ms=$((($(date +%s%N) - t0) / 1000000))
			break
		fi
		sleep 0.05
	done
	sleep 2 # settle, then measure the steady state with the form shown
	read -r rss pss < <(mem "$pid")
	echo "$ms $rss $pss $(tree "$pid" | wc -l)"
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# Three alternating runs of each; the median of each figure is reported (one
# run on a shared 2-core machine swings by half a second).
runs=${YTSUM_BENCH_WINDOW_RUNS:-3}
: >"$tmp/bare.runs"
: >"$tmp/app.runs"
for _ in $(seq 1 "$runs"); do
	run bare "$bare" "Bare Wails" >>"$tmp/bare.runs"
	run ytsum "$bin" "YouTube Summarizer" >>"$tmp/app.runs"
done
# median FILE COLUMN: the median of a column (a failed run's -1 sorts first).
median() { awk -v c="$2" '{print $c}' "$1" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
bare_ms=$(median "$tmp/bare.runs" 1) bare_rss=$(median "$tmp/bare.runs" 2) bare_pss=$(median "$tmp/bare.runs" 3) bare_n=$(median "$tmp/bare.runs" 4)
app_ms=$(median "$tmp/app.runs" 1) app_rss=$(median "$tmp/app.runs" 2) app_pss=$(median "$tmp/app.runs" 3) app_n=$(median "$tmp/app.runs" 4)
echo "window: runs (ms RSS-kB PSS-kB processes) — bare: $(paste -sd';' "$tmp/bare.runs"); ytsum: $(paste -sd';' "$tmp/app.runs")"

fail=0
row() { printf '%-64s %14s  %-24s %s\n' "$1" "$2" "$3" "$4"; [ "$4" = FAIL ] && fail=1 || true; }
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }
row "window: cold start to a usable form (ytsum, UI painted), median of $runs" "${app_ms} ms" "< 1500 ms" "$(verdict $((app_ms >= 0 && app_ms < 1500)))"
row "window: bare Wails app, start to painted page" "${bare_ms} ms" "-" info
limit=$((bare_rss + 60 * 1024))
row "window: RSS of ytsum, Go + WebKit ($app_n processes, summed VmRSS)" "$((app_rss / 1024)) MB" "< $((limit / 1024)) MB (bare + 60)" "$(verdict $((app_rss > 0 && app_rss < limit)))"
row "window: RSS of the bare Wails app ($bare_n processes)" "$((bare_rss / 1024)) MB" "-" info
row "window: PSS of ytsum / of the bare app" "$((app_pss / 1024)) / $((bare_pss / 1024)) MB" "-" info
exit $fail
