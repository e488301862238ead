package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"ytsum/backend/jobs"

	"ytsum/backend/ytsum"
)

// decodeJSON strictly decodes the request body into v: one JSON object, no
// unknown fields, no trailing data. Errors are CodeInvalid sentences (or
// *http.MaxBytesError, answered 413). An empty body decodes as {} when
// allowEmpty is set.
func decodeJSON(r *http.Request, v any, allowEmpty bool) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		return ytsum.Wrap(err, ytsum.CodeInvalid, "invalid_request", "The request body could not be read.")
	}
	if len(bytes.TrimSpace(body)) == 0 && allowEmpty {
		return nil
	}
	return decodeBytes(body, v)
}

// decodeBytes is decodeJSON on a byte slice.
func decodeBytes(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return invalid("", "The request body is empty; send a JSON object.")
	}
	if trimmed[0] != '{' {
		return invalid("", "The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalid("", "The request body must hold exactly one JSON object.")
	}
	return nil
}

// decodeError turns a json error into a sentence naming the field.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var fe *fieldError
	switch {
	case errors.As(err, &fe):
		return &wrappedField{err: &ytsum.Error{Code: ytsum.CodeInvalid, Kind: "invalid_request", Message: fe.msg}, fields: fe.fields}
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return invalid("", "The request body must be a JSON object.")
		}
		return invalid(field, fmt.Sprintf("The field %q must be %s, not %s.", field, article(te.Type.Kind().String()), te.Value))
	case errors.As(err, &se):
		return invalid("", fmt.Sprintf("The request body is not valid JSON (at byte %d).", se.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return invalid("", "The request body is cut short; send a complete JSON object.")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(name, fmt.Sprintf("The field %q is not known here; remove it.", name))
	default:
		return invalid("", "The request body is not valid JSON.")
	}
}

func article(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "int", "int64", "float64":
		return "a number"
	case "struct", "map":
		return "an object"
	default:
		return "a " + kind
	}
}

// URLList is the "urls" field: a JSON array of strings or one string with
// one link per line. Commas and spaces also separate links, as the original
// app tolerated.
type URLList []string

// UnmarshalJSON accepts an array of strings, a string, or null.
func (u *URLList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var out []string
	switch {
	case bytes.Equal(b, []byte("null")):
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return urlsTypeError()
		}
		out = appendText(out, s)
	case len(b) > 0 && b[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return urlsTypeError()
		}
		for _, it := range items {
			var s string
			if err := json.Unmarshal(it, &s); err != nil {
				return urlsTypeError()
			}
			out = appendText(out, s)
		}
	default:
		return urlsTypeError()
	}
	*u = out
	return nil
}

// appendText appends s unless it is blank; the job engine splits it into
// links (one per line), the same for every front door.
func appendText(dst []string, s string) []string {
	if strings.TrimSpace(s) == "" {
		return dst
	}
	return append(dst, s)
}

func urlsTypeError() error {
	msg := `The field "urls" must be a list of links or one string with one link per line.`
	return &fieldError{msg: msg, fields: map[string]string{"urls": msg}}
}

// decodeSummarize decodes and checks a summarize body.
func (s *Server) decodeSummarize(ctx context.Context, body []byte) (SummarizeRequest, error) {
	var req SummarizeRequest
	if err := decodeBytes(body, &req); err != nil {
		return req, err
	}
	return req, s.checkSummarize(ctx, req)
}

// metadata returns the job request of req.
func (req SummarizeRequest) request() jobs.Request {
	return jobs.Request{URLs: []string(req.URLs),
		Options: ytsum.SummaryOptions{Model: req.Model, Style: req.Style, Length: req.Length,
			Language: req.Language, Regenerate: req.Regenerate},
		PreferPlaylist: req.PreferPlaylist, ForceSync: req.ForceSync, ForceAsync: req.ForceAsync, Limit: req.Limit}
}
