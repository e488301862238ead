package tts

import (
	"regexp"
	"strings"
	"testing"
)

// keyPointsSummary is what the key_points style asks models for: one
// sentence, then "- [mm:ss] point" bullets (with the Markdown and symbols
// models add anyway).
const keyPointsSummary = `The video explains how a small bakery grew its online sales.

- [00:28] **Pricing:** the owner raised prices by 15% and lost almost no customers.
- [01:52] She spent $1,250 on a new website built with [Shopify](https://www.shopify.com/) — "the best money I ever spent".
- [03:07] Revenue went from €40k to €3.5M in two years (see https://example.com/report?id=7).
- [12:45] AT&T and C# are mentioned as examples of _brand names_ that are hard to read aloud
- [1:02:03] Final tip: answer every e-mail within 24 hours, e.g. with ` + "`templates`" + `.`

func TestCleanForKeyPointsSample(t *testing.T) {
	got := CleanFor(keyPointsSummary, "en")
	t.Logf("summary:\n%s\n\nsent to TTS before (the original cleaning):\n%s\n\nsent to TTS now:\n%s",
		keyPointsSummary, OriginalClean(keyPointsSummary), got)
	want := "The video explains how a small bakery grew its online sales. " +
		"Pricing: the owner raised prices by 15 percent and lost almost no customers. " +
		"She spent 1250 dollars on a new website built with Shopify, the best money I ever spent. " +
		"Revenue went from 40 thousand euros to 3.5 million euros in two years (see link). " +
		"AT and T and C sharp are mentioned as examples of brand names that are hard to read aloud. " +
		"Final tip: answer every e-mail within 24 hours, for example with templates."
	if got != want {
		t.Fatalf("CleanFor(key points)\n got %q\nwant %q", got, want)
	}
	assertSpeakable(t, got)
}

// assertSpeakable fails on anything a listener should not hear.
func assertSpeakable(t *testing.T, s string) {
	t.Helper()
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`\d{1,2}:\d{2}`),        // timestamps
		regexp.MustCompile(`[*_#\[\]` + "`" + `]`), // Markdown marks
		regexp.MustCompile(`https?://|www\.`),      // URLs
		regexp.MustCompile(`[$€£]`),                // currency signs
	} {
		if loc := bad.FindStringIndex(s); loc != nil {
			t.Errorf("%q is still in the speech text %q", s[loc[0]:loc[1]], s)
		}
	}
}

func TestCleanFor(t *testing.T) {
	tests := []struct {
		name, lang, in, want string
	}{
		// timestamps
		{"bracket mm:ss", "en", "[00:28] Intro to the topic", "Intro to the topic."},
		{"bracket h:mm:ss", "en", "At the end [1:02:03] she laughs.", "At the end she laughs."},
		{"parenthesized", "en", "The demo starts (1:02:03) with a joke.", "The demo starts with a joke."},
		{"parenthesized at", "en", "A joke (at 12:30) follows.", "A joke follows."},
		{"range", "en", "- [00:28 - 01:15] Setup", "Setup."},
		{"range en dash", "en", "- [00:28–01:15] Setup", "Setup."},
		{"bold timestamp", "en", "- **[03:07]** Results", "Results."},
		{"bare leading timestamp", "en", "00:00 Intro\n02:15 – Main idea", "Intro. Main idea."},
		{"bare bold leading timestamp", "en", "- **02:15** – Main idea", "Main idea."},
		{"chapters style", "en", "[00:00] Welcome\nThe host says hello.\n\n[04:10] The plan\nThree steps follow.",
			"Welcome. The host says hello. The plan. Three steps follow."},
		{"clock time in prose kept as words", "en", "The ratio was 3:1.", "The ratio was 3:1."},
		// Markdown
		{"heading", "en", "## Key points\nText here.", "Key points. Text here."},
		{"bold italics strike", "en", "**Bold**, *italic*, __also__, ~~gone~~ and ***both***.", "Bold, italic, also, gone and both."},
		{"link keeps text", "en", "Read [the docs](https://x.io/docs).", "Read the docs."},
		{"code ticks", "en", "Run `go test` now", "Run go test now."},
		{"fence", "en", "```\nrun it\n```", "run it."},
		{"quote", "en", "> Never give up", "Never give up."},
		{"table", "en", "| Plan | Price |\n|---|---|\n| Pro | $20 |", "Plan, Price. Pro, 20 dollars."},
		{"html", "en", "Tom &amp; Jerry<br>", "Tom and Jerry."},
		// URLs
		{"bare url", "en", "Source: https://example.com/a?b=c", "Source: link."},
		{"www url", "en", "Visit www.example.org today", "Visit link today."},
		{"email", "en", "Write to jane@example.com", "Write to email address."},
		// lists
		{"bullets", "en", "- alpha\n* beta\n+ gamma\n• delta", "alpha. beta. gamma. delta."},
		{"numbered", "en", "1. First step\n2) Second step\n10. Tenth step!", "First step. Second step. Tenth step!"},
		{"line ending with colon", "en", "Three lessons:\n- one\n- two", "Three lessons. one. two."},
		{"existing period kept", "en", "- Done.\n- Asked?", "Done. Asked?"},
		// money
		{"dollars", "en", "It costs $1,250.", "It costs 1250 dollars."},
		{"one dollar", "en", "Only $1 a day", "Only 1 dollar a day."},
		{"cents", "en", "A fee of $2.99 applies", "A fee of 2.99 dollars applies."},
		{"scale word", "en", "They raised $5 million and £2 billion", "They raised 5 million dollars and 2 billion pounds."},
		{"scale letters", "en", "$10k, $3M and $2B", "10 thousand dollars, 3 million dollars and 2 billion dollars."},
		{"euro pound yen", "en", "€5, £6 and ¥700", "5 euros, 6 pounds and 700 yen."},
		{"US$", "en", "US$ 300 each", "300 dollars each."},
		{"euro after amount", "en", "It was 40 € cheaper", "It was 40 euros cheaper."},
		{"following word not a scale", "en", "$20 tickets", "20 dollars tickets."},
		// symbols people type
		{"percent", "en", "100% sure", "100 percent sure."},
		{"C++ C# AT&T", "en", "C++, C# and AT&T", "C plus plus, C sharp and AT and T."},
		{"approx", "en", "~5 minutes", "about 5 minutes."},
		{"arrow", "en", "Input → output", "Input, output."},
		{"emoji", "en", "✅ Done 🚀", "Done."},
		{"apostrophes", "en", "We're sure it's Bob’s.", "We're sure it's Bob's."},
		{"quotes", "en", `He said "hi".`, "He said hi."},
		{"thousands", "en", "1,000,000 views", "1000000 views."},
		{"list of digits", "en", "Pick 1,2,3", "Pick 1,2,3."},
		// languages
		{"german money and percent", "de", "- [00:10] Der Preis stieg um 15% auf 1.250 €.", "Der Preis stieg um 15 Prozent auf 1.250 Euro."},
		{"german dollars and decimal comma", "de", "Er zahlte $2,5 Mio. und 1,5 €", "Er zahlte 2,5 Millionen Dollar und 1,5 Euro."},
		{"german abbreviations", "de", "z.B. A & B", "zum Beispiel A und B."},
		{"french", "fr", "Une hausse de 20% : 3 M€ ou $5 millions", "Une hausse de 20 pour cent: 3 millions de euros ou 5 millions de dollars."},
		{"spanish", "es-ES", "- Ventas: $1,250 y 10%", "Ventas: 1,250 dólares y 10 por ciento."},
		{"portuguese region", "pt-BR", "Custa €3 & mais", "Custa 3 euros e mais."},
		{"same means english", "same", "50%", "50 percent."},
		{"japanese keeps symbols", "ja", "- [00:12] 売上は50%増加 https://example.com", "売上は50%増加."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CleanFor(tt.in, tt.lang); got != tt.want {
				t.Errorf("CleanFor(%q, %q)\n got %q\nwant %q", tt.in, tt.lang, got, tt.want)
			}
		})
	}
}

func TestCleanForNeverLeavesMarks(t *testing.T) {
	for _, lang := range []string{"en", "de", "fr", "es", "it", "pt"} {
		got := CleanFor(keyPointsSummary, lang)
		assertSpeakable(t, got)
		if strings.Contains(got, "  ") {
			t.Errorf("%s: double space in %q", lang, got)
		}
	}
}
