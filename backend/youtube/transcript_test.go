package youtube

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

func wantKind(t *testing.T, err error, kind string) *ytsum.Error {
	t.Helper()
	var ye *ytsum.Error
	if !errors.As(err, &ye) {
		t.Fatalf("error %T %v; want *ytsum.Error kind %s", err, err, kind)
	}
	if ye.Kind != kind {
		t.Fatalf("kind %q (%v); want %q", ye.Kind, err, kind)
	}
	if ye.Message == "" || !strings.HasSuffix(ye.Message, ".") || strings.Contains(ye.Message, "goroutine") {
		t.Fatalf("message %q is not a user sentence", ye.Message)
	}
	if strings.Contains(ye.Message, "signature=") || strings.Contains(ye.Error(), "signature=") || strings.Contains(ye.Error(), fakeAPIKey) {
		t.Fatalf("error leaks a query string: %v", ye)
	}
	return ye
}

// lastTimedtext returns the query of the last timedtext request.
func lastTimedtext(t *testing.T, f *fakeYT) url.Values {
	t.Helper()
	var q url.Values
	for _, r := range f.requests() {
		if strings.HasPrefix(r, "GET /api/timedtext?") {
			q, _ = url.ParseQuery(strings.TrimPrefix(r, "GET /api/timedtext?"))
		}
	}
	if q == nil {
		t.Fatal("no timedtext request")
	}
	return q
}

func TestTranscriptSuccess(t *testing.T) {
	wantText := "Hey, this is just a test this is not the original transcript just something shorter, I made up for testing"
	tests := []struct {
		name     string
		id       string
		langs    []string
		lang     string
		kind     string
		tlang    string
		reqLang  string
		reqKind  string
		wantName string
	}{
		{"manual English", idOK, []string{"en"}, "en", ytsum.TranscriptManual, "", "en", "", "English"},
		{"manual German first when preferred", idOK, []string{"de", "en"}, "de", ytsum.TranscriptManual, "", "de", "", "German"},
		{"region code matches base track", idOK, []string{"en-GB"}, "en", ytsum.TranscriptManual, "", "en", "", "English"},
		{"srv3 answer", idSrv3, []string{"en"}, "en", ytsum.TranscriptManual, "", "en", "", "English"},
		{"original language before a translation", idOnlyJa, []string{"de"}, "ja", ytsum.TranscriptManual, "", "ja", "", "Japanese"},
		{"any track when nothing else", idOnlyJaNoTr, []string{"fr", "en"}, "ja", ytsum.TranscriptGenerated, "", "ja", "asr", "Japanese (auto-generated)"},
		{"default languages from options", idOK, nil, "en", ytsum.TranscriptManual, "", "en", "", "English"},
		{"json3 answer", idJSON3, []string{"en"}, "en", ytsum.TranscriptManual, "", "en", "", "English"},
		{"consent wall answered with the cookie", idConsent, []string{"en"}, "en", ytsum.TranscriptManual, "", "en", "", "English"},
		{"watch page is a reCAPTCHA but the key is optional", idRecaptcha, []string{"en"}, "", "", "", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
			c := f.client(Options{Now: func() time.Time { return now }})
			tr, err := c.Transcript(context.Background(), tc.id, tc.langs)
			if tc.id == idRecaptcha {
				wantKind(t, err, KindBlocked)
				if n := f.count("POST /youtubei/v1/player"); n != 0 {
					t.Errorf("player called %d times after a reCAPTCHA", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Transcript: %v", err)
			}
			if tc.id == idConsent && (f.hitsOf("consent-ok") != 1 || f.count("GET /watch") != 2) {
				t.Errorf("consent cookie not sent on the refetch: %q", f.requests())
			}
			if tr.VideoID != tc.id || tr.Language != tc.lang || tr.Kind != tc.kind || tr.Source != "innertube" ||
				tr.LanguageName != tc.wantName || !tr.FetchedAt.Equal(now) {
				t.Fatalf("transcript %+v; want lang %s kind %s name %q", tr, tc.lang, tc.kind, tc.wantName)
			}
			if got := tr.Text(); got != wantText {
				t.Errorf("text %q\nwant %q", got, wantText)
			}
			if len(tr.Segments) != 3 || tr.Segments[1].Start != 1.54 || tr.Segments[1].Duration != 4.16 {
				t.Errorf("segments %+v", tr.Segments)
			}
			q := lastTimedtext(t, f)
			if q.Get("lang") != tc.reqLang || q.Get("kind") != tc.reqKind || q.Get("tlang") != tc.tlang || q.Has("fmt") {
				t.Errorf("timedtext query %v; want lang=%s kind=%s tlang=%s and no fmt", q, tc.reqLang, tc.reqKind, tc.tlang)
			}
		})
	}
}

func TestTranscriptRealFlowRequests(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	if _, err := c.Transcript(context.Background(), idOK, []string{"en"}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	// The real captured watch page carries YouTube's public web key.
	key := reAPIKey.FindSubmatch(mustFixture(t, "watch.html"))
	if key == nil {
		t.Fatal("the watch.html fixture has no INNERTUBE_API_KEY")
	}
	if len(reqs) != 3 || !strings.HasPrefix(reqs[0], "GET /watch?v="+idOK) ||
		!strings.HasPrefix(reqs[1], "POST /youtubei/v1/player?") || !strings.Contains(reqs[1], "key="+string(key[1])) ||
		!strings.HasPrefix(reqs[2], "GET /api/timedtext?") {
		t.Fatalf("requests %q; want watch, player with key, timedtext", reqs)
	}
	// Details came with it: Video needs no request now (memo).
	v, err := c.Video(context.Background(), idOK)
	if err != nil || v.Title != "Surface Go Review - It’s Awesome" || v.Channel != "Dave2D" || v.DurationSeconds != 316 {
		t.Fatalf("Video = %+v, %v", v, err)
	}
	if len(f.requests()) != 3 {
		t.Errorf("Video refetched: %q", f.requests()[3:])
	}
}

func TestTranscriptErrors(t *testing.T) {
	tests := []struct {
		id   string
		kind string
		code ytsum.Code
	}{
		{idDisabled, KindTranscriptsDisabled, ytsum.CodeNotFound},
		{idEmptyText, KindNoTranscript, ytsum.CodeNotFound},
		{idUnavailable, KindVideoUnavailable, ytsum.CodeNotFound},
		{idPrivate, KindVideoPrivate, ytsum.CodeNotFound},
		{idUnplayable, KindRegionBlocked, ytsum.CodeUnavailable},
		{idAge, KindAgeRestricted, ytsum.CodeUnavailable},
		{idBlocked, KindBlocked, ytsum.CodeUnavailable},
		{idRecaptcha, KindBlocked, ytsum.CodeUnavailable},
		{idXPE, KindPOToken, ytsum.CodeUnavailable},
		{idEmptyBody, KindPOToken, ytsum.CodeUnavailable},
		{idAndroidNoCaps, KindPOToken, ytsum.CodeUnavailable},
		{idRate, KindRateLimited, ytsum.CodeRateLimited},
		{idOutdated, KindClientOutdated, ytsum.CodeUnavailable},
		{"bad", KindBadVideoID, ytsum.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.kind+"/"+tc.id, func(t *testing.T) {
			f := newFake(t)
			c := f.client(Options{MaxRetries: 1})
			tr, err := c.Transcript(context.Background(), tc.id, []string{"en"})
			if tr != nil {
				t.Fatalf("got a transcript %+v with error %v", tr, err)
			}
			ye := wantKind(t, err, tc.kind)
			if ye.Code != tc.code {
				t.Errorf("code %s; want %s", ye.Code, tc.code)
			}
			switch tc.id {
			case idRate:
				if ye.RetryAfter <= 0 {
					t.Errorf("rate_limited without RetryAfter")
				}
				if !strings.Contains(ye.Message, "wait") {
					t.Errorf("rate-limited message does not say what to do: %q", ye.Message)
				}
			case idXPE:
				if n := f.count("GET /api/timedtext"); n != 0 {
					t.Errorf("fetched %d exp=xpe caption URLs", n)
				}
			case idUnplayable:
				if !strings.Contains(ye.Message, "not made this video available in your country") {
					t.Errorf("unplayable message lacks YouTube's reason: %q", ye.Message)
				}
			}
		})
	}
}

// Every failure state has its own Kind and its own sentence.
func TestErrorSentencesDistinct(t *testing.T) {
	errs := []error{errTranscriptsDisabled(nil), errNoTranscript(nil), errVideoUnavailable(nil), errVideoPrivate(nil),
		errUnplayable("", nil), errAgeRestricted(nil), errBlocked(nil), errPOToken(nil), errRateLimited(0, nil),
		errConsent(nil), errOffline(nil), errClientOutdated(nil), errYouTubeStatus(500, nil), errUnparsable(nil),
		errCancelled(nil), errPlaylistNotFound(nil), errPlaylistEmpty(nil), errYtDlpFailed(nil),
		errYtDlpNoSubtitles(nil), errYtDlpBlocked(nil), errTimeout(30*time.Second, nil), errMembersOnly(nil),
		errVideoRemoved("", nil), errLiveNotFinished(nil), errRegionBlocked(nil), errChannelNotFound(nil),
		errChannelEmpty(nil), errChannelShorts(nil), errChannelMembers(nil), errYouTubeNotFound(nil)}
	kinds, msgs := map[string]bool{}, map[string]bool{}
	for _, e := range errs {
		ye := e.(*ytsum.Error)
		if kinds[ye.Kind] || msgs[ye.Message] {
			t.Errorf("duplicate kind or sentence: %s %q", ye.Kind, ye.Message)
		}
		kinds[ye.Kind], msgs[ye.Message] = true, true
		if ye.Code == "" || !strings.HasSuffix(ye.Message, ".") {
			t.Errorf("%s: code %q message %q", ye.Kind, ye.Code, ye.Message)
		}
	}
	if ye := errOffline(nil); ye.Message != "YouTube could not be reached; check your internet connection." {
		t.Errorf("offline sentence %q", ye.Message)
	}
}

// A consent wall that stays is not fatal: the player API needs no consent.
func TestConsentWallPersists(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	if _, err := c.Transcript(context.Background(), idConsentLoop, nil); err != nil {
		t.Fatalf("Transcript behind a persistent consent wall: %v", err)
	}
	if n := f.count("GET /watch"); n != 2 {
		t.Errorf("watch page fetched %d times; want 2 (one retry with the cookie)", n)
	}
	wp, err := c.watch(context.Background(), idConsentLoop)
	if wp != nil {
		t.Fatalf("watch = %+v", wp)
	}
	wantKind(t, err, KindConsent)
}

func TestOffline(t *testing.T) {
	dialErrs := map[string]error{
		"connection refused":  &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)},
		"DNS failure":         &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "www.youtube.com", IsNotFound: true}},
		"network unreachable": &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)},
	}
	for name, dialErr := range dialErrs {
		t.Run(name, func(t *testing.T) {
			var dials atomic.Int32
			hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				return nil, dialErr
			}}}
			c := New(Options{HTTPClient: hc, Backoff: time.Millisecond, MaxRetries: 3})
			start := time.Now()
			_, err := c.Transcript(context.Background(), idOK, nil)
			wantKind(t, err, KindOffline)
			_, err = c.Video(context.Background(), idOK)
			wantKind(t, err, KindOffline)
			_, err = c.Playlist(context.Background(), plOK)
			ye := wantKind(t, err, KindOffline)
			if ye.Message != "YouTube could not be reached; check your internet connection." {
				t.Errorf("offline message %q", ye.Message)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("offline took %s", d)
			}
			if n := dials.Load(); n != 3 {
				t.Errorf("%d dials; want one per call (no retries when there is no network)", n)
			}
		})
	}
}

// memCache is a Cache in memory that counts calls.
type memCache struct {
	mu     sync.Mutex
	tr     map[string]*ytsum.Transcript
	last   map[string]*ytsum.Transcript
	videos map[string]ytsum.Video
	puts   int
}

func newMemCache() *memCache {
	return &memCache{tr: map[string]*ytsum.Transcript{}, last: map[string]*ytsum.Transcript{}, videos: map[string]ytsum.Video{}}
}

func (m *memCache) Transcript(id, lang string) (*ytsum.Transcript, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if lang == "" {
		return m.last[id], nil
	}
	return m.tr[id+"/"+lang], nil
}

func (m *memCache) PutTranscript(t *ytsum.Transcript) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tr[t.VideoID+"/"+t.Language] = t
	m.last[t.VideoID] = t
	m.puts++
	return nil
}

func (m *memCache) Video(id string) (*ytsum.Video, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.videos[id]; ok {
		return &v, nil
	}
	return nil, nil
}

func (m *memCache) PutVideo(v ytsum.Video) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.videos[v.ID] = v
	return nil
}

func TestCacheNeverRefetches(t *testing.T) {
	tests := []struct {
		id    string
		langs []string
		lang  string
	}{
		{idOK, []string{"en"}, "en"},
		{idOnlyJa, []string{"de"}, "ja"},           // the original track, found again through lang ""
		{idOnlyJaNoTr, []string{"fr", "en"}, "ja"}, // fallback track, found again through lang ""
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			f := newFake(t)
			cache := newMemCache()
			ctx := context.Background()
			first, err := f.client(Options{Cache: cache}).Transcript(ctx, tc.id, tc.langs)
			if err != nil || first.Language != tc.lang {
				t.Fatalf("first fetch: %+v %v", first, err)
			}
			if _, ok := cache.videos[tc.id]; !ok {
				t.Errorf("details were not cached along with the transcript")
			}
			n := len(f.requests())
			// A new client (no memo) with the same cache: no request at all.
			c2 := f.client(Options{Cache: cache})
			again, err := c2.Transcript(ctx, tc.id, tc.langs)
			if err != nil || again.Text() != first.Text() || again.Language != tc.lang {
				t.Fatalf("second fetch: %+v %v", again, err)
			}
			if _, err := c2.Video(ctx, tc.id); err != nil {
				t.Fatal(err)
			}
			if got := f.requests()[n:]; len(got) != 0 {
				t.Fatalf("re-summarizing refetched: %q", got)
			}
		})
	}
}

func TestLanguagesDefault(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "pt_BR.UTF-8")
	c := New(Options{})
	if got := c.languages(nil); strings.Join(got, ",") != "pt-BR,en" {
		t.Errorf("default languages %q", got)
	}
	t.Setenv("LANG", "C.UTF-8")
	if got := c.languages(nil); strings.Join(got, ",") != "en" {
		t.Errorf("default languages under C %q", got)
	}
	c = New(Options{Languages: func() []string { return []string{"fr", " FR ", "", "en"} }})
	if got := c.languages(nil); strings.Join(got, ",") != "fr,en" {
		t.Errorf("languages from options %q", got)
	}
	if got := c.languages([]string{"ja"}); strings.Join(got, ",") != "ja" {
		t.Errorf("explicit languages %q", got)
	}
}

func TestChooseTracksOrder(t *testing.T) {
	var tl trackList
	tr := func(lang string, asr, translatable bool) captionTrack {
		ct := captionTrack{BaseURL: "/api/timedtext?lang=" + lang, LanguageCode: lang, IsTranslatable: translatable}
		ct.Name.SimpleText = lang
		if asr {
			ct.Kind, ct.BaseURL = "asr", ct.BaseURL+"&kind=asr"
		}
		return ct
	}
	tl.CaptionTracks = []captionTrack{tr("fr", true, true), tr("en-GB", false, false), tr("en", true, true), tr("de", false, true)}
	tl.TranslationLanguages = append(tl.TranslationLanguages, struct {
		LanguageCode string   `json:"languageCode"`
		LanguageName textRuns `json:"languageName"`
	}{LanguageCode: "es"})
	var ts trackSet
	ts.add(New(Options{}), "ANDROID", &tl)
	for _, translate := range []bool{false, true} {
		got := []string{}
		for _, ch := range ts.choices([]string{"en", "es"}, translate) {
			got = append(got, ch.lang+"/"+ch.kind)
		}
		// Preferred manual, preferred automatic, the original language (fr,
		// the automatic track's), any other, and a translation last.
		want := "en-GB/manual en/generated fr/generated de/manual"
		if translate {
			want += " es/translated"
		}
		if strings.Join(got, " ") != want {
			t.Errorf("translate=%v: order %q\nwant  %q", translate, strings.Join(got, " "), want)
		}
	}
}

// Ensure a transcript cached as the best for other languages does not hide
// a track in the languages asked for now: the user changed
// transcript_languages from French (the video has none: English was the
// fallback) to German, which the video has.
func TestCacheFollowsChangedLanguages(t *testing.T) {
	f := newFake(t)
	cache := newMemCache()
	ctx := context.Background()
	first, err := f.client(Options{Cache: cache}).Transcript(ctx, idOK, []string{"fr"})
	if err != nil || first.Language == "de" || first.Language == "fr" {
		t.Fatalf("first fetch (fr): %+v %v", first, err)
	}
	again, err := f.client(Options{Cache: cache}).Transcript(ctx, idOK, []string{"fr"})
	if err != nil || again.Language != first.Language {
		t.Fatalf("same languages again: %+v %v", again, err)
	}
	de, err := f.client(Options{Cache: cache}).Transcript(ctx, idOK, []string{"de"})
	if err != nil || de.Language != "de" {
		t.Fatalf("languages changed to de: got %q (%v), want the video's de track", de.Language, err)
	}
}

// Ensure that with no network a transcript cached for other languages is
// served rather than an "offline" failure.
func TestCacheOfflineServesOtherLanguage(t *testing.T) {
	f := newFake(t)
	cache := newMemCache()
	ctx := context.Background()
	first, err := f.client(Options{Cache: cache}).Transcript(ctx, idOK, []string{"fr"})
	if err != nil {
		t.Fatal(err)
	}
	off := New(Options{BaseURL: "http://127.0.0.1:9", Cache: cache, Pacing: func() time.Duration { return 0 }})
	got, err := off.Transcript(ctx, idOK, []string{"de"})
	if err != nil || got.Language != first.Language {
		t.Fatalf("offline with a cached %s transcript: %+v %v", first.Language, got, err)
	}
}
