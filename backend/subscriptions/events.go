package subscriptions

import (
	"encoding/json"
	"fmt"

	"ytsum/backend/ytsum"
)

// EventPublisher is the Publisher the app wires: every change becomes one
// ytsum.EventSubscription event whose Data is the subscription's JSON
// (API.md §7; a removal carries the last state and "removed": true), and every check that found
// something one notification. Nil funcs are skipped.
type EventPublisher struct {
	// Emit publishes an event on the broker, e.g.
	// func(ev ytsum.Event) { broker.Publish(ev) }.
	Emit func(ev ytsum.Event)
	// Notify shows a desktop notification (window only); title and body
	// are ready to show, e.g. "YouTube Summarizer" and
	// "3 new summaries from Channel X".
	Notify func(title, body string)
}

// SubscriptionJSON is the one encoding of a subscription for every
// transport.
func SubscriptionJSON(s ytsum.Subscription) []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	return b
}

// Changed implements Publisher.
func (p EventPublisher) Changed(s ytsum.Subscription) { p.emit(s) }

// Removed implements Publisher: the event carries the last state with
// "removed": true, so a front end drops it from its list.
func (p EventPublisher) Removed(s ytsum.Subscription) {
	s.Removed = true
	p.emit(s)
}

func (p EventPublisher) emit(s ytsum.Subscription) {
	if p.Emit != nil {
		p.Emit(ytsum.Event{Type: ytsum.EventSubscription, Data: SubscriptionJSON(s)})
	}
}

// Found implements Publisher: one notification per check that found
// something.
func (p EventPublisher) Found(s ytsum.Subscription, videoIDs []string, _ string) {
	if p.Notify == nil || len(videoIDs) == 0 {
		return
	}
	p.Notify("YouTube Summarizer", NotificationText(s, len(videoIDs)))
}

// NotificationText is the sentence of the notification for n new videos.
func NotificationText(s ytsum.Subscription, n int) string {
	if n == 1 {
		return fmt.Sprintf("1 new summary from %s", s.Title)
	}
	return fmt.Sprintf("%d new summaries from %s", n, s.Title)
}
