package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"ytsum/backend/events"
	"ytsum/backend/ytsum"
)

// sseWriteTimeout bounds one SSE write; a client that cannot take a message
// in this time is dropped (it reconnects and gets the current state).
const sseWriteTimeout = 10 * time.Second

// appendEvent appends ev to dst framed by formatSSE.
func appendEvent(dst []byte, ev ytsum.Event) []byte {
	b := bytes.NewBuffer(dst)
	formatSSE(b, ev) // writing to a bytes.Buffer cannot fail
	return b.Bytes()
}

// appendHeartbeat appends the heartbeat message for t, with the id of the
// last message sent so a reconnect after it resumes from there.
func appendHeartbeat(dst []byte, lastID uint64, t time.Time) []byte {
	return appendEvent(dst, ytsum.Event{Seq: lastID, Data: heartbeatJSON(t)})
}

// jobStatus reads the top-level status of a JobJSON document. JobJSON
// writes "id", "type", then "status", and neither id nor type can hold an
// unescaped quote, so the first `"status":"` is the job's own.
func jobStatus(data []byte) ytsum.JobStatus {
	const key = `"status":"`
	i := bytes.Index(data, []byte(key))
	if i >= 0 {
		rest := data[i+len(key):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 {
			return ytsum.JobStatus(rest[:j])
		}
	}
	var v struct {
		Status ytsum.JobStatus `json:"status"`
	}
	_ = json.Unmarshal(data, &v)
	return v.Status
}

// handleStream is GET /jobs/{id}/stream (API.md §6): the job's current
// state, then one loop writing what the client's broker subscription holds
// and a heartbeat when nothing happened for a while.
//
// The default (full) mode sends the whole job JSON at every change: the
// subscription takes job events (coalesced by the broker, latest wins) and
// summary deltas, and each job message is built from the engine's current
// job once per write, so a slow client gets the latest state, never a
// backlog. With ?results=delta the job events go out as they are (results
// null, results_count) with the job's item events between them; only the
// first message holds the whole job.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.sseEnabled() || s.svc.Events == nil || s.svc.Jobs == nil {
		writeStatusError(w, http.StatusNotFound, ytsum.CodeNotFound,
			"Live updates are turned off; poll GET /jobs/{id} instead.")
		return
	}
	id := r.PathValue("id")
	delta := r.URL.Query().Get("results") == "delta"
	filter := events.Filter{JobID: id, Types: []string{ytsum.EventJob, ytsum.EventSummaryDelta}}
	if delta {
		filter.Types = append(filter.Types, ytsum.EventItem)
	}
	// A reconnect (Last-Event-ID or not) gets the current state at once.
	// The snapshot holds every event of the job up to snapSeq; the stream
	// sends only newer ones. Its id is at least the broker's sequence
	// number read just before subscribing, so every later id is higher.
	lastID := s.svc.Events.Seq()
	sub := s.svc.Events.Subscribe(filter)
	defer sub.Close()
	job, snapSeq, err := s.svc.Jobs.Snapshot(r.Context(), id)
	if err != nil {
		s.writeError(w, r, asNotFound(err, "Job not found"))
		return
	}
	lastID = max(lastID, snapSeq)
	snap := ytsum.JobJSON(job)

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	s.streams.Add(1)
	defer s.streams.Done()
	s.metrics.sseOpened()
	defer s.metrics.sseClosed()

	buf := make([]byte, 0, len(snap)+64)
	buf = append(buf, "retry: 3000\n"...)
	buf = appendEvent(buf, ytsum.Event{Seq: lastID, Type: ytsum.EventJob, Data: snap})
	if !s.sseWrite(w, rc, buf) || job.Status.Terminal() {
		return
	}
	snap, job = nil, nil

	tick := time.NewTicker(s.cfg.heartbeat())
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case now := <-tick.C:
			buf = appendHeartbeat(buf[:0], lastID, now)
			if !s.sseWrite(w, rc, buf) {
				return
			}
			continue
		case <-sub.Ready():
		case <-sub.Done():
		}
		buf = buf[:0]
		terminal := false
		var changed uint64 // full mode: the Seq of the latest job event read
		for ev, ok := sub.TryNext(); ok; ev, ok = sub.TryNext() {
			if ev.Seq <= snapSeq {
				continue // in the first message
			}
			if ev.Type == ytsum.EventJob && !delta {
				changed = ev.Seq
				continue
			}
			buf = appendEvent(buf, ev)
			lastID = max(lastID, ev.Seq)
			if ev.Type == ytsum.EventJob && jobStatus(ev.Data).Terminal() {
				terminal = true
				break
			}
		}
		if changed != 0 {
			// The whole job as it is now: at least as new as the event.
			j, err := s.svc.Jobs.Get(r.Context(), id)
			if err != nil {
				return // gone (purged) or the request ended
			}
			// Its id: the newest event read, so ids never go back.
			lastID = max(lastID, changed)
			buf = appendEvent(buf, ytsum.Event{Seq: lastID, Type: ytsum.EventJob, Data: ytsum.JobJSON(j)})
			terminal = j.Status.Terminal()
		}
		if len(buf) > 0 && !s.sseWrite(w, rc, buf) {
			return
		}
		if terminal || sub.Err() != nil && sub.Len() == 0 {
			return // done, or dropped by the broker: the client reconnects
		}
	}
}

// sseWrite writes and flushes b within sseWriteTimeout.
func (s *Server) sseWrite(w http.ResponseWriter, rc *http.ResponseController, b []byte) bool {
	_ = rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	if _, err := w.Write(b); err != nil {
		return false
	}
	return rc.Flush() == nil
}
