package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"ytsum/backend/ytsum"
)

// formatSSE writes ev as one Server-Sent Events message (API.md §6) — the
// one SSE encoder:
//
//	id: <ev.Seq>
//	event: <ev.Type>      (left out for ytsum.EventJob, so onmessage sees it)
//	data: <ev.Data>
//	<blank line>
//
// Data is written byte for byte; should it ever hold a line break, each line
// becomes its own "data:" line, which a client joins back with "\n". An
// event without Data gets "data: null". The write is one call to w.Write;
// its error is returned.
func formatSSE(w io.Writer, ev ytsum.Event) error {
	var b bytes.Buffer
	b.Grow(len(ev.Data) + 48)
	b.WriteString("id: ")
	b.WriteString(strconv.FormatUint(ev.Seq, 10))
	b.WriteByte('\n')
	if ev.Type != ytsum.EventJob && ev.Type != "" {
		b.WriteString("event: ")
		b.WriteString(oneLine(ev.Type))
		b.WriteByte('\n')
	}
	data := []byte(ev.Data)
	if len(data) == 0 {
		data = []byte("null")
	}
	writeData(&b, data)
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// heartbeatJSON returns the heartbeat payload for t:
// {"type":"heartbeat","timestamp":<unix seconds>}.
func heartbeatJSON(t time.Time) []byte {
	b, _ := json.Marshal(struct {
		Type      string `json:"type"`
		Timestamp int64  `json:"timestamp"`
	}{"heartbeat", t.Unix()})
	return b
}

// writeData writes data as "data:" lines, splitting at CR, LF and CRLF.
func writeData(b *bytes.Buffer, data []byte) {
	for {
		i := bytes.IndexAny(data, "\r\n")
		b.WriteString("data: ")
		if i < 0 {
			b.Write(data)
			b.WriteByte('\n')
			return
		}
		b.Write(data[:i])
		b.WriteByte('\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
}

func oneLine(s string) string {
	if i := bytes.IndexAny([]byte(s), "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}
