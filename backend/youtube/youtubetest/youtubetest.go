// Package youtubetest is a fake YouTube for tests, end-to-end scripts and
// demos: an HTTP server on 127.0.0.1 that speaks the wire formats the
// youtube client reads (watch page, innertube /youtubei/v1/player and
// /youtubei/v1/browse, /api/timedtext, /oembed and thumbnails at
// /vi/<id>/hqdefault.jpg), built on real captured answers (testdata/,
// licensed as testdata/LICENSE.youtube-transcript-api says).
//
// It serves a configurable Catalogue of videos and playlists. Point the
// app at it with YTSUM_YOUTUBE_URL and YTSUM_THUMBNAIL_URL both set to
// Server.URL (see Server.Env). Links stay real YouTube links
// (WatchURL, PlaylistURL): the client maps them onto the fake.
package youtubetest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed testdata/watch.player.json
var realPlayer []byte

//go:embed testdata/transcript.xml
var realTranscript []byte

// Video is one video of the catalogue.
type Video struct {
	// ID is the 11-character video ID.
	ID string
	// Title, Channel and DurationSeconds are what the player answer says.
	Title           string
	Channel         string
	DurationSeconds int
	// Lines are the transcript, one caption line each (a line is shown for
	// four seconds). Nil: the video has no captions.
	Lines []string
	// Private makes the player answer "This video is private".
	Private bool
	// Delay holds every request about this video (watch page, player,
	// timedtext, oEmbed) this long before it is answered, so that a test has
	// time to cancel. A request whose client gives up ends at once. The
	// real client gives up waiting for an answer's first byte after 15 s
	// (youtube.Options.FirstByteTimeout): a longer Delay makes the video
	// fail with youtube_timeout then, so a test must cancel before that or
	// shorten the client's deadlines.
	Delay time.Duration
	// RawPlayer and RawTranscript, when set, are answered verbatim (the
	// real captured answers of RealVideoID use them).
	RawPlayer     []byte
	RawTranscript []byte
}

// Entry is one entry of a playlist.
type Entry struct {
	// VideoID is the entry's video; it should be in the catalogue unless
	// Private is set.
	VideoID string
	// Title is shown in the playlist; empty: the video's title.
	Title string
	// Private lists the entry as "[Private video]", as YouTube does.
	Private bool
}

// Playlist is one playlist of the catalogue.
type Playlist struct {
	// ID is the playlist ID (12 to 64 of [0-9A-Za-z_-], e.g. "PL…").
	ID    string
	Title string
	// Entries in playlist order. The fake pages them PageSize at a time
	// with continuation tokens, as YouTube does (100 at a time).
	Entries []Entry
}

// Channel is one channel of the catalogue. Its page answers at
// /channel/ID, /@Handle, /c/Custom and /user/User (and their /videos tab);
// its uploads are the playlists UULF… (videos), UUSH… (Shorts) and UUMO…
// (members only), as YouTube keeps them.
type Channel struct {
	// ID is the channel ID: "UC" and 22 of [0-9A-Za-z_-].
	ID string
	// Handle is the @handle, with the "@"; Custom and User are the legacy
	// /c/ and /user/ names. Empty ones are not served.
	Handle, Custom, User string
	Title                string
	// Videos, Shorts and Members are video IDs, newest first.
	Videos, Shorts, Members []string
}

// UploadsID returns the ID of a channel's uploads playlist of the given
// kind: "UULF" (videos), "UUSH" (Shorts), "UUMO" (members only) or "UU"
// (everything).
func UploadsID(channelID, kind string) string { return kind + strings.TrimPrefix(channelID, "UC") }

// ChannelPage is the HTML of a channel page, carrying what a keyless
// client reads from YouTube's: the canonical /channel/ID link, og:title
// and the channelMetadataRenderer of ytInitialData.
func ChannelPage(channelID, title, handle string) []byte {
	return ChannelPageAvatar(channelID, title, handle, "")
}

// AvatarPath is where the fake serves a channel's avatar (as YouTube's
// yt3.googleusercontent.com does: /ytc/…=s900-c-k-c0x00ffffff-no-rj).
func AvatarPath(channelID string) string { return "/ytc/" + channelID + "=s900-c-k-c0x00ffffff-no-rj" }

// ChannelPageAvatar is ChannelPage with the avatar YouTube's page carries
// as <meta property="og:image"> (omitted when avatar is "").
func ChannelPageAvatar(channelID, title, handle, avatar string) []byte {
	og := ""
	if avatar != "" {
		og = `<meta property="og:image" content="` + html.EscapeString(avatar) + `">`
	}
	meta, _ := json.Marshal(map[string]any{"metadata": map[string]any{"channelMetadataRenderer": map[string]any{
		"title": title, "externalId": channelID, "vanityChannelUrl": "http://www.youtube.com/" + handle,
		"channelUrl": "https://www.youtube.com/channel/" + channelID}}})
	return []byte(`<!DOCTYPE html><html><head><title>` + html.EscapeString(title) + ` - YouTube</title>` +
		`<link rel="canonical" href="https://www.youtube.com/channel/` + channelID + `">` +
		`<meta property="og:title" content="` + html.EscapeString(title) + `">` + og +
		`</head><body><script>var ytInitialData = ` + string(meta) + `;</script></body></html>`)
}

// ChannelURL is the @handle link of a channel.
func ChannelURL(handle string) string { return "https://www.youtube.com/" + handle }

// Catalogue is everything the fake knows. Anything else answers as an
// unavailable video or a missing playlist.
type Catalogue struct {
	Videos    []Video
	Playlists []Playlist
	Channels  []Channel
	// PageSize is the number of playlist entries per browse page
	// (default 2, so that continuations are exercised).
	PageSize int
}

// IDs and words of DefaultCatalogue.
const (
	// PlaylistID has three videos (PlaylistVideoIDs) and one private entry.
	PlaylistID = "PLtestplaylist00000001"
	// VideoID is a single video with a transcript.
	VideoID = "dQw4w9WgXcQ"
	// SlowVideoID answers after SlowDelay: long enough to cancel it.
	SlowVideoID = "slowVideo01"
	// SlowDelay is the delay of SlowVideoID: longer than the real client's
	// 15 s first-byte deadline, so unless cancelled within 15 s the video
	// fails with youtube_timeout (as a stalled YouTube would make it).
	SlowDelay = 60 * time.Second
	// RealVideoID is served from the real captured player answer and
	// transcript of the fixtures.
	RealVideoID = "GJLlxj_dtq8"
	// PrivateVideoID is the private entry of PlaylistID.
	PrivateVideoID = "prvVideo001"
	// SearchWord occurs only in the transcript of the first playlist video.
	SearchWord = "aardvark"
	// ChannelID is a channel whose uploads are PlaylistVideoIDs, newest
	// first; ChannelHandle is its @handle.
	ChannelID     = "UCe2echannel000000000001"
	ChannelHandle = "@curiousthings"
)

// PlaylistVideoIDs are the playable videos of PlaylistID, in order.
var PlaylistVideoIDs = []string{"e2eVideo001", "e2eVideo002", "e2eVideo003"}

// DefaultCatalogue returns the catalogue the e2e scripts use: PlaylistID
// (three videos whose transcripts are about aardvarks, zeppelins and
// sourdough, and a private entry), VideoID, SlowVideoID and RealVideoID.
func DefaultCatalogue() Catalogue {
	return Catalogue{
		Videos: []Video{
			{ID: PlaylistVideoIDs[0], Title: "How Aardvarks Dig Their Burrows", Channel: "Nature Notes", DurationSeconds: 312,
				Lines: []string{
					"Welcome back to Nature Notes, where we look at animals up close.",
					"Today we follow an aardvark through one night in the savanna.",
					"The aardvark digs a new burrow in less than ten minutes with its strong front claws.",
					"Termites are its favourite food, and a single aardvark can eat fifty thousand of them in a night.",
					"Its long sticky tongue reaches deep into the termite mounds.",
					"Abandoned aardvark burrows later shelter warthogs, porcupines and even birds.",
					"Farmers sometimes see the aardvark as a pest, but it keeps the termites in check.",
					"Thanks for watching, and see you next week for more animal stories.",
				}},
			{ID: PlaylistVideoIDs[1], Title: "Zeppelins Over the Atlantic", Channel: "History Hangar", DurationSeconds: 605,
				Lines: []string{
					"In the nineteen thirties the zeppelin was the fastest way to cross the Atlantic.",
					"The Graf Zeppelin flew more than a million miles without losing a passenger.",
					"Passengers dined in a lounge with large windows and watched the ocean below.",
					"Hydrogen made every zeppelin light, but it also made it dangerous.",
					"The Hindenburg disaster in nineteen thirty seven ended the age of the great airships.",
					"Today helium airships are coming back for cargo and for tourism.",
				}},
			{ID: PlaylistVideoIDs[2], Title: "Baking Sourdough at Home", Channel: "Crumb Lab", DurationSeconds: 488,
				Lines: []string{
					"A sourdough starter is only flour, water and patience.",
					"Feed your starter twice a day until it doubles within six hours.",
					"Mix the dough, let it rest, then fold it every thirty minutes for two hours.",
					"A long cold proof in the fridge gives the sourdough its tangy flavour.",
					"Bake it in a hot covered pot so that the crust can blister and crackle.",
					"Let the loaf cool for an hour before you cut it, however hard that is.",
				}},
			{ID: VideoID, Title: "Lighthouses of the North Sea", Channel: "Coast Stories", DurationSeconds: 213,
				Lines: []string{
					"Lighthouses have guided sailors along the North Sea coast for centuries.",
					"Each lighthouse flashes its own pattern so that captains know where they are.",
					"Keepers once climbed the tower every evening to light the lamp by hand.",
					"Today most lighthouses run automatically and are watched from the shore.",
					"Some old keepers' houses have become small museums you can visit.",
				}},
			{ID: SlowVideoID, Title: "A Very Slow Video", Channel: "Patience Channel", DurationSeconds: 3600, Delay: SlowDelay,
				Lines: []string{"This video takes a long time to load, so you can cancel it.",
					"Nobody should ever read this summary."}},
			{ID: RealVideoID, RawPlayer: realPlayer, RawTranscript: realTranscript},
		},
		Playlists: []Playlist{{ID: PlaylistID, Title: "Curious Things — test playlist", Entries: []Entry{
			{VideoID: PlaylistVideoIDs[0]}, {VideoID: PrivateVideoID, Private: true},
			{VideoID: PlaylistVideoIDs[1]}, {VideoID: PlaylistVideoIDs[2]},
		}}},
		Channels: []Channel{{ID: ChannelID, Handle: ChannelHandle, Title: "Curious Things",
			Videos: []string{PlaylistVideoIDs[2], PlaylistVideoIDs[1], PlaylistVideoIDs[0]}}},
	}
}

// WatchURL is the YouTube link of video id.
func WatchURL(id string) string { return "https://www.youtube.com/watch?v=" + id }

// PlaylistURL is the YouTube link of playlist id.
func PlaylistURL(id string) string { return "https://www.youtube.com/playlist?list=" + id }

// APIKey is the innertube key the fake's watch pages carry.
const APIKey = "fake-innertube-key_for-tests"

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL (http://127.0.0.1:PORT), for both
	// YTSUM_YOUTUBE_URL and YTSUM_THUMBNAIL_URL.
	URL string

	srv *http.Server
	ln  net.Listener

	mu          sync.Mutex
	videos      map[string]Video
	playlists   map[string]Playlist
	channels    map[string]Channel // by lower-case page path: "@handle", "channel/UC…", "c/name", "user/name"
	pageSize    int
	hits        map[string]int // path → count
	answered    map[string]int // path → count of requests whose handler returned
	changed     chan struct{}  // closed and replaced on every request
	log         []string
	players     map[string][]byte
	thumbs      map[string][]byte
	published   map[string]time.Time // feed dates of uploads added by AddUpload
	avatarDelay time.Duration        // SetAvatarDelay
}

// Start serves c on 127.0.0.1 at a free port until Close.
func Start(c Catalogue) (*Server, error) { return Listen("127.0.0.1:0", c) }

// Listen serves c on addr (which should be a loopback address) until Close.
func Listen(addr string, c Catalogue) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("youtubetest: %w", err)
	}
	s := &Server{ln: ln, URL: "http://" + ln.Addr().String(), videos: map[string]Video{},
		playlists: map[string]Playlist{}, channels: map[string]Channel{}, hits: map[string]int{}, answered: map[string]int{}, players: map[string][]byte{},
		thumbs: map[string][]byte{}, published: map[string]time.Time{}, pageSize: c.PageSize, changed: make(chan struct{})}
	if s.pageSize <= 0 {
		s.pageSize = 2
	}
	for _, v := range c.Videos {
		s.videos[v.ID] = v
	}
	for _, p := range c.Playlists {
		s.playlists[p.ID] = p
	}
	for _, ch := range c.Channels {
		s.channels[strings.ToLower("channel/"+ch.ID)] = ch
		for _, name := range []string{ch.Handle, "c/" + ch.Custom, "user/" + ch.User} {
			if !strings.HasSuffix(name, "/") && name != "" {
				s.channels[strings.ToLower(name)] = ch
			}
		}
		for kind, ids := range map[string][]string{"UULF": ch.Videos, "UUSH": ch.Shorts, "UUMO": ch.Members} {
			if len(ids) == 0 {
				continue
			}
			p := Playlist{ID: UploadsID(ch.ID, kind), Title: "Uploads from " + ch.Title}
			for _, id := range ids {
				p.Entries = append(p.Entries, Entry{VideoID: id})
			}
			s.playlists[p.ID] = p
		}
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// TB is the part of testing.TB that MustStart uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// MustStart starts a fake of c for a test and closes it when the test ends.
func MustStart(tb TB, c Catalogue) *Server {
	tb.Helper()
	s, err := Start(c)
	if err != nil {
		tb.Fatalf("%v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server and ends requests in flight (delayed ones too).
func (s *Server) Close() { s.srv.Close() }

// Env returns the environment that points the app at the fake.
func (s *Server) Env() map[string]string {
	return map[string]string{"YTSUM_YOUTUBE_URL": s.URL, "YTSUM_THUMBNAIL_URL": s.URL}
}

// SetDelay changes the delay of a catalogue video.
func (s *Server) SetDelay(videoID string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.videos[videoID]
	v.Delay = d
	s.videos[videoID] = v
}

// Hits returns how many requests reached path (e.g. "/youtubei/v1/player").
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// WaitHits blocks until at least n requests have reached path, or ctx is
// done (then it returns ctx.Err()).
func (s *Server) WaitHits(ctx context.Context, path string, n int) error {
	for {
		s.mu.Lock()
		got, ch := s.hits[path], s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitAnswered blocks until at least n requests whose path starts with
// prefix (e.g. "/vi/<id>/" for a video's thumbnails) have been handled, or
// ctx is done (then it returns ctx.Err()). Unlike WaitHits, a request
// counts only once the fake finished it (answered, or dropped because the
// client gave up during a delay), so a test can act right after a client
// got its answer.
func (s *Server) WaitAnswered(ctx context.Context, prefix string, n int) error {
	for {
		s.mu.Lock()
		got, ch := 0, s.changed
		for p, c := range s.answered {
			if strings.HasPrefix(p, prefix) {
				got += c
			}
		}
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// InFlight returns how many requests the fake has received and not yet
// finished (held by a Delay, for example): what a client's concurrency
// limit lets through at once.
func (s *Server) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.hits {
		n += c - s.answered[p]
	}
	return n
}

// Requests returns "METHOD /path?query" of every request so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

func (s *Server) video(id string) (Video, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[id]
	return v, ok
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.log = append(s.log, r.Method+" "+r.URL.RequestURI())
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.answered[r.URL.Path]++
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}()
	switch {
	case r.URL.Path == "/watch":
		s.watch(w, r)
	case r.URL.Path == "/youtubei/v1/player" && r.Method == http.MethodPost:
		s.player(w, r, body)
	case r.URL.Path == "/api/timedtext":
		s.timedtext(w, r)
	case r.URL.Path == "/youtubei/v1/browse" && r.Method == http.MethodPost:
		s.browse(w, body)
	case r.URL.Path == "/oembed":
		s.oembed(w, r)
	case strings.HasPrefix(r.URL.Path, "/vi/") || strings.HasPrefix(r.URL.Path, "/vi_webp/"):
		s.thumbnail(w, r)
	case strings.HasPrefix(r.URL.Path, "/ytc/"):
		s.avatar(w, r)
	case r.URL.Path == "/":
		io.WriteString(w, "fake YouTube (youtubetest)\n")
	case r.URL.Path == "/feeds/videos.xml":
		s.feed(w, r)
	case strings.HasPrefix(r.URL.Path, "/shorts/"):
		s.short(w, r)
	case strings.HasPrefix(r.URL.Path, "/@") || strings.HasPrefix(r.URL.Path, "/channel/") ||
		strings.HasPrefix(r.URL.Path, "/c/") || strings.HasPrefix(r.URL.Path, "/user/"):
		s.channel(w, r)
	default:
		http.NotFound(w, r)
	}
}

// wait holds a request for the video's delay; false when the client gave up.
func (s *Server) wait(r *http.Request, v Video) bool {
	if v.Delay <= 0 {
		return true
	}
	t := time.NewTimer(v.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *Server) watch(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("v")
	v, known := s.video(id)
	if known && !s.wait(r, v) {
		return
	}
	title := id
	if known && v.Title != "" {
		title = v.Title
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>%s - YouTube</title></head><body>`+
		`<script>ytcfg.set({"INNERTUBE_API_KEY":"%s","VISITOR_DATA":"CgtGYWtlVmlzaXRvcg%%3D%%3D"});</script></body></html>`,
		html.EscapeString(title), APIKey)
}

// channel answers a channel page (its home or /videos tab).
func (s *Server) channel(w http.ResponseWriter, r *http.Request) {
	p := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(strings.Trim(r.URL.Path, "/"), "/videos"), "/featured"))
	s.mu.Lock()
	ch, ok := s.channels[p]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(ChannelPageAvatar(ch.ID, ch.Title, ch.Handle, "http://"+r.Host+AvatarPath(ch.ID)))
}

// playerFor returns the player answer of v: the real captured one with the
// ID, details and caption tracks of v.
func (s *Server) playerFor(v Video) []byte {
	if v.RawPlayer != nil {
		return v.RawPlayer
	}
	s.mu.Lock()
	b, ok := s.players[v.ID]
	s.mu.Unlock()
	if ok {
		return b
	}
	var m map[string]any
	if err := json.Unmarshal(bytes.ReplaceAll(realPlayer, []byte(RealVideoID), []byte(v.ID)), &m); err != nil {
		panic("youtubetest: fixture: " + err.Error())
	}
	d, _ := m["videoDetails"].(map[string]any)
	d["title"] = v.Title
	d["author"] = v.Channel
	d["lengthSeconds"] = strconv.Itoa(v.DurationSeconds)
	d["channelId"] = "UC" + strings.Repeat("x", 10) + v.ID
	d["shortDescription"] = v.Title
	delete(d, "keywords")
	if v.Lines == nil {
		delete(m, "captions")
	}
	b, _ = json.Marshal(m)
	s.mu.Lock()
	s.players[v.ID] = b
	s.mu.Unlock()
	return b
}

// ParsePlayer reads a /youtubei/v1/player request body: the client's name
// and version (context.client) and the video ID. ok is false when the body
// is not JSON. YouTube answers 400 FAILED_PRECONDITION to a request without
// a client name or version.
func ParsePlayer(body []byte) (clientName, clientVersion, videoID string, ok bool) {
	var req struct {
		Context struct {
			Client struct {
				ClientName    string `json:"clientName"`
				ClientVersion string `json:"clientVersion"`
			} `json:"client"`
		} `json:"context"`
		VideoID string `json:"videoId"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return "", "", "", false
	}
	return req.Context.Client.ClientName, req.Context.Client.ClientVersion, req.VideoID, true
}

func (s *Server) player(w http.ResponseWriter, r *http.Request, body []byte) {
	name, version, id, ok := ParsePlayer(body)
	if !ok || name == "" || version == "" {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"code":400,"message":"Precondition check failed.","status":"FAILED_PRECONDITION"}}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	v, ok := s.video(id)
	if !ok {
		io.WriteString(w, `{"playabilityStatus":{"status":"ERROR","reason":"This video is unavailable"}}`)
		return
	}
	if !s.wait(r, v) {
		return
	}
	if v.Private {
		io.WriteString(w, `{"playabilityStatus":{"status":"LOGIN_REQUIRED","reason":"This video is private"}}`)
		return
	}
	w.Write(s.playerFor(v))
}

// transcriptXML renders lines in the classic timedtext format (text
// escaped twice, as YouTube does).
func transcriptXML(lines []string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8" ?><transcript>`)
	for i, l := range lines {
		fmt.Fprintf(&b, `<text start="%d" dur="4">%s</text>`, i*4, html.EscapeString(html.EscapeString(l)))
	}
	b.WriteString(`</transcript>`)
	return b.Bytes()
}

func (s *Server) timedtext(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, ok := s.video(q.Get("v"))
	if !ok || q.Get("signature") == "" || (v.Lines == nil && v.RawTranscript == nil) {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if !s.wait(r, v) {
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	if v.RawTranscript != nil {
		w.Write(v.RawTranscript)
		return
	}
	w.Write(transcriptXML(v.Lines))
}

func (s *Server) oembed(w http.ResponseWriter, r *http.Request) {
	u, err := url.Parse(r.URL.Query().Get("url"))
	if err != nil || r.URL.Query().Get("format") != "json" {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	v, ok := s.video(u.Query().Get("v"))
	if !ok || v.Title == "" {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	if v.Private {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	if !s.wait(r, v) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"title": v.Title, "author_name": v.Channel,
		"author_url": "https://www.youtube.com/@" + strings.ReplaceAll(v.Channel, " ", ""), "type": "video",
		"thumbnail_url": "https://i.ytimg.com/vi/" + v.ID + "/hqdefault.jpg", "provider_name": "YouTube",
		"thumbnail_width": 480, "thumbnail_height": 360})
}

// thumbnail answers /vi/<id>/<name>.jpg with a 480×360 JPEG in a colour of
// the video's own.
func (s *Server) thumbnail(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 3 {
		http.NotFound(w, r)
		return
	}
	id := parts[1]
	if _, ok := s.video(id); !ok {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	b, ok := s.thumbs[id]
	s.mu.Unlock()
	if !ok {
		b = thumbJPEG(id)
		s.mu.Lock()
		s.thumbs[id] = b
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// avatar answers AvatarPath(id) of a known channel with a JPEG, after the
// delay SetAvatarDelay set (a slow avatar host).
func (s *Server) avatar(w http.ResponseWriter, r *http.Request) {
	id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/ytc/"), "=")
	s.mu.Lock()
	_, ok := s.channels[strings.ToLower("channel/"+id)]
	d := s.avatarDelay
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	b := thumbJPEG(id)
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// SetAvatarDelay makes every channel avatar answer after d.
func (s *Server) SetAvatarDelay(d time.Duration) {
	s.mu.Lock()
	s.avatarDelay = d
	s.mu.Unlock()
}

// thumbJPEG draws a 480×360 picture: a gradient in the video's colour with
// a white play triangle.
func thumbJPEG(id string) []byte {
	h := fnv.New32a()
	h.Write([]byte(id))
	sum := h.Sum32()
	base := color.RGBA{uint8(60 + sum%150), uint8(60 + (sum>>8)%150), uint8(60 + (sum>>16)%150), 255}
	const W, H = 480, 360
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			f := 0.6 + 0.4*float64(x+y)/float64(W+H)
			c := color.RGBA{uint8(float64(base.R) * f), uint8(float64(base.G) * f), uint8(float64(base.B) * f), 255}
			// play triangle centred: x in [210,280], |y-180| < (x-210)/2 reversed
			dx, dy := x-205, y-H/2
			if dx >= 0 && dx <= 70 && 2*abs(dy) <= 70-dx {
				c = color.RGBA{245, 245, 245, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func pvr(e Entry, v Video) map[string]any {
	title := e.Title
	if title == "" {
		title = v.Title
	}
	playable := true
	if e.Private {
		title, playable = "[Private video]", false
	}
	r := map[string]any{"videoId": e.VideoID, "isPlayable": playable,
		"title": map[string]any{"runs": []any{map[string]any{"text": title}}},
		"thumbnail": map[string]any{"thumbnails": []any{map[string]any{
			"url": "https://i.ytimg.com/vi/" + e.VideoID + "/hqdefault.jpg", "width": 480, "height": 360}}}}
	if !e.Private {
		r["lengthSeconds"] = strconv.Itoa(v.DurationSeconds)
		r["shortBylineText"] = map[string]any{"runs": []any{map[string]any{"text": v.Channel}}}
	}
	return map[string]any{"playlistVideoRenderer": r}
}

// The browse answers below are the shapes of YouTube's
// /youtubei/v1/browse that the fake serves; they are exported for fakes of
// other scenarios (the youtube package's own tests), so that the wire
// format is written down once. Each returns a fresh value that encodes to
// JSON; they are safe for concurrent use.

// ParseBrowse reads a /youtubei/v1/browse request body. ok is false when
// the body is not JSON or names no client (context.client.clientName), which
// YouTube answers with 400 INVALID_ARGUMENT.
func ParseBrowse(body []byte) (browseID, continuation string, ok bool) {
	var req struct {
		BrowseID     string `json:"browseId"`
		Continuation string `json:"continuation"`
		Context      struct {
			Client struct {
				ClientName string `json:"clientName"`
			} `json:"client"`
		} `json:"context"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Context.Client.ClientName == "" {
		return "", "", false
	}
	return req.BrowseID, req.Continuation, true
}

// BrowsePage is the answer to a browse request for a playlist (browseId
// "VL"+playlistID): its title and first items (playlistVideoRenderer
// items, and a ContinuationItem last when more follow), with the "Unavailable
// videos are hidden" notice YouTube adds.
func BrowsePage(playlistID, title string, items []any) map[string]any {
	return map[string]any{
		"contents": map[string]any{"twoColumnBrowseResultsRenderer": map[string]any{"tabs": []any{
			map[string]any{"tabRenderer": map[string]any{"selected": true, "content": map[string]any{
				"sectionListRenderer": map[string]any{"contents": []any{
					map[string]any{"itemSectionRenderer": map[string]any{"contents": []any{
						map[string]any{"playlistVideoListRenderer": map[string]any{"contents": items,
							"playlistId": playlistID}}}}}}}}}}}}},
		"metadata": map[string]any{"playlistMetadataRenderer": map[string]any{"title": title}},
		"alerts": []any{map[string]any{"alertWithButtonRenderer": map[string]any{"type": "INFO",
			"text": map[string]any{"simpleText": "Unavailable videos are hidden"}}}},
	}
}

// BrowseContinuation is the answer to a browse request with a continuation
// token: the next items, a ContinuationItem last when more follow.
func BrowseContinuation(items []any) map[string]any {
	return map[string]any{"onResponseReceivedActions": []any{map[string]any{
		"appendContinuationItemsAction": map[string]any{"continuationItems": items, "targetId": "pl"}}}}
}

// ContinuationItem is the item that ends a page when more items follow;
// the client asks for them with token.
func ContinuationItem(token string) map[string]any {
	return map[string]any{"continuationItemRenderer": map[string]any{"trigger": "CONTINUATION_TRIGGER_ON_ITEM_SHOWN",
		"continuationEndpoint": map[string]any{"continuationCommand": map[string]any{"token": token,
			"request": "CONTINUATION_REQUEST_TYPE_BROWSE"}}}}
}

// PlaylistMissing is the answer to a browse request for a playlist that
// does not exist (200 with an ERROR alert, as YouTube answers).
func PlaylistMissing() map[string]any {
	return map[string]any{"alerts": []any{map[string]any{"alertRenderer": map[string]any{"type": "ERROR",
		"text": map[string]any{"runs": []any{map[string]any{"text": "The playlist does not exist."}}}}}}}
}

// page returns the items of page n (0-based) of p, with a continuation
// item when more follow.
func (s *Server) page(p Playlist, n int) []any {
	start := n * s.pageSize
	end := min(start+s.pageSize, len(p.Entries))
	items := []any{}
	for _, e := range p.Entries[max(0, min(start, end)):end] {
		v, _ := s.video(e.VideoID)
		items = append(items, pvr(e, v))
	}
	if end < len(p.Entries) {
		items = append(items, ContinuationItem(fmt.Sprintf("%s:%d", p.ID, n+1)))
	}
	return items
}

func (s *Server) browse(w http.ResponseWriter, body []byte) {
	browseID, continuation, ok := ParseBrowse(body)
	if !ok {
		http.Error(w, `{"error":{"code":400,"status":"INVALID_ARGUMENT"}}`, http.StatusBadRequest)
		return
	}
	var out map[string]any
	if continuation != "" {
		id, n, _ := strings.Cut(continuation, ":")
		s.mu.Lock()
		p, ok := s.playlists[id]
		s.mu.Unlock()
		num, err := strconv.Atoi(n)
		if !ok || err != nil {
			http.Error(w, `{"error":{"code":400,"status":"INVALID_ARGUMENT"}}`, http.StatusBadRequest)
			return
		}
		out = BrowseContinuation(s.page(p, num))
	} else {
		s.mu.Lock()
		p, ok := s.playlists[strings.TrimPrefix(browseID, "VL")]
		s.mu.Unlock()
		if !ok {
			out = PlaylistMissing()
		} else {
			out = BrowsePage(p.ID, p.Title, s.page(p, 0))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
