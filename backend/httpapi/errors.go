package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"ytsum/backend/ytsum"
)

// errorBody is the JSON of every error answer: {"error","code"} plus
// "fields" for validation errors.
type errorBody struct {
	Error  string            `json:"error"`
	Code   ytsum.Code        `json:"code"`
	Fields map[string]string `json:"fields,omitempty"`
}

// fieldError is a validation error on named request fields.
type fieldError struct {
	msg    string
	fields map[string]string
}

func (e *fieldError) Error() string                  { return e.msg }
func (e *fieldError) FieldErrors() map[string]string { return e.fields }

// invalid returns a CodeInvalid error with the sentence msg and, when field
// is not empty, that field's error.
func invalid(field, msg string) error {
	e := &ytsum.Error{Code: ytsum.CodeInvalid, Kind: "invalid_request", Message: msg}
	if field == "" {
		return e
	}
	return &wrappedField{err: e, fields: map[string]string{field: msg}}
}

// wrappedField carries field errors alongside a *ytsum.Error.
type wrappedField struct {
	err    *ytsum.Error
	fields map[string]string
}

func (e *wrappedField) Error() string                  { return e.err.Error() }
func (e *wrappedField) Unwrap() error                  { return e.err }
func (e *wrappedField) FieldErrors() map[string]string { return e.fields }

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	switch v := v.(type) {
	case []byte:
		b = v
	case json.RawMessage:
		b = v
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			b = []byte(`{"error":"The answer could not be encoded.","code":"internal"}`)
			status = http.StatusInternalServerError
		} else {
			b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeStatusError answers status with code and msg; for the transport-level
// statuses (403, 405, 413, 415) that have no code of their own.
func writeStatusError(w http.ResponseWriter, status int, code ytsum.Code, msg string) {
	writeJSON(w, status, errorBody{Error: msg, Code: code})
}

// writeError answers err. Its code picks the status through the one table,
// ytsum.Code.HTTPStatus; internal errors are logged and shown generically.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeStatusError(w, http.StatusRequestEntityTooLarge, ytsum.CodeInvalid,
			"The request body is larger than "+strconv.FormatInt(mbe.Limit>>10, 10)+" KiB; send less data.")
		return
	}
	code := ytsum.ErrorCode(err)
	if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
		// The client went away; nobody reads this answer.
		code = ytsum.CodeUnavailable
	}
	status := code.HTTPStatus()
	body := errorBody{Error: ytsum.ErrorMessage(err), Code: code}
	var fe interface{ FieldErrors() map[string]string }
	if errors.As(err, &fe) {
		body.Fields = fe.FieldErrors()
	}
	if d := ytsum.RetryAfter(err); d > 0 && (status == 429 || status == 503) {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	} else if status == 503 && ytsum.ErrorKind(err) == "busy" {
		w.Header().Set("Retry-After", "5")
	}
	if status >= 500 {
		s.metrics.noteError()
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status,
			"kind", ytsum.ErrorKind(err), "err", err)
	}
	writeJSON(w, status, body)
}

// unavailable answers 503 for a service that is not wired.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, what string) {
	s.writeError(w, r, ytsum.Errorf(ytsum.CodeUnavailable, "service_unavailable",
		"%s is not available in this build or configuration.", what))
}
