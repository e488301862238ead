package store

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The job journal makes a video's outcome (a job part written without a
// head: PutJob(id, nil, parts)) safe from a crash of the process without a
// database commit of its own. The part is appended to a small file beside
// the database (one write call, no fsync) and kept in memory; the next
// database commit — any write of the group commit, usually the next video's
// summary, or at the latest a flush journalFlushDelay later — writes it into
// the database and syncs it, in the same transaction that records the
// journal's sequence number reached (meta "journal_seq"). Open replays what
// a crash left in the file (records past that number, whose job still
// exists) and empties it.
//
// So a part survives kill -9 as soon as PutJob returns, and a power loss
// (the OS's page cache lost) after at most journalFlushDelay plus one
// commit. Losing a part costs nothing to redo: the summary it points to was
// committed and synced before the part was written, and a resumed job finds
// it in the library. A head (a job's status) is never journaled: it is
// committed and synced before PutJob returns, like every other write.
//
// The file starts with an 8-byte magic and the 16-byte identity the
// database keeps in meta "journal_id": a journal is replayed only into its
// own database. When the journal cannot be opened or read, or emptied after
// a replay, Open gives the database a new identity, so what that file holds
// can never be replayed later over newer writes.
//
// Record: 4-byte length n, 4-byte CRC-32C of the payload, n bytes of
// payload: 8-byte sequence, uvarint-prefixed job id, uvarint count of parts,
// each a uvarint-prefixed key and a uvarint (0: delete, else value length
// + 1) followed by the value. Replay stops at the first record that is torn
// or fails its checksum.

// JournalSuffix is appended to the database's path to name its journal.
const JournalSuffix = "-journal"

// journalFlushDelay is the longest a journaled part waits for a database
// commit to carry it.
const journalFlushDelay = 100 * time.Millisecond

// journalRetry is how long a failed flush waits before trying again.
const journalRetry = time.Second

// maxLagSamples bounds the diagnostic samples kept between two reads.
const maxLagSamples = 4096

var (
	keyJournalSeq = []byte("journal_seq")
	keyJournalID  = []byte("journal_id")
	journalMagic  = []byte("ytsumJ01")
)

// journalHeaderSize is the magic and the identity at the start of the file.
const journalHeaderSize = 8 + 16

var crcTable = crc32.MakeTable(crc32.Castagnoli)

type journal struct {
	mu      sync.Mutex
	f       *os.File // nil: not available, every part is committed at once
	size    int64    // bytes in f
	broken  bool     // a write failed: append refuses until f is emptied (empty)
	seq     uint64   // last sequence appended
	pending []journalEntry
	timer   *time.Timer // the scheduled flush, nil when none
	closed  bool
	lag     []time.Duration // append → synced in the database
}

type journalEntry struct {
	seq   uint64
	id    string
	parts map[string][]byte
	at    time.Time
}

// openJournal opens (creating) db's journal, replays it into the database
// and empties it. A journal that cannot be opened, read or emptied leaves db
// without one (parts are then committed at once) and gets a new identity;
// a replay that cannot be committed is an error.
func (db *DB) openJournal() error {
	j := &db.journal
	f, err := os.OpenFile(db.path+JournalSuffix, os.O_RDWR|os.O_CREATE, 0o600)
	var fileID []byte
	var recs []journalEntry
	if err == nil {
		fileID, recs, err = readJournal(f)
	}
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return db.retireJournal()
	}
	var last uint64
	var id []byte
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		id = bytes.Clone(meta.Get(keyJournalID))
		if len(id) != 16 {
			id = newJournalID()
			if err := meta.Put(keyJournalID, id); err != nil {
				return err
			}
		}
		last, _ = strconv.ParseUint(string(meta.Get(keyJournalSeq)), 10, 64)
		if !bytes.Equal(fileID, id) {
			return nil // empty, new, or another database's journal
		}
		i := 0 // records are in sequence order; skip those committed already
		for i < len(recs) && recs[i].seq <= last {
			i++
		}
		if i == len(recs) {
			return nil
		}
		last = recs[len(recs)-1].seq
		return applyJournal(&Tx{tx: tx, now: db.now}, recs[i:])
	})
	if err != nil {
		_ = f.Close()
		return err
	}
	header := append(bytes.Clone(journalMagic), id...)
	if err := f.Truncate(0); err != nil {
		_ = f.Close()
		return db.retireJournal()
	}
	if n, err := f.WriteAt(header, 0); err != nil || n != len(header) {
		_ = f.Close()
		return db.retireJournal()
	}
	j.f, j.seq, j.size = f, last, journalHeaderSize
	return nil
}

// retireJournal gives the database a new journal identity, so the file,
// which could not be used, is never replayed into it.
func (db *DB) retireJournal() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyJournalID, newJournalID())
	})
}

func newJournalID() []byte {
	id := make([]byte, 16)
	_, _ = rand.Read(id) // crypto/rand.Read does not fail
	return id
}

// readJournal returns the identity at the start of f (nil when the file
// does not start with a header) and the valid records after it.
func readJournal(f *os.File) (id []byte, recs []journalEntry, err error) {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
	if err != nil {
		return nil, nil, err
	}
	if len(b) < journalHeaderSize || !bytes.Equal(b[:8], journalMagic) {
		return nil, nil, nil
	}
	id, b = b[8:journalHeaderSize], b[journalHeaderSize:]
	for len(b) >= 8 {
		n := binary.LittleEndian.Uint32(b)
		if int64(len(b)-8) < int64(n) { // torn (or a damaged length)
			break
		}
		payload := b[8 : 8+n]
		if crc32.Checksum(payload, crcTable) != binary.LittleEndian.Uint32(b[4:]) {
			break
		}
		e, ok := decodeJournalEntry(payload)
		if !ok {
			break
		}
		recs = append(recs, e)
		b = b[8+n:]
	}
	return id, recs, nil
}

// encodeJournalEntry returns the record of one PutJob of parts: its length
// and CRC32C (filled in at the end), the sequence, the job id and the parts.
func encodeJournalEntry(seq uint64, id string, parts map[string][]byte) []byte {
	buf := make([]byte, 8)
	buf = binary.LittleEndian.AppendUint64(buf, seq)
	buf = binary.AppendUvarint(buf, uint64(len(id)))
	buf = append(buf, id...)
	buf = binary.AppendUvarint(buf, uint64(len(parts)))
	for k, v := range parts {
		buf = binary.AppendUvarint(buf, uint64(len(k)))
		buf = append(buf, k...)
		if v == nil {
			buf = binary.AppendUvarint(buf, 0)
			continue
		}
		buf = binary.AppendUvarint(buf, uint64(len(v))+1)
		buf = append(buf, v...)
	}
	payload := buf[8:]
	binary.LittleEndian.PutUint32(buf, uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[4:], crc32.Checksum(payload, crcTable))
	return buf
}

func decodeJournalEntry(p []byte) (e journalEntry, ok bool) {
	if len(p) < 8 {
		return e, false
	}
	e.seq = binary.LittleEndian.Uint64(p)
	p = p[8:]
	str := func() ([]byte, bool) {
		n, k := binary.Uvarint(p)
		if k <= 0 || uint64(len(p)-k) < n {
			return nil, false
		}
		s := p[k : k+int(n)]
		p = p[k+int(n):]
		return s, true
	}
	id, ok := str()
	if !ok {
		return e, false
	}
	e.id = string(id)
	count, k := binary.Uvarint(p)
	if k <= 0 || count > uint64(len(p)) {
		return e, false
	}
	p = p[k:]
	e.parts = make(map[string][]byte, count)
	for range count {
		key, ok := str()
		if !ok {
			return e, false
		}
		flag, k := binary.Uvarint(p)
		if k <= 0 {
			return e, false
		}
		p = p[k:]
		if flag == 0 {
			e.parts[string(key)] = nil
			continue
		}
		if uint64(len(p)) < flag-1 {
			return e, false
		}
		e.parts[string(key)] = bytes.Clone(p[:flag-1])
		p = p[flag-1:]
	}
	return e, len(p) == 0
}

// appendJournal journals id's parts and reports whether it did; when it
// did not (no journal, or it failed), the caller commits them itself.
func (db *DB) appendJournal(id string, parts map[string][]byte) bool {
	j := &db.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.broken {
		j.empty() // ends the refusal when every record is committed
	}
	if j.f == nil || j.broken || j.closed {
		return false
	}
	seq := j.seq + 1
	rec := encodeJournalEntry(seq, id, parts)
	if n, err := j.f.WriteAt(rec, j.size); err != nil || n != len(rec) {
		// A torn record ends replay there, so nothing may follow it
		// until the file is emptied.
		j.broken = true
		return false
	}
	j.size += int64(len(rec))
	j.seq = seq
	own := make(map[string][]byte, len(parts))
	for k, v := range parts {
		own[k] = bytes.Clone(v)
	}
	j.pending = append(j.pending, journalEntry{seq: seq, id: id, parts: own, at: time.Now()})
	if j.timer == nil {
		j.timer = time.AfterFunc(journalFlushDelay, db.flushJournal)
	}
	return true
}

// pendingEntries returns the journaled parts not yet in the database, in
// order (the caller must not modify them).
func (j *journal) pendingEntries() []journalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.pending[:len(j.pending):len(j.pending)]
}

// hasPending reports whether parts of job id wait in the journal.
func (j *journal) hasPending(id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range j.pending {
		if e.id == id {
			return true
		}
	}
	return false
}

// applyJournal writes entries into tx with the sequence reached. A part of
// a job that no longer exists is dropped, and so is an entry bbolt refuses
// (a key or value it cannot hold; PutJob's checks make that unreachable):
// it must not hold back every entry after it.
func applyJournal(tx *Tx, entries []journalEntry) error {
	if len(entries) == 0 {
		return nil
	}
	for _, e := range entries {
		_ = tx.putJob(e.id, nil, e.parts)
	}
	return tx.tx.Bucket(bucketMeta).Put(keyJournalSeq, []byte(strconv.FormatUint(entries[len(entries)-1].seq, 10)))
}

// applied forgets the entries up to seq, committed to the database,
// and empties the file when nothing is left to replay.
func (j *journal) applied(seq uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := time.Now()
	i := 0
	for ; i < len(j.pending) && j.pending[i].seq <= seq; i++ {
		if len(j.lag) < maxLagSamples {
			j.lag = append(j.lag, now.Sub(j.pending[i].at))
		}
	}
	j.pending = j.pending[i:]
	j.empty()
}

// empty empties the file when nothing in it waits for the database (every
// record is committed), which also ends a failed write's refusal; j.mu is
// held.
func (j *journal) empty() {
	if len(j.pending) > 0 || j.f == nil || (j.size == journalHeaderSize && !j.broken) {
		return
	}
	j.pending = nil
	if err := j.f.Truncate(journalHeaderSize); err == nil {
		j.size, j.broken = journalHeaderSize, false
	}
}

// flushJournal commits the journaled parts now (the scheduled flush).
func (db *DB) flushJournal() {
	j := &db.journal
	j.mu.Lock()
	j.timer = nil
	if len(j.pending) == 0 || j.closed {
		j.mu.Unlock()
		return
	}
	j.mu.Unlock()
	if err := db.syncJournal(); err != nil {
		j.mu.Lock()
		if j.timer == nil && !j.closed {
			j.timer = time.AfterFunc(journalRetry, db.flushJournal)
		}
		j.mu.Unlock()
	}
}

// syncJournal commits every journaled part to the database before it
// returns (nothing to do when none waits).
func (db *DB) syncJournal() error {
	if len(db.journal.pendingEntries()) == 0 {
		return nil
	}
	return db.write(nil) // a flush: it commits the waiting parts
}

// closeJournal commits what waits and closes the file; a part that could
// not be committed stays in the file for the next Open.
func (db *DB) closeJournal() error {
	j := &db.journal
	err := db.syncJournal()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.closed = true
	if j.timer != nil {
		j.timer.Stop()
		j.timer = nil
	}
	if j.f != nil {
		err = errors.Join(err, j.f.Close())
		j.f = nil
	}
	if err != nil {
		return fmt.Errorf("store: closing the job journal: %w", err)
	}
	return nil
}

// JournalLag returns, and forgets, how long each journaled job part waited
// between PutJob and the synced database commit that carried it, for the
// parts committed since the last call (at most 4,096 are kept).
func (db *DB) JournalLag() []time.Duration {
	j := &db.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.lag
	j.lag = nil
	return out
}
