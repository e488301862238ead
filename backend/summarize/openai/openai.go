// Package openai is the summarize provider for OpenAI and OpenAI-compatible
// servers (Ollama, LM Studio, llama.cpp, OpenRouter…), through
// github.com/sashabaranov/go-openai Chat Completions with streaming. It lists
// models with GET {base}/models and turns every failure into a *ytsum.Error
// with an llm Kind.
//
// A compatible server with a custom base URL needs no key (Ollama, LM Studio):
// the Authorization header is then simply not sent.
//
// A Provider is safe for concurrent use. The key and base URL are read through
// funcs on every call, so a changed setting applies at once.
package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

// DefaultBaseURL is OpenAI's own API.
const DefaultBaseURL = "https://api.openai.com/v1"

// Options configure a Provider. The zero value talks to OpenAI without a key,
// so every call fails with KindKeyMissing until a key or a custom base URL is set.
type Options struct {
	// APIKey returns the API key, read under the caller's context on every
	// call; nil or "" means none.
	APIKey llm.Key
	// BaseURL returns the base URL including /v1 (YTSUM_OPENAI_URL or the
	// user's setting); nil or "" means DefaultBaseURL.
	BaseURL func() string
	// HTTPClient is the client to use; nil means a default client. Its
	// transport is wrapped to record Retry-After hints; its Timeout should be
	// zero (streams are long; contexts bound each call).
	HTTPClient *http.Client

	// ProviderName is what Name returns; "" means llm.ProviderOpenAI. A
	// discovered local server has its own ("ollama", "lmstudio"…).
	ProviderName string
	// Who names the server in messages ("Ollama at 127.0.0.1:11434"); ""
	// means "OpenAI" or "the OpenAI-compatible server at host".
	Who string
	// FirstTextTimeout is the longest wait for the first piece of the answer
	// (a server that hangs); IdleTimeout the longest silence between pieces
	// after it (a stream that stalls); MaxAnswerBytes the longest answer (a
	// server that streams forever). Zero means no limit. A call cut off by
	// one of them fails with KindProviderError and a sentence saying which.
	FirstTextTimeout, IdleTimeout time.Duration
	MaxAnswerBytes                int
}

// Provider calls an OpenAI-compatible Chat Completions API. Create it with New.
type Provider struct {
	opts Options
	http *http.Client
}

// New returns a Provider.
func New(opts Options) *Provider {
	return &Provider{opts: opts, http: llm.WrapClient(opts.HTTPClient)}
}

// Name returns Options.ProviderName, by default llm.ProviderOpenAI.
func (p *Provider) Name() string {
	if p.opts.ProviderName != "" {
		return p.opts.ProviderName
	}
	return llm.ProviderOpenAI
}

func call(f func() string) string {
	if f == nil {
		return ""
	}
	return strings.TrimSpace(f())
}

// BaseURL returns the effective base URL, without a trailing slash.
func (p *Provider) BaseURL() string { return effectiveBase(call(p.opts.BaseURL)) }

func effectiveBase(raw string) string {
	b := strings.TrimRight(raw, "/")
	if b == "" {
		return DefaultBaseURL
	}
	return b
}

// Custom reports whether the base URL is not OpenAI's own (a compatible server).
func (p *Provider) Custom() bool { return p.BaseURL() != DefaultBaseURL }

// Configured reports whether calls can be made: a key is set (read under
// ctx), or a custom base URL (which may need no key).
func (p *Provider) Configured(ctx context.Context) bool {
	return p.Custom() || llm.ReadKey(ctx, p.opts.APIKey) != ""
}

// who names the server in messages.
func (p *Provider) who() string {
	if p.opts.Who != "" {
		return p.opts.Who
	}
	if p.Custom() {
		return "the OpenAI-compatible server at " + llm.Host(p.BaseURL())
	}
	return "OpenAI"
}

// client returns a client for the current key and base URL (the key is
// read under ctx), and whether a key is set.
func (p *Provider) client(ctx context.Context) (*goopenai.Client, bool, error) {
	key, raw := llm.Credentials(ctx, p.opts.APIKey, p.opts.BaseURL)
	base := effectiveBase(raw)
	if key == "" && base == DefaultBaseURL {
		return nil, false, ytsum.Errorf(ytsum.CodeUnauthorized, llm.KindKeyMissing,
			"No OpenAI API key is set; add one in Settings or choose another model.")
	}
	cfg := goopenai.DefaultConfig(key)
	cfg.BaseURL = base
	cfg.HTTPClient = p.http
	return goopenai.NewClientWithConfig(cfg), key != "", nil
}

var (
	errNoAnswer = errors.New("no answer in time")
	errStalled  = errors.New("the stream stalled")
)

// reasoningBudget is the max_completion_tokens of reasoning models on
// OpenAI's API: it covers the hidden reasoning as well as the answer, so it
// must be generous (the original app's 2,000 often came back empty).
const reasoningBudget = 32000

// Stream sends req and calls onDelta (when non-nil) with each piece of text
// as it arrives, in order, from the calling goroutine. Usage is requested
// with stream_options.include_usage. Errors are *ytsum.Error with llm Kinds;
// rate limits carry the Retry-After / x-ratelimit-reset-* hint.
func (p *Provider) Stream(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
	if req.VideoURL != "" {
		return llm.Response{}, ytsum.Errorf(ytsum.CodeInvalid, llm.KindNoTranscript,
			"This video has no usable transcript and %s cannot watch videos; choose a Gemini model.", p.who())
	}
	c, keyed, err := p.client(ctx)
	if err != nil {
		return llm.Response{}, err
	}
	parent := ctx
	ctx, cut := context.WithCancelCause(ctx)
	defer cut(nil)
	ctx, hint := llm.WithHint(ctx)
	var firstTimer, idleTimer *time.Timer
	if d := p.opts.FirstTextTimeout; d > 0 {
		firstTimer = time.AfterFunc(d, func() { cut(errNoAnswer) })
		defer firstTimer.Stop()
	}
	defer func() {
		if idleTimer != nil {
			idleTimer.Stop()
		}
	}()
	// heard is called with each piece of text: the first stops the wait for
	// an answer, and each restarts the wait for the next piece.
	heard := func() {
		if firstTimer != nil {
			firstTimer.Stop()
		}
		if d := p.opts.IdleTimeout; d > 0 {
			if idleTimer == nil {
				idleTimer = time.AfterFunc(d, func() { cut(errStalled) })
			} else {
				idleTimer.Reset(d)
			}
		}
	}
	// failed turns a failure into the error to return: the watchdog's
	// sentence, the caller's cancellation, or the classified error.
	failed := func(err error) error {
		switch context.Cause(ctx) {
		case errNoAnswer:
			return ytsum.Errorf(ytsum.CodeUnavailable, llm.KindProviderError,
				"%s sent no answer within %s and was stopped; it may be stuck or still loading the model — try again, or choose another model.",
				capital(p.who()), llm.Seconds(p.opts.FirstTextTimeout))
		case errStalled:
			return ytsum.Errorf(ytsum.CodeUnavailable, llm.KindProviderError,
				"%s stopped sending for %s in the middle of the answer and was cut off; try again, or choose another model.",
				capital(p.who()), llm.Seconds(p.opts.IdleTimeout))
		}
		if e := llm.Cancelled(parent); e != nil {
			return e
		}
		return p.classify(parent, err, req, keyed, hint.RetryAfter())
	}
	cr := chatRequest(req)
	stream, err := c.CreateChatCompletionStream(ctx, cr)
	if err != nil {
		return llm.Response{}, failed(err)
	}
	defer stream.Close()

	var (
		b      strings.Builder
		resp   llm.Response
		finish goopenai.FinishReason
		refuse string
		chunks int
	)
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return resp, failed(err)
		}
		chunks++
		if chunk.Model != "" {
			resp.Model = chunk.Model
		}
		if u := chunk.Usage; u != nil {
			resp.Usage = ytsum.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
			refuse += ch.Delta.Refusal
			if ch.Delta.Content == "" {
				continue
			}
			heard()
			b.WriteString(ch.Delta.Content)
			if onDelta != nil {
				onDelta(ch.Delta.Content)
			}
		}
		if m := p.opts.MaxAnswerBytes; m > 0 && b.Len() > m {
			return resp, ytsum.Errorf(ytsum.CodeUnavailable, llm.KindProviderError,
				"%s kept writing past %d characters without finishing and was cut off; try again, or choose another model.",
				capital(p.who()), m)
		}
	}
	if e := llm.Cancelled(parent); e != nil {
		return resp, e
	}
	resp.Text = b.String()
	resp.FinishReason = string(finish)
	return resp, p.checkAnswer(resp, finish, refuse, chunks)
}

// chatRequest is the streamed chat completion request for req.
func chatRequest(req llm.Request) goopenai.ChatCompletionRequest {
	var msgs []goopenai.ChatCompletionMessage
	if req.System != "" {
		msgs = append(msgs, goopenai.ChatCompletionMessage{Role: goopenai.ChatMessageRoleSystem, Content: req.System})
	}
	msgs = append(msgs, goopenai.ChatCompletionMessage{Role: goopenai.ChatMessageRoleUser, Content: req.Prompt})
	cr := goopenai.ChatCompletionRequest{
		Model:         req.Model,
		Messages:      msgs,
		StreamOptions: &goopenai.StreamOptions{IncludeUsage: true},
	}
	switch {
	case req.MaxOutputTokens > 0:
		cr.MaxCompletionTokens = req.MaxOutputTokens
	case llm.IsReasoningModel(req.Model):
		cr.MaxCompletionTokens = reasoningBudget
	}
	// Other models get no cap at all: the model's (or a compatible server's)
	// own default applies, and max_tokens is never sent.

	return cr
}

// checkAnswer turns a stream that ended without a usable answer into the
// error that says why: refused, stopped by the server, not a chat stream,
// or empty. chunks counts the chunks the stream carried.
func (p *Provider) checkAnswer(resp llm.Response, finish goopenai.FinishReason, refuse string, chunks int) error {
	if finish == goopenai.FinishReasonContentFilter || (strings.TrimSpace(resp.Text) == "" && refuse != "") {
		return ytsum.Errorf(ytsum.CodeInvalid, llm.KindSafetyBlocked,
			"%s refused this video's content (blocked by its safety filters); try another model.", capital(p.who()))
	}
	if string(finish) == "error" {
		return ytsum.Errorf(ytsum.CodeUnavailable, llm.KindOverloaded,
			"%s stopped in the middle of the summary; try again in a minute.", capital(p.who()))
	}
	if chunks == 0 && resp.Text == "" {
		return ytsum.Errorf(ytsum.CodeUnavailable, llm.KindProviderError,
			"%s answered with something that is not an OpenAI-compatible chat stream; check that it is an LLM server, or choose another model.", capital(p.who()))
	}
	if strings.TrimSpace(resp.Text) == "" {
		msg := capital(p.who()) + " returned an empty answer; try again or choose another model."
		if finish == goopenai.FinishReasonLength {
			msg = capital(p.who()) + " used its whole output budget without answering (reasoning models spend it thinking); try again or choose another model."
		}
		return ytsum.Errorf(ytsum.CodeUnavailable, llm.KindEmptyAnswer, "%s", msg)
	}
	return nil
}

// ListModels returns the chat models of GET {base}/models. On OpenAI's own
// API, audio, image, embedding and moderation models are left out; a
// compatible server's list is kept whole except embedding models.
func (p *Provider) ListModels(ctx context.Context) ([]llm.ModelInfo, error) {
	c, keyed, err := p.client(ctx)
	if err != nil {
		return nil, err
	}
	ctx, hint := llm.WithHint(ctx)
	list, err := c.ListModels(ctx)
	if err != nil {
		if e := llm.Cancelled(ctx); e != nil {
			return nil, e
		}
		return nil, p.classify(ctx, err, llm.Request{}, keyed, hint.RetryAfter())
	}
	custom := p.Custom()
	var out []llm.ModelInfo
	for _, m := range list.Models {
		if m.ID == "" || !chatModel(m.ID, custom) {
			continue
		}
		name := m.ID
		if custom {
			name = m.ID + " (" + llm.Host(p.BaseURL()) + ")"
		}
		out = append(out, llm.ModelInfo{ID: m.ID, DisplayName: name, InputTokens: ContextTokens(m.ID),
			Thinking: llm.IsReasoningModel(m.ID)})
	}
	return out, nil
}

func chatModel(id string, custom bool) bool {
	l := strings.ToLower(id)
	if strings.Contains(l, "embed") {
		return false
	}
	if custom {
		return true
	}
	ok := false
	for _, p := range []string{"gpt-", "o1", "o3", "o4", "chatgpt-"} {
		if strings.HasPrefix(l, p) {
			ok = true
		}
	}
	if !ok {
		return false
	}
	for _, bad := range []string{"audio", "realtime", "tts", "transcribe", "image", "search", "moderation", "instruct", "dall-e", "whisper", "codex"} {
		if strings.Contains(l, bad) {
			return false
		}
	}
	// Dated snapshots (gpt-4o-2024-08-06, gpt-4-0613) duplicate their alias.
	return !datedSnapshot.MatchString(l)
}

var datedSnapshot = regexp.MustCompile(`-(\d{4}-\d{2}-\d{2}|\d{4})$`)

// ContextTokens returns the input context window of an OpenAI model ID, from
// what OpenAI publishes; 0 when unknown.
func ContextTokens(id string) int {
	l := strings.ToLower(id)
	switch {
	case strings.HasPrefix(l, "gpt-4.1"):
		return 1_000_000
	case strings.HasPrefix(l, "gpt-4o"), strings.HasPrefix(l, "gpt-4-turbo"), strings.HasPrefix(l, "chatgpt-4o"):
		return 128_000
	case strings.HasPrefix(l, "gpt-5"), strings.HasPrefix(l, "gpt-6"), strings.HasPrefix(l, "gpt-7"):
		return 272_000
	case strings.HasPrefix(l, "o1"), strings.HasPrefix(l, "o3"), strings.HasPrefix(l, "o4"):
		return 200_000
	}
	return 0
}

// serverGone reports, for a local server (Options.ProviderName set),
// whether it no longer accepts connections: a server that stops with
// requests in flight cuts them (an EOF, not a refused dial), and the user
// should hear that it stopped, not that it failed. One dial under ctx of at
// most serverProbeTimeout; false for a cloud provider.
func (p *Provider) serverGone(ctx context.Context) bool {
	if p.opts.ProviderName == "" {
		return false
	}
	u, err := url.Parse(p.BaseURL())
	if err != nil || u.Hostname() == "" {
		return false
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	d := net.Dialer{Timeout: serverProbeTimeout}
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return ctx.Err() == nil && llm.Offline(err)
	}
	c.Close()
	return false
}

// serverProbeTimeout bounds serverGone's dial.
const serverProbeTimeout = time.Second

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// classify turns a go-openai error into a *ytsum.Error; keyed tells whether
// the call carried an API key.
func (p *Provider) classify(ctx context.Context, err error, req llm.Request, keyed bool, retry time.Duration) error {
	who := p.who()
	Who := capital(who)
	status, code, typ, msg := 0, "", "", ""
	var api *goopenai.APIError
	var rq *goopenai.RequestError
	switch {
	case errors.As(err, &rq): // first: it may wrap an *APIError without a status
		status, msg = rq.HTTPStatusCode, strings.ToLower(string(rq.Body))
	case errors.As(err, &api):
		status, typ, msg = api.HTTPStatusCode, api.Type, strings.ToLower(api.Message)
		if s, ok := api.Code.(string); ok {
			code = s
		} else if api.Code != nil {
			code = fmt.Sprint(api.Code)
		}
	default:
		if llm.Offline(err) || p.serverGone(ctx) {
			e := llm.OfflineError(err, who)
			if p.opts.ProviderName != "" { // a local server found on this machine
				e.Message = "Could not reach " + who + "; it has stopped — start it again, or choose another model."
			}
			return e
		}
		return ytsum.Wrap(err, ytsum.CodeUnavailable, llm.KindProviderError,
			Who+" failed unexpectedly; try again in a moment.")
	}
	switch {
	case status == http.StatusUnauthorized || code == "invalid_api_key" || strings.Contains(msg, "incorrect api key"):
		if !keyed {
			return ytsum.Wrap(err, ytsum.CodeUnauthorized, llm.KindKeyMissing,
				Who+" needs an API key; add one in Settings.")
		}
		return ytsum.Wrap(err, ytsum.CodeUnauthorized, llm.KindInvalidKey,
			Who+" rejected the API key; check the OpenAI key in Settings.")
	case code == "insufficient_quota" || status == http.StatusPaymentRequired:
		return ytsum.Wrap(err, ytsum.CodeRateLimited, llm.KindQuotaExceeded,
			"The quota or credit for "+who+" is used up; check your plan and billing, or choose another model.")
	case status == http.StatusTooManyRequests || code == "rate_limit_exceeded":
		e := ytsum.Wrap(err, ytsum.CodeRateLimited, llm.KindRateLimited,
			Who+"'s rate limit was reached; wait a little and try again.")
		if retry > 0 {
			e.Message = Who + "'s rate limit was reached; try again in " + llm.Seconds(retry) + "."
		}
		e.RetryAfter = retry
		return e
	case status == http.StatusNotFound || code == "model_not_found" || strings.Contains(msg, "not found"):
		m := fmt.Sprintf("%s does not offer the model %q (it may have been retired); choose another model in Settings.", Who, req.Model)
		if p.Custom() {
			m = fmt.Sprintf("%s has no model %q; if it is Ollama, run \"ollama pull %s\" first, or choose another model.", Who, req.Model, req.Model)
		}
		return ytsum.Wrap(err, ytsum.CodeNotFound, llm.KindModelNotFound, m)
	case status == http.StatusForbidden:
		return ytsum.Wrap(err, ytsum.CodeUnauthorized, llm.KindPermissionDenied,
			"The API key may not use this model at "+who+"; check the key's permissions.")
	case code == "context_length_exceeded" || strings.Contains(msg, "context length") || strings.Contains(msg, "context window") ||
		strings.Contains(msg, "maximum context") || strings.Contains(msg, "too many tokens"):
		return ytsum.Wrap(err, ytsum.CodeInvalid, llm.KindContextTooLong,
			"The transcript is too long for this model's context window.")
	case code == "content_filter" || code == "content_policy_violation" || strings.Contains(msg, "content management policy"):
		return ytsum.Wrap(err, ytsum.CodeInvalid, llm.KindSafetyBlocked,
			Who+" refused this video's content (blocked by its safety filters); try another model.")
	case status >= 500 || status == 0 && (typ == "server_error" || code == "server_error" || strings.Contains(msg, "overloaded")):
		e := ytsum.Wrap(err, ytsum.CodeUnavailable, llm.KindOverloaded,
			Who+" is overloaded or having trouble right now; try again in a minute.")
		e.RetryAfter = retry
		return e
	}
	return ytsum.Wrap(err, ytsum.CodeUnavailable, llm.KindProviderError,
		Who+" could not make the summary; try again, or choose another model.")
}
