// Package jobs is the job engine: a persistent queue, a pool of goroutines
// and the state machine of API.md §3. Every summarize request of every front
// door (window, HTTP, CLI) is a job here; the synchronous mode is a job the
// caller waits for (SubmitAndWait).
//
// The engine consumes four small interfaces declared in this package —
// YouTube, Summarizer, Store and Publisher — so it does not depend on their
// implementations; the integrator wires youtube, summarize, store (+library)
// and events in.
//
// # Guarantees
//
//  1. Durable accept. Submit returns only after the job's record is written
//     to the Store. Every accepted job is found again after a crash.
//  2. State machine. pending → running → completed | failed | cancelled.
//     Terminal states never change: a late result cannot overwrite a cancel.
//     completed means the job ran (some items may have failed, each with a
//     sentence); failed means the job itself could not run. A cancel that
//     arrives after the job finished is a conflict error; if it wins the
//     race, videos still in flight are dropped (their summaries, when they
//     were saved, stay in the library).
//  3. Bounded concurrency. Config.Workers goroutines run jobs; at most
//     Config.MaxJobs are pending or running, one more gets ytsum.ErrBusy.
//     Inside a job, up to Config.VideoParallelism videos are processed at
//     once; the real per-service bounds (YouTube 2, LLM 4 by default) are
//     enforced by those services.
//  4. Cancellation through contexts only. Cancel marks the job cancelled at
//     once (durably, keeping the finished results) and cancels its context;
//     work stops as fast as the services honour ctx (within a second for
//     HTTP calls made with NewRequestWithContext).
//  5. Restart safety. At Start a job found running was interrupted by a
//     crash: it goes back to pending and resumes, and its videos whose
//     summaries are saved are not redone (the summary cache is checked by
//     CacheKey before summarizing; such a video counts as done with source
//     "cache"). A job interrupted more than Config.MaxInterruptions (3)
//     times fails with kind "interrupted", so a job that crashes the app
//     cannot loop forever. A clean Stop puts unfinished jobs back to pending
//     without counting an interruption.
//  6. Isolation. A panic in a service while processing one video fails that
//     video (an internal error item) and nothing else; a panic in the engine
//     itself fails that job. The process and the pool go on.
//  7. Retention. Finished jobs older than Config.Retention (72 h) are purged
//     at Start and every Config.PurgeInterval; their summaries stay.
//  8. Events. Every change of a job is stored, then published, in the order
//     the changes happened: one ytsum.EventItem event per result item it
//     added (ytsum.ItemChange: the item and its position in the results, a
//     video inside a playlist or channel at its position in the summaries),
//     then one ytsum.EventJob event whose Data is ytsum.JobDeltaJSON of the
//     job (results null, results_count). A reader that applies the item
//     events in order to a copy of the job from Snapshot (skipping events
//     whose Seq the snapshot covers) holds the job's results. Summary text
//     streams as ytsum.EventSummaryDelta events ({"job_id","video_id","delta"}).
//  9. Linear cost. A job's record is a head and parts (Records): a change
//     writes the head only when the job's own fields changed (status,
//     interruptions) and one part per link or video it touched; a finished
//     video is stored as a reference to its saved summary (video id, cache
//     key, source), whose text is loaded back from Summaries when the job
//     is read. So a video's completion writes and publishes O(1) bytes,
//     whatever the size of the job.
//
// # Caveats
//
//   - Execution is at-least-once per video: a crash between saving a summary
//     and recording it in the job loses nothing (the resume finds it in the
//     cache), but a crash during a provider call repeats that call.
//   - With Regenerate, a resumed job reuses only the summaries it made
//     itself (saved after the job was created).
//   - A Store write that fails is logged and the job goes on; the record is
//     written again at the job's next change.
//   - The engine makes no retries of its own: retry policy (Retry-After,
//     backoff) belongs to the services.
//   - Store records are this package's private JSON (version "v"); other
//     packages must read jobs through Get and List. Version 1 records (the
//     whole job in one record) are still read; an unfinished one is stored
//     again in version 2 at Start.
//   - A finished video whose summary was deleted from the library since
//     shows an error item saying so when the job is read again.
package jobs
