// Package audio is the crash-safe, size-limited disk cache of synthesized
// speech (one directory, one file per voice and text).
//
// File names are content addressed like the original app's
// ("{voice}_{blake2b-128(text)}.mp3", previews "preview_{voice}_{hash}.mp3"),
// computed by Key and PreviewKey on the cleaned text. Offline-voice files may
// end in ".wav" when no MP3 encoder was found.
//
// Crash safety: Put writes to a temporary file (".tmp-*") in the cache
// directory, fsyncs it, renames it into place and fsyncs the directory, then
// records the file's length and SHA-256 in a small manifest (manifest.json,
// itself replaced atomically). Get verifies a file against the manifest and
// treats a mismatch as a miss (the bad file is deleted). A file without a
// manifest entry (a crash between rename and manifest write, or a file copied
// in from the original app) is accepted when its header is MP3 (ID3 or frame
// sync) or RIFF/WAVE, and adopted into the manifest. Open sweeps temporary
// files left by a crash, and files whose size disagrees with the manifest.
//
// Limits: size, count and age (defaults as the original app: 50 MB, 100 files,
// 72 hours, cleanup when 80 % of either cap is used). Cleanup removes expired
// files first, then the oldest by modification time until both caps hold.
// A cache hit refreshes the file's modification time, so "age" means "time
// since last played" (the original counted from creation). SetOptions
// changes the limits at run time.
//
// Caveats:
//   - Status and Cleanup scan the directory, so they are O(files); with the
//     default 100-file cap that is negligible.
//   - The video index (Index) is owned by the store; a file removed by the
//     limits stays listed there until RemoveVideo, which ignores missing files.
//   - Two videos whose summaries have the same text share one file; deleting
//     one video's audio deletes it for both (the other re-synthesizes on play).
//   - Directory fsync is best effort on Windows, where it is not supported.
package audio
