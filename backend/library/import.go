package library

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/blake2b"

	"ytsum/backend/store"
	"ytsum/backend/ytsum"
)

// Names of the original app's files inside its DATA_DIR.
const (
	OriginalCacheFile = "summary_cache.json"
	OriginalAudioDir  = "audio_cache"
)

// ImportCacheKey is the cache key of summaries imported from the original
// app: they were made by its one fixed prompt, whatever the model.
const ImportCacheKey = "imported:original-app"

// maxImportBytes caps the summary_cache.json Import reads.
const maxImportBytes = 1 << 30

// ImportReport says what Import did.
type ImportReport struct {
	File    string `json:"file"`
	Added   int    `json:"added"`
	Skipped int    `json:"skipped"` // already in the library
	Failed  int    `json:"failed"`
	// Failures names each entry that could not be imported and why.
	Failures []ImportFailure `json:"failures,omitempty"`
	// AudioImported counts audio files linked to an added summary.
	AudioImported int `json:"audio_imported"`
	// AudioUnmatched counts audio files beside the cache that belong to no
	// added summary (previews, summaries already there, or deleted ones).
	AudioUnmatched int `json:"audio_unmatched"`
}

// ImportFailure is one entry Import could not use.
type ImportFailure struct {
	VideoID string `json:"video_id"`
	Reason  string `json:"reason"`
}

// String is the one-line report `ytsum import` prints.
func (r ImportReport) String() string {
	return fmt.Sprintf("Read %d entries from %s: %d added, %d already there, %d failed; %d audio files imported.",
		r.Added+r.Skipped+r.Failed, r.File, r.Added, r.Skipped, r.Failed, r.AudioImported)
}

// originalEntry is one value of the original app's summary_cache.json
// (reference: original-app-and-peers.md §2.6).
type originalEntry struct {
	Title         *string `json:"title"`
	Summary       *string `json:"summary"`
	ThumbnailURL  *string `json:"thumbnail_url"`
	SummarizedAt  *string `json:"summarized_at"`
	AudioFilename *string `json:"audio_filename"`
	VideoURL      *string `json:"video_url"`
	ModelUsed     *string `json:"model_used"`
}

var youtubeID = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)

// Import brings the original app's library into this one: path is its
// summary_cache.json or the folder holding it; audio files in the
// audio_cache folder beside it are imported through Options.AudioImport and
// linked to their summaries. The whole file is read and checked before
// anything is written, and every summary is written in one transaction, so
// a malformed file or a failure imports nothing. Entries already imported
// are skipped (running Import twice adds nothing twice); an entry that is
// malformed on its own is counted as failed with its reason. Errors are
// *ytsum.Error: invalid for a file that is not a summary cache, not_found
// for a missing file.
func (l *Library) Import(ctx context.Context, path string) (ImportReport, error) {
	file := path
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		file = filepath.Join(path, OriginalCacheFile)
	}
	rep := ImportReport{File: file}
	raw, err := readLimited(file)
	if errors.Is(err, os.ErrNotExist) {
		return rep, ytsum.Wrap(err, ytsum.CodeNotFound, "import_not_found",
			fmt.Sprintf("There is no %s at %s; give the path of the original app's data folder or of the file.", OriginalCacheFile, path))
	}
	if err != nil {
		return rep, ytsum.Wrap(err, ytsum.CodeInvalid, "import_unreadable", fmt.Sprintf("The file %s could not be read.", file))
	}
	entries, err := parseOriginalCache(raw)
	if err != nil {
		return rep, ytsum.Wrap(err, ytsum.CodeInvalid, "import_malformed",
			fmt.Sprintf("%s is not a valid summary cache of the original app, so nothing was imported: %v", file, err))
	}

	ids := make([]string, 0, len(entries))
	for id := range entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var sums []*ytsum.Summary
	for _, id := range ids {
		s, reason := convertOriginal(id, entries[id])
		if reason != "" {
			rep.Failed++
			rep.Failures = append(rep.Failures, ImportFailure{VideoID: id, Reason: reason})
			continue
		}
		sums = append(sums, s)
	}

	// Which entries are new (read-only pass; re-checked in the write).
	isNew := map[string]bool{}
	if err := l.db.View(func(tx *store.Tx) error {
		for _, s := range sums {
			isNew[s.ID] = !tx.HasSummary(s.ID, s.CacheKey)
		}
		return nil
	}); err != nil {
		return rep, err
	}

	// Audio: copy matched files of new entries into the audio cache first.
	// A failure after this leaves only unlinked cache files, which the audio
	// cache's own cleanup removes.
	links := map[string][]string{}
	audioDir := filepath.Join(filepath.Dir(file), OriginalAudioDir)
	importer := l.opts.AudioImport
	if files := listAudio(audioDir); len(files) > 0 {
		byHash := audioByHash(files)
		matched := map[string]bool{}
		for _, s := range sums {
			if !isNew[s.ID] {
				continue
			}
			if err := ctx.Err(); err != nil {
				return rep, ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", "The import was cancelled; nothing was imported.")
			}
			for _, name := range l.audioFor(s, entries[s.ID], files, byHash) {
				if matched[name] || importer == nil {
					continue
				}
				data, err := os.ReadFile(filepath.Join(audioDir, name))
				if err != nil {
					l.log.Warn("library: import: audio file unreadable", "file", name, "err", err)
					continue
				}
				if err := importer.Put(name, data); err != nil {
					l.log.Warn("library: import: audio file not stored", "file", name, "err", err)
					continue
				}
				matched[name] = true
				links[s.ID] = append(links[s.ID], name)
			}
		}
		rep.AudioUnmatched = len(files) - len(matched)
	}

	err = l.db.Update(func(tx *store.Tx) error {
		added, skipped, audio := 0, 0, 0
		for _, s := range sums {
			if tx.HasSummary(s.ID, s.CacheKey) {
				skipped++
				continue
			}
			if err := tx.PutSummary(s); err != nil {
				return err
			}
			added++
			for _, name := range links[s.ID] {
				if err := tx.AddAudio(s.ID, name); err != nil {
					return err
				}
				audio++
			}
		}
		rep.Added, rep.Skipped, rep.AudioImported = added, skipped, audio
		return nil
	})
	if err != nil {
		return ImportReport{File: file}, err
	}
	if err := l.SyncIndex(); err != nil {
		l.log.Error("library: indexing imported summaries failed; will retry", "err", err)
	}
	return rep, nil
}

func readLimited(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxImportBytes {
		return nil, fmt.Errorf("larger than %d MiB", maxImportBytes>>20)
	}
	return raw, nil
}

// parseOriginalCache checks the whole file: valid JSON, one object keyed by
// video id. Entries are kept raw so one bad entry fails alone.
func parseOriginalCache(raw []byte) (map[string]json.RawMessage, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return nil, errors.New("it does not hold a JSON object keyed by video id")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("broken JSON at byte %d", se.Offset)
		}
		return nil, errors.New("it does not hold a JSON object keyed by video id")
	}
	return m, nil
}

// convertOriginal turns one entry into a summary, or says why it cannot.
func convertOriginal(id string, raw json.RawMessage) (*ytsum.Summary, string) {
	if !youtubeID.MatchString(id) {
		return nil, "the key is not an 11-character YouTube video id"
	}
	var e originalEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, "the entry is not an object with text fields"
	}
	if e.Summary == nil || strings.TrimSpace(*e.Summary) == "" {
		return nil, "the entry has no summary text"
	}
	if e.SummarizedAt == nil {
		return nil, "the entry has no summarized_at date"
	}
	at, err := parsePythonTime(*e.SummarizedAt)
	if err != nil {
		return nil, fmt.Sprintf("summarized_at %q is not a date", *e.SummarizedAt)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	title := strings.TrimSpace(str(e.Title))
	if title == "" {
		title = "YouTube video " + id
	}
	return &ytsum.Summary{
		Video: ytsum.Video{ID: id, Title: title, ThumbnailURL: str(e.ThumbnailURL)},
		Text:  *e.Summary, Model: str(e.ModelUsed), Style: "original", PromptVersion: "original-app",
		CacheKey: ImportCacheKey, CreatedAt: at,
	}, ""
}

// parsePythonTime reads datetime.isoformat() output, with or without an
// offset (a naive time is taken as UTC), with a "T" or a space.
func parsePythonTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("unknown date format")
}

// listAudio returns the .mp3 file names in dir (none when it is missing).
func listAudio(dir string) map[string]bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".mp3") && !strings.HasPrefix(e.Name(), ".") {
			out[e.Name()] = true
		}
	}
	return out
}

// audioByHash indexes "{voice}_{hash}.mp3" names by hash (previews left out).
func audioByHash(files map[string]bool) map[string][]string {
	out := map[string][]string{}
	for name := range files {
		stem := strings.TrimSuffix(name, ".mp3")
		i := strings.LastIndexByte(stem, '_')
		if i < 0 || strings.HasPrefix(name, "preview_") {
			continue
		}
		out[stem[i+1:]] = append(out[stem[i+1:]], name)
	}
	for _, names := range out {
		sort.Strings(names)
	}
	return out
}

// audioFor returns the audio files of one original entry: the file its
// audio_filename names (when present), and every "{voice}_{hash}.mp3" whose
// hash is the original app's blake2b-128 of the spoken text.
func (l *Library) audioFor(s *ytsum.Summary, raw json.RawMessage, files map[string]bool, byHash map[string][]string) []string {
	var out []string
	seen := map[string]bool{}
	var e originalEntry
	_ = json.Unmarshal(raw, &e)
	if e.AudioFilename != nil && files[*e.AudioFilename] {
		out = append(out, *e.AudioFilename)
		seen[*e.AudioFilename] = true
	}
	for _, text := range []string{l.opts.SpeechText(s.Text), s.Text} {
		h, _ := blake2b.New(16, nil)
		h.Write([]byte(text))
		for _, name := range byHash[hex.EncodeToString(h.Sum(nil))] {
			if !seen[name] {
				out = append(out, name)
				seen[name] = true
			}
		}
	}
	return out
}
