package youtube

import (
	"context"
	"fmt"
	"io"
	"strings"

	"ytsum/backend/ytsum"
)

// Diagnosis explains how the transcript of one video was (or was not)
// found: every source asked, what it answered, every caption track it
// listed, and the track chosen and why. Its JSON is API.md §5 /diagnose
// (`ytsum doctor --json`).
type Diagnosis struct {
	VideoID string            `json:"video_id"`
	Sources []DiagnosisSource `json:"sources"`
	// Chosen is the track the transcript came from; nil when none was found.
	Chosen *DiagnosisChoice `json:"chosen"`
	// Err is why no transcript was found (nil when Chosen is set). Not in
	// the JSON: the sources' errors say it.
	Err error `json:"-"`
}

// DiagnosisSource is one source of caption tracks: a player client, or yt-dlp.
type DiagnosisSource struct {
	// Name is the player client ("ANDROID", "IOS"…) or "yt-dlp".
	Name string `json:"name"`
	// Status is "ok" (answered with tracks), "no_captions", "refused" (a
	// playability refusal), "failed" (HTTP or network), "not_asked" (a
	// clean track was found before) or "not_tried" (yt-dlp off or missing).
	Status string `json:"status"`
	// Error is the user-facing sentence and, after " — YouTube said: ",
	// the playability status, reason and sub-reason; null when none.
	Error *string `json:"error"`
	// Tracks are the caption tracks this source listed.
	Tracks []DiagnosisTrack `json:"tracks"`
}

// DiagnosisTrack is one caption track a source listed.
type DiagnosisTrack struct {
	Language string `json:"language"`
	// Kind is "manual", "asr" (automatic) or "translated".
	Kind string `json:"kind"`
	// Gated is true when its URL needs a proof-of-origin token.
	Gated  bool `json:"gated"`
	Chosen bool `json:"chosen"`

	key string // the merged track's key, to mark the chosen one
}

// DiagnosisChoice is the chosen track and why it was chosen.
type DiagnosisChoice struct {
	Source   string `json:"source"`
	Language string `json:"language"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Reason   string `json:"reason"`
}

// trace records the steps of one transcript fetch; a nil *trace records
// nothing (Transcript passes nil).
type trace struct {
	d *Diagnosis
}

func (t *trace) source(name string) *DiagnosisSource {
	for i := range t.d.Sources {
		if t.d.Sources[i].Name == name {
			return &t.d.Sources[i]
		}
	}
	t.d.Sources = append(t.d.Sources, DiagnosisSource{Name: name, Tracks: []DiagnosisTrack{}})
	return &t.d.Sources[len(t.d.Sources)-1]
}

func errSentence(err error) *string {
	s := ytsum.ErrorMessage(err)
	if said := youTubeSaid(err); said != "" {
		s += " — YouTube said: " + said
	}
	return &s
}

func (t *trace) answer(name string, a sourceAnswer) {
	if t == nil {
		return
	}
	s := t.source(name)
	switch {
	case a.err != nil && a.resp != nil:
		s.Status = "refused"
		s.Error = errSentence(a.err)
	case a.err != nil:
		s.Status = "failed"
		s.Error = errSentence(a.err)
	case a.resp.Captions.Renderer == nil || len(a.resp.Captions.Renderer.CaptionTracks) == 0:
		s.Status = "no_captions"
	default:
		s.Status = "ok"
	}
}

func (t *trace) notAsked(name string) {
	if t == nil {
		return
	}
	t.source(name).Status = "not_asked"
}

// seen lists every merged track under each source that listed it.
func (t *trace) seen(ts *trackSet) {
	if t == nil {
		return
	}
	for i := range t.d.Sources {
		t.d.Sources[i].Tracks = t.d.Sources[i].Tracks[:0]
	}
	for _, m := range ts.tracks {
		for _, r := range m.refs {
			s := t.source(r.source)
			s.Tracks = append(s.Tracks, DiagnosisTrack{Language: m.lang, Kind: diagKind(m.kind()), Gated: r.gated, key: m.key})
		}
	}
}

func diagKind(k string) string {
	if k == ytsum.TranscriptGenerated {
		return "asr"
	}
	return k
}

func (t *trace) chose(ch choice, ref *trackRef) {
	if t == nil {
		return
	}
	s := t.source(ref.source)
	kind := diagKind(ch.kind)
	if ch.tlang != "" {
		s.Tracks = append(s.Tracks, DiagnosisTrack{Language: ch.lang, Kind: "translated", Chosen: true})
	} else {
		for i := range s.Tracks {
			if s.Tracks[i].key == ch.track.key && !s.Tracks[i].Gated {
				s.Tracks[i].Chosen = true
				break
			}
		}
	}
	t.d.Chosen = &DiagnosisChoice{Source: ref.source, Language: ch.lang, Kind: kind, Name: ch.name, Reason: ch.why}
}

// Diagnose explains where the transcript of the video rawURL names would
// come from: it runs the same path as Transcript (player clients in order,
// merged tracks, timedtext, then yt-dlp when enabled), without the
// transcript cache, and records every step. A transcript that cannot be
// found is not an error: the Diagnosis says why (Chosen nil, Err set, the
// sources' errors). The error is a *ytsum.Error only when rawURL is not a
// video link (Code invalid) or ctx ended (Kind cancelled). Safe for
// concurrent use; it makes the same polite requests as Transcript.
func (c *Client) Diagnose(ctx context.Context, rawURL string) (Diagnosis, error) {
	l, err := Parse(rawURL, false)
	if err != nil {
		return Diagnosis{}, err
	}
	if l.VideoID == "" {
		return Diagnosis{}, invalid(KindNoVideo, "Diagnosis explains one video; paste a video link, not a playlist or channel.")
	}
	d := Diagnosis{VideoID: l.VideoID, Sources: []DiagnosisSource{}}
	tr := &trace{d: &d}
	langs := c.languages(nil)
	_, terr := c.innertubeTranscript(ctx, l.VideoID, langs, c.allowTranslation(nil), tr)
	if terr != nil && kindOf(terr) == KindCancelled {
		return d, asYtsum(ctx, terr)
	}
	if terr != nil && ytDlpHelps(terr) {
		s := tr.source("yt-dlp")
		s.Status = "not_tried"
		off, missing := "The yt-dlp fallback is turned off in Settings.", "yt-dlp is not installed (not found on PATH)."
		s.Error = &off
		if c.opts.YtDlp != nil && c.opts.YtDlp() {
			s.Error = &missing
			if bin, ok := c.ytDlpBinary(); ok {
				s.Error = nil
				t, err := c.ytDlpTranscript(ctx, bin, l.VideoID, langs)
				if err == nil {
					s = tr.source("yt-dlp")
					s.Status = "ok"
					s.Tracks = append(s.Tracks, DiagnosisTrack{Language: t.Language, Kind: diagKind(t.Kind), Chosen: true})
					d.Chosen = &DiagnosisChoice{Source: "yt-dlp", Language: t.Language, Kind: diagKind(t.Kind),
						Name: t.LanguageName, Reason: "YouTube's own endpoints gave no usable track; yt-dlp found one"}
					terr = nil
				} else {
					s = tr.source("yt-dlp")
					s.Status = "failed"
					s.Error = errSentence(err)
				}
			}
		}
	}
	if terr != nil {
		d.Err = asYtsum(ctx, terr)
		c.log.Info("youtube: diagnosis found no transcript", "video", l.VideoID, "err", terr)
	}
	return d, nil
}

// WriteText writes the diagnosis for people (`ytsum doctor`): each source
// with its answer and tracks, then the chosen track and why, or why none.
func (d Diagnosis) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Video %s\n\nSources, in the order asked:\n", d.VideoID)
	for _, s := range d.Sources {
		fmt.Fprintf(&b, "  %-12s %s\n", s.Name, s.Status)
		if s.Error != nil {
			fmt.Fprintf(&b, "               %s\n", *s.Error)
		}
		for _, t := range s.Tracks {
			var marks []string
			if t.Gated {
				marks = append(marks, "needs a PO token")
			} else {
				marks = append(marks, "clean")
			}
			if t.Chosen {
				marks = append(marks, "CHOSEN")
			}
			fmt.Fprintf(&b, "               track %-8s %-10s %s\n", t.Language, t.Kind, strings.Join(marks, ", "))
		}
	}
	b.WriteString("\n")
	if d.Chosen != nil {
		fmt.Fprintf(&b, "Chosen: %s %s track %q from %s.\nWhy: %s.\n", d.Chosen.Language, d.Chosen.Kind,
			d.Chosen.Name, d.Chosen.Source, d.Chosen.Reason)
	} else {
		b.WriteString("No transcript found.\n")
		if d.Err != nil {
			fmt.Fprintf(&b, "Why: %s\n", ytsum.ErrorMessage(d.Err))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
