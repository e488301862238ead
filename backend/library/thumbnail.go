package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"ytsum/backend/ytsum"
)

// maxThumbnailBytes caps a downloaded thumbnail.
const maxThumbnailBytes = 4 << 20

func thumbName(videoID string) string { return videoID + ".jpg" }

// cacheThumbnail makes sure videoID's thumbnail is in the thumbnails folder,
// downloading it from rawURL when missing. It returns the file name and
// whether the file is there. Failures are logged, never returned: a summary
// is saved with or without its picture.
func (l *Library) cacheThumbnail(ctx context.Context, videoID, rawURL string) (string, bool) {
	if name, ok := l.cachedThumbnail(videoID); ok || name == "" {
		return name, ok
	}
	name := thumbName(videoID)
	if rawURL == "" {
		return "", false
	}
	data, err := l.fetchThumbnail(ctx, rawURL)
	if err == nil {
		err = writeFileAtomic(l.thumbs, name, data)
	}
	if err != nil {
		l.log.Warn("library: thumbnail not cached", "video_id", videoID, "err", err)
		return "", false
	}
	return name, true
}

// cachedThumbnail returns the file name of videoID's thumbnail and whether
// it is cached; the name is "" for an id that cannot have one.
func (l *Library) cachedThumbnail(videoID string) (string, bool) {
	if !videoIDPattern.MatchString(videoID) {
		return "", false
	}
	name := thumbName(videoID)
	fi, err := os.Stat(filepath.Join(l.thumbs, name))
	return name, err == nil && fi.Size() > 0
}

func (l *Library) fetchThumbnail(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("thumbnail URL %q is not http(s)", rawURL)
	}
	data, err := l.download(ctx, u.String())
	if err != nil {
		return nil, err
	}
	if len(data) > maxThumbnailBytes {
		return nil, fmt.Errorf("thumbnail larger than %d bytes", maxThumbnailBytes)
	}
	if !strings.HasPrefix(http.DetectContentType(data), "image/") {
		return nil, fmt.Errorf("thumbnail is not an image (%s)", http.DetectContentType(data))
	}
	return data, nil
}

// download fetches a thumbnail through Options.Fetch when set, else
// Options.HTTPClient; it reads at most one byte over the size cap.
func (l *Library) download(ctx context.Context, rawURL string) ([]byte, error) {
	if l.opts.Fetch != nil {
		data, _, err := l.opts.Fetch(ctx, rawURL)
		return data, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := l.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("thumbnail: HTTP %d", resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxThumbnailBytes+1))
}

// Thumbnail returns the cached thumbnail of videoID and its content type
// (for GET /thumbnails/{video_id}.jpg). It reads only the local file, so it
// works offline; a missing thumbnail is an *ytsum.Error with code not_found.
func (l *Library) Thumbnail(videoID string) (data []byte, contentType string, err error) {
	videoID = strings.TrimSuffix(videoID, ".jpg")
	if !videoIDPattern.MatchString(videoID) {
		return nil, "", ytsum.Errorf(ytsum.CodeNotFound, "thumbnail_not_found", "There is no saved thumbnail for this video.")
	}
	data, err = os.ReadFile(filepath.Join(l.thumbs, thumbName(videoID)))
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(data) == 0 {
		return nil, "", ytsum.Errorf(ytsum.CodeNotFound, "thumbnail_not_found", "There is no saved thumbnail for this video.")
	}
	if err != nil {
		return nil, "", ytsum.Wrap(err, ytsum.CodeInternal, "thumbnail_read",
			"The saved thumbnail could not be read; check the permissions of the data folder.")
	}
	return data, http.DetectContentType(data), nil
}

// CacheMissingThumbnails downloads the thumbnail of every library entry
// that has none cached yet (for example after Import) and returns how many
// it cached. Download failures are skipped; cancelling ctx stops it.
func (l *Library) CacheMissingThumbnails(ctx context.Context) (int, error) {
	var todo []*ytsum.Summary
	err := l.db.ForEachLatest(func(s *ytsum.Summary) error {
		if s.LocalThumbnail == "" && s.ThumbnailURL != "" {
			todo = append(todo, s)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range todo {
		if ctx.Err() != nil {
			return n, ytsum.Wrap(ctx.Err(), ytsum.CodeUnavailable, "cancelled", "Downloading thumbnails was cancelled.")
		}
		name, ok := l.cacheThumbnail(ctx, s.ID, s.ThumbnailURL)
		if !ok {
			continue
		}
		if _, err := l.db.SetLocalThumbnail(s.ID, name); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (l *Library) removeThumbnail(videoID string) {
	if !videoIDPattern.MatchString(videoID) {
		return
	}
	err := os.Remove(filepath.Join(l.thumbs, thumbName(videoID)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		l.log.Warn("library: could not remove a thumbnail", "video_id", videoID, "err", err)
	}
}

// writeFileAtomic writes dir/name through a synced temporary file and a
// rename, so a crash leaves either the old file or the new one.
func writeFileAtomic(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(f.Name())
	}
	return err
}
