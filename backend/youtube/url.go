package youtube

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"ytsum/backend/ytsum"
)

// LinkKind says what a parsed link points at.
type LinkKind int

// The kinds of link Parse returns.
const (
	Video LinkKind = iota + 1
	Playlist
	// Channel is a channel link: it stands for the channel's newest uploads
	// (Client.Channel).
	Channel
)

// String returns "video", "playlist" or "channel".
func (k LinkKind) String() string {
	switch k {
	case Video:
		return "video"
	case Playlist:
		return "playlist"
	case Channel:
		return "channel"
	}
	return "unknown"
}

// Link is a parsed YouTube link. Kind says which of VideoID, PlaylistID and
// ChannelPath is to be summarized; video and playlist are both set when the
// link carried both (so the UI can offer the other choice). StartSeconds is
// the timestamp the link carried (t=, start=, time_continue=, #t=), kept
// for deep links and ignored for summarizing. Raw is the input, trimmed.
type Link struct {
	Kind         LinkKind
	VideoID      string
	PlaylistID   string
	StartSeconds int
	Raw          string
	// ChannelPath is a channel link's page path without slashes or tab:
	// "@handle", "channel/UC…", "c/NAME" or "user/NAME" (escaped as in a
	// URL). ChannelID is the UC… ID when the link names it.
	ChannelPath string
	ChannelID   string
}

// URL returns the canonical link: a watch URL (with &t= when the link had
// a timestamp) for a video, a playlist URL for a playlist, the channel page
// for a channel.
func (l Link) URL() string {
	if l.Kind == Playlist {
		return "https://www.youtube.com/playlist?list=" + l.PlaylistID
	}
	if l.Kind == Channel {
		return "https://www.youtube.com/" + l.ChannelPath
	}
	u := ytsum.WatchURL(l.VideoID)
	if l.StartSeconds > 0 {
		u += "&t=" + strconv.Itoa(l.StartSeconds) + "s"
	}
	return u
}

// ID returns the ID of what the link points at: the playlist ID for a
// playlist, the channel ID (else its page path) for a channel, the video
// ID otherwise.
func (l Link) ID() string {
	if l.Kind == Playlist {
		return l.PlaylistID
	}
	if l.Kind == Channel {
		if l.ChannelID != "" {
			return l.ChannelID
		}
		return l.ChannelPath
	}
	return l.VideoID
}

// ValidVideoID reports whether id is exactly 11 of [0-9A-Za-z_-].
func ValidVideoID(id string) bool {
	if len(id) != 11 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idChar(id[i]) {
			return false
		}
	}
	return true
}

// validPlaylistID reports whether id has the shape of a playlist ID: 12 to
// 64 of [0-9A-Za-z_-] (real ones are 18, 24, 34 or 41 long), or one of the
// short special lists.
func validPlaylistID(id string) bool {
	switch id {
	case "WL", "LL", "LM", "RDMM":
		return true
	}
	if len(id) < 12 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !idChar(id[i]) {
			return false
		}
	}
	return true
}

func idChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_'
}

// playlistPrefixes are the prefixes of the playlist IDs accepted bare (without
// a URL) — yt-dlp's _PLAYLIST_ID_RE, less the login-only and mix ones.
var playlistPrefixes = []string{"PL", "UU", "OLAK5uy_", "EC", "FL", "UL", "TL", "PU", "LL", "RD"}

func barePlaylistID(s string) bool {
	if !validPlaylistID(s) || len(s) < 12 {
		return false
	}
	for _, p := range playlistPrefixes {
		if strings.HasPrefix(s, p) && len(s) >= len(p)+10 {
			return true
		}
	}
	return false
}

// isMix reports whether a playlist ID is a generated mix (RD…), which
// cannot be browsed and is treated as the single video.
func isMix(id string) bool { return strings.HasPrefix(id, "RD") }

// loginList returns the rejection for the login-only lists, or nil.
func loginList(id string) *ytsum.Error {
	switch id {
	case "WL":
		return invalid(KindWatchLater, "This is your Watch Later list, which only you can see when signed in; "+
			"paste the links of its videos instead.")
	case "LL":
		return invalid(KindLikedVideos, "This is your Liked videos list, which only you can see when signed in; "+
			"paste the links of its videos instead.")
	case "LM":
		return invalid(KindLikedMusic, "This is your Liked music list on YouTube Music, which only you can see "+
			"when signed in; paste the links of its songs instead.")
	}
	return nil
}

func errMixOnly() *ytsum.Error {
	return invalid(KindMix, "This is a YouTube mix, which YouTube makes up on the fly and can't be summarized "+
		"as a playlist; paste the link of one of its videos instead.")
}

func errBadVideoID() *ytsum.Error {
	return invalid(KindBadVideoID, "The video ID in this link is not valid (it must be exactly 11 letters, digits, "+
		"- or _); check that the whole link was copied.")
}

func errBadPlaylistID() *ytsum.Error {
	return invalid(KindBadPlaylistID, "The playlist ID in this link is not valid; check that the whole link was copied.")
}

// Parse parses one YouTube link or bare ID strictly (see protocols.md §1.6).
//
// Accepted: watch, youtu.be, shorts, live, embed, youtube-nocookie, legacy
// /v/ and /e/ links, on www., m. and music. hosts, bare 11-character video
// IDs, playlist links and bare playlist IDs (PL…, UU…, OLAK5uy_…). A
// timestamp is kept in StartSeconds. A link carrying both a video and a
// playlist gives the video unless preferPlaylist is set (callers pass the
// per-request option or the user's setting). Mixes (list=RD…) and the
// login-only lists (WL, LL, LM) are treated as the single video when the
// link has one.
//
// Rejected, each with its own Kind and sentence: empty input, non-http(s)
// schemes, other hosts and look-alikes (youtube.com.evil.io), other
// channel tabs and malformed channel names, search, feed, hashtag, post and
// clip pages, the home page, malformed IDs,
// login-only lists and mixes without a video. The error is a *ytsum.Error
// with Code invalid. Parse never panics, and a returned VideoID is always
// 11 valid characters. It is safe for concurrent use.
func Parse(raw string, preferPlaylist bool) (Link, error) {
	l, err := parse(raw, preferPlaylist)
	if err != nil {
		return Link{}, err
	}
	return l, nil
}

func parse(raw string, preferPlaylist bool) (Link, error) {
	s := strings.TrimSpace(raw)
	link := Link{Raw: s}
	if s == "" {
		return link, invalid(KindEmptyLink, "The link is empty; paste a YouTube video or playlist link.")
	}
	if ValidVideoID(s) {
		link.Kind, link.VideoID = Video, s
		return link, nil
	}
	if e := loginList(s); e != nil {
		return link, e
	}
	if s == "RDMM" {
		return link, errMixOnly()
	}
	if barePlaylistID(s) {
		if isMix(s) {
			return link, errMixOnly()
		}
		link.Kind, link.PlaylistID = Playlist, s
		return link, nil
	}

	// A scheme, if any: "name:" where name has no dot (a dot means host:port).
	if i := strings.IndexByte(s, ':'); i > 0 {
		scheme := strings.ToLower(s[:i])
		if !strings.ContainsAny(scheme, "./") && schemeLike(scheme) {
			if scheme != "http" && scheme != "https" {
				return link, invalid(KindBadScheme, "Only http and https links to YouTube can be summarized; "+
					"paste a link that starts with https://www.youtube.com or https://youtu.be.")
			}
		}
	}
	if strings.HasPrefix(s, "//") {
		s = "https:" + s
	} else if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return link, invalid(KindNotYouTube, "This is not a valid link; paste a YouTube video or playlist link.")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return link, invalid(KindBadScheme, "Only http and https links to YouTube can be summarized; "+
			"paste a link that starts with https://www.youtube.com or https://youtu.be.")
	}
	if u.User != nil {
		return link, invalid(KindNotYouTube, "This link hides its real address behind a user name, so it is not "+
			"a YouTube link; paste a link copied from YouTube itself.")
	}
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		return link, invalid(KindNotYouTube, "This link points at an unusual port, so it is not a YouTube link; "+
			"paste a link copied from YouTube itself.")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, p := range []string{"www.", "m.", "music."} {
		if strings.HasPrefix(host, p) {
			host = host[len(p):]
			break
		}
	}
	switch host {
	case "youtube.com", "youtube-nocookie.com", "youtubekids.com", "gaming.youtube.com":
		return parseYouTubePath(link, u, preferPlaylist)
	case "youtu.be":
		return parseShort(link, u, preferPlaylist)
	}
	if lookAlike(host) {
		return link, invalid(KindLookAlike, "This link only looks like YouTube: its address is "+safeHost(host)+
			", not youtube.com; paste a link copied from YouTube itself.")
	}
	return link, invalid(KindNotYouTube, "This is not a YouTube link ("+safeHost(host)+"); paste a link from "+
		"youtube.com or youtu.be.")
}

func schemeLike(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// lookAlike reports whether host mentions YouTube without being it.
func lookAlike(host string) bool {
	return strings.Contains(host, "youtube") || strings.Contains(host, "youtu.be") || strings.Contains(host, "ytimg")
}

// safeHost shortens a host for a message.
func safeHost(h string) string {
	if len(h) > 60 {
		h = h[:60] + "…"
	}
	return strings.ToValidUTF8(h, "")
}

// parseShort handles youtu.be/ID.
func parseShort(link Link, u *url.URL, preferPlaylist bool) (Link, error) {
	seg := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if seg[0] == "" {
		return link, invalid(KindNoVideo, "This youtu.be link has no video in it; check that the whole link was copied.")
	}
	if !ValidVideoID(seg[0]) {
		return link, errBadVideoID()
	}
	return finish(link, seg[0], u, preferPlaylist)
}

func parseYouTubePath(link Link, u *url.URL, preferPlaylist bool) (Link, error) {
	q := u.Query()
	path := strings.Trim(u.EscapedPath(), "/")
	seg := strings.Split(path, "/")
	first := strings.ToLower(seg[0])
	second := ""
	if len(seg) > 1 {
		second = seg[1]
	}
	switch {
	case first == "watch":
		v := q.Get("v")
		if v == "" && second != "" {
			v = second // youtube.com/watch/ID (share links from some apps)
		}
		if v == "" {
			if q.Get("list") != "" {
				return finish(link, "", u, preferPlaylist)
			}
			return link, invalid(KindNoVideo, "This watch link has no video in it; check that the whole link was copied.")
		}
		if !ValidVideoID(v) {
			return link, errBadVideoID()
		}
		return finish(link, v, u, preferPlaylist)
	case first == "shorts" || first == "live" || first == "v" || first == "e":
		if second == "" {
			return link, invalid(KindNoVideo, "This link has no video in it; check that the whole link was copied.")
		}
		if !ValidVideoID(second) {
			return link, errBadVideoID()
		}
		return finish(link, second, u, preferPlaylist)
	case first == "embed":
		if second == "videoseries" || (second == "" && q.Get("list") != "") {
			return finish(link, "", u, true)
		}
		if second == "" {
			return link, invalid(KindNoVideo, "This embed link has no video in it; check that the whole link was copied.")
		}
		if !ValidVideoID(second) {
			return link, errBadVideoID()
		}
		return finish(link, second, u, preferPlaylist)
	case first == "playlist":
		if q.Get("list") == "" {
			return link, invalid(KindBadPlaylistID, "This playlist link has no playlist ID in it; check that the whole link was copied.")
		}
		return finish(link, "", u, true)
	case path == "":
		if v := q.Get("v"); v != "" { // youtube.com/?v=ID
			if !ValidVideoID(v) {
				return link, errBadVideoID()
			}
			return finish(link, v, u, preferPlaylist)
		}
		return link, invalid(KindHomePage, "This is YouTube's home page, not a video; open a video and copy its link.")
	case strings.HasPrefix(first, "@") || first == "channel" || first == "c" || first == "user":
		return parseChannel(link, seg)
	case first == "results" || first == "search":
		return link, invalid(KindSearchLink, "This is a YouTube search page, not a video; open a video from the "+
			"results and copy its link.")
	case first == "feed" || first == "gaming" || first == "premium" || first == "account":
		return link, invalid(KindFeedLink, "This is a YouTube feed page, not a video; open a video and copy its link.")
	case first == "hashtag":
		return link, invalid(KindHashtagLink, "This is a hashtag page, not a video; open a video and copy its link.")
	case first == "post" || first == "community":
		return link, invalid(KindPostLink, "This is a community post, not a video; open the video it mentions "+
			"and copy that link.")
	case first == "clip":
		return link, invalid(KindClipLink, "Clip links can't be summarized yet; open the clip, then copy the link "+
			"of the full video it comes from.")
	}
	return link, invalid(KindUnsupportedPage, "This YouTube page is not a video or playlist; open a video and copy its link.")
}

// channelTabs are the channel page tabs that stand for the channel's uploads.
var channelTabs = map[string]bool{"": true, "videos": true, "featured": true}

// parseChannel handles /@handle[/tab], /channel/UC…[/tab], /c/NAME[/tab]
// and /user/NAME[/tab]; seg is the escaped path split on "/".
func parseChannel(link Link, seg []string) (Link, error) {
	name, rest := seg[0], seg[1:]
	if !strings.HasPrefix(name, "@") {
		if len(seg) < 2 || seg[1] == "" {
			return link, invalid(KindChannelLink, "This channel link has no channel in it; check that the whole link was copied.")
		}
		name, rest = strings.ToLower(seg[0])+"/"+seg[1], seg[2:]
	}
	tab := ""
	if len(rest) > 0 {
		tab = strings.ToLower(rest[0])
	}
	if len(rest) > 1 || !channelTabs[tab] {
		return link, invalid(KindChannelLink, "Only a channel's main page or its Videos tab can be summarized; "+
			"open the channel's Videos tab and copy that link.")
	}
	kind, value, _ := strings.Cut(name, "/")
	switch {
	case strings.HasPrefix(name, "@"):
		if !validHandle(name[1:]) {
			return link, invalid(KindChannelLink, "This channel handle is not valid; check that the whole link was copied.")
		}
	case kind == "channel":
		if !validChannelID(value) {
			return link, invalid(KindChannelLink, "The channel ID in this link is not valid (it must be UC and 22 letters, "+
				"digits, - or _); check that the whole link was copied.")
		}
		link.ChannelID = value
	default: // c/, user/
		if !validLegacyName(value) {
			return link, invalid(KindChannelLink, "This channel name is not valid; check that the whole link was copied.")
		}
	}
	link.Kind, link.ChannelPath = Channel, name
	return link, nil
}

// validChannelID reports whether id is "UC" and 22 of [0-9A-Za-z_-].
func validChannelID(id string) bool {
	if len(id) != 24 || !strings.HasPrefix(id, "UC") {
		return false
	}
	for i := 2; i < len(id); i++ {
		if !idChar(id[i]) {
			return false
		}
	}
	return true
}

// validHandle reports whether an escaped @handle (without "@") has 3 to 30
// letters, digits, "_", "-", "." or "·" (YouTube's rules; letters of any
// script).
func validHandle(escaped string) bool {
	h, err := url.PathUnescape(escaped)
	if err != nil || !utf8.ValidString(h) {
		return false
	}
	n := utf8.RuneCountInString(h)
	if n < 3 || n > 30 {
		return false
	}
	for _, r := range h {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '_' || r == '-' || r == '.' || r == '·') {
			return false
		}
	}
	return true
}

// validLegacyName reports whether a /c/ or /user/ name has 1 to 100
// letters, digits, "_", "-" or ".".
func validLegacyName(escaped string) bool {
	n, err := url.PathUnescape(escaped)
	if err != nil || n == "" || !utf8.ValidString(n) || utf8.RuneCountInString(n) > 100 {
		return false
	}
	for _, r := range n {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// finish applies the list= parameter and the timestamp. videoID may be
// empty (a playlist-only link).
func finish(link Link, videoID string, u *url.URL, preferPlaylist bool) (Link, error) {
	q := u.Query()
	link.StartSeconds = startSeconds(u, q)
	list := q.Get("list")
	if list != "" && !validPlaylistID(list) {
		if videoID == "" {
			return link, errBadPlaylistID()
		}
		list = "" // a broken list on a video link: the video is still good
	}
	if list != "" {
		if e := loginList(list); e != nil {
			if videoID == "" {
				return link, e
			}
			list = "" // the video of a Watch Later/Liked link is still a video
		} else if isMix(list) {
			if videoID == "" {
				return link, errMixOnly()
			}
			list = ""
		}
	}
	link.VideoID, link.PlaylistID = videoID, list
	switch {
	case videoID == "" && list == "":
		return link, invalid(KindNoVideo, "This link has no video or playlist in it; check that the whole link was copied.")
	case videoID == "":
		link.Kind = Playlist
	case list != "" && preferPlaylist:
		link.Kind = Playlist
	default:
		link.Kind = Video
	}
	return link, nil
}

// startSeconds reads t=, start=, time_continue= or #t=; 0 when absent or bad.
func startSeconds(u *url.URL, q url.Values) int {
	for _, k := range []string{"t", "start", "time_continue"} {
		if v := q.Get(k); v != "" {
			if n, ok := parseDuration(v); ok {
				return n
			}
		}
	}
	if f := u.Fragment; strings.HasPrefix(f, "t=") {
		if n, ok := parseDuration(f[2:]); ok {
			return n
		}
	}
	return 0
}

// parseDuration parses "90", "90s", "1m30s", "1h2m3s" into seconds.
func parseDuration(s string) (int, bool) {
	if s == "" || len(s) > 24 {
		return 0, false
	}
	total, cur, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			cur = cur*10 + int(c-'0')
			digits++
			if digits > 9 {
				return 0, false
			}
		case c == 'h' || c == 'H':
			total, cur, digits = total+cur*3600, 0, 0
		case c == 'm' || c == 'M':
			total, cur, digits = total+cur*60, 0, 0
		case c == 's' || c == 'S':
			total, cur, digits = total+cur, 0, 0
		default:
			return 0, false
		}
	}
	total += cur
	if total < 0 || total > 1<<30 {
		return 0, false
	}
	return total, true
}
