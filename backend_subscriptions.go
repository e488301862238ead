package main

// The subscriptions wiring (issue 17): the service over the store, the
// YouTube client (feeds, channel resolution, Shorts), the job engine
// (through a Persist hook, so a check's seen videos and its job's record
// are one bbolt transaction), the summarizer's option check, the
// subscriptions_skip_shorts setting and the event broker. Run (the
// scheduler) is started by the window and by `ytsum serve`, never by the
// one-shot CLI commands.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"ytsum/backend/jobs"
	"ytsum/backend/subscriptions"
	"ytsum/backend/youtube"
	"ytsum/backend/ytsum"
)

// subsSubmitter creates a check's job through the engine; persist writes
// the job's first record in the check's transaction.
type subsSubmitter struct{ e *jobs.Engine }

func (a subsSubmitter) Submit(ctx context.Context, req subscriptions.JobRequest, persist func(string, []byte) error) (string, error) {
	j, err := a.e.Submit(ctx, jobs.Request{URLs: req.URLs, Options: req.Options, ForceAsync: true, Persist: persist})
	if err != nil {
		return "", err
	}
	return j.ID, nil
}

var bareChannelID = regexp.MustCompile(`^UC[0-9A-Za-z_-]{22}$`)

// subsResolver resolves a link to follow: a channel link (one GET of the
// channel page, for its UC… id and title) or a playlist link (no request:
// the feed gives the title).
type subsResolver struct{ yt *youtube.Client }

func (r subsResolver) Resolve(ctx context.Context, raw string) (kind, id, title, thumb string, err error) {
	s := strings.TrimSpace(raw)
	if !bareChannelID.MatchString(s) && !strings.HasPrefix(s, "@") {
		l, perr := youtube.Parse(s, true)
		if perr != nil {
			return "", "", "", "", perr
		}
		switch l.Kind {
		case youtube.Playlist:
			return ytsum.SubscriptionPlaylist, l.PlaylistID, "", "", nil
		case youtube.Channel:
		default:
			return "", "", "", "", ytsum.Errorf(ytsum.CodeInvalid, subscriptions.KindVideoLink,
				"This is a video, not a channel or playlist — summarize it instead?")
		}
	}
	id, title, thumb, err = r.yt.ChannelDetails(ctx, s)
	if err != nil {
		return "", "", "", "", err
	}
	return ytsum.SubscriptionChannel, id, title, thumb, nil
}

// subsPicture downloads a subscription's picture through the YouTube
// client (its pacing, deadlines and host allow-list): a video thumbnail
// (a playlist's first video, whose feed names i*.ytimg.com) is fetched from
// YTSUM_THUMBNAIL_URL like the library's; a channel avatar as the channel
// page names it. Anything but an image is refused.
func (s *Backend) subsPicture(ctx context.Context, raw string) ([]byte, error) {
	if u, err := url.Parse(raw); err == nil && strings.HasSuffix(u.Hostname(), "ytimg.com") {
		if parts := strings.Split(strings.Trim(u.Path, "/"), "/"); len(parts) == 3 && parts[0] == "vi" {
			raw = s.yt.ThumbnailURL(parts[1])
		}
	}
	data, _, err := s.yt.Get(ctx, raw)
	if err != nil {
		return nil, err
	}
	if ct := http.DetectContentType(data); !strings.HasPrefix(ct, "image/") {
		return nil, fmt.Errorf("the picture at %s is not an image (%s)", raw, ct)
	}
	return data, nil
}

// subsVideoStates defers live streams that have not ended and premieres
// that have not aired (the player answer's isLive / isUpcoming).
type subsVideoStates struct{ yt *youtube.Client }

func (v subsVideoStates) VideoState(ctx context.Context, id string) (subscriptions.VideoState, error) {
	live, upcoming, err := v.yt.LiveState(ctx, id)
	switch {
	case err != nil:
		return subscriptions.VideoState{}, err
	case upcoming:
		return subscriptions.VideoState{Status: subscriptions.VideoUpcoming}, nil
	case live:
		return subscriptions.VideoState{Status: subscriptions.VideoLive}, nil
	}
	return subscriptions.VideoState{Status: subscriptions.VideoReady}, nil
}

// newSubscriptions builds the subscriptions service; the engine must exist.
func (s *Backend) newSubscriptions() *subscriptions.Service {
	cur := s.cfg.Current
	cfg := subscriptions.Config{
		DB:          s.db,
		Feeds:       s.yt,
		Resolver:    subsResolver{s.yt},
		Submitter:   subsSubmitter{s.engine},
		VideoStates: subsVideoStates{s.yt},
		Shorts:      subscriptions.HTTPShorts{BaseURL: s.env.YouTubeURL, Client: s.opts.HTTPClient, Wait: s.yt.Wait},
		SkipShorts:  func() bool { return cur().SubscriptionsSkipShorts },
		ValidateOptions: func(ctx context.Context, o ytsum.SummaryOptions) error {
			_, err := s.sum.Resolve(ctx, o)
			return err
		},
		Publisher: subscriptions.EventPublisher{
			Emit:   func(ev ytsum.Event) { s.broker.Publish(ev) },
			Notify: s.notifySubscription,
		},
		FetchPicture: s.subsPicture,
		Logger:       s.log,
	}
	if s.opts.tuneSubscriptions != nil {
		s.opts.tuneSubscriptions(&cfg)
	}
	return subscriptions.New(cfg)
}

// subsRunner is the scheduler's lifetime: started once, stopped by Close
// before the engine stops.
type subsRunner struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	notify func(title, body string) // the window's desktop notification
}

// StartSubscriptions starts the subscriptions scheduler (once; later calls
// do nothing) until Close. notify, when not nil, shows a desktop
// notification for a check that found new videos (the window); every such
// check is logged in any case.
func (s *Backend) StartSubscriptions(notify func(title, body string)) {
	s.subsRun.mu.Lock()
	defer s.subsRun.mu.Unlock()
	s.subsRun.notify = notify
	if s.subsRun.cancel != nil || s.subs == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.subsRun.cancel, s.subsRun.done = cancel, make(chan struct{})
	go func() {
		defer close(s.subsRun.done)
		if err := s.subs.Run(ctx); err != nil {
			s.log.Error("subscriptions: scheduler stopped", "err", err)
		}
	}()
	s.log.Info("subscriptions: scheduler started")
}

// stopSubscriptions stops the scheduler and waits for its check in flight.
func (s *Backend) stopSubscriptions() {
	s.subsRun.mu.Lock()
	cancel, done := s.subsRun.cancel, s.subsRun.done
	s.subsRun.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	if s.subs != nil {
		s.subs.Close() // picture downloads in flight
	}
}

func (s *Backend) notifySubscription(title, body string) {
	s.log.Info("subscriptions: " + body)
	s.subsRun.mu.Lock()
	notify := s.subsRun.notify
	s.subsRun.mu.Unlock()
	if notify != nil {
		notify(title, body)
	}
}

// Subscriptions is the subscriptions service (nil before openBackend).
func (s *Backend) Subscriptions() *subscriptions.Service { return s.subs }
