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
//   - Sources of caption tracks: an ordered table of innertube player
//     clients (DefaultPlayerClients: ANDROID, ANDROID_VR, VISIONOS, IOS;
//     the youtube_clients setting overrides it without a rebuild). The
//     watch page is fetched once per session, for the API key and visitor
//     data (again only when YouTube rejects them); per video only the
//     player JSON and the timedtext are fetched.
//   - Transcript: the clients are asked in order and their track lists
//     merged (a track only one client lists counts) until the best track
//     known has a clean URL (no exp=xpe); then the best clean track is
//     fetched from /api/timedtext. Order: the preferred languages' manual
//     tracks, their automatic ones, the original language's manual and
//     automatic tracks, any other; a machine translation (tlang) last, and
//     only when languages were chosen. po_token_required only when every
//     track of every source asked is gated. yt-dlp is the optional last
//     resort.
//   - Video: the first player client that answers with details; oEmbed as
//     the fallback (no duration there).
//   - Playlist: innertube /browse VL<id> and its continuation pages.
//   - Channel: the channel page (ID and title), then the UULF… uploads
//     playlist, paged only as far as the limit needs.
//   - Diagnose: the transcript path, recorded step by step (ytsum doctor,
//     POST /diagnose).
//   - Get: any other YouTube request (thumbnails, feeds) under the same rules.
//
// Every request goes through one gate: at most Options.Concurrency requests
// in flight; a base pacing between request starts (Options.Pacing, 250 ms
// by default, jittered) from the first request on; deadlines on every
// attempt (RequestTimeout 30 s overall, FirstByteTimeout 15 s for the
// headers, IdleTimeout 10 s between body reads; a stalled request is
// aborted and frees its slot, and is not retried); retries of 429/5xx and
// dropped connections with jittered exponential backoff (at most
// Options.MaxRetries); and a global slow-down that spaces all later
// requests out further once YouTube refuses one (429, a bot check) and
// relaxes as answers come back normal. Every wait honours ctx.
//
// Every error at the package boundary is a *ytsum.Error with a stable Kind
// (the Kind… constants) and a sentence the user can act on; causes are in
// Err for the log and never carry query strings (signatures, keys).
//
// # Caveats
//
//   - YouTube changes without notice. A player client may start getting
//     400 FAILED_PRECONDITION (Kind client_outdated) or gated caption URLs:
//     edit the youtube_clients setting (a JSON []PlayerClient). A manual
//     track that only a later client lists is found only when the earlier
//     clients' best track was gated or missing (fewer requests otherwise).
//   - Caption URLs carrying exp=xpe/xpv need a proof-of-origin token this
//     package cannot make (Kind po_token_required); they are not fetched. An
//     empty 200 timedtext body is reported the same way, never as an empty
//     transcript.
//   - Heavy use gets an IP blocked ("Sign in to confirm you're not a bot",
//     Kind blocked; HTTP 429, Kind rate_limited). Caching and the
//     concurrency limit exist to avoid that; there is no proxy support.
//   - Age-restricted and private videos need a signed-in account; cookies
//     are not supported, so they fail with their own Kind.
//   - Translated transcripts (tlang) are machine translations, used only
//     when the transcript languages were chosen (the call's languages or
//     Options.Languages) and no real track could be fetched; YouTube
//     translates only into the languages it lists for the video.
//   - Refusals are named from YouTube's reason and sub-reason whatever the
//     playability status (the bot check also comes as CUSTOM or
//     UNPLAYABLE); the words are kept in the error's cause and in the
//     diagnosis. A new wording YouTube invents becomes video_unplayable.
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
