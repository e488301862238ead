// Package summarize turns a video's transcript (or, for Gemini, the video
// itself) into a summary, streaming its text as it is written.
//
// # Shape
//
// A Service (New) owns three providers behind the small Provider interface:
// gemini (google.golang.org/genai), openai (go-openai, also for Ollama, LM
// Studio, llama.cpp and OpenRouter through a custom base URL, with or without
// a key) and local (a pure-Go extractive summarizer that needs no key and no
// network). Package llm holds the request/response vocabulary and the error
// kinds they share.
//
//	s := summarize.New(summarize.Options{GeminiKey: geminiKey, ...}) // func(ctx) string
//	o, err := s.Resolve(ctx, req)         // defaults filled; invalid → CodeInvalid
//	key := s.CacheKey(ctx, videoID, o)    // look it up unless o.Regenerate
//	sum, err := s.Summarize(ctx, summarize.Input{Video: v, Transcript: t, Options: o}, onDelta)
//
// The API keys are read through Options.GeminiKey/OpenAIKey under the
// caller's context, once per operation (the keychain may be asked). The
// Service implements jobs.Summarizer as it is.
//
// # Models
//
// Models returns the registry for /api_status and the UI: "local", the
// original app's keys (gemini-2.5-flash, gemini-2.5-pro, gpt-5, gpt-5-mini,
// gpt-4o, gpt-4o-mini) and whatever the configured providers list (Gemini
// models.list, GET {base}/models). A model the listing lacks is shown as not
// available, so retired IDs disappear without a release; a retired Gemini
// original key still works as a request key, resolving to the newest listed
// model of its family (gemini-2.5-flash → e.g. gemini-3.8-flash).
//
// Local LLM servers are found by themselves (package discover): Ollama, LM
// Studio and llama.cpp on loopback, plus Options.LocalServers, probed
// concurrently within about 1.5 s at start (Discover), when the model list is
// asked for and before a job that names one, each round kept a minute. Their
// models are listed under their own provider names — key
// "ollama/llama3.2:3b", display name "Ollama · llama3.2:3b", provider
// "ollama" — and used through the server's OpenAI-compatible API with no
// key, at most one call at a time per server unless ConcurrencyFor says
// otherwise, chunked to the context the server reports (Ollama's num_ctx, LM
// Studio's loaded context, llama.cpp's n_ctx). A call gets no first text
// within Options.ServerFirstText (90 s), a silence of ServerIdle (30 s) or an
// answer past 200,000 bytes, and it is cut off with one sentence. A server
// that vanishes shows its models as unavailable; a job for a model that is
// gone falls back to the default model with Summary.Note saying so.
//
// DefaultModel(ctx) — /api_status's default_model — is the DefaultModel
// setting when usable now; else gemini-2.5-flash with a Gemini key, else
// gpt-5-mini with an OpenAI key (never local while a cloud key is set); else
// the first model of a local server found; else local.
//
// # Styles, lengths, languages
//
// Styles: "audio" (the original app's listening-friendly prompt: no
// Markdown, 3–10 signposted key points, a hook and a wrap-up; the default),
// "key_points" ([mm:ss] bullets), "chapters" ([mm:ss] sections), "detailed"
// and "custom" (Options.CustomPrompt, a text/template with fields .Title,
// .Channel, .Duration, .Transcript, .Language, .LanguageName, .Same and
// .Length; without {{.Transcript}} the transcript is appended). Lengths:
// short, medium (default), long. Language: a BCP-47 code (default: the UI
// language) or "same" for the video's. Prompts are files in prompts/,
// embedded; PromptVersion changes whenever any of them does.
//
// # Long transcripts
//
// The transcript's size is estimated (EstimateTokens) against the model's
// context window (from the listing, else a table) or, for a model of a
// compatible server, against Options.LocalChunkTokens. Above it the
// transcript is cut at caption boundaries into chunks that get notes in
// parallel, the notes are merged (again in parallel batches if they are
// still too big) and one final pass writes the summary in the asked style.
// Only that final pass streams; the parts are silent. If a provider still
// reports the input too long, the work is redone with half the budget (up to
// three times). Nothing is ever cut off silently: what cannot be reduced
// fails with KindTooLong.
//
// # Errors and retries
//
// Every error is a *ytsum.Error with a Kind from package llm and a sentence a
// user can act on. Rate limits and overloads are retried (Options.MaxRetries,
// default 3) with exponential backoff that honours Retry-After,
// x-ratelimit-reset-* and Gemini's RetryInfo; a hint longer than
// Options.MaxRetryWait is returned at once in Error.RetryAfter. LLM calls run
// at most Options.ConcurrencyFor(provider) (else Options.Concurrency, default
// 4) at a time per provider, across all concurrent Summarize calls. The limit
// is read again before every call, so a changed setting applies without a
// restart: new and waiting calls see it within about a second, calls in
// flight are never interrupted, and a long transcript's parts already under
// way gain workers when the limit rises. Waiting calls are admitted first
// come, first served; a retry waits its backoff without holding a slot.
//
// # Caveats
//
//   - A call that has already streamed text is never retried (its text
//     cannot be taken back); the caller sees the error and may run the job
//     again.
//   - The local summarizer copies sentences: it writes in the transcript's
//     language (Resolve sets its language to "same") and cannot read video.
//     Its key_points, chapters and detailed styles carry [mm:ss] times; audio
//     has none.
//   - Summaries made from the video itself cost about 300 tokens a second
//     (100 at low resolution, used for long videos) and work for public
//     videos only; videos too long for the context are summarized in clips.
//   - Compatible servers get no output cap; reasoning models (o-series,
//     gpt-5 and later) get max_completion_tokens 32000 and Gemini models the
//     model's own maximum, so thinking never starves the answer.
//   - Models refreshes listings at most every Options.ModelsTTL and waits at
//     most Options.ListTimeout; offline it answers from the last listing or
//     the built-in list.
//   - Token counts are estimates (no tokenizer); the margins above absorb
//     their error, and a provider's "too long" answer triggers re-chunking.
package summarize
