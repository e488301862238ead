package youtubetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"
)

// FeedEpoch is the date the fake's feeds give the newest catalogue video of
// a channel or playlist; each older one is a day earlier. Uploads added by
// AddUpload are dated when they were added.
var FeedEpoch = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// AddUpload adds v to the catalogue as channelID's newest upload (a Short
// when short is true), so that the channel's feed lists it from now on: a
// feed that gains entries over time. It returns false for an unknown
// channel.
func (s *Server) AddUpload(channelID string, v Video, short bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower("channel/" + channelID)
	ch, ok := s.channels[key]
	if !ok {
		return false
	}
	if short {
		ch.Shorts = append([]string{v.ID}, ch.Shorts...)
	} else {
		ch.Videos = append([]string{v.ID}, ch.Videos...)
	}
	for k, c := range s.channels {
		if c.ID == channelID {
			s.channels[k] = ch
		}
	}
	if v.Channel == "" {
		v.Channel = ch.Title
	}
	s.videos[v.ID] = v
	s.published[v.ID] = time.Now().UTC().Add(-time.Second)
	kind := "UULF"
	if short {
		kind = "UUSH"
	}
	p := s.playlists[UploadsID(channelID, kind)]
	p.ID, p.Title = UploadsID(channelID, kind), "Uploads from "+ch.Title
	p.Entries = append([]Entry{{VideoID: v.ID}}, p.Entries...)
	s.playlists[p.ID] = p
	return true
}

type feedEntry struct {
	id    string
	short bool
}

// feed answers /feeds/videos.xml?channel_id=… or ?playlist_id=… as YouTube
// does (the shape of backend/youtube/testdata/feeds): the newest 15
// entries, an ETag, and 304 to a matching If-None-Match; 404 for an
// unknown channel or playlist.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	var title, channelID, self string
	var entries []feedEntry
	found := false
	switch {
	case q.Get("channel_id") != "":
		ch, ok := s.channels[strings.ToLower("channel/"+q.Get("channel_id"))]
		if ok {
			found, title, channelID = true, ch.Title, ch.ID
			self = "channel_id=" + ch.ID
			// Videos and Shorts interleaved as uploads: Shorts first here,
			// they are the fake's newest when added.
			for _, id := range ch.Shorts {
				entries = append(entries, feedEntry{id, true})
			}
			for _, id := range ch.Videos {
				entries = append(entries, feedEntry{id, false})
			}
		}
	case q.Get("playlist_id") != "":
		p, ok := s.playlists[q.Get("playlist_id")]
		if ok {
			found, title = true, p.Title
			self = "playlist_id=" + p.ID
			for _, e := range p.Entries {
				if !e.Private {
					entries = append(entries, feedEntry{e.VideoID, false})
				}
			}
		}
	}
	if !found {
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	if len(entries) > 15 {
		entries = entries[:15]
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">` + "\n")
	fmt.Fprintf(&b, " <link rel=\"self\" href=\"http://www.youtube.com/feeds/videos.xml?%s\"/>\n", self)
	if channelID != "" {
		fmt.Fprintf(&b, " <id>yt:channel:%s</id>\n <yt:channelId>%s</yt:channelId>\n", channelID[2:], channelID[2:])
	} else {
		fmt.Fprintf(&b, " <id>yt:playlist:%s</id>\n <yt:playlistId>%s</yt:playlistId>\n", q.Get("playlist_id"), q.Get("playlist_id"))
	}
	fmt.Fprintf(&b, " <title>%s</title>\n", html.EscapeString(title))
	for i, e := range entries {
		v := s.videos[e.id]
		vt := v.Title
		if vt == "" {
			vt = e.id
		}
		pub, ok := s.published[e.id]
		if !ok {
			pub = FeedEpoch.Add(-time.Duration(i) * 24 * time.Hour)
		}
		link := "https://www.youtube.com/watch?v=" + e.id
		if e.short {
			link = "https://www.youtube.com/shorts/" + e.id
		}
		author := html.EscapeString(v.Channel)
		fmt.Fprintf(&b, " <entry>\n  <id>yt:video:%s</id>\n  <yt:videoId>%s</yt:videoId>\n", e.id, e.id)
		if channelID != "" {
			fmt.Fprintf(&b, "  <yt:channelId>%s</yt:channelId>\n", channelID)
		}
		fmt.Fprintf(&b, "  <title>%s</title>\n  <link rel=\"alternate\" href=\"%s\"/>\n  <author>\n   <name>%s</name>\n  </author>\n"+
			"  <published>%s</published>\n  <updated>%s</updated>\n  <media:group>\n   <media:title>%s</media:title>\n"+
			"   <media:thumbnail url=\"https://i4.ytimg.com/vi/%s/hqdefault.jpg\" width=\"480\" height=\"360\"/>\n   <media:description></media:description>\n  </media:group>\n </entry>\n",
			html.EscapeString(vt), link, author, pub.Format(time.RFC3339), pub.Format(time.RFC3339), html.EscapeString(vt), e.id)
	}
	b.WriteString("</feed>\n")
	s.mu.Unlock()
	sum := sha256.Sum256([]byte(b.String()))
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	w.Write([]byte(b.String()))
}

// short answers /shorts/ID as YouTube does: 200 for a Short, a 303 to the
// watch page for any other video.
func (s *Server) short(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/shorts/")
	s.mu.Lock()
	isShort := false
	for _, ch := range s.channels {
		for _, x := range ch.Shorts {
			isShort = isShort || x == id
		}
	}
	s.mu.Unlock()
	if !isShort {
		http.Redirect(w, r, "/watch?v="+id, http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte("<!DOCTYPE html><html><body>short</body></html>"))
}
