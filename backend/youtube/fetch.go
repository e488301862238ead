package youtube

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Get fetches rawURL politely, as every request of this package is: a
// concurrency slot, the base pacing, the deadlines (Options.RequestTimeout,
// FirstByteTimeout, IdleTimeout), retries of 429/5xx, ctx honoured. It is
// for the other YouTube requests the app makes — thumbnails, channel and
// playlist feeds (/feeds/videos.xml) — so that they share the same limits.
// rawURL must be on the host of Options.BaseURL or Options.ThumbnailURL
// (or youtube.com / ytimg.com); others are refused (Code invalid). A non-2xx
// answer is an error (not_found for 404). It returns the body (at most 16
// MiB) and its Content-Type. Safe for concurrent use.
func (c *Client) Get(ctx context.Context, rawURL string) (body []byte, contentType string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !c.allowedHost(u) {
		return nil, "", invalid(KindNotYouTube, "Only YouTube addresses can be fetched here.")
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, url: u.String()})
	if err != nil {
		return nil, "", asYtsum(ctx, err)
	}
	switch {
	case resp.status == http.StatusNotFound || resp.status == http.StatusGone:
		return nil, "", errNotFoundAt(u)
	case resp.status < 200 || resp.status > 299:
		return nil, "", statusError(resp, u.String())
	}
	return resp.body, resp.header.Get("Content-Type"), nil
}

func (c *Client) allowedHost(u *url.URL) bool {
	h := strings.ToLower(u.Hostname())
	if strings.EqualFold(u.Host, c.base.Host) {
		return true
	}
	if t, err := url.Parse(c.thumb); err == nil && strings.EqualFold(u.Host, t.Host) {
		return true
	}
	if h == "yt3.ggpht.com" || h == "yt3.googleusercontent.com" { // channel avatars
		return true
	}
	for _, d := range []string{"youtube.com", "ytimg.com"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

func errNotFoundAt(u *url.URL) error {
	return errYouTubeNotFound(fmt.Errorf("youtube: GET %s: HTTP 404", redactURL(u.String())))
}

// Wait blocks until YouTube's pacing (the base gap and any slow-down after
// a refusal) lets one more request go, for callers that reach YouTube with
// a client of their own (the subscriptions' Shorts check). It returns
// ctx's error when ctx ends first. Safe for concurrent use.
func (c *Client) Wait(ctx context.Context) error { return c.gov.wait(ctx) }
