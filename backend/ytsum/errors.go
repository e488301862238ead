package ytsum

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for every front door. One table (HTTPStatus) maps
// codes to HTTP statuses; the UI shows Error.Message.
type Code string

// The error codes of API.md §5.
const (
	CodeInvalid      Code = "invalid"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeUnavailable  Code = "unavailable"
	CodeRateLimited  Code = "rate_limited"
	CodeUnauthorized Code = "unauthorized"
	CodeInternal     Code = "internal"
)

// HTTPStatus is the one table mapping error codes to HTTP status codes.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeInvalid:
		return 400
	case CodeUnauthorized:
		return 401
	case CodeNotFound:
		return 404
	case CodeConflict:
		return 409
	case CodeRateLimited:
		return 429
	case CodeUnavailable:
		return 503
	default:
		return 500
	}
}

// Error is the error every backend package returns across its boundary.
// Message is a sentence a user understands and can act on; it never holds a
// secret or a stack trace. Kind is a stable, finer-grained name
// (for example "transcripts_disabled") that tests and the UI can switch on.
// Err, when set, is the underlying cause and is only ever logged.
type Error struct {
	Code       Code
	Kind       string
	Message    string
	RetryAfter time.Duration // a hint for rate_limited/unavailable; zero when unknown
	Err        error
}

// Error returns the user-facing message followed by the cause, if any.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code, kind and formatted message.
func Errorf(code Code, kind, format string, args ...any) *Error {
	return &Error{Code: code, Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code, kind and message around cause.
func Wrap(cause error, code Code, kind, message string) *Error {
	return &Error{Code: code, Kind: kind, Message: message, Err: cause}
}

// ErrBusy is returned when the job queue is full (MAX_CONCURRENT_JOBS).
var ErrBusy = &Error{Code: CodeUnavailable, Kind: "busy",
	Message: "Too many jobs are running right now; try again in a few seconds.", RetryAfter: 5 * time.Second}

// ErrorCode returns the code of the first *Error in err's chain,
// CodeInternal for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorKind returns the kind of the first *Error in err's chain, or "".
func ErrorKind(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// ErrorMessage returns the user-facing sentence for err: the Message of the
// first *Error in its chain, or a generic sentence for any other error (whose
// text may hold internal detail and must not be shown).
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong inside YouTube Summarizer; the details are in the log."
}

// RetryAfter returns the retry hint of the first *Error in err's chain.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
