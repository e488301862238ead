package subscriptions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"ytsum/backend/store"
	"ytsum/backend/youtube"
	"ytsum/backend/ytsum"
)

// Defaults and bounds of Config and of a subscription's settings.
const (
	DefaultIntervalMinutes = 60
	MinIntervalMinutes     = 5
	MaxIntervalMinutes     = 7 * 24 * 60
	// MaxBackfill bounds FollowOptions.Backfill. The keyless feed lists
	// only the newest 15 videos, so a larger backfill gets at most 15.
	MaxBackfill = 50
)

// Config wires a Service. DB, Feeds, Resolver and Submitter are required.
type Config struct {
	DB        *store.DB
	Feeds     Feeds
	Resolver  Resolver
	Submitter Submitter
	// Library: nil means LibraryFromStore(DB).
	Library Library
	// VideoStates: nil means every video is ready, except entries the feed
	// dates in the future (deferred until then).
	VideoStates VideoStates
	// Shorts: nil means only the feed's /shorts/ links are known Shorts.
	Shorts ShortsDetector
	// SkipShorts is the setting "skip Shorts" read at every check; nil
	// means true (skip them).
	SkipShorts func() bool
	// ValidateOptions checks a subscription's model, style, length and
	// language when it is followed or edited (the summarizer's option
	// resolution, under the caller's ctx); nil accepts anything (the job
	// then reports bad options).
	ValidateOptions func(context.Context, ytsum.SummaryOptions) error
	// Publisher: nil publishes nothing.
	Publisher Publisher
	// FetchPicture downloads a subscription's picture (the channel's
	// avatar, or a playlist's first video thumbnail) from rawURL and returns
	// the image; it must honour ctx. nil: no picture is cached and the UI
	// shows a letter. The picture is fetched after Follow has answered,
	// within PictureTimeout, and kept in the store (served offline).
	FetchPicture func(ctx context.Context, rawURL string) ([]byte, error)
	// PictureTimeout bounds one picture download. Zero: 20 s.
	PictureTimeout time.Duration
	// Clock: nil means the real clock.
	Clock Clock
	// NewID returns a new subscription id; nil means 16 random hex digits.
	NewID func() string
	// BackoffBase is the delay before the first retry after a failed
	// check; it doubles per consecutive failure up to BackoffMax. Zero:
	// 5 min and 24 h.
	BackoffBase, BackoffMax time.Duration
	// Jitter is the fraction by which every delay is randomly stretched or
	// shrunk (so 50 subscriptions never fire together). Zero: 0.1;
	// negative: none.
	Jitter float64
	// StartSpread spreads the catch-up checks due at Run's start over this
	// long. Zero: 2 min.
	StartSpread time.Duration
	// MaxDeferral is how long a live or upcoming video is looked at again
	// before it is given up. Zero: 14 days.
	MaxDeferral time.Duration
	// Rand returns a number in [0, 1) for jitter; nil: math/rand/v2.
	Rand func() float64
	// Logger: nil discards.
	Logger *slog.Logger
}

// FollowOptions are the settings of a new subscription; empty means the
// configured default. Backfill is how many of the newest existing videos
// to summarize at once (default 0: only videos published from now on).
type FollowOptions struct {
	Model, Style, Length, Language string
	IntervalMinutes                int
	Backfill                       int
}

// Patch is a partial edit of a subscription; nil fields are unchanged.
type Patch struct {
	Paused                         *bool
	Model, Style, Length, Language *string
	IntervalMinutes                *int
}

// Service follows channels and playlists. All methods are safe for
// concurrent use; checks of one subscription are serialised (a manual
// Check waits for a running scheduled one), checks of different ones run
// in parallel. Errors are *ytsum.Error.
type Service struct {
	cfg Config
	log *slog.Logger
	clk Clock

	mu    sync.Mutex
	locks map[string]*sync.Mutex // per-subscription check locks
	wake  chan struct{}          // nudges Run after a change of schedule

	onIdle func(next time.Time) // tests: Run is about to wait until next (zero: no timer)

	pictures sync.WaitGroup // picture downloads in flight (Close waits)
	stop     chan struct{}  // closed by Close: picture downloads end
	stopOnce sync.Once
}

// New returns a Service for cfg; it panics when a required dependency is
// missing (a wiring bug).
func New(cfg Config) *Service {
	if cfg.DB == nil || cfg.Feeds == nil || cfg.Resolver == nil || cfg.Submitter == nil {
		panic("subscriptions: Config needs DB, Feeds, Resolver and Submitter")
	}
	if cfg.Library == nil {
		cfg.Library = LibraryFromStore(cfg.DB)
	}
	if cfg.SkipShorts == nil {
		cfg.SkipShorts = func() bool { return true }
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.NewID == nil {
		cfg.NewID = randomID
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = 5 * time.Minute
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 24 * time.Hour
	}
	if cfg.Jitter == 0 {
		cfg.Jitter = 0.1
	} else if cfg.Jitter < 0 {
		cfg.Jitter = 0
	}
	if cfg.StartSpread <= 0 {
		cfg.StartSpread = 2 * time.Minute
	}
	if cfg.MaxDeferral <= 0 {
		cfg.MaxDeferral = 14 * 24 * time.Hour
	}
	if cfg.PictureTimeout <= 0 {
		cfg.PictureTimeout = 20 * time.Second
	}
	if cfg.Rand == nil {
		cfg.Rand = mrand.Float64
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, log: log, clk: cfg.Clock, locks: make(map[string]*sync.Mutex), wake: make(chan struct{}, 1),
		stop: make(chan struct{})}
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// record is the stored form of a subscription (store keeps it opaque).
type record struct {
	V         int                `json:"v"`
	Sub       ytsum.Subscription `json:"sub"`
	Thumbnail string             `json:"thumbnail,omitempty"`
	// Feed validators of the last answer whose entries were all recorded.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Failures counts consecutive failed checks (the back-off exponent).
	Failures int `json:"failures,omitempty"`
	// NextCheck is when the scheduler checks next.
	NextCheck time.Time `json:"next_check"`
}

func (r *record) sourceKey() string { return r.Sub.Kind + ":" + r.Sub.SourceID }

func (r *record) options() ytsum.SummaryOptions {
	return ytsum.SummaryOptions{Model: r.Sub.Model, Style: r.Sub.Style, Length: r.Sub.Length, Language: r.Sub.Language}
}

func (r *record) encode() []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	return b
}

func decodeRecord(b []byte) (*record, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, ytsum.Wrap(err, ytsum.CodeInternal, "corrupt_subscription", "This subscription's saved record cannot be read; unfollow and follow it again.")
	}
	return &r, nil
}

func (s *Service) load(id string) (*record, error) {
	b, err := s.cfg.DB.Subscription(id)
	if err != nil {
		return nil, err
	}
	return decodeRecord(b)
}

// lock returns subscription id's check lock.
func (s *Service) lock(id string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.locks[id]
	if l == nil {
		l = new(sync.Mutex)
		s.locks[id] = l
	}
	return l
}

func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// jitter stretches or shrinks d by up to cfg.Jitter.
func (s *Service) jitter(d time.Duration) time.Duration {
	if s.cfg.Jitter == 0 {
		return d
	}
	f := 1 + s.cfg.Jitter*(2*s.cfg.Rand()-1)
	return time.Duration(float64(d) * f)
}

func interval(r *record) time.Duration {
	m := r.Sub.IntervalMinutes
	if m <= 0 {
		m = DefaultIntervalMinutes
	}
	return time.Duration(m) * time.Minute
}

// backoff is the delay after n consecutive failures (n ≥ 1).
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.BackoffBase
	for i := 1; i < n && d < s.cfg.BackoffMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.BackoffMax)
}

// Errors of Follow and the other operations (ytsum.Error.Kind).
const (
	KindVideoLink       = "video_link"
	KindNotFollowable   = "not_followable"
	KindBadInterval     = "bad_interval"
	KindBadBackfill     = "bad_backfill"
	KindNotFound        = "subscription_not_found"
	KindAlreadyFollowed = "already_followed"
)

var (
	channelIDRe = regexp.MustCompile(`^UC[0-9A-Za-z_-]{22}$`)
	sourceIDRe  = regexp.MustCompile(`^[0-9A-Za-z_-]{2,64}$`)
)

// precheck rejects, without any request, links that cannot be followed:
// video links (with the question the contract asks), look-alike and other
// hosts, bad schemes, search, hashtag and home pages, mixes and login-only
// lists. Anything else (channel pages, playlists) goes to the Resolver.
func precheck(raw string) error {
	s := strings.TrimSpace(raw)
	if channelIDRe.MatchString(s) {
		return nil
	}
	l, err := youtube.Parse(s, true)
	if err == nil {
		if l.Kind == youtube.Video {
			return ytsum.Errorf(ytsum.CodeInvalid, KindVideoLink,
				"This is a video, not a channel or playlist — summarize it instead?")
		}
		return nil
	}
	switch ytsum.ErrorKind(err) {
	case youtube.KindChannelLink, youtube.KindUnsupportedPage:
		return nil // a channel page: the Resolver knows
	case youtube.KindClipLink:
		return ytsum.Errorf(ytsum.CodeInvalid, KindVideoLink,
			"This is a video clip, not a channel or playlist — summarize it instead?")
	case youtube.KindEmptyLink:
		return ytsum.Errorf(ytsum.CodeInvalid, youtube.KindEmptyLink, "The link is empty; paste a YouTube channel or playlist link.")
	case youtube.KindBadScheme, youtube.KindNotYouTube, youtube.KindLookAlike:
		return err
	}
	return ytsum.Wrap(err, ytsum.CodeInvalid, KindNotFollowable,
		"This link is not a channel or playlist that can be followed; paste a link to a YouTube channel (youtube.com/@name) or a public playlist.")
}

func validInterval(m int) error {
	if m < MinIntervalMinutes || m > MaxIntervalMinutes {
		return ytsum.Errorf(ytsum.CodeInvalid, KindBadInterval,
			"The check interval must be between %d minutes and %d days.", MinIntervalMinutes, MaxIntervalMinutes/(24*60))
	}
	return nil
}

func (s *Service) validateOptions(ctx context.Context, o ytsum.SummaryOptions) error {
	if s.cfg.ValidateOptions == nil {
		return nil
	}
	if err := s.cfg.ValidateOptions(ctx, o); err != nil {
		var ye *ytsum.Error
		if errors.As(err, &ye) {
			return ye
		}
		return ytsum.Wrap(err, ytsum.CodeInvalid, "invalid_options", "These summary options cannot be used; pick another model or style.")
	}
	return nil
}

// Follow subscribes to the channel or playlist at rawURL. It checks the
// link, resolves it, fetches its feed once (so a channel without a feed is
// refused now, not at the first check), and stores the subscription with
// the videos of the feed as already seen — except the newest
// opts.Backfill, which become one job. It returns the new subscription.
// Errors: invalid for a video link ("this is a video, not a channel or
// playlist — summarize it instead?"), a look-alike or other host, a link
// that is no channel or playlist, bad options; not_found for a channel or
// playlist that does not exist; conflict (kind already_followed, HTTP 409)
// when it is already followed; unavailable when YouTube's feed answers
// garbage or cannot be reached. Nothing is stored on error.
func (s *Service) Follow(ctx context.Context, rawURL string, opts FollowOptions) (ytsum.Subscription, error) {
	if err := precheck(rawURL); err != nil {
		return ytsum.Subscription{}, err
	}
	if opts.IntervalMinutes == 0 {
		opts.IntervalMinutes = DefaultIntervalMinutes
	}
	if err := validInterval(opts.IntervalMinutes); err != nil {
		return ytsum.Subscription{}, err
	}
	if opts.Backfill < 0 || opts.Backfill > MaxBackfill {
		return ytsum.Subscription{}, ytsum.Errorf(ytsum.CodeInvalid, KindBadBackfill,
			"Backfill must be between 0 and %d videos.", MaxBackfill)
	}
	so := ytsum.SummaryOptions{Model: opts.Model, Style: opts.Style, Length: opts.Length, Language: opts.Language}
	if err := s.validateOptions(ctx, so); err != nil {
		return ytsum.Subscription{}, err
	}
	kind, sourceID, title, thumb, err := s.cfg.Resolver.Resolve(ctx, strings.TrimSpace(rawURL))
	if err != nil {
		return ytsum.Subscription{}, asError(err, "The link could not be resolved to a channel or playlist.")
	}
	var q youtube.FeedQuery
	var canonical string
	switch kind {
	case ytsum.SubscriptionChannel:
		q.ChannelID = sourceID
		canonical = "https://www.youtube.com/channel/" + sourceID
	case ytsum.SubscriptionPlaylist:
		q.PlaylistID = sourceID
		canonical = "https://www.youtube.com/playlist?list=" + sourceID
	default:
		return ytsum.Subscription{}, ytsum.Errorf(ytsum.CodeInvalid, KindNotFollowable,
			"This link is not a channel or playlist that can be followed; paste a link to a YouTube channel or a public playlist.")
	}
	if !sourceIDRe.MatchString(sourceID) {
		return ytsum.Subscription{}, ytsum.Errorf(ytsum.CodeNotFound, KindNotFollowable, "This channel or playlist could not be found; check the link.")
	}
	if dup, err := s.bySource(kind + ":" + sourceID); err != nil {
		return ytsum.Subscription{}, err
	} else if dup {
		return ytsum.Subscription{}, errAlreadyFollowed()
	}
	feed, err := s.cfg.Feeds.Feed(ctx, q)
	if err != nil {
		return ytsum.Subscription{}, asError(err, "The channel's or playlist's feed could not be read.")
	}
	if title == "" {
		title = feed.Title
	}
	if title == "" {
		title = feed.Author
	}
	if thumb == "" && kind == ytsum.SubscriptionPlaylist && len(feed.Entries) > 0 {
		thumb = feed.Entries[0].Thumbnail // a playlist's picture: its first video's
	}
	now := s.clk.Now().UTC()
	r := &record{V: 1, Thumbnail: thumb, ETag: feed.ETag, LastModified: feed.LastModified,
		Sub: ytsum.Subscription{ID: s.cfg.NewID(), Kind: kind, SourceID: sourceID, Title: title, URL: canonical,
			Model: opts.Model, Style: opts.Style, Length: opts.Length, Language: opts.Language,
			IntervalMinutes: opts.IntervalMinutes, CreatedAt: now, LastCheckedAt: &now}}
	r.NextCheck = now.Add(s.jitter(interval(r)))

	entries := slices.Clone(feed.Entries)
	slices.SortStableFunc(entries, func(a, b youtube.FeedEntry) int { return b.Published.Compare(a.Published) })
	n := min(opts.Backfill, len(entries))
	c := store.SubscriptionCheck{ID: r.Sub.ID, Create: true, SourceKey: r.sourceKey()}
	for _, e := range entries[n:] {
		c.Seen = append(c.Seen, store.SeenVideo{VideoID: e.VideoID, How: "baseline"})
	}
	plan := s.plan(ctx, r, entries[:n], nil, now)
	sub, found, jobID, err := s.commit(ctx, r, c, plan)
	if err != nil {
		return ytsum.Subscription{}, err
	}
	s.nudge()
	s.publishChanged(sub)
	if len(found) > 0 {
		s.publishFound(sub, found, jobID)
	}
	s.fetchPicture(sub.ID, thumb)
	return sub, nil
}

// fetchPicture downloads subscription id's picture in the background,
// within PictureTimeout, so a slow picture never delays Follow; when it is
// stored the subscription is published again with its thumbnail_url. A
// failure is logged and leaves the letter. Close ends it early.
func (s *Service) fetchPicture(id, rawURL string) {
	if s.cfg.FetchPicture == nil || rawURL == "" {
		return
	}
	s.pictures.Add(1)
	go func() {
		defer s.pictures.Done()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.PictureTimeout)
		defer cancel()
		go func() {
			select {
			case <-s.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		data, err := s.cfg.FetchPicture(ctx, rawURL)
		if err == nil && len(data) > MaxPictureBytes {
			err = fmt.Errorf("picture larger than %d bytes", MaxPictureBytes)
		}
		if err == nil {
			err = s.cfg.DB.PutSubscriptionAvatar(id, data)
		}
		if err != nil {
			s.log.Warn("subscriptions: picture not cached; showing a letter", "sub", id, "err", err)
			return
		}
		if r, err := s.load(id); err == nil {
			s.publishChanged(s.view(r))
		}
	}()
}

// MaxPictureBytes caps a subscription's cached picture.
const MaxPictureBytes = 1 << 20

// Close ends the picture downloads in flight and waits for them. The
// service must not be used for Follow after Close.
func (s *Service) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.pictures.Wait()
}

// PictureURL is where subscription id's cached picture is served.
func PictureURL(id string) string { return "/thumbnails/subscriptions/" + id }

// Picture returns subscription id's cached picture and its content type;
// not_found when none is cached. It reads only the store (offline).
func (s *Service) Picture(id string) ([]byte, string, error) {
	data, err := s.cfg.DB.SubscriptionAvatar(id)
	if err != nil {
		return nil, "", err
	}
	return data, http.DetectContentType(data), nil
}

func errAlreadyFollowed() error {
	return ytsum.Errorf(ytsum.CodeConflict, KindAlreadyFollowed, "You already follow this channel or playlist.")
}

func (s *Service) bySource(key string) (bool, error) {
	found := false
	err := s.cfg.DB.ForEachSubscription(func(_ string, b []byte) error {
		if r, err := decodeRecord(b); err == nil && r.sourceKey() == key {
			found = true
		}
		return nil
	})
	return found, err
}

// asError keeps a *ytsum.Error and wraps anything else as unavailable.
func asError(err error, msg string) error {
	var ye *ytsum.Error
	if errors.As(err, &ye) {
		return ye
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", "The request was cancelled.")
	}
	return ytsum.Wrap(err, ytsum.CodeUnavailable, "subscription_error", msg+" Try again later.")
}

// List returns every subscription, oldest first.
func (s *Service) List() ([]ytsum.Subscription, error) {
	counts, err := s.cfg.DB.NewCounts()
	if err != nil {
		return nil, err
	}
	pics, err := s.cfg.DB.SubscriptionAvatars()
	if err != nil {
		return nil, err
	}
	var out []ytsum.Subscription
	err = s.cfg.DB.ForEachSubscription(func(_ string, b []byte) error {
		r, err := decodeRecord(b)
		if err != nil {
			s.log.Error("subscriptions: skipping unreadable record", "err", err)
			return nil
		}
		sub := r.Sub
		sub.NewCount = counts[sub.ID]
		if pics[sub.ID] {
			u := PictureURL(sub.ID)
			sub.ThumbnailURL = &u
		}
		out = append(out, sub)
		return nil
	})
	slices.SortStableFunc(out, func(a, b ytsum.Subscription) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// Get returns subscription id; not_found when there is none.
func (s *Service) Get(id string) (ytsum.Subscription, error) {
	r, err := s.load(id)
	if err != nil {
		return ytsum.Subscription{}, err
	}
	return s.view(r), nil
}

// Thumbnail returns subscription id's avatar or playlist thumbnail URL as
// the Resolver gave it ("" when unknown).
func (s *Service) Thumbnail(id string) (string, error) {
	r, err := s.load(id)
	if err != nil {
		return "", err
	}
	return r.Thumbnail, nil
}

func (s *Service) view(r *record) ytsum.Subscription {
	sub := r.Sub
	if v, err := s.cfg.DB.NewVideos(sub.ID); err == nil {
		sub.NewCount = len(v)
	}
	if ok, _ := s.cfg.DB.HasSubscriptionAvatar(sub.ID); ok {
		u := PictureURL(sub.ID)
		sub.ThumbnailURL = &u
	}
	return sub
}

// Update applies p to subscription id and returns it. Resuming a paused
// subscription whose check is overdue makes it due at once; a new interval
// applies from the last check. Errors: not_found; invalid for a bad
// interval or options.
func (s *Service) Update(ctx context.Context, id string, p Patch) (ytsum.Subscription, error) {
	l := s.lock(id)
	l.Lock()
	defer l.Unlock()
	r, err := s.load(id)
	if err != nil {
		return ytsum.Subscription{}, err
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&r.Sub.Model, p.Model)
	set(&r.Sub.Style, p.Style)
	set(&r.Sub.Length, p.Length)
	set(&r.Sub.Language, p.Language)
	if p.Model != nil || p.Style != nil || p.Length != nil || p.Language != nil {
		if err := s.validateOptions(ctx, r.options()); err != nil {
			return ytsum.Subscription{}, err
		}
	}
	if p.IntervalMinutes != nil {
		if err := validInterval(*p.IntervalMinutes); err != nil {
			return ytsum.Subscription{}, err
		}
		r.Sub.IntervalMinutes = *p.IntervalMinutes
		if r.Failures == 0 {
			last := r.Sub.CreatedAt
			if r.Sub.LastCheckedAt != nil {
				last = *r.Sub.LastCheckedAt
			}
			r.NextCheck = last.Add(s.jitter(interval(r)))
		}
	}
	if p.Paused != nil {
		r.Sub.Paused = *p.Paused
	}
	if err := s.cfg.DB.PutSubscription(id, r.encode()); err != nil {
		return ytsum.Subscription{}, err
	}
	sub := s.view(r)
	s.nudge()
	s.publishChanged(sub)
	return sub, nil
}

// Unfollow removes subscription id with its seen videos and new marks; the
// summaries it made stay in the library, and a job already queued runs on.
// Errors: not_found.
func (s *Service) Unfollow(id string) error {
	l := s.lock(id)
	l.Lock()
	defer l.Unlock()
	r, err := s.load(id)
	if err != nil {
		return err
	}
	if err := s.cfg.DB.DeleteSubscription(id, r.sourceKey()); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.locks, id)
	s.mu.Unlock()
	s.nudge()
	if s.cfg.Publisher != nil {
		s.cfg.Publisher.Removed(r.Sub)
	}
	return nil
}

// MarkOpened clears videoID's "new" mark (the user opened its summary) and
// publishes the subscriptions whose new count dropped. Unknown or already
// opened videos are not an error.
func (s *Service) MarkOpened(videoID string) error {
	ids, err := s.cfg.DB.MarkOpened(videoID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if r, err := s.load(id); err == nil {
			s.publishChanged(s.view(r))
		}
	}
	return nil
}

// NewVideos returns the videos marked new, of subscription id or (id "")
// of all subscriptions: the library's "new" filter.
// Errors: not_found for an unknown subscription.
func (s *Service) NewVideos(id string) ([]string, error) {
	if id != "" {
		if _, err := s.cfg.DB.Subscription(id); err != nil {
			return nil, err
		}
	}
	return s.cfg.DB.NewVideos(id)
}

// Videos returns the ids of the videos subscription id has found and
// summarized or linked (the library's "filter by subscription").
// Errors: not_found for an unknown subscription.
func (s *Service) Videos(id string) ([]string, error) {
	if _, err := s.cfg.DB.Subscription(id); err != nil {
		return nil, err
	}
	vs, err := s.cfg.DB.SubscriptionVideos(id)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range vs {
		if v.How == howJob || v.How == howLibrary {
			out = append(out, v.VideoID)
		}
	}
	return out, nil
}

func (s *Service) publishChanged(sub ytsum.Subscription) {
	if s.cfg.Publisher != nil {
		s.cfg.Publisher.Changed(sub)
	}
}

func (s *Service) publishFound(sub ytsum.Subscription, ids []string, jobID string) {
	if s.cfg.Publisher != nil {
		s.cfg.Publisher.Found(sub, ids, jobID)
	}
}

// How a seen video was dealt with (store.SeenVideo.How).
const (
	howJob      = "job"
	howLibrary  = "library"
	howShort    = "short"
	howBaseline = "baseline"
	howExpired  = "expired"
)

// plan is what a check does with its candidate videos.
type plan struct {
	job     []string // videos to summarize, oldest first
	seen    []store.SeenVideo
	deferv  []store.Deferral
	undefer []string
}

// plan sorts candidates (newest first as the feed lists them) into the job,
// links, skips and deferrals. deferred are the subscription's current
// deferrals (by video id) so a video deferred too long is given up.
func (s *Service) plan(ctx context.Context, r *record, cands []youtube.FeedEntry, deferred map[string]store.Deferral, now time.Time) plan {
	var p plan
	skipShorts := s.cfg.SkipShorts()
	for i := len(cands) - 1; i >= 0; i-- { // oldest first
		e := cands[i]
		d, wasDeferred := deferred[e.VideoID]
		done := func(how string) {
			p.seen = append(p.seen, store.SeenVideo{VideoID: e.VideoID, How: how})
			if wasDeferred {
				p.undefer = append(p.undefer, e.VideoID)
			}
		}
		if has, err := s.cfg.Library.Has(ctx, e.VideoID); err != nil {
			s.log.Warn("subscriptions: library lookup failed", "video", e.VideoID, "err", err)
		} else if has {
			done(howLibrary)
			continue
		}
		if skipShorts && s.isShort(ctx, e) {
			done(howShort)
			continue
		}
		retry, why := s.defer_(ctx, r, e, now)
		if !retry.IsZero() {
			if wasDeferred && now.Sub(d.Since) > s.cfg.MaxDeferral {
				s.log.Info("subscriptions: giving up a deferred video", "video", e.VideoID, "why", why)
				done(howExpired)
				continue
			}
			p.deferv = append(p.deferv, store.Deferral{VideoID: e.VideoID, RetryAt: retry})
			continue
		}
		p.job = append(p.job, e.VideoID)
		p.seen = append(p.seen, store.SeenVideo{VideoID: e.VideoID, How: howJob})
		if wasDeferred {
			p.undefer = append(p.undefer, e.VideoID)
		}
	}
	return p
}

func (s *Service) isShort(ctx context.Context, e youtube.FeedEntry) bool {
	if e.Short {
		return true
	}
	if s.cfg.Shorts == nil {
		return false
	}
	short, err := s.cfg.Shorts.IsShort(ctx, e.VideoID)
	if err != nil {
		s.log.Warn("subscriptions: Shorts detection failed; treating as a video", "video", e.VideoID, "err", err)
		return false
	}
	return short
}

// defer_ returns when to look at e again if it cannot be summarized yet
// (zero: summarize now) and why.
func (s *Service) defer_(ctx context.Context, r *record, e youtube.FeedEntry, now time.Time) (time.Time, string) {
	if e.Published.After(now) {
		return e.Published, "scheduled"
	}
	if s.cfg.VideoStates == nil {
		return time.Time{}, ""
	}
	st, err := s.cfg.VideoStates.VideoState(ctx, e.VideoID)
	if err != nil {
		s.log.Warn("subscriptions: video state lookup failed; summarizing anyway", "video", e.VideoID, "err", err)
		return time.Time{}, ""
	}
	next := now.Add(interval(r))
	switch st.Status {
	case VideoUpcoming:
		if st.StartsAt.After(next) {
			next = st.StartsAt
		}
		return next, "upcoming"
	case VideoLive:
		return next, "live"
	}
	return time.Time{}, ""
}

// commit writes a check (or a follow) with its plan: through the Submitter
// when there is a job, so the job record lands in the same transaction.
func (s *Service) commit(ctx context.Context, r *record, c store.SubscriptionCheck, p plan) (sub ytsum.Subscription, found []string, jobID string, err error) {
	c.Seen = append(c.Seen, p.seen...)
	c.Defer, c.Undefer = p.deferv, p.undefer
	if len(p.job) == 0 {
		c.Record = r.encode()
		if err := s.cfg.DB.RecordCheck(c); err != nil {
			return sub, nil, "", err
		}
		return s.view(r), nil, "", nil
	}
	req := JobRequest{SubscriptionID: r.Sub.ID, Options: r.options()}
	for _, v := range p.job {
		req.URLs = append(req.URLs, ytsum.WatchURL(v))
	}
	persisted, persistedID := false, ""
	persist := func(id string, rec []byte) error {
		if persisted {
			return ytsum.Errorf(ytsum.CodeInternal, "persist_twice", "The job was recorded twice.")
		}
		cc := c
		cc.Seen = slices.Clone(c.Seen)
		for i := range cc.Seen {
			if cc.Seen[i].How == howJob {
				cc.Seen[i].JobID = id
			}
		}
		cc.New = p.job
		cc.JobID, cc.JobRecord = id, rec
		cc.Record = r.encode()
		if err := s.cfg.DB.RecordCheck(cc); err != nil {
			return err
		}
		persisted, persistedID = true, id
		return nil
	}
	jobID, err = s.cfg.Submitter.Submit(ctx, req, persist)
	if !persisted {
		if err == nil {
			err = ytsum.Errorf(ytsum.CodeInternal, "job_not_recorded", "The job for the new videos was not recorded.")
		}
		return sub, nil, "", asError(err, "The job for the new videos could not be created.")
	}
	if err != nil {
		s.log.Warn("subscriptions: job recorded but submit reported an error", "job", persistedID, "err", err)
	}
	jobID = persistedID
	return s.view(r), p.job, jobID, nil
}

// Check fetches subscription id's feed now and queues its new videos as
// one job. It returns how many videos the job summarizes and its id ("" and
// 0 when nothing was new). A paused subscription is checked too (the user
// asked). A failed check is recorded (last_error, back-off) and returned.
// Errors: not_found; the feed's errors; the Submitter's errors.
func (s *Service) Check(ctx context.Context, id string) (newVideos int, jobID string, err error) {
	l := s.lock(id)
	l.Lock()
	defer l.Unlock()
	r, err := s.load(id)
	if err != nil {
		return 0, "", err
	}
	n, jobID, err := s.check(ctx, r)
	s.nudge()
	return n, jobID, err
}

// check runs one check of r; the caller holds r's lock.
func (s *Service) check(ctx context.Context, r *record) (int, string, error) {
	now := s.clk.Now().UTC()
	q := youtube.FeedQuery{ETag: r.ETag, LastModified: r.LastModified}
	if r.Sub.Kind == ytsum.SubscriptionPlaylist {
		q.PlaylistID = r.Sub.SourceID
	} else {
		q.ChannelID = r.Sub.SourceID
	}
	feed, err := s.cfg.Feeds.Feed(ctx, q)
	if err != nil {
		return 0, "", s.failed(ctx, r, now, asError(err, "The feed could not be read."))
	}
	deferrals, err := s.cfg.DB.SubscriptionDeferred(r.Sub.ID)
	if err != nil {
		return 0, "", err
	}
	deferred := make(map[string]store.Deferral, len(deferrals))
	for _, d := range deferrals {
		deferred[d.VideoID] = d
	}
	var cands []youtube.FeedEntry
	if !feed.NotModified {
		ids := make([]string, len(feed.Entries))
		for i, e := range feed.Entries {
			ids[i] = e.VideoID
		}
		seen, err := s.cfg.DB.SubscriptionSeen(r.Sub.ID, ids)
		if err != nil {
			return 0, "", err
		}
		for _, e := range feed.Entries {
			if seen[e.VideoID] {
				continue
			}
			if d, ok := deferred[e.VideoID]; ok && d.RetryAt.After(now) {
				continue
			}
			cands = append(cands, e)
		}
		r.ETag, r.LastModified = feed.ETag, feed.LastModified
	}
	// Deferred videos due again, even when the feed did not change (or no
	// longer lists them).
	inFeed := make(map[string]bool, len(cands))
	for _, e := range cands {
		inFeed[e.VideoID] = true
	}
	var due []youtube.FeedEntry
	for _, d := range deferrals {
		if !d.RetryAt.After(now) && !inFeed[d.VideoID] {
			due = append(due, youtube.FeedEntry{VideoID: d.VideoID})
		}
	}
	cands = append(due, cands...) // due deferrals are older than the feed's new entries
	r.Failures = 0
	r.Sub.LastError = nil
	r.Sub.LastCheckedAt = &now
	r.NextCheck = now.Add(s.jitter(interval(r)))
	p := s.plan(ctx, r, cands, deferred, now)
	sub, found, jobID, err := s.commit(ctx, r, store.SubscriptionCheck{ID: r.Sub.ID}, p)
	if err != nil {
		if ytsum.ErrorCode(err) == ytsum.CodeNotFound {
			return 0, "", err // unfollowed meanwhile
		}
		// Nothing of this check was stored (validators included), so the
		// next check sees the same videos again.
		fresh, lerr := s.load(r.Sub.ID)
		if lerr != nil {
			return 0, "", err
		}
		return 0, "", s.failed(ctx, fresh, now, err)
	}
	s.publishChanged(sub)
	if len(found) > 0 {
		s.publishFound(sub, found, jobID)
	}
	if sub.ThumbnailURL == nil {
		// The picture failed when followed (offline, slow): try again now
		// that the feed answered.
		thumb := r.Thumbnail
		if thumb == "" && r.Sub.Kind == ytsum.SubscriptionPlaylist && len(feed.Entries) > 0 {
			thumb = feed.Entries[0].Thumbnail
		}
		s.fetchPicture(sub.ID, thumb)
	}
	return len(found), jobID, nil
}

// failed records a failed check of r (unless ctx ended: shutting down is
// not the feed's fault) and returns err.
func (s *Service) failed(ctx context.Context, r *record, now time.Time, err error) error {
	if ctx.Err() != nil {
		return err
	}
	r.Failures++
	msg := ytsum.ErrorMessage(err)
	r.Sub.LastError = &msg
	r.Sub.LastCheckedAt = &now
	wait := s.jitter(s.backoff(r.Failures))
	if ra := ytsum.RetryAfter(err); ra > wait {
		wait = ra
	}
	r.NextCheck = now.Add(wait)
	if perr := s.cfg.DB.PutSubscription(r.Sub.ID, r.encode()); perr != nil {
		s.log.Error("subscriptions: recording a failed check", "sub", r.Sub.ID, "err", perr)
		return err
	}
	s.log.Info("subscriptions: check failed", "sub", r.Sub.ID, "failures", r.Failures, "next", r.NextCheck, "err", err)
	s.publishChanged(s.view(r))
	return err
}

// String is for logs.
func (p plan) String() string {
	return fmt.Sprintf("job=%d seen=%d defer=%d undefer=%d", len(p.job), len(p.seen), len(p.deferv), len(p.undefer))
}
