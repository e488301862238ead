package youtube

import "context"

// ChannelInfo resolves a channel link (anything Channel takes) to its UC…
// ID and title with one GET of the channel page, without listing its
// uploads: what following a channel needs. Errors are Channel's (invalid,
// channel_not_found, rate_limited, blocked, offline, …) as *ytsum.Error.
// Safe for concurrent use.
func (c *Client) ChannelInfo(ctx context.Context, ref string) (id, title string, err error) {
	id, title, _, err = c.ChannelDetails(ctx, ref)
	return id, title, err
}

// ChannelDetails is ChannelInfo with the channel's avatar URL (the page's
// og:image, "" when it has none), from the same one GET.
func (c *Client) ChannelDetails(ctx context.Context, ref string) (id, title, avatar string, err error) {
	l, err := channelLink(ref)
	if err == nil {
		err = ctxErr(ctx)
	}
	if err == nil {
		id, title, avatar, err = c.channelPage(ctx, l)
	}
	if err != nil {
		return "", "", "", asYtsum(ctx, err)
	}
	return id, title, avatar, nil
}

// LiveState reports whether video id is a live stream that has not ended
// (live) or a premiere or scheduled stream that has not started
// (upcoming), from one player answer of the first player client. The
// answer is memoised like any player answer, so summarizing the video right
// after costs no second request. Errors are *ytsum.Error (invalid,
// video_unavailable, offline, …). Safe for concurrent use.
func (c *Client) LiveState(ctx context.Context, id string) (live, upcoming bool, err error) {
	if !ValidVideoID(id) {
		return false, false, asYtsum(ctx, errBadVideoID())
	}
	pcs := c.playerClients()
	if len(pcs) == 0 {
		return false, false, nil
	}
	a := c.ask(ctx, id, pcs[0])
	if a.resp != nil && a.resp.VideoDetails != nil {
		return a.resp.VideoDetails.IsLive, a.resp.VideoDetails.IsUpcoming, nil
	}
	switch {
	case kindOf(a.err) == KindLiveNotFinished:
		return true, false, nil
	case a.err != nil:
		return false, false, asYtsum(ctx, a.err)
	}
	return false, false, nil
}
