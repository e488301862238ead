// Package events is the one in-process event broker of YouTube Summarizer.
// The job engine publishes to it; the Wails window (through Forward) and the
// SSE server (package httpapi, one Subscription per client) both read from
// it, so the two front doors see the same events carrying the same bytes.
// Latest-wins coalescing happens here, once: a reader needs no queue of its
// own.
//
// # Guarantees
//
//   - Publish assigns every event a sequence number (ytsum.Event.Seq) that
//     increases monotonically across the broker, starting at 1. Each
//     subscription receives its events in increasing Seq order.
//   - Publish never blocks on a subscriber: it only appends to each matching
//     subscription's bounded in-memory queue. A slow or stalled subscriber
//     never stalls Publish or the other subscribers.
//   - Latest wins for job state: a subscription holds at most one pending
//     ytsum.EventJob event per job. A newer one replaces the older one (and
//     moves to the end of the queue, keeping Seq order), so a slow reader
//     gets the latest state, never a backlog.
//   - Item events (ytsum.EventItem) are never dropped: a client's copy of a
//     job built from them would silently miss a result. A subscription
//     holding Options.ItemBuffer of them unread is evicted instead (below).
//   - Summary deltas (ytsum.EventSummaryDelta) may be dropped for a slow
//     subscriber once its delta buffer is full (Options.DeltaBuffer); the
//     count is reported by Subscription.Dropped. The full text always
//     arrives later in the job's state.
//   - A subscription whose pending job events span more than Options.MaxJobs
//     distinct jobs, or whose unread item events would exceed
//     Options.ItemBuffer, is evicted: Next returns ErrEvicted and Done is closed.
//     A client then resubscribes and reads the current state.
//
// # Payloads
//
// The broker does not know the SSE wire format (package httpapi frames the
// events). Forward hands the Wails adapter ev.Data as a json.RawMessage,
// which encoding/json re-emits unchanged, so the window and the SSE stream
// receive the same bytes (proved by the golden test in package httpapi).
//
// # Caveats
//
// The broker keeps no history: a subscriber sees only events published after
// it subscribed. The SSE server sends the job's current state (from the job
// engine) first, then the events. Heartbeats are not broker events and carry
// no sequence number.
package events
