package tts

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeTTS speaks the Cloud Text-to-Speech REST wire format
// (protocols.md §4.3): POST /v1/text:synthesize with JSON (enums as numbers
// or strings), audioContent in base64, GET /v1/voices, Google error bodies,
// 400 for input over 5,000 bytes or over-long sentences.
type fakeTTS struct {
	t   testing.TB
	srv *httptest.Server

	wantKey    string // "" accepts any request; else ?key= must match
	wantBearer bool   // require Authorization: Bearer (service account)

	mu          sync.Mutex
	requests    []fakeReq
	keysSeen    []string
	inflight    int
	maxInflight int
	fail        map[string]fakeFail // by voice name; "*" for all
	voicesFail  bool
	tokenCalls  int

	// hold, when set, blocks each synthesize until it is closed; every
	// arrival sends the current in-flight count on arrived.
	hold    chan struct{}
	arrived chan int
}

type fakeReq struct {
	Voice, Lang, Text string
	Encoding          any
}

type fakeFail struct {
	code    int
	status  string
	message string
	details string // raw JSON array for "details"
}

func newFakeTTS(tb testing.TB) *fakeTTS {
	f := &fakeTTS{t: tb, fail: map[string]fakeFail{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTTS) URL() string { return f.srv.URL }

func (f *fakeTTS) setFail(voice string, ff fakeFail) {
	f.mu.Lock()
	f.fail[voice] = ff
	f.mu.Unlock()
}

func (f *fakeTTS) reqs() []fakeReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeReq(nil), f.requests...)
}

func writeGoogleError(w http.ResponseWriter, ff fakeFail) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(ff.code)
	details := ff.details
	if details == "" {
		details = "[]"
	}
	fmt.Fprintf(w, `{"error":{"code":%d,"message":%q,"status":%q,"details":%s}}`, ff.code, ff.message, ff.status, details)
}

var errKeyInvalid = fakeFail{400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
	`[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"texttospeech.googleapis.com"}}]`}

func (f *fakeTTS) auth(w http.ResponseWriter, r *http.Request) bool {
	key := r.URL.Query().Get("key")
	if key == "" {
		key = r.Header.Get("X-Goog-Api-Key")
	}
	f.mu.Lock()
	f.keysSeen = append(f.keysSeen, key)
	f.mu.Unlock()
	if f.wantKey != "" && key != f.wantKey {
		writeGoogleError(w, errKeyInvalid)
		return false
	}
	if f.wantBearer && !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		writeGoogleError(w, fakeFail{401, "UNAUTHENTICATED", "Request is missing required authentication credential.", ""})
		return false
	}
	return true
}

func (f *fakeTTS) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/token":
		f.mu.Lock()
		f.tokenCalls++
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"ya29.fake","token_type":"Bearer","expires_in":3600}`)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/text:synthesize":
		if alt := r.URL.Query().Get("$alt"); alt != "" && alt != "json;enum-encoding=int" {
			http.Error(w, "bad $alt", 400)
			return
		}
		if !f.auth(w, r) {
			return
		}
		f.synthesize(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/voices":
		if !f.auth(w, r) {
			return
		}
		f.mu.Lock()
		fail := f.voicesFail
		f.mu.Unlock()
		if fail {
			writeGoogleError(w, fakeFail{500, "INTERNAL", "Internal error encountered.", ""})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		// Mixed string and numeric enums, as the real API and docs show.
		fmt.Fprint(w, `{"voices":[
 {"languageCodes":["en-US"],"name":"en-US-Neural2-F","ssmlGender":"FEMALE","naturalSampleRateHertz":24000},
 {"languageCodes":["en-US"],"name":"en-US-Chirp3-HD-Kore","ssmlGender":2,"naturalSampleRateHertz":24000},
 {"languageCodes":["de-DE"],"name":"de-DE-Wavenet-B","ssmlGender":1,"naturalSampleRateHertz":24000}]}`)
	default:
		writeGoogleError(w, fakeFail{404, "NOT_FOUND", "Not found: " + r.URL.Path, ""})
	}
}

func (f *fakeTTS) synthesize(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Input struct {
			Text string `json:"text"`
		} `json:"input"`
		Voice struct {
			LanguageCode string `json:"languageCode"`
			Name         string `json:"name"`
		} `json:"voice"`
		AudioConfig struct {
			AudioEncoding json.RawMessage `json:"audioEncoding"`
		} `json:"audioConfig"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeGoogleError(w, fakeFail{400, "INVALID_ARGUMENT", "Invalid JSON payload received. " + err.Error(), ""})
		return
	}
	enc := strings.Trim(string(body.AudioConfig.AudioEncoding), `"`)
	if enc != "2" && enc != "MP3" {
		writeGoogleError(w, fakeFail{400, "INVALID_ARGUMENT", "fake: only MP3 (2) is served, got " + enc, ""})
		return
	}
	text := body.Input.Text
	f.mu.Lock()
	f.inflight++
	if f.inflight > f.maxInflight {
		f.maxInflight = f.inflight
	}
	n := f.inflight
	hold, arrived := f.hold, f.arrived
	f.requests = append(f.requests, fakeReq{Voice: body.Voice.Name, Lang: body.Voice.LanguageCode, Text: text, Encoding: enc})
	ff, failing := f.fail[body.Voice.Name]
	if !failing {
		ff, failing = f.fail["*"]
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inflight--
		f.mu.Unlock()
	}()
	if arrived != nil {
		arrived <- n
	}
	if hold != nil {
		<-hold
	}
	switch {
	case text == "":
		writeGoogleError(w, fakeFail{400, "INVALID_ARGUMENT", "Either `input.text` or `input.ssml` must be set.", ""})
	case len(text) > 5000:
		writeGoogleError(w, fakeFail{400, "INVALID_ARGUMENT", "Either `input.text` or `input.ssml` is longer than the limit of 5000 bytes. This limit is different from quotas. To fix, reduce the byte length of the characters in this request, or consider using the Long Audio API: https://cloud.google.com/text-to-speech/docs/create-audio-text-long-audio-synthesis.", ""})
	case longestSentence(text) > 500:
		writeGoogleError(w, fakeFail{400, "INVALID_ARGUMENT", "This request contains sentences that are too long. Consider splitting up long sentences with sentence ending punctuation e.g. periods. Also consider using SSML <break> tags to encourage the model to pause.", ""})
	case failing:
		writeGoogleError(w, ff)
	default:
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		// protojson-style random spacing does not matter to a decoder.
		fmt.Fprintf(w, "{\n  \"audioContent\": %q\n}\n", base64.StdEncoding.EncodeToString(synthMP3(text)))
	}
}

func longestSentence(text string) int {
	m := 0
	for _, s := range strings.FieldsFunc(text, func(r rune) bool { return r == '.' || r == '!' || r == '?' }) {
		m = max(m, len(s))
	}
	return m
}

// Synthetic MP3: MPEG-2 layer III, 24 kHz, 32 kbit/s, mono → 96-byte frames.
var frameHeader = []byte{0xFF, 0xF3, 0x44, 0xC4}

const frameLen = 96

// marker identifies the audio of one text: 8 bytes of its SHA-256.
func marker(text string) []byte {
	h := sha256.Sum256([]byte(text))
	return h[:8]
}

// synthMP3 returns an MP3 file for text like Cloud TTS: an ID3v2 tag, an
// Info frame, two audio frames whose payload is the text's marker, and an
// ID3v1 tag.
func synthMP3(text string) []byte {
	var b bytes.Buffer
	b.WriteString("ID3\x04\x00\x00\x00\x00\x00\x0e") // 14-byte body
	b.WriteString("TSSE\x00\x00\x00\x04\x00\x00\x03Lav")
	info := make([]byte, frameLen)
	copy(info, frameHeader)
	copy(info[13:], "Info\x00\x00\x00\x03\x00\x00\x00\x02")
	b.Write(info)
	for i := 0; i < 2; i++ {
		fr := make([]byte, frameLen)
		copy(fr, frameHeader)
		copy(fr[4:], bytes.Repeat(marker(text), (frameLen-4)/8))
		b.Write(fr)
	}
	tag := make([]byte, 128)
	copy(tag, "TAG")
	b.Write(tag)
	return b.Bytes()
}

// frameMarkers walks a joined synthetic MP3 and returns each audio frame's
// marker; it fails the test on anything but one leading ID3v2 tag and
// frames.
func frameMarkers(tb testing.TB, b []byte) [][]byte {
	tb.Helper()
	n := id3v2Len(b)
	if n == 0 {
		tb.Fatal("joined MP3 lost the first ID3v2 tag")
	}
	b = b[n:]
	var out [][]byte
	for len(b) > 0 {
		f, ok := parseFrame(b)
		if !ok || f.length != frameLen || len(b) < frameLen {
			tb.Fatalf("not a frame at %d bytes before the end: % x", len(b), b[:min(len(b), 8)])
		}
		if isInfoFrame(b[:frameLen], f) {
			tb.Fatal("joined MP3 still holds an Info frame")
		}
		out = append(out, b[4:12])
		b = b[frameLen:]
	}
	return out
}
