package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"ytsum/backend/ytsum"
)

// DefaultKeepBackups is how many backups Backup keeps when keep <= 0.
const DefaultKeepBackups = 10

const (
	backupPrefix = "ytsum-"
	backupSuffix = ".db"
	backupLayout = "20060102T150405.000Z"
)

// BackupInfo describes one backup file.
type BackupInfo struct {
	Name      string    `json:"name"`
	Path      string    `json:"path"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// Backup writes a consistent snapshot of the database into dir (created if
// needed) as ytsum-<UTC time>.db, without stopping writers: the snapshot is
// one read transaction. The file is written to a temporary name, synced,
// then renamed, so a crash never leaves a half backup under a backup name.
// Afterwards only the newest keep backups in dir are kept (keep <= 0 means
// DefaultKeepBackups). Errors are *ytsum.Error of kind "backup".
func (db *DB) Backup(dir string, keep int) (BackupInfo, error) {
	if keep <= 0 {
		keep = DefaultKeepBackups
	}
	fail := func(err error) (BackupInfo, error) {
		return BackupInfo{}, ytsum.Wrap(err, ytsum.CodeInternal, "backup",
			fmt.Sprintf("The backup could not be written to %s; check that the folder is writable and has free space.", dir))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(err)
	}
	at := db.now().UTC()
	name := backupPrefix + at.Format(backupLayout) + backupSuffix
	final := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, ".tmp-backup-*")
	if err != nil {
		return fail(err)
	}
	tmpName := tmp.Name()
	var size int64
	// The backup should hold every job part; when they cannot be committed
	// now (the library's disk is full, say), they are safe in the journal
	// and the snapshot is taken all the same.
	_ = db.syncJournal()
	err = db.bolt.View(func(tx *bolt.Tx) error {
		n, err := tx.WriteTo(tmp)
		size = n
		return err
	})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmpName, final)
	}
	if err != nil {
		_ = os.Remove(tmpName)
		return fail(err)
	}
	syncDir(dir)
	info := BackupInfo{Name: name, Path: final, Size: size, CreatedAt: at}
	all, err := Backups(dir)
	if err != nil {
		return info, err
	}
	for _, old := range all[min(keep, len(all)):] {
		if err := os.Remove(old.Path); err != nil && !os.IsNotExist(err) {
			_, ferr := fail(err)
			return info, ferr
		}
	}
	return info, nil
}

// Backups lists the backups in dir, newest first. A missing dir is an
// empty list.
func Backups(dir string) ([]BackupInfo, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "backup",
			fmt.Sprintf("The backup folder %s could not be read; check its permissions.", dir))
	}
	var out []BackupInfo
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, backupPrefix) || !strings.HasSuffix(n, backupSuffix) {
			continue
		}
		at, err := time.Parse(backupLayout, strings.TrimSuffix(strings.TrimPrefix(n, backupPrefix), backupSuffix))
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, BackupInfo{Name: n, Path: filepath.Join(dir, n), Size: fi.Size(), CreatedAt: at})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// syncDir makes a rename in dir durable where the OS supports it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Snapshots makes and lists the backups of db in one folder (the data
// folder's backups/): what the HTTP API's backup routes serve. Safe for
// concurrent use.
type Snapshots struct {
	db  *DB
	dir string
}

// Snapshots returns the backups of db in dir.
func (db *DB) Snapshots(dir string) Snapshots { return Snapshots{db: db, dir: dir} }

// List lists the backups, newest first (see Backups); ctx is checked first.
func (s Snapshots) List(ctx context.Context) ([]BackupInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return Backups(s.dir)
}

// Create writes a consistent snapshot, keeping the newest
// DefaultKeepBackups (see DB.Backup); ctx is checked first.
func (s Snapshots) Create(ctx context.Context) (BackupInfo, error) {
	if err := ctx.Err(); err != nil {
		return BackupInfo{}, err
	}
	return s.db.Backup(s.dir, 0)
}
