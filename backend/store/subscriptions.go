package store

import (
	"bytes"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/ytsum"
)

// Subscriptions (package subscriptions) live in buckets created on demand by
// the first write, so older files need no migration; a missing bucket reads
// as empty.
var (
	bucketSubs      = []byte("subscriptions")  // subscription id → opaque record
	bucketSubSource = []byte("sub_sources")    // source key → subscription id (one subscription per source)
	bucketSubSeen   = []byte("sub_seen")       // id 0 videoID → how 0 job id
	bucketSubDefer  = []byte("sub_deferred")   // id 0 videoID → 8-byte retry time + 8-byte first deferral
	bucketSubNew    = []byte("sub_new")        // videoID 0 id → empty ("new until opened")
	bucketSubNewBy  = []byte("sub_new_by_sub") // id 0 videoID → empty (reverse of sub_new)
	bucketSubAvatar = []byte("sub_avatars")    // id → cached picture (avatar or first video's thumbnail)
)

// SeenVideo is a video a subscription has dealt with: it is never
// considered again by that subscription.
type SeenVideo struct {
	VideoID string
	// How says what was done: e.g. "job" (queued in JobID), "library"
	// (already summarized; linked), "short", "baseline" (there before the
	// follow), "expired" (deferred too long). Opaque to the store.
	How   string
	JobID string
}

// Deferral is a video a subscription will look at again later (a live
// stream that has not ended, a premiere that has not aired).
type Deferral struct {
	VideoID string
	// RetryAt is when to look again; Since is when it was first deferred
	// (kept from the stored deferral when one exists).
	RetryAt time.Time
	Since   time.Time
}

// SubscriptionCheck is everything one check (or the follow itself) of a
// subscription changes, written by RecordCheck in one transaction.
type SubscriptionCheck struct {
	// ID is the subscription's id.
	ID string
	// Create makes a new subscription: it fails with a conflict when ID or
	// SourceKey is already used. Without it the subscription must exist.
	Create bool
	// SourceKey identifies what is followed (e.g. "channel:UC…"); it is
	// unique among subscriptions. Used with Create only.
	SourceKey string
	// Record is the subscription's new opaque record; nil keeps the stored one.
	Record []byte
	// Seen are videos dealt with now. One already seen by this
	// subscription makes the whole check fail with a conflict: two
	// checks raced, and the loser must not queue a video twice.
	Seen []SeenVideo
	// New are videos to mark new until opened (see MarkOpened).
	New []string
	// Defer adds or replaces deferrals; Undefer removes them.
	Defer   []Deferral
	Undefer []string
	// JobID and JobRecord, when JobID is set, store the job that will
	// summarize the new videos, exactly as PutJob would.
	JobID     string
	JobRecord []byte
}

func errSubNotFound() error {
	return ytsum.Errorf(ytsum.CodeNotFound, "subscription_not_found", "Subscription not found")
}

// RecordCheck writes c in one transaction (synced to disk when it returns
// nil): the subscription record, the seen videos, the new marks, the
// deferrals and the job record all land together or not at all, so a crash
// at any moment neither loses a video (not seen, so the next check finds it
// again) nor repeats one (seen together with the job that summarizes it).
// Errors: conflict (kind "already_followed" or "already_seen"), not_found
// for a missing subscription, invalid for a bad identifier.
func (db *DB) RecordCheck(c SubscriptionCheck) error {
	if !validPart(c.ID, false) {
		return invalidID("subscription id", c.ID)
	}
	if c.JobID != "" && !validPart(c.JobID, false) {
		return invalidID("job id", c.JobID)
	}
	for _, s := range c.Seen {
		if !validPart(s.VideoID, false) || !validPart(s.How, true) || !validPart(s.JobID, true) {
			return invalidID("video id", s.VideoID)
		}
	}
	for _, ids := range [][]string{c.New, c.Undefer} {
		for _, v := range ids {
			if !validPart(v, false) {
				return invalidID("video id", v)
			}
		}
	}
	for _, d := range c.Defer {
		if !validPart(d.VideoID, false) {
			return invalidID("video id", d.VideoID)
		}
	}
	return db.Update(func(tx *Tx) error {
		b, err := subBuckets(tx.tx)
		if err != nil {
			return err
		}
		id := []byte(c.ID)
		exists := b.subs.Get(id) != nil
		switch {
		case c.Create && exists:
			return ytsum.Errorf(ytsum.CodeConflict, "already_followed", "You already follow this channel or playlist.")
		case c.Create:
			if !validPart(c.SourceKey, false) {
				return invalidID("source", c.SourceKey)
			}
			if b.source.Get([]byte(c.SourceKey)) != nil {
				return ytsum.Errorf(ytsum.CodeConflict, "already_followed", "You already follow this channel or playlist.")
			}
			if c.Record == nil {
				c.Record = []byte{}
			}
			if err := b.source.Put([]byte(c.SourceKey), bytes.Clone(id)); err != nil {
				return err
			}
		case !exists:
			return errSubNotFound()
		}
		if c.Record != nil {
			if err := b.subs.Put(id, bytes.Clone(c.Record)); err != nil {
				return err
			}
		}
		for _, s := range c.Seen {
			k := pair(c.ID, s.VideoID)
			if b.seen.Get(k) != nil {
				return ytsum.Errorf(ytsum.CodeConflict, "already_seen",
					"This subscription was checked by another request at the same time; try again.")
			}
			if err := b.seen.Put(k, pair(s.How, s.JobID)); err != nil {
				return err
			}
		}
		for _, v := range c.Undefer {
			if err := b.deferred.Delete(pair(c.ID, v)); err != nil {
				return err
			}
		}
		for _, d := range c.Defer {
			k := pair(c.ID, d.VideoID)
			since := d.Since
			if old := b.deferred.Get(k); len(old) == 16 {
				since = time.Unix(0, int64(binary.BigEndian.Uint64(old[8:])))
			}
			if since.IsZero() {
				since = tx.now()
			}
			v := make([]byte, 16)
			binary.BigEndian.PutUint64(v, uint64(d.RetryAt.UnixNano()))
			binary.BigEndian.PutUint64(v[8:], uint64(since.UnixNano()))
			if err := b.deferred.Put(k, v); err != nil {
				return err
			}
		}
		for _, v := range c.New {
			if err := b.newMark.Put(pair(v, c.ID), nil); err != nil {
				return err
			}
			if err := b.newBy.Put(pair(c.ID, v), nil); err != nil {
				return err
			}
		}
		if c.JobID != "" {
			if err := tx.tx.Bucket(bucketJobs).Put([]byte(c.JobID), bytes.Clone(c.JobRecord)); err != nil {
				return err
			}
		}
		return nil
	})
}

type subBucketSet struct {
	avatar                                       *bolt.Bucket
	subs, source, seen, deferred, newMark, newBy *bolt.Bucket
}

// subBuckets returns the subscription buckets, creating them in a
// read-write transaction.
func subBuckets(tx *bolt.Tx) (subBucketSet, error) {
	var s subBucketSet
	for _, p := range []struct {
		b    **bolt.Bucket
		name []byte
	}{{&s.subs, bucketSubs}, {&s.source, bucketSubSource}, {&s.seen, bucketSubSeen},
		{&s.deferred, bucketSubDefer}, {&s.newMark, bucketSubNew}, {&s.newBy, bucketSubNewBy}, {&s.avatar, bucketSubAvatar}} {
		if tx.Writable() {
			b, err := tx.CreateBucketIfNotExists(p.name)
			if err != nil {
				return s, err
			}
			*p.b = b
		} else {
			*p.b = tx.Bucket(p.name)
		}
	}
	return s, nil
}

// PutSubscription replaces the record of an existing subscription.
// Errors: not_found when there is none.
func (db *DB) PutSubscription(id string, record []byte) error {
	return db.RecordCheck(SubscriptionCheck{ID: id, Record: record})
}

// Subscription returns a copy of subscription id's record; not_found when
// there is none.
func (db *DB) Subscription(id string) (rec []byte, err error) {
	rec, err = db.getCopy(bucketSubs, id)
	if err == nil && rec == nil {
		return nil, errSubNotFound()
	}
	return rec, err
}

// ForEachSubscription calls fn with every subscription record in id order,
// read in short transactions; fn runs outside them and may write.
func (db *DB) ForEachSubscription(fn func(id string, record []byte) error) error {
	var missing bool
	if err := db.View(func(tx *Tx) error { missing = tx.tx.Bucket(bucketSubs) == nil; return nil }); err != nil || missing {
		return err
	}
	return forEachChunk(db, bucketSubs, func(k, v []byte) error { return fn(string(k), v) })
}

// DeleteSubscription removes subscription id, its source key, seen videos,
// deferrals and new marks in one transaction. Summaries and jobs stay.
// Errors: not_found when there is none.
func (db *DB) DeleteSubscription(id string, sourceKey string) error {
	return db.updateSubscription(id, func(b subBucketSet) error {
		if err := b.subs.Delete([]byte(id)); err != nil {
			return err
		}
		if v := b.source.Get([]byte(sourceKey)); v != nil && string(v) == id {
			if err := b.source.Delete([]byte(sourceKey)); err != nil {
				return err
			}
		}
		if _, err := deletePrefix(b.seen, prefix(id)); err != nil {
			return err
		}
		if _, err := deletePrefix(b.deferred, prefix(id)); err != nil {
			return err
		}
		if err := b.avatar.Delete([]byte(id)); err != nil {
			return err
		}
		var vids [][]byte
		c := b.newBy.Cursor()
		p := prefix(id)
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			vids = append(vids, bytes.Clone(k[len(p):]))
		}
		for _, v := range vids {
			if err := b.newMark.Delete(pair(string(v), id)); err != nil {
				return err
			}
		}
		_, err := deletePrefix(b.newBy, p)
		return err
	})
}

// SubscriptionSeen returns which of videoIDs subscription id has seen.
func (db *DB) SubscriptionSeen(id string, videoIDs []string) (seen map[string]bool, err error) {
	seen = make(map[string]bool)
	err = db.View(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketSubSeen)
		if b == nil {
			return nil
		}
		for _, v := range videoIDs {
			if b.Get(pair(id, v)) != nil {
				seen[v] = true
			}
		}
		return nil
	})
	return seen, err
}

// SubscriptionVideos returns every video subscription id has seen, in
// video id order (the library's "filter by subscription" reads it).
func (db *DB) SubscriptionVideos(id string) (out []SeenVideo, err error) {
	err = db.View(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketSubSeen)
		if b == nil {
			return nil
		}
		p := prefix(id)
		c := b.Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			how, job, _ := bytes.Cut(v, []byte{0})
			out = append(out, SeenVideo{VideoID: string(k[len(p):]), How: string(how), JobID: string(job)})
		}
		return nil
	})
	return out, err
}

// SubscriptionDeferred returns subscription id's deferred videos.
func (db *DB) SubscriptionDeferred(id string) (out []Deferral, err error) {
	err = db.View(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketSubDefer)
		if b == nil {
			return nil
		}
		p := prefix(id)
		c := b.Cursor()
		for k, v := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
			if len(v) != 16 {
				continue
			}
			out = append(out, Deferral{VideoID: string(k[len(p):]),
				RetryAt: time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC(),
				Since:   time.Unix(0, int64(binary.BigEndian.Uint64(v[8:]))).UTC()})
		}
		return nil
	})
	return out, err
}

// NewVideos returns the videos of subscription id marked new, in video id
// order; with id "" it returns every video marked new by any subscription.
func (db *DB) NewVideos(id string) (out []string, err error) {
	err = db.View(func(tx *Tx) error {
		if id == "" {
			b := tx.tx.Bucket(bucketSubNew)
			if b == nil {
				return nil
			}
			var last []byte
			return b.ForEach(func(k, _ []byte) error {
				v, _, _ := bytes.Cut(k, []byte{0})
				if !bytes.Equal(v, last) {
					out = append(out, string(v))
					last = bytes.Clone(v)
				}
				return nil
			})
		}
		b := tx.tx.Bucket(bucketSubNewBy)
		if b == nil {
			return nil
		}
		p := prefix(id)
		c := b.Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			out = append(out, string(k[len(p):]))
		}
		return nil
	})
	return out, err
}

// NewCounts returns how many videos each subscription has marked new
// (subscriptions with none are absent).
func (db *DB) NewCounts() (counts map[string]int, err error) {
	counts = make(map[string]int)
	err = db.View(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketSubNewBy)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			id, _, _ := bytes.Cut(k, []byte{0})
			counts[string(id)]++
			return nil
		})
	})
	return counts, err
}

// MarkOpened removes videoID's new marks and returns the subscriptions that
// had marked it (none: nothing changed).
func (db *DB) MarkOpened(videoID string) (subIDs []string, err error) {
	if !validPart(videoID, false) {
		return nil, invalidID("video id", videoID)
	}
	err = db.Update(func(tx *Tx) error {
		b, err := subBuckets(tx.tx)
		if err != nil {
			return err
		}
		p := prefix(videoID)
		c := b.newMark.Cursor()
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
			subIDs = append(subIDs, string(k[len(p):]))
		}
		for _, id := range subIDs {
			if err := b.newMark.Delete(pair(videoID, id)); err != nil {
				return err
			}
			if err := b.newBy.Delete(pair(id, videoID)); err != nil {
				return err
			}
		}
		return nil
	})
	return subIDs, err
}

// PutSubscriptionAvatar keeps data as subscription id's picture (its
// channel avatar or its playlist's first video thumbnail), replacing any.
// Errors: not_found when the subscription is gone (unfollowed while the
// picture was downloading: nothing is kept).
func (db *DB) PutSubscriptionAvatar(id string, data []byte) error {
	return db.updateSubscription(id, func(b subBucketSet) error {
		return b.avatar.Put([]byte(id), data)
	})
}

// updateSubscription runs fn in a write transaction over the subscription
// buckets when subscription id exists; not_found when it does not.
func (db *DB) updateSubscription(id string, fn func(b subBucketSet) error) error {
	return db.Update(func(tx *Tx) error {
		b, err := subBuckets(tx.tx)
		if err != nil {
			return err
		}
		if b.subs.Get([]byte(id)) == nil {
			return errSubNotFound()
		}
		return fn(b)
	})
}

// SubscriptionAvatar returns a copy of subscription id's cached picture;
// not_found when none is cached. It reads only the database (offline).
func (db *DB) SubscriptionAvatar(id string) (data []byte, err error) {
	data, err = db.getCopy(bucketSubAvatar, id)
	if err == nil && data == nil {
		return nil, ytsum.Errorf(ytsum.CodeNotFound, "avatar_not_found", "There is no saved picture for this subscription.")
	}
	return data, err
}

// SubscriptionAvatars returns the ids of the subscriptions with a cached
// picture.
func (db *DB) SubscriptionAvatars() (ids map[string]bool, err error) {
	ids = map[string]bool{}
	err = db.View(func(tx *Tx) error {
		b := tx.tx.Bucket(bucketSubAvatar)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error { ids[string(k)] = true; return nil })
	})
	return ids, err
}

// HasSubscriptionAvatar reports whether subscription id has a cached
// picture, without reading it.
func (db *DB) HasSubscriptionAvatar(id string) (ok bool, err error) {
	err = db.View(func(tx *Tx) error {
		if b := tx.tx.Bucket(bucketSubAvatar); b != nil {
			ok = b.Get([]byte(id)) != nil
		}
		return nil
	})
	return ok, err
}

// getCopy returns a copy of key's value in bucket; nil when the bucket or
// the key is missing.
func (db *DB) getCopy(bucket []byte, key string) (v []byte, err error) {
	err = db.View(func(tx *Tx) error {
		if b := tx.tx.Bucket(bucket); b != nil {
			v = bytes.Clone(b.Get([]byte(key)))
		}
		return nil
	})
	return v, err
}
