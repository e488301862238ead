package tts

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/api/googleapi"

	"ytsum/backend/ytsum"
)

// Error kinds returned by this package (ytsum.Error.Kind).
const (
	KindInvalidKey       = "invalid_key"        // the key or service account was rejected (400/401/403)
	KindQuotaExceeded    = "quota_exceeded"     // 429 / RESOURCE_EXHAUSTED
	KindVoiceUnavailable = "voice_unavailable"  // unknown voice, or not usable with this key
	KindTextEmpty        = "text_empty"         // nothing left to say after cleaning
	KindOffline          = "offline"            // Cloud TTS unreachable and no offline voice
	KindNotConfigured    = "tts_not_configured" // no credentials and no offline voice
	KindOfflineFailed    = "offline_voice_failed"
	KindTimeout          = "timeout"
	KindCancelled        = "cancelled"
	KindRejected         = "tts_rejected"    // another 400 from the API
	KindUnavailable      = "tts_unavailable" // 5xx from the API
	KindTextTooLong      = "text_too_long"   // the API refused a chunk's length (a bug here)
	KindFailed           = "tts_failed"      // anything else
	KindNoSummary        = "summary_not_found"
)

var errNotConfigured = &ytsum.Error{Code: ytsum.CodeUnavailable, Kind: KindNotConfigured,
	Message: "Text-to-speech is not set up: add a Google Cloud Text-to-Speech API key (or a service-account file) in Settings, " +
		"or install an offline voice (espeak-ng on Linux; macOS and Windows have one built in)."}

func errTextEmpty() error {
	return ytsum.Errorf(ytsum.CodeInvalid, KindTextEmpty, "There is no text to read aloud.")
}

// classify turns an error from the Cloud TTS client into a *ytsum.Error
// whose message never contains the key.
func classify(err error, voice string) *ytsum.Error {
	if err == nil {
		return nil
	}
	var ye *ytsum.Error
	if errors.As(err, &ye) {
		return ye
	}
	switch {
	case errors.Is(err, context.Canceled):
		return ytsum.Wrap(err, ytsum.CodeUnavailable, KindCancelled, "Reading aloud was cancelled.")
	case errors.Is(err, context.DeadlineExceeded):
		return &ytsum.Error{Code: ytsum.CodeUnavailable, Kind: KindTimeout, RetryAfter: 5 * time.Second, Err: err,
			Message: "Google Cloud Text-to-Speech did not answer in time; try again in a moment."}
	}
	code, reason, msg := 0, "", ""
	var ae *apierror.APIError
	if !errors.As(err, &ae) {
		ae, _ = apierror.FromError(err)
	}
	if ae != nil {
		code, reason, msg = ae.HTTPCode(), ae.Reason(), ae.Error()
		var ge *googleapi.Error
		if errors.As(err, &ge) && ge.Message != "" {
			msg = ge.Message
		}
		if code == 429 {
			ra := time.Minute
			if ri := ae.Details().RetryInfo; ri != nil && ri.GetRetryDelay() != nil {
				ra = ri.GetRetryDelay().AsDuration()
			}
			return &ytsum.Error{Code: ytsum.CodeRateLimited, Kind: KindQuotaExceeded, RetryAfter: ra, Err: err,
				Message: "The Google Cloud Text-to-Speech quota is used up for now; try again later, or pick a voice of another tier."}
		}
	} else {
		var ge *googleapi.Error
		if errors.As(err, &ge) {
			code, msg = ge.Code, ge.Message
		}
	}
	lmsg := strings.ToLower(msg)
	switch {
	case code == 0:
		var ne net.Error
		if errors.As(err, &ne) {
			if ne.Timeout() {
				return &ytsum.Error{Code: ytsum.CodeUnavailable, Kind: KindTimeout, RetryAfter: 5 * time.Second, Err: err,
					Message: "Google Cloud Text-to-Speech did not answer in time; check your internet connection and try again."}
			}
			return ytsum.Wrap(err, ytsum.CodeUnavailable, KindOffline,
				"Could not reach Google Cloud Text-to-Speech; check your internet connection (or install an offline voice).")
		}
		return ytsum.Wrap(err, ytsum.CodeInternal, KindFailed, "Reading aloud failed; the details are in the log.")
	case reason == "API_KEY_INVALID" || strings.Contains(lmsg, "api key not valid") || strings.Contains(lmsg, "api key expired"):
		return ytsum.Wrap(err, ytsum.CodeInvalid, KindInvalidKey,
			"Google Cloud rejected the Text-to-Speech API key; check the key in Settings.")
	case code == 401 || code == 403:
		return ytsum.Wrap(err, ytsum.CodeInvalid, KindInvalidKey,
			"Google Cloud refused access to Text-to-Speech with these credentials; check the key or service-account file in Settings "+
				"and that the Cloud Text-to-Speech API is enabled for its project.")
	case code == 429:
		return &ytsum.Error{Code: ytsum.CodeRateLimited, Kind: KindQuotaExceeded, RetryAfter: time.Minute, Err: err,
			Message: "The Google Cloud Text-to-Speech quota is used up for now; try again later, or pick a voice of another tier."}
	case code == 400 && (strings.Contains(lmsg, "longer than the limit") || strings.Contains(lmsg, "too long")):
		return ytsum.Wrap(err, ytsum.CodeInternal, KindTextTooLong,
			"Google Cloud Text-to-Speech refused a piece of the text as too long; please report this.")
	case code == 404 || (code == 400 && strings.Contains(lmsg, "voice")):
		return ytsum.Wrap(err, ytsum.CodeInvalid, KindVoiceUnavailable,
			"The voice "+voice+" is not available to your Google Cloud account; pick another voice in Settings.")
	case code == 400:
		return ytsum.Wrap(err, ytsum.CodeInvalid, KindRejected,
			"Google Cloud Text-to-Speech refused the request for voice "+voice+"; try another voice.")
	case code >= 500:
		return &ytsum.Error{Code: ytsum.CodeUnavailable, Kind: KindUnavailable, RetryAfter: 30 * time.Second, Err: err,
			Message: "Google Cloud Text-to-Speech is having trouble right now; try again in a minute."}
	}
	return ytsum.Wrap(err, ytsum.CodeInternal, KindFailed, "Reading aloud failed; the details are in the log.")
}

// worthFallback reports whether another voice might succeed where this
// error happened (as the original app retried any failure with the next
// voice, minus failures that no voice can fix).
func worthFallback(err error) bool {
	switch ytsum.ErrorKind(err) {
	case KindVoiceUnavailable, KindQuotaExceeded, KindUnavailable, KindRejected:
		return true
	}
	return false
}
