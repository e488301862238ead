#!/usr/bin/env bash
# Native smoke, run under xvfb-run + dbus-run-session: the real WebKitGTK
# window maps, the UI renders, a screenshot is taken; then the window closes.
set -euo pipefail
bin=${1:?binary}; out=${2:-test-output}
[ -x "$bin" ] || { echo "smoke-native: $bin is missing; run 'make build' first" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" YTSUM_DATA_DIR="$tmp/ytsum"
mkdir -p "$HOME"
# D-Bus-activated helpers (a keyring) must see the temporary HOME, not root's.
dbus-update-activation-environment HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME 2>/dev/null || true
export YTSUM_YOUTUBE_URL=http://127.0.0.1:9 YTSUM_GEMINI_URL=http://127.0.0.1:9 YTSUM_OPENAI_URL=http://127.0.0.1:9 YTSUM_TTS_URL=http://127.0.0.1:9
unset GEMINI_API_KEY GOOGLE_API_KEY OPENAI_API_KEY
"$bin" >"$out/native.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
wid=$(timeout 30 xdotool search --sync --onlyvisible --name '^YouTube Summarizer$' | head -1 || true)
[ -n "$wid" ] || { echo "smoke-native: no window appeared" >&2; cat "$out/native.log" >&2; exit 1; }
xwininfo -id "$wid" | grep -E 'Width|Height|Map State'
xwininfo -id "$wid" | grep -q 'IsViewable' || { echo "smoke-native: window not viewable" >&2; exit 1; }
# Wait until the web view has painted the UI (not a blank page): the window
# shows more than a handful of distinct colours.
ok=
for _ in $(seq 1 40); do
  import -window "$wid" "$out/native.png" 2>/dev/null || true
  colours=$(convert "$out/native.png" -format %k info: 2>/dev/null || echo 0)
  if [ "${colours:-0}" -gt 20 ]; then ok=1; break; fi
  sleep 0.5
done
[ -n "$ok" ] || { echo "smoke-native: the window stayed blank" >&2; cat "$out/native.log" >&2; exit 1; }
echo "smoke-native: window $wid rendered ($colours colours), screenshot $out/native.png"
kill -TERM "$pid"
set +e; wait "$pid"; code=$?; set -e
echo "smoke-native: window closed (exit $code)"
