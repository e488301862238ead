package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"time"
	"ytsum/backend/youtube"

	"ytsum/backend/ytsum"
)

// task is one video of a job: link and video index.
type task struct{ link, video int }

// execute runs one job on a worker goroutine until it is terminal, or back
// to pending when the engine stops.
func (e *Engine) execute(r *run) {
	ctx, cancel := context.WithCancelCause(e.baseCtx)
	defer cancel(nil)
	if !e.commit(r, func(rec *record) bool {
		if rec.Job.Status != ytsum.JobPending {
			return false
		}
		rec.Job.Status = ytsum.JobRunning
		if rec.Job.StartedAt == nil {
			now := e.now()
			rec.Job.StartedAt = &now
		}
		r.cancel = cancel
		return true
	}) {
		return // cancelled while queued
	}

	var failure *ytsum.Error
	func() {
		defer func() {
			if p := recover(); p != nil {
				e.log.Error("jobs: panic while running a job", "job", r.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				failure = ytsum.Errorf(ytsum.CodeInternal, "internal", "An internal error stopped this job; the details are in the log.")
			}
		}()
		e.runJob(ctx, r)
	}()

	shutdown := errors.Is(context.Cause(ctx), errShutdown)
	e.commit(r, func(rec *record) bool {
		switch {
		case failure != nil:
			rec.finalize(ytsum.JobFailed, failure, e.now())
		case shutdown && rec.unfinished() > 0:
			// Back to pending, not counted as an interruption: it resumes at
			// the next start without redoing finished videos.
			rec.Job.Status = ytsum.JobPending
			rec.Job.CurrentItem = ""
		case rec.unfinished() > 0:
			// Every link was handed out, so this can only be a bug.
			e.log.Error("jobs: job ended with unfinished items", "job", r.id, "unfinished", rec.unfinished())
			rec.finalize(ytsum.JobCompleted, errInternal, e.now())
		default:
			rec.finalize(ytsum.JobCompleted, nil, e.now())
		}
		return true
	})
}

// runJob resolves the links in order and fans their unfinished videos out
// to at most VideoParallelism goroutines.
func (e *Engine) runJob(ctx context.Context, r *run) {
	r.mu.Lock()
	if r.rec.Job.Type == ytsum.JobTypeAsk {
		r.mu.Unlock()
		e.runAsk(ctx, r) // ask.go
		return
	}
	opts := r.rec.Options
	created := r.rec.Job.CreatedAt
	prefer := r.rec.Job.Metadata.PreferPlaylist
	limit := r.rec.Job.Metadata.Limit
	n := len(r.rec.Links)
	r.mu.Unlock()

	tasks := make(chan task)
	var wg sync.WaitGroup
	spawned := 0
	send := func(t task) bool {
		if spawned < e.cfg.VideoParallelism {
			spawned++
			wg.Go(func() {
				for t := range tasks {
					e.runVideo(ctx, r, opts, created, t)
				}
			})
		}
		select {
		case tasks <- t:
			return true
		case <-ctx.Done():
			return false
		}
	}
	defer func() {
		close(tasks)
		wg.Wait()
	}()

	for i := range n {
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		l := r.rec.Links[i]
		r.mu.Unlock()
		if l.Kind == kindUnresolved {
			e.resolveLink(ctx, r, i, l.URL, prefer, limit)
		}
		r.mu.Lock()
		var pending []int
		for j, v := range r.rec.Links[i].Videos {
			if v.Result == nil {
				pending = append(pending, j)
			}
		}
		r.mu.Unlock()
		for _, j := range pending {
			if !send(task{i, j}) {
				return
			}
		}
	}
}

// resolveLink parses link i and expands it if it is a playlist or a
// channel (its newest limit uploads; 0: the setting), then records the
// outcome. A failure caused by ctx leaves the link unresolved.
func (e *Engine) resolveLink(ctx context.Context, r *run, i int, url string, prefer bool, limit int) {
	var (
		link youtube.Link
		pl   *ytsum.Playlist
		ch   *ytsum.Channel
		err  error
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				e.log.Error("jobs: panic while resolving a link", "job", r.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err = errInternal
			}
		}()
		link, err = e.yt.Resolve(ctx, url, prefer)
		if err == nil && link.Kind == youtube.Playlist {
			pl, err = e.yt.Playlist(ctx, link.PlaylistID)
			if err == nil && pl == nil {
				err = fmt.Errorf("jobs: youtube returned no playlist for %s", link.PlaylistID)
			}
		}
		if err == nil && link.Kind == youtube.Channel {
			ch, err = e.yt.Channel(ctx, url, limit)
			if err == nil && ch == nil {
				err = fmt.Errorf("jobs: youtube returned no channel for %s", url)
			}
		}
	}()
	if err != nil && ctx.Err() != nil {
		return
	}
	e.commit(r, func(rec *record) bool {
		l := &rec.Links[i]
		if l.Kind != kindUnresolved {
			return false
		}
		rec.markLink(i)
		switch {
		case err != nil && link.Kind == youtube.Playlist:
			msg := ytsum.ErrorMessage(err)
			l.Kind, l.PlaylistID = kindPlaylist, link.PlaylistID
			l.Item = &ytsum.Result{Type: ytsum.ResultPlaylist, PlaylistID: link.PlaylistID, Summaries: []ytsum.Result{},
				Error: &msg, ErrorKind: ytsum.ErrorKind(err)}
		case err != nil && link.Kind == youtube.Channel:
			msg := ytsum.ErrorMessage(err)
			l.Kind, l.ChannelID = kindChannel, link.ChannelID
			l.Item = &ytsum.Result{Type: ytsum.ResultChannel, ChannelID: link.ChannelID, Summaries: []ytsum.Result{},
				Error: &msg, ErrorKind: ytsum.ErrorKind(err)}
		case err != nil:
			item := ytsum.InputErrorResult(url, err)
			l.Kind, l.Item = kindError, &item
		case link.Kind == youtube.Video:
			l.Kind = kindVideo
			l.Videos = []videoState{{ID: link.VideoID}}
		case link.Kind == youtube.Playlist:
			l.Kind, l.PlaylistID, l.Title = kindPlaylist, pl.ID, pl.Title
			if l.PlaylistID == "" {
				l.PlaylistID = link.PlaylistID
			}
			l.Videos = entryStates(pl.Entries)
		case link.Kind == youtube.Channel:
			l.Kind, l.ChannelID, l.Title = kindChannel, ch.ID, ch.Title
			if l.ChannelID == "" {
				l.ChannelID = link.ChannelID
			}
			l.Videos = entryStates(ch.Entries)
		default:
			item := ytsum.InputErrorResult(url, ytsum.Errorf(ytsum.CodeInvalid, "unsupported_link",
				"This link is not a YouTube video, playlist or channel."))
			l.Kind, l.Item = kindError, &item
		}
		return true
	})
}

// entryStates are the videos of a playlist's or channel's entries; an
// entry YouTube marked unavailable is finished at once with its error.
func entryStates(entries []ytsum.PlaylistEntry) []videoState {
	out := make([]videoState, len(entries))
	for j, en := range entries {
		v := videoState{ID: en.VideoID, Title: en.Title, DurationSeconds: en.DurationSeconds}
		if en.Error != "" {
			kind := en.ErrorKind
			if kind == "" {
				kind = "video_unavailable"
			}
			res := ytsum.FailedVideoResult(ytsum.Video{ID: en.VideoID, Title: en.Title, DurationSeconds: en.DurationSeconds},
				ytsum.Errorf(ytsum.CodeNotFound, kind, "%s", en.Error))
			v.Result = &res
		}
		out[j] = v
	}
	return out
}

// runVideo processes one video and records its result. A video stopped by
// the job's context (cancel, shutdown) stays unfinished.
func (e *Engine) runVideo(ctx context.Context, r *run, opts ytsum.SummaryOptions, created time.Time, t task) {
	r.mu.Lock()
	vs := r.rec.Links[t.link].Videos[t.video]
	r.mu.Unlock()
	if vs.Result != nil || ctx.Err() != nil {
		return
	}
	url := ytsum.WatchURL(vs.ID)
	e.announce(r, func(rec *record) bool {
		r.inflight = append(r.inflight, url)
		rec.Job.CurrentItem = url
		return true
	})
	defer func() {
		r.mu.Lock()
		if i := slices.Index(r.inflight, url); i >= 0 {
			r.inflight = slices.Delete(r.inflight, i, i+1)
		}
		r.mu.Unlock()
	}()
	var pic picture
	defer pic.wait() // no download outlives its video
	res, ref, made, ok := e.summarizeVideo(ctx, r.id, opts, created, vs, &pic)
	if made == nil {
		pic.stop() // no summary to show it
	}
	if !ok {
		return
	}
	if made != nil {
		// A picture still downloading is recorded after the result is out:
		// it never delays the progress event, and a cancel stops it.
		// (Usually Save found it on disk already.)
		defer func() {
			pic.wait()
			e.summaries.RecordThumbnail(made)
		}()
	}
	e.commit(r, func(rec *record) bool {
		if rec.Links[t.link].Videos[t.video].Result != nil {
			return false
		}
		rec.setVideo(t.link, t.video, res, ref, false)
		// current_item: the latest video still in flight.
		if i := slices.Index(r.inflight, url); i >= 0 {
			r.inflight = slices.Delete(r.inflight, i, i+1)
		}
		rec.Job.CurrentItem = ""
		if n := len(r.inflight); n > 0 {
			rec.Job.CurrentItem = r.inflight[n-1]
		}
		return true
	})
}

// summarizeVideo returns the result of one video: from the summary cache
// when a summary with the same cache key is saved (a resumed job finds its
// own earlier work there), else by fetching and summarizing. ok is false
// when the job's context stopped the work; made is the summary saved by this
// call (nil when it came from the cache or failed); ref names the saved
// summary res shows (nil for a failure). A panic fails this video only.
func (e *Engine) summarizeVideo(ctx context.Context, jobID string, opts ytsum.SummaryOptions, created time.Time, vs videoState, pic *picture) (res ytsum.Result, ref *summaryRef, made *ytsum.Summary, ok bool) {
	v := ytsum.Video{ID: vs.ID, Title: vs.Title, DurationSeconds: vs.DurationSeconds}
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("jobs: panic while summarizing", "job", jobID, "video", vs.ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			res, ref, made, ok = ytsum.FailedVideoResult(v, errPanic), nil, nil, true
		}
	}()

	key := e.sum.CacheKey(ctx, vs.ID, opts)
	s, found, err := e.summaries.Summary(vs.ID, key)
	if err != nil {
		e.log.Error("jobs: reading the summary cache", "video", vs.ID, "err", err)
	}
	// With Regenerate, only a summary this job made itself counts.
	if found && s != nil && (!opts.Regenerate || !s.CreatedAt.Before(created)) {
		return ytsum.VideoResult(s, ytsum.SourceCache), refOf(s, vs.ID, key, ytsum.SourceCache), nil, true
	}

	vctx, cancel := context.WithTimeout(ctx, e.cfg.VideoTimeout)
	defer cancel()
	fail := func(err error) (ytsum.Result, *summaryRef, *ytsum.Summary, bool) {
		if ctx.Err() != nil {
			return ytsum.Result{}, nil, nil, false
		}
		if vctx.Err() != nil {
			err = ytsum.Wrap(err, ytsum.CodeUnavailable, "timeout",
				"Summarizing this video took too long and was stopped; try it again later.")
		}
		return ytsum.FailedVideoResult(v, err), nil, nil, true
	}

	details, err := e.yt.Video(vctx, vs.ID)
	if err != nil {
		return fail(err)
	}
	if details.ID == "" {
		details.ID = vs.ID
	}
	if details.Title == "" {
		details.Title = vs.Title
	}
	if details.DurationSeconds == 0 {
		details.DurationSeconds = vs.DurationSeconds
	}
	v = details

	tr, terr := e.yt.Transcript(vctx, vs.ID, nil)
	if terr == nil && tr == nil {
		terr = ytsum.Errorf(ytsum.CodeNotFound, "no_transcript", "This video has no captions, so it cannot be summarized.")
	}
	if terr != nil && (ctx.Err() != nil || !e.cfg.TranscriptOptional) {
		return fail(terr)
	}

	pic.fetch(ctx, e.summaries, v) // beside the summarizer call, not after it
	start := time.Now()
	s, err = e.sum.Summarize(vctx, ytsum.SummaryInput{Video: v, Transcript: tr, Options: opts}, func(delta string) { e.publishDelta(jobID, vs.ID, delta) })
	if err == nil && s == nil {
		err = fmt.Errorf("jobs: summarizer returned no summary for %s", vs.ID)
	}
	if err != nil {
		if terr != nil {
			err = terr // the root cause a user can act on
		}
		return fail(err)
	}
	if s.ID == "" {
		s.Video = v
	}
	if s.CacheKey == "" {
		s.CacheKey = key
	}
	if s.Model == "" {
		s.Model = opts.Model
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = e.now()
	}
	if err := e.summaries.Save(ctx, s); err != nil {
		e.log.Error("jobs: saving a summary", "video", vs.ID, "err", err)
		return fail(ytsum.Wrap(err, ytsum.CodeUnavailable, "save_failed",
			"The summary was made but could not be saved; check the free disk space and try again."))
	}
	elapsed := time.Since(start)
	if s.ElapsedMS > 0 {
		elapsed = time.Duration(s.ElapsedMS) * time.Millisecond
	}
	e.recordModelTime(opts.Model, elapsed)
	return ytsum.VideoResult(s, ytsum.SourceGenerated), refOf(s, vs.ID, key, ytsum.SourceGenerated), s, true
}

// refOf is the reference to the saved summary s (of video id, looked up
// or saved under key unless s names its own).
func refOf(s *ytsum.Summary, id, key, source string) *summaryRef {
	ref := &summaryRef{VideoID: s.ID, CacheKey: s.CacheKey, Source: source}
	if ref.VideoID == "" {
		ref.VideoID = id
	}
	if ref.CacheKey == "" {
		ref.CacheKey = key
	}
	return ref
}

func (e *Engine) publishDelta(jobID, videoID, delta string) {
	if e.pub == nil || delta == "" {
		return
	}
	b, err := json.Marshal(ytsum.SummaryDelta{JobID: jobID, VideoID: videoID, Delta: delta})
	if err != nil {
		return
	}
	e.pub.Publish(ytsum.Event{Type: ytsum.EventSummaryDelta, JobID: jobID, Data: b})
}

func (e *Engine) recordModelTime(model string, d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.byModel[model]
	if a == nil {
		a = &average{}
		e.byModel[model] = a
	}
	a.add(d)
}

// picture is a video's thumbnail download, started beside its summarizer
// call so that the summary's save usually finds the picture on disk and
// records it in the same write, rather than writing the record a second
// time (which also left its pages half full).
type picture struct {
	done   chan struct{}
	cancel context.CancelFunc
}

// fetch starts the download of v's picture, stopped by ctx or cancel.
func (p *picture) fetch(ctx context.Context, s Summaries, v ytsum.Video) {
	pctx, cancel := context.WithCancel(ctx)
	p.done, p.cancel = make(chan struct{}), cancel
	go func() {
		defer close(p.done)
		defer cancel()
		s.FetchThumbnail(pctx, v)
	}()
}

// stop ends the download fetch started (if any), whatever it got.
func (p *picture) stop() {
	if p.cancel != nil {
		p.cancel()
	}
}

// wait returns once the download fetch started (if any) has ended.
func (p *picture) wait() {
	if p.done != nil {
		<-p.done
	}
}
