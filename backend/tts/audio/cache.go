package audio

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/blake2b"

	"ytsum/backend/ytsum"
)

// Index links audio files to the video whose summary they speak, so that
// deleting a summary deletes its audio. The store implements it; it must be
// safe for concurrent use.
type Index interface {
	// AddAudio records fileName (a base name in the cache directory) as audio
	// of videoID. Adding the same pair twice must not duplicate it.
	AddAudio(videoID, fileName string) error
	// AudioFiles returns the file names recorded for videoID (none is not an
	// error).
	AudioFiles(videoID string) ([]string, error)
	// RemoveAudio forgets every file recorded for videoID.
	RemoveAudio(videoID string) error
}

// Options are the cache limits. The zero value of each field means the
// original app's default; a negative value means "no limit".
type Options struct {
	// MaxSizeMB caps the total size of the cache in MiB (default 50).
	MaxSizeMB float64
	// MaxFiles caps the number of audio files (default 100).
	MaxFiles int
	// TTL is the age (time since last use) after which a file is removed by
	// cleanup (default 72 h).
	TTL time.Duration
	// CleanupThreshold is the fraction of MaxSizeMB or MaxFiles above which
	// NeedsCleanup reports true (default 0.8).
	CleanupThreshold float64
	// Now returns the current time (default time.Now); tests set it.
	Now func() time.Time
}

// Defaults of Options, as in the original app's CACHE_CONFIG.
const (
	DefaultMaxSizeMB        = 50
	DefaultMaxFiles         = 100
	DefaultTTL              = 72 * time.Hour
	DefaultCleanupThreshold = 0.8
)

func (o Options) withDefaults() Options {
	if o.MaxSizeMB == 0 {
		o.MaxSizeMB = DefaultMaxSizeMB
	}
	if o.MaxFiles == 0 {
		o.MaxFiles = DefaultMaxFiles
	}
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.CleanupThreshold <= 0 {
		o.CleanupThreshold = DefaultCleanupThreshold
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

const (
	manifestName = "manifest.json"
	tempPrefix   = ".tmp-"
	// PreviewPrefix starts the names of voice-preview files.
	PreviewPrefix = "preview_"
)

// Content types of cached files.
const (
	ContentTypeMP3 = "audio/mpeg"
	ContentTypeWAV = "audio/wav"
)

// Extensions lists the file extensions the cache stores, in lookup order.
var Extensions = []string{".mp3", ".wav"}

// ContentType returns the content type for a cache file name.
func ContentType(name string) string {
	if strings.HasSuffix(name, ".wav") {
		return ContentTypeWAV
	}
	return ContentTypeMP3
}

// Key returns the content-addressed stem (no extension) for text spoken by
// voice: "{voice}_{blake2b-128(text) hex}", as the original app named files.
// Callers pass the cleaned text and append an extension from Extensions.
func Key(voice, text string) string {
	h, _ := blake2b.New(16, nil) // cannot fail for size 16 without key
	h.Write([]byte(text))
	return voice + "_" + hex.EncodeToString(h.Sum(nil))
}

// PreviewKey returns the stem used for voice previews.
func PreviewKey(voice, text string) string { return PreviewPrefix + Key(voice, text) }

type manifestEntry struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

type manifestFile struct {
	Version int                      `json:"version"`
	Files   map[string]manifestEntry `json:"files"`
}

// Cache is the audio cache in one directory. All methods are safe for
// concurrent use. Errors returned are *ytsum.Error.
type Cache struct {
	dir   string
	index Index

	mu       sync.Mutex
	opts     Options
	manifest map[string]manifestEntry
}

// Open opens (creating if needed) the cache in dir, sweeps leftovers of a
// crash (temporary files, files whose size disagrees with the manifest) and
// returns the cache. index may be nil, in which case Link and RemoveVideo do
// nothing.
func Open(dir string, opts Options, index Index) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil { // private, as the whole data folder
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "audio_cache_open",
			fmt.Sprintf("Could not create the audio cache folder %s; check that the data folder is writable.", dir))
	}
	c := &Cache{dir: dir, index: index, opts: opts.withDefaults(), manifest: map[string]manifestEntry{}}
	if err := c.load(); err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "audio_cache_open",
			fmt.Sprintf("Could not read the audio cache folder %s; check its permissions.", dir))
	}
	return c, nil
}

// Dir returns the cache directory.
func (c *Cache) Dir() string { return c.dir }

// Path returns the full path of a cache file name (which must be valid; see
// Put).
func (c *Cache) Path(name string) string { return filepath.Join(c.dir, name) }

// Options returns the limits in force (with defaults filled in).
func (c *Cache) Options() Options {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opts
}

// SetOptions replaces the limits; they apply from the next call on.
func (c *Cache) SetOptions(opts Options) {
	c.mu.Lock()
	c.opts = opts.withDefaults()
	c.mu.Unlock()
}

func (c *Cache) load() error {
	b, err := os.ReadFile(filepath.Join(c.dir, manifestName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		var m manifestFile
		if json.Unmarshal(b, &m) == nil && m.Files != nil {
			c.manifest = m.Files
		} // a corrupt manifest is dropped: files are re-verified by header
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return err
	}
	present := map[string]bool{}
	changed := false
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, tempPrefix) {
			_ = os.Remove(filepath.Join(c.dir, name))
			continue
		}
		if !e.Type().IsRegular() || !isAudioName(name) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if me, ok := c.manifest[name]; ok && me.Size != info.Size() {
			_ = os.Remove(filepath.Join(c.dir, name))
			delete(c.manifest, name)
			changed = true
			continue
		}
		present[name] = true
	}
	for name := range c.manifest {
		if !present[name] {
			delete(c.manifest, name)
			changed = true
		}
	}
	if changed {
		return c.saveManifestLocked()
	}
	return nil
}

// ValidName reports whether name can be a cache file name: a plain base name
// (no separators, not hidden) ending in one of Extensions.
func ValidName(name string) bool {
	if name == "" || name != filepath.Base(name) || strings.ContainsAny(name, `/\:`) ||
		strings.HasPrefix(name, ".") || name == manifestName {
		return false
	}
	return isAudioName(name)
}

func isAudioName(name string) bool {
	for _, ext := range Extensions {
		if strings.HasSuffix(name, ext) && len(name) > len(ext) {
			return true
		}
	}
	return false
}

// Find looks up stem with each of Extensions and returns the first file
// that is present and verified: its name and contents. ok is false on a miss;
// a corrupted file is deleted and reported as a miss.
func (c *Cache) Find(stem string) (name string, data []byte, ok bool, err error) {
	for _, ext := range Extensions {
		data, ok, err = c.Get(stem + ext)
		if err != nil || ok {
			return stem + ext, data, ok, err
		}
	}
	return "", nil, false, nil
}

// Get returns the verified contents of the cache file name. ok is false when
// the file is absent or failed verification (it is then deleted). A hit
// refreshes the file's modification time.
func (c *Cache) Get(name string) (data []byte, ok bool, err error) {
	if !ValidName(name) {
		return nil, false, ytsum.Errorf(ytsum.CodeInvalid, "audio_bad_name", "The audio file name %q is not valid.", name)
	}
	p := filepath.Join(c.dir, name)
	data, err = os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, ytsum.Wrap(err, ytsum.CodeInternal, "audio_cache_read",
			"Could not read a file of the audio cache; check the permissions of the data folder.")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	me, tracked := c.manifest[name]
	switch {
	case tracked && (me.Size != int64(len(data)) || me.SHA256 != sum(data)):
		c.dropLocked(name)
		return nil, false, nil
	case !tracked && !looksLikeAudio(data):
		c.dropLocked(name)
		return nil, false, nil
	case !tracked:
		c.manifest[name] = manifestEntry{Size: int64(len(data)), SHA256: sum(data)}
		_ = c.saveManifestLocked() // the file stays valid by header even if this fails
	}
	now := c.opts.Now()
	_ = os.Chtimes(p, now, now)
	return data, true, nil
}

// dropLocked deletes a file and its manifest entry; c.mu must be held.
func (c *Cache) dropLocked(name string) {
	_ = os.Remove(filepath.Join(c.dir, name))
	if _, ok := c.manifest[name]; ok {
		delete(c.manifest, name)
		_ = c.saveManifestLocked()
	}
}

// Put stores data under name atomically (temporary file, fsync, rename,
// directory fsync, then the manifest). name must satisfy ValidName.
func (c *Cache) Put(name string, data []byte) error {
	if !ValidName(name) {
		return ytsum.Errorf(ytsum.CodeInvalid, "audio_bad_name", "The audio file name %q is not valid.", name)
	}
	if err := writeAtomic(c.dir, name, data); err != nil {
		return ytsum.Wrap(err, ytsum.CodeInternal, "audio_cache_write",
			"Could not save the audio in the cache folder; check free disk space and the folder's permissions.")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.manifest[name] = manifestEntry{Size: int64(len(data)), SHA256: sum(data)}
	if err := c.saveManifestLocked(); err != nil {
		return ytsum.Wrap(err, ytsum.CodeInternal, "audio_cache_write",
			"Could not update the audio cache index; check free disk space and the folder's permissions.")
	}
	return nil
}

// Remove deletes the cache file name (a missing file is not an error).
func (c *Cache) Remove(name string) error {
	if !ValidName(name) {
		return ytsum.Errorf(ytsum.CodeInvalid, "audio_bad_name", "The audio file name %q is not valid.", name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	err := os.Remove(filepath.Join(c.dir, name))
	if _, ok := c.manifest[name]; ok {
		delete(c.manifest, name)
		_ = c.saveManifestLocked()
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ytsum.Wrap(err, ytsum.CodeInternal, "audio_cache_remove",
			"Could not delete a file of the audio cache; check the folder's permissions.")
	}
	return nil
}

// Link records name as audio of videoID in the index (no-op without index).
func (c *Cache) Link(videoID, name string) error {
	if c.index == nil || videoID == "" {
		return nil
	}
	if err := c.index.AddAudio(videoID, name); err != nil {
		return wrapIndex(err, "Could not link the audio to its summary in the library.")
	}
	return nil
}

// RemoveVideo deletes every audio file linked to videoID and forgets the
// links. Files already gone are ignored. It does nothing without an index.
func (c *Cache) RemoveVideo(videoID string) error {
	if c.index == nil || videoID == "" {
		return nil
	}
	names, err := c.index.AudioFiles(videoID)
	if err != nil {
		return wrapIndex(err, "Could not look up the audio of this summary in the library.")
	}
	for _, n := range names {
		if !ValidName(n) {
			continue // never delete outside the cache directory
		}
		if err := c.Remove(n); err != nil {
			return err
		}
	}
	if err := c.index.RemoveAudio(videoID); err != nil {
		return wrapIndex(err, "Could not unlink the audio of this summary in the library.")
	}
	return nil
}

func wrapIndex(err error, msg string) error {
	var ye *ytsum.Error
	if errors.As(err, &ye) {
		return err
	}
	return ytsum.Wrap(err, ytsum.CodeInternal, "audio_index", msg)
}

func (c *Cache) saveManifestLocked() error {
	b, err := json.Marshal(manifestFile{Version: 1, Files: c.manifest})
	if err != nil {
		return err
	}
	return writeAtomic(c.dir, manifestName, b)
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// looksLikeAudio is the header check for files the manifest does not know:
// an ID3v2 tag, an MPEG audio frame sync, or RIFF/WAVE.
func looksLikeAudio(b []byte) bool {
	switch {
	case len(b) < 4:
		return false
	case bytes.HasPrefix(b, []byte("ID3")):
		return len(b) > 10
	case b[0] == 0xFF && b[1]&0xE0 == 0xE0:
		return true
	case len(b) >= 12 && bytes.HasPrefix(b, []byte("RIFF")) && string(b[8:12]) == "WAVE":
		return true
	}
	return false
}

// writeAtomic writes data to dir/name through a synced temporary file and a
// rename, then syncs the directory.
func writeAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
