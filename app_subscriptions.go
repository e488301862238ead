package main

// The window's subscriptions methods (issue 17): each calls the same
// httpapi operation as its route (API.md §5).

import (
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"ytsum/backend/httpapi"
	"ytsum/backend/library"
	"ytsum/backend/ytsum"
)

// ListSubscriptions lists the followed channels and playlists, as GET
// /subscriptions does.
func (a *App) ListSubscriptions() (httpapi.SubscriptionList, error) {
	return a.api.ListSubscriptions(a.callCtx())
}

// Follow follows a channel or playlist, as POST /subscriptions does.
func (a *App) Follow(req httpapi.FollowRequest) (ytsum.Subscription, error) {
	return a.api.Follow(a.callCtx(), req)
}

// UpdateSubscription edits or pauses a subscription, as PATCH
// /subscriptions/{id} does.
func (a *App) UpdateSubscription(id string, patch httpapi.SubscriptionPatch) (ytsum.Subscription, error) {
	return a.api.UpdateSubscription(a.callCtx(), id, patch)
}

// Unfollow removes a subscription (its summaries stay), as DELETE
// /subscriptions/{id} does.
func (a *App) Unfollow(id string) (httpapi.Success, error) {
	return a.api.Unfollow(a.callCtx(), id)
}

// CheckSubscription checks a subscription's feed now, as POST
// /subscriptions/{id}/check does.
func (a *App) CheckSubscription(id string) (httpapi.CheckResult, error) {
	return a.api.CheckSubscription(a.callCtx(), id)
}

// MarkOpened clears a summary's "new" mark, as POST
// /library/{video_id}/opened does.
func (a *App) MarkOpened(videoID string) (httpapi.Success, error) {
	return a.api.MarkOpened(a.callCtx(), videoID)
}

// SubscriptionSummaries is the library filtered by subscription and/or
// "new", as GET /get_cached_summaries?subscription=…&new=1 does.
func (a *App) SubscriptionSummaries(q httpapi.LibraryQuery) (httpapi.LibraryPage, error) {
	return a.api.Library(a.callCtx(), q)
}

// SearchSubscriptionSummaries searches the library among the videos of a
// subscription and/or those marked new, as GET
// /search_summaries?q=…&subscription=…&new=1 does.
func (a *App) SearchSubscriptionSummaries(q httpapi.SearchQuery) ([]library.Hit, error) {
	return a.api.SearchLibrary(a.callCtx(), q)
}

// notifySubscription shows a desktop notification for a check that found
// new videos ("3 new summaries from Channel X").
func (a *App) notifySubscription(title, body string) {
	wctx := a.wailsCtx()
	if wctx == nil || !wruntime.IsNotificationAvailable(wctx) {
		return
	}
	_ = wruntime.SendNotification(wctx, wruntime.NotificationOptions{ID: "subscription-" + body, Title: title, Body: body})
}
