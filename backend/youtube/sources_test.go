package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

func (f *fakeYT) playerClients() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.clients...)
}

func TestGatedManualCleanAutomatic(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	tr, err := c.Transcript(context.Background(), idGatedManual, []string{"en"})
	if err != nil {
		t.Fatalf("a clean automatic track was there: %v", err)
	}
	if tr.Kind != ytsum.TranscriptGenerated || tr.Language != "en" {
		t.Errorf("transcript %s/%s; want the automatic English track", tr.Language, tr.Kind)
	}
	// The best track (manual) was gated for ANDROID, so every client was
	// asked for a clean copy of it; none had one.
	if got := strings.Join(f.playerClients(), ","); got != "ANDROID,ANDROID_VR,VISIONOS,IOS" {
		t.Errorf("clients asked %s", got)
	}
	if n := f.count("GET /api/timedtext"); n != 1 {
		t.Errorf("timedtext asked %d times; want 1", n)
	}
	if q := lastTimedtext(t, f); q.Get("kind") != "asr" || q.Has("exp") {
		t.Errorf("fetched %v", q)
	}
}

func TestManualSeenByOneClientCounts(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	tr, err := c.Transcript(context.Background(), idVROnlyManual, []string{"en"})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Kind != ytsum.TranscriptManual {
		t.Errorf("kind %s; want the manual track only ANDROID_VR listed", tr.Kind)
	}
	// A clean manual track is the best there is: VISIONOS and IOS are not asked.
	if got := strings.Join(f.playerClients(), ","); got != "ANDROID,ANDROID_VR" {
		t.Errorf("clients asked %s; want ANDROID,ANDROID_VR", got)
	}
}

func TestStopAfterFirstCleanSource(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	if _, err := c.Transcript(context.Background(), idSrv3, []string{"en"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.playerClients(), ","); got != "ANDROID" {
		t.Errorf("clients asked %s; want ANDROID only", got)
	}
}

func TestAllGatedIsPOTokenRequired(t *testing.T) {
	for _, id := range []string{idXPE, idAndroidNoCaps} {
		t.Run(id, func(t *testing.T) {
			f := newFake(t)
			c := f.client(Options{})
			_, err := c.Transcript(context.Background(), id, []string{"en"})
			ye := wantKind(t, err, KindPOToken)
			if !strings.Contains(ye.Message, "proof-of-origin token") {
				t.Errorf("sentence %q", ye.Message)
			}
			if n := len(f.playerClients()); n != len(DefaultPlayerClients()) {
				t.Errorf("%d clients asked; want every one (%d)", n, len(DefaultPlayerClients()))
			}
			if n := f.count("GET /api/timedtext"); n != 0 {
				t.Errorf("fetched %d gated caption URLs", n)
			}
		})
	}
}

func TestNonEnglishOnlyUsesOriginal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		langs []string
		opt   func() []string
	}{
		{"explicit English", []string{"en"}, nil},
		{"setting English", nil, func() []string { return []string{"en"} }},
		{"locale default", nil, func() []string { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LC_ALL", "")
			t.Setenv("LC_MESSAGES", "")
			t.Setenv("LANG", "en_US.UTF-8")
			t.Setenv("LANGUAGE", "")
			f := newFake(t)
			c := f.client(Options{Languages: tc.opt})
			tr, err := c.Transcript(context.Background(), idGermanOnly, tc.langs)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Language != "de" || tr.Kind != ytsum.TranscriptManual {
				t.Errorf("transcript %s/%s; want the original German manual track", tr.Language, tr.Kind)
			}
			for _, r := range f.requests() {
				if strings.Contains(r, "tlang=") {
					t.Errorf("machine translation asked: %s", r)
				}
			}
		})
	}
}

func TestDefaultLanguagesFromLocale(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANGUAGE", "")
	t.Setenv("LANG", "de_AT.UTF-8")
	c := New(Options{})
	if got := strings.Join(c.languages(nil), ","); got != "de-AT,en" {
		t.Errorf("default languages %s; want de-AT,en", got)
	}
	t.Setenv("LANGUAGE", "fr_CA:pt_BR")
	if got := strings.Join(c.languages(nil), ","); got != "fr-CA,pt-BR,de-AT,en" {
		t.Errorf("default languages with LANGUAGE %s", got)
	}
	t.Setenv("LANG", "C.UTF-8")
	if got := strings.Join(c.languages(nil), ","); got != "en" {
		t.Errorf("default languages under C: %s", got)
	}
	if c.allowTranslation(nil) {
		t.Errorf("translation allowed without chosen languages")
	}
	if !c.allowTranslation([]string{"fr"}) {
		t.Errorf("translation refused with chosen languages")
	}
}

func TestRefusalsNamed(t *testing.T) {
	tests := []struct {
		id   string
		kind string
		said string // what the diagnosis keeps of YouTube's words
	}{
		{idBotCustom, KindBlocked, "This helps protect our community"},
		{idBotUnplayable, KindBlocked, "UNPLAYABLE"},
		{idBlocked, KindBlocked, "LOGIN_REQUIRED"},
		{idMembers, KindMembersOnly, "Join this channel"},
		{idAge, KindAgeRestricted, "inappropriate"},
		{idPrivate, KindVideoPrivate, "private"},
		{idRemoved, KindVideoRemoved, "removed by the uploader"},
		{idUpcoming, KindLiveNotFinished, "Premieres in"},
		{idLiveNow, KindLiveNotFinished, "live stream or premiere"},
		{idUnplayable, KindRegionBlocked, "in your country"},
		{idUnavailable, KindVideoUnavailable, "ERROR"},
		{idGeneric, KindVideoUnplayable, "Playback on other websites"},
		{idRate, KindRateLimited, ""},
		{idConsentLoop, "none: the consent wall only hides the key, the player answers", ""},
	}
	sentences := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.kind+"/"+tc.id, func(t *testing.T) {
			f := newFake(t)
			c := f.client(Options{MaxRetries: -1})
			_, err := c.Transcript(context.Background(), tc.id, []string{"en"})
			if tc.id == idConsentLoop {
				// The fake answers this ID's player like any video.
				if err != nil {
					t.Fatalf("consent loop: %v", err)
				}
				return
			}
			ye := wantKind(t, err, tc.kind)
			if prev, ok := sentences[ye.Message]; ok && prev != tc.kind {
				t.Errorf("%s and %s share the sentence %q", prev, tc.kind, ye.Message)
			}
			sentences[ye.Message] = tc.kind
			if tc.kind == KindRateLimited {
				if ye.RetryAfter != time.Second || !strings.Contains(ye.Message, "wait 1 second;") {
					t.Errorf("429 with Retry-After 1: RetryAfter %s, %q", ye.RetryAfter, ye.Message)
				}
				return
			}
			d, err := f.client(Options{MaxRetries: -1}).Diagnose(context.Background(), "https://youtu.be/"+tc.id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Chosen != nil || len(d.Sources) == 0 || d.Sources[0].Error == nil ||
				!strings.Contains(*d.Sources[0].Error, tc.said) || kindOf(d.Err) != tc.kind {
				b, _ := json.Marshal(d)
				t.Errorf("diagnosis %s lacks %q", b, tc.said)
			}
		})
	}
	// The bot check under any status stops asking: one player request,
	// the other clients shown as not asked.
	f := newFake(t)
	d, _ := f.client(Options{}).Diagnose(context.Background(), idBotCustom)
	if n := len(f.playerClients()); n != 1 {
		t.Errorf("%d player requests after a bot check; want 1", n)
	}
	var st []string
	for _, s := range d.Sources {
		st = append(st, s.Name+":"+s.Status)
	}
	if got := strings.Join(st, " "); got != "ANDROID:refused ANDROID_VR:not_asked VISIONOS:not_asked IOS:not_asked yt-dlp:not_tried" {
		t.Errorf("sources %s", got)
	}
}

func TestPlayabilityClassification(t *testing.T) {
	tests := []struct{ status, reason, sub, kind string }{
		{"LOGIN_REQUIRED", "Sign in to confirm you’re not a bot", "", KindBlocked},
		{"CUSTOM", "Sign in to confirm you're not a bot", "", KindBlocked},
		{"UNPLAYABLE", "", "Sign in to confirm you’re not a bot", KindBlocked},
		{"LOGIN_REQUIRED", "Sign in to confirm your age", "This video may be inappropriate for some users.", KindAgeRestricted},
		{"AGE_VERIFICATION_REQUIRED", "", "", KindAgeRestricted},
		{"LOGIN_REQUIRED", "This video is private", "", KindVideoPrivate},
		{"ERROR", "Private video", "", KindVideoPrivate},
		{"UNPLAYABLE", "This video is available to this channel's members on level: Fans", "", KindMembersOnly},
		{"LIVE_STREAM_OFFLINE", "This live event will begin in 2 hours.", "", KindLiveNotFinished},
		{"UNPLAYABLE", "Video unavailable", "The uploader has not made this video available in your country", KindRegionBlocked},
		{"ERROR", "This video has been removed for violating YouTube's Terms of Service", "", KindVideoRemoved},
		{"ERROR", "This video isn't available anymore", "", KindVideoUnavailable},
		{"UNPLAYABLE", "Something new", "", KindVideoUnplayable},
		{"OK", "", "", ""},
	}
	for _, tc := range tests {
		var p playerResponse
		p.PlayabilityStatus.Status, p.PlayabilityStatus.Reason = tc.status, tc.reason
		p.PlayabilityStatus.ErrorScreen.PlayerErrorMessageRenderer.Subreason.SimpleText = tc.sub
		if got := kindOf(p.playability()); got != tc.kind {
			t.Errorf("%s %q %q: kind %q; want %q", tc.status, tc.reason, tc.sub, got, tc.kind)
		}
	}
}

func TestStalledServerTimesOutAndFreesTheSlot(t *testing.T) {
	f := newFake(t)
	const deadline = 300 * time.Millisecond
	c := f.client(Options{Concurrency: 1, RequestTimeout: deadline, FirstByteTimeout: deadline, IdleTimeout: deadline})
	if _, err := c.sessionValues(context.Background(), idSrv3); err != nil { // the stall hits the player
		t.Fatal(err)
	}
	start := time.Now()
	_, err := c.Transcript(context.Background(), idHang, []string{"en"})
	took := time.Since(start)
	ye := wantKind(t, err, KindTimeout)
	if !strings.Contains(ye.Message, "did not answer within") {
		t.Errorf("sentence %q", ye.Message)
	}
	if took < deadline || took > deadline+2*time.Second {
		t.Errorf("gave up after %s; want about %s", took, deadline)
	}
	if n := f.count("POST /youtubei/v1/player"); n != 1 {
		t.Errorf("a stalled player was asked %d times; want 1 (no retry, no other client)", n)
	}
	// The only slot is free again: the next video goes through at once.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := c.Transcript(ctx, idSrv3, []string{"en"}); err != nil {
		t.Fatalf("next video after the stall: %v", err)
	}
}

func TestStalledBodyTimesOut(t *testing.T) {
	// Headers and a first byte come at once, then the body stops: the idle
	// deadline ends the request long before the overall one.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := New(Options{BaseURL: srv.URL, HTTPClient: srv.Client(), Pacing: func() time.Duration { return 0 },
		IdleTimeout: 150 * time.Millisecond, RequestTimeout: 10 * time.Second, MaxRetries: -1})
	start := time.Now()
	_, err := c.Transcript(context.Background(), idSrv3, []string{"en"})
	ye := wantKind(t, err, KindTimeout)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("an idle body held the request for %s", d)
	}
	if !strings.Contains(ye.Error(), "no data from YouTube within 150ms") {
		t.Errorf("cause %v", ye)
	}
}

func TestDefaultPacingApplies(t *testing.T) {
	f := newFake(t)
	c := New(Options{BaseURL: f.srv.URL, HTTPClient: f.srv.Client(), Languages: func() []string { return []string{"en"} }})
	if _, err := c.Transcript(context.Background(), idOK, nil); err != nil { // watch, player, timedtext
		t.Fatal(err)
	}
	f.mu.Lock()
	times := append([]time.Time(nil), f.times...)
	f.mu.Unlock()
	if len(times) != 3 {
		t.Fatalf("%d requests; want 3", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < DefaultPacing-5*time.Millisecond {
			t.Errorf("request %d came %s after the previous; want at least %s", i+1, gap, DefaultPacing)
		}
	}
}

func TestWatchPageOncePerSession(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	for _, id := range trafficIDs {
		if _, err := c.Transcript(context.Background(), id, []string{"en"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count("GET /watch"); n != 1 {
		t.Errorf("watch page fetched %d times for %d videos; want 1", n, len(trafficIDs))
	}
	if n := f.count("POST /youtubei/v1/player"); n != len(trafficIDs) {
		t.Errorf("player asked %d times; want %d", n, len(trafficIDs))
	}
}

func TestRejectedKeyRefetchesWatchPage(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	if _, err := c.Transcript(context.Background(), idSrv3, []string{"en"}); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.rejectKey = fakeAPIKey // YouTube no longer takes the cached key
	f.mu.Unlock()
	if _, err := c.Transcript(context.Background(), idOK, []string{"en"}); err != nil {
		t.Fatalf("after a rejected key: %v", err)
	}
	if n := f.count("GET /watch"); n != 2 {
		t.Errorf("watch page fetched %d times; want 2 (once more after the rejection)", n)
	}
}

func TestDiagnoseJSON(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	d, err := c.Diagnose(context.Background(), "https://www.youtube.com/watch?v="+idVROnlyManual)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	want := `{"video_id":"vrOnlyManua","sources":[` +
		`{"name":"ANDROID","status":"ok","error":null,"tracks":[{"language":"en","kind":"asr","gated":true,"chosen":false}]},` +
		`{"name":"ANDROID_VR","status":"ok","error":null,"tracks":[{"language":"en","kind":"asr","gated":true,"chosen":false},{"language":"en","kind":"manual","gated":false,"chosen":true}]},` +
		`{"name":"VISIONOS","status":"not_asked","error":null,"tracks":[]},` +
		`{"name":"IOS","status":"not_asked","error":null,"tracks":[]}],` +
		`"chosen":{"source":"ANDROID_VR","language":"en","kind":"manual","name":"English","reason":"the best kind there is: a manual track in a preferred language (en)"}}`
	if string(b) != want {
		t.Errorf("diagnosis\n%s\nwant\n%s", b, want)
	}
	var out bytes.Buffer
	if err := d.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"ANDROID_VR", "needs a PO token", "CHOSEN", "Why: the best kind there is"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, out.String())
		}
	}

	d, err = c.Diagnose(context.Background(), "https://youtu.be/"+idXPE)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(d)
	if d.Chosen != nil || kindOf(d.Err) != KindPOToken || !strings.Contains(string(b), `"chosen":null`) {
		t.Errorf("all gated: %s (%v)", b, d.Err)
	}
	if _, err := c.Diagnose(context.Background(), "https://www.youtube.com/playlist?list="+plOK); kindOf(err) != KindNoVideo {
		t.Errorf("playlist link: %v", err)
	}
}

func TestGetIsPoliteAndBounded(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{FirstByteTimeout: 200 * time.Millisecond})
	if _, _, err := c.Get(context.Background(), "https://evil.example/feeds/videos.xml"); kindOf(err) != KindNotYouTube {
		t.Errorf("foreign host: %v", err)
	}
	if _, _, err := c.Get(context.Background(), f.srv.URL+"/feeds/videos.xml?channel_id="+chOK); kindOf(err) != KindNotFound {
		t.Errorf("404: %v", err)
	}
	body, _, err := c.Get(context.Background(), f.srv.URL+"/@fakechan")
	if err != nil || !bytes.Contains(body, []byte(chOK)) {
		t.Errorf("channel page: %v", err)
	}
	start := time.Now()
	_, _, err = c.Get(context.Background(), f.srv.URL+"/vi/x/hqdefault.jpg?v="+idHang)
	if kindOf(err) != KindTimeout || time.Since(start) > 2*time.Second {
		t.Errorf("stalled thumbnail: %v after %s", err, time.Since(start))
	}
}

func TestPlayerClientsTable(t *testing.T) {
	f := newFake(t)
	c := f.client(Options{})
	c.Transcript(context.Background(), idXPE, []string{"en"}) // gated everywhere: every client is asked
	f.mu.Lock()
	headers := append([]string(nil), f.headers...)
	f.mu.Unlock()
	want := DefaultPlayerClients()
	if len(headers) != len(want) || want[0].Name != "ANDROID" || len(want) < 3 {
		t.Fatalf("headers %q; want one request per client, ANDROID first", headers)
	}
	for i, pc := range want {
		if h := fmt.Sprintf("%d %s %s", pc.ID, pc.Version, pc.UserAgent); headers[i] != h {
			t.Errorf("request %d: %q; want %q", i, headers[i], h)
		}
		if pc.Source == "" || pc.UserAgent == "" {
			t.Errorf("%s: no source or user agent", pc.Name)
		}
	}
}

func TestPlayerClientsSetting(t *testing.T) {
	setting := `[{"name":"IOS","id":5,"version":"99.1","user_agent":"com.google.ios.youtube/99.1"},` +
		`{"name":"TVHTML5","id":7,"version":"7.2026","user_agent":"Cobalt"}]`
	f := newFake(t)
	c := f.client(Options{PlayerClients: func() string { return setting }})
	c.Transcript(context.Background(), idXPE, []string{"en"})
	if got := strings.Join(f.playerClients(), ","); got != "IOS,TVHTML5" {
		t.Errorf("clients asked %s; want the setting's IOS,TVHTML5", got)
	}
	// A broken setting falls back to the built-in table.
	setting = `[{"name":"IOS"}]`
	f2 := newFake(t)
	f2.client(Options{PlayerClients: func() string { return setting }}).Transcript(context.Background(), idSrv3, []string{"en"})
	if got := strings.Join(f2.playerClients(), ","); got != "ANDROID" {
		t.Errorf("broken setting: clients asked %s", got)
	}
	if _, err := ParsePlayerClients(setting); err == nil {
		t.Errorf("ParsePlayerClients accepted %s", setting)
	}
}
