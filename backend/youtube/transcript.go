package youtube

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"ytsum/backend/ytsum"
)

// Transcript returns the captions of video id in the best language
// available. languages lists the preferred BCP-47 codes, most preferred
// first; nil means Options.Languages (default: the UI language, then
// English). The choice: for each preferred language a manual track, then
// an auto-generated one (exact code first, then the same base language);
// then a YouTube translation (tlang) of a translatable track into a
// preferred language; then any track (the video's default first). The
// result records what was used in Language, LanguageName, Kind and Source.
//
// The path is protocols.md §1.1: watch page (consent cookie when asked) →
// innertube ANDROID /player → caption tracks → /api/timedtext, with the
// watch page's own player response as a second source of tracks, then
// yt-dlp when enabled and installed. A cached transcript is returned
// without any request, and a fetched one is cached.
//
// Errors are *ytsum.Error with Kind transcripts_disabled, no_transcript,
// video_unavailable, video_private, video_unplayable, age_restricted,
// blocked, po_token_required, rate_limited (with RetryAfter),
// consent_failed, client_outdated, offline, cancelled, youtube_error,
// youtube_unparsable or one of the ytdlp_* kinds. A transcript without
// text is never returned as a success.
func (c *Client) Transcript(ctx context.Context, id string, languages []string) (*ytsum.Transcript, error) {
	t, err := c.transcript(ctx, id, languages)
	if err != nil {
		return nil, asYtsum(ctx, err)
	}
	return t, nil
}

func (c *Client) transcript(ctx context.Context, id string, languages []string) (*ytsum.Transcript, error) {
	if !ValidVideoID(id) {
		return nil, errBadVideoID()
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	langs := c.languages(languages)
	if t := c.cachedTranscript(id, langs); t != nil {
		return t, nil
	}
	t, err := c.innertubeTranscript(ctx, id, langs)
	if err != nil && ytDlpHelps(err) && c.opts.YtDlp != nil && c.opts.YtDlp() {
		if bin, ok := c.ytDlpBinary(); ok {
			t2, err2 := c.ytDlpTranscript(ctx, bin, id, langs)
			if err2 == nil {
				t, err = t2, nil
			} else {
				c.log.Info("youtube: yt-dlp fallback failed", "video", id, "err", err2)
				err = pickError(err, err2)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if c.opts.Cache != nil {
		if perr := c.opts.Cache.PutTranscript(t); perr != nil {
			c.log.Warn("youtube: transcript cache write failed", "video", id, "err", perr)
		}
	}
	return t, nil
}

// ytDlpHelps reports whether yt-dlp might succeed where innertube failed.
func ytDlpHelps(err error) bool {
	switch kindOf(err) {
	case KindBlocked, KindPOToken, KindTranscriptsDisabled, KindNoTranscript, KindClientOutdated,
		KindYouTubeError, KindUnparsable, KindConsent:
		return true
	}
	return false
}

// pickError chooses what to tell the user when both paths failed: the
// innertube cause, unless it was vague and yt-dlp's is more telling.
func pickError(inner, ytdlp error) error {
	if kindOf(ytdlp) == KindCancelled {
		return ytdlp
	}
	switch kindOf(inner) {
	case KindYouTubeError, KindUnparsable, KindClientOutdated, KindConsent:
		return ytdlp
	}
	return inner
}

func (c *Client) cachedTranscript(id string, langs []string) *ytsum.Transcript {
	if c.opts.Cache == nil {
		return nil
	}
	get := func(lang string) *ytsum.Transcript {
		t, err := c.opts.Cache.Transcript(id, lang)
		if err != nil {
			c.log.Warn("youtube: transcript cache read failed", "video", id, "err", err)
			return nil
		}
		if t == nil || len(t.Segments) == 0 {
			return nil
		}
		return t
	}
	for _, l := range langs {
		if t := get(l); t != nil {
			return t
		}
	}
	// A transcript in another language was the best the video had when it
	// was fetched (translations are stored under their target language).
	if t := get(""); t != nil {
		if t.Kind != ytsum.TranscriptTranslated {
			return t
		}
		for _, l := range langs {
			if langMatch(l, t.Language) > 0 {
				return t
			}
		}
	}
	return nil
}

// innertubeTranscript runs the player/timedtext path over both sources of
// caption tracks: the ANDROID player, then the watch page's.
func (c *Client) innertubeTranscript(ctx context.Context, id string, langs []string) (*ytsum.Transcript, error) {
	pd, err := c.player(ctx, id)
	if err != nil {
		return nil, err
	}
	if v, ok := c.details(id, pd); ok {
		c.putVideo(v) // cached while we have it: summarizing needs both
	}
	firstErr := pd.androidErr
	replaceable := func(e error) bool {
		k := kindOf(e)
		return e == nil || k == KindTranscriptsDisabled || k == KindNoTranscript
	}
	for _, src := range []*playerResponse{pd.android, pd.web} {
		if src == nil {
			continue
		}
		var err error
		if perr := src.playability(); perr != nil {
			err = perr
		} else if tl := src.Captions.Renderer; tl == nil || len(tl.CaptionTracks) == 0 {
			err = errTranscriptsDisabled(fmt.Errorf("youtube: %s: no caption tracks", id))
		} else {
			t, terr := c.fromTracks(ctx, id, tl, langs)
			if terr == nil {
				return t, nil
			}
			if fatal(terr) {
				return nil, terr
			}
			err = terr
		}
		if replaceable(firstErr) && (firstErr == nil || !replaceable(err)) {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = errTranscriptsDisabled(fmt.Errorf("youtube: %s: no player response", id))
	}
	return nil, firstErr
}

// choice is one way to get a transcript from a track list.
type choice struct {
	track captionTrack
	tlang string // translate to this language (kind translated)
	lang  string
	name  string
	kind  string
}

// langMatch is 2 for the same code, 1 for the same base language
// (en ~ en-GB), 0 otherwise; case-insensitive.
func langMatch(pref, code string) int {
	if strings.EqualFold(pref, code) {
		return 2
	}
	if pref != "" && code != "" && strings.EqualFold(langBase(pref), langBase(code)) {
		return 1
	}
	return 0
}

func langBase(s string) string {
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		return s[:i]
	}
	return s
}

func trackKind(t captionTrack) string {
	if t.generated() {
		return ytsum.TranscriptGenerated
	}
	return ytsum.TranscriptManual
}

// chooseTracks orders the ways to get a transcript, best first (see
// Transcript).
func chooseTracks(tl *trackList, langs []string) []choice {
	var out []choice
	seen := make(map[string]bool)
	add := func(ch choice) {
		k := ch.track.BaseURL + "\x00" + ch.tlang
		if seen[k] || ch.track.BaseURL == "" {
			return
		}
		seen[k] = true
		out = append(out, ch)
	}
	plain := func(t captionTrack) choice {
		return choice{track: t, lang: t.LanguageCode, name: t.Name.String(), kind: trackKind(t)}
	}
	for _, p := range langs {
		for _, gen := range []bool{false, true} {
			for _, level := range []int{2, 1} {
				for _, t := range tl.CaptionTracks {
					if t.generated() == gen && langMatch(p, t.LanguageCode) == level {
						add(plain(t))
					}
				}
			}
		}
	}
	// Translation into the first preferred language YouTube offers.
	var src *captionTrack
	for _, i := range tl.DefaultTranslationSourceTrackIndices {
		if i >= 0 && i < len(tl.CaptionTracks) && tl.CaptionTracks[i].IsTranslatable {
			src = &tl.CaptionTracks[i]
			break
		}
	}
	for _, gen := range []bool{false, true} {
		for i := range tl.CaptionTracks {
			if src == nil && tl.CaptionTracks[i].IsTranslatable && tl.CaptionTracks[i].generated() == gen {
				src = &tl.CaptionTracks[i]
			}
		}
	}
	if src != nil {
	prefs:
		for _, p := range langs {
			for _, level := range []int{2, 1} {
				for _, tr := range tl.TranslationLanguages {
					if langMatch(p, tr.LanguageCode) == level {
						name := tr.LanguageName.String()
						if name == "" {
							name = tr.LanguageCode
						}
						add(choice{track: *src, tlang: tr.LanguageCode, lang: tr.LanguageCode,
							name: name + " (translated from " + src.Name.String() + ")", kind: ytsum.TranscriptTranslated})
						break prefs
					}
				}
			}
		}
	}
	// Any track: the video's default caption track first.
	if i := tl.DefaultAudioTrackIndex; i >= 0 && i < len(tl.AudioTracks) {
		if d := tl.AudioTracks[i].DefaultCaptionTrackIndex; d != nil && *d >= 0 && *d < len(tl.CaptionTracks) {
			add(plain(tl.CaptionTracks[*d]))
		}
	}
	for _, gen := range []bool{false, true} {
		for _, t := range tl.CaptionTracks {
			if t.generated() == gen {
				add(plain(t))
			}
		}
	}
	return out
}

// maxTrackTries bounds the tracks tried when one yields no text.
const maxTrackTries = 3

func (c *Client) fromTracks(ctx context.Context, id string, tl *trackList, langs []string) (*ytsum.Transcript, error) {
	var lastErr error
	for i, ch := range chooseTracks(tl, langs) {
		if i >= maxTrackTries {
			break
		}
		t, err := c.fetchTrack(ctx, id, ch)
		if err == nil {
			return t, nil
		}
		switch kindOf(err) {
		case KindNoTranscript, KindUnparsable, KindYouTubeError:
			lastErr = err // a broken track: try the next one
			continue
		}
		return nil, err
	}
	if lastErr == nil {
		lastErr = errTranscriptsDisabled(fmt.Errorf("youtube: %s: no usable caption track", id))
	}
	return nil, lastErr
}

// captionURL turns a track's baseUrl into the URL to fetch: resolved on
// BaseURL, fmt dropped (classic XML), tlang added. It refuses hosts that
// are not YouTube's.
func (c *Client) captionURL(base, tlang string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if !u.IsAbs() {
		u = c.base.ResolveReference(u)
	} else {
		h := strings.ToLower(u.Hostname())
		if h != "youtube.com" && !strings.HasSuffix(h, ".youtube.com") && !strings.EqualFold(u.Host, c.base.Host) {
			return nil, fmt.Errorf("caption URL on unexpected host %q", h)
		}
		u.Scheme, u.Host = c.base.Scheme, c.base.Host
	}
	q := u.Query()
	q.Del("fmt")
	if tlang != "" {
		q.Set("tlang", tlang)
	}
	u.RawQuery = q.Encode()
	return u, nil
}

// poTokenGated reports whether a caption URL needs a PO token (exp=xpe/xpv).
func poTokenGated(u *url.URL) bool {
	for _, e := range u.Query()["exp"] {
		if strings.Contains(e, "xpe") || strings.Contains(e, "xpv") {
			return true
		}
	}
	return false
}

func (c *Client) fetchTrack(ctx context.Context, id string, ch choice) (*ytsum.Transcript, error) {
	u, err := c.captionURL(ch.track.BaseURL, ch.tlang)
	if err != nil {
		return nil, errUnparsable(fmt.Errorf("youtube: %s: %w", id, err))
	}
	if poTokenGated(u) {
		return nil, errPOToken(fmt.Errorf("youtube: %s: caption URL carries exp=xpe", id))
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, url: u.String()})
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, statusError(resp, u.String())
	}
	if len(strings.TrimSpace(string(resp.body))) == 0 {
		return nil, errPOToken(fmt.Errorf("youtube: %s: timedtext answered an empty body", id))
	}
	segs, err := ParseTimedText(resp.body)
	if err != nil {
		return nil, errUnparsable(fmt.Errorf("youtube: %s: %w", id, err))
	}
	if len(segs) == 0 {
		return nil, errNoTranscript(fmt.Errorf("youtube: %s: track %s has no text", id, ch.lang))
	}
	return &ytsum.Transcript{VideoID: id, Language: ch.lang, LanguageName: ch.name, Kind: ch.kind,
		Source: "innertube", Segments: segs, FetchedAt: c.now().UTC()}, nil
}
