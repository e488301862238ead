package search

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
)

// compoundSpans finds exactly what the regular expression finds over the
// whole text: random texts drawn from the characters that matter (letters,
// digits, accents, CJK, the compound symbols, separators, emoji and broken
// UTF-8).
func TestCompoundSpansIsTheRegexp(t *testing.T) {
	pieces := []string{"a", "Z", "é", "ß", "東", "7", "٣", "+", "#", "%", "&", ".", ",", " ", "-", "'", "🗼", "\xff", "\xe6\x9d", "_", "\n"}
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 20000 {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		in := []byte(b.String())
		if got, want := compoundSpans(in), reCompound.FindAllIndex(in, -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d %q: compoundSpans = %v, regexp = %v", i, in, got, want)
		}
	}
	for _, in := range []string{"", "plain words only.", "C++20 and C# at AT&T, 100% or 3.5% & more", "x&&y ++ #1 %%"} {
		if got, want := compoundSpans([]byte(in)), reCompound.FindAllIndex([]byte(in), -1); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: compoundSpans = %v, regexp = %v", in, got, want)
		}
	}
}

func FuzzCompoundSpans(f *testing.F) {
	for _, s := range []string{"C++20 at AT&T", "100% é&ü", "東京&大阪 3,5%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := compoundSpans([]byte(s)), reCompound.FindAllIndex([]byte(s), -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: compoundSpans = %v, regexp = %v", s, got, want)
		}
	})
}

// BenchmarkTokenize is the tokenizer over a summary-sized text without
// compounds, the common case.
func BenchmarkTokenize(b *testing.B) {
	text := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog, twice. ", 30))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		wordSymbolTokenizer{}.Tokenize(text)
	}
}

// The cached stemmer gives bleve's stems, whether cached or not, from
// several goroutines at once.
func TestStemFilterIsSnowball(t *testing.T) {
	words := []string{"summaries", "running", "runs", "ran", "generously", "dying", "skis", "news", "café", "c++", "100%", "東京", "", "a", "abilities", "connection"}
	plain := en.NewEnglishStemmerFilter()
	f := newStemFilter()
	stream := func() analysis.TokenStream {
		var ts analysis.TokenStream
		for _, w := range words {
			ts = append(ts, &analysis.Token{Term: []byte(w)})
		}
		return ts
	}
	want := plain.Filter(stream())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 3 {
				got := f.Filter(stream())
				for i := range want {
					if string(got[i].Term) != string(want[i].Term) {
						t.Errorf("stem(%q) = %q, want %q", words[i], got[i].Term, want[i].Term)
					}
				}
			}
		})
	}
	wg.Wait()
}

// The width filter's ASCII shortcut gives the terms of bleve's filter.
func TestWidthFilterIsCJKWidth(t *testing.T) {
	words := []string{"plain", "C++", "ＡＢＣ１２３", "ｶﾞｷﾞ", "ｱｲｳ", "東京", "café", "mixedＸ", ""}
	stream := func() analysis.TokenStream {
		var ts analysis.TokenStream
		for _, w := range words {
			ts = append(ts, &analysis.Token{Term: []byte(w)})
		}
		return ts
	}
	want := cjk.NewCJKWidthFilter().Filter(stream())
	in := stream()
	got := widthFilter{inner: cjk.NewCJKWidthFilter()}.Filter(in)
	for i := range want {
		if string(got[i].Term) != string(want[i].Term) {
			t.Errorf("width(%q) = %q, want %q", words[i], got[i].Term, want[i].Term)
		}
	}
}

// ApplyAsync returns with the batch searchable and reports it on disk
// once: after the callback, a reopened index has it.
func TestApplyAsyncPersists(t *testing.T) {
	ix := MustOpen(t)
	dir := ix.Path()
	persisted := make(chan error, 2)
	if err := ix.ApplyAsync([]Doc{{ID: "a", Title: "Zanzibar spices"}}, nil, func(err error) { persisted <- err }); err != nil {
		t.Fatal(err)
	}
	if res, err := ix.Search(context.Background(), "zanzibar", 5); err != nil || len(res.Hits) != 1 {
		t.Errorf("Search right after ApplyAsync = %v %v", res, err)
	}
	if err := <-persisted; err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, fresh, err := Open(dir)
	if err != nil || fresh {
		t.Fatalf("reopen: fresh=%v %v", fresh, err)
	}
	defer ix.Close()
	if n, _ := ix.Count(); n != 1 {
		t.Errorf("documents after reopening = %d", n)
	}
	if len(persisted) != 0 {
		t.Errorf("persisted called more than once")
	}
}
