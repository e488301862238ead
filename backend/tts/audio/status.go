package audio

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"ytsum/backend/ytsum"
)

// Config is the "config" object of Status, shaped like the original app's
// CACHE_CONFIG. A negative limit means "no limit".
type Config struct {
	MaxSizeMB        float64 `json:"max_size_mb"`
	MaxFiles         int     `json:"max_files"`
	TTLHours         float64 `json:"ttl_hours"`
	CleanupThreshold float64 `json:"cleanup_threshold"`
}

// Status is the JSON answer of GET /api/cache/status (original app shape).
type Status struct {
	TotalFiles   int     `json:"total_files"`
	PreviewFiles int     `json:"preview_files"`
	TotalSizeMB  float64 `json:"total_size_mb"` // rounded to 2 decimals
	MaxSizeMB    float64 `json:"max_size_mb"`
	// CacheUtilization is the size used in percent of MaxSizeMB, 1 decimal.
	CacheUtilization float64 `json:"cache_utilization"`
	NeedsCleanup     bool    `json:"needs_cleanup"`
	Config           Config  `json:"config"`
}

// CleanupResult is the JSON answer of POST /api/cache/cleanup (original app
// shape).
type CleanupResult struct {
	Success         bool    `json:"success"`
	CleanedFiles    int     `json:"cleaned_files"`
	SizeFreedMB     float64 `json:"size_freed_mb"`
	RemainingFiles  int     `json:"remaining_files"`
	RemainingSizeMB float64 `json:"remaining_size_mb"`
}

type fileInfo struct {
	name  string
	size  int64
	mtime time.Time
}

const mib = 1024 * 1024

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func (c *Cache) scan() ([]fileInfo, error) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, err
	}
	var out []fileInfo
	for _, e := range entries {
		if !e.Type().IsRegular() || !ValidName(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, fileInfo{name: e.Name(), size: info.Size(), mtime: info.ModTime()})
	}
	return out, nil
}

// Status reports the cache's size and limits. needs_cleanup is true when
// either cap is used above the cleanup threshold (as in the original app) or
// when some file is older than the TTL.
func (c *Cache) Status() (Status, error) {
	files, err := c.scan()
	if err != nil {
		return Status{}, ytsum.Wrap(err, ytsum.CodeInternal, "audio_cache_read",
			"Could not read the audio cache folder; check its permissions.")
	}
	o := c.Options()
	var total int64
	st := Status{TotalFiles: len(files), MaxSizeMB: o.MaxSizeMB, Config: config(o)}
	for _, f := range files {
		total += f.size
		if strings.HasPrefix(f.name, PreviewPrefix) {
			st.PreviewFiles++
		}
	}
	st.TotalSizeMB = round(float64(total)/mib, 2)
	if o.MaxSizeMB > 0 {
		st.CacheUtilization = round(float64(total)/(o.MaxSizeMB*mib)*100, 1)
	}
	st.NeedsCleanup = needsCleanup(o, files, total)
	return st, nil
}

func config(o Options) Config {
	return Config{MaxSizeMB: o.MaxSizeMB, MaxFiles: o.MaxFiles, TTLHours: o.TTL.Hours(), CleanupThreshold: o.CleanupThreshold}
}

func needsCleanup(o Options, files []fileInfo, total int64) bool {
	if o.MaxSizeMB > 0 && float64(total)/(o.MaxSizeMB*mib) > o.CleanupThreshold {
		return true
	}
	if o.MaxFiles > 0 && float64(len(files))/float64(o.MaxFiles) > o.CleanupThreshold {
		return true
	}
	if o.TTL > 0 {
		now := o.Now()
		for _, f := range files {
			if now.Sub(f.mtime) > o.TTL {
				return true
			}
		}
	}
	return false
}

// NeedsCleanup reports whether Cleanup would be worth running now (see
// Status). A read error reports false.
func (c *Cache) NeedsCleanup() bool {
	st, err := c.Status()
	return err == nil && st.NeedsCleanup
}

// Cleanup applies the limits as the original app did: files older than the
// TTL go first, then the oldest (by modification time) until at most
// MaxFiles remain, then the oldest until the total size is at most
// MaxSizeMB. Files that cannot be deleted are counted as remaining.
func (c *Cache) Cleanup() (CleanupResult, error) {
	files, err := c.scan()
	if err != nil {
		return CleanupResult{}, ytsum.Wrap(err, ytsum.CodeInternal, "audio_cache_read",
			"Could not read the audio cache folder; check its permissions.")
	}
	o := c.Options()
	now := o.Now()
	sort.Slice(files, func(i, j int) bool { return files[i].mtime.Before(files[j].mtime) })

	var drop, keep []fileInfo
	for _, f := range files {
		if o.TTL > 0 && now.Sub(f.mtime) > o.TTL {
			drop = append(drop, f)
		} else {
			keep = append(keep, f)
		}
	}
	if o.MaxFiles >= 0 && len(keep) > o.MaxFiles {
		n := len(keep) - o.MaxFiles
		drop = append(drop, keep[:n]...)
		keep = keep[n:]
	}
	var size int64
	for _, f := range keep {
		size += f.size
	}
	if o.MaxSizeMB >= 0 {
		limit := int64(o.MaxSizeMB * mib)
		for len(keep) > 0 && size > limit {
			drop = append(drop, keep[0])
			size -= keep[0].size
			keep = keep[1:]
		}
	}

	res := CleanupResult{Success: true}
	var freed, remaining int64
	for _, f := range keep {
		remaining += f.size
	}
	c.mu.Lock()
	for _, f := range drop {
		err := os.Remove(filepath.Join(c.dir, f.name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			keep = append(keep, f)
			remaining += f.size
			continue
		}
		delete(c.manifest, f.name)
		res.CleanedFiles++
		freed += f.size
	}
	if res.CleanedFiles > 0 {
		_ = c.saveManifestLocked()
	}
	c.mu.Unlock()
	res.SizeFreedMB = round(float64(freed)/mib, 2)
	res.RemainingFiles = len(keep)
	res.RemainingSizeMB = round(float64(remaining)/mib, 2)
	return res, nil
}
