package summarize

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"text/template"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

//go:embed prompts/*
var promptFS embed.FS

// promptRevision is bumped by hand when the prompts change in meaning.
const promptRevision = "1"

// PromptVersion identifies the prompt files this build uses: a hand-bumped
// revision plus a hash of every embedded prompt file, so any edit to a prompt
// makes a new cache key (and a new summary) without anyone remembering to bump.
var PromptVersion = func() string {
	h := sha256.New()
	names, _ := fs.Glob(promptFS, "prompts/*")
	sort.Strings(names)
	for _, n := range names {
		b, _ := promptFS.ReadFile(n)
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return promptRevision + "-" + hex.EncodeToString(h.Sum(nil))[:8]
}()

var (
	systemPrompt = mustRead("prompts/system.txt")
	templates    = template.Must(template.New("").Option("missingkey=error").ParseFS(promptFS, "prompts/*.tmpl"))
)

func mustRead(name string) string {
	b, err := promptFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(b))
}

// Styles, lengths and the "same language" marker of ytsum.SummaryOptions
// (the vocabulary lives in package ytsum; these are its short names here).
const (
	StyleAudio     = ytsum.StyleAudio
	StyleKeyPoints = ytsum.StyleKeyPoints
	StyleChapters  = ytsum.StyleChapters
	StyleDetailed  = ytsum.StyleDetailed
	StyleCustom    = ytsum.StyleCustom

	LengthShort  = ytsum.LengthShort
	LengthMedium = ytsum.LengthMedium
	LengthLong   = ytsum.LengthLong

	LanguageSame = ytsum.LanguageSame
)

// Styles lists the styles in the order the UI offers them.
var Styles = []string{StyleAudio, StyleKeyPoints, StyleChapters, StyleDetailed, StyleCustom}

// Lengths lists the lengths in the order the UI offers them.
var Lengths = []string{LengthShort, LengthMedium, LengthLong}

// promptData is what every prompt template sees. A custom template may use
// .Title, .Channel, .Duration, .Transcript, .Language, .LanguageName, .Same
// and .Length.
type promptData struct {
	Title, Channel, Duration string
	Input                    string // "transcript", "notes" or "video"
	Style, Length            string
	StyleText                string
	Language, LanguageName   string
	Same                     bool
	Transcript               string
	Part, Parts              int
	From, To                 string
	NoteWords                int
}

func newPromptData(v ytsum.Video, o ytsum.SummaryOptions) promptData {
	d := promptData{Title: v.Title, Channel: v.Channel, Style: o.Style, Length: o.Length, Language: o.Language}
	if d.Title == "" {
		d.Title = v.ID
	}
	if v.DurationSeconds > 0 {
		d.Duration = ytsum.Timestamp(float64(v.DurationSeconds))
	}
	if o.Language == LanguageSame || o.Language == "" {
		d.Same = true
	} else {
		d.LanguageName = languageName(o.Language)
	}
	return d
}

// languageName returns the English name of a BCP-47 code ("pt-BR" →
// "Brazilian Portuguese"), or the code itself when it has none.
func languageName(code string) string {
	t, err := language.Parse(code)
	if err != nil {
		return code
	}
	if n := display.English.Tags().Name(t); n != "" {
		return n
	}
	return code
}

func render(name string, d promptData) (string, error) {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, name, d); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// finalPrompt renders the prompt of the pass whose answer is the summary:
// input is "transcript" (text holds the timestamped transcript), "notes"
// (text holds the map-pass notes) or "video" (text is ignored). custom is the
// custom template, used when the style is custom.
func finalPrompt(d promptData, input, text, custom string) (string, error) {
	d.Input, d.Transcript = input, text
	if d.Style == StyleCustom {
		t, err := parseCustom(custom)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		if err := t.Execute(&b, d); err != nil {
			return "", ytsum.Wrap(err, ytsum.CodeInvalid, llm.KindInvalidOption,
				"The custom prompt template could not be used; check it in Settings.")
		}
		d.StyleText = strings.TrimSpace(b.String())
		if strings.Contains(custom, ".Transcript") {
			// The template places the transcript itself: it is the whole prompt.
			return d.StyleText, nil
		}
	} else {
		st, err := render(d.Style+".tmpl", d)
		if err != nil {
			return "", err
		}
		d.StyleText = st
	}
	return render("frame.tmpl", d)
}

// parseCustom parses a custom prompt template (text/template syntax; see
// promptData for its fields).
func parseCustom(custom string) (*template.Template, error) {
	if strings.TrimSpace(custom) == "" {
		return nil, ytsum.Errorf(ytsum.CodeInvalid, llm.KindInvalidOption,
			"The custom style needs a prompt template; write one in Settings.")
	}
	t, err := template.New("custom").Option("missingkey=error").Parse(custom)
	if err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeInvalid, llm.KindInvalidOption,
			"The custom prompt template has a syntax error; fields are written like {{.Title}} and {{.Transcript}}.")
	}
	return t, nil
}

// formatTranscript writes segments as lines "[mm:ss] text", a new line
// about every 30 seconds of video (or 600 characters).
func formatTranscript(segs []ytsum.Segment) string {
	var b strings.Builder
	lineStart, lineLen := -1.0, 0
	for _, s := range segs {
		t := strings.Join(strings.Fields(s.Text), " ")
		if t == "" {
			continue
		}
		if lineStart < 0 || s.Start-lineStart >= 30 || lineLen >= 600 {
			if lineStart >= 0 {
				b.WriteByte('\n')
			}
			b.WriteString("[" + ytsum.Timestamp(s.Start) + "] ")
			lineStart, lineLen = s.Start, 0
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(t)
		lineLen += len(t) + 1
	}
	return b.String()
}
