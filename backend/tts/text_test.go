package tts

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOriginalClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "Hello world.", "Hello world."},
		{"url", "See https://example.com/a?b=c for more.", "See link for more."},
		{"www url", "Visit www.example.org today.", "Visit link today."},
		{"email", "Write to jane.doe@example.com now.", "Write to email address now."},
		{"markdown link keeps text", "Read [the docs](https://x.io/docs) first.", "Read the docs first."},
		{"image alt", "![A chart](img.png) shows it.", "A chart shows it."},
		{"heading gets a period", "## Key points\nThe first point.", "Key points. The first point."},
		{"bullets", "- alpha\n* beta\n+ gamma", "alpha. beta. gamma."},
		{"numbered list kept", "1. First step\n2. Second step", "1. First step. 2. Second step."},
		{"emphasis", "This is **very** _important_ and *nice*.", "This is very important and nice."},
		{"inline code and fence", "Run `go test`.\n```\ncode here\n```", "Run go test. code here."},
		{"quote and rule", "> quoted words\n---\nAfter.", "quoted words. After."},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", "a, b. 1, 2."},
		{"symbols", "50% of $10 & 3 = 5 + 2 @ #1", "50 percent of dollars 10 and 3 equals 5 plus 2 at number 1."},
		{"comparison", "x < y > z", "x less than y greater than z."},
		{"marks", "© 2024 Acme® Widget™ § 3", "copyright 2024 Acme registered Widget trademark section 3."},
		{"currencies", "€5, £6, ¥7", "euros 5, pounds 6, yen 7."},
		{"thousands", "It costs 1,000,000 dollars, or 12,345.67 each.", "It costs 1000000 dollars, or 12345.67 each."},
		{"list of digits kept", "Pick 1,2,3.", "Pick 1,2,3."},
		{"quotes dropped", `He said "hi" and 'bye'.`, "He said hi and bye."},
		{"smart quotes", "“Quoted” and ‘single’.", "Quoted and single."},
		{"apostrophes kept", "We're sure it's Bob’s.", "We're sure it's Bob's."},
		{"brackets", "Use [this] or {that}.", "Use this or that."},
		{"dashes and slashes", "Fast—really fast–and 24/7.", "Fast really fast and 24 7."},
		{"html entities", "Tom &amp; Jerry &lt;3", "Tom and Jerry less than 3."},
		{"html tags", "Line<br>break <b>bold</b>.", "Line break bold."},
		{"whitespace", "  a \t\n\n  b  ", "a. b."},
		{"underscore", "snake_case_name.", "snake case name."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OriginalClean(tt.in); got != tt.want {
				t.Errorf("OriginalClean(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"One. Two! Three?", []string{"One.", "Two!", "Three?"}},
		{"Pi is 3.14 today. Yes.", []string{"Pi is 3.14 today.", "Yes."}},
		{`He said "stop." Then left.`, []string{`He said "stop."`, "Then left."}},
		{"Wait... what?! Ok", []string{"Wait...", "what?!", "Ok"}},
		{"你好。世界！", []string{"你好。", "世界！"}},
		{"no end", []string{"no end"}},
		{"", nil},
	}
	for _, tt := range tests {
		got := Sentences(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// longText returns about n characters of summary-like text with multi-byte
// characters, long sentences and a huge unbroken "word".
func longText(n int) string {
	parts := []string{
		"The speaker explains why résumés matter — and how naïve café owners in Zürich price crème brûlée. ",
		"This brings us to a really important point, one that the creator repeats several times, with examples from three countries, each with its own rules, its own habits, its own strange exceptions, and its own long list of caveats that nobody reads, which makes the whole topic surprisingly subtle for newcomers who expect a simple answer and instead find a maze of details that keep branching into more details, more caveats and yet more exceptions to the exceptions. ",
		"Short one! ",
		"日本語の文もあります。 ",
		"A critical takeaway here is that you should master the fundamentals before moving on? ",
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		if i == 7 {
			b.WriteString(strings.Repeat("x", 700) + ". ")
		}
		b.WriteString(parts[i%len(parts)])
	}
	return string([]rune(b.String())[:n])
}

func TestChunkLimits(t *testing.T) {
	tests := []struct {
		name              string
		text              string
		maxBytes, maxSent int
	}{
		{"20000 chars defaults", longText(20000), 0, 0},
		{"small limits", longText(3000), 300, 120},
		{"tiny sentence limit", longText(2000), 200, 10},
		{"only multibyte", strings.Repeat("äöü€", 3000), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := Clean(tt.text)
			chunks := Chunk(text, tt.maxBytes, tt.maxSent)
			maxB, maxS := tt.maxBytes, tt.maxSent
			if maxB == 0 {
				maxB = DefaultMaxRequestBytes
			}
			if maxS == 0 {
				maxS = DefaultMaxSentenceBytes
			}
			if len(chunks) == 0 {
				t.Fatal("no chunks")
			}
			var words []string
			for i, c := range chunks {
				if len(c) > maxB || len(c) >= APIMaxBytes {
					t.Errorf("chunk %d has %d bytes, limit %d", i, len(c), maxB)
				}
				if !utf8.ValidString(c) {
					t.Errorf("chunk %d is not valid UTF-8", i)
				}
				for _, s := range Sentences(c) {
					if len(s) > maxS {
						t.Errorf("chunk %d has a %d-byte sentence, limit %d: %.60q", i, len(s), maxS, s)
					}
				}
				words = append(words, strings.Fields(c)...)
			}
			// Nothing is lost or reordered: the words come back in order,
			// modulo the periods added where long sentences were split and
			// the cuts inside over-long words.
			norm := func(s string) string {
				return strings.NewReplacer(".", "", ",", "", ";", "", ":", "", " ", "").Replace(s)
			}
			if norm(strings.Join(words, " ")) != norm(text) {
				t.Fatal("chunks do not reassemble into the text")
			}
		})
	}
}

func TestChunk20000CharsRequestCount(t *testing.T) {
	text := Clean(longText(20000))
	chunks := Chunk(text, 0, 0)
	total := 0
	for _, c := range chunks {
		total += len(c)
	}
	// 20,000 characters with multi-byte runes are ~21,000+ bytes: at
	// least five requests of ≤ 4,800 bytes.
	if len(chunks) < (len(text)+DefaultMaxRequestBytes-1)/DefaultMaxRequestBytes || len(chunks) > 8 {
		t.Fatalf("%d bytes became %d chunks", len(text), len(chunks))
	}
	t.Logf("%d chars / %d bytes → %d chunks (%d bytes sent)", utf8.RuneCountInString(text), len(text), len(chunks), total)
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("word ", 300)
	got := truncate(long, PreviewMaxChars)
	if n := utf8.RuneCountInString(got); n > PreviewMaxChars || !strings.HasSuffix(got, "...") {
		t.Fatalf("truncate: %d chars, %q...", n, got[len(got)-10:])
	}
	if truncate("short", 500) != "short" {
		t.Fatal("short text changed")
	}
	multi := strings.Repeat("é", 600)
	if n := utf8.RuneCountInString(truncate(multi, 500)); n != 500 {
		t.Fatalf("multibyte truncate gave %d chars", n)
	}
}
