// Package store is the application's one bbolt database (FileName in the
// data directory): summaries, cached transcripts and video details, jobs,
// settings, the audio index and the search-index queue, under a schema
// version.
//
// # Basics
//
// Open once per process and share the *DB; every method is safe for
// concurrent use. Each DB method is one transaction; View and Update give
// several reads or writes one transaction (a Tx). Writes are synced to disk
// before they return (bbolt's NoSync is never set), so a crash or kill at any
// moment leaves either the old or the new state. The frequent writes
// (summaries, job records, the YouTube caches, the index queue) go through
// a group commit (group.go): those arriving while another commits share the
// next transaction and its sync, so such a write waits for at most the
// commit in progress. The rare ones (DB.Update: settings, subscriptions,
// conversations, audio, imports) take bbolt's writer lock directly.
//
// One exception: job parts written without a head (a video's outcome) go
// to a journal file beside the database (FileName+JournalSuffix, one
// write call, no sync) and into the database with the next commit, at the
// latest 100 ms later; Open replays what a crash left there. Such a part
// survives a crash of the process as soon as PutJob returns and a power loss
// shortly after (journal.go says why that is enough).
//
// A video may have several summaries, one per cache key (model, style,
// length, language, prompt version), stored under (video id, cache key).
// The library shows one entry per video: its newest summary. The derived
// buckets "latest" and "timeline" (ordered by summary time) and the video
// count are maintained in the same transaction as every summary write, so
// Page is a cursor walk and the total is one read.
//
// Summaries and transcripts are stored as snappy-compressed JSON behind a
// one-byte tag (plain JSON is read too), so a typical record fits in a
// fraction of a page; video details, jobs and settings are stored as given.
// A job is a head record ("jobs") and parts ("job_parts", keyed by job id and
// the engine's part key), written together in one transaction, so a change
// of a large job rewrites only what changed; DeleteJob removes both.
//
// Writes that change what search should find (summaries, transcripts of a
// summarised video, deletions) also queue the video in "index_pending" in
// the same transaction. Package library drains that queue into the search
// index and clears entries with ClearPending, which keeps an entry that was
// queued again meanwhile. So the index catches up after a crash, and even
// after writes made directly through this package.
//
// # Caveats
//
//   - A second process opening the same file waits Options.Timeout (1 s)
//     for the lock and then fails with kind "already_running".
//   - A file that bbolt rejects (ErrInvalid, ErrChecksum, ErrVersionMismatch)
//     or whose content panics bbolt during open and migration is renamed to
//     "<file>.corrupt-<time>" and a fresh, empty database is created; jobs and
//     settings are lost with it (back them up with Backup). DB.Recovery
//     reports this so the UI can tell the user. Damage deeper in the file is
//     found only by Check (or Options.CheckOnOpen), which reads every page.
//   - A brand-new file can be corrupted by power loss during its very first
//     initialisation (bbolt README); the recovery above then applies.
//   - Identifiers (video ids, cache keys, languages, file and job ids) must
//     not hold a NUL byte and are at most 512 bytes.
//   - View functions must not call write methods: bbolt can deadlock when it
//     grows the file while a read transaction is open in the same goroutine.
//     ForEachLatest, ForEachSummary and ForEachJob read in short chunks and
//     call their function outside any transaction, so they are not snapshots
//     across chunks.
//   - Long read transactions (View, Backup) keep freed pages from being
//     reused, so the file grows while they run; bbolt never shrinks a file.
//   - Migrations run inside one Update at Open: a failing step leaves the
//     file untouched and Open fails. A file with a newer schema is refused
//     (kind "schema_too_new") rather than downgraded.
//
// Errors at this package's boundary are *ytsum.Error: invalid for bad
// identifiers, not_found for a missing job, unavailable for "already
// running", internal otherwise (with the cause for the log).
package store
