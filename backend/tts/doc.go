// Package tts reads summaries aloud: Google Cloud Text-to-Speech through
// the official REST client (cloud.google.com/go/texttospeech/apiv1,
// NewRESTClient), or the computer's own offline voice, with the audio kept
// in package audio's cache. One Service serves both the HTTP API (/speak,
// /preview-voice, /api/voices) and the desktop window.
//
// The way a request travels: CleanFor (no timestamps, Markdown marks or
// URLs; list items as sentences; money and symbols as words of the
// summary's language) → cache lookup by voice + text
// hash → Chunk (sentence boundaries, ≤ 4,800 bytes per request, over-long
// sentences split at commas then words) → SynthesizeSpeech for every chunk,
// at most Options.Concurrency at a time → JoinMP3 → cache → Audio.
//
// Voices: the original app's 11 voices with their tiers and descriptions,
// the account's voices from voices:list (when credentials are set and the
// API answers), and "offline" when the OS has a voice. A voice that fails
// with "voice not available", quota (429), a 5xx or another 400 is replaced
// by the next voice of FallbackChain (the original's chain); an invalid key,
// no network, a timeout or a cancel is not retried with other voices.
//
// Credentials are read through Options.APIKey / Options.CredentialsFile on
// every call, under the caller's context; when they (or the endpoint) change, the REST client is
// rebuilt. Without credentials, or with voice "offline", or when Cloud TTS
// is unreachable, the offline voice speaks when there is one: espeak-ng (or
// espeak) on Linux and other Unixes, `say` on macOS, System.Speech through
// PowerShell on Windows. Its WAV is encoded to MP3 by lame (or ffmpeg),
// which the offline voice requires: /speak is audio/mpeg. Without an encoder
// the offline voice counts as missing and Speak says to install lame.
//
// Language: SpeakRequest.Language, or the saved summary's language (when
// Options.Texts implements SummarySpeech), picks the words symbols are read
// as, the Cloud voice when the request names none (the configured voice if
// it speaks that language, else VoiceForLanguage: the locale's Chirp3-HD
// voice), and the offline voice (espeak-ng -v LANG, the `say` voice of that
// locale, SAPI's voice for that culture).
//
// Errors are *ytsum.Error with the Kind constants of errors.go:
// invalid_key, quota_exceeded (RetryAfter from the API's RetryInfo),
// voice_unavailable, text_empty, offline, tts_not_configured and others.
// Messages never contain the key: errors from the client are redacted
// (the REST client puts the key in the URL, which net/http errors print).
//
// Caveats:
//   - The REST client's own retry of 503/504 (up to 300 s) is replaced by
//     two quick retries, and each request is bounded by RequestTimeout.
//   - Joined MP3s drop every Xing/Info/VBRI frame (players then compute the
//     duration from the constant bitrate Cloud TTS uses) and every ID3 tag
//     after the first; encoder delay/padding of the parts is not removed,
//     so a few milliseconds of silence may sit between chunks.
//   - Audio synthesized after a fallback is cached under the voice that
//     spoke; a later request for the failed voice tries it again first.
//   - Identical concurrent requests share one synthesis; it runs with the
//     first caller's context, so that caller's cancel fails the others too.
//   - Gemini-TTS voices (which need a model name) and SSML are not used.
//   - A failing non-English voice falls back to its locale's Chirp3-HD and
//     Standard-A voices, then to the English chain.
//   - With Options.HTTPClient set, the API key is added as ?key= by a
//     wrapping transport (the library ignores WithAPIKey with a custom
//     client); service-account files always use the library's transport.
package tts
