package store

import (
	"bytes"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/ytsum"
)

// PutSummary stores s (see Tx.PutSummary) in its own transaction. It does
// not touch the search index itself: the video is queued and package
// library indexes it. Callers that want the summary indexed save through
// library.Library.Save.
func (db *DB) PutSummary(s *ytsum.Summary) error {
	return db.write(func(tx *Tx) error { return tx.PutSummary(s) })
}

// Summary returns the summary (videoID, cacheKey); ok is false when there
// is none.
func (db *DB) Summary(videoID, cacheKey string) (s *ytsum.Summary, ok bool, err error) {
	err = db.View(func(tx *Tx) error {
		s, ok, err = tx.Summary(videoID, cacheKey)
		return err
	})
	return s, ok, err
}

// Summaries returns every summary of videoID, newest first.
func (db *DB) Summaries(videoID string) (ss []*ytsum.Summary, err error) {
	err = db.View(func(tx *Tx) error {
		ss, err = tx.Summaries(videoID)
		return err
	})
	return ss, err
}

// Latest returns the newest summary of videoID.
func (db *DB) Latest(videoID string) (s *ytsum.Summary, ok bool, err error) {
	err = db.View(func(tx *Tx) error {
		s, ok, err = tx.Latest(videoID)
		return err
	})
	return s, ok, err
}

// Page returns up to limit library entries newest first after skipping
// offset, and the total number of entries, from one snapshot.
func (db *DB) Page(offset, limit int) (ss []*ytsum.Summary, total int, err error) {
	err = db.View(func(tx *Tx) error {
		total = tx.VideoCount()
		ss, err = tx.Page(offset, limit)
		return err
	})
	return ss, total, err
}

// PageOldest is Page with the oldest entries first.
func (db *DB) PageOldest(offset, limit int) (ss []*ytsum.Summary, total int, err error) {
	err = db.View(func(tx *Tx) error {
		total = tx.VideoCount()
		ss, err = tx.PageOldest(offset, limit)
		return err
	})
	return ss, total, err
}

// VideoCount returns the number of library entries (videos with a summary).
func (db *DB) VideoCount() (n int, err error) {
	err = db.View(func(tx *Tx) error { n = tx.VideoCount(); return nil })
	return n, err
}

// DeleteVideo removes everything stored about videoID (see Tx.DeleteVideo).
func (db *DB) DeleteVideo(videoID string) (d Deletion, err error) {
	err = db.Update(func(tx *Tx) error {
		d, err = tx.DeleteVideo(videoID)
		return err
	})
	return d, err
}

// chunk is how many records the ForEach methods read per transaction.
const chunk = 256

// ForEachLatest calls fn with every library entry (each video's newest
// summary), newest first. It reads in short transactions of a few hundred
// entries and calls fn outside them, so fn may write to db; entries
// changed meanwhile may be seen in either state. An error from fn stops the
// walk and is returned as is.
func (db *DB) ForEachLatest(fn func(*ytsum.Summary) error) error {
	var after []byte // timeline key last seen; nil before the first chunk
	for {
		var batch []*ytsum.Summary
		scanned := 0
		err := db.View(func(tx *Tx) error {
			c := tx.tx.Bucket(bucketTimeline).Cursor()
			var k, v []byte
			if after == nil {
				k, v = c.Last()
			} else {
				k, v = c.Seek(after)
				if k == nil {
					k, v = c.Last()
				} else {
					k, v = c.Prev()
				}
				for k != nil && bytes.Compare(k, after) >= 0 {
					k, v = c.Prev()
				}
			}
			sums := tx.tx.Bucket(bucketSummaries)
			for ; k != nil && scanned < chunk; k, v = c.Prev() {
				scanned++
				after = bytes.Clone(k)
				raw := sums.Get(pair(string(k[8:]), string(v)))
				if raw == nil {
					continue
				}
				s, err := decodeSummary(raw)
				if err != nil {
					return err
				}
				batch = append(batch, s)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, s := range batch {
			if err := fn(s); err != nil {
				return err
			}
		}
		if scanned < chunk {
			return nil
		}
	}
}

// ForEachSummary calls fn with every summary (all models and styles), in
// key order (video id, then cache key). Like ForEachLatest it reads in short
// transactions and calls fn outside them.
func (db *DB) ForEachSummary(fn func(*ytsum.Summary) error) error {
	return forEachChunk(db, bucketSummaries, func(_, v []byte) error {
		s, err := decodeSummary(v)
		if err != nil {
			return err
		}
		return fn(s)
	})
}

// forEachChunk walks bucket name in key order, copying chunk records per
// read transaction and calling fn outside it.
func forEachChunk(db *DB, name []byte, fn func(k, v []byte) error) error {
	var after []byte
	for {
		var keys, vals [][]byte
		err := db.bolt.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(name).Cursor()
			var k, v []byte
			if after == nil {
				k, v = c.First()
			} else {
				k, v = c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(keys) < chunk; k, v = c.Next() {
				keys = append(keys, bytes.Clone(k))
				vals = append(vals, bytes.Clone(v))
			}
			return nil
		})
		if err != nil {
			return storeErr(err, "reading")
		}
		for i := range keys {
			if err := fn(keys[i], vals[i]); err != nil {
				return err
			}
		}
		if len(keys) < chunk {
			return nil
		}
		after = keys[len(keys)-1]
	}
}

// PendingIndex returns up to limit videos queued for the search index with
// their queue sequence. See Tx.ClearPending.
func (db *DB) PendingIndex(limit int) (m map[string]uint64, err error) {
	err = db.View(func(tx *Tx) error { m = tx.PendingIndex(limit); return nil })
	return m, err
}

// ReleaseMapped drops the database file's pages from this process's
// resident memory (on Linux; elsewhere it does nothing). Reads go through
// a memory map of the file, so a pass over the whole library (the search
// index taking in a large import) would otherwise leave the whole file
// counted in the app's memory; the pages stay in the system's file cache
// and the next read maps them again. Safe at any time: it runs inside a
// read transaction, which keeps the map where it is.
func (db *DB) ReleaseMapped() {
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		releaseMapped(db.bolt.Info().Data, tx.Size())
		return nil
	})
}

// PendingCount is how many videos are queued for the search index.
func (db *DB) PendingCount() (n int, err error) {
	err = db.View(func(tx *Tx) error { n = tx.tx.Bucket(bucketPending).Stats().KeyN; return nil })
	return n, err
}

// ClearPending removes queue entries that have not been queued again since.
func (db *DB) ClearPending(done map[string]uint64) error {
	if len(done) == 0 {
		return nil
	}
	return db.write(func(tx *Tx) error { return tx.ClearPending(done) })
}

// QueueAllForIndex queues every library entry for the search index (used
// when the index must be rebuilt) and returns how many were queued.
func (db *DB) QueueAllForIndex() (n int, err error) {
	err = db.Update(func(tx *Tx) error {
		c := tx.tx.Bucket(bucketLatest).Cursor()
		var ids []string
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			ids = append(ids, string(k))
		}
		for _, id := range ids {
			if err := tx.markPending(id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// Transcript returns the cached transcript of videoID in lang; ok is false
// when there is none. It has the shape of the youtube package's Cache.
func (db *DB) Transcript(videoID, lang string) (tr *ytsum.Transcript, ok bool, err error) {
	err = db.View(func(tx *Tx) error {
		tr, ok, err = tx.Transcript(videoID, lang)
		return err
	})
	return tr, ok, err
}

// Transcripts returns every cached transcript of videoID.
func (db *DB) Transcripts(videoID string) (trs []*ytsum.Transcript, err error) {
	err = db.View(func(tx *Tx) error {
		trs, err = tx.Transcripts(videoID)
		return err
	})
	return trs, err
}

// PutTranscript caches tr (see Tx.PutTranscript).
func (db *DB) PutTranscript(tr *ytsum.Transcript) error {
	return db.write(func(tx *Tx) error { return tx.PutTranscript(tr) })
}

// Video returns the cached details of video id; ok is false when unknown.
func (db *DB) Video(id string) (v ytsum.Video, ok bool, err error) {
	err = db.View(func(tx *Tx) error {
		v, ok, err = tx.Video(id)
		return err
	})
	return v, ok, err
}

// PutVideo caches v.
func (db *DB) PutVideo(v ytsum.Video) error {
	return db.write(func(tx *Tx) error { return tx.PutVideo(v) })
}

// PutJob writes job id's record as the job engine keeps it (opaque to this
// package), in one transaction synced to disk when it returns — except a
// write of parts alone, which the job journal makes safe from a crash of
// the process when it returns and syncs shortly after (journal.go): head,
// when not nil, replaces the job's head record; each entry of parts
// replaces the job's part of that key (a nil value removes it). Parts let a
// job's change write only what changed (one video's outcome) instead of the
// whole job. Part keys must be valid identifiers. Parts are kept only for a
// job that has a head (written in the same call or before): parts of a job
// with no head are dropped, whether journaled or not, and so are journaled
// ones racing the job's first head write.
func (db *DB) PutJob(id string, head []byte, parts map[string][]byte) error {
	if !validPart(id, false) {
		return invalidID("job id", id)
	}
	for k := range parts {
		if !validPart(k, false) {
			return invalidID("job part", k)
		}
	}
	if head == nil && len(parts) > 0 && db.appendJournal(id, parts) {
		return nil
	}
	return db.write(func(tx *Tx) error { return tx.putJob(id, head, parts) })
}

func (tx *Tx) putJob(id string, head []byte, parts map[string][]byte) error {
	jobs := tx.tx.Bucket(bucketJobs)
	if head != nil {
		if err := jobs.Put([]byte(id), bytes.Clone(head)); err != nil {
			return err
		}
	}
	if len(parts) == 0 || jobs.Get([]byte(id)) == nil { // no head: dropped
		return nil
	}
	b, err := tx.tx.CreateBucketIfNotExists(bucketJobParts)
	if err != nil {
		return err
	}
	b.FillPercent = fillPercent
	for k, v := range parts {
		if v == nil {
			err = b.Delete(pair(id, k))
		} else {
			err = b.Put(pair(id, k), bytes.Clone(v))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Job returns copies of job id's head record and parts, read from one
// snapshot, or an *ytsum.Error with code not_found when there is no head.
func (db *DB) Job(id string) (head []byte, parts map[string][]byte, err error) {
	if db.journal.hasPending(id) {
		if err := db.syncJournal(); err != nil {
			return nil, nil, err
		}
	}
	err = db.View(func(tx *Tx) error {
		v := tx.tx.Bucket(bucketJobs).Get([]byte(id))
		if v == nil {
			return nil
		}
		head = bytes.Clone(v)
		b := tx.tx.Bucket(bucketJobParts)
		if b == nil {
			return nil
		}
		p := prefix(id)
		c := b.Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if parts == nil {
				parts = make(map[string][]byte)
			}
			parts[string(k[len(p):])] = bytes.Clone(v)
		}
		return nil
	})
	if err == nil && head == nil {
		return nil, nil, ytsum.Errorf(ytsum.CodeNotFound, "job_not_found", "Job not found")
	}
	return head, parts, err
}

// ForEachJob calls fn with every job's head record in id order. Records
// are read in short transactions and fn runs outside them, so fn may call
// PutJob, Job or DeleteJob. An error from fn stops the walk and is returned
// as is.
func (db *DB) ForEachJob(fn func(id string, head []byte) error) error {
	return forEachChunk(db, bucketJobs, func(k, v []byte) error { return fn(string(k), v) })
}

// DeleteJob removes job id's head and parts; removing a missing job is not
// an error.
func (db *DB) DeleteJob(id string) error {
	return db.write(func(tx *Tx) error {
		if err := tx.tx.Bucket(bucketJobs).Delete([]byte(id)); err != nil {
			return err
		}
		b := tx.tx.Bucket(bucketJobParts)
		if b == nil {
			return nil
		}
		_, err := deletePrefix(b, prefix(id))
		return err
	})
}

// Settings returns a copy of the saved settings record, nil when none.
func (db *DB) Settings() (rec []byte, err error) {
	err = db.View(func(tx *Tx) error {
		if v := tx.tx.Bucket(bucketSettings).Get(keySettings); v != nil {
			rec = bytes.Clone(v)
		}
		return nil
	})
	return rec, err
}

// PutSettings replaces the saved settings record.
func (db *DB) PutSettings(rec []byte) error {
	return db.Update(func(tx *Tx) error { return tx.tx.Bucket(bucketSettings).Put(keySettings, bytes.Clone(rec)) })
}

// AddAudio records that fileName (a name inside the audio cache) holds
// audio of videoID. Adding the same pair twice is harmless.
func (db *DB) AddAudio(videoID, fileName string) error {
	return db.Update(func(tx *Tx) error { return tx.AddAudio(videoID, fileName) })
}

// AudioFiles returns the audio file names recorded for videoID.
func (db *DB) AudioFiles(videoID string) (files []string, err error) {
	err = db.View(func(tx *Tx) error { files = tx.AudioFiles(videoID); return nil })
	return files, err
}

// RemoveAudio drops videoID's audio index entries and returns the file
// names no other video refers to any more (the caller deletes those files).
func (db *DB) RemoveAudio(videoID string) error {
	_, err := db.RemoveAudioFiles(videoID)
	return err
}

// RemoveAudioFiles is RemoveAudio that also returns the file names no
// other video refers to any more.
func (db *DB) RemoveAudioFiles(videoID string) (orphans []string, err error) {
	err = db.Update(func(tx *Tx) error {
		orphans, err = tx.removeAudio(videoID)
		return err
	})
	return orphans, err
}

// SetLocalThumbnail records the cached thumbnail file name of videoID (see
// Tx.SetLocalThumbnail).
func (db *DB) SetLocalThumbnail(videoID, name string) (n int, err error) {
	err = db.write(func(tx *Tx) error {
		n, err = tx.SetLocalThumbnail(videoID, name)
		return err
	})
	return n, err
}
