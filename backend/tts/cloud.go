package tts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	texttospeech "cloud.google.com/go/texttospeech/apiv1"
	"cloud.google.com/go/texttospeech/apiv1/texttospeechpb"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"

	"ytsum/backend/ytsum"
)

// creds is what the Cloud client was built from; a change rebuilds it.
type creds struct {
	endpoint, apiKey, credFile string
}

func (c creds) set() bool { return c.apiKey != "" || c.credFile != "" }

// cloud holds the REST client for the current credentials.
type cloud struct {
	httpClient *http.Client

	mu     sync.Mutex
	built  creds
	client *texttospeech.Client
}

// get returns a client for cr, building a new one when cr changed. The old
// client is dropped, not closed: calls in flight may still use it, and the
// REST client holds nothing but idle connections.
func (c *cloud) get(ctx context.Context, cr creds) (*texttospeech.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil && c.built == cr {
		return c.client, nil
	}
	opts := []option.ClientOption{option.WithTelemetryDisabled()}
	if cr.endpoint != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimRight(cr.endpoint, "/")))
	}
	switch {
	case cr.apiKey != "" && c.httpClient != nil:
		opts = append(opts, option.WithHTTPClient(withAPIKey(c.httpClient, cr.apiKey)))
	case cr.apiKey != "":
		opts = append(opts, option.WithAPIKey(cr.apiKey))
	default:
		typ, err := credentialsType(cr.credFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, option.WithAuthCredentialsFile(typ, cr.credFile))
	}
	cl, err := texttospeech.NewRESTClient(ctx, opts...)
	if err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeInvalid, KindInvalidKey,
			"Could not set up Google Cloud Text-to-Speech with these credentials; check the key or service-account file in Settings.")
	}
	c.client, c.built = cl, cr
	return cl, nil
}

// credentialsType reads the "type" of a Google credentials JSON file.
func credentialsType(path string) (option.CredentialsType, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", ytsum.Wrap(err, ytsum.CodeInvalid, KindInvalidKey,
			fmt.Sprintf("Could not read the Google credentials file %s; check the path in Settings or GOOGLE_APPLICATION_CREDENTIALS.", path))
	}
	var f struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(b, &f) != nil {
		return "", ytsum.Errorf(ytsum.CodeInvalid, KindInvalidKey,
			"The Google credentials file %s is not valid JSON; download the service-account key again.", path)
	}
	switch option.CredentialsType(f.Type) {
	case option.ServiceAccount, option.AuthorizedUser, option.ExternalAccount, option.ImpersonatedServiceAccount:
		return option.CredentialsType(f.Type), nil
	}
	return "", ytsum.Errorf(ytsum.CodeInvalid, KindInvalidKey,
		"The Google credentials file %s has an unsupported type %q; use a service-account key file.", path, f.Type)
}

// withAPIKey returns a copy of hc that adds ?key= to every request, as
// option.WithAPIKey does (which is ignored when WithHTTPClient is used).
func withAPIKey(hc *http.Client, key string) *http.Client {
	cp := *hc
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		q := r.URL.Query()
		q.Set("key", key)
		r.URL.RawQuery = q.Encode()
		return base.RoundTrip(r)
	})
	return &cp
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// redacted hides a secret in an error's text while keeping its chain.
type redacted struct {
	err    error
	secret string
}

func (r redacted) Error() string {
	s := r.err.Error()
	if r.secret != "" {
		s = strings.ReplaceAll(s, r.secret, "REDACTED")
	}
	return s
}
func (r redacted) Unwrap() error { return r.err }

// limitedRetry retries 503/504 a few times with a short backoff; the
// client's default retries them for up to 300 s.
type limitedRetry struct {
	left  int
	pause time.Duration
}

func (l *limitedRetry) Retry(err error) (time.Duration, bool) {
	if l.left <= 0 {
		return 0, false
	}
	code := 0
	var he interface{ HTTPCode() int }
	if errors.As(err, &he) {
		code = he.HTTPCode()
	}
	if code != http.StatusServiceUnavailable && code != http.StatusGatewayTimeout {
		return 0, false
	}
	l.left--
	p := l.pause
	l.pause *= 3
	return p, true
}

func (s *Service) callOptions() []gax.CallOption {
	return []gax.CallOption{
		gax.WithTimeout(s.opts.RequestTimeout),
		gax.WithRetry(func() gax.Retryer { return &limitedRetry{left: 2, pause: 200 * time.Millisecond} }),
	}
}

// synthOne synthesizes one chunk with one voice and returns its MP3.
func (s *Service) synthOne(ctx context.Context, cl *texttospeech.Client, cr creds, voice, text string) ([]byte, error) {
	req := &texttospeechpb.SynthesizeSpeechRequest{
		Input:       &texttospeechpb.SynthesisInput{InputSource: &texttospeechpb.SynthesisInput_Text{Text: text}},
		Voice:       &texttospeechpb.VoiceSelectionParams{LanguageCode: languageOf(voice), Name: voice},
		AudioConfig: &texttospeechpb.AudioConfig{AudioEncoding: texttospeechpb.AudioEncoding_MP3},
	}
	resp, err := cl.SynthesizeSpeech(ctx, req, s.callOptions()...)
	if err != nil {
		return nil, classify(redacted{err, cr.apiKey}, voice)
	}
	if len(resp.GetAudioContent()) == 0 {
		return nil, ytsum.Errorf(ytsum.CodeUnavailable, KindUnavailable,
			"Google Cloud Text-to-Speech returned no audio for voice %s; try again or pick another voice.", voice)
	}
	return resp.GetAudioContent(), nil
}

// synthCloud synthesizes every chunk with voice, at most Concurrency at a
// time, and joins the MP3s in order. The first failure cancels the rest.
func (s *Service) synthCloud(ctx context.Context, cr creds, voice string, chunks []string) ([]byte, error) {
	cl, err := s.cloud.get(ctx, cr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := make([][]byte, len(chunks))
	sem := make(chan struct{}, s.opts.Concurrency)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) { once.Do(func() { firstErr = err; cancel() }) }
loop:
	for i, ch := range chunks {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			fail(classify(ctx.Err(), voice))
			break loop
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			b, err := s.synthOne(ctx, cl, cr, voice, ch)
			if err != nil {
				fail(err)
				return
			}
			parts[i] = b
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return JoinMP3(parts), nil
}

// listVoices fetches the account's voices (languageCode "" = all).
func (s *Service) listVoices(ctx context.Context, cr creds) ([]Voice, error) {
	cl, err := s.cloud.get(ctx, cr)
	if err != nil {
		return nil, err
	}
	resp, err := cl.ListVoices(ctx, &texttospeechpb.ListVoicesRequest{LanguageCode: s.opts.LanguageCode}, s.callOptions()...)
	if err != nil {
		return nil, classify(redacted{err, cr.apiKey}, "")
	}
	var out []Voice
	for _, v := range resp.GetVoices() {
		if v.GetName() == "" || !validVoiceID(v.GetName()) {
			continue
		}
		lang := languageOf(v.GetName())
		if lc := v.GetLanguageCodes(); len(lc) > 0 {
			lang = lc[0]
		}
		g := strings.ToLower(v.GetSsmlGender().String())
		if g == "ssml_voice_gender_unspecified" {
			g = "unspecified"
		}
		out = append(out, accountVoice(v.GetName(), lang, g))
	}
	return out, nil
}
