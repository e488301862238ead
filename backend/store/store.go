package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"ytsum/backend/ytsum"
)

// FileName is the database's file name inside the data directory.
const FileName = "ytsum.db"

// SchemaVersion is the layout version this code reads and writes. Open
// migrates older files forward in one transaction and refuses newer ones.
const SchemaVersion = 1

// Bucket names. Keys that pair two identifiers join them with a 0x00 byte,
// which is therefore not allowed inside an identifier.
var (
	bucketMeta        = []byte("meta")        // "schema" → decimal version; "videos" → count of videos with a summary
	bucketSummaries   = []byte("summaries")   // videoID 0 cacheKey → Summary JSON
	bucketLatest      = []byte("latest")      // videoID → 8-byte time key + cacheKey of its newest summary
	bucketTimeline    = []byte("timeline")    // 8-byte time key + videoID → cacheKey (one entry per video)
	bucketTranscripts = []byte("transcripts") // videoID 0 language → Transcript JSON
	bucketVideos      = []byte("videos")      // videoID → Video JSON
	bucketJobs        = []byte("jobs")        // job id → opaque head record
	bucketJobParts    = []byte("job_parts")   // job id 0 part key → opaque part (made when first needed)
	bucketSettings    = []byte("settings")    // "settings" → opaque record
	bucketAudio       = []byte("audio")       // videoID 0 file name → empty
	bucketAudioFiles  = []byte("audio_files") // file name 0 videoID → empty (reverse of audio)
	bucketPending     = []byte("index_pending")

	keySchema   = []byte("schema")
	keyVideos   = []byte("videos")
	keySettings = []byte("settings")
)

var allBuckets = [][]byte{bucketMeta, bucketSummaries, bucketLatest, bucketTimeline, bucketTranscripts,
	bucketVideos, bucketJobs, bucketSettings, bucketAudio, bucketAudioFiles, bucketPending}

// allocSize is how far past what it needs the file grows once it is larger
// than that. bbolt's default (16 MiB) makes a smaller file double at every
// growth — a 9 MiB library takes a 16 MiB file, a 17 MiB one 32 MiB —
// while 256 KiB steps keep the file within that of its pages, at the cost
// of one more truncate and fsync per 256 KiB written.
const allocSize = 256 << 10

// initialMmapSize is the address space bbolt maps at open: 256 MiB, so a
// growing file is not remapped (a remap waits for every open read) until it
// is that large. Mapping costs no memory until pages are read. Not on
// Windows, where bbolt grows the file itself to the mapped size.
func initialMmapSize() int {
	if runtime.GOOS == "windows" {
		return 0
	}
	return 256 << 20
}

// Options configures Open. The zero value is the recommended configuration.
type Options struct {
	// Timeout is how long Open waits for the file lock held by another
	// process. Zero means one second; then Open returns an *ytsum.Error of
	// kind "already_running".
	Timeout time.Duration
	// CheckOnOpen runs bbolt's full consistency check when opening and
	// treats a failure like a corrupt file (moved aside, fresh database).
	// It reads every page, so it costs time proportional to the file
	// size; false (the default) relies on bbolt's meta-page checksums.
	CheckOnOpen bool
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Recovery describes a damaged database file that Open moved aside.
type Recovery struct {
	// MovedTo is the path the damaged file now has.
	MovedTo string `json:"moved_to"`
	// Message is a sentence for the user.
	Message string `json:"message"`
	// Cause is the internal reason, for the log only.
	Cause error `json:"-"`
}

// DB is the application's one bbolt database. All methods are safe for
// concurrent use; each method is one transaction unless its comment says
// otherwise. Byte slices passed in may be reused by the caller after the
// call returns; byte slices returned are copies the caller owns.
type DB struct {
	bolt     *bolt.DB
	path     string
	now      func() time.Time
	recovery *Recovery
	group    groupCommit
	journal  journal
}

// migrations[v] turns a schema-v file into a schema-(v+1) file. It runs in
// the same transaction as every other pending step and the version bump,
// so a failed migration leaves the file exactly as it was.
var migrations = []func(tx *bolt.Tx) error{
	// 0 → 1: a new (or pre-versioned) file gets every bucket, and the derived
	// buckets (latest, timeline, counts) are rebuilt from the summaries.
	func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return rebuildDerived(tx)
	},
}

// Open opens (creating if needed) the database at path. A second process
// holding the file gets, after Options.Timeout, an *ytsum.Error with code
// unavailable and kind "already_running". A file that is not a valid
// database is renamed to path+".corrupt-<time>" and a fresh one is created;
// DB.Recovery then says so. A file written by a newer schema is refused with
// kind "schema_too_new". Other failures are *ytsum.Error with kind
// "store_open".
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "store_open",
			fmt.Sprintf("The data folder %s could not be created; check its permissions.", filepath.Dir(path)))
	}
	db := &DB{path: path, now: opts.Now}
	bdb, err := openChecked(path, opts)
	if err != nil && isCorrupt(err) {
		moved := fmt.Sprintf("%s.corrupt-%s", path, opts.Now().UTC().Format("20060102T150405Z"))
		if rerr := os.Rename(path, moved); rerr != nil {
			return nil, ytsum.Wrap(errors.Join(err, rerr), ytsum.CodeInternal, "store_corrupt",
				fmt.Sprintf("The library database %s is damaged and could not be moved aside; move or delete it, then start again.", path))
		}
		db.recovery = &Recovery{MovedTo: moved, Cause: err, Message: fmt.Sprintf(
			"The library database was damaged, so it was set aside as %s and a new, empty library was started. "+
				"You can restore one of your backups, or import the old library again.", filepath.Base(moved))}
		bdb, err = openChecked(path, opts)
	}
	if err != nil {
		var ye *ytsum.Error
		if errors.As(err, &ye) {
			return nil, err
		}
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, ytsum.Wrap(err, ytsum.CodeUnavailable, "already_running",
				"YouTube Summarizer is already running (its library is in use by another window or server); close the other one and try again.")
		}
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "store_open",
			fmt.Sprintf("The library database %s could not be opened; check that the data folder is writable and has free space.", path))
	}
	db.bolt = bdb
	if err := db.openJournal(); err != nil {
		_ = bdb.Close()
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "store_open",
			fmt.Sprintf("The job journal %s could not be written into the library database; check that the data folder is writable and has free space.", path+JournalSuffix))
	}
	return db, nil
}

// errCorrupt marks failures after a successful bolt.Open that mean the
// file's content is damaged.
var errCorrupt = errors.New("store: database content is damaged")

func isCorrupt(err error) bool {
	return errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) ||
		errors.Is(err, berrors.ErrVersionMismatch) || errors.Is(err, errCorrupt)
}

// openChecked opens the bolt file, migrates it and (optionally) checks it.
// Panics from bbolt on damaged pages are turned into errCorrupt.
func openChecked(path string, opts Options) (bdb *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			if bdb != nil {
				_ = bdb.Close()
				bdb = nil
			}
			err = fmt.Errorf("%w: panic: %v", errCorrupt, r)
		}
	}()
	bdb, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, FreelistType: bolt.FreelistMapType, InitialMmapSize: initialMmapSize()})
	if err != nil {
		return nil, err
	}
	bdb.AllocSize = allocSize
	if opts.CheckOnOpen {
		if cerr := checkBolt(bdb); cerr != nil {
			_ = bdb.Close()
			return nil, fmt.Errorf("%w: %v", errCorrupt, cerr)
		}
	}
	if err = migrate(bdb, SchemaVersion); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return bdb, nil
}

// migrate runs every pending migration up to target in one transaction.
func migrate(bdb *bolt.DB, target int) error {
	return bdb.Update(func(tx *bolt.Tx) error {
		v := 0
		if meta := tx.Bucket(bucketMeta); meta != nil {
			if raw := meta.Get(keySchema); raw != nil {
				n, err := strconv.Atoi(string(raw))
				if err != nil {
					return fmt.Errorf("%w: schema version %q", errCorrupt, raw)
				}
				v = n
			}
		}
		if v > target {
			return ytsum.Errorf(ytsum.CodeInternal, "schema_too_new",
				"The library was written by a newer version of YouTube Summarizer (schema %d); update the app to open it.", v)
		}
		if v == target {
			return nil
		}
		for ; v < target; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("store: migrating schema %d to %d: %w", v, v+1, err)
			}
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		return meta.Put(keySchema, []byte(strconv.Itoa(target)))
	})
}

// Close closes the database. Pending transactions finish first.
func (db *DB) Close() error {
	jerr := db.closeJournal()
	if err := errors.Join(jerr, db.bolt.Close()); err != nil {
		return ytsum.Wrap(err, ytsum.CodeInternal, "store_close", "The library database could not be closed cleanly.")
	}
	return nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Recovery returns what Open did about a damaged file, or nil when the file
// opened normally. The UI should show Recovery().Message once.
func (db *DB) Recovery() *Recovery { return db.recovery }

// Schema returns the schema version recorded in the file.
func (db *DB) Schema() (int, error) {
	var v int
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n, err := strconv.Atoi(string(tx.Bucket(bucketMeta).Get(keySchema)))
		v = n
		return err
	})
	return v, storeErr(err, "reading the schema version")
}

// Check runs bbolt's consistency check and returns every problem found
// joined, or nil. It reads the whole file in one read transaction.
func (db *DB) Check() error { return checkBolt(db.bolt) }

func checkBolt(bdb *bolt.DB) error {
	return bdb.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

// Size returns the database file's size in bytes.
func (db *DB) Size() (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n, err
}

// storeErr turns an internal failure into the package's boundary error.
// *ytsum.Error values pass through unchanged.
func storeErr(err error, doing string) error {
	if err == nil {
		return nil
	}
	var ye *ytsum.Error
	if errors.As(err, &ye) {
		return err
	}
	return ytsum.Wrap(fmt.Errorf("store: %s: %w", doing, err), ytsum.CodeInternal, "store",
		"The library database could not be read or written; check free disk space, then restart the app.")
}
