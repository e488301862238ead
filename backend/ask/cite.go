package ask

import (
	"regexp"
	"strconv"
	"strings"

	"ytsum/backend/ytsum"
)

// citeSource is one video whose passages an answer was written from.
type citeSource struct {
	label    string // "V1"… in a library answer, "" for one video
	videoID  string
	passages []Passage
}

var (
	bracketRe = regexp.MustCompile(`\[([^\[\]\n]{1,80})\]`)
	timeRe    = regexp.MustCompile(`(?:\b(V\d{1,3})\s*[:·,]?\s*)?\b(\d{1,2}(?::\d{2}){1,2})\b`)
	// leftoverRe matches what may surround times inside a citation.
	leftoverRe = regexp.MustCompile(`^[\s,;&/–—\-and]*$`)
)

// parseTime reads "mm:ss" or "h:mm:ss" as seconds.
func parseTime(s string) (int, bool) {
	parts := strings.Split(s, ":")
	total := 0
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || i > 0 && (len(p) != 2 || n > 59) {
			return 0, false
		}
		total = total*60 + n
	}
	return total, true
}

// checkCitations finds the citations of answer — "[mm:ss]", "[h:mm:ss]",
// "[V2 12:34]", several in one bracket — and keeps those whose time falls
// inside a passage of the video they name (or, without a label, of the one
// video that has such a passage). A citation that no passage covers is
// dropped: removed from the returned text too, never replaced by a guess.
// Each kept citation quotes the words said from that time on. Brackets that
// are not citations (no time, or other words inside) are left alone.
// Citations are unique per video and second, in order of appearance.
func checkCitations(answer string, sources []citeSource) (string, []ytsum.Citation) {
	byLabel := map[string]*citeSource{}
	for i := range sources {
		byLabel[sources[i].label] = &sources[i]
	}
	seen := map[string]bool{}
	cits := []ytsum.Citation{}
	text := bracketRe.ReplaceAllStringFunc(answer, func(br string) string {
		inner := br[1 : len(br)-1]
		ms := timeRe.FindAllStringSubmatchIndex(inner, -1)
		if len(ms) == 0 || !leftoverRe.MatchString(timeRe.ReplaceAllString(inner, "")) {
			return br // not a citation
		}
		var kept []string
		var keptCits []ytsum.Citation
		for _, m := range ms {
			label := ""
			if m[2] >= 0 {
				label = inner[m[2]:m[3]]
			}
			t, ok := parseTime(inner[m[4]:m[5]])
			if !ok {
				continue
			}
			src, p := resolve(sources, byLabel, label, t)
			if src == nil {
				continue
			}
			kept = append(kept, strings.TrimSpace(inner[m[0]:m[1]]))
			keptCits = append(keptCits, ytsum.Citation{VideoID: src.videoID, StartSeconds: t, Quote: p.quoteAt(t)})
		}
		if len(kept) == 0 {
			return "\x00" // dropped; the space before it goes too (below)
		}
		mark := "[" + strings.Join(kept, ", ") + "]"
		for _, c := range keptCits {
			k := c.VideoID + "\x00" + strconv.Itoa(c.StartSeconds)
			if seen[k] {
				continue
			}
			seen[k] = true
			c.Mark = mark
			cits = append(cits, c)
		}
		return mark
	})
	if strings.Contains(text, "\x00") {
		text = strings.NewReplacer(" \x00", "", "\x00", "").Replace(text)
	}
	return text, cits
}

// resolve finds the source and passage that cover second t for a citation
// labelled label ("" means: the only source, or the only one covering t).
func resolve(sources []citeSource, byLabel map[string]*citeSource, label string, t int) (*citeSource, *Passage) {
	find := func(s *citeSource) *Passage {
		for i := range s.passages {
			if s.passages[i].covers(t) {
				return &s.passages[i]
			}
		}
		return nil
	}
	if label != "" || len(sources) == 1 {
		s := byLabel[label]
		if s == nil && len(sources) == 1 && label == "" {
			s = &sources[0]
		}
		if s == nil {
			return nil, nil
		}
		if p := find(s); p != nil {
			return s, p
		}
		return nil, nil
	}
	var src *citeSource
	var pas *Passage
	for i := range sources {
		if p := find(&sources[i]); p != nil {
			if src != nil {
				return nil, nil // ambiguous: never guess
			}
			src, pas = &sources[i], p
		}
	}
	return src, pas
}
