package ytsum

import "time"

// Subscription kinds (API.md §5).
const (
	SubscriptionChannel  = "channel"
	SubscriptionPlaylist = "playlist"
)

// EventSubscription is the broker event type whose Data is a Subscription's
// JSON: sent when one is added, changed, checked or removed (API.md §7).
const EventSubscription = "subscription"

// Subscription is a followed channel or playlist, in the JSON of API.md §5.
// Empty Model, Style, Length and Language mean the configured default.
// LastCheckedAt and LastError are null until the first check and while the
// last check succeeded, respectively. NewCount is how many videos found by
// this subscription are marked new (not opened yet).
type Subscription struct {
	ID              string     `json:"id"`
	Kind            string     `json:"kind"`
	SourceID        string     `json:"source_id"`
	Title           string     `json:"title"`
	URL             string     `json:"url"`
	Model           string     `json:"model"`
	Style           string     `json:"style"`
	Length          string     `json:"length"`
	Language        string     `json:"language"`
	IntervalMinutes int        `json:"interval_minutes"`
	Paused          bool       `json:"paused"`
	CreatedAt       time.Time  `json:"created_at"`
	LastCheckedAt   *time.Time `json:"last_checked_at"`
	LastError       *string    `json:"last_error"`
	NewCount        int        `json:"new_count"`
	// ThumbnailURL is where the cached avatar (channel) or first video's
	// thumbnail (playlist) is served, "/thumbnails/subscriptions/{id}", or
	// "" (JSON null) while none is cached: the UI then shows a letter.
	ThumbnailURL *string `json:"thumbnail_url"`
	// Removed is true only in the subscription event sent when it is
	// unfollowed (the event carries its last state); absent otherwise.
	Removed bool `json:"removed,omitempty"`
}
