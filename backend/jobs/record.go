package jobs

import (
	"encoding/json"
	"fmt"
	"time"

	"ytsum/backend/ytsum"
)

// recordVersion is the version of the stored job record.
const recordVersion = 1

// Link states inside a record.
const (
	kindUnresolved = ""
	kindVideo      = "video"
	kindPlaylist   = "playlist"
	kindChannel    = "channel"
	kindError      = "error"
	kindAsk        = "ask" // the question of an ask job; Item is its answer (ask.go)
)

// record is what the engine stores for a job: the job's public fields plus
// the plan needed to resume it. The job's results are not stored twice: they
// live in Links and are rebuilt by refresh.
type record struct {
	Version       int                  `json:"v"`
	Job           *ytsum.Job           `json:"job"` // Results left empty when stored
	Options       ytsum.SummaryOptions `json:"options"`
	Mode          Mode                 `json:"mode,omitempty"`
	Interruptions int                  `json:"interruptions,omitempty"`
	Links         []linkState          `json:"links"`
}

// linkState is one submitted link and its progress.
type linkState struct {
	URL        string        `json:"url"`
	Kind       string        `json:"kind,omitempty"` // kindUnresolved until resolved
	PlaylistID string        `json:"playlist_id,omitempty"`
	ChannelID  string        `json:"channel_id,omitempty"`
	Title      string        `json:"title,omitempty"`
	Item       *ytsum.Result `json:"item,omitempty"` // error items and playlists that failed to expand
	Videos     []videoState  `json:"videos,omitempty"`
}

// videoState is one video of a link; Result is set once it finished.
type videoState struct {
	ID              string        `json:"id"`
	Title           string        `json:"title,omitempty"`
	DurationSeconds int           `json:"duration_seconds,omitempty"`
	Result          *ytsum.Result `json:"result,omitempty"`
	// Skipped marks a Result written when the job ended before the video
	// was processed (cancelled, failed); it does not count as progress.
	Skipped bool `json:"skipped,omitempty"`
}

// refresh rebuilds the job's results, total_items and progress from the
// links. Results are fresh slices every time.
func (rec *record) refresh() {
	results := make([]ytsum.Result, 0, len(rec.Links))
	total, progress := 0, 0
	for i := range rec.Links {
		l := &rec.Links[i]
		switch l.Kind {
		case kindUnresolved:
			total++ // counted as one video until it is resolved
		case kindError:
			if l.Item != nil {
				results = append(results, *l.Item)
			}
		case kindAsk:
			total++
			if l.Item != nil {
				results = append(results, *l.Item)
				progress++
			}
		case kindVideo:
			total += len(l.Videos)
			for _, v := range l.Videos {
				if v.Result != nil {
					results = append(results, *v.Result)
					if !v.Skipped {
						progress++
					}
				}
			}
		case kindPlaylist, kindChannel:
			if l.Item != nil {
				results = append(results, *l.Item)
				continue
			}
			total += len(l.Videos)
			item := ytsum.Result{Type: ytsum.ResultPlaylist, PlaylistID: l.PlaylistID, Title: l.Title,
				Summaries: make([]ytsum.Result, 0, len(l.Videos))}
			if l.Kind == kindChannel {
				item.Type, item.PlaylistID, item.ChannelID = ytsum.ResultChannel, "", l.ChannelID
			}
			for _, v := range l.Videos {
				if v.Result != nil {
					item.Summaries = append(item.Summaries, *v.Result)
					if !v.Skipped {
						progress++
					}
				}
			}
			results = append(results, item)
		}
	}
	rec.Job.Results = results
	rec.Job.TotalItems = total
	rec.Job.Progress = progress
}

// unfinished reports how many links are unresolved or have videos left.
func (rec *record) unfinished() int {
	n := 0
	for _, l := range rec.Links {
		if l.Kind == kindUnresolved || (l.Kind == kindAsk && l.Item == nil) {
			n++
			continue
		}
		for _, v := range l.Videos {
			if v.Result == nil {
				n++
			}
		}
	}
	return n
}

// finalize ends the job with status: every unfinished item gets an error
// saying why (why is nil only when nothing is unfinished).
func (rec *record) finalize(status ytsum.JobStatus, why *ytsum.Error, now time.Time) {
	for i := range rec.Links {
		l := &rec.Links[i]
		if l.Kind == kindUnresolved {
			item := ytsum.InputErrorResult(l.URL, orInternal(why))
			l.Kind, l.Item = kindError, &item
			continue
		}
		if l.Kind == kindAsk && l.Item == nil {
			item := ytsum.AnswerResult(unanswered(rec.Job.Metadata.Ask, orInternal(why)))
			l.Item = &item
			continue
		}
		for j := range l.Videos {
			v := &l.Videos[j]
			if v.Result == nil {
				res := ytsum.FailedVideoResult(ytsum.Video{ID: v.ID, Title: v.Title, DurationSeconds: v.DurationSeconds}, orInternal(why))
				v.Result, v.Skipped = &res, true
			}
		}
	}
	rec.Job.Status = status
	rec.Job.CompletedAt = &now
	rec.Job.CurrentItem = ""
	if status == ytsum.JobFailed {
		msg := ytsum.ErrorMessage(orInternal(why))
		rec.Job.Error = &msg
	}
}

func orInternal(e *ytsum.Error) error {
	if e == nil {
		return errInternal
	}
	return e
}

// encode returns the stored bytes of rec.
func (rec *record) encode() ([]byte, error) {
	j := *rec.Job
	j.Results = nil
	c := *rec
	c.Job = &j
	return json.Marshal(&c)
}

// decodeRecord reads what encode wrote and rebuilds the results.
func decodeRecord(b []byte) (*record, error) {
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("jobs: decoding record: %w", err)
	}
	if rec.Job == nil || rec.Job.ID == "" {
		return nil, fmt.Errorf("jobs: record without a job")
	}
	if rec.Version > recordVersion {
		return nil, fmt.Errorf("jobs: record version %d is newer than this app (%d)", rec.Version, recordVersion)
	}
	rec.refresh()
	return &rec, nil
}

// cloneJob returns a deep copy of j that the caller owns.
func cloneJob(j *ytsum.Job) *ytsum.Job {
	c := *j
	c.Results = make([]ytsum.Result, len(j.Results))
	for i, r := range j.Results {
		if r.Summaries != nil {
			r.Summaries = append([]ytsum.Result(nil), r.Summaries...)
		}
		c.Results[i] = r
	}
	c.Metadata.URLs = append([]string(nil), j.Metadata.URLs...)
	return &c
}
