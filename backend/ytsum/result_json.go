package ytsum

import (
	"encoding/json"
	"fmt"
	"time"
)

// videoJSON is the wire shape of a video item (API.md §4). Field order is
// the contract's; Type is omitted for the summaries inside a playlist.
type videoJSON struct {
	Type            string     `json:"type,omitempty"`
	VideoID         string     `json:"video_id"`
	Title           string     `json:"title"`
	ThumbnailURL    string     `json:"thumbnail_url"`
	Summary         *string    `json:"summary"`
	VideoURL        string     `json:"video_url"`
	Error           *string    `json:"error"`
	Channel         string     `json:"channel"`
	DurationSeconds int        `json:"duration_seconds"`
	ModelUsed       string     `json:"model_used"`
	SummarizedAt    *time.Time `json:"summarized_at"`
	Source          *string    `json:"source"` // null until the video is summarized
	ErrorKind       string     `json:"error_kind,omitempty"`
	FromVideo       bool       `json:"from_video,omitempty"`
	Note            string     `json:"note,omitempty"`
}

type playlistJSON struct {
	Type       string   `json:"type"`
	PlaylistID string   `json:"playlist_id"`
	Title      string   `json:"title"`
	Summaries  []Result `json:"summaries"`
	Error      *string  `json:"error"`
	ErrorKind  string   `json:"error_kind,omitempty"`
}

type channelJSON struct {
	Type      string   `json:"type"`
	ChannelID string   `json:"channel_id"`
	Title     string   `json:"title"`
	Summaries []Result `json:"summaries"`
	Error     *string  `json:"error"`
	ErrorKind string   `json:"error_kind,omitempty"`
}

type errorJSON struct {
	Type      string  `json:"type"`
	URL       string  `json:"url"`
	Error     *string `json:"error"`
	ErrorKind string  `json:"error_kind,omitempty"`
}

// MarshalJSON encodes r in the shape API.md §4 gives for its Type. A Result
// with an empty Type is a video inside a playlist's summaries.
func (r Result) MarshalJSON() ([]byte, error) {
	switch r.Type {
	case ResultVideo, "":
		return json.Marshal(videoJSON{Type: r.Type, VideoID: r.VideoID, Title: r.Title,
			ThumbnailURL: r.ThumbnailURL, Summary: r.Summary, VideoURL: r.VideoURL, Error: r.Error,
			Channel: r.Channel, DurationSeconds: r.DurationSeconds, ModelUsed: r.ModelUsed,
			SummarizedAt: r.SummarizedAt, Source: optional(r.Source), ErrorKind: r.ErrorKind,
			FromVideo: r.FromVideo, Note: r.Note})
	case ResultPlaylist:
		sums := make([]Result, len(r.Summaries))
		for i, s := range r.Summaries {
			s.Type = "" // "video items without type"
			sums[i] = s
		}
		return json.Marshal(playlistJSON{Type: r.Type, PlaylistID: r.PlaylistID, Title: r.Title,
			Summaries: sums, Error: r.Error, ErrorKind: r.ErrorKind})
	case ResultChannel:
		sums := make([]Result, len(r.Summaries))
		for i, s := range r.Summaries {
			s.Type = "" // "video items without type"
			sums[i] = s
		}
		return json.Marshal(channelJSON{Type: r.Type, ChannelID: r.ChannelID, Title: r.Title,
			Summaries: sums, Error: r.Error, ErrorKind: r.ErrorKind})
	case ResultAnswer:
		a := Answer{Type: ResultAnswer}
		if r.Answer != nil {
			a = *r.Answer
			a.Type = ResultAnswer
		}
		if a.Citations == nil {
			a.Citations = []Citation{}
		}
		return json.Marshal(a)
	case ResultError:
		return json.Marshal(errorJSON{Type: r.Type, URL: r.URL, Error: r.Error, ErrorKind: r.ErrorKind})
	default:
		return nil, fmt.Errorf("ytsum: unknown result type %q", r.Type)
	}
}

// UnmarshalJSON decodes any of the shapes MarshalJSON writes. Videos inside a
// playlist get Type ResultVideo back.
func (r *Result) UnmarshalJSON(b []byte) error {
	var head struct {
		Type       string `json:"type"`
		PlaylistID string `json:"playlist_id"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	switch head.Type {
	case ResultPlaylist:
		var p playlistJSON
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
		for i := range p.Summaries {
			p.Summaries[i].Type = ResultVideo
		}
		*r = Result{Type: ResultPlaylist, PlaylistID: p.PlaylistID, Title: p.Title, Summaries: p.Summaries,
			Error: p.Error, ErrorKind: p.ErrorKind}
	case ResultChannel:
		var c channelJSON
		if err := json.Unmarshal(b, &c); err != nil {
			return err
		}
		for i := range c.Summaries {
			c.Summaries[i].Type = ResultVideo
		}
		*r = Result{Type: ResultChannel, ChannelID: c.ChannelID, Title: c.Title, Summaries: c.Summaries,
			Error: c.Error, ErrorKind: c.ErrorKind}
	case ResultAnswer:
		var a Answer
		if err := json.Unmarshal(b, &a); err != nil {
			return err
		}
		*r = AnswerResult(a)
	case ResultError:
		var e errorJSON
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		*r = Result{Type: ResultError, URL: e.URL, Error: e.Error, ErrorKind: e.ErrorKind}
	case ResultVideo, "":
		var v videoJSON
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*r = Result{Type: ResultVideo, VideoID: v.VideoID, Title: v.Title, ThumbnailURL: v.ThumbnailURL,
			Summary: v.Summary, VideoURL: v.VideoURL, Error: v.Error, Channel: v.Channel,
			DurationSeconds: v.DurationSeconds, ModelUsed: v.ModelUsed, SummarizedAt: v.SummarizedAt,
			Source: deref(v.Source), ErrorKind: v.ErrorKind, FromVideo: v.FromVideo, Note: v.Note}
	default:
		return fmt.Errorf("ytsum: unknown result type %q", head.Type)
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
