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
// (the broker coalesces a slow client's job states, latest wins) and a
// heartbeat when nothing happened for a while.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.sseEnabled() || s.svc.Events == nil || s.svc.Jobs == nil {
		writeStatusError(w, http.StatusNotFound, ytsum.CodeNotFound,
			"Live updates are turned off; poll GET /jobs/{id} instead.")
		return
	}
	id := r.PathValue("id")
	// A reconnect (Last-Event-ID or not) gets the current state at once.
	// The snapshot is at least as new as every event published before the
	// subscription, so it carries the broker's sequence number read just
	// before subscribing: every event the stream then sends is newer.
	lastID := s.svc.Events.Seq()
	sub := s.svc.Events.Subscribe(events.Filter{JobID: id})
	defer sub.Close()
	snap, lastID, err := s.snapshot(r, id, sub, lastID)
	if err != nil {
		s.writeError(w, r, asNotFound(err, "Job not found"))
		return
	}

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
	if !s.sseWrite(w, rc, buf) || jobStatus(snap).Terminal() {
		return
	}

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
		for ev, ok := sub.TryNext(); ok; ev, ok = sub.TryNext() {
			buf = appendEvent(buf, ev)
			lastID = max(lastID, ev.Seq)
			if ev.Type == ytsum.EventJob && jobStatus(ev.Data).Terminal() {
				terminal = true
				break
			}
		}
		if len(buf) > 0 && !s.sseWrite(w, rc, buf) {
			return
		}
		if terminal || sub.Err() != nil && sub.Len() == 0 {
			return // done, or dropped by the broker: the client reconnects
		}
	}
}

// snapshot returns the job's current state and the id it goes out with:
// it gets the job, then drops the job events that arrived meanwhile (they
// are not newer than it); if any did, it gets the job again.
func (s *Server) snapshot(r *http.Request, id string, sub *events.Subscription, lastID uint64) ([]byte, uint64, error) {
	for tries := 0; ; tries++ {
		job, err := s.svc.Jobs.Get(r.Context(), id)
		if err != nil {
			return nil, 0, err
		}
		snap := ytsum.JobJSON(job)
		drained := false
		for ev, ok := sub.TryNext(); ok; ev, ok = sub.TryNext() {
			if ev.Type == ytsum.EventJob {
				drained, lastID = true, ev.Seq
			}
		}
		if !drained || sub.Err() != nil || tries >= 8 {
			return snap, lastID, nil
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
