package ask

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"ytsum/backend/ytsum"
)

// PromptVersion changes whenever the prompts change meaning.
const PromptVersion = "ask-1"

// History bounds: how many earlier turns a follow-up carries, and how much
// of each.
const (
	maxHistoryTurns    = 4
	maxHistoryQuestion = 500  // bytes of an earlier question
	maxHistoryAnswer   = 1200 // bytes of an earlier answer
)

// markEvery is the least number of seconds between two time marks inside
// one passage of the prompt.
const markEvery = 20

const systemVideo = `You answer questions about one YouTube video. You know only the transcript passages you are given; you have not watched the video and know nothing else about it.
- Answer only from the passages. Do not add facts, names or numbers from elsewhere.
- After each claim, put the time of the passage words it comes from, in square brackets, exactly as the passages show times: [mm:ss], or [h:mm:ss] past the first hour. Cite only times that appear in the passages.
- If the passages do not answer the question, say: "The video doesn't say." You may add, in one sentence, what the video does say that comes closest, with its time.
- Write in the language of the question. Be brief: a few sentences or a short list. No preamble.`

const systemLibrary = `You answer questions about a library of YouTube videos. You know only the passages you are given, from the transcripts and summaries of some of its videos; you know nothing else about them.
- Answer only from the passages. Do not add facts, names or numbers from elsewhere.
- After each claim, cite the video and the time it comes from, in square brackets, exactly as the passages show them: [V2 12:34] (or [V2 1:02:03] past the first hour). Cite only videos and times that appear in the passages; a summary passage has no time, so cite the transcript passage of that video that says it, or name the video.
- When several videos speak to the question, say which ones and what each says.
- If the passages do not answer the question, say: "The library doesn't say."
- Write in the language of the question. Be brief. No preamble.`

// promptVideo is one video's part of a prompt.
type promptVideo struct {
	Label    string // "V1"… in a library prompt, "" for one video
	Video    ytsum.Video
	Passages []Passage // transcript passages, in time order
	Whole    bool      // Passages are the whole transcript
	Total    int       // passages in the whole transcript
	Summary  []string  // summary passages (library prompts)
}

// promptInput is everything a prompt is made from.
type promptInput struct {
	Question string
	History  []ytsum.Turn // earlier turns, oldest first; bounded by buildPrompt
	Videos   []promptVideo
	Library  bool
}

// buildPrompt returns the system instruction and the user message for in.
// It is deterministic: the same input gives the same bytes (golden tests).
func buildPrompt(in promptInput) (system, prompt string) {
	var b strings.Builder
	if in.Library {
		system = systemLibrary
		b.WriteString("Passages from the library, grouped by video. Each transcript passage starts with its video and its time in that video; \"…\" marks a gap.\n")
	} else {
		system = systemVideo
	}
	for _, v := range in.Videos {
		writeVideo(&b, v, in.Library)
	}
	if h := boundHistory(in.History); len(h) > 0 {
		b.WriteString("\nEarlier in this conversation (for context; cite only the passages above):\n")
		for _, t := range h {
			fmt.Fprintf(&b, "Q: %s\nA: %s\n", oneLine(clip(t.Question, maxHistoryQuestion)), oneLine(clip(t.Answer, maxHistoryAnswer)))
		}
	}
	fmt.Fprintf(&b, "\nQuestion: %s\n", strings.TrimSpace(in.Question))
	return system, b.String()
}

func writeVideo(b *strings.Builder, v promptVideo, library bool) {
	b.WriteString("\n")
	if library {
		fmt.Fprintf(b, "%s: ", v.Label)
	} else {
		b.WriteString("Video: ")
	}
	title := v.Video.Title
	if title == "" {
		title = v.Video.ID
	}
	fmt.Fprintf(b, "%q", title)
	if v.Video.Channel != "" {
		fmt.Fprintf(b, " by %s", v.Video.Channel)
	}
	if v.Video.DurationSeconds > 0 {
		fmt.Fprintf(b, " (%s long)", ytsum.Timestamp(float64(v.Video.DurationSeconds)))
	}
	b.WriteString("\n")
	if !library {
		if v.Whole {
			b.WriteString("The whole transcript, with times:\n")
		} else {
			b.WriteString("The parts of the transcript that best match the question (not the whole transcript), with times; \"…\" marks a gap:\n")
		}
	}
	for _, s := range v.Summary {
		fmt.Fprintf(b, "%s summary: %s\n", v.Label, oneLine(s))
	}
	for i, p := range v.Passages {
		if i > 0 && p.Index != v.Passages[i-1].Index+1 || i == 0 && p.Index > 0 && !v.Whole {
			b.WriteString("…\n")
		}
		b.WriteString(formatPassage(p, v.Label))
		b.WriteString("\n")
	}
	if n := len(v.Passages); n > 0 && !v.Whole && v.Passages[n-1].Index < v.Total-1 {
		b.WriteString("…\n")
	}
}

// formatPassage writes p with its start time and, every markEvery seconds
// or more, the time of the caption that begins there: "[12:34] words…
// [12:58] more words". label prefixes every time in a library prompt.
func formatPassage(p Passage, label string) string {
	mark := func(t float64) string {
		if label != "" {
			return "[" + label + " " + ytsum.Timestamp(t) + "]"
		}
		return "[" + ytsum.Timestamp(t) + "]"
	}
	var b strings.Builder
	b.WriteString(mark(p.Start))
	lastMark := p.Start
	for _, s := range p.Segs {
		if s.Start-lastMark >= markEvery {
			b.WriteString(" ")
			b.WriteString(mark(s.Start))
			lastMark = s.Start
		}
		b.WriteString(" ")
		b.WriteString(oneLine(s.Text))
	}
	return b.String()
}

func boundHistory(h []ytsum.Turn) []ytsum.Turn {
	if len(h) > maxHistoryTurns {
		h = h[len(h)-maxHistoryTurns:]
	}
	return h
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip cuts s to at most n bytes at a word boundary, adding "…".
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimSpace(s[:cut]) + " …"
}
