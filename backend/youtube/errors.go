package youtube

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"ytsum/backend/ytsum"
)

// Kinds of the errors this package returns (ytsum.Error.Kind). They are
// stable: the UI and tests switch on them.
const (
	// URL parsing (Code invalid).
	KindEmptyLink       = "empty_link"
	KindBadScheme       = "unsupported_scheme"
	KindNotYouTube      = "not_youtube"
	KindLookAlike       = "look_alike_host"
	KindBadVideoID      = "bad_video_id"
	KindBadPlaylistID   = "bad_playlist_id"
	KindChannelLink     = "channel_link"
	KindSearchLink      = "search_link"
	KindFeedLink        = "feed_link"
	KindHashtagLink     = "hashtag_link"
	KindPostLink        = "post_link"
	KindClipLink        = "clip_link"
	KindHomePage        = "home_page"
	KindNoVideo         = "no_video"
	KindUnsupportedPage = "unsupported_page"
	KindMix             = "mix_playlist"
	KindWatchLater      = "watch_later"
	KindLikedVideos     = "liked_videos"
	KindLikedMusic      = "liked_music"

	// Videos and transcripts.
	KindTranscriptsDisabled = "transcripts_disabled"
	KindNoTranscript        = "no_transcript"
	KindVideoUnavailable    = "video_unavailable"
	KindVideoPrivate        = "video_private"
	KindVideoUnplayable     = "video_unplayable"
	KindAgeRestricted       = "age_restricted"
	KindBlocked             = "blocked"
	KindPOToken             = "po_token_required"
	KindRateLimited         = "rate_limited"
	KindConsent             = "consent_failed"
	KindOffline             = "offline"
	KindClientOutdated      = "client_outdated"
	KindYouTubeError        = "youtube_error"
	KindUnparsable          = "youtube_unparsable"
	KindCancelled           = "cancelled"
	KindTimeout             = "youtube_timeout"
	KindNotFound            = "youtube_not_found"
	KindMembersOnly         = "members_only"
	KindVideoRemoved        = "video_removed"
	KindLiveNotFinished     = "live_not_finished"
	KindRegionBlocked       = "region_blocked"

	// Playlists and channels.
	KindPlaylistNotFound = "playlist_not_found"
	KindPlaylistEmpty    = "playlist_empty"
	KindChannelNotFound  = "channel_not_found"
	KindChannelEmpty     = "channel_empty"
	KindChannelShorts    = "channel_shorts_only"
	KindChannelMembers   = "channel_members_only"

	// The yt-dlp fallback.
	KindYtDlpFailed      = "ytdlp_failed"
	KindYtDlpNoSubtitles = "ytdlp_no_subtitles"
	KindYtDlpBlocked     = "ytdlp_blocked"
)

// defaultRateLimitWait is the RetryAfter hint of a rate_limited error when
// YouTube sent no Retry-After header.
const defaultRateLimitWait = 15 * time.Minute

func invalid(kind, msg string) *ytsum.Error { return ytsum.Errorf(ytsum.CodeInvalid, kind, "%s", msg) }

func errTranscriptsDisabled(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindTranscriptsDisabled,
		"Captions are turned off for this video, so there is no transcript to summarize.")
}

func errNoTranscript(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindNoTranscript,
		"YouTube has no usable captions for this video in any language, so there is no transcript to summarize.")
}

func errVideoUnavailable(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindVideoUnavailable,
		"This video is unavailable: it may have been removed, or the link is incomplete; check the link.")
}

func errVideoPrivate(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindVideoPrivate,
		"This video is private, so only its owner can watch it; ask the owner to make it public or unlisted.")
}

func errUnplayable(reason string, cause error) *ytsum.Error {
	reason = strings.TrimSpace(reason)
	msg := "YouTube won't play this video, so it can't be summarized."
	if reason != "" {
		msg = fmt.Sprintf("YouTube won't play this video (%q), so it can't be summarized.", reason)
	}
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindVideoUnplayable, msg)
}

func errAgeRestricted(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindAgeRestricted,
		"This video is age-restricted: YouTube shows it only to signed-in adults, so its transcript can't be fetched.")
}

func errBlocked(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindBlocked,
		"YouTube is asking to confirm you're not a bot and is refusing requests from this network for now; "+
			"wait 30 minutes or more before trying again, or use another network.")
}

func errPOToken(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindPOToken,
		"YouTube now requires a proof-of-origin token for this video's captions, which this app can't produce; "+
			"try again later, or turn on the yt-dlp fallback in Settings.")
}

func errRateLimited(retryAfter time.Duration, cause error) *ytsum.Error {
	msg := "YouTube is limiting requests from this network (HTTP 429); wait 10 to 30 minutes before trying again, " +
		"and summarize fewer videos at a time."
	if retryAfter > 0 {
		msg = fmt.Sprintf("YouTube is limiting requests from this network (HTTP 429) and asks to wait %s; "+
			"try again after that, and summarize fewer videos at a time.", roundWait(retryAfter))
	} else {
		retryAfter = defaultRateLimitWait
	}
	e := ytsum.Wrap(cause, ytsum.CodeRateLimited, KindRateLimited, msg)
	e.RetryAfter = retryAfter
	return e
}

// roundWait renders a wait for a sentence: "45 seconds", "15 minutes".
func roundWait(d time.Duration) string {
	if d < 2*time.Minute {
		n := max(int(d.Round(time.Second)/time.Second), 1)
		if n == 1 {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", n)
	}
	if d < 2*time.Hour {
		return fmt.Sprintf("%d minutes", int(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%d hours", int(d.Round(time.Hour)/time.Hour))
}

func errTimeout(after time.Duration, cause error) *ytsum.Error {
	e := ytsum.Wrap(cause, ytsum.CodeUnavailable, KindTimeout,
		fmt.Sprintf("YouTube did not answer within %s, so the request was given up; try again in a few minutes.", roundWait(after)))
	e.RetryAfter = time.Minute
	return e
}

func errYouTubeNotFound(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindNotFound, "YouTube has nothing at this address (HTTP 404).")
}

func errMembersOnly(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindMembersOnly,
		"This video is for the channel's paying members only, so its transcript can't be fetched.")
}

func errVideoRemoved(reason string, cause error) *ytsum.Error {
	msg := "This video was removed from YouTube, so it can't be summarized."
	if reason = strings.TrimSpace(reason); reason != "" {
		msg = fmt.Sprintf("This video was removed from YouTube (%q), so it can't be summarized.", reason)
	}
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindVideoRemoved, msg)
}

func errLiveNotFinished(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindLiveNotFinished,
		"This is a live stream or premiere that has not finished yet, so there is no full transcript; "+
			"try again after it has ended.")
}

func errRegionBlocked(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindRegionBlocked,
		"The uploader has not made this video available in your country, so its transcript can't be fetched from here.")
}

func errChannelNotFound(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindChannelNotFound,
		"This channel does not exist or was removed; check the link.")
}

func errChannelEmpty(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindChannelEmpty,
		"This channel has no public videos to summarize.")
}

func errChannelShorts(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindChannelShorts,
		"This channel has only Shorts, which have no transcripts worth summarizing; open a regular video instead.")
}

func errChannelMembers(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindChannelMembers,
		"This channel's videos are for its paying members only, so they can't be summarized.")
}

func errConsent(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindConsent,
		"YouTube kept showing its cookie-consent page instead of the video; try again later.")
}

func errOffline(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindOffline,
		"YouTube could not be reached; check your internet connection.")
}

func errClientOutdated(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindClientOutdated,
		"YouTube rejected this app's request, probably because YouTube changed; update the app, "+
			"or turn on the yt-dlp fallback in Settings.")
}

func errYouTubeStatus(status int, cause error) *ytsum.Error {
	e := ytsum.Wrap(cause, ytsum.CodeUnavailable, KindYouTubeError,
		fmt.Sprintf("YouTube answered with an error (HTTP %d); try again in a few minutes.", status))
	return e
}

func errUnparsable(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindUnparsable,
		"YouTube's answer could not be understood (YouTube may have changed); try again later or update the app.")
}

func errCancelled(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindCancelled, "The request to YouTube was cancelled.")
}

func errPlaylistNotFound(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindPlaylistNotFound,
		"This playlist does not exist or is private; check the link, or ask its owner to make it public or unlisted.")
}

func errPlaylistEmpty(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindPlaylistEmpty,
		"This playlist has no videos to summarize.")
}

func errYtDlpFailed(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindYtDlpFailed,
		"The yt-dlp fallback could not get this video's captions either; update yt-dlp (yt-dlp -U) or try again later.")
}

func errYtDlpNoSubtitles(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeNotFound, KindYtDlpNoSubtitles,
		"Neither YouTube nor the yt-dlp fallback found captions for this video in your languages.")
}

func errYtDlpBlocked(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindYtDlpBlocked,
		"YouTube is also asking yt-dlp to confirm it's not a bot; wait 30 minutes or more, or use another network.")
}

// ctxErr converts a context error into the package's cancelled error, and
// returns nil when ctx is still live.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return errCancelled(err)
	}
	return nil
}

// asYtsum returns err unchanged when it already is (or wraps) a *ytsum.Error
// at the top, and otherwise wraps it as an unparsable-answer error. It is
// applied at every exported boundary so callers only ever see *ytsum.Error.
func asYtsum(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var ye *ytsum.Error
	if errors.As(err, &ye) {
		return ye
	}
	if ctx != nil && ctx.Err() != nil {
		return errCancelled(ctx.Err())
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errCancelled(err)
	}
	return errUnparsable(err)
}

// kindOf is ytsum.ErrorKind, shortened for the many switches below.
func kindOf(err error) string { return ytsum.ErrorKind(err) }
