package jobs

// Ask jobs (API.md §5 POST /ask): a job of type ytsum.JobTypeAsk holds one
// question (Job.Metadata.Ask) and ends with one result item, the answer
// (ytsum.AnswerResult) — also when it failed or was cancelled, where the
// answer carries the error sentence. Its text streams as summary_delta
// events (video_id empty for a question about the library). Ask jobs share
// the queue, limits, persistence, restart and cancel of summarize jobs.

import (
	"context"
	"time"

	"ytsum/backend/ytsum"
)

// Asker answers questions (*ask.Asker implements it). Both methods are
// called from many goroutines at once; errors are *ytsum.Error values whose
// Message is a sentence for the user.
type Asker interface {
	// Prepare checks a question without calling a model and returns it
	// normalised (model resolved, conversation id filled in); bad input is
	// its error and nothing is stored.
	Prepare(ctx context.Context, req ytsum.AskRequest) (ytsum.AskRequest, error)
	// Ask answers req, calling onDelta with the text as it is written, and
	// stores the turn on success. On failure the Answer still carries the
	// question and the error sentence. It returns promptly once ctx ends.
	Ask(ctx context.Context, req ytsum.AskRequest, onDelta func(delta string)) (ytsum.Answer, error)
}

var errNoAsker = ytsum.Errorf(ytsum.CodeUnavailable, "ask_unavailable",
	"Questions cannot be answered here; this app was started without the question service.")

// SubmitAsk checks req (Asker.Prepare: bad input is its error and no job is
// made), then writes a pending ask job and queues it, like Submit. The
// job's Metadata.Ask is the prepared request (its ConversationID is the
// conversation the answer goes to).
func (e *Engine) SubmitAsk(ctx context.Context, req ytsum.AskRequest) (*ytsum.Job, error) {
	_, j, err := e.submitAsk(ctx, req, ModeAsync)
	return j, err
}

// AskAndWait is SubmitAsk in the synchronous mode: it waits for the job to
// end and returns it (its one result holds the answer). If ctx ends first
// the job is cancelled and ctx's error returned.
func (e *Engine) AskAndWait(ctx context.Context, req ytsum.AskRequest) (*ytsum.Job, error) {
	r, _, err := e.submitAsk(ctx, req, ModeSync)
	if err != nil {
		return nil, err
	}
	j, err := e.wait(ctx, r)
	if err != nil && ctx.Err() != nil {
		if _, cerr := e.cancel(r.id); cerr == nil {
			return nil, ytsum.Wrap(ctx.Err(), ytsum.CodeUnavailable, "request_cancelled",
				"The request ended before the answer was written, so the question was cancelled.")
		}
		return e.get(r.id)
	}
	return j, err
}

// JobAnswer returns the answer of a finished ask job, or nil.
func JobAnswer(j *ytsum.Job) *ytsum.Answer {
	if j == nil || j.Type != ytsum.JobTypeAsk {
		return nil
	}
	for _, res := range j.Results {
		if res.Answer != nil {
			return res.Answer
		}
	}
	return nil
}

func (e *Engine) submitAsk(ctx context.Context, req ytsum.AskRequest, mode Mode) (*run, *ytsum.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, ytsum.Wrap(err, ytsum.CodeUnavailable, "request_cancelled", "The request ended before the question was submitted.")
	}
	if e.cfg.Asker == nil {
		return nil, nil, errNoAsker
	}
	req, err := e.cfg.Asker.Prepare(ctx, req)
	if err != nil {
		return nil, nil, err
	}

	if err := e.reserve(); err != nil {
		return nil, nil, err
	}

	ask := req
	rec := &record{
		Version: recordVersion,
		Job: &ytsum.Job{ID: e.cfg.NewID(), Type: ytsum.JobTypeAsk, Status: ytsum.JobPending, CreatedAt: e.now(),
			Metadata: ytsum.JobMetadata{URLs: []string{}, Model: req.Model, Ask: &ask}},
		Options: ytsum.SummaryOptions{Model: req.Model},
		Mode:    mode,
		Links:   []linkState{{Kind: kindAsk}},
	}
	rec.refresh()
	rec.markHead()
	rec.unsaved = rec.dirty
	r := &run{id: rec.Job.ID, submitted: time.Now(), rec: rec, done: make(chan struct{})}

	submitted, err := e.enqueueNew(r, mode, func() error { return e.persistLocked(r) })
	if err != nil {
		return nil, nil, ytsum.Wrap(err, ytsum.CodeUnavailable, "store_unavailable",
			"The question could not be saved; check the free disk space and try again.")
	}
	e.signal()
	return r, submitted, nil
}

// runAsk answers the question of an ask job and records the answer. A
// question stopped by the job's context stays unanswered: a cancel has
// already written its result, a shutdown leaves it to the next start.
func (e *Engine) runAsk(ctx context.Context, r *run) {
	r.mu.Lock()
	req := r.rec.Job.Metadata.Ask
	answered := len(r.rec.Links) != 1 || r.rec.Links[0].Item != nil
	r.mu.Unlock()
	if answered {
		return
	}
	var ans ytsum.Answer
	switch {
	case req == nil:
		ans = unanswered(nil, ytsum.Errorf(ytsum.CodeInternal, "internal", "This question job has no question; ask again."))
	case e.cfg.Asker == nil:
		ans = unanswered(req, errNoAsker)
	default:
		videoID := ""
		if req.Scope != ytsum.ScopeLibrary {
			videoID = req.VideoID
			e.announce(r, func(rec *record) bool { rec.Job.CurrentItem = ytsum.WatchURL(videoID); return true })
		}
		var err error
		ans, err = e.cfg.Asker.Ask(ctx, *req, func(d string) { e.publishDelta(r.id, videoID, d) })
		if err != nil && ctx.Err() != nil {
			return
		}
		if err != nil && ans.Error == nil {
			ans = unanswered(req, err)
		}
	}
	e.commit(r, func(rec *record) bool {
		l := &rec.Links[0]
		if l.Item != nil {
			return false
		}
		item := ytsum.AnswerResult(ans)
		l.Item = &item
		rec.markLink(0)
		rec.Job.CurrentItem = ""
		return true
	})
}

// unanswered is the answer item of a question that ended without an
// answer: the question and why.
func unanswered(req *ytsum.AskRequest, why error) ytsum.Answer {
	if why == nil {
		why = errInternal
	}
	if why == error(errCancelled) {
		why = ytsum.Errorf(ytsum.CodeConflict, "cancelled", "The question was cancelled before it was answered.")
	}
	a := ytsum.Answer{Type: ytsum.ResultAnswer, Citations: []ytsum.Citation{}}
	if req != nil {
		a.Question, a.ModelUsed, a.ConversationID = req.Question, req.Model, req.ConversationID
		if req.Scope != ytsum.ScopeLibrary && req.VideoID != "" {
			v := req.VideoID
			a.VideoID = &v
		}
	}
	msg := ytsum.ErrorMessage(why)
	a.Error, a.ErrorKind = &msg, ytsum.ErrorKind(why)
	return a
}
