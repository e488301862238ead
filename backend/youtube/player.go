package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"ytsum/backend/ytsum"
)

// textRuns is YouTube's formatted text: simpleText or runs[].text.
type textRuns struct {
	SimpleText string `json:"simpleText"`
	Runs       []struct {
		Text string `json:"text"`
	} `json:"runs"`
}

func (t textRuns) String() string {
	if t.SimpleText != "" {
		return t.SimpleText
	}
	var b strings.Builder
	for _, r := range t.Runs {
		b.WriteString(r.Text)
	}
	return b.String()
}

// playerResponse is the part of an innertube /player answer (or of a watch
// page's ytInitialPlayerResponse) this package reads.
type playerResponse struct {
	PlayabilityStatus struct {
		Status      string `json:"status"`
		Reason      string `json:"reason"`
		ErrorScreen struct {
			PlayerErrorMessageRenderer struct {
				Reason    textRuns `json:"reason"`
				Subreason textRuns `json:"subreason"`
			} `json:"playerErrorMessageRenderer"`
		} `json:"errorScreen"`
	} `json:"playabilityStatus"`
	Captions struct {
		Renderer *trackList `json:"playerCaptionsTracklistRenderer"`
	} `json:"captions"`
	VideoDetails *videoDetails `json:"videoDetails"`
}

type trackList struct {
	CaptionTracks []captionTrack `json:"captionTracks"`
	AudioTracks   []struct {
		DefaultCaptionTrackIndex *int `json:"defaultCaptionTrackIndex"`
	} `json:"audioTracks"`
	TranslationLanguages []struct {
		LanguageCode string   `json:"languageCode"`
		LanguageName textRuns `json:"languageName"`
	} `json:"translationLanguages"`
	DefaultAudioTrackIndex               int   `json:"defaultAudioTrackIndex"`
	DefaultTranslationSourceTrackIndices []int `json:"defaultTranslationSourceTrackIndices"`
}

type captionTrack struct {
	BaseURL        string   `json:"baseUrl"`
	Name           textRuns `json:"name"`
	VssID          string   `json:"vssId"`
	LanguageCode   string   `json:"languageCode"`
	Kind           string   `json:"kind"`
	IsTranslatable bool     `json:"isTranslatable"`
}

func (t captionTrack) generated() bool { return t.Kind == "asr" || strings.HasPrefix(t.VssID, "a.") }

type videoDetails struct {
	VideoID       string `json:"videoId"`
	Title         string `json:"title"`
	LengthSeconds string `json:"lengthSeconds"`
	ChannelID     string `json:"channelId"`
	Author        string `json:"author"`
	IsPrivate     bool   `json:"isPrivate"`
	Thumbnail     struct {
		Thumbnails []struct {
			URL    string `json:"url"`
			Width  int    `json:"width"`
			Height int    `json:"height"`
		} `json:"thumbnails"`
	} `json:"thumbnail"`
}

func (p *playerResponse) tracks() []captionTrack {
	if p == nil || p.Captions.Renderer == nil {
		return nil
	}
	return p.Captions.Renderer.CaptionTracks
}

// playability returns nil when the video plays, else the typed error that
// says why not (protocols.md §1.1 step 4).
func (p *playerResponse) playability() error {
	ps := p.PlayabilityStatus
	reason := strings.TrimSpace(ps.Reason)
	if reason == "" {
		reason = strings.TrimSpace(ps.ErrorScreen.PlayerErrorMessageRenderer.Reason.String())
	}
	sub := strings.TrimSpace(ps.ErrorScreen.PlayerErrorMessageRenderer.Subreason.String())
	cause := fmt.Errorf("youtube: playability %s: %q %q", ps.Status, reason, sub)
	lr := strings.ToLower(reason + " " + sub)
	switch ps.Status {
	case "", "OK":
		return nil
	case "LOGIN_REQUIRED":
		switch {
		case strings.Contains(lr, "bot"):
			return errBlocked(cause)
		case strings.Contains(lr, "inappropriate") || strings.Contains(lr, "your age") ||
			strings.Contains(lr, "age-restricted") || strings.Contains(lr, "age restricted"):
			return errAgeRestricted(cause)
		case strings.Contains(lr, "private"):
			return errVideoPrivate(cause)
		}
		return errUnplayable(reason, cause)
	case "AGE_CHECK_REQUIRED", "AGE_VERIFICATION_REQUIRED":
		return errAgeRestricted(cause)
	case "ERROR":
		if strings.Contains(lr, "private") {
			return errVideoPrivate(cause)
		}
		return errVideoUnavailable(cause)
	case "UNPLAYABLE":
		if strings.Contains(lr, "private") {
			return errVideoPrivate(cause)
		}
		if sub != "" && !strings.Contains(reason, sub) {
			reason = strings.TrimRight(reason, ". ") + ". " + sub
		}
		return errUnplayable(reason, cause)
	}
	return errUnplayable(reason, cause)
}

// watchPage is what a watch page yields.
type watchPage struct {
	apiKey      string
	visitorData string
	player      *playerResponse // ytInitialPlayerResponse (WEB client); nil if absent
}

var (
	reAPIKey       = regexp.MustCompile(`"INNERTUBE_API_KEY":\s*"([a-zA-Z0-9_-]+)"`)
	reVisitorData  = regexp.MustCompile(`"VISITOR_DATA":\s*"([^"]+)"`)
	reConsentValue = regexp.MustCompile(`name="v" value="(.*?)"`)
)

const consentAction = `action="https://consent.youtube.com/s"`

// watch fetches the watch page: the innertube API key, visitor data and
// the WEB player response. A consent wall is answered once with the
// CONSENT cookie (protocols.md §1.1 step 1).
func (c *Client) watch(ctx context.Context, id string) (*watchPage, error) {
	u := c.endpoint("/watch", url.Values{"v": {id}})
	for try := 0; ; try++ {
		resp, err := c.do(ctx, request{method: http.MethodGet, url: u})
		if err != nil {
			return nil, err
		}
		if resp.status == http.StatusTooManyRequests {
			return nil, errRateLimited(retryAfter(resp.header), &httpError{resp.status, u})
		}
		if resp.status != http.StatusOK {
			return nil, statusError(resp, u)
		}
		body := resp.body
		if bytes.Contains(body, []byte(consentAction)) {
			m := reConsentValue.FindSubmatch(body)
			if try > 0 || m == nil {
				return nil, errConsent(fmt.Errorf("youtube: consent wall for %s persists", id))
			}
			c.consent.set("YES+" + html.UnescapeString(string(m[1])))
			continue
		}
		wp := &watchPage{}
		if m := reAPIKey.FindSubmatch(body); m != nil {
			wp.apiKey = string(m[1])
		} else if bytes.Contains(body, []byte(`class="g-recaptcha"`)) {
			c.gov.refused(0)
			return nil, errBlocked(fmt.Errorf("youtube: watch page for %s is a reCAPTCHA", id))
		}
		if m := reVisitorData.FindSubmatch(body); m != nil {
			wp.visitorData = string(m[1])
		}
		wp.player = initialPlayerResponse(body)
		return wp, nil
	}
}

// initialPlayerResponse decodes `ytInitialPlayerResponse = {...};` from a
// watch page; nil when absent or broken.
func initialPlayerResponse(page []byte) *playerResponse {
	const marker = "ytInitialPlayerResponse"
	for off := 0; ; {
		i := bytes.Index(page[off:], []byte(marker))
		if i < 0 {
			return nil
		}
		rest := page[off+i+len(marker):]
		off += i + len(marker)
		j := 0
		for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t' || rest[j] == '\n') {
			j++
		}
		if j >= len(rest) || rest[j] != '=' {
			continue
		}
		j++
		for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t' || rest[j] == '\n') {
			j++
		}
		if j >= len(rest) || rest[j] != '{' {
			continue
		}
		var p playerResponse
		if err := json.NewDecoder(bytes.NewReader(rest[j:])).Decode(&p); err != nil {
			return nil
		}
		return &p
	}
}

// androidPlayer calls POST /youtubei/v1/player as the ANDROID client
// (protocols.md §1.1 step 3).
func (c *Client) androidPlayer(ctx context.Context, id, key, visitorData string) (*playerResponse, error) {
	q := url.Values{"prettyPrint": {"false"}}
	if key != "" {
		q.Set("key", key)
	}
	u := c.endpoint("/youtubei/v1/player", q)
	clientCtx := map[string]any{
		"clientName":        "ANDROID",
		"clientVersion":     c.opts.AndroidClientVersion,
		"androidSdkVersion": 30,
		"hl":                "en",
		"gl":                "US",
	}
	if visitorData != "" {
		clientCtx["visitorData"] = visitorData
	}
	body, _ := json.Marshal(map[string]any{
		"context":        map[string]any{"client": clientCtx},
		"videoId":        id,
		"contentCheckOk": true,
		"racyCheckOk":    true,
	})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-YouTube-Client-Name", "3")
	h.Set("X-YouTube-Client-Version", c.opts.AndroidClientVersion)
	h.Set("User-Agent", "com.google.android.youtube/"+c.opts.AndroidClientVersion+" (Linux; U; Android 11) gzip")
	resp, err := c.do(ctx, request{method: http.MethodPost, url: u, body: body, header: h})
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, statusError(resp, u)
	}
	var p playerResponse
	if err := json.Unmarshal(resp.body, &p); err != nil {
		return nil, errUnparsable(fmt.Errorf("youtube: player %s: %w", id, err))
	}
	return &p, nil
}

// playerData is everything the watch page and the ANDROID player said.
type playerData struct {
	android    *playerResponse // nil when the call failed
	androidErr error
	web        *playerResponse // from the watch page; may be nil
}

type memoEntry struct {
	pd *playerData
	at time.Time
}

// fatal reports whether an error ends the whole fetch (no other source can
// help): cancelled, offline, rate limited, blocked.
func fatal(err error) bool {
	switch kindOf(err) {
	case KindCancelled, KindOffline, KindRateLimited, KindBlocked:
		return true
	}
	return false
}

// player returns the player data of id, from a short-lived memo when the
// same video was asked for a moment ago (details, then transcript).
func (c *Client) player(ctx context.Context, id string) (*playerData, error) {
	c.memoMu.Lock()
	if e, ok := c.memo[id]; ok && c.now().Sub(e.at) < playerMemoTTL {
		c.memoMu.Unlock()
		return e.pd, nil
	}
	c.memoMu.Unlock()

	wp, err := c.watch(ctx, id)
	if err != nil {
		if fatal(err) {
			return nil, err
		}
		c.log.Debug("youtube: watch page failed; trying the player alone", "video", id, "err", err)
		wp = &watchPage{}
	}
	pd := &playerData{web: wp.player}
	pd.android, pd.androidErr = c.androidPlayer(ctx, id, wp.apiKey, wp.visitorData)
	if pd.androidErr != nil {
		if kindOf(pd.androidErr) == KindCancelled || pd.web == nil {
			return nil, pd.androidErr
		}
		c.log.Debug("youtube: ANDROID player failed; using the watch page's", "video", id, "err", pd.androidErr)
	} else if kindOf(pd.android.playability()) == KindBlocked {
		c.gov.refused(0)
	}

	if pd.android == nil || pd.android.playability() != nil {
		return pd, nil // only a playable answer is remembered
	}
	c.memoMu.Lock()
	if len(c.memo) >= playerMemoMax {
		for k, e := range c.memo {
			if c.now().Sub(e.at) >= playerMemoTTL || len(c.memo) >= playerMemoMax {
				delete(c.memo, k)
			}
		}
	}
	c.memo[id] = memoEntry{pd: pd, at: c.now()}
	c.memoMu.Unlock()
	return pd, nil
}

// details returns the video details the player data holds, if any.
func (c *Client) details(id string, pd *playerData) (ytsum.Video, bool) {
	for _, p := range []*playerResponse{pd.android, pd.web} {
		if p == nil || p.VideoDetails == nil || p.VideoDetails.Title == "" {
			continue
		}
		d := p.VideoDetails
		v := ytsum.Video{ID: id, Title: d.Title, Channel: d.Author, ChannelID: d.ChannelID,
			ThumbnailURL: c.ThumbnailURL(id)}
		v.DurationSeconds, _ = strconv.Atoi(d.LengthSeconds)
		best := -1
		for i, t := range d.Thumbnail.Thumbnails {
			if best < 0 || t.Width*t.Height > d.Thumbnail.Thumbnails[best].Width*d.Thumbnail.Thumbnails[best].Height {
				best = i
			}
		}
		if best >= 0 {
			if u := c.rebaseThumb(d.Thumbnail.Thumbnails[best].URL); u != "" {
				v.ThumbnailURL = u
			}
		}
		return v, true
	}
	return ytsum.Video{}, false
}

// rebaseThumb moves a YouTube thumbnail URL onto the configured thumbnail
// host; "" when it is not one.
func (c *Client) rebaseThumb(s string) string {
	u, err := url.Parse(s)
	if err != nil || !(strings.HasPrefix(u.Path, "/vi/") || strings.HasPrefix(u.Path, "/vi_webp/")) {
		return ""
	}
	if u.Host != "" && !strings.HasSuffix(u.Host, "ytimg.com") && !strings.HasSuffix(u.Host, "youtube.com") {
		return ""
	}
	out := c.thumb + u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}

// Video returns the details of video id: title, channel, duration and
// thumbnail URL, from the player response (watch page + innertube player),
// with oEmbed as the fallback (which knows no duration). No API key is
// needed. Details from the player are cached through Options.Cache.
// Errors are *ytsum.Error: invalid (bad ID), video_unavailable,
// video_private, blocked, rate_limited, offline, cancelled, …
func (c *Client) Video(ctx context.Context, id string) (ytsum.Video, error) {
	v, err := c.video(ctx, id)
	return v, asYtsum(ctx, err)
}

func (c *Client) video(ctx context.Context, id string) (ytsum.Video, error) {
	if !ValidVideoID(id) {
		return ytsum.Video{}, errBadVideoID()
	}
	if err := ctxErr(ctx); err != nil {
		return ytsum.Video{}, err
	}
	if c.opts.Cache != nil {
		cv, err := c.opts.Cache.Video(id)
		if err != nil {
			c.log.Warn("youtube: video cache read failed", "video", id, "err", err)
		} else if cv != nil {
			return *cv, nil
		}
	}
	var perr error
	pd, err := c.player(ctx, id)
	if err == nil {
		if v, ok := c.details(id, pd); ok {
			c.putVideo(v)
			return v, nil
		}
		perr = pd.androidErr
		if pd.android != nil {
			perr = pd.android.playability()
		}
		if perr == nil && pd.web != nil {
			perr = pd.web.playability()
		}
	} else {
		perr = err
	}
	switch kindOf(perr) {
	case KindCancelled, KindOffline, KindVideoUnavailable, KindVideoPrivate:
		return ytsum.Video{}, perr
	}
	v, oerr := c.oembed(ctx, id)
	if oerr == nil {
		return v, nil
	}
	if kindOf(oerr) == KindCancelled || perr == nil {
		return ytsum.Video{}, oerr
	}
	return ytsum.Video{}, perr
}

func (c *Client) putVideo(v ytsum.Video) {
	if c.opts.Cache == nil {
		return
	}
	if err := c.opts.Cache.PutVideo(v); err != nil {
		c.log.Warn("youtube: video cache write failed", "video", v.ID, "err", err)
	}
}

// oembed asks GET /oembed for a video's title, channel and thumbnail.
func (c *Client) oembed(ctx context.Context, id string) (ytsum.Video, error) {
	u := c.endpoint("/oembed", url.Values{"url": {ytsum.WatchURL(id)}, "format": {"json"}})
	resp, err := c.do(ctx, request{method: http.MethodGet, url: u})
	if err != nil {
		return ytsum.Video{}, err
	}
	cause := &httpError{resp.status, u}
	switch {
	case resp.status == http.StatusNotFound || resp.status == http.StatusBadRequest:
		return ytsum.Video{}, errVideoUnavailable(cause)
	case resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden:
		return ytsum.Video{}, errUnplayable("", fmt.Errorf("youtube: oembed: embedding disabled or private: %w", cause))
	case resp.status != http.StatusOK:
		return ytsum.Video{}, statusError(resp, u)
	}
	var o struct {
		Title        string `json:"title"`
		AuthorName   string `json:"author_name"`
		ThumbnailURL string `json:"thumbnail_url"`
	}
	if err := json.Unmarshal(resp.body, &o); err != nil || o.Title == "" {
		if bytes.Contains(bytes.ToLower(resp.body), []byte("forbidden")) {
			return ytsum.Video{}, errVideoPrivate(fmt.Errorf("youtube: oembed %s: Forbidden", id))
		}
		return ytsum.Video{}, errUnparsable(fmt.Errorf("youtube: oembed %s: not JSON", id))
	}
	v := ytsum.Video{ID: id, Title: o.Title, Channel: o.AuthorName, ThumbnailURL: c.ThumbnailURL(id)}
	if t := c.rebaseThumb(o.ThumbnailURL); t != "" {
		v.ThumbnailURL = t
	}
	return v, nil
}
