// Package httpapi is the optional localhost HTTP API of API.md §5 and §6:
// the routes the web UI and scripts call, the SSE job stream, passcode
// login, and the host, origin and body checks in front of them.
//
// New(Config, Services) builds a Server; Handler returns its http.Handler
// and Serve runs it on a listener until its context ends. The server calls
// the services it is given (one small interface per route group, declared
// in services.go) and holds no state of its own beyond login sessions,
// lockout counters and request metrics. Each route's work is an exported
// operation of Server (ops.go) that the desktop window's bound methods call
// too, so both doors give the same answers; the SSE stream reads one broker
// subscription per client and frames it itself (sseframe.go).
//
// # Checks, in order, on every request
//
//  1. Host allow-list (DNS rebinding): localhost, *.localhost, loopback IP
//     literals, Config.AllowedHosts, or the IP literal the client connected
//     to. Anything else gets 403.
//  2. State-changing methods (not GET/HEAD/OPTIONS) with a foreign Origin,
//     or with Sec-Fetch-Site cross-site, get 403.
//  3. A body must be Content-Type application/json (415) and at most
//     Config.MaxBodyBytes, 1 MiB by default (413). Decoding is strict:
//     unknown fields, wrong types and trailing data get 400 with a sentence.
//  4. With login enabled, every route except POST /login, GET /login_status
//     and the web UI (GET of any path that is not an API route) needs the
//     session cookie or "Authorization: Bearer <token>" (401).
//
// # Errors
//
// Every error answer is {"error": sentence, "code": code} (plus "fields" for
// validation). Service errors map to statuses through ytsum.Code.HTTPStatus
// only. Transport-level refusals that have no code of their own use
// "unauthorized" (403) and "invalid" (405, 413, 415).
//
// # Caveats
//
//   - Sessions and lockout counters live in memory: a restart logs everyone
//     out and forgets failed attempts.
//   - The lockout is per connection address (RemoteAddr); behind a reverse
//     proxy every client shares the proxy's address. X-Forwarded-For is never
//     trusted.
//   - The SSE snapshot (Jobs.Snapshot) is taken after subscribing and says
//     the Seq of the job's last event it holds; the stream sends only the
//     job's events with a higher Seq, so a ?results=delta client applying
//     the item events to the first message neither misses nor repeats one.
//   - The default stream builds each job message from Jobs.Get when it
//     writes it (the broker keeps at most one pending job event per job):
//     a slow client gets the latest state, but each message carries every
//     result, so a job of thousands of videos costs O(job) per message;
//     ?results=delta costs O(1) per change.
//   - A reconnect gets the current state, not a replay of missed deltas;
//     the first message holds every finished summary in full. A delta
//     client that falls more than events.Options.ItemBuffer items behind is
//     disconnected (items are never dropped) and reconnects the same way.
//   - Message ids are the broker's sequence numbers; after an app restart
//     they start again, which clients tolerate (ids are only echoed back).
//   - Server ReadTimeout is not set (it would cancel the context of streams
//     and long requests); ReadHeaderTimeout is 10 s and a body must arrive
//     within 30 s, after which the read deadline is lifted.
//   - Server WriteTimeout is not set; ordinary answers get a per-request
//     write deadline (Config.WriteTimeout), SSE a per-message deadline of
//     10 s, sync summaries none until they are ready.
//   - CPU and memory figures come from getrusage and /proc on Linux,
//     getrusage and sysctl on macOS, kernel32/psapi on Windows (no cgo).
//     Where the resident size is unknown, the Go runtime's footprint is shown.
package httpapi
