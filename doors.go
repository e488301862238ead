package main

// What the doors are handed: the owners' services as httpapi's route
// groups, and httpapi's settings readers. One adapter is left:
// jobsSummarizer, because the summarizer takes a summarize.Input where the
// job engine hands over the video, transcript and options.

import (
	"context"
	"path/filepath"
	"time"

	"ytsum/backend/config"
	"ytsum/backend/httpapi"
	"ytsum/backend/summarize"
	"ytsum/backend/ytsum"
)

// jobsSummarizer adapts the summarizer to the job engine.
type jobsSummarizer struct{ s *summarize.Service }

func (j jobsSummarizer) Resolve(o ytsum.SummaryOptions) (ytsum.SummaryOptions, error) {
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
		Logger:            s.log,
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
