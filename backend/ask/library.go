package ask

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"

	"ytsum/backend/ytsum"
)

// Document is what the library knows about one video, for the library
// index: its details, its transcript (nil when none is saved) and its
// newest summary's text.
type Document struct {
	Video      ytsum.Video
	Transcript *ytsum.Transcript
	Summary    string
}

// LibrarySource is the library as the library index reads it.
// Implementations must be safe for concurrent use.
type LibrarySource interface {
	// ForEachVersion calls fn with every video of the library and a version
	// string that changes whenever the video's transcript or summary does.
	// It should be cheap (no record decoded): it runs before every library
	// question. An error from fn stops the walk and is returned.
	ForEachVersion(ctx context.Context, fn func(videoID, version string) error) error
	// Document returns the video's document; ok is false when the video has
	// left the library.
	Document(ctx context.Context, videoID string) (doc Document, ok bool, err error)
}

// DirName is the on-disk library passage index's folder name inside the
// data directory, for OpenLibraryIndex.
const DirName = "ask.bleve"

// indexVersion changes whenever the passage cutting, mapping or document
// ids change meaning; an index of another version is rebuilt.
const indexVersion = "ytsum-ask-1"

var (
	keyIndexVersion = []byte("ytsum_ask_version")
	keyIndexed      = []byte("ytsum_ask_indexed")
)

// indexed is what the index holds of one video: the version it was built
// from and how many passages of each kind it has.
type indexed struct {
	Version    string `json:"v"`
	Transcript int    `json:"t"`
	Summary    int    `json:"s"`
}

// LibraryIndex is a full-text (BM25) index of the passages of every
// transcript and summary in the library, kept up to date incrementally by
// Sync. It is safe for concurrent use: searches run in parallel with each
// other and with a Sync (which is serialised).
type LibraryIndex struct {
	idx  bleve.Index
	path string

	syncMu sync.Mutex // one Sync at a time
	mu     sync.Mutex // guards videos
	videos map[string]indexed
}

// OpenLibraryIndex opens the passage index in dir (normally <data
// dir>/ask.bleve), creating it when missing and rebuilding it (empty, to be
// filled by Sync) when it is damaged or of another version. dir "" gives an
// in-memory index, filled from scratch by the first Sync.
func OpenLibraryIndex(dir string) (*LibraryIndex, error) {
	if dir == "" {
		idx, err := newMemIndex()
		if err != nil {
			return nil, indexErr(err, "creating the library passage index")
		}
		return &LibraryIndex{idx: idx, videos: map[string]indexed{}}, nil
	}
	li, err := openLibraryIndex(dir)
	if err == nil {
		return li, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, indexErr(err, "removing a damaged library passage index")
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return nil, indexErr(err, "creating the data folder")
	}
	idx, err := bleve.New(dir, passageMapping())
	if err != nil {
		return nil, indexErr(err, "creating the library passage index")
	}
	if err := idx.SetInternal(keyIndexVersion, []byte(indexVersion)); err != nil {
		_ = idx.Close()
		return nil, indexErr(err, "writing the index version")
	}
	return &LibraryIndex{idx: idx, path: dir, videos: map[string]indexed{}}, nil
}

func openLibraryIndex(dir string) (li *LibraryIndex, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ask: opening the passage index panicked: %v", r)
		}
	}()
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	idx, err := bleve.Open(dir)
	if err != nil {
		return nil, err
	}
	v, err := idx.GetInternal(keyIndexVersion)
	if err != nil || string(v) != indexVersion {
		_ = idx.Close()
		return nil, fmt.Errorf("ask: passage index version %q, want %q (%v)", v, indexVersion, err)
	}
	raw, err := idx.GetInternal(keyIndexed)
	videos := map[string]indexed{}
	if err == nil && raw != nil {
		err = json.Unmarshal(raw, &videos)
	}
	if err != nil {
		_ = idx.Close()
		return nil, err
	}
	return &LibraryIndex{idx: idx, path: dir, videos: videos}, nil
}

// Close closes the index.
func (li *LibraryIndex) Close() error {
	if err := li.idx.Close(); err != nil {
		return indexErr(err, "closing the library passage index")
	}
	return nil
}

// Videos returns how many videos the index holds.
func (li *LibraryIndex) Videos() int {
	li.mu.Lock()
	defer li.mu.Unlock()
	return len(li.videos)
}

// SyncReport says what one Sync changed.
type SyncReport struct {
	Indexed, Removed, Unchanged int
}

// syncBatch is how many videos one index batch holds.
const syncBatch = 200

// Sync brings the index in line with src: videos whose version changed (or
// that are new) are indexed again, videos no longer in src are removed,
// the others are left alone. Work is committed in batches, so a Sync
// stopped by ctx keeps what it did and the next one resumes. Calls are
// serialised; searches meanwhile see the index as of the last batch.
func (li *LibraryIndex) Sync(ctx context.Context, src LibrarySource) (SyncReport, error) {
	li.syncMu.Lock()
	defer li.syncMu.Unlock()
	var rep SyncReport
	current := map[string]string{}
	if err := src.ForEachVersion(ctx, func(id, version string) error {
		current[id] = version
		return ctx.Err()
	}); err != nil {
		return rep, err
	}
	li.mu.Lock()
	var todo, gone []string
	for id, v := range current {
		if have, ok := li.videos[id]; ok && have.Version == v {
			rep.Unchanged++
		} else {
			todo = append(todo, id)
		}
	}
	for id := range li.videos {
		if _, ok := current[id]; !ok {
			gone = append(gone, id)
		}
	}
	li.mu.Unlock()

	for len(todo) > 0 || len(gone) > 0 {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		b := li.idx.NewBatch()
		changed := map[string]*indexed{}
		for n := 0; n < syncBatch && len(gone) > 0; n++ {
			id := gone[0]
			gone = gone[1:]
			li.deleteDocs(b, id)
			changed[id] = nil
			rep.Removed++
		}
		for n := 0; n < syncBatch && len(todo) > 0; n++ {
			if err := ctx.Err(); err != nil {
				return rep, err // this batch is dropped; the next Sync redoes it
			}
			id := todo[0]
			todo = todo[1:]
			doc, ok, err := src.Document(ctx, id)
			if err != nil {
				return rep, err
			}
			li.deleteDocs(b, id)
			if !ok {
				changed[id] = nil
				rep.Removed++
				continue
			}
			in := indexed{Version: current[id]}
			for _, p := range Passages(doc.Transcript) {
				if err := b.Index(docID(id, kindTranscript, p.Index), textDoc{Text: p.Text}); err != nil {
					return rep, indexErr(err, "indexing "+id)
				}
				in.Transcript++
			}
			for i, s := range summaryPassages(doc.Summary) {
				if err := b.Index(docID(id, kindSummary, i), textDoc{Text: s}); err != nil {
					return rep, indexErr(err, "indexing "+id)
				}
				in.Summary++
			}
			changed[id] = &in
			rep.Indexed++
		}
		li.mu.Lock()
		for id, in := range changed {
			if in == nil {
				delete(li.videos, id)
			} else {
				li.videos[id] = *in
			}
		}
		var raw []byte
		var err error
		if li.path != "" {
			raw, err = json.Marshal(li.videos)
		}
		li.mu.Unlock()
		if err != nil {
			return rep, err
		}
		if raw != nil {
			b.SetInternal(keyIndexed, raw)
		}
		if err := li.idx.Batch(b); err != nil {
			return rep, indexErr(err, "writing a batch")
		}
	}
	return rep, nil
}

// deleteDocs adds the deletion of every passage of videoID to b.
func (li *LibraryIndex) deleteDocs(b *bleve.Batch, videoID string) {
	li.mu.Lock()
	in := li.videos[videoID]
	li.mu.Unlock()
	for i := range in.Transcript {
		b.Delete(docID(videoID, kindTranscript, i))
	}
	for i := range in.Summary {
		b.Delete(docID(videoID, kindSummary, i))
	}
}

// libraryHit is one passage of the library that matched a question.
type libraryHit struct {
	videoID string
	kind    byte
	index   int
	score   float64
}

// search returns up to size passages of the library that best match
// question, best first.
func (li *LibraryIndex) search(ctx context.Context, question, previous string, size int) ([]libraryHit, error) {
	hits, err := searchIndex(ctx, li.idx, questionQuery(question, previous), size)
	if err != nil {
		return nil, err
	}
	out := make([]libraryHit, 0, len(hits))
	for _, h := range hits {
		if vid, kind, i, ok := parseDocID(h.id); ok {
			out = append(out, libraryHit{videoID: vid, kind: kind, index: i, score: h.score})
		}
	}
	return out, nil
}

// summaryPassages cuts a summary into paragraphs of at most about 150 words.
func summaryPassages(s string) []string {
	var out []string
	var cur []string
	words := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur, words = nil, 0
		}
	}
	for _, para := range strings.Split(s, "\n\n") {
		ws := strings.Fields(para)
		if len(ws) == 0 {
			continue
		}
		if words+len(ws) > 150 {
			flush()
		}
		for len(ws) > 150 {
			out = append(out, strings.Join(ws[:150], " "))
			ws = ws[150:]
		}
		cur = append(cur, strings.Join(ws, " "))
		words += len(ws)
	}
	flush()
	return out
}

func indexErr(err error, doing string) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", "The question was cancelled.")
	}
	return ytsum.Wrap(fmt.Errorf("ask: %s: %w", doing, err), ytsum.CodeInternal, "ask_index",
		"The library's question index could not be used; check free disk space, then restart the app (it rebuilds the index if needed).")
}
