// Package youtube turns pasted links into video and playlist IDs and fetches
// what summarizing needs from YouTube: video details, transcripts and
// playlist contents, with no Google API key.
//
// # Links
//
// Parse is a strict parser for one link or bare ID (protocols.md §1.6);
// ExtractLinks finds every YouTube-looking link in a pasted blob. Both are
// fuzzed (FuzzParse, FuzzExtractLinks): they never panic, and a VideoID
// Parse returns is always 11 valid characters.
//
// # Fetching
//
// A Client (New) speaks to Options.BaseURL (YTSUM_YOUTUBE_URL) through the
// injected *http.Client:
//   - Video: watch page + innertube ANDROID /player videoDetails, oEmbed as
//     the fallback (no duration there).
//   - Transcript: watch page (the EU consent wall is answered with a CONSENT
//     cookie) → ANDROID /player → captionTracks → /api/timedtext, as
//     youtube-transcript-api does; the watch page's own player response is a
//     second source of tracks; yt-dlp is the optional last resort.
//   - Playlist: innertube /browse VL<id> and its continuation pages.
//
// Every request goes through one gate: at most Options.Concurrency requests
// in flight, retries of 429/5xx/dropped connections with jittered
// exponential backoff (at most Options.MaxRetries), and a global slow-down
// that spaces all later requests out once YouTube refuses one (429, a bot
// check) and relaxes as answers come back normal. Every wait honours ctx.
//
// Every error at the package boundary is a *ytsum.Error with a stable Kind
// (the Kind… constants) and a sentence the user can act on; causes are in
// Err for the log and never carry query strings (signatures, keys).
//
// # Caveats
//
//   - YouTube changes without notice. The ANDROID client version
//     (Options.AndroidClientVersion, default 20.10.38) may start getting
//     400 FAILED_PRECONDITION (Kind client_outdated): bump it. The ANDROID
//     client sometimes omits manual tracks the website shows.
//   - Caption URLs carrying exp=xpe/xpv need a proof-of-origin token this
//     package cannot make (Kind po_token_required); they are not fetched. An
//     empty 200 timedtext body is reported the same way, never as an empty
//     transcript.
//   - Heavy use gets an IP blocked ("Sign in to confirm you're not a bot",
//     Kind blocked; HTTP 429, Kind rate_limited). Caching and the
//     concurrency limit exist to avoid that; there is no proxy support.
//   - Age-restricted and private videos need a signed-in account; cookies
//     are not supported, so they fail with their own Kind.
//   - Translated transcripts (tlang) are machine translations; YouTube
//     translates only into the languages it lists for the video.
//   - Mixes (RD…) cannot be expanded and are treated as their video; Watch
//     Later, Liked videos and Liked music need a login and are rejected
//     unless the link also names a video, which is then used.
//   - yt-dlp (when enabled and on PATH) needs its own up-to-date install
//     and, for full YouTube support, a JavaScript runtime. It is asked only
//     for the preferred languages (no "any language" fallback there).
//   - A cached transcript is reused even if the preferred languages have
//     changed since; a transcript cached in a language outside the list is
//     reused when it was not a translation (it was the best the video had).
//   - Video details from oEmbed (the fallback) are not cached, so the next
//     call tries the player again.
package youtube
