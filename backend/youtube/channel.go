package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"

	"ytsum/backend/ytsum"
)

// DefaultChannelVideoLimit is how many of a channel's newest uploads
// Channel returns when neither the call nor Options.ChannelVideoLimit says.
const DefaultChannelVideoLimit = 10

// maxChannelVideoLimit caps the limit of one Channel call.
const maxChannelVideoLimit = 500

var (
	reCanonicalChannel = regexp.MustCompile(`<link rel="canonical" href="https?://(?:www\.)?youtube\.com/channel/(UC[0-9A-Za-z_-]{22})"`)
	reExternalID       = regexp.MustCompile(`"externalId":\s*"(UC[0-9A-Za-z_-]{22})"`)
	reOGTitle          = regexp.MustCompile(`<meta property="og:title" content="([^"]*)"`)
	reOGImage          = regexp.MustCompile(`<meta property="og:image" content="(https?://[^"]*)"`)
	reMetadataTitle    = regexp.MustCompile(`"channelMetadataRenderer":\s*\{[^{}]*?"title":\s*("(?:[^"\\]|\\.)*")`)
)

// Channel returns the newest uploads of a channel, newest first: at most
// limit of them (limit <= 0: Options.ChannelVideoLimit, default 10; at most
// 500). ref is a channel link (/@handle, /@handle/videos, /channel/UC…,
// /c/NAME, /user/NAME), a bare "@handle" or a bare "UC…" channel ID.
//
// Keyless: the channel page (one GET, with the consent cookie when asked)
// gives the channel ID and title; the uploads come from innertube /browse
// of the channel's videos playlist (UULF…, which leaves Shorts out),
// paging only as far as the limit needs. A channel with only Shorts or only
// members-only uploads fails with its own Kind.
//
// Errors are *ytsum.Error: invalid (not a channel link), channel_not_found,
// channel_empty, channel_shorts_only, channel_members_only, rate_limited,
// blocked, offline, youtube_timeout, cancelled, youtube_error,
// youtube_unparsable. Safe for concurrent use.
func (c *Client) Channel(ctx context.Context, ref string, limit int) (*ytsum.Channel, error) {
	ch, err := c.channel(ctx, ref, limit)
	if err != nil {
		return nil, asYtsum(ctx, err)
	}
	return ch, nil
}

// channelLink turns a Channel ref into a parsed channel link.
func channelLink(ref string) (Link, error) {
	s := strings.TrimSpace(ref)
	switch {
	case validChannelID(s):
		return Link{Kind: Channel, ChannelPath: "channel/" + s, ChannelID: s, Raw: s}, nil
	case strings.HasPrefix(s, "@") && !strings.Contains(s, "/"):
		s = "https://www.youtube.com/" + s
	}
	l, err := Parse(s, false)
	if err != nil {
		return Link{}, err
	}
	if l.Kind != Channel {
		return Link{}, invalid(KindChannelLink, "This is not a channel link; paste a link such as https://www.youtube.com/@name.")
	}
	return l, nil
}

func (c *Client) channelLimit(limit int) int {
	if limit <= 0 && c.opts.ChannelVideoLimit != nil {
		limit = c.opts.ChannelVideoLimit()
	}
	if limit <= 0 {
		limit = DefaultChannelVideoLimit
	}
	return min(limit, maxChannelVideoLimit)
}

func (c *Client) channel(ctx context.Context, ref string, limit int) (*ytsum.Channel, error) {
	l, err := channelLink(ref)
	if err != nil {
		return nil, err
	}
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	limit = c.channelLimit(limit)
	id, title, _, err := c.channelPage(ctx, l)
	if err != nil {
		return nil, err
	}
	ch := &ytsum.Channel{ID: id, Title: title}
	pl, err := c.playlistUpTo(ctx, "UULF"+id[2:], limit)
	switch kindOf(err) {
	case "":
		ch.Entries = pl.Entries[:min(len(pl.Entries), limit)]
		if ch.Title == "" {
			ch.Title = strings.TrimPrefix(pl.Title, "Uploads from ")
		}
		return ch, nil
	case KindPlaylistNotFound, KindPlaylistEmpty:
	default:
		return nil, err
	}
	// No regular videos: say why, if the channel has other uploads.
	for _, probe := range []struct {
		prefix string
		err    func(error) *ytsum.Error
	}{{"UUSH", errChannelShorts}, {"UUMO", errChannelMembers}} {
		p, perr := c.playlistUpTo(ctx, probe.prefix+id[2:], 1)
		if perr == nil && len(p.Entries) > 0 {
			return nil, probe.err(fmt.Errorf("youtube: channel %s has %s uploads only", id, probe.prefix))
		}
		if perr != nil && fatal(perr) {
			return nil, perr
		}
	}
	return nil, errChannelEmpty(fmt.Errorf("youtube: channel %s: %w", id, err))
}

// channelPage fetches the channel page of l and reads its ID and title.
func (c *Client) channelPage(ctx context.Context, l Link) (id, title, avatar string, err error) {
	u := c.base.String() + "/" + l.ChannelPath
	for try := 0; ; try++ {
		resp, err := c.do(ctx, request{method: http.MethodGet, url: u})
		if err != nil {
			return "", "", "", err
		}
		switch {
		case resp.status == http.StatusNotFound:
			return "", "", "", errChannelNotFound(&httpError{resp.status, u})
		case resp.status == http.StatusTooManyRequests:
			return "", "", "", errRateLimited(retryAfter(resp.header), &httpError{resp.status, u})
		case resp.status != http.StatusOK:
			return "", "", "", statusError(resp, u)
		}
		body := resp.body
		if bytes.Contains(body, []byte(consentAction)) {
			m := reConsentValue.FindSubmatch(body)
			if try > 0 || m == nil {
				return "", "", "", errConsent(fmt.Errorf("youtube: consent wall for channel %s persists", l.ChannelPath))
			}
			c.consent.set("YES+" + html.UnescapeString(string(m[1])))
			continue
		}
		if bytes.Contains(body, []byte(`class="g-recaptcha"`)) {
			c.gov.refused(0)
			return "", "", "", errBlocked(fmt.Errorf("youtube: channel page %s is a reCAPTCHA", l.ChannelPath))
		}
		for _, re := range []*regexp.Regexp{reExternalID, reCanonicalChannel} {
			if m := re.FindSubmatch(body); m != nil {
				id = string(m[1])
				break
			}
		}
		if id == "" {
			id = l.ChannelID
		}
		if id == "" {
			return "", "", "", errUnparsable(fmt.Errorf("youtube: channel page %s names no channel ID", l.ChannelPath))
		}
		if m := reMetadataTitle.FindSubmatch(body); m != nil {
			_ = json.Unmarshal(m[1], &title)
		}
		if m := reOGTitle.FindSubmatch(body); title == "" && m != nil {
			title = html.UnescapeString(string(m[1]))
		}
		if m := reOGImage.FindSubmatch(body); m != nil {
			avatar = html.UnescapeString(string(m[1]))
		}
		return id, title, avatar, nil
	}
}
