package main

// What the doors are handed: the owners' services as httpapi's route
// groups, and httpapi's settings readers. No adapters: the job engine gets
// the summarizer itself (summarize.Service implements jobs.Summarizer; the
// saved default style and length are its own options).

import (
	"context"
	"path/filepath"
	"time"

	"ytsum/backend/config"
	"ytsum/backend/httpapi"
)

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
