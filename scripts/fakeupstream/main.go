// Command fakeupstream runs the fake YouTube of package youtubetest with its
// default catalogue, for the end-to-end scripts and for demos:
//
//	go run ./scripts/fakeupstream [-addr 127.0.0.1:0]
//
// The first line on stdout is the base URL (http://127.0.0.1:PORT); point
// YTSUM_YOUTUBE_URL and YTSUM_THUMBNAIL_URL at it. The catalogue's links
// follow on stdout, one "name url" a line, among them "llm URL": a fake
// Gemini and OpenAI-compatible host (point YTSUM_GEMINI_URL at URL and
// YTSUM_OPENAI_URL at URL/v1; every summary it writes starts with
// "FAKE-LLM summary"), "channel URL" (a followable channel whose feed the
// fake serves) and "control URL": POST URL/upload?id=VIDEOID&title=TITLE
// adds a new upload (with a transcript) to that channel's feed, so a
// subscription's next check finds it. It runs until SIGINT or SIGTERM.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"ytsum/backend/summarize/llmfake"
	"ytsum/backend/youtube/youtubetest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (loopback)")
	flag.Parse()
	s, err := youtubetest.Listen(*addr, youtubetest.DefaultCatalogue())
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeupstream:", err)
		os.Exit(1)
	}
	lln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeupstream:", err)
		os.Exit(1)
	}
	llm := &http.Server{Handler: llmfake.Handler()}
	go llm.Serve(lln)
	cln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeupstream:", err)
		os.Exit(1)
	}
	control := &http.Server{Handler: controlHandler(s)}
	go control.Serve(cln)
	fmt.Println(s.URL)
	fmt.Println("llm", "http://"+lln.Addr().String())
	fmt.Println("playlist", youtubetest.PlaylistURL(youtubetest.PlaylistID))
	fmt.Println("video", youtubetest.WatchURL(youtubetest.VideoID))
	fmt.Println("slow", youtubetest.WatchURL(youtubetest.SlowVideoID))
	fmt.Println("channel", youtubetest.ChannelURL(youtubetest.ChannelHandle))
	fmt.Println("control", "http://"+cln.Addr().String())
	fmt.Println("search", youtubetest.SearchWord)
	os.Stdout.Sync()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	s.Close()
	llm.Close()
	control.Close()
}

// controlHandler lets an end-to-end script change the fake while it runs:
// POST /upload?id=…&title=… adds a new upload to youtubetest.ChannelID.
func controlHandler(s *youtubetest.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		id, title := r.URL.Query().Get("id"), r.URL.Query().Get("title")
		if len(id) != 11 || title == "" {
			http.Error(w, "want id (11 characters) and title", http.StatusBadRequest)
			return
		}
		v := youtubetest.Video{ID: id, Title: title, DurationSeconds: 240, Lines: []string{
			title + " begins with a question that every viewer has asked at least once.",
			"The answer involves tides, winds and the patient work of many researchers.",
			"Measurements taken over ten years show a clear pattern in the data.",
			"In the end " + title + " shows why the question still matters today.",
		}}
		if !s.AddUpload(youtubetest.ChannelID, v, false) {
			http.Error(w, "unknown channel", http.StatusNotFound)
			return
		}
		fmt.Fprintln(w, "uploaded", id)
	})
	return mux
}
