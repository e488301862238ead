package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ytsum/backend/ytsum"
)

func MustOpen(tb testing.TB, docs ...Doc) *Index {
	tb.Helper()
	ix, fresh, err := Open(filepath.Join(tb.TempDir(), DirName))
	if err != nil {
		tb.Fatal(err)
	}
	if !fresh {
		tb.Fatal("a new index was not reported fresh")
	}
	tb.Cleanup(func() { _ = ix.Close() })
	if err := ix.Apply(docs, nil); err != nil {
		tb.Fatal(err)
	}
	return ix
}

func hitIDs(r Results) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

var corpus = []Doc{
	{ID: "telecom", Title: "The AT&T breakup explained", Channel: "History Bits",
		Summary: "How the 1984 divestiture split AT&T into the Baby Bells.", Transcript: "at the time T was a letter"},
	{ID: "at-t-scattered", Title: "Letters", Channel: "Alphabet",
		Summary: "We look at how the letter T is used.", Transcript: "at first"},
	{ID: "cafe", Title: "Le café parisien", Channel: "Éric Voyage",
		Summary: "Une visite des cafés de Paris, crème brûlée incluse.", Transcript: "l’histoire d'espresso, qu'il aime"},
	{ID: "tokyo", Title: "東京タワーの歴史", Channel: "日本の旅",
		Summary: "東京タワーは1958年に完成しました。", Transcript: "今日は東京に来ています"},
	{ID: "emoji", Title: "Guitar lesson 🎸 for beginners", Channel: "Strings",
		Summary: "Learn three chords 🎸🔥 in ten minutes.", Transcript: ""},
	{ID: "quotes", Title: `Why "Move fast and break things" failed`, Channel: "Tech Talk",
		Summary: "Zuckerberg's motto, and the <script> of its demise.", Transcript: "move fast and break things they said"},
	{ID: "title-rust", Title: "Rust ownership in depth", Channel: "Systems",
		Summary: "Borrowing and lifetimes.", Transcript: "today we talk about memory"},
	{ID: "transcript-rust", Title: "Weekly news", Channel: "News",
		Summary: "Language updates.", Transcript: "and then someone mentioned rust briefly in passing among many other words about other topics"},
	{ID: "summary-rust", Title: "Language comparisons", Channel: "PL",
		Summary: "Rust compared with Go and Zig.", Transcript: "we compare languages"},
	{ID: "korean", Title: "한국어 배우기", Channel: "Korean 101", Summary: "안녕하세요 means hello.", Transcript: ""},
	{ID: "summaries", Title: "How to write summaries", Channel: "Writing", Summary: "Summarizing is a skill.", Transcript: ""},
}

func TestSearchRankingAndSpecialCharacters(t *testing.T) {
	ix := MustOpen(t, corpus...)
	tests := []struct {
		name  string
		q     string
		first string   // the expected best hit ("" means no hits)
		want  []string // when set, the exact hit set in order
		has   []string // ids that must be among the hits
		not   []string // ids that must not be hits
	}{
		{name: "title beats summary beats transcript", q: "rust", want: []string{"title-rust", "summary-rust", "transcript-rust"}},
		{name: "case-insensitive", q: "RUST", first: "title-rust"},
		{name: "AT&T as typed", q: "AT&T", first: "telecom"},
		{name: "AT&T lower case", q: "at&t breakup", want: []string{"telecom"}},
		{name: "accent-insensitive: plain query, accented text", q: "cafe creme brulee", want: []string{"cafe"}},
		{name: "accent-insensitive: accented query", q: "ÉRIC", want: []string{"cafe"}},
		{name: "CJK word", q: "東京タワー", first: "tokyo", not: []string{"emoji"}},
		{name: "CJK two characters", q: "東京", want: []string{"tokyo"}},
		{name: "Hangul", q: "안녕하세요", want: []string{"korean"}},
		{name: "emoji", q: "🎸", want: []string{"emoji"}},
		{name: "emoji and word", q: "chords 🔥", want: []string{"emoji"}},
		{name: "quoted phrase", q: `"move fast and break things"`, want: []string{"quotes"}},
		{name: "curly quotes", q: "“break things”", want: []string{"quotes"}},
		{name: "unclosed quote", q: `"break things`, want: []string{"quotes"}},
		{name: "French elision", q: "espresso histoire", want: []string{"cafe"}},
		{name: "elided query", q: "l'histoire", want: []string{"cafe"}},
		{name: "apostrophe", q: "Zuckerberg's", want: []string{"quotes"}},
		{name: "html-looking text", q: "<script>", want: []string{"quotes"}},
		{name: "all words required", q: "rust zig", want: []string{"summary-rust"}},
		{name: "stemming", q: "summary", has: []string{"summaries"}},
		{name: "prefix while typing", q: "owners", has: []string{"title-rust"}},
		{name: "no prefix after space", q: "owne ", first: ""},
		{name: "punctuation only", q: `&&& ??? "" -- *`, first: ""},
		{name: "empty", q: "   ", first: ""},
		{name: "query-syntax characters are text", q: `title:rust +zig -go ~2 ^3 (a) [b] {c}`, first: ""},
		{name: "no match", q: "kubernetes", first: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ix.Search(context.Background(), tt.q, 10)
			if err != nil {
				t.Fatal(err)
			}
			got := hitIDs(r)
			if tt.want != nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.q, got, tt.want)
			}
			if tt.want == nil && tt.has == nil {
				if tt.first == "" && len(got) != 0 {
					t.Errorf("Search(%q) = %v, want none", tt.q, got)
				}
				if tt.first != "" && (len(got) == 0 || got[0] != tt.first) {
					t.Errorf("Search(%q) = %v, want %s first", tt.q, got, tt.first)
				}
			}
			for _, id := range tt.has {
				if !contains(got, id) {
					t.Errorf("Search(%q) = %v, missing %s", tt.q, got, id)
				}
			}
			for _, id := range tt.not {
				if contains(got, id) {
					t.Errorf("Search(%q) = %v, must not hold %s", tt.q, got, id)
				}
			}
			if r.Total < len(r.Hits) {
				t.Errorf("total %d < hits %d", r.Total, len(r.Hits))
			}
		})
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func TestSpansAndSnippets(t *testing.T) {
	ix := MustOpen(t, corpus...)
	tests := []struct {
		q, field, text string
		want           string
	}{
		{"at&t", FieldTitle, corpus[0].Title, "The <mark>AT&amp;T</mark> breakup explained"},
		{"cafe", FieldTitle, corpus[2].Title, "Le <mark>café</mark> parisien"},
		{"東京", FieldSummary, corpus[3].Summary, "<mark>東京</mark>タワーは1958年に完成しました。"},
		{"🎸", FieldSummary, corpus[4].Summary, "Learn three chords <mark>🎸</mark>🔥 in ten minutes."},
		{"script", FieldSummary, corpus[5].Summary, "Zuckerberg&#39;s motto, and the &lt;<mark>script</mark>&gt; of its demise."},
	}
	for _, tt := range tests {
		r, err := ix.Search(context.Background(), tt.q, 10)
		if err != nil || len(r.Hits) == 0 {
			t.Fatalf("Search(%q): %v %v", tt.q, r, err)
		}
		spans := r.Hits[0].Spans[tt.field]
		if got := Snippet(tt.text, spans, 0); got != tt.want {
			t.Errorf("Snippet for %q = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestSnippetWindow(t *testing.T) {
	text := strings.Repeat("filler words here ", 40) + "the needle is here\n\nand  more" + strings.Repeat(" tail words", 40)
	i := strings.Index(text, "needle")
	got := Snippet(text, []Span{{i, i + 6}, {-1, 3}, {i, len(text) + 5}}, 80)
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "<mark>needle</mark> is here and more") {
		t.Errorf("Snippet = %q", got)
	}
	if len(got) > 80+2*len("…")+len(MarkOpen+MarkClose)+8 {
		t.Errorf("Snippet too long: %d", len(got))
	}
	if got := Snippet("short <b>", nil, 80); got != "short &lt;b&gt;" {
		t.Errorf("no spans: %q", got)
	}
	// Spans cutting a rune are ignored rather than producing invalid UTF-8.
	if got := Snippet("été", []Span{{1, 2}}, 80); got != "été" {
		t.Errorf("bad span: %q", got)
	}
}

func TestReplaceDeleteAndReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), DirName)
	ix, fresh, err := Open(dir)
	if err != nil || !fresh {
		t.Fatalf("Open: %v fresh=%v", err, fresh)
	}
	_ = ix.Apply([]Doc{{ID: "a", Title: "alpha"}, {ID: "b", Title: "beta"}}, nil)
	_ = ix.Apply([]Doc{{ID: "a", Title: "gamma"}}, []string{"b"})
	if n, _ := ix.Count(); n != 1 {
		t.Fatalf("count %d", n)
	}
	if r, _ := ix.Search(context.Background(), "alpha", 5); len(r.Hits) != 0 {
		t.Fatal("replaced text still found")
	}
	if ok, _ := ix.Has("b"); ok {
		t.Fatal("deleted doc present")
	}
	ix.Close()

	ix, fresh, err = Open(dir)
	if err != nil || fresh {
		t.Fatalf("reopen: %v fresh=%v", err, fresh)
	}
	if r, _ := ix.Search(context.Background(), "gamma", 5); !reflect.DeepEqual(hitIDs(r), []string{"a"}) {
		t.Fatalf("after reopen: %v", hitIDs(r))
	}
	ix.Close()
}

func TestDamagedIndexIsRecreated(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"missing", func(t *testing.T, dir string) { _ = os.RemoveAll(dir) }},
		{"meta garbage", func(t *testing.T, dir string) {
			_ = os.WriteFile(filepath.Join(dir, "index_meta.json"), []byte("{garbage"), 0o600)
		}},
		{"store garbage", func(t *testing.T, dir string) {
			_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && filepath.Base(p) != "index_meta.json" {
					_ = os.WriteFile(p, []byte("garbage garbage garbage"), 0o600)
				}
				return nil
			})
		}},
		{"a file instead of a folder", func(t *testing.T, dir string) {
			_ = os.RemoveAll(dir)
			_ = os.WriteFile(dir, []byte("x"), 0o600)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), DirName)
			ix, _, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			_ = ix.Apply([]Doc{{ID: "a", Title: "alpha"}}, nil)
			ix.Close()
			tt.damage(t, dir)
			ix, fresh, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			if !fresh {
				t.Fatal("damaged index not reported fresh")
			}
			if err := ix.Apply([]Doc{{ID: "b", Title: "beta"}}, nil); err != nil {
				t.Fatal(err)
			}
			if r, _ := ix.Search(context.Background(), "beta", 5); len(r.Hits) != 1 {
				t.Fatal("fresh index does not work")
			}
		})
	}
}

func TestCancelledSearch(t *testing.T) {
	ix := MustOpen(t, corpus...)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ix.Search(ctx, "rust", 5)
	if err == nil {
		t.Skip("search finished before noticing the cancel")
	}
	if ytsum.ErrorCode(err) == "" {
		t.Fatalf("error not a ytsum error: %v", err)
	}
}

func FuzzSearchQuery(f *testing.F) {
	for _, s := range []string{"AT&T", `"a b`, "東京", "🎸🔥", "\x00\xff", "“x”", strings.Repeat("a ", 100)} {
		f.Add(s)
	}
	ix := MustOpen(f, corpus...)
	f.Fuzz(func(t *testing.T, q string) {
		r, err := ix.Search(context.Background(), q, 5)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		for _, h := range r.Hits {
			for _, spans := range h.Spans {
				_ = Snippet(corpus[0].Summary, spans, 50)
			}
		}
	})
}

// symbolCorpus holds look-alikes for the symbols people type: the item with
// the exact text must come first, and items with only the letters or only
// the number must not outrank it (or, for a symbol that changes the
// meaning, not match at all).
var symbolCorpus = []Doc{
	{ID: "cpp", Title: "Modern C++ in one hour", Channel: "Code", Summary: "Templates, RAII and move semantics in C++20."},
	{ID: "csharp", Title: "C# for beginners", Channel: "Code", Summary: "Classes and LINQ in C#."},
	{ID: "c", Title: "The C programming language", Channel: "Code", Summary: "Pointers in C, the language of Unix."},
	{ID: "percent", Title: "Why 100% test coverage is a myth", Channel: "QA", Summary: "Coverage numbers mislead."},
	{ID: "hundred", Title: "100 days of code", Channel: "QA", Summary: "A challenge over 100 days, not 100 percent."},
	{ID: "att", Title: "The AT&T breakup", Channel: "History", Summary: "How AT&T was split in 1984."},
	{ID: "at-t", Title: "Look at the letter T", Channel: "Alphabet", Summary: "At first, T is a letter."},
	{ID: "phrase", Title: "Rust: fearless concurrency", Channel: "Systems", Summary: "Fearless concurrency with ownership."},
	{ID: "scattered", Title: "Concurrency in Go", Channel: "Systems", Summary: "Goroutines are not fearless; concurrency needs care."},
	{ID: "dotnet", Title: "F# and .NET", Channel: "Code", Summary: "Functional programming with F#."},
}

func TestSearchSymbolsPeopleType(t *testing.T) {
	ix := MustOpen(t, symbolCorpus...)
	tests := []struct {
		q     string
		first string
		not   []string
	}{
		{"C++", "cpp", []string{"csharp", "c"}},
		{"c++", "cpp", []string{"csharp", "c"}},
		{"C++20", "cpp", []string{"csharp", "c"}},
		{"C#", "csharp", []string{"cpp", "c"}},
		{"c# linq", "csharp", []string{"cpp", "c"}},
		{"F#", "dotnet", []string{"cpp", "csharp", "c"}},
		{"100%", "percent", []string{"hundred"}},
		{"100% coverage", "percent", []string{"hundred"}},
		{"100", "hundred", nil},
		{"AT&T", "att", []string{"at-t"}},
		{"at&t breakup", "att", []string{"at-t"}},
		{`"fearless concurrency"`, "phrase", []string{"scattered"}},
		{"fearless concurrency", "phrase", nil},
		{`"move semantics" C++`, "cpp", []string{"csharp", "c"}},
		{`"modern c++ in one hour"`, "cpp", []string{"csharp", "c"}},
		{`"AT&T breakup"`, "att", []string{"at-t"}},
		{`"100% test coverage"`, "percent", []string{"hundred"}},
		{"c++ semantics", "cpp", []string{"csharp", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			r, err := ix.Search(context.Background(), tt.q, 10)
			if err != nil {
				t.Fatal(err)
			}
			got := hitIDs(r)
			if len(got) == 0 || got[0] != tt.first {
				t.Fatalf("Search(%q) = %v, want %s first", tt.q, got, tt.first)
			}
			for _, id := range tt.not {
				if contains(got, id) {
					t.Errorf("Search(%q) = %v, must not hold %s", tt.q, got, id)
				}
			}
		})
	}
}

// TestAnalyzerPositions: compounds share their parts' position, sentence
// punctuation leaves a gap, and CJK bigrams do not renumber the rest.
func TestAnalyzerPositions(t *testing.T) {
	ix := MustOpen(t)
	an := ix.idx.Mapping().AnalyzerNamed(analyzerName)
	var got []string
	for _, tk := range an.Analyze([]byte("C++ rocks. 東京タワー AT&T")) {
		got = append(got, fmt.Sprintf("%s@%d", tk.Term, tk.Position))
	}
	want := "c++@1 c@1 rock@2 東京@4 京タ@5 タワ@6 ワー@7 at&t@8 at@8 t@8"
	if strings.Join(got, " ") != want {
		t.Fatalf("tokens %q\nwant %q", strings.Join(got, " "), want)
	}
}
