// Package llm is the vocabulary of one call to a summarizing model: the
// request a provider receives, the response it returns, the stable error
// kinds it reports and the helpers that turn transport failures into them.
//
// It is shared by package summarize (which consumes providers) and the
// providers beneath it (gemini, openai, local), which cannot import summarize.
// Everything here is safe for concurrent use.
package llm

import (
	"context"
	"strings"
	"time"

	"ytsum/backend/ytsum"
)

// Provider names, as reported in ytsum.Summary.Provider and /api_status.
// "google" and "openai" are the original app's names.
const (
	ProviderGoogle = "google"
	ProviderOpenAI = "openai"
	ProviderLocal  = "local"
)

// Request is one call to a model. Prompt-based providers read System, Prompt
// and the video fields; the extractive provider reads Segments, Style and
// Length and ignores the rest.
type Request struct {
	// Model is the provider's model ID, e.g. "gemini-2.5-flash".
	Model string
	// System is the system instruction; may be empty.
	System string
	// Prompt is the user message: instructions and, usually, the transcript.
	Prompt string
	// VideoURL, when set, makes the video itself an input (Gemini fileData),
	// placed before Prompt. Providers that cannot read video return an error.
	VideoURL string
	// VideoStart and VideoEnd clip the video (both zero: the whole video).
	VideoStart, VideoEnd time.Duration
	// LowResolution asks for fewer tokens per video frame (long videos).
	LowResolution bool
	// MaxOutputTokens caps the answer; 0 leaves the provider's (generous)
	// default, which for reasoning models also covers their hidden thinking.
	MaxOutputTokens int

	// Segments is the transcript part the request covers (extractive use).
	Segments []ytsum.Segment
	// Style and Length are the resolved summary options (extractive use).
	Style, Length string
	// Language is the transcript's language code, e.g. "en" or "de-DE"
	// (extractive use: stopwords and stemming); "" means unknown.
	Language string
}

// Response is what a provider returns once its stream has ended.
type Response struct {
	// Text is the whole answer: the concatenation of every delta.
	Text string
	// Usage is the token usage the provider reported; zero when it did not.
	Usage ytsum.Usage
	// Model is the model version the provider reports having used; may be empty.
	Model string
	// FinishReason is the provider's reason for stopping, as it spelled it.
	FinishReason string
}

// ModelInfo is one entry of a provider's model listing.
type ModelInfo struct {
	ID          string
	DisplayName string
	// InputTokens is the context window for input; 0 when unknown.
	InputTokens int
	// OutputTokens is the output limit; 0 when unknown.
	OutputTokens int
	// Thinking is true for models that reason before answering.
	Thinking bool
}

// Key returns an API key, read under the caller's ctx (the keychain may
// be asked, so a read can wait; it must return promptly once ctx ends). ""
// means none is set or it could not be read.
type Key = func(ctx context.Context) string

// ReadKey calls key under ctx and trims the result; nil reads as "".
func ReadKey(ctx context.Context, key Key) string {
	if key == nil {
		return ""
	}
	return strings.TrimSpace(key(ctx))
}

// Credentials reads a provider's base URL, its key (under ctx), then the
// base URL again, until the two reads of the address agree, and returns the
// key and that address (both trimmed). Package config changes a provider's
// key before its address (a new address never sees the old key), so a key
// read between two equal reads of the address belongs to that address. If
// the address keeps changing, no key is returned. nil funcs read as "".
func Credentials(ctx context.Context, key Key, base func() string) (k, b string) {
	read := func(f func() string) string {
		if f == nil {
			return ""
		}
		return strings.TrimSpace(f())
	}
	for range 3 {
		b1 := read(base)
		k = ReadKey(ctx, key)
		if b2 := read(base); b1 == b2 {
			return k, b1
		}
	}
	return "", read(base)
}
