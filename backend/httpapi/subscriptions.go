package httpapi

// The subscriptions routes (API.md §5): follow, list, edit, unfollow and
// check channels and playlists, and clear a summary's "new" mark. Each
// operation below is what the route's handler and the window's bound
// method call.

import (
	"context"
	"net/http"
	"strings"

	"ytsum/backend/subscriptions"
	"ytsum/backend/ytsum"
)

// Subscriptions follows channels and playlists (*subscriptions.Service).
// Errors are *ytsum.Error: invalid (a video link, a look-alike host, bad
// options), not_found, conflict (already followed), unavailable.
type Subscriptions interface {
	Follow(ctx context.Context, rawURL string, opts subscriptions.FollowOptions) (ytsum.Subscription, error)
	List() ([]ytsum.Subscription, error)
	Update(ctx context.Context, id string, p subscriptions.Patch) (ytsum.Subscription, error)
	Unfollow(id string) error
	Check(ctx context.Context, id string) (newVideos int, jobID string, err error)
	MarkOpened(videoID string) error
	// NewVideos: the videos marked new, of subscription id or of all ("").
	NewVideos(id string) ([]string, error)
	// Videos: the videos subscription id summarized or linked.
	Videos(id string) ([]string, error)
}

// SubscriptionList is the answer of GET /subscriptions.
type SubscriptionList struct {
	Subscriptions []ytsum.Subscription `json:"subscriptions"`
}

// FollowRequest is the body of POST /subscriptions.
type FollowRequest struct {
	URL             string `json:"url"`
	Model           string `json:"model,omitempty"`
	Style           string `json:"style,omitempty"`
	Length          string `json:"length,omitempty"`
	Language        string `json:"language,omitempty"`
	IntervalMinutes int    `json:"interval_minutes,omitempty"`
	Backfill        int    `json:"backfill,omitempty"`
}

// SubscriptionPatch is the body of PATCH /subscriptions/{id}; absent
// (null) members are unchanged.
type SubscriptionPatch struct {
	Paused          *bool   `json:"paused,omitempty"`
	Model           *string `json:"model,omitempty"`
	Style           *string `json:"style,omitempty"`
	Length          *string `json:"length,omitempty"`
	Language        *string `json:"language,omitempty"`
	IntervalMinutes *int    `json:"interval_minutes,omitempty"`
}

// CheckResult is the 202 answer of POST /subscriptions/{id}/check.
type CheckResult struct {
	NewVideos int     `json:"new_videos"`
	JobID     *string `json:"job_id"`
}

// Success is {"success":true}.
type Success struct {
	Success bool `json:"success"`
}

func (s *Server) subsWired() error {
	if s.svc.Subscriptions == nil {
		return unwired("Following channels")
	}
	return nil
}

var errUnknownSubscription = &ytsum.Error{Code: ytsum.CodeNotFound, Kind: subscriptions.KindNotFound,
	Message: "There is no such subscription; it may have been unfollowed."}

// ListSubscriptions is GET /subscriptions.
func (s *Server) ListSubscriptions(ctx context.Context) (SubscriptionList, error) {
	if err := s.subsWired(); err != nil {
		return SubscriptionList{}, err
	}
	if err := ctx.Err(); err != nil {
		return SubscriptionList{}, err
	}
	list, err := s.svc.Subscriptions.List()
	if list == nil {
		list = []ytsum.Subscription{}
	}
	return SubscriptionList{Subscriptions: list}, err
}

// Follow is POST /subscriptions (201).
func (s *Server) Follow(ctx context.Context, req FollowRequest) (ytsum.Subscription, error) {
	if err := s.subsWired(); err != nil {
		return ytsum.Subscription{}, err
	}
	if strings.TrimSpace(req.URL) == "" {
		return ytsum.Subscription{}, invalid("url", "Paste the link of a YouTube channel or playlist to follow.")
	}
	if err := s.checkModel(ctx, req.Model); err != nil {
		return ytsum.Subscription{}, err
	}
	return s.svc.Subscriptions.Follow(ctx, req.URL, subscriptions.FollowOptions{Model: req.Model, Style: req.Style,
		Length: req.Length, Language: req.Language, IntervalMinutes: req.IntervalMinutes, Backfill: req.Backfill})
}

// UpdateSubscription is PATCH /subscriptions/{id}.
func (s *Server) UpdateSubscription(ctx context.Context, id string, p SubscriptionPatch) (ytsum.Subscription, error) {
	if err := s.subsWired(); err != nil {
		return ytsum.Subscription{}, err
	}
	if p.Model != nil {
		if err := s.checkModel(ctx, *p.Model); err != nil {
			return ytsum.Subscription{}, err
		}
	}
	sub, err := s.svc.Subscriptions.Update(ctx, id, subscriptions.Patch{Paused: p.Paused, Model: p.Model, Style: p.Style,
		Length: p.Length, Language: p.Language, IntervalMinutes: p.IntervalMinutes})
	return sub, unknownSub(err)
}

// Unfollow is DELETE /subscriptions/{id}: the summaries stay.
func (s *Server) Unfollow(ctx context.Context, id string) (Success, error) {
	if err := s.subsWired(); err != nil {
		return Success{}, err
	}
	if err := s.svc.Subscriptions.Unfollow(id); err != nil {
		return Success{}, unknownSub(err)
	}
	return Success{Success: true}, nil
}

// CheckSubscription is POST /subscriptions/{id}/check (202).
func (s *Server) CheckSubscription(ctx context.Context, id string) (CheckResult, error) {
	if err := s.subsWired(); err != nil {
		return CheckResult{}, err
	}
	n, jobID, err := s.svc.Subscriptions.Check(ctx, id)
	if err != nil {
		return CheckResult{}, unknownSub(err)
	}
	res := CheckResult{NewVideos: n}
	if jobID != "" {
		res.JobID = &jobID
	}
	return res, nil
}

// MarkOpened is POST /library/{video_id}/opened: the user opened this
// summary, so it is no longer new. Unknown or already opened videos are
// not an error.
func (s *Server) MarkOpened(ctx context.Context, videoID string) (Success, error) {
	if err := s.subsWired(); err != nil {
		return Success{}, err
	}
	if !validVideoID(videoID) {
		return Success{}, invalid("video_id", "That is not a YouTube video id.")
	}
	if err := ctx.Err(); err != nil {
		return Success{}, err
	}
	if err := s.svc.Subscriptions.MarkOpened(videoID); err != nil {
		return Success{}, err
	}
	return Success{Success: true}, nil
}

// subscriptionFilter is the library's video set for q's subscription and
// "new" filters (nil: no filter).
func (s *Server) subscriptionFilter(q LibraryQuery) ([]string, error) {
	if q.Subscription == "" && !q.New {
		return nil, nil
	}
	if err := s.subsWired(); err != nil {
		return nil, err
	}
	var ids []string
	var err error
	if q.New {
		ids, err = s.svc.Subscriptions.NewVideos(q.Subscription)
	} else {
		ids, err = s.svc.Subscriptions.Videos(q.Subscription)
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, unknownSub(err)
}

// unknownSub gives an unknown subscription the contract's sentence.
func unknownSub(err error) error {
	if ytsum.ErrorKind(err) == subscriptions.KindNotFound {
		return errUnknownSubscription
	}
	return err
}

func (s *Server) handleListSubscriptions(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) { return s.ListSubscriptions(ctx) })
}

func (s *Server) handleFollow(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusCreated, func(ctx context.Context) (any, error) {
		var req FollowRequest
		if err := decodeJSON(r, &req, false); err != nil {
			return nil, err
		}
		return s.Follow(ctx, req)
	})
}

func (s *Server) handleUpdateSubscription(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) {
		var p SubscriptionPatch
		if err := decodeJSON(r, &p, false); err != nil {
			return nil, err
		}
		return s.UpdateSubscription(ctx, r.PathValue("id"), p)
	})
}

func (s *Server) handleUnfollow(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) {
		return s.Unfollow(ctx, r.PathValue("id"))
	})
}

func (s *Server) handleCheckSubscription(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusAccepted, func(ctx context.Context) (any, error) {
		return s.CheckSubscription(ctx, r.PathValue("id"))
	})
}

func (s *Server) handleMarkOpened(w http.ResponseWriter, r *http.Request) {
	s.serveJSON(w, r, true, "", http.StatusOK, func(ctx context.Context) (any, error) {
		return s.MarkOpened(ctx, r.PathValue("video_id"))
	})
}

// SubscriptionPictures is implemented by a Subscriptions that caches
// pictures (*subscriptions.Service): Picture returns subscription id's
// cached avatar or playlist thumbnail and its content type, not_found when
// none is cached; it reads only local data (offline).
type SubscriptionPictures interface {
	Picture(id string) (data []byte, contentType string, err error)
}

// handleSubscriptionPicture is GET /thumbnails/subscriptions/{id}: the
// picture a subscription's thumbnail_url names; 404 when none is cached
// (the UI shows a letter).
func (s *Server) handleSubscriptionPicture(w http.ResponseWriter, r *http.Request) {
	pics, ok := s.svc.Subscriptions.(SubscriptionPictures)
	if !ok {
		s.unavailable(w, r, "Following channels")
		return
	}
	data, ct, err := pics.Picture(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeImage(w, r, data, ct, 3600)
}
