package ytsum

import "time"

// JobTypeAsk is the type of a job that answers one question (API.md §5
// POST /ask); its one result is a ResultAnswer item.
const JobTypeAsk = "ask"

// ResultAnswer is the Type of a result item that holds an Answer.
const ResultAnswer = "answer"

// Ask scopes: one video (the default) or the whole library.
const (
	ScopeVideo   = "video"
	ScopeLibrary = "library"
)

// AskRequest is one question (API.md §5 POST /ask), as an ask job keeps
// it (package ask calls it Request).
type AskRequest struct {
	// VideoID is the video asked about; empty with Scope "library".
	VideoID string `json:"video_id,omitempty"`
	// Scope is ScopeVideo (the default) or ScopeLibrary.
	Scope    string `json:"scope,omitempty"`
	Question string `json:"question"`
	// Model is a model key; empty means the default model.
	Model string `json:"model,omitempty"`
	// ConversationID continues a conversation; empty starts a new one.
	ConversationID string `json:"conversation_id,omitempty"`
}

// Citation is one "[mm:ss]" of an answer, checked against the transcript
// passages the answer was written from: the video, the second it points at
// and the words said there. Mark is the citation exactly as it appears in
// the answer text (e.g. "[12:34]" or "[V2 12:34]"), so a front end can turn
// it into a link; it is not part of the contract's minimum and may be empty.
type Citation struct {
	VideoID      string `json:"video_id"`
	StartSeconds int    `json:"start_seconds"`
	Quote        string `json:"quote"`
	Mark         string `json:"mark,omitempty"`
}

// AnswerSource is one video an answer drew on. Label is how the answer's
// citations name it in a library answer ("V2"); empty for a one-video answer.
type AnswerSource struct {
	VideoID string `json:"video_id"`
	Title   string `json:"title"`
	Label   string `json:"label,omitempty"`
}

// Answer is the result item of an ask job (API.md §5): the answer to one
// question about a video (VideoID set) or the library (VideoID nil).
// Exactly one of Answer and Error is meaningful: Error is nil on success.
// Videos lists the videos the answer was written from (for a library
// answer, the ones its passages came from), in the order of their labels.
type Answer struct {
	Type           string         `json:"type"` // ResultAnswer
	VideoID        *string        `json:"video_id"`
	Question       string         `json:"question"`
	Answer         string         `json:"answer"`
	Citations      []Citation     `json:"citations"`
	ModelUsed      string         `json:"model_used"`
	Error          *string        `json:"error"`
	ErrorKind      string         `json:"error_kind,omitempty"`
	ConversationID string         `json:"conversation_id,omitempty"`
	Videos         []AnswerSource `json:"videos,omitempty"`
	// Extract is true when the answer is passages of the transcript rather
	// than written text (the offline "local" model).
	Extract bool `json:"extract,omitempty"`
}

// Turn is one question of a conversation and its answer (API.md §5
// GET /conversations).
type Turn struct {
	Question  string         `json:"question"`
	Answer    string         `json:"answer"`
	Citations []Citation     `json:"citations"`
	ModelUsed string         `json:"model_used"`
	AskedAt   time.Time      `json:"asked_at"`
	Videos    []AnswerSource `json:"videos,omitempty"`
}

// Conversation is a series of questions about one video (VideoID set) or
// the library (VideoID nil), oldest turn first.
type Conversation struct {
	ID        string    `json:"id"`
	VideoID   *string   `json:"video_id"`
	Turns     []Turn    `json:"turns"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AnswerResult returns the result item that carries a.
func AnswerResult(a Answer) Result {
	a.Type = ResultAnswer
	r := Result{Type: ResultAnswer, Answer: &a, Error: a.Error, ErrorKind: a.ErrorKind}
	if a.VideoID != nil {
		r.VideoID = *a.VideoID
	}
	return r
}
