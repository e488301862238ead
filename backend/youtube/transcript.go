package youtube

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"ytsum/backend/ytsum"
)

// Transcript returns the captions of video id in the best language
// available. languages lists the preferred BCP-47 codes, most preferred
// first; nil means Options.Languages, and when that is empty the OS
// locale's language, then English. The choice: the preferred languages'
// manual tracks, then their automatic ones (exact code before the same
// base language); then the video's original-language manual track, then
// its automatic one; then any other track; a YouTube machine translation
// (tlang) only when languages were chosen (the argument or
// Options.Languages) and no real track could be fetched. The result
// records what was used in Language, LanguageName, Kind and Source.
//
// The path: the watch page once per session (API key and visitor data;
// the consent cookie when asked) → innertube /player as each player client
// in turn (PlayerClient), their track lists merged, until the best track
// known has a clean URL → /api/timedtext of the best clean track; then
// yt-dlp when enabled and installed. A cached transcript is returned
// without any request, and a fetched one is cached.
//
// Errors are *ytsum.Error with Kind transcripts_disabled, no_transcript,
// video_unavailable, video_removed, video_private, video_unplayable,
// members_only, age_restricted, region_blocked, live_not_finished,
// blocked, po_token_required (only when every track of every client asked
// needs a token), rate_limited (with RetryAfter), client_outdated,
// offline, youtube_timeout, cancelled, youtube_error, youtube_unparsable or
// one of the ytdlp_* kinds. A transcript without text is never returned as
// a success.
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
	t, err := c.innertubeTranscript(ctx, id, langs, c.allowTranslation(languages), nil)
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
		// With no network, a transcript cached for other languages is
		// better than none.
		if k := kindOf(err); (k == KindOffline || k == KindTimeout) && c.opts.Cache != nil {
			if cached, cerr := c.opts.Cache.Transcript(id, ""); cerr == nil && cached != nil && len(cached.Segments) > 0 {
				return cached, nil
			}
		}
		return nil, err
	}
	if c.opts.Cache != nil {
		t.Wanted = slices.Clone(langs)
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
	// was fetched for the same languages (translations are stored under
	// their target language). Asked for other languages since (the user
	// changed transcript_languages), the video may have a better track.
	if t := get(""); t != nil {
		if t.Kind != ytsum.TranscriptTranslated && slices.Equal(t.Wanted, langs) {
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

// mergedTrack is one caption track as every asked source listed it (a
// track is the same across sources when its vssId, else its kind and
// language, match).
type mergedTrack struct {
	key          string
	lang         string
	name         string
	asr          bool
	translatable bool
	refs         []trackRef // per source, in the order the sources were asked
}

// trackRef is one source's URL for a track.
type trackRef struct {
	source string
	track  captionTrack
	gated  bool // the URL needs a PO token (exp=xpe/xpv), or answered empty
}

// clean returns the first ref that needs no PO token, or nil.
func (m *mergedTrack) clean() *trackRef {
	for i := range m.refs {
		if !m.refs[i].gated {
			return &m.refs[i]
		}
	}
	return nil
}

func (m *mergedTrack) kind() string {
	if m.asr {
		return ytsum.TranscriptGenerated
	}
	return ytsum.TranscriptManual
}

// trackSet merges the track lists of the sources asked so far.
type trackSet struct {
	tracks []*mergedTrack
	byKey  map[string]*mergedTrack
	orig   string // the video's original language, when a source told
	tlangs []translationLang
}

type translationLang struct{ code, name string }

func (ts *trackSet) add(c *Client, source string, tl *trackList) {
	if ts.byKey == nil {
		ts.byKey = map[string]*mergedTrack{}
	}
	for _, t := range tl.CaptionTracks {
		if t.BaseURL == "" {
			continue
		}
		key := strings.ToLower(t.VssID)
		if key == "" {
			key = strings.ToLower(trackKind(t) + "." + t.LanguageCode)
		}
		m := ts.byKey[key]
		if m == nil {
			m = &mergedTrack{key: key, lang: t.LanguageCode, name: t.Name.String(), asr: t.generated()}
			ts.byKey[key] = m
			ts.tracks = append(ts.tracks, m)
		}
		m.translatable = m.translatable || t.IsTranslatable
		gated := true
		if u, err := c.captionURL(t.BaseURL, ""); err == nil {
			gated = poTokenGated(u)
		}
		m.refs = append(m.refs, trackRef{source: source, track: t, gated: gated})
	}
	// The original language: the automatic track is in the spoken language;
	// else the default caption track of the default audio track.
	if ts.orig == "" {
		for _, t := range tl.CaptionTracks {
			if t.generated() {
				ts.orig = t.LanguageCode
				break
			}
		}
	}
	if ts.orig == "" {
		if i := tl.DefaultAudioTrackIndex; i >= 0 && i < len(tl.AudioTracks) {
			if d := tl.AudioTracks[i].DefaultCaptionTrackIndex; d != nil && *d >= 0 && *d < len(tl.CaptionTracks) {
				ts.orig = tl.CaptionTracks[*d].LanguageCode
			}
		}
	}
	for _, tr := range tl.TranslationLanguages {
		if tr.LanguageCode == "" || slices.ContainsFunc(ts.tlangs, func(x translationLang) bool { return x.code == tr.LanguageCode }) {
			continue
		}
		ts.tlangs = append(ts.tlangs, translationLang{tr.LanguageCode, tr.LanguageName.String()})
	}
}

// choice is one way to get a transcript: a track, maybe translated.
type choice struct {
	track *mergedTrack
	tlang string // translate to this language (kind translated)
	lang  string
	name  string
	kind  string
	why   string
}

// choices orders the ways to get a transcript, best first: the preferred
// languages' manual tracks, then their automatic tracks (exact code before
// the same base language), then the original language's manual and
// automatic tracks, then any other track (manual first); a YouTube
// translation (tlang) into a preferred language comes last and only when
// translate is set (the user chose transcript languages).
func (ts *trackSet) choices(langs []string, translate bool) []choice {
	var out []choice
	seen := map[*mergedTrack]bool{}
	human := func(m *mergedTrack) string {
		if m.asr {
			return "automatic"
		}
		return "manual"
	}
	add := func(m *mergedTrack, why string) {
		if seen[m] {
			return
		}
		seen[m] = true
		out = append(out, choice{track: m, lang: m.lang, name: m.name, kind: m.kind(), why: why})
	}
	for _, asr := range []bool{false, true} {
		for _, p := range langs {
			for _, level := range []int{2, 1} {
				for _, m := range ts.tracks {
					if m.asr == asr && langMatch(p, m.lang) == level {
						why := "the best kind there is: a manual track in a preferred language (" + p + ")"
						if asr {
							why = "no clean manual track in a preferred language; the automatic track in a preferred language (" + p + ")"
						}
						add(m, why)
					}
				}
			}
		}
	}
	if ts.orig != "" {
		for _, asr := range []bool{false, true} {
			for _, m := range ts.tracks {
				if m.asr == asr && langMatch(ts.orig, m.lang) > 0 {
					add(m, "no track in a preferred language; the "+human(m)+" track in the video's original language ("+ts.orig+")")
				}
			}
		}
	}
	for _, asr := range []bool{false, true} {
		for _, m := range ts.tracks {
			if m.asr == asr {
				add(m, "no track in a preferred or the original language; the first "+human(m)+" track")
			}
		}
	}
	if !translate {
		return out
	}
	// A translation of the original-language track (manual first), else of
	// any translatable track, into the first preferred language offered.
	var src *mergedTrack
	for _, ch := range out {
		if ch.track.translatable && ch.track.clean() != nil && (ts.orig == "" || langMatch(ts.orig, ch.lang) > 0) {
			src = ch.track
			break
		}
	}
	if src == nil {
		for _, ch := range out {
			if ch.track.translatable && ch.track.clean() != nil {
				src = ch.track
				break
			}
		}
	}
	if src == nil {
		return out
	}
	for _, p := range langs {
		for _, level := range []int{2, 1} {
			for _, tr := range ts.tlangs {
				if langMatch(p, tr.code) == level && langMatch(tr.code, src.lang) == 0 {
					name := tr.name
					if name == "" {
						name = tr.code
					}
					out = append(out, choice{track: src, tlang: tr.code, lang: tr.code,
						name: name + " (translated from " + src.name + ")", kind: ytsum.TranscriptTranslated,
						why: "no track could be fetched; YouTube's machine translation into " + tr.code + ", a language you chose"})
					return out
				}
			}
		}
	}
	return out
}

// allowTranslation reports whether machine translations may be used: only
// when the caller or the transcript_languages setting named languages.
func (c *Client) allowTranslation(explicit []string) bool {
	if len(explicit) > 0 {
		return true
	}
	return c.opts.Languages != nil && len(c.opts.Languages()) > 0
}

// innertubeTranscript asks the player clients in order, merging their
// track lists, until the best track known so far has a clean URL (no more
// requests than that), then fetches the best clean tracks. tr, when not
// nil, records every step for Diagnose.
func (c *Client) innertubeTranscript(ctx context.Context, id string, langs []string, translate bool, tr *trace) (*ytsum.Transcript, error) {
	var ts trackSet
	var srcErr error // the most telling refusal of a source
	keep := func(err error) {
		if srcErr == nil || clientSpecific(srcErr) && !clientSpecific(err) ||
			kindOf(srcErr) == KindTranscriptsDisabled && !clientSpecific(err) {
			srcErr = err
		}
	}
	clients := c.playerClients()
	asked := 0
	defer func() {
		for _, pc := range clients[asked:] {
			tr.notAsked(pc.Name)
		}
	}()
	for i, pc := range clients {
		if i > 0 {
			if chs := ts.choices(langs, false); len(chs) > 0 && chs[0].track.clean() != nil {
				break // the best track known is clean: no need to ask further
			}
		}
		asked++
		a := c.ask(ctx, id, pc)
		tr.answer(pc.Name, a)
		if a.resp != nil && a.err == nil {
			if v, ok := c.details(id, a.resp); ok {
				c.putVideo(v) // cached while we have it: summarizing needs both
			}
		}
		if a.err != nil {
			if fatal(a.err) {
				if kindOf(a.err) == KindCancelled || !ts.anyClean() {
					return nil, a.err
				}
				keep(a.err)
				break // use the clean tracks already known
			}
			keep(a.err)
			if !clientSpecific(a.err) {
				break // a refusal about the video itself: other clients would say the same
			}
			continue
		}
		tl := a.resp.Captions.Renderer
		if tl == nil || len(tl.CaptionTracks) == 0 {
			keep(errTranscriptsDisabled(fmt.Errorf("youtube: %s: no caption tracks from %s", id, pc.Name)))
			continue
		}
		ts.add(c, pc.Name, tl)
	}
	tr.seen(&ts)
	chs := ts.choices(langs, translate)
	if len(chs) == 0 {
		if srcErr == nil {
			srcErr = errTranscriptsDisabled(fmt.Errorf("youtube: %s: no player answer", id))
		}
		return nil, srcErr
	}
	var lastErr error
	tries := 0
	for _, ch := range chs {
		ref := ch.track.clean()
		if ref == nil {
			continue
		}
		if tries >= maxTrackTries {
			break
		}
		tries++
		t, err := c.fetchTrack(ctx, id, ch, ref)
		if err == nil {
			tr.chose(ch, ref)
			return t, nil
		}
		if kindOf(err) == KindPOToken {
			ref.gated = true // an empty answer: the URL needs a token after all
			tr.seen(&ts)
		}
		switch kindOf(err) {
		case KindNoTranscript, KindUnparsable, KindYouTubeError, KindPOToken:
			lastErr = err // a broken or gated track: try the next one
			continue
		}
		return nil, err
	}
	if lastErr != nil && kindOf(lastErr) != KindPOToken {
		return nil, lastErr
	}
	return nil, errPOToken(fmt.Errorf("youtube: %s: every caption track of %d source(s) needs a PO token", id, asked))
}

func (ts *trackSet) anyClean() bool {
	for _, m := range ts.tracks {
		if m.clean() != nil {
			return true
		}
	}
	return false
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

// maxTrackTries bounds the tracks fetched when one yields no text.
const maxTrackTries = 3

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

func (c *Client) fetchTrack(ctx context.Context, id string, ch choice, ref *trackRef) (*ytsum.Transcript, error) {
	u, err := c.captionURL(ref.track.BaseURL, ch.tlang)
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
