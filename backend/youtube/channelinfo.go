package youtube

import "context"

// ChannelInfo resolves a channel link (anything Channel takes) to its UC…
// ID and title with one GET of the channel page, without listing its
// uploads: what following a channel needs. Errors are Channel's (invalid,
// channel_not_found, rate_limited, blocked, offline, …) as *ytsum.Error.
// Safe for concurrent use.
func (c *Client) ChannelInfo(ctx context.Context, ref string) (id, title string, err error) {
	l, err := channelLink(ref)
	if err == nil {
		err = ctxErr(ctx)
	}
	if err == nil {
		id, title, err = c.channelPage(ctx, l)
	}
	if err != nil {
		return "", "", asYtsum(ctx, err)
	}
	return id, title, nil
}
