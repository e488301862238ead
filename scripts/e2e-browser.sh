#!/usr/bin/env bash
# Browser end-to-end: the real `ytsum serve` (no API keys: the built-in local
# model summarizes, the offline espeak-ng voice speaks) against the fake
# YouTube of scripts/fakeupstream, driven by frontend/e2e/browser.e2e.mjs in
# headless Chromium: summarize a playlist to 100 %, search, play audio,
# delete, cancel, light and dark screenshots; any console error fails it.
# With MODE "gemini" or "openai" it is the user's run with a key: a fake key
# is set in the environment and the provider's URL points at the fake LLM of
# scripts/fakeupstream; the form is submitted as it opens, and the LLM's
# summary must appear (the other steps are the keyless run's).
# Usage: scripts/e2e-browser.sh BIN OUT [nokeys|gemini|openai]
set -euo pipefail
bin=${1:?binary}; out=${2:-test-output}; mode=${3:-nokeys}
[ -x "$bin" ] || { echo "e2e-browser: $bin is missing; run 'make build' first" >&2; exit 1; }
shots="$out/e2e"; slog="$out/e2e-serve.log"
[ "$mode" = nokeys ] || { shots="$out/e2e-$mode"; slog="$out/e2e-serve-$mode.log"; }
mkdir -p "$shots"
tmp=$(mktemp -d)
fpid=; spid=; bpid=
cleanup() {
  [ -n "$spid" ] && kill "$spid" 2>/dev/null || true
  [ -n "$fpid" ] && kill "$fpid" 2>/dev/null || true
  [ -n "$bpid" ] && kill "$bpid" 2>/dev/null || true # the keyring daemon leaves with its bus
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# 1. The fake YouTube (built once; its first line is its URL).
go build -o "$tmp/fakeupstream" ./scripts/fakeupstream
mkfifo "$tmp/fake.out"
"$tmp/fakeupstream" >"$tmp/fake.out" 2>"$out/e2e-fake.log" &
fpid=$!
exec 3<"$tmp/fake.out"
read -r -t 20 fake <&3 || { echo "e2e-browser: the fake YouTube did not start" >&2; cat "$out/e2e-fake.log" >&2; exit 1; }
declare -A link=()
while read -r -t 5 name value <&3; do
  link[$name]=$value
  [ "$name" = search ] && break
done
cat <&3 >/dev/null &
echo "e2e-browser: fake YouTube at $fake"

# 2. The real server, on a private data dir and HOME, pointed at the fake.
export HOME="$tmp/home" YTSUM_DATA_DIR="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
mkdir -p "$HOME"
export YTSUM_YOUTUBE_URL="$fake" YTSUM_THUMBNAIL_URL="$fake"
# No API keys anywhere: the local model summarizes and the offline voice
# speaks; the cloud providers are unavailable and never called. The keychain
# is a throw-away, unlocked GNOME keyring on a private session bus.
unset DISPLAY WAYLAND_DISPLAY GEMINI_API_KEY GOOGLE_API_KEY OPENAI_API_KEY GOOGLE_TTS_API_KEY \
  GOOGLE_APPLICATION_CREDENTIALS YTSUM_GEMINI_URL YTSUM_OPENAI_URL YTSUM_TTS_URL
export XDG_DATA_HOME="$tmp/xdgdata" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS
if command -v dbus-daemon >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  bus=$(dbus-daemon --session --fork --print-address=1 --print-pid=1 --nopidfile)
  export DBUS_SESSION_BUS_ADDRESS=$(sed -n 1p <<<"$bus")
  bpid=$(sed -n 2p <<<"$bus")
  echo -n ytsum-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
fi
case "$mode" in
  nokeys) ;;
  # The fake LLM signs each summary with the model that wrote it ("FAKE-LLM summary by <model>"):
  # the provider whose key is set must be the one that answered.
  gemini) export GEMINI_API_KEY=AIzaFakeE2EKey0123456789 YTSUM_GEMINI_URL=${link[llm]} E2E_EXPECT_TEXT="FAKE-LLM summary by gemini-" ;;
  openai) export OPENAI_API_KEY=sk-fake-e2e-0123456789 YTSUM_OPENAI_URL=${link[llm]}/v1 E2E_EXPECT_TEXT="FAKE-LLM summary by gpt-" ;;
  *) echo "e2e-browser: unknown mode $mode (nokeys, gemini or openai)" >&2; exit 2 ;;
esac
echo "e2e-browser: run $mode"
mkfifo "$tmp/serve.out"
"$bin" serve --addr 127.0.0.1:0 >"$tmp/serve.out" 2>"$slog" &
spid=$!
exec 4<"$tmp/serve.out"
read -r -t 30 first <&4 || { echo "e2e-browser: no first line from ytsum serve" >&2; cat "$slog" >&2; exit 1; }
cat <&4 >/dev/null &
case "$first" in
  "listening on http://127.0.0.1:"*) url=${first#listening on } ;;
  *) echo "e2e-browser: unexpected first line: $first" >&2; exit 1 ;;
esac
echo "e2e-browser: $first"
# Every route the UI calls at load answers 200.
for route in /login_status /api_status /jobs /settings /api/voices /admin/backups /api/cache/status /system_health \
  /performance_metrics /get_cached_summaries "/get_cached_summaries?page=1&per_page=10" /thumbnails/dQw4w9WgXcQ; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url$route")
  [ "$code" = 200 ] || { echo "e2e-browser: GET $route answered $code (want 200)" >&2; exit 1; }
done
echo "e2e-browser: the routes the UI calls at load answer 200"
# Hermetic: a local LLM server on this machine (or a test listening on
# LM Studio's port 1234) must not become the automatic model.
code=$(curl -s -o "$tmp/settings.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d '{"local_discovery":false}' "$url/settings")
[ "$code" = 200 ] || { echo "e2e-browser: turning local discovery off answered $code: $(cat "$tmp/settings.json")" >&2; exit 1; }

# 3. The scenario in headless Chromium.
export E2E_PLAYLIST_URL=${link[playlist]} E2E_VIDEO_URL=${link[video]} E2E_CANCEL_URL=${link[slow]} E2E_SEARCH_WORD=${link[search]}
export E2E_CHANNEL_URL=${link[channel]:-} E2E_FAKE_CONTROL=${link[control]:-} # the subscriptions scenario
set +e
dbus-run-session -- node frontend/e2e/browser.e2e.mjs "$url/" "$shots"
code=$?
set -e
if [ "$code" != 0 ]; then
  echo "e2e-browser: FAILED ($mode); server log: $slog, screenshots: $shots/" >&2
  tail -n 40 "$slog" >&2
  exit 1
fi
kill -TERM "$spid"
set +e; wait "$spid"; scode=$?; set -e
spid=
[ "$scode" = 0 ] || { echo "e2e-browser: ytsum serve exited $scode after SIGTERM" >&2; exit 1; }
echo "e2e-browser: ok, $mode (screenshots in $shots/)"
