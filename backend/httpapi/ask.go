package httpapi

// Questions about a video or the library (API.md §5 POST /ask, GET
// /conversations; issue 18): an ask is a job of type "ask", so progress,
// cancel, streaming (summary_delta) and persistence are the job engine's.

import (
	"context"
	"net/http"
	"time"

	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// Asking submits questions (*jobs.Engine): POST /ask.
type Asking interface {
	// SubmitAsk checks req (bad input is its error, nothing stored) and
	// queues an ask job; the job's Metadata.Ask carries the conversation id.
	SubmitAsk(ctx context.Context, req ytsum.AskRequest) (*ytsum.Job, error)
	// AskAndWait is SubmitAsk that waits for the answer (force_sync).
	AskAndWait(ctx context.Context, req ytsum.AskRequest) (*ytsum.Job, error)
}

// Conversations keeps the conversations (*store.DB): GET and DELETE
// /conversations.
type Conversations interface {
	// Conversations lists those about videoID (nil: about the library),
	// most recently continued first (limit ≤ 0: all).
	Conversations(videoID *string, limit int) ([]ytsum.Conversation, error)
	// DeleteConversation removes one; CodeNotFound when there is none.
	DeleteConversation(id string) error
}

// AskRequest is the body of POST /ask: a question about video_id, or about
// the whole library with scope "library".
type AskRequest struct {
	VideoID        string `json:"video_id"`
	Scope          string `json:"scope"`
	Question       string `json:"question"`
	Model          string `json:"model"`
	ConversationID string `json:"conversation_id"`
	ForceSync      bool   `json:"force_sync"`
}

func (r AskRequest) ask() ytsum.AskRequest {
	return ytsum.AskRequest{VideoID: r.VideoID, Scope: r.Scope, Question: r.Question, Model: r.Model, ConversationID: r.ConversationID}
}

// AskAccepted is the 202 answer of POST /ask: the job answering the
// question and the conversation it belongs to.
type AskAccepted struct {
	JobID          string `json:"job_id"`
	ConversationID string `json:"conversation_id"`
	StreamURL      string `json:"stream_url"`
	StatusURL      string `json:"status_url"`
}

// AskAnswered is the 200 answer of POST /ask with force_sync.
type AskAnswered struct {
	ConversationID string       `json:"conversation_id"`
	Answer         ytsum.Answer `json:"answer"`
}

// ConversationList is the answer of GET /conversations.
type ConversationList struct {
	Conversations []ytsum.Conversation `json:"conversations"`
}

// ConversationDeleted is the answer of DELETE /conversations/{id}.
type ConversationDeleted struct {
	Deleted string `json:"deleted"`
}

// Ask is POST /ask (async): it checks the question and queues its job.
// Bad input (empty or too long question, unknown video: not_found, no
// transcript: not_found, model without key) is the error, nothing stored.
func (s *Server) Ask(ctx context.Context, req AskRequest) (AskAccepted, error) {
	if s.svc.Ask == nil {
		return AskAccepted{}, unwired("Asking questions")
	}
	start := s.cfg.now()
	job, err := s.svc.Ask.SubmitAsk(ctx, req.ask())
	s.metrics.observe(modeAsync, s.cfg.now().Sub(start), err)
	if err != nil {
		return AskAccepted{}, err
	}
	a := AskAccepted{JobID: job.ID, StreamURL: "/jobs/" + job.ID + "/stream", StatusURL: "/jobs/" + job.ID}
	if job.Metadata.Ask != nil {
		a.ConversationID = job.Metadata.Ask.ConversationID
	}
	return a, nil
}

// AskNow is POST /ask with force_sync: it waits for the answer. A model
// that failed is the answer's error (200), as a failed video is a summarize
// job's item.
func (s *Server) AskNow(ctx context.Context, req AskRequest) (AskAnswered, error) {
	if s.svc.Ask == nil {
		return AskAnswered{}, unwired("Asking questions")
	}
	start := s.cfg.now()
	job, err := s.svc.Ask.AskAndWait(ctx, req.ask())
	s.metrics.observe(modeSync, s.cfg.now().Sub(start), err)
	if err != nil {
		return AskAnswered{}, err
	}
	ans := jobs.JobAnswer(job)
	if ans == nil {
		if err := jobs.Failure(job); err != nil {
			return AskAnswered{}, err
		}
		return AskAnswered{}, ytsum.Errorf(ytsum.CodeInternal, "internal", "The question ended without an answer; ask again.")
	}
	a := *ans
	if a.Citations == nil {
		a.Citations = []ytsum.Citation{}
	}
	return AskAnswered{ConversationID: a.ConversationID, Answer: a}, nil
}

// Conversations is GET /conversations?video_id=: the conversations about
// that video, or about the library when videoID is empty, newest first.
func (s *Server) Conversations(ctx context.Context, videoID string) (ConversationList, error) {
	if s.svc.Conversations == nil {
		return ConversationList{}, unwired("Conversations")
	}
	if err := ctx.Err(); err != nil {
		return ConversationList{}, err
	}
	var vid *string
	if videoID != "" {
		if !validVideoID(videoID) {
			return ConversationList{}, invalid("video_id", "That is not a YouTube video id.")
		}
		vid = &videoID
	}
	convs, err := s.svc.Conversations.Conversations(vid, 0)
	if err != nil {
		return ConversationList{}, err
	}
	if convs == nil {
		convs = []ytsum.Conversation{}
	}
	for i := range convs {
		if convs[i].Turns == nil {
			convs[i].Turns = []ytsum.Turn{}
		}
		for j := range convs[i].Turns {
			if convs[i].Turns[j].Citations == nil {
				convs[i].Turns[j].Citations = []ytsum.Citation{}
			}
		}
	}
	return ConversationList{Conversations: convs}, nil
}

// DeleteConversation is DELETE /conversations/{id}.
func (s *Server) DeleteConversation(ctx context.Context, id string) (ConversationDeleted, error) {
	if s.svc.Conversations == nil {
		return ConversationDeleted{}, unwired("Conversations")
	}
	if err := ctx.Err(); err != nil {
		return ConversationDeleted{}, err
	}
	if !validVideoID(id) { // the same alphabet and length as conversation ids
		return ConversationDeleted{}, invalid("id", "That is not a conversation id.")
	}
	if err := s.svc.Conversations.DeleteConversation(id); err != nil {
		return ConversationDeleted{}, asNotFound(err, "Conversation not found")
	}
	return ConversationDeleted{Deleted: id}, nil
}

func (s *Server) handleAsk(w http.ResponseWriter, r *http.Request) {
	if s.svc.Ask == nil {
		s.unavailable(w, r, "Asking questions")
		return
	}
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req AskRequest
	if err := decodeBytes(body, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !req.ForceSync {
		a, err := s.Ask(r.Context(), req)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusAccepted, a)
		return
	}
	// An answer may take a minute: no write deadline until the end.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	a, err := s.AskNow(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) handleConversations(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Conversations != nil, "Conversations", http.StatusOK, func(ctx context.Context) (any, error) {
		return s.Conversations(ctx, r.URL.Query().Get("video_id"))
	})
}

func (s *Server) handleDeleteConversation(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Conversations != nil, "Conversations", http.StatusOK, func(ctx context.Context) (any, error) {
		return s.DeleteConversation(ctx, r.PathValue("id"))
	})
}
