package youtube

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"ytsum/backend/ytsum"
)

// ParseTimedText parses a timedtext answer in any of the formats YouTube
// serves (protocols.md §1.2), told apart by content: the classic XML
// (<transcript><text start dur>, seconds), srv1/srv2/srv3 (<timedtext> with
// <text t d> or <p t d>, milliseconds, ASR words in <s>) and json3
// ({"events":[{"tStartMs","dDurationMs","segs":[{"utf8"}]}]}). Text is
// unescaped twice (timedtext is double-escaped: I&amp;#39;m → I'm), tags
// are stripped, whitespace collapsed; empty lines are dropped. Segments keep
// start and duration in seconds. An empty body gives no segments and no
// error. It is safe for concurrent use.
func ParseTimedText(body []byte) ([]ytsum.Segment, error) {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 {
		return nil, nil
	}
	switch b[0] {
	case '{':
		return parseJSON3(b)
	case '<':
		return parseTimedXML(b)
	}
	return nil, errors.New("timedtext: neither XML nor JSON")
}

// cleanCaption unescapes (once more), strips tags (<…>) and collapses
// whitespace, in one pass.
func cleanCaption(s string, unescape bool) string {
	if unescape && strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' {
			if j := strings.IndexByte(s[i:], '>'); j > 0 {
				i += j + 1
				continue
			}
		}
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v' {
			space = b.Len() > 0
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			i += size
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

func parseTimedXML(b []byte) ([]ytsum.Segment, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var (
		segs  []ytsum.Segment
		depth int // >0 while inside a caption element
		cur   ytsum.Segment
		text  strings.Builder
		found bool // saw a <transcript> or <timedtext> root
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if found && len(segs) > 0 {
				break // keep what parsed before a damaged tail
			}
			return nil, fmt.Errorf("timedtext: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if depth > 0 {
				depth++
				if name == "br" {
					text.WriteByte(' ')
				}
				continue
			}
			switch name {
			case "transcript", "timedtext":
				found = true
			case "text", "p":
				cur = ytsum.Segment{}
				for _, a := range t.Attr {
					v := strings.TrimSpace(a.Value)
					switch a.Name.Local {
					case "start":
						cur.Start, _ = strconv.ParseFloat(v, 64)
					case "dur":
						cur.Duration, _ = strconv.ParseFloat(v, 64)
					case "t":
						ms, _ := strconv.ParseFloat(v, 64)
						cur.Start = ms / 1000
					case "d":
						ms, _ := strconv.ParseFloat(v, 64)
						cur.Duration = ms / 1000
					}
				}
				depth = 1
				text.Reset()
			}
		case xml.EndElement:
			if depth == 0 {
				continue
			}
			depth--
			if depth == 0 {
				cur.Text = cleanCaption(text.String(), true)
				if cur.Text != "" {
					segs = append(segs, cur)
				}
			}
		case xml.CharData:
			if depth > 0 {
				text.Write(t)
			}
		}
	}
	if !found {
		return nil, errors.New("timedtext: no <transcript> or <timedtext> element")
	}
	return segs, nil
}

type json3 struct {
	Events []struct {
		TStartMs    float64 `json:"tStartMs"`
		DDurationMs float64 `json:"dDurationMs"`
		Segs        []struct {
			UTF8 string `json:"utf8"`
		} `json:"segs"`
	} `json:"events"`
}

func parseJSON3(b []byte) ([]ytsum.Segment, error) {
	var j json3
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("timedtext json3: %w", err)
	}
	segs := make([]ytsum.Segment, 0, len(j.Events))
	var sb strings.Builder
	for _, e := range j.Events {
		if len(e.Segs) == 0 {
			continue // window and style events
		}
		sb.Reset()
		for _, s := range e.Segs {
			sb.WriteString(s.UTF8)
		}
		text := cleanCaption(sb.String(), false)
		if text == "" {
			continue
		}
		segs = append(segs, ytsum.Segment{Start: e.TStartMs / 1000, Duration: e.DDurationMs / 1000, Text: text})
	}
	return segs, nil
}
