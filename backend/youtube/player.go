package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
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

// playerResponse is the part of an innertube /player answer this package reads.
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
	IsLive        bool   `json:"isLive"`
	IsUpcoming    bool   `json:"isUpcoming"`
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
// says why not (protocols.md §1.1 step 4). The refusal is read from the
// reason and sub-reason whatever the status: YouTube shows its bot check
// under LOGIN_REQUIRED, UNPLAYABLE and CUSTOM alike. The cause keeps
// status, reason and sub-reason for the log and the diagnosis.
func (p *playerResponse) playability() error {
	ps := p.PlayabilityStatus
	reason := strings.TrimSpace(ps.Reason)
	if reason == "" {
		reason = strings.TrimSpace(ps.ErrorScreen.PlayerErrorMessageRenderer.Reason.String())
	}
	sub := strings.TrimSpace(ps.ErrorScreen.PlayerErrorMessageRenderer.Subreason.String())
	cause := &refusal{status: ps.Status, reason: reason, sub: sub}
	lr := strings.ToLower(strings.ReplaceAll(reason+" "+sub, "\u2019", "'"))
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(lr, w) {
				return true
			}
		}
		return false
	}
	if ps.Status == "" || ps.Status == "OK" {
		if d := p.VideoDetails; d != nil && (d.IsUpcoming || d.IsLive) {
			return errLiveNotFinished(fmt.Errorf("youtube: playability OK but the video is live or upcoming (isLive %v, isUpcoming %v)",
				d.IsLive, d.IsUpcoming))
		}
		return nil
	}
	switch {
	case has("not a bot", "confirm you're not", "confirm you’re not", "unusual traffic"):
		return errBlocked(cause)
	case has("members-only", "members only", "join this channel", "channel's members", "channel’s members"):
		return errMembersOnly(cause)
	case ps.Status == "AGE_CHECK_REQUIRED" || ps.Status == "AGE_VERIFICATION_REQUIRED" ||
		has("inappropriate", "your age", "age-restricted", "age restricted"):
		return errAgeRestricted(cause)
	case has("private"):
		return errVideoPrivate(cause)
	case ps.Status == "LIVE_STREAM_OFFLINE" || has("premiere", "live event will begin", "live stream will begin",
		"scheduled", "this live event", "live stream offline", "waiting for"):
		return errLiveNotFinished(cause)
	case has("your country", "in your location", "not available in your region"):
		return errRegionBlocked(cause)
	case has("removed", "terminated", "no longer available", "deleted", "violat"):
		return errVideoRemoved(firstNonEmpty(sub, reason), cause)
	case ps.Status == "ERROR":
		return errVideoUnavailable(cause)
	}
	if sub != "" && !strings.Contains(reason, sub) {
		reason = strings.TrimRight(reason, ". ") + ". " + sub
	}
	return errUnplayable(reason, cause)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// refusal is the cause of a playability error: YouTube's own words.
type refusal struct{ status, reason, sub string }

func (r *refusal) Error() string {
	s := "youtube: playability " + r.status
	if r.reason != "" {
		s += ": " + strconv.Quote(r.reason)
	}
	if r.sub != "" {
		s += " / " + strconv.Quote(r.sub)
	}
	return s
}

// youTubeSaid returns YouTube's reason and sub-reason behind err, if any.
func youTubeSaid(err error) string {
	var r *refusal
	if !errors.As(err, &r) {
		return ""
	}
	parts := []string{r.status}
	if r.reason != "" {
		parts = append(parts, strconv.Quote(r.reason))
	}
	if r.sub != "" {
		parts = append(parts, strconv.Quote(r.sub))
	}
	return strings.Join(parts, " ")
}

var (
	reAPIKey       = regexp.MustCompile(`"INNERTUBE_API_KEY":\s*"([a-zA-Z0-9_-]+)"`)
	reVisitorData  = regexp.MustCompile(`"VISITOR_DATA":\s*"([^"]+)"`)
	reConsentValue = regexp.MustCompile(`name="v" value="(.*?)"`)
)

const consentAction = `action="https://consent.youtube.com/s"`

// watchPage is what a watch page yields.
type watchPage struct {
	apiKey      string
	visitorData string
}

// session holds the watch page's API key and visitor data, fetched once
// per Client and reused for every video until YouTube rejects them or
// sessionTTL passes. lock (1-buffered) is held while fetching, so that
// concurrent first videos fetch one watch page, not one each — unless that
// fetch stalls for sessionPatience, when each waiting video fetches its own.
type session struct {
	lock chan struct{}

	mu    sync.Mutex
	wp    watchPage
	at    time.Time
	valid bool
	ttl   time.Duration
}

const (
	// sessionPatience is how long a video waits for another video's watch
	// page to yield the session before fetching its own.
	sessionPatience  = 2 * time.Second
	sessionTTL       = 6 * time.Hour
	sessionFailedTTL = 10 * time.Minute // after a watch page that yielded nothing
)

// sessionValues returns the session's API key and visitor data, fetching
// the watch page of video id first when there are none (or they expired).
// A watch page that fails without it mattering (a broken page) yields empty
// values, remembered for sessionFailedTTL: the player is asked keyless then.
func (c *Client) sessionValues(ctx context.Context, id string) (watchPage, error) {
	if wp, ok := c.cachedSession(); ok {
		return wp, nil
	}
	patience := time.NewTimer(sessionPatience)
	defer patience.Stop()
	select {
	case c.sess.lock <- struct{}{}:
		defer func() { <-c.sess.lock }()
		if wp, ok := c.cachedSession(); ok {
			return wp, nil
		}
	case <-patience.C:
		// Another video's watch page is slow (YouTube stalls it): fetch
		// this video's own rather than wait up to its deadlines.
	case <-ctx.Done():
		return watchPage{}, errCancelled(ctx.Err())
	}
	wp, err := c.watch(ctx, id)
	ttl := sessionTTL
	if err != nil {
		if fatal(err) {
			return watchPage{}, err
		}
		c.log.Debug("youtube: watch page failed; asking the player without its key", "video", id, "err", err)
		wp, ttl = &watchPage{}, sessionFailedTTL
	} else if wp.apiKey == "" {
		ttl = sessionFailedTTL
	}
	c.sess.mu.Lock()
	c.sess.wp, c.sess.at, c.sess.valid, c.sess.ttl = *wp, c.now(), true, ttl
	c.sess.mu.Unlock()
	return *wp, nil
}

func (c *Client) cachedSession() (watchPage, bool) {
	c.sess.mu.Lock()
	defer c.sess.mu.Unlock()
	if c.sess.valid && c.now().Sub(c.sess.at) < c.sess.ttl {
		return c.sess.wp, true
	}
	return watchPage{}, false
}

// dropSession forgets the cached key and visitor data (YouTube rejected them).
func (c *Client) dropSession() {
	c.sess.mu.Lock()
	c.sess.valid = false
	c.sess.mu.Unlock()
}

// watch fetches the watch page of id for the innertube API key and visitor
// data. A consent wall is answered once with the CONSENT cookie
// (protocols.md §1.1 step 1).
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
		return wp, nil
	}
}

// playerAs calls POST /youtubei/v1/player as client pc (protocols.md §1.1
// step 3) with the session's key and visitor data. When YouTube rejects
// the request (400 other than FAILED_PRECONDITION, 401, 403) while a cached
// key was sent, the session is dropped, the watch page fetched again and
// the request repeated once.
func (c *Client) playerAs(ctx context.Context, pc PlayerClient, id string) (*playerResponse, error) {
	for try := 0; ; try++ {
		wp, err := c.sessionValues(ctx, id)
		if err != nil {
			return nil, err
		}
		key := pc.APIKey
		if key == "" {
			key = wp.apiKey
		}
		q := url.Values{"prettyPrint": {"false"}}
		if key != "" {
			q.Set("key", key)
		}
		u := c.endpoint("/youtubei/v1/player", q)
		clientCtx := map[string]any{}
		for k, v := range pc.Context {
			clientCtx[k] = v
		}
		clientCtx["clientName"] = pc.Name
		clientCtx["clientVersion"] = pc.Version
		clientCtx["hl"] = "en"
		clientCtx["gl"] = "US"
		if pc.UserAgent != "" {
			clientCtx["userAgent"] = pc.UserAgent
		}
		if wp.visitorData != "" {
			clientCtx["visitorData"] = wp.visitorData
		}
		body, _ := json.Marshal(map[string]any{
			"context":        map[string]any{"client": clientCtx},
			"videoId":        id,
			"contentCheckOk": true,
			"racyCheckOk":    true,
		})
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		h.Set("X-YouTube-Client-Name", strconv.Itoa(pc.ID))
		h.Set("X-YouTube-Client-Version", pc.Version)
		if pc.UserAgent != "" {
			h.Set("User-Agent", pc.UserAgent)
		}
		if wp.visitorData != "" {
			h.Set("X-Goog-Visitor-Id", wp.visitorData)
		}
		resp, err := c.do(ctx, request{method: http.MethodPost, url: u, body: body, header: h})
		if err != nil {
			return nil, err
		}
		rejected := resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden ||
			resp.status == http.StatusBadRequest && !bytes.Contains(resp.body, []byte("FAILED_PRECONDITION"))
		if rejected && try == 0 && wp.apiKey != "" && pc.APIKey == "" {
			c.log.Info("youtube: player rejected the cached key; fetching the watch page again", "video", id,
				"client", pc.Name, "status", resp.status)
			c.dropSession()
			continue
		}
		if resp.status != http.StatusOK {
			return nil, statusError(resp, u)
		}
		var p playerResponse
		if err := json.Unmarshal(resp.body, &p); err != nil {
			return nil, errUnparsable(fmt.Errorf("youtube: player %s as %s: %w", id, pc.Name, err))
		}
		return &p, nil
	}
}

// sourceAnswer is what one player client said about one video.
type sourceAnswer struct {
	client string
	resp   *playerResponse // nil when the request failed
	err    error           // the request's error, or the playability error
}

type memoEntry struct {
	a  sourceAnswer
	at time.Time
}

// fatal reports whether an error ends the whole fetch (no other source can
// help, and asking more would be impolite): cancelled, offline, timed out,
// rate limited, blocked.
func fatal(err error) bool {
	switch kindOf(err) {
	case KindCancelled, KindOffline, KindRateLimited, KindBlocked, KindTimeout:
		return true
	}
	return false
}

// clientSpecific reports whether another player client may answer better:
// the request was refused as outdated, the answer was not understood, or
// the refusal is not about the video itself. (An HTTP 5xx after the
// retries is not: YouTube is down for every client.)
func clientSpecific(err error) bool {
	switch kindOf(err) {
	case KindClientOutdated, KindUnparsable, KindVideoUnplayable, KindPOToken:
		return true
	}
	return false
}

// ask returns client pc's answer for id, from a short-lived memo when the
// same video was asked a moment ago (details, then transcript). Only
// playable answers are remembered.
func (c *Client) ask(ctx context.Context, id string, pc PlayerClient) sourceAnswer {
	key := id + "\x00" + pc.Name + "\x00" + pc.Version
	c.memoMu.Lock()
	if e, ok := c.memo[key]; ok && c.now().Sub(e.at) < playerMemoTTL {
		c.memoMu.Unlock()
		return e.a
	}
	c.memoMu.Unlock()

	a := sourceAnswer{client: pc.Name}
	a.resp, a.err = c.playerAs(ctx, pc, id)
	if a.err == nil {
		a.err = a.resp.playability()
		if kindOf(a.err) == KindBlocked {
			c.gov.refused(0)
		}
	}
	if a.err != nil {
		c.log.Info("youtube: player client refused", "video", id, "client", pc.Name, "kind", kindOf(a.err), "cause", a.err)
		return a
	}
	c.memoMu.Lock()
	if len(c.memo) >= playerMemoMax {
		for k, e := range c.memo {
			if c.now().Sub(e.at) >= playerMemoTTL || len(c.memo) >= playerMemoMax {
				delete(c.memo, k)
			}
		}
	}
	c.memo[key] = memoEntry{a: a, at: c.now()}
	c.memoMu.Unlock()
	return a
}

// details returns the video details a player answer holds, if any.
func (c *Client) details(id string, p *playerResponse) (ytsum.Video, bool) {
	{
		if p == nil || p.VideoDetails == nil || p.VideoDetails.Title == "" {
			return ytsum.Video{}, false
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
// thumbnail URL, from the first player client that answers with them,
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
	// The player clients in order until one answers with details.
	var perr error
	for _, pc := range c.playerClients() {
		a := c.ask(ctx, id, pc)
		if a.err == nil || kindOf(a.err) == KindLiveNotFinished {
			if v, ok := c.details(id, a.resp); ok {
				c.putVideo(v)
				return v, nil
			}
		}
		if perr == nil || clientSpecific(perr) && a.err != nil && !clientSpecific(a.err) {
			perr = a.err
		}
		if a.err != nil && !clientSpecific(a.err) {
			break
		}
	}
	switch kindOf(perr) {
	case KindCancelled, KindOffline, KindTimeout, KindVideoUnavailable, KindVideoPrivate, KindVideoRemoved:
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
