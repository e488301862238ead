// Package subscriptions follows YouTube channels and playlists: each
// subscription's keyless Atom feed ({YTSUM_YOUTUBE_URL}/feeds/videos.xml?
// channel_id=… or ?playlist_id=…) is checked every interval_minutes, and the
// new videos of one check become one summarize job with the subscription's
// model, style, length and language (API.md §5).
//
// # Operations
//
// Service has the operations both front doors call: Follow, List, Get,
// Update, Unfollow, Check, MarkOpened, NewVideos and Videos; Run is the
// scheduler. Subscriptions, their seen videos, deferrals and "new" marks
// live in the store (store/subscriptions.go), so they survive restarts.
//
// # Guarantees
//
//  1. Nothing twice, nothing lost. A check's seen videos, the subscription's
//     new state (feed validators included) and the record of the job that
//     summarizes them are written in one bbolt transaction
//     (store.DB.RecordCheck), through the persist callback the Submitter
//     calls instead of writing the job record itself. A crash before that
//     transaction leaves the videos unseen and the old validators, so the
//     next check finds them again; a crash after it leaves a pending job
//     record the job engine resumes at its next Start, and the videos seen.
//     Two checks of one subscription are serialised, and the store refuses a
//     check that would mark an already seen video (conflict), as a last
//     guard.
//  2. Cheap, polite checks. One request per check: a GET with If-None-Match
//     and If-Modified-Since, answered 304 without a body when nothing
//     changed, through the youtube client (its concurrency limit, global
//     slow-down, retries) with a 30 s deadline. Checks are jittered by
//     ±Config.Jitter (10 %) and the scheduler runs them one at a time;
//     after failures a subscription backs off exponentially (5 min, 10 min,
//     … capped at 24 h, or a longer Retry-After), and a success resets it.
//     Optional per-new-video lookups: VideoStates (live/upcoming) and
//     Shorts detection (HTTPShorts: one HEAD) — only for videos not yet seen.
//  3. Catch-up at start. Subscriptions overdue when Run starts are checked
//     first, spread over Config.StartSpread: one job each, however many
//     videos they missed (at most the feed's 15).
//  4. Deferred, not failed. A video the feed dates in the future, or that
//     VideoStates calls live or upcoming, is deferred and looked at again at
//     each check once its retry time has passed (even when the feed answers
//     304); after Config.MaxDeferral (14 days) it is given up.
//  5. Skips and links. Shorts are skipped while Config.SkipShorts says so
//     (default true). A video that already has a summary in the library is
//     linked to the subscription (Videos lists it) instead of summarized.
//  6. New until opened. The videos a check queues are marked new (the count
//     is new_count) until MarkOpened clears them; the mark is written in the
//     check's transaction.
//
// # Wiring (for the integrator)
//
//   - Feeds: the *youtube.Client (its Feed method).
//   - Resolver: an adapter over the youtube package's channel resolution
//     (ParseURL + channel-id resolution) returning kind "channel" or
//     "playlist", the UC… or playlist id, title and avatar.
//   - Submitter: the jobs engine, with one additive change in package jobs:
//     a Request field such as `Persist func(id string, record []byte) error`;
//     when set, Engine.submit writes the new job's first record by calling
//     it instead of Store.PutJob in persistLocked, publishes the pending job
//     only when it returned nil, and releases the reservation and returns
//     its error otherwise. The adapter is then
//     `func(ctx, req, persist) (string, error) { j, err := engine.Submit(ctx,
//     jobs.Request{URLs: req.URLs, Options: req.Options, ForceAsync: true,
//     Persist: persist}); … return j.ID, err }`.
//   - Library: nil (LibraryFromStore) or the library package.
//   - VideoStates: optional, from the youtube player answer
//     (isLive/isUpcoming, the scheduled start).
//   - Shorts: HTTPShorts{BaseURL: YTSUM_YOUTUBE_URL, Client: the youtube
//     HTTP client}; SkipShorts: the setting's reader.
//   - ValidateOptions: the summarizer's option resolution.
//   - Publisher: EventPublisher{Emit: broker publish, Notify: desktop
//     notification (window only)}.
//   - Start `go svc.Run(ctx)` in the window and in `ytsum serve`, after the
//     job engine has started (so resumed jobs and new ones share its queue).
//   - MarkOpened(videoID) when the UI opens a summary.
//
// Errors at the boundary are *ytsum.Error (invalid, not_found, conflict for
// a duplicate follow — HTTP 409 —, unavailable).
package subscriptions
