package ytsum

import (
	"encoding/json"
	"time"
)

// JobStatus is the state of a job. Completed, failed and cancelled are
// terminal: once reached, a job never changes again.
type JobStatus string

// The job states of API.md §3.
const (
	JobPending   JobStatus = "pending"
	JobRunning   JobStatus = "running"
	JobCompleted JobStatus = "completed"
	JobFailed    JobStatus = "failed"
	JobCancelled JobStatus = "cancelled"
)

// JobStatuses lists every job state, in the order of a job's life. It is
// the one list of status names; the API's checks and messages use it.
var JobStatuses = []JobStatus{JobPending, JobRunning, JobCompleted, JobFailed, JobCancelled}

// Valid reports whether s is one of JobStatuses.
func (s JobStatus) Valid() bool {
	for _, v := range JobStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// JobStatusList is the status names as a sentence fragment:
// "pending, running, completed, failed or cancelled".
func JobStatusList() string {
	var b []byte
	for i, v := range JobStatuses {
		switch {
		case i == len(JobStatuses)-1:
			b = append(b, " or "...)
		case i > 0:
			b = append(b, ", "...)
		}
		b = append(b, v...)
	}
	return string(b)
}

// Terminal reports whether s is a final state.
func (s JobStatus) Terminal() bool {
	return s == JobCompleted || s == JobFailed || s == JobCancelled
}

// JobTypeSummarize is the only job type today.
const JobTypeSummarize = "summarize"

// JobMetadata is what the job was asked to do.
type JobMetadata struct {
	URLs  []string `json:"urls"`
	Model string   `json:"model"`
	// The remaining options of the request; empty means the default.
	Style    string `json:"style,omitempty"`
	Length   string `json:"length,omitempty"`
	Language string `json:"language,omitempty"`
	// PreferPlaylist summarizes the whole playlist of a link that carries both
	// a video and a playlist (default: the video).
	PreferPlaylist bool `json:"prefer_playlist,omitempty"`
	Regenerate     bool `json:"regenerate,omitempty"`
	// Ask is the question of an ask job (Type JobTypeAsk); nil otherwise.
	Ask *AskRequest `json:"ask,omitempty"`
	// Limit is how many of a channel link's newest uploads are summarized
	// (the request's "limit"); 0: the channel_video_limit setting.
	Limit int `json:"limit,omitempty"`
}

// Job is a unit of work the engine persists and runs. Its JSON (API.md §3)
// is produced by JobJSON alone, for every transport; the tags name the same
// members so generated models (Wails) describe it truly.
type Job struct {
	ID          string      `json:"id"`
	Type        string      `json:"type"`
	Status      JobStatus   `json:"status"`
	CreatedAt   time.Time   `json:"created_at"`
	StartedAt   *time.Time  `json:"started_at"`
	CompletedAt *time.Time  `json:"completed_at"`
	Progress    int         `json:"progress"`
	TotalItems  int         `json:"total_items"`
	CurrentItem string      `json:"current_item"`
	Results     []Result    `json:"results"`
	Error       *string     `json:"error"`
	Metadata    JobMetadata `json:"metadata"`
}

// jobJSON is the wire shape of a job, in the contract's field order.
type jobJSON struct {
	ID          string     `json:"id"`
	Type        string     `json:"type"`
	Status      JobStatus  `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at"`
	CompletedAt *time.Time `json:"completed_at"`
	Progress    int        `json:"progress"`
	TotalItems  int        `json:"total_items"`
	CurrentItem *string    `json:"current_item"`
	Results     []Result   `json:"results"`
	// ResultsCount is set in the delta form only (JobDeltaJSON), where
	// Results is null.
	ResultsCount *int        `json:"results_count,omitempty"`
	Error        *string     `json:"error"`
	Metadata     JobMetadata `json:"metadata"`
}

// JobJSON is the one function that encodes a job for every transport
// (HTTP, SSE, Wails events): the same job gives the same bytes everywhere.
func JobJSON(j *Job) []byte {
	results := j.Results
	if results == nil {
		results = []Result{}
	}
	return encodeJob(j, results, nil)
}

// JobDeltaJSON is the job JSON of the stream's ?results=delta mode and of
// the window's job events (API.md §3, §6, §7): "results" is null and
// "results_count", right after it, is n, the number of result items (the
// items travel as EventItem events). j.Results is not read, so a caller
// that knows n need not build them.
func JobDeltaJSON(j *Job, n int) []byte {
	return encodeJob(j, nil, &n)
}

func encodeJob(j *Job, results []Result, count *int) []byte {
	w := jobJSON{ID: j.ID, Type: j.Type, Status: j.Status, CreatedAt: j.CreatedAt.UTC(),
		StartedAt: utcPtr(j.StartedAt), CompletedAt: utcPtr(j.CompletedAt), Progress: j.Progress,
		TotalItems: j.TotalItems, Results: results, ResultsCount: count, Error: j.Error, Metadata: j.Metadata}
	if j.CurrentItem != "" {
		c := j.CurrentItem
		w.CurrentItem = &c
	}
	if w.Metadata.URLs == nil {
		w.Metadata.URLs = []string{}
	}
	b, err := json.Marshal(w)
	if err != nil {
		// Every field is a plain value or a Result, whose encoder fails only
		// for an unknown Type: a programming error.
		panic("ytsum: encoding job: " + err.Error())
	}
	return b
}

// MarshalJSON encodes j with JobJSON.
func (j *Job) MarshalJSON() ([]byte, error) { return JobJSON(j), nil }

// UnmarshalJSON decodes what JobJSON wrote.
func (j *Job) UnmarshalJSON(b []byte) error {
	var w jobJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*j = Job{ID: w.ID, Type: w.Type, Status: w.Status, CreatedAt: w.CreatedAt, StartedAt: w.StartedAt,
		CompletedAt: w.CompletedAt, Progress: w.Progress, TotalItems: w.TotalItems, Results: w.Results,
		Error: w.Error, Metadata: w.Metadata}
	if w.CurrentItem != nil {
		j.CurrentItem = *w.CurrentItem
	}
	return nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Event types carried by the broker (API.md §6, §7).
const (
	EventJob          = "job"           // Data is JobDeltaJSON of the changed job
	EventItem         = "item"          // Data is ItemChange JSON
	EventSummaryDelta = "summary_delta" // Data is SummaryDelta JSON
)

// ItemChange is the payload of an item event (API.md §6 ?results=delta,
// §7): a result item added to a job's results. LinkIndex is the item's
// position in the job's results once it is added; VideoIndex, set for a
// video inside a playlist or channel item, is its position in that item's
// summaries (Item is then a video item without "type"). A client applies
// item events in order by inserting Item at that position; an item at that
// position that is the same item (a repeat) is replaced instead.
type ItemChange struct {
	JobID      string `json:"job_id"`
	LinkIndex  int    `json:"link_index"`
	VideoIndex *int   `json:"video_index"`
	Item       Result `json:"item"`
}

// Event is one message of the event broker. Seq increases monotonically
// across all events of one broker. Data is the exact JSON payload sent to
// every transport.
type Event struct {
	Seq   uint64
	Type  string
	JobID string
	Data  json.RawMessage
}

// SummaryDelta is the payload of a summary_delta event: the new text only.
type SummaryDelta struct {
	JobID   string `json:"job_id"`
	VideoID string `json:"video_id"`
	Delta   string `json:"delta"`
}
