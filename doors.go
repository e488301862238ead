package main

// What the doors are handed: the owners' services as httpapi's route
// groups, and httpapi's settings readers. One adapter is left:
// jobsSummarizer, because the summarizer takes a summarize.Input where the
// job engine hands over the video, transcript and options.

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"ytsum/backend/config"
	"ytsum/backend/httpapi"
	"ytsum/backend/summarize"
	"ytsum/backend/ytsum"
)

// jobsSummarizer adapts the summarizer to the job engine. A request
// without a style or length gets the saved defaults (default_style,
// default_length; the summarizer itself fills the model and language from
// default_model and output_language), in every door: HTTP, window, CLI.
type jobsSummarizer struct {
	s        *summarize.Service
	settings func() config.Settings
}

func (j jobsSummarizer) Resolve(o ytsum.SummaryOptions) (ytsum.SummaryOptions, error) {
	if j.settings != nil {
		set := j.settings()
		if strings.TrimSpace(o.Style) == "" {
			o.Style = set.DefaultStyle
		}
		if strings.TrimSpace(o.Length) == "" {
			o.Length = set.DefaultLength
		}
	}
	return j.s.Resolve(o)
}

func (j jobsSummarizer) CacheKey(videoID string, o ytsum.SummaryOptions) string {
	return j.s.CacheKey(videoID, o)
}

func (j jobsSummarizer) Summarize(ctx context.Context, v ytsum.Video, t *ytsum.Transcript, o ytsum.SummaryOptions, onDelta func(string)) (*ytsum.Summary, error) {
	return j.s.Summarize(ctx, summarize.Input{Video: v, Transcript: t, Options: o}, onDelta)
}

func (s *Backend) httpServices() httpapi.Services {
	return httpapi.Services{
		Summarize:  s.engine,
		Jobs:       s.engine,
		Thumbnails: s.lib,
		Files:      s.lib,
		AudioCache: s.audio,
		Events:     s.broker,
		Library:    s.lib,
		Speech:     s.speech,
		Settings:   s.cfg,
		Models:     s.sum,
		Backups:    s.db.Snapshots(filepath.Join(s.env.DataDir, "backups")),

		Ask:           s.engine,
		Conversations: s.db,
		Diagnose:      s.yt,
		Subscriptions: s.subs,
	}
}

func (s *Backend) httpConfig() httpapi.Config {
	cur := s.cfg.Current
	return httpapi.Config{
		SSEEnabled:        func() bool { return cur().SSEEnabled },
		HeartbeatInterval: func() time.Duration { return time.Duration(cur().HeartbeatSeconds) * time.Second },
		AsyncEnabled:      func() bool { return cur().AsyncProcessing },
		LoginEnabled:      func() bool { return cur().LoginEnabled },
		Passcode:          s.secretCtx(config.SecretLoginPasscode),
		MaxAttempts:       func() int { return cur().MaxLoginAttempts },
		Lockout:           func() time.Duration { return time.Duration(cur().LockoutMinutes) * time.Minute },
		APIToken:          s.apiToken,
		AllowedHosts:      cur().AllowedHosts,
		MaxResponseTime:   time.Duration(cur().AlertResponseSeconds * float64(time.Second)),
		MaxErrorRate:      cur().AlertErrorRatePercent,
		MaxCPUPercent:     cur().AlertCPUPercent,
		MaxMemoryPercent:  cur().AlertMemoryPercent,
		MaxQueuedJobs:     cur().AlertQueuedJobs,
		Version:           s.opts.Version,
		Defaults: func() httpapi.StatusDefaults {
			set := cur()
			return httpapi.StatusDefaults{Theme: set.Theme, Defaults: httpapi.Defaults{
				Style: set.DefaultStyle, Length: set.DefaultLength, Language: set.OutputLanguage}}
		},
		Logger: s.log,
	}
}

// apiToken returns the bearer token for scripts ("" when it cannot be read).
func (s *Backend) apiToken(ctx context.Context) string {
	t, err := s.cfg.APIToken(ctx)
	if err != nil {
		return ""
	}
	return t
}
