// Package search is the library's full-text index: a bleve (scorch) index
// in its own folder beside the database. It holds no text of its own that
// the database does not hold, so it can always be rebuilt: Open reports when
// it created a fresh index and the caller (package library) refills it.
//
// Search is ranked (BM25; title above channel above summary above
// transcript; exact phrases above scattered words), case-, accent- and
// width-insensitive, stems English, indexes CJK text as bigrams and keeps
// emoji and other symbols as searchable tokens. The symbols people type in
// names are part of the word: "C++", "C#", "100%", "AT&T" and "C++20" each
// match only text that has them (while "100" still finds "100%"), and a
// phrase does not run across sentence punctuation. Queries are plain text:
// any character is allowed and none is an operator, except that text in
// double quotes must match as a phrase. Hits carry the byte spans of the
// matched words in each field; Snippet and Highlight turn a field's text and
// spans into escaped HTML with <mark> around the matches.
package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"ytsum/backend/ytsum"
)

// DirName is the index folder's name inside the data directory.
const DirName = "search.bleve"

// mappingVersion changes whenever the mapping or analysis changes meaning;
// an index built with another version is rebuilt.
const mappingVersion = "ytsum-search-3"

var internalVersionKey = []byte("ytsum_mapping_version")

// Field names of a document, also the keys of Hit.Spans.
const (
	FieldTitle      = "title"
	FieldChannel    = "channel"
	FieldSummary    = "summary"
	FieldTranscript = "transcript"
)

// fieldBoosts rank a match in the title above one in the channel, the
// summary and the transcript.
var fieldBoosts = []struct {
	name  string
	boost float64
}{{FieldTitle, 4}, {FieldChannel, 2}, {FieldSummary, 1.5}, {FieldTranscript, 1}}

// Doc is what the index knows about one library entry. Its ID is the video
// id; indexing a Doc with an existing ID replaces it.
type Doc struct {
	ID         string
	Title      string
	Channel    string
	Summary    string
	Transcript string
}

// Index is an open full-text index. All methods are safe for concurrent
// use (bleve serialises writers). Errors are *ytsum.Error.
type Index struct {
	idx  bleve.Index
	path string
	w    *waiters // the persisted callbacks of batches not on disk yet

	closeOnce sync.Once // bleve panics when closed twice
	closeErr  error
}

// Open opens the index in dir (normally <data dir>/search.bleve). When dir
// is missing, unreadable, damaged or built by another mapping version, it is
// removed and a fresh empty index is created; fresh is then true and the
// caller must index every document again.
func Open(dir string) (ix *Index, fresh bool, err error) {
	idx, err := openExisting(dir)
	if err == nil {
		return &Index{idx: idx, path: dir, w: openWaiters(dir)}, false, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, false, indexErr(err, "removing a damaged index")
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return nil, false, indexErr(err, "creating the data folder")
	}
	idx, err = bleve.NewUsing(dir, newMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, runtimeConfig())
	if err != nil {
		return nil, false, indexErr(err, "creating the index")
	}
	w := openWaiters(dir)
	if err := setInternalDurably(idx, w, internalVersionKey, []byte(mappingVersion)); err != nil {
		_ = idx.Close()
		closeWaiters(dir)
		return nil, false, indexErr(err, "writing the index version")
	}
	return &Index{idx: idx, path: dir, w: w}, true, nil
}

// openExisting opens dir when it holds an index of the current version.
func openExisting(dir string) (idx bleve.Index, err error) {
	defer func() {
		if r := recover(); r != nil {
			if idx != nil {
				_ = idx.Close()
			}
			idx, err = nil, fmt.Errorf("search: opening index panicked: %v", r)
		}
	}()
	if _, err := os.Stat(dir); err != nil {
		return nil, err
	}
	idx, err = bleve.OpenUsing(dir, runtimeConfig())
	if err != nil {
		return nil, err
	}
	v, err := idx.GetInternal(internalVersionKey)
	if err != nil || string(v) != mappingVersion {
		_ = idx.Close()
		return nil, fmt.Errorf("search: index version %q, want %q (%v)", v, mappingVersion, err)
	}
	// Touch the index so damaged segment files show up now, not mid-search.
	if _, err := idx.DocCount(); err != nil {
		_ = idx.Close()
		return nil, err
	}
	return idx, nil
}

// setInternalDurably is SetInternal returning once the value is on disk
// (runtimeConfig makes SetInternal return before).
func setInternalDurably(idx bleve.Index, w *waiters, key, val []byte) error {
	b := idx.NewBatch()
	b.SetInternal(key, val)
	persisted := make(chan error, 1)
	call, drop, err := w.add(func(err error) { persisted <- err })
	if err != nil {
		return err
	}
	b.SetPersistedCallback(call)
	if err := idx.Batch(b); err != nil {
		drop()
		return err
	}
	return <-persisted
}

// runtimeConfig has scorch return from a batch once it is searchable
// rather than once it is on disk: Apply waits for the disk itself (a
// persisted callback), ApplyAsync lets its caller go on. Scorch does not
// write what is not on disk yet when it closes, so every write waits for
// the disk before the index is closed. A failed write reaches the waiting
// callbacks through the asynchronous error callback (persist.go).
func runtimeConfig() map[string]any {
	return map[string]any{"unsafe_batch": true, "asyncErrorCallbackName": asyncErrorCallback}
}

func newMapping() mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(analyzerName, analyzerConfig); err != nil {
		panic("search: analyzer config: " + err.Error()) // a programming error
	}
	im.DefaultAnalyzer = analyzerName
	im.ScoringModel = index.BM25Scoring
	dm := bleve.NewDocumentStaticMapping()
	for _, f := range fieldBoosts {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = analyzerName
		fm.Store = false // the database holds the text; snippets are cut from it
		fm.IncludeTermVectors = true
		fm.IncludeInAll = false
		fm.DocValues = false
		dm.AddFieldMappingsAt(f.name, fm)
	}
	im.DefaultMapping = dm
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im
}

func (d Doc) fields() map[string]any {
	return map[string]any{FieldTitle: d.Title, FieldChannel: d.Channel, FieldSummary: d.Summary, FieldTranscript: d.Transcript}
}

// Apply indexes put and removes del in one bleve batch, and returns once
// the batch is on disk.
func (ix *Index) Apply(put []Doc, del []string) error {
	persisted := make(chan error, 1)
	if err := ix.ApplyAsync(put, del, func(err error) { persisted <- err }); err != nil {
		return err
	}
	if err := <-persisted; err != nil {
		return indexErr(err, "writing a batch")
	}
	return nil
}

// ApplyAsync is Apply returning as soon as the batch is searchable;
// persisted is called (from another goroutine, once, and it must not block)
// when the batch is on disk, could not be written, or the index was closed
// first. When ApplyAsync returns an error, persisted is not called.
func (ix *Index) ApplyAsync(put []Doc, del []string, persisted func(error)) error {
	b := ix.idx.NewBatch()
	for _, d := range put {
		if err := b.Index(d.ID, d.fields()); err != nil {
			return indexErr(err, "indexing "+d.ID)
		}
	}
	for _, id := range del {
		b.Delete(id)
	}
	if b.Size() == 0 {
		persisted(nil)
		return nil
	}
	call, drop, err := ix.w.add(persisted)
	if err != nil {
		return err // already an index error
	}
	b.SetPersistedCallback(call)
	if err := ix.idx.Batch(b); err != nil {
		drop()
		return indexErr(err, "writing a batch")
	}
	return nil
}

// Count returns the number of indexed documents.
func (ix *Index) Count() (int, error) {
	n, err := ix.idx.DocCount()
	if err != nil {
		return 0, indexErr(err, "counting documents")
	}
	return int(n), nil
}

// Has reports whether a document with id is indexed.
func (ix *Index) Has(id string) (bool, error) {
	d, err := ix.idx.Document(id)
	if err != nil {
		return false, indexErr(err, "reading "+id)
	}
	return d != nil, nil
}

// Close closes the index. A batch not on disk yet is answered with an error (it is not written).
// Closing it again returns what the first Close did.
func (ix *Index) Close() error {
	ix.closeOnce.Do(func() {
		if err := ix.idx.Close(); err != nil {
			ix.closeErr = indexErr(err, "closing")
		}
		closeWaiters(ix.path)
	})
	return ix.closeErr
}

// Path returns the index folder.
func (ix *Index) Path() string { return ix.path }

func indexErr(err error, doing string) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ytsum.Wrap(err, ytsum.CodeUnavailable, "search_cancelled", "The search was cancelled.")
	}
	return ytsum.Wrap(fmt.Errorf("search: %s: %w", doing, err), ytsum.CodeInternal, "search_index",
		"The search index could not be used; check free disk space, then restart the app (it rebuilds the index if needed).")
}
