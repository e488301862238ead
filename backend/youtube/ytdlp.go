package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"ytsum/backend/ytsum"
)

// ytDlpBinary finds the yt-dlp executable; false when it is not installed.
func (c *Client) ytDlpBinary() (string, bool) {
	name := c.opts.YtDlpPath
	if name == "" {
		name = "yt-dlp"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		c.log.Debug("youtube: yt-dlp fallback enabled but not found", "path", name, "err", err)
		return "", false
	}
	return p, true
}

// subLangs is yt-dlp's --sub-langs for the preferred languages: each base
// language with any region or -orig suffix ("de.*,en.*").
func subLangs(langs []string) string {
	var out []string
	seen := make(map[string]bool)
	for _, l := range langs {
		b := strings.ToLower(langBase(l))
		ok := b != ""
		for i := 0; i < len(b); i++ {
			if !(b[i] >= 'a' && b[i] <= 'z' || b[i] >= '0' && b[i] <= '9') {
				ok = false
			}
		}
		if ok && !seen[b] {
			seen[b] = true
			out = append(out, b+".*")
		}
	}
	if len(out) == 0 {
		out = []string{"en.*"}
	}
	return strings.Join(out, ",")
}

// tailWriter keeps the last n bytes written to it.
type tailWriter struct {
	n   int
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if len(w.buf) > w.n {
		w.buf = w.buf[len(w.buf)-w.n:]
	}
	return len(p), nil
}

// ytDlpTranscript runs yt-dlp --skip-download for the video's subtitles as
// json3 and picks the best file with the same language rules as the
// innertube path. It holds one concurrency slot and respects the global
// slow-down while yt-dlp runs.
func (c *Client) ytDlpTranscript(ctx context.Context, bin, id string, langs []string) (*ytsum.Transcript, error) {
	dir, err := os.MkdirTemp("", "ytsum-ytdlp-")
	if err != nil {
		return nil, errYtDlpFailed(fmt.Errorf("youtube: yt-dlp temp dir: %w", err))
	}
	defer os.RemoveAll(dir)

	if err := c.acquire(ctx); err != nil {
		return nil, errCancelled(err)
	}
	defer c.release()
	if err := c.gov.wait(ctx); err != nil {
		return nil, errCancelled(err)
	}

	rctx, cancel := context.WithTimeout(ctx, c.opts.YtDlpTimeout)
	defer cancel()
	args := []string{"--skip-download", "--write-subs", "--write-auto-subs", "--write-info-json",
		"--sub-langs", subLangs(langs), "--sub-format", "json3", "--no-playlist", "--no-warnings",
		"--no-progress", "-o", "%(id)s.%(ext)s", "-P", dir, ytsum.WatchURL(id)}
	cmd := exec.CommandContext(rctx, bin, args...)
	cmd.Dir = dir
	stderr := &tailWriter{n: 8 << 10}
	cmd.Stderr = stderr
	cmd.Stdout = &tailWriter{n: 4 << 10}
	cmd.WaitDelay = 500 * time.Millisecond
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, errCancelled(ctx.Err())
	}
	if runErr != nil {
		msg := string(stderr.buf)
		cause := fmt.Errorf("youtube: yt-dlp %s: %w: %s", id, runErr, lastLine(msg))
		if rctx.Err() != nil {
			return nil, errYtDlpFailed(fmt.Errorf("youtube: yt-dlp %s timed out after %s", id, c.opts.YtDlpTimeout))
		}
		low := strings.ToLower(msg)
		switch {
		case strings.Contains(low, "not a bot") || strings.Contains(low, "sign in to confirm you"):
			c.gov.refused(0)
			return nil, errYtDlpBlocked(cause)
		case strings.Contains(low, "http error 429") || strings.Contains(low, "too many requests"):
			c.gov.refused(0)
			return nil, errRateLimited(0, cause)
		case strings.Contains(low, "private video"):
			return nil, errVideoPrivate(cause)
		case strings.Contains(low, "confirm your age") || strings.Contains(low, "age-restricted"):
			return nil, errAgeRestricted(cause)
		case strings.Contains(low, "video unavailable"):
			return nil, errVideoUnavailable(cause)
		}
		return nil, errYtDlpFailed(cause)
	}
	return c.pickYtDlpFile(dir, id, langs)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	l := lines[len(lines)-1]
	if len(l) > 300 {
		l = l[:300]
	}
	return l
}

// ytDlpFile is one subtitle file yt-dlp wrote.
type ytDlpFile struct {
	path, lang, kind string
}

// pickYtDlpFile classifies the json3 files (manual when the language is in
// the info JSON's "subtitles"; auto-generated when it is the original ASR
// language, marked by a "-orig" twin; translated otherwise) and returns the
// best one with text.
func (c *Client) pickYtDlpFile(dir, id string, langs []string) (*ytsum.Transcript, error) {
	var info struct {
		Subtitles         map[string]json.RawMessage `json:"subtitles"`
		AutomaticCaptions map[string]json.RawMessage `json:"automatic_captions"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, id+".info.json")); err == nil {
		_ = json.Unmarshal(b, &info)
	}
	hasOrig := false
	for k := range info.AutomaticCaptions {
		if strings.HasSuffix(k, "-orig") {
			hasOrig = true
		}
	}
	names, _ := filepath.Glob(filepath.Join(dir, id+".*.json3"))
	sort.Strings(names)
	var files []ytDlpFile
	for _, p := range names {
		lang := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), id+"."), ".json3")
		f := ytDlpFile{path: p, lang: strings.TrimSuffix(lang, "-orig"), kind: ytsum.TranscriptGenerated}
		_, manual := info.Subtitles[lang]
		_, orig := info.AutomaticCaptions[lang+"-orig"]
		switch {
		case manual:
			f.kind = ytsum.TranscriptManual
		case strings.HasSuffix(lang, "-orig") || orig || !hasOrig:
			f.kind = ytsum.TranscriptGenerated
		default:
			f.kind = ytsum.TranscriptTranslated
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, errYtDlpNoSubtitles(fmt.Errorf("youtube: yt-dlp wrote no subtitles for %s", id))
	}
	var order []ytDlpFile
	seen := make(map[string]bool)
	add := func(f ytDlpFile) {
		if !seen[f.path] {
			seen[f.path] = true
			order = append(order, f)
		}
	}
	for _, p := range langs {
		for _, kind := range []string{ytsum.TranscriptManual, ytsum.TranscriptGenerated} {
			for _, level := range []int{2, 1} {
				for _, f := range files {
					if f.kind == kind && langMatch(p, f.lang) == level {
						add(f)
					}
				}
			}
		}
	}
	for _, p := range langs {
		for _, f := range files {
			if f.kind == ytsum.TranscriptTranslated && langMatch(p, f.lang) > 0 {
				add(f)
			}
		}
	}
	for _, f := range files {
		add(f)
	}
	var lastErr error
	for _, f := range order {
		b, err := os.ReadFile(f.path)
		if err != nil {
			lastErr = err
			continue
		}
		segs, err := ParseTimedText(b)
		if err != nil {
			lastErr = err
			continue
		}
		if len(segs) == 0 {
			continue
		}
		return &ytsum.Transcript{VideoID: id, Language: f.lang, LanguageName: f.lang, Kind: f.kind,
			Source: "yt-dlp", Segments: segs, FetchedAt: c.now().UTC()}, nil
	}
	if lastErr == nil {
		lastErr = errors.New("every subtitle file was empty")
	}
	return nil, errYtDlpNoSubtitles(fmt.Errorf("youtube: yt-dlp %s: %w", id, lastErr))
}
