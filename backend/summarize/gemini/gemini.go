// Package gemini is the summarize provider for Google's Gemini API, through
// google.golang.org/genai. It streams text deltas (the SDK always asks for
// ?alt=sse), reads YouTube URLs as video input (fileData), lists models with
// models.list, and turns every failure into a *ytsum.Error with an llm Kind.
//
// A Provider is safe for concurrent use. The key and base URL are read
// through funcs on every call, so a changed setting applies at once.
package gemini

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"google.golang.org/genai"

	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

// Options configure a Provider. The zero value is usable but has no key, so
// every call fails with KindKeyMissing.
type Options struct {
	// APIKey returns the Gemini API key, read under the caller's context
	// on every call; nil or "" means none is configured.
	APIKey llm.Key
	// BaseURL returns the API base URL (e.g. YTSUM_GEMINI_URL); nil or ""
	// means the genai default (https://generativelanguage.googleapis.com/).
	BaseURL func() string
	// HTTPClient is the client to use; nil means a default client. Its
	// transport is wrapped to record Retry-After hints; its Timeout should be
	// zero (streams are long; contexts bound each call).
	HTTPClient *http.Client
}

// VideoMIMEType is the MIME type sent with a YouTube URL (fileData): a
// concrete video type, as Google's examples use (genai.NewPartFromURI(url,
// "video/mp4")), not the "video/*" wildcard.
const VideoMIMEType = "video/mp4"

// Provider calls Gemini. Create it with New.
type Provider struct {
	opts Options
	http *http.Client

	mu     sync.Mutex
	client *genai.Client
	fp     string // key+"\x00"+base of client
}

// New returns a Provider.
func New(opts Options) *Provider {
	return &Provider{opts: opts, http: llm.WrapClient(opts.HTTPClient)}
}

// Name returns llm.ProviderGoogle.
func (p *Provider) Name() string { return llm.ProviderGoogle }

// Configured reports whether a key is set (read under ctx).
func (p *Provider) Configured(ctx context.Context) bool { return llm.ReadKey(ctx, p.opts.APIKey) != "" }

func (p *Provider) clientFor(ctx context.Context) (*genai.Client, error) {
	key, base := llm.Credentials(ctx, p.opts.APIKey, p.opts.BaseURL)
	if key == "" {
		return nil, ytsum.Errorf(ytsum.CodeUnauthorized, llm.KindKeyMissing,
			"No Gemini API key is set; add one in Settings or choose another model.")
	}
	fp := key + "\x00" + base
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.client != nil && p.fp == fp {
		return p.client, nil
	}
	c, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:      key,
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  p.http,
		HTTPOptions: genai.HTTPOptions{BaseURL: base},
	})
	if err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, llm.KindProviderError,
			"The Gemini client could not be set up; check the Gemini base URL in Settings.")
	}
	p.client, p.fp = c, fp
	return c, nil
}

// Stream sends req and calls onDelta (when non-nil) with each piece of text
// as it arrives, in order, from the calling goroutine. It returns when the
// stream ends, ctx ends, or an error occurs; the error is a *ytsum.Error with
// an llm Kind and, for rate limits, a RetryAfter taken from RetryInfo or the
// Retry-After header.
func (p *Provider) Stream(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
	c, err := p.clientFor(ctx)
	if err != nil {
		return llm.Response{}, err
	}
	ctx, hint := llm.WithHint(ctx)

	var parts []*genai.Part
	if req.VideoURL != "" {
		vp := &genai.Part{FileData: &genai.FileData{FileURI: req.VideoURL, MIMEType: VideoMIMEType}}
		if req.VideoStart > 0 || req.VideoEnd > 0 {
			vp.VideoMetadata = &genai.VideoMetadata{StartOffset: req.VideoStart, EndOffset: req.VideoEnd}
		}
		parts = append(parts, vp)
	}
	parts = append(parts, &genai.Part{Text: req.Prompt})
	contents := []*genai.Content{{Role: genai.RoleUser, Parts: parts}}
	cfg := &genai.GenerateContentConfig{}
	if req.System != "" {
		cfg.SystemInstruction = &genai.Content{Parts: []*genai.Part{{Text: req.System}}}
	}
	if req.MaxOutputTokens > 0 {
		cfg.MaxOutputTokens = int32(req.MaxOutputTokens)
	}
	if req.LowResolution {
		cfg.MediaResolution = genai.MediaResolutionLow
	}

	var (
		b      strings.Builder
		resp   llm.Response
		block  string
		finish genai.FinishReason
	)
	for chunk, err := range c.Models.GenerateContentStream(ctx, req.Model, contents, cfg) {
		if err != nil {
			if e := llm.Cancelled(ctx); e != nil {
				return resp, e
			}
			return resp, classify(err, req, hint.RetryAfter())
		}
		if chunk == nil {
			continue
		}
		if chunk.ModelVersion != "" {
			resp.Model = chunk.ModelVersion
		}
		if u := chunk.UsageMetadata; u != nil {
			resp.Usage = ytsum.Usage{InputTokens: int(u.PromptTokenCount),
				OutputTokens: int(u.CandidatesTokenCount + u.ThoughtsTokenCount), TotalTokens: int(u.TotalTokenCount)}
		}
		if pf := chunk.PromptFeedback; pf != nil && pf.BlockReason != "" {
			block = string(pf.BlockReason)
		}
		if len(chunk.Candidates) == 0 || chunk.Candidates[0] == nil {
			continue
		}
		cand := chunk.Candidates[0]
		if cand.FinishReason != "" {
			finish = cand.FinishReason
		}
		if cand.Content == nil {
			continue
		}
		for _, part := range cand.Content.Parts {
			if part == nil || part.Thought || part.Text == "" {
				continue
			}
			b.WriteString(part.Text)
			if onDelta != nil {
				onDelta(part.Text)
			}
		}
	}
	if e := llm.Cancelled(ctx); e != nil {
		return resp, e
	}
	resp.Text = b.String()
	resp.FinishReason = string(finish)
	if block != "" {
		return resp, ytsum.Errorf(ytsum.CodeInvalid, llm.KindSafetyBlocked,
			"Gemini refused this video's content (blocked by its safety filters: %s); try another model.", strings.ToLower(block))
	}
	switch finish {
	case genai.FinishReasonSafety, genai.FinishReasonProhibitedContent, genai.FinishReasonBlocklist,
		genai.FinishReasonSPII, genai.FinishReasonRecitation:
		return resp, ytsum.Errorf(ytsum.CodeInvalid, llm.KindSafetyBlocked,
			"Gemini stopped the summary because of its safety filters (%s); try another model.", strings.ToLower(string(finish)))
	}
	if strings.TrimSpace(resp.Text) == "" {
		msg := "Gemini returned an empty answer; try again or choose another model."
		if finish == genai.FinishReasonMaxTokens {
			msg = "Gemini used its whole output budget without answering (often spent on thinking); try again or choose another model."
		}
		return resp, ytsum.Errorf(ytsum.CodeUnavailable, llm.KindEmptyAnswer, "%s", msg)
	}
	return resp, nil
}

// ListModels returns the models that can generate content, from models.list
// (all pages). Embedding, speech, image and live models are left out.
func (p *Provider) ListModels(ctx context.Context) ([]llm.ModelInfo, error) {
	c, err := p.clientFor(ctx)
	if err != nil {
		return nil, err
	}
	ctx, hint := llm.WithHint(ctx)
	var out []llm.ModelInfo
	for m, err := range c.Models.All(ctx) {
		if err != nil {
			if e := llm.Cancelled(ctx); e != nil {
				return nil, e
			}
			return nil, classify(err, llm.Request{}, hint.RetryAfter())
		}
		id := strings.TrimPrefix(m.Name, "models/")
		if !usable(id, m.SupportedActions) {
			continue
		}
		name := m.DisplayName
		if name == "" {
			name = id
		}
		out = append(out, llm.ModelInfo{ID: id, DisplayName: name, InputTokens: int(m.InputTokenLimit),
			OutputTokens: int(m.OutputTokenLimit), Thinking: m.Thinking})
	}
	return out, nil
}

func usable(id string, actions []string) bool {
	if !strings.HasPrefix(id, "gemini-") {
		return false
	}
	gen := len(actions) == 0
	for _, a := range actions {
		if a == "generateContent" {
			gen = true
		}
	}
	if !gen {
		return false
	}
	for _, bad := range []string{"embedding", "tts", "image", "live", "audio", "robotics", "computer-use"} {
		if strings.Contains(id, bad) {
			return false
		}
	}
	return true
}

// classify turns an SDK error into a *ytsum.Error.
func classify(err error, req llm.Request, hinted time.Duration) error {
	var api genai.APIError
	if !errors.As(err, &api) {
		var pe *genai.APIError
		if errors.As(err, &pe) && pe != nil {
			api = *pe
		} else {
			if llm.Offline(err) {
				return llm.OfflineError(err, "Gemini")
			}
			return ytsum.Wrap(err, ytsum.CodeUnavailable, llm.KindProviderError,
				"Gemini failed unexpectedly; try again in a moment.")
		}
	}
	msg := strings.ToLower(api.Message)
	reason := detailString(api.Details, "reason")
	retry := hinted
	if d := retryDelay(api.Details); d > retry {
		retry = d
	}
	switch {
	case reason == "API_KEY_INVALID" || strings.Contains(msg, "api key not valid") || strings.Contains(msg, "api key expired"):
		return ytsum.Wrap(err, ytsum.CodeUnauthorized, llm.KindInvalidKey,
			"Gemini rejected the API key; check the Gemini key in Settings.")
	case api.Status == "FAILED_PRECONDITION" || strings.Contains(msg, "location is not supported"):
		return ytsum.Wrap(err, ytsum.CodeUnauthorized, llm.KindBillingRequired,
			"The Gemini API is not available for this account or country without billing; enable billing in Google AI Studio or choose another model.")
	case api.Code == 402:
		return ytsum.Wrap(err, ytsum.CodeRateLimited, llm.KindQuotaExceeded,
			"Your Gemini credits are used up; add credits or billing in Google AI Studio, or choose another model.")
	case api.Code == http.StatusTooManyRequests || api.Status == "RESOURCE_EXHAUSTED":
		e := ytsum.Wrap(err, ytsum.CodeRateLimited, llm.KindRateLimited,
			"Gemini's rate limit or quota was reached; wait a little, or check your plan and billing.")
		if retry > 0 {
			e.Message = "Gemini's rate limit or quota was reached; try again in " + llm.Seconds(retry) + ", or check your plan and billing."
		}
		e.RetryAfter = retry
		return e
	case api.Code == http.StatusNotFound:
		if req.VideoURL != "" && !strings.Contains(msg, "model") {
			return ytsum.Wrap(err, ytsum.CodeInvalid, llm.KindVideoUnavailable,
				"Gemini could not open this video; only public videos can be summarized from the video itself.")
		}
		return ytsum.Wrap(err, ytsum.CodeNotFound, llm.KindModelNotFound,
			fmt.Sprintf("Gemini does not offer the model %q (it may have been retired); choose another model in Settings.", req.Model))
	case api.Code == http.StatusUnauthorized || api.Code == http.StatusForbidden || api.Status == "PERMISSION_DENIED" || api.Status == "UNAUTHENTICATED":
		if req.VideoURL != "" && api.Code == http.StatusForbidden {
			return ytsum.Wrap(err, ytsum.CodeInvalid, llm.KindVideoUnavailable,
				"Gemini may not open this video; only public videos can be summarized from the video itself.")
		}
		return ytsum.Wrap(err, ytsum.CodeUnauthorized, llm.KindPermissionDenied,
			"The Gemini API key may not use this model; check the key's project in Google AI Studio.")
	case tooLong(msg):
		return ytsum.Wrap(err, ytsum.CodeInvalid, llm.KindContextTooLong,
			"The transcript is too long for this Gemini model.")
	case api.Code == http.StatusBadRequest && req.VideoURL != "":
		return ytsum.Wrap(err, ytsum.CodeInvalid, llm.KindVideoUnavailable,
			"Gemini could not read this video; only public videos can be summarized from the video itself.")
	case api.Code >= 500 || api.Status == "UNAVAILABLE" || api.Status == "INTERNAL" || api.Status == "DEADLINE_EXCEEDED":
		e := ytsum.Wrap(err, ytsum.CodeUnavailable, llm.KindOverloaded,
			"Gemini is overloaded or having trouble right now; try again in a minute.")
		e.RetryAfter = retry
		return e
	}
	return ytsum.Wrap(err, ytsum.CodeUnavailable, llm.KindProviderError,
		"Gemini could not make the summary; try again, or choose another model.")
}

func tooLong(msg string) bool {
	return (strings.Contains(msg, "token") && (strings.Contains(msg, "exceed") || strings.Contains(msg, "too long") || strings.Contains(msg, "maximum"))) ||
		strings.Contains(msg, "context length") || strings.Contains(msg, "input context is too long")
}

func detailString(details []map[string]any, key string) string {
	for _, d := range details {
		if s, ok := d[key].(string); ok {
			return s
		}
	}
	return ""
}

// retryDelay reads google.rpc.RetryInfo.retryDelay ("43s", "1.5s").
func retryDelay(details []map[string]any) time.Duration {
	for _, d := range details {
		t, _ := d["@type"].(string)
		if !strings.HasSuffix(t, "google.rpc.RetryInfo") {
			continue
		}
		switch v := d["retryDelay"].(type) {
		case string:
			if dur, err := time.ParseDuration(v); err == nil {
				return dur
			}
		case map[string]any: // {"seconds": 43, "nanos": 0}
			var dur time.Duration
			if s, ok := v["seconds"].(float64); ok {
				dur += time.Duration(s * float64(time.Second))
			}
			if n, ok := v["nanos"].(float64); ok {
				dur += time.Duration(n)
			}
			return dur
		}
	}
	return 0
}
