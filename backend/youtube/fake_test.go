package youtube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/youtube/youtubetest"
)

// Scenario video IDs of the fake (each 11 characters).
const (
	idOK            = "GJLlxj_dtq8" // real watch page + real ANDROID player (fixtures)
	idDisabled      = "dsMFmonKDD4" // real player without captions
	idBlocked       = "blockedVid1" // real LOGIN_REQUIRED bot answer; oEmbed knows it
	idBlockedNoEmb  = "blockedNoEm" // bot answer; oEmbed 401
	idUnavailable   = "unavailab1e" // real ERROR answer
	idAge           = "ageRestrict"
	idPrivate       = "privateVid1"
	idUnplayable    = "unplayable1"
	idXPE           = "poTokenVid1" // tracks whose baseUrl carries exp=xpe
	idEmptyBody     = "emptyBody01" // timedtext answers 200 with no body
	idEmptyText     = "emptyText01" // timedtext answers a transcript without text
	idRate          = "rateLimit01" // watch page 429 with the real reCAPTCHA page
	idRecaptcha     = "recaptcha01" // watch page 200 that is the reCAPTCHA page
	idConsent       = "consentVid1" // consent wall until the CONSENT cookie comes
	idConsentLoop   = "consentLoop" // consent wall forever
	idOutdated      = "outdatedCli" // player 400 FAILED_PRECONDITION
	idFlaky         = "flaky503Vid" // player 503 for the first fake.flakyFails calls
	idAndroidNoCaps = "androidNoCp" // ANDROID omits tracks; watch page has exp=xpe ones
	idOnlyJa        = "onlyJapanes" // one manual ja track, translatable to de and en
	idOnlyJaNoTr    = "onlyJaNoTrn" // one ASR ja track, no translations
	idSrv3          = "srv3Format1" // timedtext always answers srv3
	idJSON3         = "json3Format" // timedtext always answers json3
	idHang          = "hangForever" // every request blocks until the client gives up
	idGatedManual   = "gatedManual" // every client: manual en gated, automatic en clean
	idVROnlyManual  = "vrOnlyManua" // ANDROID: automatic en gated; ANDROID_VR: manual en clean too
	idGermanOnly    = "germanOnly1" // manual de + automatic de, translatable to en
	idBotCustom     = "botCustom01" // the bot check under status CUSTOM
	idBotUnplayable = "botUnplayab" // the bot check under status UNPLAYABLE
	idMembers       = "membersOnly" // members-only video (UNPLAYABLE, "Join this channel…")
	idUpcoming      = "premiere001" // LIVE_STREAM_OFFLINE premiere
	idLiveNow       = "liveNow0001" // OK, isLive: a stream still running
	idRemoved       = "removedVid1" // ERROR "This video has been removed by the uploader"
	idGeneric       = "genericUnpl" // UNPLAYABLE with a reason nothing else matches

	plOK       = "PLfakeplaylist0001"
	plNotFound = "PLnotfound00000001"
	plEmpty    = "PLemptyplaylist001"
	plLoop     = "PLlooping000000001"
	plRate     = "PLratelimited00001"

	fakeAPIKey = youtubetest.APIKey // what the fake watch pages hand out

	chOK      = "UCfakechannel00000000001" // @fakechan: 7 videos on three pages, Shorts aside
	chShorts  = "UCshortsonly000000000001" // @shortsonly: Shorts only
	chMembers = "UCmembersonly00000000001" // @membersonly: members-only uploads only
	chEmpty   = "UCemptychannel0000000001" // @emptychan: no uploads at all
)

// fakeChannels maps channel page paths to channel IDs and titles.
var fakeChannels = map[string][2]string{
	"@fakechan": {chOK, "Fake & Channel"}, "channel/" + chOK: {chOK, "Fake & Channel"},
	"c/FakeName": {chOK, "Fake & Channel"}, "user/fakeuser": {chOK, "Fake & Channel"},
	"@shortsonly": {chShorts, "Shorts Only"}, "@membersonly": {chMembers, "Members Only"}, "@emptychan": {chEmpty, "Empty"},
}

// trafficIDs are videos served like idOK (the real captured watch page and
// player answer, about 1 MB and 200 kB), for counting traffic per video.
var trafficIDs = [5]string{"trafficVid0", "trafficVid1", "trafficVid2", "trafficVid3", "trafficVid4"}

var (
	fixtureMu    sync.Mutex
	fixtureCache = map[string][]byte{}
)

// mustFixture returns testdata/fixtures/name (read once per test binary).
func mustFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	if b, ok := fixtureCache[name]; ok {
		return b
	}
	b, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
	if err != nil {
		tb.Fatalf("fixture: %v", err)
	}
	fixtureCache[name] = b
	return b
}

// fakeYT is an httptest YouTube that speaks the real wire formats, built
// on the captured fixtures.
type fakeYT struct {
	tb  testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	log        []string       // "METHOD /path?query" of every request
	hits       map[string]int // per "path video" counter
	flakyFails int            // idFlaky: 503s before success
	inflight   int
	maxInfl    int
	hangStart  chan string // receives the path of each hanging request
	gate       chan struct{}
	bytesDown  int64       // response bytes written
	bytesUp    int64       // request bytes read (URL + body)
	times      []time.Time // arrival of every request
	rejectKey  string      // the player answers 400 "API key not valid" to this key
	clients    []string    // the client name of every player request
	headers    []string    // "X-YouTube-Client-Name X-YouTube-Client-Version User-Agent" of every player request
}

func newFake(tb testing.TB) *fakeYT {
	f := &fakeYT{tb: tb, hits: map[string]int{}, hangStart: make(chan string, 16)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeYT) client(o Options) *Client {
	o.BaseURL = f.srv.URL
	if o.ThumbnailURL == "" {
		o.ThumbnailURL = f.srv.URL + "/thumbs"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = f.srv.Client()
	}
	if o.Backoff == 0 {
		o.Backoff = 5 * time.Millisecond
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = 40 * time.Millisecond
	}
	if o.Languages == nil {
		o.Languages = func() []string { return []string{"en"} }
	}
	if o.Pacing == nil {
		o.Pacing = func() time.Duration { return 0 } // tests set pacing explicitly
	}
	return New(o)
}

func (f *fakeYT) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

func (f *fakeYT) count(prefix string) int {
	n := 0
	for _, r := range f.requests() {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (f *fakeYT) hit(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits[key]++
	return f.hits[key]
}

func (f *fakeYT) hitsOf(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[key]
}

func (f *fakeYT) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.log = append(f.log, r.Method+" "+r.URL.RequestURI())
	f.bytesUp += int64(len(r.URL.RequestURI()) + len(body))
	f.times = append(f.times, time.Now())
	f.inflight++
	f.maxInfl = max(f.maxInfl, f.inflight)
	gate := f.gate
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	w = &countingWriter{ResponseWriter: w, f: f}
	if strings.Contains(r.URL.RawQuery, idHang) || bytes.Contains(body, []byte(idHang)) {
		f.hangStart <- r.URL.Path
		<-r.Context().Done()
		return
	}
	switch r.URL.Path {
	case "/watch":
		f.watch(w, r)
	case "/youtubei/v1/player":
		f.player(w, r, body)
	case "/api/timedtext":
		f.timedtext(w, r)
	case "/youtubei/v1/browse":
		f.browse(w, body)
	case "/oembed":
		f.oembed(w, r)
	default:
		p := strings.TrimSuffix(strings.Trim(r.URL.Path, "/"), "/videos")
		if ch, ok := fakeChannels[p]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(youtubetest.ChannelPage(ch[0], ch[1], "@x"))
			return
		}
		http.NotFound(w, r)
	}
}

// countingWriter adds what is written to the fake's bytesDown.
type countingWriter struct {
	http.ResponseWriter
	f *fakeYT
}

func (cw *countingWriter) Write(b []byte) (int, error) {
	n, err := cw.ResponseWriter.Write(b)
	cw.f.mu.Lock()
	cw.f.bytesDown += int64(n)
	cw.f.mu.Unlock()
	return n, err
}

// traffic returns the requests and the bytes down and up so far.
func (f *fakeYT) traffic() (reqs int, down, up int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.log), f.bytesDown, f.bytesUp
}

const consentPage = `<html><body><form action="https://consent.youtube.com/s" method="POST">` +
	`<input type="hidden" name="gl" value="DE"><input type="hidden" name="v" value="cb.20210328-17-p0.de+FX+119">` +
	`<button>Accept all</button></form></body></html>`

func minimalWatch(id string) []byte {
	return []byte(`<html><script>ytcfg.set({"INNERTUBE_API_KEY":"` + fakeAPIKey +
		`","VISITOR_DATA":"CgtGYWtlVmlzaXRvcg%3D%3D"});</script><title>` + id + `</title></html>`)
}

func (f *fakeYT) watch(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("v")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch id {
	case idOK, idAndroidNoCaps:
		w.Write(mustFixture(f.tb, "watch.html"))
	case trafficIDs[0], trafficIDs[1], trafficIDs[2], trafficIDs[3], trafficIDs[4]:
		w.Write(bytes.ReplaceAll(mustFixture(f.tb, "watch.html"), []byte(idOK), []byte(id)))
	case idRate:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write(mustFixture(f.tb, "too_many_requests.html"))
	case idRecaptcha:
		w.Write(mustFixture(f.tb, "too_many_requests.html"))
	case idConsent:
		if c, err := r.Cookie("CONSENT"); err == nil && strings.HasPrefix(c.Value, "YES+cb.") {
			f.hit("consent-ok")
			w.Write(minimalWatch(id))
			return
		}
		io.WriteString(w, consentPage)
	case idConsentLoop:
		io.WriteString(w, consentPage)
	default:
		w.Write(minimalWatch(id))
	}
}

// playerJSON returns a player answer for a synthetic scenario.
func playerJSON(status, reason string, captions any, details bool, id string) []byte {
	m := map[string]any{"playabilityStatus": map[string]any{"status": status, "reason": reason}}
	if captions != nil {
		m["captions"] = map[string]any{"playerCaptionsTracklistRenderer": captions}
	}
	if details {
		m["videoDetails"] = map[string]any{"videoId": id, "title": "Title of " + id, "lengthSeconds": "125",
			"channelId": "UCfake", "author": "Fake Channel",
			"thumbnail": map[string]any{"thumbnails": []any{
				map[string]any{"url": "https://i.ytimg.com/vi/" + id + "/default.jpg", "width": 120, "height": 90},
				map[string]any{"url": "https://i.ytimg.com/vi/" + id + "/hqdefault.jpg?sqp=abc", "width": 480, "height": 360}}}}
	}
	b, _ := json.Marshal(m)
	return b
}

func track(base, id, lang, name string, asr, translatable bool) map[string]any {
	u := base + "/api/timedtext?v=" + id + "&ei=x&caps=asr&expire=1749680182&sparams=ip,ipbits,expire,v&signature=ABC&key=yt8&lang=" + lang + "&fmt=srv3"
	t := map[string]any{"baseUrl": u, "name": map[string]any{"runs": []any{map[string]any{"text": name}}},
		"vssId": "." + lang, "languageCode": lang, "isTranslatable": translatable, "trackName": ""}
	if asr {
		t["kind"] = "asr"
		t["vssId"] = "a." + lang
		t["baseUrl"] = strings.Replace(u, "&lang=", "&kind=asr&lang=", 1)
	}
	return t
}

func (f *fakeYT) player(w http.ResponseWriter, r *http.Request, body []byte) {
	name, version, id, ok := youtubetest.ParsePlayer(body)
	f.mu.Lock()
	f.clients = append(f.clients, name)
	f.headers = append(f.headers, r.Header.Get("X-YouTube-Client-Name")+" "+r.Header.Get("X-YouTube-Client-Version")+" "+r.Header.Get("User-Agent"))
	reject := f.rejectKey
	f.mu.Unlock()
	if reject != "" && r.URL.Query().Get("key") == reject {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT"}}`)
		return
	}
	if !ok || name == "" || version == "" || id == idOutdated {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"code":400,"message":"Precondition check failed.","errors":[{"message":"Precondition check failed.","domain":"global","reason":"failedPrecondition"}],"status":"FAILED_PRECONDITION"}}`)
		return
	}
	if r.URL.Query().Get("prettyPrint") != "false" {
		f.tb.Errorf("player request without prettyPrint=false: %s", r.URL.RawQuery)
	}
	w.Header().Set("Content-Type", "application/json")
	base := "https://www.youtube.com"
	switch id {
	case idOK:
		w.Write(mustFixture(f.tb, "watch.player.json"))
	case trafficIDs[0], trafficIDs[1], trafficIDs[2], trafficIDs[3], trafficIDs[4]:
		w.Write(bytes.ReplaceAll(mustFixture(f.tb, "watch.player.json"), []byte(idOK), []byte(id)))
	case idFlaky:
		if f.hit("player "+id) <= f.flakyFails {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write(bytes.ReplaceAll(mustFixture(f.tb, "watch.player.json"), []byte(idOK), []byte(idFlaky)))
	case idAndroidNoCaps:
		if name == "ANDROID" {
			w.Write(mustFixture(f.tb, "transcripts_disabled.player.json"))
			return
		}
		t := track(base, id, "en", "English", false, true)
		t["baseUrl"] = strings.Replace(t["baseUrl"].(string), "&caps=asr", "&caps=asr&exp=xpe", 1)
		w.Write(playerJSON("OK", "", map[string]any{"captionTracks": []any{t}}, true, id))
	case idDisabled:
		w.Write(mustFixture(f.tb, "transcripts_disabled.player.json"))
	case idGatedManual:
		m := track(base, id, "en", "English", false, true)
		m["baseUrl"] = strings.Replace(m["baseUrl"].(string), "&caps=asr", "&caps=asr&exp=xpe", 1)
		w.Write(playerJSON("OK", "", map[string]any{"captionTracks": []any{m,
			track(base, id, "en", "English (auto-generated)", true, true)}}, true, id))
	case idVROnlyManual:
		a := track(base, id, "en", "English (auto-generated)", true, true)
		a["baseUrl"] = strings.Replace(a["baseUrl"].(string), "&caps=asr", "&caps=asr&exp=xpe", 1)
		tracks := []any{a}
		if name == "ANDROID_VR" {
			tracks = []any{track(base, id, "en", "English", false, true), a}
		}
		w.Write(playerJSON("OK", "", map[string]any{"captionTracks": tracks}, true, id))
	case idGermanOnly:
		w.Write(playerJSON("OK", "", map[string]any{
			"captionTracks": []any{track(base, id, "de", "Deutsch", false, true), track(base, id, "de", "Deutsch (automatisch erzeugt)", true, true)},
			"translationLanguages": []any{
				map[string]any{"languageCode": "en", "languageName": map[string]any{"runs": []any{map[string]any{"text": "English"}}}}},
		}, true, id))
	case idBotCustom, idBotUnplayable:
		// The captured bot check, under another status (as YouTube sends it).
		status := []byte(`"status": "CUSTOM"`)
		if id == idBotUnplayable {
			status = []byte(`"status": "UNPLAYABLE"`)
		}
		w.Write(bytes.Replace(mustFixture(f.tb, "request_blocked.player.json"), []byte(`"status": "LOGIN_REQUIRED"`), status, 1))
	case idMembers:
		json.NewEncoder(w).Encode(map[string]any{"playabilityStatus": map[string]any{"status": "UNPLAYABLE",
			"reason": "Join this channel to get access to members-only content like this video, and other exclusive perks."}})
	case idUpcoming:
		w.Write(playerJSON("LIVE_STREAM_OFFLINE", "Premieres in 3 hours", nil, true, id))
	case idLiveNow:
		b := playerJSON("OK", "", map[string]any{"captionTracks": []any{track(base, id, "en", "English (auto-generated)", true, false)}}, true, id)
		w.Write(bytes.Replace(b, []byte(`"videoId":`), []byte(`"isLive":true,"videoId":`), 1))
	case idRemoved:
		w.Write(playerJSON("ERROR", "This video has been removed by the uploader", nil, false, id))
	case idGeneric:
		w.Write(playerJSON("UNPLAYABLE", "Playback on other websites has been disabled by the video owner", nil, false, id))
	case idBlocked, idBlockedNoEmb:
		w.Write(mustFixture(f.tb, "request_blocked.player.json"))
	case idUnavailable:
		w.Write(mustFixture(f.tb, "video_unavailable.player.json"))
	case idAge:
		b := mustFixture(f.tb, "request_blocked.player.json")
		for _, bot := range []string{`Sign in to confirm you\u2019re not a bot`, "Sign in to confirm you\u2019re not a bot"} {
			b = bytes.ReplaceAll(b, []byte(bot), []byte(`This video may be inappropriate for some users.`))
		}
		w.Write(b)
	case idPrivate:
		w.Write(playerJSON("LOGIN_REQUIRED", "This video is private", nil, false, id))
	case idUnplayable:
		m := map[string]any{"playabilityStatus": map[string]any{"status": "UNPLAYABLE", "reason": "Video unavailable",
			"errorScreen": map[string]any{"playerErrorMessageRenderer": map[string]any{
				"subreason": map[string]any{"runs": []any{map[string]any{"text": "The uploader has not made this video available in your country"}}}}}}}
		json.NewEncoder(w).Encode(m)
	case idXPE:
		t := track(base, id, "en", "English", false, true)
		t["baseUrl"] = strings.Replace(t["baseUrl"].(string), "&caps=asr", "&caps=asr&exp=xpe", 1)
		w.Write(playerJSON("OK", "", map[string]any{"captionTracks": []any{t}}, true, id))
	case idOnlyJa:
		w.Write(playerJSON("OK", "", map[string]any{
			"captionTracks": []any{track(base, id, "ja", "Japanese", false, true)},
			"audioTracks":   []any{map[string]any{"captionTrackIndices": []int{0}, "defaultCaptionTrackIndex": 0}},
			"translationLanguages": []any{
				map[string]any{"languageCode": "de", "languageName": map[string]any{"runs": []any{map[string]any{"text": "German"}}}},
				map[string]any{"languageCode": "en", "languageName": map[string]any{"runs": []any{map[string]any{"text": "English"}}}}},
			"defaultTranslationSourceTrackIndices": []int{0},
		}, true, id))
	case idOnlyJaNoTr:
		w.Write(playerJSON("OK", "", map[string]any{
			"captionTracks": []any{track(base, id, "ja", "Japanese (auto-generated)", true, false)}}, true, id))
	default: // idEmptyBody, idEmptyText, idSrv3, idJSON3, idConsent, idRecaptcha…
		w.Write(playerJSON("OK", "", map[string]any{"captionTracks": []any{
			track(base, id, "en", "English", false, true), track(base, id, "en", "English (auto-generated)", true, true)}}, true, id))
	}
}

// fakeLines are the lines of transcript.xml, for the srv3 and json3 answers.
var fakeLines = []struct {
	start, dur float64
	text       string
}{{0, 1.54, "Hey, this is just a test"}, {1.54, 4.16, "this is <i>not</i> the original transcript"},
	{5, 0.5, ""}, {5.7, 3.239, "just something shorter, I made up for testing"}}

func srv3Body() []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8" ?><timedtext format="3"><head><ws id="0"/></head><body>`)
	for _, l := range fakeLines {
		words := strings.Fields(l.text)
		fmt.Fprintf(&b, `<p t="%d" d="%d" w="1">`, int(l.start*1000), int(l.dur*1000))
		for i, wd := range words {
			sp := ""
			if i > 0 {
				sp = " "
			}
			fmt.Fprintf(&b, `<s t="%d" ac="0">%s%s</s>`, i*100, sp, strings.NewReplacer("<", "&amp;lt;", ">", "&amp;gt;").Replace(wd))
		}
		b.WriteString(`</p><p t="1" a="1">` + "\n" + `</p>`)
	}
	b.WriteString(`</body></timedtext>`)
	return []byte(b.String())
}

func json3Body() []byte {
	ev := []any{map[string]any{"tStartMs": 0, "dDurationMs": 9000, "id": 1, "wpWinPosId": 1}}
	for _, l := range fakeLines {
		var segs []any
		for i, wd := range strings.Fields(l.text) {
			if i > 0 {
				wd = " " + wd
			}
			segs = append(segs, map[string]any{"utf8": wd, "tOffsetMs": i * 100})
		}
		if segs == nil {
			segs = []any{map[string]any{"utf8": "\n"}}
		}
		ev = append(ev, map[string]any{"tStartMs": int(l.start * 1000), "dDurationMs": int(l.dur * 1000), "segs": segs})
	}
	b, _ := json.Marshal(map[string]any{"wireMagic": "pb3", "events": ev})
	return b
}

func (f *fakeYT) timedtext(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("v")
	if q.Get("signature") == "" {
		f.tb.Errorf("timedtext URL lost its signature: %s", r.URL.RawQuery)
	}
	format := q.Get("fmt")
	switch id {
	case idEmptyBody:
		return
	case idEmptyText:
		io.WriteString(w, `<?xml version="1.0" encoding="utf-8" ?><transcript><text start="0" dur="1"></text></transcript>`)
		return
	case idSrv3:
		format = "srv3"
	case idJSON3:
		format = "json3"
	}
	switch format {
	case "srv3":
		w.Header().Set("Content-Type", "text/xml")
		w.Write(srv3Body())
	case "json3":
		w.Header().Set("Content-Type", "application/json")
		w.Write(json3Body())
	default:
		w.Header().Set("Content-Type", "text/xml")
		w.Write(mustFixture(f.tb, "transcript.xml"))
	}
}

func (f *fakeYT) oembed(w http.ResponseWriter, r *http.Request) {
	u := r.URL.Query().Get("url")
	if r.URL.Query().Get("format") != "json" || !strings.HasPrefix(u, "https://www.youtube.com/watch?v=") {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	id := strings.TrimPrefix(u, "https://www.youtube.com/watch?v=")
	switch id {
	case idBlocked:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"title":"Known from oEmbed","author_name":"oEmbed Channel","author_url":"https://www.youtube.com/@x",`+
			`"type":"video","thumbnail_url":"https://i.ytimg.com/vi/%s/hqdefault.jpg","provider_name":"YouTube"}`, id)
	case idBlockedNoEmb:
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	default:
		http.Error(w, "Not Found", http.StatusNotFound)
	}
}

func pvr(id, title, length string, playable bool) map[string]any {
	m := map[string]any{"playlistVideoRenderer": map[string]any{"videoId": id,
		"title": map[string]any{"runs": []any{map[string]any{"text": title}}}, "isPlayable": playable,
		"shortBylineText": map[string]any{"runs": []any{map[string]any{"text": "Chan"}}}}}
	if length != "" {
		m["playlistVideoRenderer"].(map[string]any)["lengthSeconds"] = length
	}
	return m
}

// browse answers the playlists of the scenarios; the answer shapes are
// youtubetest's, the items (deleted, private, lockup, no length) are the
// scenarios'.
func (f *fakeYT) browse(w http.ResponseWriter, body []byte) {
	browseID, continuation, ok := youtubetest.ParseBrowse(body)
	if !ok {
		http.Error(w, `{"error":{"code":400,"status":"INVALID_ARGUMENT"}}`, http.StatusBadRequest)
		return
	}
	contItem := youtubetest.ContinuationItem
	var page map[string]any
	switch {
	case browseID == "VL"+plOK:
		page = youtubetest.BrowsePage(plOK, "Fake playlist", []any{pvr(idOK, "Surface Go Review", "316", true),
			pvr(idDisabled, "Angèle", "288", true), contItem("tok-2")})
	case continuation == "tok-2":
		page = youtubetest.BrowseContinuation([]any{pvr("delVideo001", "[Deleted video]", "", false),
			pvr("prvVideo001", "[Private video]", "", false), pvr("aaaaaaaaaaa", "Third", "61", true), contItem("tok-3")})
	case continuation == "tok-3":
		page = youtubetest.BrowseContinuation([]any{
			map[string]any{"lockupViewModel": map[string]any{"contentId": "bbbbbbbbbbb", "contentType": "LOCKUP_CONTENT_TYPE_VIDEO",
				"metadata": map[string]any{"lockupMetadataViewModel": map[string]any{"title": map[string]any{"content": "Fourth"}}}}},
			pvr("ccccccccccc", "Fifth", "3600", true)})
	case browseID == "VL"+plNotFound:
		page = youtubetest.PlaylistMissing()
	case browseID == "VL"+plEmpty:
		page = youtubetest.BrowsePage(plEmpty, "Nothing here", []any{})
	case browseID == "VL"+plLoop:
		page = youtubetest.BrowsePage(plLoop, "Loop", []any{pvr("ddddddddddd", "Loop video", "10", true), contItem("loop")})
	case continuation == "loop":
		page = youtubetest.BrowseContinuation([]any{pvr("eeeeeeeeeee", "Again", "10", true), contItem("loop")})
	case browseID == "VL"+youtubetest.UploadsID(chOK, "UULF"):
		page = youtubetest.BrowsePage("UULF", "Uploads from Fake & Channel", []any{pvr("chVideo0001", "Newest", "100", true),
			pvr("chVideo0002", "Second", "200", true), pvr("chVideo0003", "Third", "300", true), contItem("ch-2")})
	case continuation == "ch-2":
		page = youtubetest.BrowseContinuation([]any{pvr("chVideo0004", "Fourth", "400", true),
			pvr("chVideo0005", "Fifth", "500", true), contItem("ch-3")})
	case continuation == "ch-3":
		page = youtubetest.BrowseContinuation([]any{pvr("chVideo0006", "Sixth", "600", true),
			pvr("chVideo0007", "Seventh", "700", true)})
	case browseID == "VL"+youtubetest.UploadsID(chShorts, "UUSH"):
		page = youtubetest.BrowsePage("UUSH", "Shorts", []any{pvr("short000001", "A short", "30", true)})
	case browseID == "VL"+youtubetest.UploadsID(chMembers, "UUMO"):
		page = youtubetest.BrowsePage("UUMO", "Members", []any{pvr("member00001", "For members", "900", true)})
	case strings.HasPrefix(browseID, "VLUU"):
		page = youtubetest.PlaylistMissing()
	case browseID == "VL"+plRate:
		w.WriteHeader(http.StatusTooManyRequests)
		return
	default:
		http.Error(w, `{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}`,
			http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(page)
}
