package httpapi

import (
	"context"
	"net/http"
	"strings"

	"ytsum/backend/youtube"
)

// Diagnoser explains where a video's transcript comes from
// (*youtube.Client): POST /diagnose and `ytsum doctor`.
type Diagnoser interface {
	// Diagnose asks the transcript sources for the video rawURL names and
	// records every answer and track. A transcript that cannot be found is
	// not an error (Diagnosis.Chosen is nil); the error is a CodeInvalid
	// *ytsum.Error for a link that is not a video link, or the context's.
	Diagnose(ctx context.Context, rawURL string) (youtube.Diagnosis, error)
}

// DiagnoseRequest is the body of POST /diagnose.
type DiagnoseRequest struct {
	URL string `json:"url"`
}

// Diagnose is POST /diagnose (API.md §5): `ytsum doctor --json` as JSON.
// It makes the same polite, deadline-bound requests to YouTube as a
// summary's transcript does; a link that is not a video link is invalid.
func (s *Server) Diagnose(ctx context.Context, req DiagnoseRequest) (youtube.Diagnosis, error) {
	if s.svc.Diagnose == nil {
		return youtube.Diagnosis{}, unwired("The transcript diagnosis")
	}
	u := strings.TrimSpace(req.URL)
	if u == "" {
		return youtube.Diagnosis{}, invalid("url", "Paste the link of one YouTube video to check.")
	}
	return s.svc.Diagnose.Diagnose(ctx, u)
}

func (s *Server) handleDiagnose(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, s.svc.Diagnose != nil, "The transcript diagnosis", http.StatusOK, func(ctx context.Context) (any, error) {
		var body DiagnoseRequest
		if err := decodeJSON(r, &body, false); err != nil {
			return nil, err
		}
		return s.Diagnose(ctx, body)
	})
}
