package ask

import (
	"fmt"
	"strings"

	"ytsum/backend/ytsum"
)

// Markdown renders conversations (those of one video, as listed by
// store.DB.Conversations) as a Markdown section for the video's export:
// a "Questions and answers" heading, then each conversation oldest first,
// each turn's question, answer and model. Every citation in an answer
// becomes a link that opens the video at that second. It returns "" when
// there is no turn at all. The output is deterministic.
func Markdown(convs []ytsum.Conversation) string {
	var b strings.Builder
	ordered := make([]ytsum.Conversation, 0, len(convs))
	for _, c := range convs {
		if len(c.Turns) > 0 {
			ordered = append(ordered, c)
		}
	}
	if len(ordered) == 0 {
		return ""
	}
	// Oldest conversation first, whatever order they were listed in.
	for i := 1; i < len(ordered); i++ {
		for j := i; j > 0 && ordered[j].CreatedAt.Before(ordered[j-1].CreatedAt); j-- {
			ordered[j], ordered[j-1] = ordered[j-1], ordered[j]
		}
	}
	b.WriteString("## Questions and answers\n")
	for _, c := range ordered {
		if len(ordered) > 1 {
			fmt.Fprintf(&b, "\n### Conversation of %s\n", c.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"))
		}
		for _, t := range c.Turns {
			fmt.Fprintf(&b, "\n**Q:** %s\n\n%s\n\n*%s · %s*\n", oneLine(t.Question), linkCitations(t.Answer, t.Citations),
				t.ModelUsed, t.AskedAt.UTC().Format("2006-01-02 15:04 UTC"))
		}
	}
	return b.String()
}

// CitationURL returns the link that opens c's video at its second.
func CitationURL(c ytsum.Citation) string {
	return fmt.Sprintf("%s&t=%ds", ytsum.WatchURL(c.VideoID), c.StartSeconds)
}

// linkCitations turns each citation mark of answer into Markdown links.
func linkCitations(answer string, cits []ytsum.Citation) string {
	byMark := map[string][]ytsum.Citation{}
	var marks []string
	for _, c := range cits {
		if c.Mark == "" {
			continue
		}
		if _, ok := byMark[c.Mark]; !ok {
			marks = append(marks, c.Mark)
		}
		byMark[c.Mark] = append(byMark[c.Mark], c)
	}
	var pairs []string
	for _, m := range marks {
		links := make([]string, len(byMark[m]))
		for i, c := range byMark[m] {
			links[i] = fmt.Sprintf("[%s](%s)", ytsum.Timestamp(float64(c.StartSeconds)), CitationURL(c))
		}
		pairs = append(pairs, m, strings.Join(links, ", "))
	}
	if len(pairs) == 0 {
		return answer
	}
	return strings.NewReplacer(pairs...).Replace(answer)
}
