package jobs

import (
	"context"
	"strings"
	"time"
	"ytsum/backend/youtube"
)

// Mode is how a /summarize request is answered.
type Mode string

// The two modes of API.md §5.
const (
	ModeSync  Mode = "sync"  // wait for the job and answer with its results
	ModeAsync Mode = "async" // answer 202 with the job ID at once
)

// PlaylistEstimateVideos is the number of videos Estimate assumes for a
// playlist it has not expanded yet.
const PlaylistEstimateVideos = 10

// Per-video times Estimate uses for a model until it has measured any.
var modelSeconds = map[string]time.Duration{
	"gemini-2.5-flash":      15 * time.Second,
	"gemini-2.5-flash-lite": 10 * time.Second,
	"gemini-2.5-pro":        30 * time.Second,
	"gpt-4o-mini":           12 * time.Second,
	"gpt-4o":                20 * time.Second,
	"local":                 1 * time.Second,
}

// defaultVideoTime is used for a model Estimate knows nothing about.
const defaultVideoTime = 15 * time.Second

// estimateParallelism is how many videos Estimate assumes are summarized at
// once (the summarizer's default LLM limit).
const estimateParallelism = 4

// Decide picks the mode of a /summarize request: sync whenever async
// processing is disabled (Config.AsyncEnabled); else ForceSync, then
// ForceAsync, win; else async for more than one link or any playlist or channel, sync
// for one video. ctx bounds the link parsing.
func (e *Engine) Decide(ctx context.Context, req Request) Mode {
	req = e.policy(req)
	if !e.cfg.AsyncEnabled() || req.ForceSync {
		return ModeSync
	}
	if req.ForceAsync {
		return ModeAsync
	}
	urls := youtube.SplitEntries(req.URLs)
	if len(urls) > 1 {
		return ModeAsync
	}
	for _, u := range urls {
		if l, err := e.yt.Resolve(ctx, u, req.PreferPlaylist); err == nil && (l.Kind == youtube.Playlist || l.Kind == youtube.Channel) {
			return ModeAsync
		}
	}
	return ModeSync
}

// Estimate guesses how long req will take (the estimated_time of an async
// answer): the per-video time of its model — the mean measured in this run
// once there is one, else a per-model constant (gemini-2.5-flash 15 s,
// gpt-4o-mini 12 s, local 1 s, unknown 15 s) — times the videos, of which
// four run at once. A playlist counts as PlaylistEstimateVideos videos, a
// channel as its request's Limit (else PlaylistEstimateVideos).
// Bad links count as none; the result is at least one second.
func (e *Engine) Estimate(ctx context.Context, req Request) time.Duration {
	req = e.policy(req)
	videos := 0
	for _, u := range youtube.SplitEntries(req.URLs) {
		l, err := e.yt.Resolve(ctx, u, req.PreferPlaylist)
		switch {
		case err != nil:
		case l.Kind == youtube.Playlist:
			videos += PlaylistEstimateVideos
		case l.Kind == youtube.Channel && req.Limit > 0:
			videos += req.Limit
		case l.Kind == youtube.Channel:
			videos += PlaylistEstimateVideos
		default:
			videos++
		}
	}
	model := req.Options.Model
	if opts, err := e.sum.Resolve(ctx, req.Options); err == nil {
		model = opts.Model
	}
	per := e.videoTime(model)
	rounds := (videos + estimateParallelism - 1) / estimateParallelism
	return max(time.Duration(rounds)*per, time.Second).Round(time.Second)
}

// videoTime returns the measured mean per-video time of model, or its
// constant.
func (e *Engine) videoTime(model string) time.Duration {
	e.mu.Lock()
	m := e.byModel[model].mean()
	e.mu.Unlock()
	if m > 0 {
		return m
	}
	if d, ok := modelSeconds[model]; ok {
		return d
	}
	switch {
	case strings.HasPrefix(model, "gemini"):
		return modelSeconds["gemini-2.5-flash"]
	case strings.HasPrefix(model, "gpt"):
		return modelSeconds["gpt-4o-mini"]
	}
	return defaultVideoTime
}
