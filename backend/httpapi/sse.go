package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"ytsum/backend/events"
	"ytsum/backend/ytsum"
)

// sseWriteTimeout bounds one SSE write; a client that cannot take a message
// in this time is dropped (it reconnects and gets the current state).
const sseWriteTimeout = 10 * time.Second

// appendEvent appends ev to dst framed by events.FormatSSE — the one SSE
// encoder, whose golden test proves its data: payload is the Wails payload.
func appendEvent(dst []byte, ev ytsum.Event) []byte {
	b := bytes.NewBuffer(dst)
	events.FormatSSE(b, ev) // writing to a bytes.Buffer cannot fail
	return b.Bytes()
}

// appendHeartbeat appends the heartbeat message for t, with the id of the
// last message sent so a reconnect after it resumes from there.
func appendHeartbeat(dst []byte, lastID uint64, t time.Time) []byte {
	return appendEvent(dst, ytsum.Event{Seq: lastID, Data: events.HeartbeatJSON(t)})
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

// mailbox coalesces a job's events for one slow client: only the latest
// job state is kept, and summary deltas of the same video are joined, so a
// client that falls behind gets the latest state, never a backlog.
type mailbox struct {
	mu     sync.Mutex
	job    *ytsum.Event
	deltas []pendingDelta
	closed bool // the broker closed the subscription
	signal chan struct{}
}

type pendingDelta struct {
	seq    uint64
	data   []byte // the original payload while not merged
	delta  ytsum.SummaryDelta
	merged bool
}

func newMailbox() *mailbox { return &mailbox{signal: make(chan struct{}, 1)} }

func (m *mailbox) notify() {
	select {
	case m.signal <- struct{}{}:
	default:
	}
}

func (m *mailbox) put(e ytsum.Event) {
	m.mu.Lock()
	switch e.Type {
	case ytsum.EventJob:
		ev := e
		m.job = &ev
	case ytsum.EventSummaryDelta:
		var d ytsum.SummaryDelta
		if err := json.Unmarshal(e.Data, &d); err != nil {
			m.mu.Unlock()
			return
		}
		if n := len(m.deltas); n > 0 && m.deltas[n-1].delta.VideoID == d.VideoID && m.deltas[n-1].delta.JobID == d.JobID {
			last := &m.deltas[n-1]
			last.delta.Delta += d.Delta
			last.seq, last.merged, last.data = e.Seq, true, nil
		} else {
			m.deltas = append(m.deltas, pendingDelta{seq: e.Seq, data: e.Data, delta: d})
		}
	default:
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	m.notify()
}

func (m *mailbox) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.notify()
}

// take empties the mailbox.
func (m *mailbox) take() (deltas []pendingDelta, job *ytsum.Event, closed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	deltas, job, closed = m.deltas, m.job, m.closed
	m.deltas, m.job = nil, nil
	return
}

// handleStream is GET /jobs/{id}/stream (API.md §6).
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
	// before subscribing: every event the stream then sends is newer. A
	// client's Last-Event-ID is echoed only when the broker cannot say.
	lastID, _ := strconv.ParseUint(r.Header.Get("Last-Event-ID"), 10, 64)
	if sq, ok := s.svc.Events.(interface{ Seq() uint64 }); ok {
		lastID = sq.Seq()
	}
	events, cancel := s.svc.Events.Subscribe(id)
	defer cancel()

	// The snapshot: get the job, then drop the events that arrived
	// meanwhile (they are not newer than it); if any did, get it again.
	var snap []byte
	closed := false
	for tries := 0; ; tries++ {
		job, err := s.svc.Jobs.Get(r.Context(), id)
		if err != nil {
			s.writeError(w, r, asNotFound(err, "Job not found"))
			return
		}
		snap = ytsum.JobJSON(job)
		drained := false
	drain:
		for {
			select {
			case e, ok := <-events:
				if !ok {
					closed = true
					break drain
				}
				if e.Type == ytsum.EventJob {
					drained = true
					lastID = e.Seq
				}
			default:
				break drain
			}
		}
		if !drained || closed || tries >= 8 {
			break
		}
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
	if !s.sseWrite(w, rc, buf) || jobStatus(snap).Terminal() || closed {
		return
	}

	mb := newMailbox()
	stop := make(chan struct{})
	pumpDone := make(chan struct{})
	defer func() { close(stop); cancel(); <-pumpDone }()
	go func() {
		defer close(pumpDone)
		for {
			select {
			case e, ok := <-events:
				if !ok {
					mb.close()
					return
				}
				mb.put(e)
			case <-stop:
				return
			}
		}
	}()

	tick := time.NewTicker(s.cfg.heartbeat())
	defer tick.Stop()
	ctx := r.Context()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case now := <-tick.C:
			buf = appendHeartbeat(buf[:0], lastID, now)
			if !s.sseWrite(w, rc, buf) {
				return
			}
		case <-mb.signal:
			deltas, job, closed := mb.take()
			buf = buf[:0]
			for _, d := range deltas {
				data := d.data
				if d.merged {
					data, _ = json.Marshal(d.delta)
				}
				buf = appendEvent(buf, ytsum.Event{Seq: d.seq, Type: ytsum.EventSummaryDelta, Data: data})
				lastID = max(lastID, d.seq)
			}
			terminal := false
			if job != nil {
				buf = appendEvent(buf, ytsum.Event{Seq: job.Seq, Type: ytsum.EventJob, Data: job.Data})
				lastID = max(lastID, job.Seq)
				terminal = jobStatus(job.Data).Terminal()
			}
			if len(buf) > 0 && !s.sseWrite(w, rc, buf) {
				return
			}
			if terminal || closed {
				return
			}
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
