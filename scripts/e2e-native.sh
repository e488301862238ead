#!/usr/bin/env bash
# Native end-to-end, run under xvfb-run + dbus-run-session (see the Makefile's
# e2e-native): the real WebKitGTK window, with --http so that this script can
# watch the API, against the fake YouTube of scripts/fakeupstream. It clicks
# into the links box, types a video link, presses Ctrl+Enter, waits for the
# summary in the library (GET /get_cached_summaries, deadline 90 s) and checks
# that the window shows it (the video's thumbnail colour appears on screen).
# With MODE "gemini" or "openai" a fake key is set and the provider's URL
# points at the fake LLM of scripts/fakeupstream: the summary typed into the
# untouched form must be the LLM's ("FAKE-LLM summary…"), never local.
# Usage: scripts/e2e-native.sh BIN OUT [nokeys|gemini|openai]
set -euo pipefail
bin=${1:?binary}; out=${2:-test-output}; mode=${3:-nokeys}
[ -x "$bin" ] || { echo "e2e-native: $bin is missing; run 'make build' first" >&2; exit 1; }
[ -n "${DISPLAY:-}" ] || { echo "e2e-native: no DISPLAY; run it under xvfb-run (make e2e-native)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
fpid=; wpid=
cleanup() {
  [ -n "$wpid" ] && kill "$wpid" 2>/dev/null || true
  [ -n "$fpid" ] && kill "$fpid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "e2e-native: $*" >&2; [ -f "$out/native-e2e.log" ] && tail -n 30 "$out/native-e2e.log" >&2; exit 1; }

# 1. The fake YouTube.
go build -o "$tmp/fakeupstream" ./scripts/fakeupstream
mkfifo "$tmp/fake.out"
"$tmp/fakeupstream" >"$tmp/fake.out" 2>"$out/native-e2e-fake.log" &
fpid=$!
exec 3<"$tmp/fake.out"
read -r -t 20 fake <&3 || fail "the fake YouTube did not start"
declare -A link=()
while read -r -t 5 name value <&3; do
  link[$name]=$value
  [ "$name" = search ] && break
done
cat <&3 >/dev/null &
video=${link[video]}
vid=${video##*v=}
echo "e2e-native: fake YouTube at $fake, video $vid"

# The thumbnail's average colour: once the summary card shows, the screen has it.
curl -fsS "$fake/vi/$vid/hqdefault.jpg" -o "$tmp/thumb.jpg"
colour=$(convert "$tmp/thumb.jpg" -resize 1x1\! -format '%[pixel:p{0,0}]' info:)
shown() { # pixels of the screenshot $1 near the thumbnail colour
  convert "$1" -alpha off -fuzz 4% -fill black +opaque "$colour" -fill white -opaque "$colour" -format '%[fx:round(mean*w*h)]' info:
}

# 2. The window, on private HOME/XDG dirs, with the HTTP API on a free port.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" YTSUM_DATA_DIR="$tmp/ytsum"
mkdir -p "$HOME"
# Services the session bus starts from now on (a keyring) use these dirs too.
dbus-update-activation-environment HOME XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME 2>/dev/null || true
export YTSUM_YOUTUBE_URL="$fake" YTSUM_THUMBNAIL_URL="$fake"
unset GEMINI_API_KEY GOOGLE_API_KEY OPENAI_API_KEY GOOGLE_TTS_API_KEY GOOGLE_APPLICATION_CREDENTIALS YTSUM_GEMINI_URL YTSUM_OPENAI_URL YTSUM_TTS_URL
case "$mode" in
  nokeys) ;;
  gemini) export GEMINI_API_KEY=AIzaFakeE2EKey0123456789 YTSUM_GEMINI_URL=${link[llm]} ;;
  openai) export OPENAI_API_KEY=sk-fake-e2e-0123456789 YTSUM_OPENAI_URL=${link[llm]}/v1 ;;
  *) fail "unknown mode $mode (nokeys, gemini or openai)" ;;
esac
echo "e2e-native: run $mode"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
api="http://127.0.0.1:$port"
"$bin" --http "127.0.0.1:$port" >"$out/native-e2e.log" 2>&1 &
wpid=$!
wid=$(timeout 30 xdotool search --sync --onlyvisible --name '^YouTube Summarizer$' | head -1 || true)
[ -n "$wid" ] || fail "no window appeared"
for _ in $(seq 1 60); do curl -fsS -o /dev/null "$api/api_status" 2>/dev/null && break; sleep 0.5; done
curl -fsS -o /dev/null "$api/api_status" || fail "the --http API on $api does not answer"
# Wait until the UI has painted (more than a handful of colours).
ok=
for _ in $(seq 1 60); do
  import -window "$wid" "$tmp/before.png" 2>/dev/null || true
  colours=$(convert "$tmp/before.png" -format %k info: 2>/dev/null || echo 0)
  if [ "${colours:-0}" -gt 20 ]; then ok=1; break; fi
  sleep 0.5
done
[ -n "$ok" ] || fail "the window stayed blank"
sleep 1 # let the first render settle (fonts, layout) before clicking
import -window "$wid" "$tmp/before.png"
before=$(shown "$tmp/before.png")
eval "$(xdotool getwindowgeometry --shell "$wid")" # WIDTH HEIGHT
echo "e2e-native: window $wid ${WIDTH}x${HEIGHT}, API $api"

# 3. Type into the links box, Ctrl+Enter.
# The links box has the focus when the window opens (autofocus): give the
# window the keyboard and type; a click at a fixed place would miss it when
# the first-run welcome sits above the form.
xdotool windowfocus --sync "$wid" 2>/dev/null || true
sleep 0.3
xdotool type --delay 15 "$video"
xdotool key ctrl+Return

# 4. The summary reaches the library…
deadline=$((SECONDS + 90))
until curl -fsS "$api/get_cached_summaries" 2>/dev/null | grep -q "\"video_id\":\"$vid\""; do
  if [ $SECONDS -ge $deadline ]; then
    import -window "$wid" "$out/native-e2e.png" 2>/dev/null || true
    fail "no summary of $vid within 90 s (screenshot $out/native-e2e.png)"
  fi
  sleep 0.5
done
echo "e2e-native: the summary of $vid is in the library after $((90 - deadline + SECONDS)) s"
if [ "$mode" != nokeys ]; then
  lib=$(curl -fsS "$api/get_cached_summaries")
  grep -q 'FAKE-LLM summary' <<<"$lib" || fail "with a $mode key the summary is not the LLM's: $(head -c 600 <<<"$lib")"
  grep -q '"model_used":"local"' <<<"$lib" && fail "with a $mode key the window's form sent the local model"
  echo "e2e-native: with a $mode key the untouched form gave the LLM's summary"
fi
# …and the window shows it.
seen=0
for _ in $(seq 1 40); do
  import -window "$wid" "$out/native-e2e.png"
  seen=$(shown "$out/native-e2e.png")
  [ "$seen" -gt $((before + 500)) ] && break
  sleep 0.5
done
[ "$seen" -gt $((before + 500)) ] || fail "the window does not show the summary card ($seen pixels of $colour, $before before; see $out/native-e2e.png)"
echo "e2e-native: the window shows the summary ($seen pixels of its thumbnail colour), screenshot $out/native-e2e.png"
# 5. Follow a channel (through --http; the window hears it on the one
# broker): its newest video is summarized and the window's title counts it
# as new ("YouTube Summarizer (1 new)"), through the subscription and job
# events the window receives.
if [ "$mode" = nokeys ] && [ -n "${link[channel]:-}" ]; then
  code=$(curl -s -o "$tmp/follow.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d "{\"url\":\"${link[channel]}\",\"backfill\":1}" "$api/subscriptions")
  [ "$code" = 201 ] || fail "following ${link[channel]} answered $code: $(cat "$tmp/follow.json")"
  deadline=$((SECONDS + 90))
  until xdotool getwindowname "$wid" 2>/dev/null | grep -q '(1 new)'; do
    if [ $SECONDS -ge $deadline ]; then
      import -window "$wid" "$out/native-e2e-follow.png" 2>/dev/null || true
      fail "the window's title does not count the followed channel's new summary: '$(xdotool getwindowname "$wid")' (screenshot $out/native-e2e-follow.png)"
    fi
    sleep 0.5
  done
  echo "e2e-native: followed a channel; the window's title is '$(xdotool getwindowname "$wid")'"
fi
kill -TERM "$wpid"
set +e; wait "$wpid"; code=$?; set -e
wpid=
echo "e2e-native: window closed (exit $code)"
