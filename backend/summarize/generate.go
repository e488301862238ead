package summarize

import (
	"context"
	"strings"

	"ytsum/backend/summarize/llm"
)

// Generate sends one request (req.Model is a registry key, the default
// model when empty) to its provider — a cloud model, "local", or a model of
// a discovered local server — under the provider's concurrency limit and
// retries, calling onDelta (when non-nil, never concurrently) with each
// piece of the text as it streams. It is what package ask answers questions
// with (ask.Generator). Errors are *ytsum.Error: an unknown model, a
// provider without key (unauthorized, KindKeyMissing), a stopped local
// server (KindOffline), the provider's failure; when ctx ends, KindCancelled.
func (s *Service) Generate(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
	k := s.refresh(ctx)
	m := strings.TrimSpace(req.Model)
	if m == "" {
		m = s.defaultModel(k)
	}
	if s.serverKey(m) {
		s.disc.Servers(ctx) // probes unless the last probe is under a minute old
	}
	r, err := s.lookup(k, m)
	if err != nil {
		return llm.Response{}, err
	}
	if !s.configured(k, r.Provider) {
		return llm.Response{}, keyMissing(r.Provider)
	}
	p, err := s.providerFor(r.Provider)
	if err != nil {
		return llm.Response{}, err
	}
	req.Model = r.apiModel
	resp, err := s.call(ctx, p, req, onDelta)
	if err != nil {
		if e := llm.Cancelled(ctx); e != nil {
			return resp, e
		}
		s.serverDown(r.Provider, err)
	}
	return resp, err
}
