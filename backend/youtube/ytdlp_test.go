package youtube

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

// fakeYtDlp is a stand-in for yt-dlp: it parses -P and the URL, writes
// canned files by $FAKE_YTDLP_MODE and logs its arguments to
// $FAKE_YTDLP_ARGS.
const fakeYtDlp = `#!/bin/sh
if [ -n "$FAKE_YTDLP_ARGS" ]; then printf '%s\n' "$@" > "$FAKE_YTDLP_ARGS"; fi
dir=.
url=
while [ $# -gt 0 ]; do
  case "$1" in
    -P) dir="$2"; shift 2 ;;
    -o|--sub-langs|--sub-format) shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
id="${url##*v=}"
J='{"wireMagic":"pb3","events":[{"tStartMs":0,"dDurationMs":1500,"segs":[{"utf8":"from"},{"utf8":" yt-dlp"}]},{"tStartMs":1500,"dDurationMs":500,"segs":[{"utf8":"\n"}]}]}'
case "$FAKE_YTDLP_MODE" in
  manual)
    printf '%s' "$J" > "$dir/$id.en.json3"
    printf '{"id":"%s","subtitles":{"en":[{"ext":"json3"}]},"automatic_captions":{}}' "$id" > "$dir/$id.info.json" ;;
  auto)
    printf '%s' "$J" > "$dir/$id.en-orig.json3"
    printf '%s' "$J" > "$dir/$id.de.json3"
    printf '{"id":"%s","subtitles":{},"automatic_captions":{"en-orig":[],"en":[],"de":[]}}' "$id" > "$dir/$id.info.json" ;;
  nosubs)
    printf '{"id":"%s","subtitles":{},"automatic_captions":{}}' "$id" > "$dir/$id.info.json" ;;
  empty)
    printf '{"wireMagic":"pb3","events":[]}' > "$dir/$id.en.json3" ;;
  blocked)
    echo "ERROR: [youtube] $id: Sign in to confirm you’re not a bot. Use --cookies-from-browser or --cookies for the authentication." >&2
    exit 1 ;;
  ratelimited)
    echo "ERROR: Unable to download video subtitles for 'en': HTTP Error 429: Too Many Requests" >&2
    exit 1 ;;
  fail)
    echo "ERROR: [youtube] $id: Requested format is not available" >&2
    exit 1 ;;
  hang)
    : > "$FAKE_YTDLP_ARGS.started"
    exec sleep 30 ;;
esac
exit 0
`

// installFakeYtDlp puts the fake first on PATH and returns the args log.
func installFakeYtDlp(t *testing.T, mode string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake yt-dlp is a shell script")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "yt-dlp"), []byte(fakeYtDlp), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_YTDLP_MODE", mode)
	args := filepath.Join(t.TempDir(), "args")
	t.Setenv("FAKE_YTDLP_ARGS", args)
	return args
}

func enabled() bool { return true }

func TestYtDlpFallbackSuccess(t *testing.T) {
	tests := []struct {
		name  string
		mode  string
		id    string
		langs []string
		lang  string
		kind  string
	}{
		{"manual after transcripts disabled", "manual", idDisabled, []string{"en"}, "en", ytsum.TranscriptManual},
		{"after PO-token-gated captions", "manual", idXPE, []string{"en"}, "en", ytsum.TranscriptManual},
		{"after a bot check", "manual", idBlocked, []string{"en"}, "en", ytsum.TranscriptManual},
		{"original ASR before a translation", "auto", idOutdated, []string{"de", "en"}, "en", ytsum.TranscriptGenerated},
		{"translation when it is all there is", "auto", idOutdated, []string{"de"}, "de", ytsum.TranscriptTranslated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			argsLog := installFakeYtDlp(t, tc.mode)
			f := newFake(t)
			cache := newMemCache()
			c := f.client(Options{YtDlp: enabled, Cache: cache})
			tr, err := c.Transcript(context.Background(), tc.id, tc.langs)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Source != "yt-dlp" || tr.Language != tc.lang || tr.Kind != tc.kind || tr.Text() != "from yt-dlp" ||
				tr.VideoID != tc.id || tr.Segments[0].Duration != 1.5 {
				t.Fatalf("transcript %+v", tr)
			}
			if cache.puts != 1 {
				t.Errorf("yt-dlp transcript not cached")
			}
			b, err := os.ReadFile(argsLog)
			if err != nil {
				t.Fatal(err)
			}
			args := strings.Split(strings.TrimSpace(string(b)), "\n")
			for _, want := range []string{"--skip-download", "--write-subs", "--write-auto-subs", "--no-playlist",
				"json3", ytsum.WatchURL(tc.id)} {
				if !contains(args, want) {
					t.Errorf("yt-dlp args %q lack %q", args, want)
				}
			}
			if wantLangs := subLangs(tc.langs); !contains(args, wantLangs) {
				t.Errorf("yt-dlp args %q lack --sub-langs %q", args, wantLangs)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestYtDlpErrors(t *testing.T) {
	tests := []struct {
		mode string
		kind string // of the yt-dlp run itself
	}{
		{"nosubs", KindYtDlpNoSubtitles},
		{"empty", KindYtDlpNoSubtitles},
		{"blocked", KindYtDlpBlocked},
		{"ratelimited", KindRateLimited},
		{"fail", KindYtDlpFailed},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			installFakeYtDlp(t, tc.mode)
			f := newFake(t)
			c := f.client(Options{YtDlp: enabled})
			bin, ok := c.ytDlpBinary()
			if !ok {
				t.Fatal("fake yt-dlp not found on PATH")
			}
			_, err := c.ytDlpTranscript(context.Background(), bin, idOK, []string{"en"})
			wantKind(t, err, tc.kind)

			// Through Transcript: a specific innertube error stands…
			_, err = c.Transcript(context.Background(), idDisabled, []string{"en"})
			wantKind(t, err, KindTranscriptsDisabled)
			// …a vague one gives way to yt-dlp's.
			_, err = c.Transcript(context.Background(), idOutdated, []string{"en"})
			wantKind(t, err, tc.kind)
		})
	}
}

func TestYtDlpNotUsed(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		id   string
		kind string
	}{
		{"disabled", Options{YtDlp: func() bool { return false }}, idDisabled, KindTranscriptsDisabled},
		{"no option", Options{}, idDisabled, KindTranscriptsDisabled},
		{"not installed", Options{YtDlp: enabled, YtDlpPath: "yt-dlp-is-not-installed-here"}, idDisabled, KindTranscriptsDisabled},
		{"would not help", Options{YtDlp: enabled}, idUnavailable, KindVideoUnavailable},
		{"would not help either", Options{YtDlp: enabled}, idAge, KindAgeRestricted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			argsLog := installFakeYtDlp(t, "manual")
			f := newFake(t)
			_, err := f.client(tc.opts).Transcript(context.Background(), tc.id, nil)
			wantKind(t, err, tc.kind)
			if _, err := os.Stat(argsLog); err == nil {
				t.Errorf("yt-dlp ran")
			}
		})
	}
}

// waitFile waits for path to exist, with a deadline.
func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestYtDlpCancelAndTimeout(t *testing.T) {
	argsLog := installFakeYtDlp(t, "hang")
	f := newFake(t)

	c := f.client(Options{YtDlp: enabled})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Transcript(ctx, idDisabled, nil)
		done <- err
	}()
	waitFile(t, argsLog+".started") // yt-dlp is running
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		wantKind(t, err, KindCancelled)
		if d := time.Since(start); d > time.Second {
			t.Errorf("cancelling yt-dlp took %s", d)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("cancel did not stop yt-dlp")
	}

	c = f.client(Options{YtDlp: enabled, YtDlpTimeout: 150 * time.Millisecond})
	start = time.Now()
	bin, _ := c.ytDlpBinary()
	_, err := c.ytDlpTranscript(context.Background(), bin, idOK, nil)
	wantKind(t, err, KindYtDlpFailed)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout took %s", d)
	}
}

func TestSubLangs(t *testing.T) {
	if got := subLangs([]string{"de-AT", "en", "EN-us", "x;rm", ""}); got != "de.*,en.*" {
		t.Errorf("subLangs = %q", got)
	}
	if got := subLangs(nil); got != "en.*" {
		t.Errorf("subLangs(nil) = %q", got)
	}
}
