package youtube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"ytsum/backend/ytsum"
)

// Playlist expands playlist id: its title and every video across all
// continuation pages, in playlist order (innertube POST /youtubei/v1/browse
// with browseId VL<id>, then {"continuation": token} until no token is
// left). Private, deleted and otherwise unplayable entries are kept with
// Error set, never dropped. Errors are *ytsum.Error: invalid (malformed ID,
// a mix, or a login-only list), playlist_not_found, playlist_empty,
// rate_limited, blocked, offline, cancelled, youtube_error,
// youtube_unparsable.
func (c *Client) Playlist(ctx context.Context, id string) (*ytsum.Playlist, error) {
	p, err := c.playlist(ctx, id)
	if err != nil {
		return nil, asYtsum(ctx, err)
	}
	return p, nil
}

func (c *Client) playlist(ctx context.Context, id string) (*ytsum.Playlist, error) {
	return c.playlistUpTo(ctx, id, 0)
}

// playlistUpTo expands playlist id, stopping after the page on which it
// has at least max entries (0: all pages); the result is not truncated.
func (c *Client) playlistUpTo(ctx context.Context, id string, max int) (*ytsum.Playlist, error) {
	if e := loginList(id); e != nil {
		return nil, e
	}
	if !validPlaylistID(id) {
		return nil, errBadPlaylistID()
	}
	if isMix(id) {
		return nil, errMixOnly()
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	root, err := c.browse(ctx, map[string]any{"browseId": "VL" + id, "params": "CgIQBg=="}, id)
	if err != nil {
		return nil, err
	}
	if msg, ok := alertError(root); ok {
		return nil, errPlaylistNotFound(fmt.Errorf("youtube: playlist %s: %s", id, msg))
	}
	pl := &ytsum.Playlist{ID: id, Title: playlistTitle(root)}
	var pr pageReader
	pr.read(root["contents"])
	if pr.token == "" && len(pr.entries) == 0 && pl.Title == "" {
		return nil, errPlaylistNotFound(fmt.Errorf("youtube: playlist %s: no contents", id))
	}
	pl.Entries = append(pl.Entries, pr.entries...)
	tokens := map[string]bool{}
	for page := 1; pr.token != "" && !tokens[pr.token] && (max <= 0 || len(pl.Entries) < max); page++ {
		if page >= c.opts.MaxPlaylistPages {
			c.log.Warn("youtube: playlist truncated", "playlist", id, "pages", page)
			break
		}
		tokens[pr.token] = true
		next, err := c.browse(ctx, map[string]any{"continuation": pr.token}, id)
		if err != nil {
			return nil, err
		}
		pr = pageReader{}
		pr.read(next["onResponseReceivedActions"])
		pr.read(next["continuationContents"])
		pl.Entries = append(pl.Entries, pr.entries...)
	}
	if len(pl.Entries) == 0 {
		return nil, errPlaylistEmpty(fmt.Errorf("youtube: playlist %s has no entries", id))
	}
	return pl, nil
}

// browse POSTs one innertube browse request as the WEB client.
func (c *Client) browse(ctx context.Context, body map[string]any, id string) (map[string]any, error) {
	body["context"] = map[string]any{"client": map[string]any{
		"clientName": "WEB", "clientVersion": c.opts.WebClientVersion, "hl": "en", "gl": "US"}}
	b, _ := json.Marshal(body)
	u := c.endpoint("/youtubei/v1/browse", url.Values{"prettyPrint": {"false"}})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-YouTube-Client-Name", "1")
	h.Set("X-YouTube-Client-Version", c.opts.WebClientVersion)
	resp, err := c.do(ctx, request{method: http.MethodPost, url: u, body: b, header: h})
	if err != nil {
		return nil, err
	}
	switch {
	case resp.status == http.StatusNotFound:
		return nil, errPlaylistNotFound(&httpError{resp.status, u})
	case resp.status == http.StatusBadRequest && !strings.Contains(string(resp.body), "FAILED_PRECONDITION"):
		return nil, errPlaylistNotFound(fmt.Errorf("youtube: playlist %s: %w", id, &httpError{resp.status, u}))
	case resp.status != http.StatusOK:
		return nil, statusError(resp, u)
	}
	var root map[string]any
	if err := json.Unmarshal(resp.body, &root); err != nil {
		return nil, errUnparsable(fmt.Errorf("youtube: browse %s: %w", id, err))
	}
	return root, nil
}

// alertError returns the text of an ERROR alert (playlist not found).
func alertError(root map[string]any) (string, bool) {
	alerts, _ := root["alerts"].([]any)
	for _, a := range alerts {
		for _, key := range []string{"alertRenderer", "alertWithButtonRenderer"} {
			r := dig(a, key)
			if r == nil {
				continue
			}
			if t, _ := dig(r, "type").(string); t == "ERROR" {
				return runsText(dig(r, "text")), true
			}
		}
	}
	return "", false
}

func playlistTitle(root map[string]any) string {
	for _, path := range [][]string{
		{"metadata", "playlistMetadataRenderer", "title"},
		{"header", "playlistHeaderRenderer", "title"},
		{"header", "pageHeaderRenderer", "pageTitle"},
		{"microformat", "microformatDataRenderer", "title"},
	} {
		if t := runsText(dig(root, path...)); t != "" {
			return t
		}
	}
	return ""
}

// dig follows keys through nested JSON objects; nil when a step is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// runsText reads a string, {simpleText}, {content} or {runs:[{text}]}.
func runsText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		if s, ok := t["simpleText"].(string); ok {
			return s
		}
		if s, ok := t["content"].(string); ok {
			return s
		}
		var b strings.Builder
		runs, _ := t["runs"].([]any)
		for _, r := range runs {
			if s, ok := dig(r, "text").(string); ok {
				b.WriteString(s)
			}
		}
		return b.String()
	}
	return ""
}

// pageReader collects the entries and the continuation token of one page,
// walking the JSON in document order (arrays in order, object keys sorted).
type pageReader struct {
	entries []ytsum.PlaylistEntry
	token   string
}

func (r *pageReader) read(v any) {
	switch t := v.(type) {
	case []any:
		for _, x := range t {
			r.read(x)
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch k {
			case "playlistVideoRenderer", "playlistPanelVideoRenderer":
				r.entries = append(r.entries, videoEntry(t[k]))
			case "lockupViewModel":
				if e, ok := lockupEntry(t[k]); ok {
					r.entries = append(r.entries, e)
				}
			case "continuationItemRenderer":
				if tok, ok := dig(t[k], "continuationEndpoint", "continuationCommand", "token").(string); ok && tok != "" {
					r.token = tok
				}
			case "nextContinuationData":
				if tok, ok := dig(t[k], "continuation").(string); ok && tok != "" {
					r.token = tok
				}
			default:
				r.read(t[k])
			}
		}
	}
}

// videoEntry reads a playlistVideoRenderer. Entries that cannot be
// summarized get an Error sentence.
func videoEntry(v any) ytsum.PlaylistEntry {
	e := ytsum.PlaylistEntry{Title: runsText(dig(v, "title"))}
	e.VideoID, _ = dig(v, "videoId").(string)
	if s, ok := dig(v, "lengthSeconds").(string); ok {
		e.DurationSeconds, _ = strconv.Atoi(s)
	}
	playable, hasPlayable := dig(v, "isPlayable").(bool)
	switch {
	case !ValidVideoID(e.VideoID):
		e.VideoID = ""
		e.Error, e.ErrorKind = "This playlist entry has no valid video in it.", KindVideoUnavailable
	case strings.EqualFold(e.Title, "[Private video]"):
		e.Error, e.ErrorKind = "This video is private, so only its owner can watch it.", KindVideoPrivate
	case strings.EqualFold(e.Title, "[Deleted video]"):
		e.Error, e.ErrorKind = "This video was deleted from YouTube.", KindVideoUnavailable
	case hasPlayable && !playable:
		e.Error, e.ErrorKind = "This video is unavailable on YouTube.", KindVideoUnavailable
		if why := runsText(dig(v, "unplayableText")); why != "" {
			e.Error = "This video is unavailable on YouTube (" + why + ")."
		}
	}
	return e
}

// lockupEntry reads the newer lockupViewModel layout of a video.
func lockupEntry(v any) (ytsum.PlaylistEntry, bool) {
	if t, _ := dig(v, "contentType").(string); t != "LOCKUP_CONTENT_TYPE_VIDEO" {
		return ytsum.PlaylistEntry{}, false
	}
	id, _ := dig(v, "contentId").(string)
	e := ytsum.PlaylistEntry{VideoID: id,
		Title: runsText(dig(v, "metadata", "lockupMetadataViewModel", "title"))}
	if !ValidVideoID(id) {
		e.VideoID = ""
		e.Error = "This playlist entry has no valid video in it."
	}
	return e, true
}
