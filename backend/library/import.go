package library

import (
	"bufio"
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
	// IndexingPending counts summaries the search index is still taking in
	// when Import returns (in the background; search may miss them until
	// then), and IndexingSeconds is about how long that takes.
	IndexingPending int `json:"indexing_pending"`
	IndexingSeconds int `json:"indexing_seconds"`
}

// ImportFailure is one entry Import could not use.
type ImportFailure struct {
	VideoID string `json:"video_id"`
	Reason  string `json:"reason"`
}

// String is the one-line report `ytsum import` prints.
func (r ImportReport) String() string {
	s := fmt.Sprintf("Read %d entries from %s: %d added, %d already there, %d failed; %d audio files imported.",
		r.Added+r.Skipped+r.Failed, r.File, r.Added, r.Skipped, r.Failed, r.AudioImported)
	if m := r.IndexingMessage(); m != "" {
		s += " " + m
	}
	return s
}

// IndexingMessage says, when the search index is still taking summaries
// in, how many and for about how long; "" when it has them all.
func (r ImportReport) IndexingMessage() string {
	return IndexingMessage(r.IndexingPending, time.Duration(r.IndexingSeconds)*time.Second)
}

// IndexingMessage is the sentence for n summaries still being indexed,
// which takes about eta; "" when n is 0.
func IndexingMessage(n int, eta time.Duration) string {
	switch {
	case n == 0:
		return ""
	case n == 1:
		return fmt.Sprintf("The search index is still taking in 1 summary: search will find it in about %s.", aboutDuration(eta))
	}
	return fmt.Sprintf("The search index is still taking in %d summaries: search will find them all in about %s.", n, aboutDuration(eta))
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

// importBatch is how many summaries one write transaction of Import holds.
const importBatch = 500

// Import brings the original app's library into this one: path is its
// summary_cache.json or the folder holding it; audio files in the
// audio_cache folder beside it are imported through Options.AudioImport and
// linked to their summaries.
//
// The file is read twice, as a stream, so memory does not grow with it: the
// first pass checks the whole file and every entry, so a malformed file
// imports nothing; the second writes the summaries in transactions of
// importBatch, each queueing its summaries for the search index. Import
// returns once every summary is written, and the background indexer then
// takes them in (a search answers from what is indexed so far; the report
// says how many are still to come and about when); what it has not taken
// in when the app quits is indexed after the next start. Close cancels a
// running import and waits for it. A failure or a cancellation during the
// writes keeps the batches already written, and the
// error says how many; running Import again adds the rest, because entries
// already imported are skipped (running it twice adds nothing twice). An
// entry that is malformed on its own is counted as failed with its reason;
// when a key appears twice the last entry counts, as in the original app.
// Errors are *ytsum.Error: invalid for a file that is not a summary cache,
// not_found for a missing file, unavailable (library_closed) after Close.
func (l *Library) Import(ctx context.Context, path string) (ImportReport, error) {
	if err := l.begin(); err != nil { // Close stops the import and waits for it
		return ImportReport{File: path}, err
	}
	defer l.tasks.Done()
	// stopped is the caller's cancel, or Close.
	stopped := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return l.closing.Err()
	}
	file := path
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		file = filepath.Join(path, OriginalCacheFile)
	}
	rep := ImportReport{File: file}
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return rep, ytsum.Wrap(err, ytsum.CodeNotFound, "import_not_found",
			fmt.Sprintf("There is no %s at %s; give the path of the original app's data folder or of the file.", OriginalCacheFile, path))
	}
	if err != nil {
		return rep, errUnreadable(file, err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return rep, errUnreadable(file, err)
	}
	if before.Size() > maxImportBytes {
		return rep, errTooLarge(file, before.Size())
	}

	// First pass: check everything, keep only what the writes need.
	audioDir := filepath.Join(filepath.Dir(file), OriginalAudioDir)
	files := listAudio(audioDir)
	byHash := audioByHash(files)
	last := map[string]int{}            // entry number of each key's last entry
	failed := map[string]string{}       // key → why its last entry cannot be imported
	candidates := map[string][]string{} // key → audio files of its last entry
	err = readOriginalCache(stopped, f, func(i int, id string, e *originalEntry, typeErr bool) error {
		last[id] = i
		delete(candidates, id)
		s, reason := convertOriginal(id, e, typeErr)
		if reason != "" {
			failed[id] = reason
			return nil
		}
		delete(failed, id)
		if len(files) > 0 {
			if names := l.audioFor(s, e, files, byHash); len(names) > 0 {
				candidates[id] = names
			}
		}
		return nil
	})
	if err != nil {
		return rep, importReadErr(file, err, 0)
	}
	for id, reason := range failed {
		rep.Failures = append(rep.Failures, ImportFailure{VideoID: id, Reason: reason})
	}
	sort.Slice(rep.Failures, func(i, j int) bool { return rep.Failures[i].VideoID < rep.Failures[j].VideoID })
	rep.Failed = len(rep.Failures)

	links, err := l.importAudio(stopped, audioDir, files, candidates, &rep)
	if err != nil {
		return rep, err
	}

	// Second pass: write in batches, each indexed in the background.
	if err := sameFile(f, before); err != nil {
		return rep, importReadErr(file, err, 0)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return rep, errUnreadable(file, err)
	}
	// The background indexer waits while the summaries are written, and
	// takes them in once Import returns.
	l.importing.Add(1)
	defer func() {
		l.importing.Add(-1)
		l.indexNow()
	}()
	// This goroutine decodes the file and a second one writes the batches,
	// so that decoding the next batch overlaps writing this one (at most
	// one batch waits between them).
	batches := make(chan []*ytsum.Summary, 1)
	writeFailed, written := make(chan struct{}), make(chan struct{})
	var werr error // the writer's error, set before it closes writeFailed
	hooks := l.importHooks
	go func() {
		defer close(written)
		if hooks != nil {
			defer hooks.ended()
		}
		for b := range batches {
			if werr != nil {
				continue
			}
			if hooks != nil {
				hooks.write()
			}
			if err := l.closing.Err(); err != nil { // Close is waiting
				werr = err
				close(writeFailed)
				continue
			}
			added, skipped, audio, err := l.writeImported(b, links)
			if err != nil {
				werr = err
				close(writeFailed)
				continue
			}
			rep.Added, rep.Skipped, rep.AudioImported = rep.Added+added, rep.Skipped+skipped, rep.AudioImported+audio
		}
	}()
	batch := make([]*ytsum.Summary, 0, importBatch)
	flush := func() error {
		if err := sameFile(f, before); err != nil {
			return err
		}
		b := batch
		batch = make([]*ytsum.Summary, 0, importBatch)
		select {
		case batches <- b:
			return nil
		case <-writeFailed:
			return errWriteFailed
		case <-l.closing.Done():
			return l.closing.Err()
		}
	}
	err = readOriginalCache(stopped, f, func(i int, id string, e *originalEntry, typeErr bool) error {
		if last[id] != i {
			return nil // a later entry has the same key
		}
		if _, bad := failed[id]; bad {
			return nil
		}
		s, reason := convertOriginal(id, e, typeErr)
		if reason != "" {
			return errFileChanged
		}
		batch = append(batch, s)
		if len(batch) == importBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	close(batches)
	<-written // the batches handed over are written (or failed)
	if werr != nil {
		err = werr
	}
	if st, serr := l.IndexingStatus(); serr == nil {
		rep.IndexingPending, rep.IndexingSeconds = st.Pending, st.Seconds()
	} else {
		l.log.Warn("library: reading how much of the import the index still has to take in", "err", serr)
	}
	if err == nil && len(last) != rep.Added+rep.Skipped+rep.Failed {
		err = errFileChanged
	}
	if err != nil {
		return rep, importReadErr(file, err, rep.Added)
	}
	return rep, nil
}

// importHooks are test hooks of Import's writer goroutine: write is called
// before each batch it writes, ended when it returns.
type importHooks struct{ write, ended func() }

// writeImported writes one batch of Import in one transaction (in id
// order, which keeps bbolt's pages compact) with the links to its audio
// files; a summary already in the library is skipped.
func (l *Library) writeImported(batch []*ytsum.Summary, links map[string][]string) (added, skipped, audio int, err error) {
	sort.Slice(batch, func(i, j int) bool { return batch[i].ID < batch[j].ID })
	err = l.db.Update(func(tx *store.Tx) error {
		added, skipped, audio = 0, 0, 0
		for _, s := range batch {
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
		return nil
	})
	if err != nil {
		return 0, 0, 0, err
	}
	return added, skipped, audio, nil
}

// errWriteFailed stops Import's decoding when a write failed (the write's
// error is what Import returns).
var errWriteFailed = errors.New("writing failed")

// errFileChanged is the second pass finding another file than the first.
var errFileChanged = errors.New("the file changed while it was being imported")

// sameFile reports an error when f is no longer what it was (the original
// app rewrote it in place between the two passes).
func sameFile(f *os.File, before os.FileInfo) error {
	now, err := f.Stat()
	if err != nil {
		return err
	}
	if now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime()) {
		return errFileChanged
	}
	return nil
}

// errUnreadable is a file the system would not let Import open or read.
func errUnreadable(file string, err error) error {
	return ytsum.Wrap(err, ytsum.CodeInvalid, "import_unreadable", fmt.Sprintf(
		"The file %s could not be read (%v); check that it is a file you may read, then import it again.", file, systemReason(err)))
}

// systemReason is the system's reason in err (permission denied, is a
// directory, …) without the path a message names already.
func systemReason(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// errTooLarge is a file over maxImportBytes.
func errTooLarge(file string, size int64) error {
	return ytsum.Errorf(ytsum.CodeInvalid, "import_too_large",
		"The file %s is %s, larger than the %s limit of an import, so nothing was imported; split it into smaller files "+
			"(each one JSON object of entries keyed by video id, as summary_cache.json is) and import them one after the other.",
		file, byteSize(size), byteSize(maxImportBytes))
}

// byteSize writes n bytes as GiB (from 1 GiB) or MiB, rounded up to a
// tenth ("1 GiB", "1.5 GiB", "300 MiB"): a file one byte over a limit of
// 1 GiB shows as 1.1 GiB, not as the limit.
func byteSize(n int64) string {
	unit, name := int64(1<<20), "MiB"
	if n >= 1<<30 {
		unit, name = 1<<30, "GiB"
	}
	tenths := (n*10 + unit - 1) / unit
	if tenths%10 == 0 {
		return fmt.Sprintf("%d %s", tenths/10, name)
	}
	return fmt.Sprintf("%d.%d %s", tenths/10, tenths%10, name)
}

// errChanged is a file that changed between Import's two passes or
// during the second: the original app (or a copy) was writing it.
func errChanged(file string, err error, added int) error {
	if added == 0 {
		return ytsum.Wrap(err, ytsum.CodeInvalid, "import_changed", fmt.Sprintf(
			"The file %s changed while it was being imported, so nothing was imported; import it again when it is no longer being written (quit the original app first).", file))
	}
	return ytsum.Wrap(err, ytsum.CodeInvalid, "import_changed", fmt.Sprintf(
		"The file %s changed while it was being imported, after %d summaries were added; import it again when it is no longer being written (quit the original app first): what is already there is skipped.", file, added))
}

// importReadErr turns an error of a pass over the file into the error
// Import returns; added is how many summaries were already written.
func importReadErr(file string, err error, added int) error {
	var mal *malformedError
	var e *ytsum.Error
	switch {
	case errors.Is(err, errFileChanged):
		return errChanged(file, err, added)
	case added == 0 && errors.As(err, &mal):
		return ytsum.Wrap(err, ytsum.CodeInvalid, "import_malformed",
			fmt.Sprintf("%s is not a valid summary cache of the original app, so nothing was imported: %v", file, err))
	case added == 0 && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		return ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", "The import was cancelled; nothing was imported.")
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", fmt.Sprintf(
			"The import was cancelled after %d summaries; run it again to import the rest (what is already there is skipped).", added))
	case added == 0 && errors.As(err, &e):
		return err
	case errors.As(err, &e):
		return ytsum.Wrap(err, e.Code, e.Kind, fmt.Sprintf(
			"The import stopped after %d summaries: %s Run it again to import the rest (what is already there is skipped).", added, e.Message))
	case added == 0:
		return errUnreadable(file, err)
	}
	return ytsum.Wrap(err, ytsum.CodeInvalid, "import_unreadable", fmt.Sprintf(
		"The import stopped after %d summaries because %s could not be read (%v); run it again to import the rest (what is already there is skipped).", added, file, systemReason(err)))
}

// importAudio copies the audio files of new summaries (in key order, each
// file to the first summary it matches) into the audio cache and returns
// the links to record. A failure after this leaves only unlinked cache
// files, which the audio cache's own cleanup removes.
func (l *Library) importAudio(stopped func() error, audioDir string, files map[string]bool, candidates map[string][]string, rep *ImportReport) (map[string][]string, error) {
	links := map[string][]string{}
	if len(files) == 0 {
		return links, nil
	}
	ids := make([]string, 0, len(candidates))
	for id := range candidates {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	isNew := map[string]bool{}
	if err := l.db.View(func(tx *store.Tx) error {
		for _, id := range ids {
			isNew[id] = !tx.HasSummary(id, ImportCacheKey)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	matched := map[string]bool{}
	importer := l.opts.AudioImport
	for _, id := range ids {
		if !isNew[id] {
			continue
		}
		if err := stopped(); err != nil {
			return nil, ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", "The import was cancelled; nothing was imported.")
		}
		for _, name := range candidates[id] {
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
			links[id] = append(links[id], name)
		}
	}
	rep.AudioUnmatched = len(files) - len(matched)
	return links, nil
}

// malformedError is a file that is not a summary cache.
type malformedError struct{ msg string }

func (e *malformedError) Error() string { return e.msg }

var utf8BOM = []byte("\xef\xbb\xbf")

// readOriginalCache streams r, which must hold one JSON object keyed by
// video id (after an optional UTF-8 byte order mark) and nothing else, and
// calls fn with each entry in file order, numbered from 0; typeErr is true
// when the entry is valid JSON but not an object with text fields. The file
// is never held whole: memory stays that of one entry. An error from fn,
// or from stopped (asked every 1,024 entries: a cancel, Close), stops the
// reading and is returned; a file that is not such an object is a
// *malformedError.
func readOriginalCache(stopped func() error, r io.Reader, fn func(i int, id string, e *originalEntry, typeErr bool) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	dec := json.NewDecoder(br)
	notObject := &malformedError{"it does not hold a JSON object keyed by video id"}
	broken := func(err error) error {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return &malformedError{fmt.Sprintf("broken JSON at byte %d", se.Offset)}
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return &malformedError{fmt.Sprintf("the JSON ends early, at byte %d", dec.InputOffset())}
		}
		return err // reading failed
	}
	tok, err := dec.Token()
	if err != nil {
		if _, ok := err.(*json.SyntaxError); ok || errors.Is(err, io.EOF) {
			return notObject
		}
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return notObject
	}
	for i := 0; dec.More(); i++ {
		if i%1024 == 0 {
			if err := stopped(); err != nil {
				return err
			}
		}
		tok, err := dec.Token()
		if err != nil {
			return broken(err)
		}
		id, ok := tok.(string)
		if !ok {
			return notObject
		}
		var e originalEntry
		typeErr := false
		if err := dec.Decode(&e); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				return broken(err)
			}
			typeErr = true
		}
		if err := fn(i, id, &e, typeErr); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return broken(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			return &malformedError{fmt.Sprintf("broken JSON at byte %d: more after the object", dec.InputOffset())}
		}
		return broken(err)
	}
	return nil
}

// convertOriginal turns one entry into a summary, or says why it cannot.
func convertOriginal(id string, e *originalEntry, typeErr bool) (*ytsum.Summary, string) {
	if !youtubeID.MatchString(id) {
		return nil, "the key is not an 11-character YouTube video id"
	}
	if typeErr {
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
func (l *Library) audioFor(s *ytsum.Summary, e *originalEntry, files map[string]bool, byHash map[string][]string) []string {
	var out []string
	seen := map[string]bool{}
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
