package ask

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/store"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

// vocabulary is a fixed set of made-up words, so synthetic transcripts
// have realistic term statistics without touching real speech.
var vocabulary = func() []string {
	r := rand.New(rand.NewPCG(1, 2))
	syll := []string{"ka", "lo", "mi", "ter", "on", "ra", "vel", "sa", "du", "pen", "ti", "gor", "na", "be", "lu", "so", "zen", "fi", "ar", "mo"}
	seen := map[string]bool{}
	var out []string
	for len(out) < 3000 {
		n := 2 + r.IntN(3)
		var b strings.Builder
		for range n {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}()

// needle is a sentence placed at a given second of a synthetic transcript.
type needle struct {
	at   float64
	text string
}

// synthTranscript makes a transcript of the given length: captions of
// about 4 seconds and 10 words (Zipf-distributed), a sentence ending every
// few captions, and each needle as its own caption at its time.
func synthTranscript(videoID string, seconds float64, seed uint64, needles ...needle) *ytsum.Transcript {
	r := rand.New(rand.NewPCG(seed, 7))
	z := rand.NewZipf(r, 1.1, 3, uint64(len(vocabulary)-1))
	tr := &ytsum.Transcript{VideoID: videoID, Language: "en", Kind: ytsum.TranscriptManual, Source: "test",
		FetchedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	ni := 0
	for t := 0.0; t < seconds; t += 4 {
		if ni < len(needles) && needles[ni].at <= t {
			tr.Segments = append(tr.Segments, ytsum.Segment{Start: t, Duration: 4, Text: needles[ni].text})
			ni++
			continue
		}
		words := make([]string, 10)
		for i := range words {
			words[i] = vocabulary[z.Uint64()]
		}
		text := strings.Join(words, " ")
		if r.IntN(3) == 0 {
			text += "."
		}
		tr.Segments = append(tr.Segments, ytsum.Segment{Start: t, Duration: 4, Text: text})
	}
	return tr
}

// fakeVideos is a VideoSource over maps.
type fakeVideos struct {
	videos      map[string]ytsum.Video
	transcripts map[string]*ytsum.Transcript
}

func (f *fakeVideos) Video(_ context.Context, id string) (ytsum.Video, bool, error) {
	v, ok := f.videos[id]
	return v, ok, nil
}

func (f *fakeVideos) Transcript(_ context.Context, id string) (*ytsum.Transcript, error) {
	return f.transcripts[id], nil
}

func (f *fakeVideos) add(v ytsum.Video, tr *ytsum.Transcript) {
	f.videos[v.ID] = v
	if tr != nil {
		f.transcripts[v.ID] = tr
	}
}

func newFakeVideos() *fakeVideos {
	return &fakeVideos{videos: map[string]ytsum.Video{}, transcripts: map[string]*ytsum.Transcript{}}
}

// fakeGen is a Generator: it records requests and answers with answer(req),
// streamed in three pieces.
type fakeGen struct {
	mu     sync.Mutex
	reqs   []llm.Request
	answer func(req llm.Request) string
}

func (g *fakeGen) Resolve(_ context.Context, o ytsum.SummaryOptions) (ytsum.SummaryOptions, error) {
	switch o.Model {
	case "":
		o.Model = "fake-model"
	case "local", "fake-model":
	case "nokey":
		return o, ytsum.Errorf(ytsum.CodeInvalid, llm.KindKeyMissing, "No OpenAI API key is set; add one in Settings, set an OpenAI-compatible server URL, or choose another model.")
	default:
		return o, ytsum.Errorf(ytsum.CodeInvalid, llm.KindInvalidOption, "Unknown model %q; choose one of: local, fake-model.", o.Model)
	}
	return o, nil
}

func (g *fakeGen) Generate(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
	g.mu.Lock()
	g.reqs = append(g.reqs, req)
	g.mu.Unlock()
	text := "The video doesn't say."
	if g.answer != nil {
		text = g.answer(req)
	}
	n := len(text) / 3
	for _, piece := range []string{text[:n], text[n : 2*n], text[2*n:]} {
		if err := ctx.Err(); err != nil {
			return llm.Response{}, llm.Cancelled(ctx)
		}
		if onDelta != nil && piece != "" {
			onDelta(piece)
		}
	}
	return llm.Response{Text: text}, nil
}

func (g *fakeGen) calls() []llm.Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]llm.Request(nil), g.reqs...)
}

// openDB opens a database at path (t.TempDir() based) and closes it when
// the test ends.
func openDB(t testing.TB, path string) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func tempDBPath(t testing.TB) string { return filepath.Join(t.TempDir(), store.FileName) }

var fixedNow = func() time.Time { return time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC) }

func seqIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("conv%d", n)
	}
}
