package subscriptions

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ytsum/backend/store"
	"ytsum/backend/youtube"
	"ytsum/backend/ytsum"
)

// Feeds fetches a keyless Atom feed; *youtube.Client implements it (with
// its pacing, retries and the 30 s deadline). Errors are *ytsum.Error.
type Feeds interface {
	Feed(ctx context.Context, q youtube.FeedQuery) (*youtube.Feed, error)
}

// Resolver turns a channel or playlist link (/@handle, /channel/UC…,
// /c/name, /user/name, /playlist?list=…, a bare UC… id) into what is
// followed: kind is ytsum.SubscriptionChannel or ytsum.SubscriptionPlaylist,
// sourceID the UC… channel id or the playlist id, title and thumbnail
// (avatar) for display (either may be empty). A channel or playlist that
// does not exist is a *ytsum.Error with Code not_found; any other link it
// cannot follow, Code invalid. Must honour ctx and be safe for concurrent
// use. The youtube package's channel resolution implements it through a
// small adapter.
type Resolver interface {
	Resolve(ctx context.Context, rawURL string) (kind, sourceID, title, thumbnail string, err error)
}

// JobRequest is one summarize job for the new videos of one check.
type JobRequest struct {
	SubscriptionID string
	// URLs are watch URLs, oldest video first.
	URLs    []string
	Options ytsum.SummaryOptions
}

// Submitter creates the job that summarizes a check's new videos.
//
// Submit must create one pending job for req and write its first record
// ONLY by calling persist(jobID, record) — exactly once, before Submit
// returns, with the bytes it would otherwise have given Store.PutJob — and
// must start the job only if persist returned nil. persist is store.DB.RecordCheck: it writes the job
// record together with the videos it marks seen and the subscription's new
// state in one bbolt transaction. So:
//
//   - a crash before persist commits loses nothing: no video is marked seen,
//     the next check finds them again (the feed validators are saved in the
//     same transaction, so the next check does not get a 304 either);
//   - a crash after persist commits repeats nothing: the videos are seen,
//     and the job record is pending in the jobs bucket, so the engine
//     resumes it at its next Start like any interrupted job.
//
// If persist fails, Submit returns its error (the job must not run). If
// Submit fails after persist succeeded, it must still have queued the job
// (or leave it to the next Start) and should return the id with a nil
// error. With the jobs engine the lead implements it by letting
// jobs.Engine.submit call a per-request persist hook instead of
// persistLocked's Store.PutJob for the initial write (see the package
// documentation). Submit must honour ctx and be safe for concurrent use.
type Submitter interface {
	Submit(ctx context.Context, req JobRequest, persist func(jobID string, record []byte) error) (jobID string, err error)
}

// Library reports whether a video already has a summary in the library;
// such a video is linked to the subscription instead of summarized again.
// LibraryFromStore implements it with the store.
type Library interface {
	Has(ctx context.Context, videoID string) (bool, error)
}

// LibraryFromStore is a Library reading the store's library entries.
func LibraryFromStore(db *store.DB) Library { return storeLibrary{db} }

type storeLibrary struct{ db *store.DB }

func (l storeLibrary) Has(_ context.Context, videoID string) (bool, error) {
	_, ok, err := l.db.Latest(videoID)
	return ok, err
}

// VideoStatus says whether a new video can be summarized now.
type VideoStatus int

// Video statuses. Upcoming and Live are deferred (looked at again later),
// not failed.
const (
	VideoReady    VideoStatus = iota // an ordinary video, or a stream that has ended
	VideoUpcoming                    // a premiere or scheduled stream that has not started
	VideoLive                        // a live stream that has not ended
)

// VideoState is what VideoStates answers about one video.
type VideoState struct {
	Status VideoStatus
	// StartsAt is when an upcoming video starts, when known.
	StartsAt time.Time
}

// VideoStates looks up whether a video is live or upcoming (the youtube
// client's player answer knows: videoDetails.isLive / isUpcoming and
// playabilityStatus.liveStreamability). An error is not fatal: the video is
// summarized as if ready, and the job reports what went wrong.
type VideoStates interface {
	VideoState(ctx context.Context, videoID string) (VideoState, error)
}

// ShortsDetector reports whether a video is a Short. HTTPShorts implements
// it; entries the feed links as /shorts/ID are known Shorts without asking.
// An error counts as "not a Short".
type ShortsDetector interface {
	IsShort(ctx context.Context, videoID string) (bool, error)
}

// HTTPShorts detects Shorts with one HEAD request to {BaseURL}/shorts/ID
// without following redirects: YouTube answers 200 for a Short and
// redirects (303 to /watch) for any other video. Each call has a 15 s
// deadline and honours ctx.
type HTTPShorts struct {
	// BaseURL is YTSUM_YOUTUBE_URL; zero: https://www.youtube.com.
	BaseURL string
	// Client sends the request; nil: a client with a 15 s timeout. Its
	// CheckRedirect is not used: redirects are never followed.
	Client *http.Client
	// Wait, when set, is called before the request (the youtube client's
	// pacing); its error ends the call.
	Wait func(ctx context.Context) error
}

// IsShort implements ShortsDetector.
func (h HTTPShorts) IsShort(ctx context.Context, videoID string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if h.Wait != nil {
		if err := h.Wait(ctx); err != nil {
			return false, err
		}
	}
	base := strings.TrimRight(h.BaseURL, "/")
	if base == "" {
		base = "https://www.youtube.com"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, base+"/shorts/"+url.PathEscape(videoID), nil)
	if err != nil {
		return false, err
	}
	hc := h.Client
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		return false, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

// Publisher receives the changes front ends show. Methods are called
// outside any lock, after the change is durable, from the goroutine that
// made it; they must not block for long. The lead routes Changed and
// Removed through the event broker as ytsum.EventSubscription events, and
// Found to a desktop notification.
type Publisher interface {
	// Changed: a subscription was added, edited, checked, or its new count
	// changed.
	Changed(s ytsum.Subscription)
	// Removed: a subscription was unfollowed (s is its last state).
	Removed(s ytsum.Subscription)
	// Found: a check queued jobID to summarize videoIDs (one call per
	// check that found something; none when nothing is new). For the
	// notification "3 new summaries from Channel X".
	Found(s ytsum.Subscription, videoIDs []string, jobID string)
}

// Clock is the time source of the scheduler; tests inject a fake.
type Clock interface {
	Now() time.Time
	// NewTimer returns a channel that receives once d has passed, and a
	// stop function.
	NewTimer(d time.Duration) (<-chan time.Time, func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}
