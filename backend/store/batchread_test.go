package store

import (
	"fmt"
	"path/filepath"
	"testing"

	"ytsum/backend/ytsum"
)

// putSummaries saves n summaries (video v%05d, key "k") in one transaction
// and returns their keys.
func putSummaries(tb testing.TB, db *DB, n int) []ytsum.SummaryKey {
	tb.Helper()
	keys := make([]ytsum.SummaryKey, n)
	err := db.Update(func(tx *Tx) error {
		for i := range keys {
			id := fmt.Sprintf("v%010d", i)
			keys[i] = ytsum.SummaryKey{VideoID: id, CacheKey: "k"}
			if err := tx.PutSummary(sum(id, "k", t0)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return keys
}

// SummariesByKey answers every key in its place across its chunks, a
// missing summary as not found, the same key twice twice.
func TestSummariesByKey(t *testing.T) {
	db := MustOpen(t)
	keys := putSummaries(t, db, summariesPerView+3)
	ask := append([]ytsum.SummaryKey{{VideoID: "missing0001", CacheKey: "k"}, {VideoID: keys[0].VideoID, CacheKey: "other"}}, keys...)
	ask = append(ask, keys[summariesPerView+1]) // past the first chunk, again
	got := db.SummariesByKey(ask)
	if len(got) != len(ask) {
		t.Fatalf("%d answers for %d keys", len(got), len(ask))
	}
	for i, g := range got {
		if g.Err != nil {
			t.Fatalf("key %d: %v", i, g.Err)
		}
		if i < 2 {
			if g.Summary != nil {
				t.Errorf("key %v found %v", ask[i], g.Summary.ID)
			}
			continue
		}
		if g.Summary == nil || g.Summary.ID != ask[i].VideoID || g.Summary.CacheKey != "k" || g.Summary.Text != "Summary of "+ask[i].VideoID+" by k" {
			t.Errorf("key %d (%v) = %+v", i, ask[i], g.Summary)
		}
	}
	if out := db.SummariesByKey(nil); len(out) != 0 {
		t.Errorf("no keys: %d answers", len(out))
	}
}

// A closed database answers every key with an error, none with a summary.
func TestSummariesByKeyClosed(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), FileName), Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys := putSummaries(t, db, 3)
	db.Close()
	for i, g := range db.SummariesByKey(keys) {
		if g.Err == nil || g.Summary != nil {
			t.Errorf("key %d on a closed database = %+v", i, g)
		}
	}
}

// The summaries of a finished 5,000-video job, read one transaction each
// (Summary, as job reads did) and in chunks (SummariesByKey):
//
//	go test -run '^$' -bench SummariesOfAJob ./backend/store/
func BenchmarkSummariesOfAJob(b *testing.B) {
	db := MustOpen(b)
	keys := putSummaries(b, db, 5000)
	b.Run("one-view-per-summary", func(b *testing.B) {
		for b.Loop() {
			for _, k := range keys {
				if _, ok, err := db.Summary(k.VideoID, k.CacheKey); !ok || err != nil {
					b.Fatal(k, err)
				}
			}
		}
	})
	b.Run("SummariesByKey", func(b *testing.B) {
		for b.Loop() {
			for _, g := range db.SummariesByKey(keys) {
				if g.Summary == nil || g.Err != nil {
					b.Fatal(g.Err)
				}
			}
		}
	})
}
