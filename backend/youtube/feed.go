package youtube

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ytsum/backend/ytsum"
)

// Kinds of the feed errors (ytsum.Error.Kind).
const (
	// KindFeedNotFound: YouTube has no feed for this channel or playlist
	// (HTTP 404): it does not exist, or is private.
	KindFeedNotFound = "feed_not_found"
	// KindFeedUnparsable: the feed URL answered something that is not a
	// YouTube Atom feed (an HTML page, garbage, an empty body).
	KindFeedUnparsable = "feed_unparsable"
)

// FeedTimeout bounds one feed fetch, retries included.
const FeedTimeout = 30 * time.Second

// FeedQuery names one keyless Atom feed and the validators of the copy the
// caller already has. Exactly one of ChannelID and PlaylistID is set.
type FeedQuery struct {
	ChannelID  string
	PlaylistID string
	// ETag and LastModified are the validators of the previous answer
	// (Feed.ETag, Feed.LastModified); sent as If-None-Match and
	// If-Modified-Since, so an unchanged feed costs a 304 without a body.
	ETag         string
	LastModified string
}

// Feed is one answer of {base}/feeds/videos.xml.
type Feed struct {
	// NotModified is true when YouTube answered 304: nothing else is set
	// except the validators, which are the query's.
	NotModified  bool
	ETag         string
	LastModified string

	// ChannelID is the channel of a channel feed, or the owner of a
	// playlist feed; PlaylistID is set for playlist feeds.
	ChannelID  string
	PlaylistID string
	Title      string
	Author     string
	AuthorURI  string
	Published  time.Time
	// Entries are the newest videos (YouTube sends at most 15), newest first
	// as YouTube orders them.
	Entries []FeedEntry
}

// FeedEntry is one video of a feed.
type FeedEntry struct {
	VideoID     string
	ChannelID   string
	Title       string
	URL         string // the alternate link: /watch?v=… or /shorts/…
	Author      string
	Published   time.Time
	Updated     time.Time
	Description string
	Thumbnail   string
	Views       int64
	// Short is true when YouTube links the entry as a Short (/shorts/ID).
	// False does not prove it is not a Short.
	Short bool
}

// Feed fetches the keyless Atom feed of a channel or playlist through the
// client's pacing, concurrency limit and retries, within FeedTimeout
// (sooner if ctx ends). A 304 answer gives Feed.NotModified. Errors are
// *ytsum.Error: invalid for a query naming neither or both sources,
// not_found (KindFeedNotFound) for a 404, unavailable (KindFeedUnparsable)
// for an answer that is not a YouTube feed, and the client's usual errors
// (offline, rate_limited, youtube_error, cancelled). Safe for concurrent use.
func (c *Client) Feed(ctx context.Context, q FeedQuery) (*Feed, error) {
	ctx, cancel := context.WithTimeout(ctx, FeedTimeout)
	defer cancel()
	v := url.Values{}
	switch {
	case q.ChannelID != "" && q.PlaylistID == "":
		v.Set("channel_id", q.ChannelID)
	case q.PlaylistID != "" && q.ChannelID == "":
		v.Set("playlist_id", q.PlaylistID)
	default:
		return nil, ytsum.Errorf(ytsum.CodeInvalid, KindFeedNotFound, "A feed needs one channel or one playlist.")
	}
	u := c.endpoint("/feeds/videos.xml", v)
	h := http.Header{}
	h.Set("Accept", "application/atom+xml, application/xml;q=0.9, */*;q=0.1")
	if q.ETag != "" {
		h.Set("If-None-Match", q.ETag)
	}
	if q.LastModified != "" {
		h.Set("If-Modified-Since", q.LastModified)
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, url: u, header: h})
	if err != nil {
		return nil, asYtsum(ctx, err)
	}
	switch {
	case resp.status == http.StatusNotModified:
		return &Feed{NotModified: true, ETag: q.ETag, LastModified: q.LastModified}, nil
	case resp.status == http.StatusNotFound:
		return nil, ytsum.Wrap(&httpError{resp.status, u}, ytsum.CodeNotFound, KindFeedNotFound,
			"This channel or playlist does not exist or is private (YouTube has no feed for it); check the link.")
	case resp.status < 200 || resp.status > 299:
		return nil, statusError(resp, u)
	}
	f, err := ParseFeed(resp.body)
	if err != nil {
		return nil, err
	}
	f.ETag = resp.header.Get("ETag")
	f.LastModified = resp.header.Get("Last-Modified")
	return f, nil
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"http://www.w3.org/2005/Atom name"`
	URI  string `xml:"http://www.w3.org/2005/Atom uri"`
}

type atomFeed struct {
	XMLName    xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID         string      `xml:"http://www.w3.org/2005/Atom id"`
	ChannelID  string      `xml:"http://www.youtube.com/xml/schemas/2015 channelId"`
	PlaylistID string      `xml:"http://www.youtube.com/xml/schemas/2015 playlistId"`
	Title      string      `xml:"http://www.w3.org/2005/Atom title"`
	Author     atomAuthor  `xml:"http://www.w3.org/2005/Atom author"`
	Published  string      `xml:"http://www.w3.org/2005/Atom published"`
	Entries    []atomEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

type atomEntry struct {
	ID        string     `xml:"http://www.w3.org/2005/Atom id"`
	VideoID   string     `xml:"http://www.youtube.com/xml/schemas/2015 videoId"`
	ChannelID string     `xml:"http://www.youtube.com/xml/schemas/2015 channelId"`
	Title     string     `xml:"http://www.w3.org/2005/Atom title"`
	Links     []atomLink `xml:"http://www.w3.org/2005/Atom link"`
	Author    atomAuthor `xml:"http://www.w3.org/2005/Atom author"`
	Published string     `xml:"http://www.w3.org/2005/Atom published"`
	Updated   string     `xml:"http://www.w3.org/2005/Atom updated"`
	Group     struct {
		Title       string `xml:"http://search.yahoo.com/mrss/ title"`
		Description string `xml:"http://search.yahoo.com/mrss/ description"`
		Thumbnail   struct {
			URL string `xml:"url,attr"`
		} `xml:"http://search.yahoo.com/mrss/ thumbnail"`
		Community struct {
			Statistics struct {
				Views string `xml:"views,attr"`
			} `xml:"http://search.yahoo.com/mrss/ statistics"`
		} `xml:"http://search.yahoo.com/mrss/ community"`
	} `xml:"http://search.yahoo.com/mrss/ group"`
}

func errFeedUnparsable(cause error) *ytsum.Error {
	return ytsum.Wrap(cause, ytsum.CodeUnavailable, KindFeedUnparsable,
		"YouTube answered this channel's or playlist's feed with something that is not a feed; try again later.")
}

// ParseFeed parses a YouTube Atom feed body. Entries without a valid video
// ID are dropped; a body that is not an Atom feed (HTML, JSON, garbage,
// empty) is an *ytsum.Error of kind KindFeedUnparsable. Dates that do not
// parse are left zero.
func ParseFeed(body []byte) (*Feed, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '<' {
		return nil, errFeedUnparsable(errors.New("youtube: feed body is not XML"))
	}
	var af atomFeed
	dec := xml.NewDecoder(bytes.NewReader(trimmed))
	dec.Strict = true
	if err := dec.Decode(&af); err != nil {
		return nil, errFeedUnparsable(fmt.Errorf("youtube: decoding feed: %w", err))
	}
	if af.ChannelID == "" && af.PlaylistID == "" && !strings.HasPrefix(af.ID, "yt:") {
		return nil, errFeedUnparsable(errors.New("youtube: an Atom feed without a YouTube channel or playlist"))
	}
	f := &Feed{
		ChannelID:  normalChannelID(af.ChannelID),
		PlaylistID: strings.TrimSpace(af.PlaylistID),
		Title:      strings.TrimSpace(af.Title),
		Author:     strings.TrimSpace(af.Author.Name),
		AuthorURI:  strings.TrimSpace(af.Author.URI),
		Published:  parseFeedTime(af.Published),
	}
	seen := make(map[string]bool, len(af.Entries))
	for _, e := range af.Entries {
		id := strings.TrimSpace(e.VideoID)
		if id == "" {
			id = strings.TrimPrefix(strings.TrimSpace(e.ID), "yt:video:")
		}
		if !ValidVideoID(id) || seen[id] {
			continue
		}
		seen[id] = true
		fe := FeedEntry{
			VideoID:     id,
			ChannelID:   normalChannelID(e.ChannelID),
			Title:       strings.TrimSpace(e.Title),
			Author:      strings.TrimSpace(e.Author.Name),
			Published:   parseFeedTime(e.Published),
			Updated:     parseFeedTime(e.Updated),
			Description: e.Group.Description,
			Thumbnail:   e.Group.Thumbnail.URL,
		}
		if fe.Title == "" {
			fe.Title = strings.TrimSpace(e.Group.Title)
		}
		for _, l := range e.Links {
			if l.Rel == "alternate" || l.Rel == "" {
				fe.URL = l.Href
				break
			}
		}
		if u, err := url.Parse(fe.URL); err == nil && strings.HasPrefix(u.Path, "/shorts/") {
			fe.Short = true
		}
		if n, err := strconv.ParseInt(e.Group.Community.Statistics.Views, 10, 64); err == nil {
			fe.Views = n
		}
		f.Entries = append(f.Entries, fe)
	}
	return f, nil
}

// normalChannelID restores the "UC" prefix some feeds leave out.
func normalChannelID(id string) string {
	id = strings.TrimSpace(id)
	if len(id) == 22 && !strings.HasPrefix(id, "UC") {
		return "UC" + id
	}
	return id
}

func parseFeedTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
