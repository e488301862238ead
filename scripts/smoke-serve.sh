#!/usr/bin/env bash
# Headless smoke of `ytsum serve`: no display; the first stdout line is the
# address; /api_status answers JSON; the web UI loads in headless Chromium with
# no console errors; SIGTERM drains and exits 0.
set -euo pipefail
bin=${1:?binary}; out=${2:-test-output}
[ -x "$bin" ] || { echo "smoke-serve: $bin is missing; run 'make build' first" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export YTSUM_DATA_DIR="$tmp/data" HOME="$tmp/home"
mkdir -p "$HOME"
# Nothing the server does in this smoke may reach out.
export YTSUM_YOUTUBE_URL=http://127.0.0.1:9 YTSUM_GEMINI_URL=http://127.0.0.1:9 YTSUM_OPENAI_URL=http://127.0.0.1:9 YTSUM_TTS_URL=http://127.0.0.1:9
unset DISPLAY WAYLAND_DISPLAY GEMINI_API_KEY GOOGLE_API_KEY OPENAI_API_KEY
mkfifo "$tmp/out"
"$bin" serve --addr 127.0.0.1:0 >"$tmp/out" 2>"$out/serve.log" &
pid=$!
exec 3<"$tmp/out"
read -r -t 30 first <&3 || { echo "smoke-serve: no first line within 30 s" >&2; cat "$out/serve.log" >&2; exit 1; }
cat <&3 >/dev/null &
case "$first" in
  "listening on http://127.0.0.1:"*) url=${first#listening on } ;;
  *) echo "smoke-serve: unexpected first line: $first" >&2; exit 1 ;;
esac
echo "smoke-serve: $first"
status=$(curl -fsS "$url/api_status")
echo "$status" | node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8")); if(!("version" in s)) {console.error("api_status without version"); process.exit(1)}'
echo "smoke-serve: /api_status is JSON"
dbus-run-session -- node frontend/e2e/smoke.mjs "$url/" "$out"
kill -TERM "$pid"
set +e; wait "$pid"; code=$?; set -e
[ "$code" = 0 ] || { echo "smoke-serve: exit status $code after SIGTERM (want 0)" >&2; cat "$out/serve.log" >&2; exit 1; }
echo "smoke-serve: SIGTERM -> exit 0"
