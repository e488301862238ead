package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/ytsum"
)

// Tx is one transaction, read-only inside DB.View and read-write inside
// DB.Update. It must not be used after the function it was given to
// returns, nor from another goroutine.
type Tx struct {
	tx  *bolt.Tx
	now func() time.Time
}

// View runs fn in a read-only transaction: every read inside sees one
// consistent snapshot. fn must not call write methods of db (bbolt may
// deadlock when it has to grow the file while a read is open).
func (db *DB) View(fn func(*Tx) error) error {
	return storeErr(db.bolt.View(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx, now: db.now}) }), "reading")
}

// Update runs fn in a read-write transaction, committed (and synced to
// disk) when fn returns nil, rolled back entirely when it returns an error.
// Writers are serialised.
func (db *DB) Update(fn func(*Tx) error) error {
	return storeErr(db.bolt.Update(func(tx *bolt.Tx) error {
		packed(tx)
		return fn(&Tx{tx: tx, now: db.now})
	}), "writing")
}

// packedBuckets are the buckets whose keys grow in order (times, a job's
// next part), so their writes append: their pages are split fillPercent
// full in every write transaction (a transaction keeps one handle per
// bucket, so an update made by any method packs them). The buckets keyed
// by video id keep bbolt's default split of one half: ids are random, and
// packed pages there end emptier, not fuller (5,000 random inserts of
// 60-byte records: 69 % full at one half, 37 % at 0.9; of 750-byte
// records: 65 % either way).
var packedBuckets = [][]byte{bucketTimeline, bucketJobParts}

func packed(tx *bolt.Tx) {
	for _, name := range packedBuckets {
		if b := tx.Bucket(name); b != nil {
			b.FillPercent = fillPercent
		}
	}
}

// validPart reports whether s can be stored as a video id, cache key,
// language or file name: not empty (except cache keys), at most 512 bytes,
// valid UTF-8 and without NUL bytes.
func validPart(s string, allowEmpty bool) bool {
	if s == "" {
		return allowEmpty
	}
	return len(s) <= 512 && !strings.ContainsRune(s, 0)
}

func invalidID(what, v string) error {
	return ytsum.Errorf(ytsum.CodeInvalid, "invalid_id", "The %s %q cannot be stored; it is empty, too long or holds a NUL byte.", what, v)
}

func pair(a, b string) []byte {
	k := make([]byte, 0, len(a)+1+len(b))
	k = append(k, a...)
	k = append(k, 0)
	return append(k, b...)
}

func prefix(a string) []byte { return append([]byte(a), 0) }

// timeKey encodes t so that byte order is time order.
func timeKey(t time.Time) []byte {
	var n int64
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		n = math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(n)^(1<<63))
	return b
}

// PutSummary stores s under (s.ID, s.CacheKey), replacing a summary with the
// same pair, and makes it the video's library entry when it is the video's
// newest. A zero CreatedAt is set to now. The video is queued for the search
// index (see PendingIndex).
func (t *Tx) PutSummary(s *ytsum.Summary) error {
	if !validPart(s.ID, false) {
		return invalidID("video id", s.ID)
	}
	if !validPart(s.CacheKey, true) {
		return invalidID("cache key", s.CacheKey)
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = t.now().UTC()
	}
	raw, err := encodeRecord(s)
	if err != nil {
		return fmt.Errorf("encoding summary %s: %w", s.ID, err)
	}
	sums := t.tx.Bucket(bucketSummaries)
	if err := sums.Put(pair(s.ID, s.CacheKey), raw); err != nil {
		return err
	}
	// Fast path: the new summary is the video's first, or newer than its
	// entry, or older than an entry it does not replace. Only replacing the
	// current entry needs a scan of the video's summaries.
	latest := t.tx.Bucket(bucketLatest)
	old := latest.Get([]byte(s.ID))
	tk := timeKey(s.CreatedAt)
	switch {
	case len(old) >= 8 && string(old[8:]) == s.CacheKey:
		if err := relinkLatest(t.tx, s.ID); err != nil {
			return err
		}
	case len(old) >= 8 && bytes.Compare(tk, old[:8]) < 0:
		// An older summary of a video with a newer entry: nothing moves.
	default:
		if err := setLatest(t.tx, s.ID, old, tk, []byte(s.CacheKey)); err != nil {
			return err
		}
	}
	return t.markPending(s.ID)
}

// fillPercent packs the pages of packedBuckets fuller than bbolt's default
// of one half: their writes append (new times, a job's outcome of its next
// video), where half-full pages would double their size.
const fillPercent = 0.9

// HasSummary reports whether a summary (videoID, cacheKey) exists.
func (t *Tx) HasSummary(videoID, cacheKey string) bool {
	return t.tx.Bucket(bucketSummaries).Get(pair(videoID, cacheKey)) != nil
}

// Summary returns the summary (videoID, cacheKey).
func (t *Tx) Summary(videoID, cacheKey string) (*ytsum.Summary, bool, error) {
	raw := t.tx.Bucket(bucketSummaries).Get(pair(videoID, cacheKey))
	if raw == nil {
		return nil, false, nil
	}
	s, err := decodeSummary(raw)
	return s, err == nil, err
}

// Summaries returns every summary of videoID, newest first.
func (t *Tx) Summaries(videoID string) ([]*ytsum.Summary, error) {
	var out []*ytsum.Summary
	p := prefix(videoID)
	c := t.tx.Bucket(bucketSummaries).Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		s, err := decodeSummary(v)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sortNewestFirst(out)
	return out, nil
}

// Latest returns the newest summary of videoID: its library entry.
func (t *Tx) Latest(videoID string) (*ytsum.Summary, bool, error) {
	v := t.tx.Bucket(bucketLatest).Get([]byte(videoID))
	if len(v) < 8 {
		return nil, false, nil
	}
	return t.Summary(videoID, string(v[8:]))
}

// VideoCount returns how many videos have at least one summary.
func (t *Tx) VideoCount() int {
	v := t.tx.Bucket(bucketMeta).Get(keyVideos)
	if len(v) != 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(v))
}

// Page returns up to limit library entries (each video's newest summary),
// newest first, skipping the first offset entries.
func (t *Tx) Page(offset, limit int) ([]*ytsum.Summary, error) { return t.page(offset, limit, false) }

// PageOldest is Page with the oldest entries first.
func (t *Tx) PageOldest(offset, limit int) ([]*ytsum.Summary, error) {
	return t.page(offset, limit, true)
}

func (t *Tx) page(offset, limit int, oldest bool) ([]*ytsum.Summary, error) {
	if offset < 0 {
		offset = 0
	}
	var out []*ytsum.Summary
	c := t.tx.Bucket(bucketTimeline).Cursor()
	first, next := c.Last, c.Prev
	if oldest {
		first, next = c.First, c.Next
	}
	k, v := first()
	for i := 0; i < offset && k != nil; i++ {
		k, v = next()
	}
	sums := t.tx.Bucket(bucketSummaries)
	for ; k != nil && len(out) < limit; k, v = next() {
		raw := sums.Get(pair(string(k[8:]), string(v)))
		if raw == nil {
			return nil, fmt.Errorf("%w: timeline entry %q has no summary", errCorrupt, k[8:])
		}
		s, err := decodeSummary(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// DeleteVideo removes every summary, transcript, video record and audio
// index entry of videoID and queues it for removal from the search index.
// It reports what it removed; Deletion.Summaries is 0 when the video had no
// summary. AudioFiles lists the audio file names that no other video refers
// to any more: the caller deletes those files.
func (t *Tx) DeleteVideo(videoID string) (Deletion, error) {
	var d Deletion
	if !validPart(videoID, false) {
		return d, invalidID("video id", videoID)
	}
	p := prefix(videoID)
	n, err := deletePrefix(t.tx.Bucket(bucketSummaries), p)
	if err != nil {
		return d, err
	}
	d.Summaries = n
	if d.Transcripts, err = deletePrefix(t.tx.Bucket(bucketTranscripts), p); err != nil {
		return d, err
	}
	if err := t.tx.Bucket(bucketVideos).Delete([]byte(videoID)); err != nil {
		return d, err
	}
	if d.AudioFiles, err = t.removeAudio(videoID); err != nil {
		return d, err
	}
	if err := relinkLatest(t.tx, videoID); err != nil {
		return d, err
	}
	return d, t.markPending(videoID)
}

// Deletion is what DeleteVideo removed.
type Deletion struct {
	Summaries   int
	Transcripts int
	// AudioFiles are the audio file names no video refers to any more.
	AudioFiles []string
}

func deletePrefix(b *bolt.Bucket, p []byte) (int, error) {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// relinkLatest recomputes videoID's newest summary and keeps the latest
// and timeline buckets and the video count in step with it.
func relinkLatest(tx *bolt.Tx, videoID string) error {
	var (
		bestKey  []byte
		bestTime []byte
	)
	p := prefix(videoID)
	c := tx.Bucket(bucketSummaries).Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		var head struct {
			CreatedAt time.Time `json:"summarized_at"`
		}
		if err := decodeRecord(v, &head); err != nil {
			return fmt.Errorf("%w: summary %q: %v", errCorrupt, k, err)
		}
		tk := timeKey(head.CreatedAt)
		if bestTime == nil || bytes.Compare(tk, bestTime) > 0 {
			bestTime, bestKey = tk, bytes.Clone(k[len(p):])
		}
	}
	var best []byte
	if bestTime != nil {
		best = bestKey
	}
	return setLatest(tx, videoID, tx.Bucket(bucketLatest).Get([]byte(videoID)), bestTime, best)
}

// setLatest makes (tk, cacheKey) videoID's entry, replacing old (its
// current latest value, nil when none); tk == nil removes the entry. It
// keeps the timeline and the video count in step.
func setLatest(tx *bolt.Tx, videoID string, old, tk, cacheKey []byte) error {
	latest, timeline, meta := tx.Bucket(bucketLatest), tx.Bucket(bucketTimeline), tx.Bucket(bucketMeta)
	timeline.FillPercent = fillPercent
	id := []byte(videoID)
	count := 0
	if v := meta.Get(keyVideos); len(v) == 8 {
		count = int(binary.BigEndian.Uint64(v))
	}
	if old != nil {
		if len(old) < 8 {
			return fmt.Errorf("%w: latest entry of %q", errCorrupt, videoID)
		}
		if err := timeline.Delete(append(bytes.Clone(old[:8]), id...)); err != nil {
			return err
		}
		count--
	}
	if tk == nil {
		if err := latest.Delete(id); err != nil {
			return err
		}
	} else {
		if err := latest.Put(id, append(bytes.Clone(tk), cacheKey...)); err != nil {
			return err
		}
		if err := timeline.Put(append(bytes.Clone(tk), id...), bytes.Clone(cacheKey)); err != nil {
			return err
		}
		count++
	}
	if count < 0 {
		count = 0
	}
	cb := make([]byte, 8)
	binary.BigEndian.PutUint64(cb, uint64(count))
	return meta.Put(keyVideos, cb)
}

// rebuildDerived recomputes the latest and timeline buckets and the video
// count from the summaries bucket.
func rebuildDerived(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketLatest, bucketTimeline} {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketMeta).Delete(keyVideos); err != nil {
		return err
	}
	var ids []string
	c := tx.Bucket(bucketSummaries).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		i := bytes.IndexByte(k, 0)
		if i < 0 {
			return fmt.Errorf("%w: summary key %q", errCorrupt, k)
		}
		if id := string(k[:i]); len(ids) == 0 || ids[len(ids)-1] != id {
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		if err := relinkLatest(tx, id); err != nil {
			return err
		}
	}
	return nil
}

func decodeSummary(raw []byte) (*ytsum.Summary, error) {
	var s ytsum.Summary
	if err := decodeRecord(raw, &s); err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	return &s, nil
}

func sortNewestFirst(ss []*ytsum.Summary) {
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && ss[j].CreatedAt.After(ss[j-1].CreatedAt); j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
}

// markPending queues videoID for the search index with a fresh sequence.
func (t *Tx) markPending(videoID string) error {
	b := t.tx.Bucket(bucketPending)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v := make([]byte, 8)
	binary.BigEndian.PutUint64(v, seq)
	return b.Put([]byte(videoID), v)
}

// PendingSeq returns the sequence videoID is queued for the search index
// at; ok is false when it is not queued. A writer that indexes what it
// wrote itself (Import) checks it to know that nothing changed the video
// since, before it clears the entry.
func (t *Tx) PendingSeq(videoID string) (seq uint64, ok bool) {
	v := t.tx.Bucket(bucketPending).Get([]byte(videoID))
	if len(v) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), true
}

// IsLatest reports whether the summary (videoID, cacheKey) is videoID's
// library entry (its newest summary), without decoding it.
func (t *Tx) IsLatest(videoID, cacheKey string) bool {
	v := t.tx.Bucket(bucketLatest).Get([]byte(videoID))
	return len(v) >= 8 && string(v[8:]) == cacheKey
}

// PendingIndex returns up to limit videos whose search-index entry is out
// of date, with the sequence each was queued at (for ClearPending).
func (t *Tx) PendingIndex(limit int) map[string]uint64 {
	out := map[string]uint64{}
	c := t.tx.Bucket(bucketPending).Cursor()
	for k, v := c.First(); k != nil && len(out) < limit; k, v = c.Next() {
		if len(v) == 8 {
			out[string(k)] = binary.BigEndian.Uint64(v)
		}
	}
	return out
}

// PendingAfter is PendingIndex for the videos whose id sorts after after
// ("": from the first), in id order; last is the last id returned ("" when
// none), where the next call goes on.
func (t *Tx) PendingAfter(after string, limit int) (m map[string]uint64, last string) {
	m = map[string]uint64{}
	c := t.tx.Bucket(bucketPending).Cursor()
	k, v := c.First()
	if after != "" {
		k, v = c.Seek([]byte(after))
		if k != nil && string(k) == after {
			k, v = c.Next()
		}
	}
	for ; k != nil && len(m) < limit; k, v = c.Next() {
		if len(v) == 8 {
			m[string(k)] = binary.BigEndian.Uint64(v)
			last = string(k)
		}
	}
	return m, last
}

// ClearPending removes the given queue entries, except those queued again
// since (their sequence changed): their newer change still needs indexing.
func (t *Tx) ClearPending(done map[string]uint64) error {
	b := t.tx.Bucket(bucketPending)
	for id, seq := range done {
		v := b.Get([]byte(id))
		if len(v) == 8 && binary.BigEndian.Uint64(v) == seq {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Transcript returns the cached transcript of videoID in lang.
func (t *Tx) Transcript(videoID, lang string) (*ytsum.Transcript, bool, error) {
	raw := t.tx.Bucket(bucketTranscripts).Get(pair(videoID, lang))
	if raw == nil {
		return nil, false, nil
	}
	var tr ytsum.Transcript
	if err := decodeRecord(raw, &tr); err != nil {
		return nil, false, fmt.Errorf("transcript: %w", err)
	}
	return &tr, true, nil
}

// Transcripts returns every cached transcript of videoID, ordered by
// language.
func (t *Tx) Transcripts(videoID string) ([]*ytsum.Transcript, error) {
	var out []*ytsum.Transcript
	p := prefix(videoID)
	c := t.tx.Bucket(bucketTranscripts).Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		var tr ytsum.Transcript
		if err := decodeRecord(v, &tr); err != nil {
			return nil, fmt.Errorf("transcript: %w", err)
		}
		out = append(out, &tr)
	}
	return out, nil
}

// PutTranscript caches tr under (tr.VideoID, tr.Language). When the video
// has a summary its search entry is queued for refresh.
func (t *Tx) PutTranscript(tr *ytsum.Transcript) error {
	if !validPart(tr.VideoID, false) {
		return invalidID("video id", tr.VideoID)
	}
	if !validPart(tr.Language, true) {
		return invalidID("language", tr.Language)
	}
	raw, err := encodeRecord(tr)
	if err != nil {
		return err
	}
	trs := t.tx.Bucket(bucketTranscripts)
	if err := trs.Put(pair(tr.VideoID, tr.Language), raw); err != nil {
		return err
	}
	if t.tx.Bucket(bucketLatest).Get([]byte(tr.VideoID)) != nil {
		return t.markPending(tr.VideoID)
	}
	return nil
}

// Video returns the cached details of video id.
func (t *Tx) Video(id string) (ytsum.Video, bool, error) {
	raw := t.tx.Bucket(bucketVideos).Get([]byte(id))
	if raw == nil {
		return ytsum.Video{}, false, nil
	}
	var v ytsum.Video
	if err := json.Unmarshal(raw, &v); err != nil {
		return ytsum.Video{}, false, fmt.Errorf("%w: decoding video: %v", errCorrupt, err)
	}
	return v, true, nil
}

// PutVideo caches v under v.ID.
func (t *Tx) PutVideo(v ytsum.Video) error {
	if !validPart(v.ID, false) {
		return invalidID("video id", v.ID)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	videos := t.tx.Bucket(bucketVideos)
	return videos.Put([]byte(v.ID), raw)
}

// AddAudio records that fileName holds audio of videoID.
func (t *Tx) AddAudio(videoID, fileName string) error {
	if !validPart(videoID, false) {
		return invalidID("video id", videoID)
	}
	if !validPart(fileName, false) {
		return invalidID("audio file name", fileName)
	}
	if err := t.tx.Bucket(bucketAudio).Put(pair(videoID, fileName), []byte{}); err != nil {
		return err
	}
	return t.tx.Bucket(bucketAudioFiles).Put(pair(fileName, videoID), []byte{})
}

// AudioFiles returns the audio file names recorded for videoID, sorted.
func (t *Tx) AudioFiles(videoID string) []string {
	var out []string
	p := prefix(videoID)
	c := t.tx.Bucket(bucketAudio).Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		out = append(out, string(k[len(p):]))
	}
	return out
}

// removeAudio drops videoID's audio entries and returns the file names no
// other video refers to.
func (t *Tx) removeAudio(videoID string) ([]string, error) {
	files := t.AudioFiles(videoID)
	if _, err := deletePrefix(t.tx.Bucket(bucketAudio), prefix(videoID)); err != nil {
		return nil, err
	}
	rev := t.tx.Bucket(bucketAudioFiles)
	var orphans []string
	for _, f := range files {
		if err := rev.Delete(pair(f, videoID)); err != nil {
			return nil, err
		}
		p := prefix(f)
		if k, _ := rev.Cursor().Seek(p); k == nil || !bytes.HasPrefix(k, p) {
			orphans = append(orphans, f)
		}
	}
	return orphans, nil
}

// SetLocalThumbnail records name as the cached thumbnail file of every
// summary and the video record of videoID, without queuing the video for
// the search index (the thumbnail is not searchable). It returns how many
// summaries were updated.
func (t *Tx) SetLocalThumbnail(videoID, name string) (int, error) {
	n := 0
	b := t.tx.Bucket(bucketSummaries)
	p := prefix(videoID)
	type kv struct{ k, v []byte }
	var updates []kv
	c := b.Cursor()
	for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		s, err := decodeSummary(v)
		if err != nil {
			return 0, err
		}
		if s.LocalThumbnail == name {
			continue
		}
		s.LocalThumbnail = name
		raw, err := encodeRecord(s)
		if err != nil {
			return 0, err
		}
		updates = append(updates, kv{bytes.Clone(k), raw})
	}
	for _, u := range updates {
		if err := b.Put(u.k, u.v); err != nil {
			return 0, err
		}
		n++
	}
	if v, ok, err := t.Video(videoID); err == nil && ok && v.LocalThumbnail != name {
		v.LocalThumbnail = name
		if err := t.PutVideo(v); err != nil {
			return n, err
		}
	}
	return n, nil
}
