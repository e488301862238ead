package ask

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"ytsum/backend/summarize"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

// BenchmarkTokensPerQuestion reports the estimated tokens sent to the model
// (system instruction + prompt) for one question about a 10-minute and a
// 3-hour transcript, beside the whole transcript's tokens, and the time to
// the first streamed word with a model that answers at once (the fake):
// cold (the video's index is built) and warm.
//
//	go test -run '^$' -bench TokensPerQuestion ./backend/ask/
func BenchmarkTokensPerQuestion(b *testing.B) {
	for _, c := range []struct {
		name    string
		seconds float64
	}{{"10min", 600}, {"3h", 10800}} {
		b.Run(c.name, func(b *testing.B) {
			tr := synthTranscript("bench"+c.name, c.seconds, 9, needle{at: c.seconds * 0.6, text: batteryNeedle.text})
			vs := newFakeVideos()
			vs.add(ytsum.Video{ID: tr.VideoID, Title: "Bench", DurationSeconds: int(c.seconds)}, tr)
			gen := &fakeGen{answer: func(llm.Request) string { return "It lasts eleven hours." }}
			db := openDB(b, tempDBPath(b))
			var sent, broad int
			var cold, warm time.Duration
			for i := range b.N {
				a := New(Options{Videos: vs, Generator: gen, Conversations: db})
				for round := range 2 { // cold, then warm
					start := time.Now()
					var first time.Duration
					_, err := a.Ask(context.Background(), Request{VideoID: tr.VideoID, Question: "How long does the battery last?"},
						func(string) {
							if first == 0 {
								first = time.Since(start)
							}
						})
					if err != nil {
						b.Fatal(err)
					}
					if round == 0 {
						cold += first
					} else {
						warm += first
					}
				}
				req := gen.calls()[len(gen.calls())-1]
				sent = summarize.EstimateTokens(req.System) + summarize.EstimateTokens(req.Prompt)
				// A broad question whose words occur all over the video.
				if _, err := a.Ask(context.Background(), Request{VideoID: tr.VideoID,
					Question: "What does he say about " + vocabulary[5] + " and " + vocabulary[9] + "?"}, nil); err != nil {
					b.Fatal(err)
				}
				req = gen.calls()[len(gen.calls())-1]
				broad = summarize.EstimateTokens(req.System) + summarize.EstimateTokens(req.Prompt)
				_ = i
			}
			b.ReportMetric(float64(broad), "tokens/broad-question")
			b.ReportMetric(float64(sent), "tokens/question")
			b.ReportMetric(float64(summarize.EstimateTokens(tr.Text())), "tokens/transcript")
			b.ReportMetric(float64(cold.Microseconds())/float64(b.N)/1000, "ms-first-word-cold")
			b.ReportMetric(float64(warm.Microseconds())/float64(b.N)/1000, "ms-first-word-warm")
		})
	}
}

// synthLibrary is a LibrarySource of n synthetic 5-minute transcripts,
// made on demand (deterministically) instead of stored.
type synthLibrary struct {
	n       int
	seconds float64
}

func (s synthLibrary) id(i int) string { return fmt.Sprintf("syn%08d", i) }

func (s synthLibrary) ForEachVersion(ctx context.Context, fn func(string, string) error) error {
	for i := range s.n {
		if err := fn(s.id(i), "1"); err != nil {
			return err
		}
	}
	return nil
}

func (s synthLibrary) Document(_ context.Context, id string) (Document, bool, error) {
	i, err := strconv.Atoi(id[3:])
	if err != nil || i >= s.n {
		return Document{}, false, nil
	}
	var ns []needle
	if i == s.n/2 {
		ns = []needle{{at: 150, text: "The battery lasts eleven hours on a single charge."}}
	}
	tr := synthTranscript(id, s.seconds, uint64(i), ns...)
	return Document{Video: ytsum.Video{ID: id, Title: "Synthetic " + id}, Transcript: tr,
		Summary: "A synthetic summary of " + id + "."}, true, nil
}

var (
	libOnce  sync.Once
	libIndex *LibraryIndex
	libBuild time.Duration
	libErr   error
)

// BenchmarkLibraryRetrieval reports the time to retrieve the passages for a
// library question over 10,000 transcripts of 5 minutes each (about 68,000
// passages and summaries), after the index is built (its build time is reported once).
// Skipped with -short.
//
//	go test -run '^$' -bench LibraryRetrieval -benchtime 20x ./backend/ask/
func BenchmarkLibraryRetrieval(b *testing.B) {
	if testing.Short() {
		b.Skip("builds an index of 10,000 transcripts")
	}
	src := synthLibrary{n: 10_000, seconds: 300}
	libOnce.Do(func() {
		start := time.Now()
		libIndex, libErr = OpenLibraryIndex("")
		if libErr == nil {
			_, libErr = libIndex.Sync(context.Background(), src)
		}
		libBuild = time.Since(start)
	})
	if libErr != nil {
		b.Fatal(libErr)
	}
	db := openDB(b, tempDBPath(b))
	a := New(Options{Videos: newFakeVideos(), Library: src, LibraryIndex: libIndex, Generator: &fakeGen{}, Conversations: db})
	b.Run("search", func(b *testing.B) {
		b.ReportMetric(libBuild.Seconds(), "s-index-build")
		b.ReportMetric(float64(libIndex.Videos()), "videos")
		for range b.N {
			hits, err := libIndex.search(context.Background(), "How long does the battery last?", "", libraryHits)
			if err != nil || len(hits) == 0 || hits[0].videoID != src.id(src.n/2) {
				b.Fatalf("hits %+v %v", hits[:min(len(hits), 3)], err)
			}
		}
	})
	b.Run("search-broad", func(b *testing.B) { // words found in most transcripts
		for range b.N {
			hits, err := libIndex.search(context.Background(), "What does he say about "+vocabulary[5]+" and "+vocabulary[9]+"?", "", libraryHits)
			if err != nil || len(hits) != libraryHits {
				b.Fatalf("%d hits, %v", len(hits), err)
			}
		}
	})
	b.Run("ask-offline", func(b *testing.B) { // sync check + search + passages + extract + saving the turn
		for range b.N {
			ans, err := a.Ask(context.Background(), Request{Scope: ytsum.ScopeLibrary, Question: "How long does the battery last?", Model: "local"}, nil)
			if err != nil || len(ans.Citations) == 0 || ans.Citations[0].VideoID != src.id(src.n/2) {
				b.Fatalf("%+v %v", ans, err)
			}
		}
	})
}
