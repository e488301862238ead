package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/ytsum"
)

// Conversations (package ask) live in two buckets created on first write,
// so a file without them is schema 1 as before and no migration is needed:
//
//	conversations          id → Conversation JSON (snappy, see codec.go)
//	conversations_by_scope scope 0 8-byte time key of UpdatedAt + id → empty
//
// where scope is "v:" + video id for a conversation about one video and
// "library" for one about the whole library. The second bucket is kept in
// step with the first in the same transaction, so listing a video's
// conversations newest first is a cursor walk.
var (
	bucketConversations        = []byte("conversations")
	bucketConversationsByScope = []byte("conversations_by_scope")
)

// MaxConversationTurns is how many turns a stored conversation keeps; a
// turn beyond it drops the oldest one.
const MaxConversationTurns = 200

const libraryScope = "library"

func conversationScope(videoID *string) string {
	if videoID == nil {
		return libraryScope
	}
	return "v:" + *videoID
}

func scopeKey(c *ytsum.Conversation) []byte {
	k := prefix(conversationScope(c.VideoID))
	k = append(k, timeKey(c.UpdatedAt)...)
	return append(k, c.ID...)
}

func conversationNotFound(id string) error {
	return ytsum.Errorf(ytsum.CodeNotFound, "conversation_not_found",
		"That conversation no longer exists; start a new one by asking again.")
}

func getConversation(tx *bolt.Tx, id string) (*ytsum.Conversation, error) {
	b := tx.Bucket(bucketConversations)
	if b == nil {
		return nil, nil
	}
	raw := b.Get([]byte(id))
	if raw == nil {
		return nil, nil
	}
	var c ytsum.Conversation
	if err := decodeRecord(raw, &c); err != nil {
		return nil, fmt.Errorf("conversation %q: %w", id, err)
	}
	return &c, nil
}

// AppendTurn adds turn to conversation id, creating the conversation (about
// videoID, or the library when videoID is nil) when it does not exist yet,
// and returns the conversation as stored. A zero turn.AskedAt is set to
// now; the conversation's UpdatedAt becomes turn.AskedAt. Appending to an
// existing conversation about another video (or scope) is an *ytsum.Error
// with code invalid and kind "conversation_scope"; an invalid id or video id
// is kind "invalid_id". At most MaxConversationTurns turns are kept. The
// write is synced before AppendTurn returns.
func (db *DB) AppendTurn(id string, videoID *string, turn ytsum.Turn) (conv ytsum.Conversation, err error) {
	if !validPart(id, false) {
		return conv, invalidID("conversation id", id)
	}
	if videoID != nil && !validPart(*videoID, false) {
		return conv, invalidID("video id", *videoID)
	}
	err = db.Update(func(t *Tx) error {
		convs, err := t.tx.CreateBucketIfNotExists(bucketConversations)
		if err != nil {
			return err
		}
		byScope, err := t.tx.CreateBucketIfNotExists(bucketConversationsByScope)
		if err != nil {
			return err
		}
		if turn.AskedAt.IsZero() {
			turn.AskedAt = t.now().UTC()
		}
		c, err := getConversation(t.tx, id)
		if err != nil {
			return err
		}
		if c == nil {
			c = &ytsum.Conversation{ID: id, VideoID: videoID, CreatedAt: turn.AskedAt}
			if videoID != nil {
				v := *videoID
				c.VideoID = &v
			}
		} else {
			if conversationScope(c.VideoID) != conversationScope(videoID) {
				return ytsum.Errorf(ytsum.CodeInvalid, "conversation_scope",
					"That conversation is about another video; start a new conversation for this one.")
			}
			if err := byScope.Delete(scopeKey(c)); err != nil {
				return err
			}
		}
		c.Turns = append(c.Turns, turn)
		if n := len(c.Turns) - MaxConversationTurns; n > 0 {
			c.Turns = append([]ytsum.Turn(nil), c.Turns[n:]...)
		}
		c.UpdatedAt = turn.AskedAt
		raw, err := encodeRecord(c)
		if err != nil {
			return fmt.Errorf("encoding conversation %s: %w", id, err)
		}
		if err := convs.Put([]byte(id), raw); err != nil {
			return err
		}
		if err := byScope.Put(scopeKey(c), nil); err != nil {
			return err
		}
		conv = *c
		return nil
	})
	return conv, err
}

// Conversation returns conversation id; ok is false when there is none.
func (db *DB) Conversation(id string) (conv ytsum.Conversation, ok bool, err error) {
	err = db.View(func(t *Tx) error {
		c, err := getConversation(t.tx, id)
		if c != nil {
			conv, ok = *c, true
		}
		return err
	})
	return conv, ok, err
}

// Conversations returns the conversations about videoID (nil: about the
// library), most recently continued first, at most limit of them (limit
// ≤ 0: all).
func (db *DB) Conversations(videoID *string, limit int) (out []ytsum.Conversation, err error) {
	err = db.View(func(t *Tx) error {
		byScope := t.tx.Bucket(bucketConversationsByScope)
		if byScope == nil {
			return nil
		}
		p := prefix(conversationScope(videoID))
		c := byScope.Cursor()
		// Walk backwards from the end of the prefix: newest first.
		end := append(bytes.Clone(p[:len(p)-1]), 1)
		k, _ := c.Seek(end)
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, p); k, _ = c.Prev() {
			if limit > 0 && len(out) >= limit {
				break
			}
			id := string(k[len(p)+8:])
			conv, err := getConversation(t.tx, id)
			if err != nil {
				return err
			}
			if conv == nil {
				return fmt.Errorf("%w: conversation index entry %q points nowhere", errCorrupt, id)
			}
			out = append(out, *conv)
		}
		return nil
	})
	return out, err
}

// DeleteConversation removes conversation id, or returns an *ytsum.Error
// with code not_found and kind "conversation_not_found" when there is none.
func (db *DB) DeleteConversation(id string) error {
	return db.Update(func(t *Tx) error {
		c, err := getConversation(t.tx, id)
		if err != nil {
			return err
		}
		if c == nil {
			return conversationNotFound(id)
		}
		return deleteConversation(t.tx, c)
	})
}

func deleteConversation(tx *bolt.Tx, c *ytsum.Conversation) error {
	if err := tx.Bucket(bucketConversationsByScope).Delete(scopeKey(c)); err != nil {
		return err
	}
	return tx.Bucket(bucketConversations).Delete([]byte(c.ID))
}

// DeleteConversationsOf removes every conversation about videoID (for
// example when the video is deleted from the library) and returns how many
// there were.
func (db *DB) DeleteConversationsOf(videoID string) (n int, err error) {
	convs, err := db.Conversations(&videoID, 0)
	if err != nil || len(convs) == 0 {
		return 0, err
	}
	err = db.Update(func(t *Tx) error {
		n = 0
		for i := range convs {
			c, err := getConversation(t.tx, convs[i].ID)
			if err != nil {
				return err
			}
			if c == nil || conversationScope(c.VideoID) != conversationScope(&videoID) {
				continue
			}
			if err := deleteConversation(t.tx, c); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// LibraryVersion is what identifies the current content of one library
// entry cheaply: its newest summary's cache key and time.
type LibraryVersion struct {
	VideoID      string
	CacheKey     string
	SummarizedAt time.Time
}

// ForEachLibraryVersion calls fn with the version of every library entry in
// video id order, reading only the "latest" bucket (no record is decoded),
// in short transactions; fn runs outside them. A change of version means
// the entry's summary changed. An error from fn stops the walk.
func (db *DB) ForEachLibraryVersion(fn func(LibraryVersion) error) error {
	return forEachChunk(db, bucketLatest, func(k, v []byte) error {
		if len(v) < 8 {
			return fmt.Errorf("%w: latest entry of %q", errCorrupt, k)
		}
		n := int64(binary.BigEndian.Uint64(v[:8]) ^ (1 << 63))
		return fn(LibraryVersion{VideoID: string(k), CacheKey: string(v[8:]), SummarizedAt: time.Unix(0, n).UTC()})
	})
}
