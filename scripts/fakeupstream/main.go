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
// "FAKE-LLM summary"). It runs until SIGINT or SIGTERM.
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
	fmt.Println(s.URL)
	fmt.Println("llm", "http://"+lln.Addr().String())
	fmt.Println("playlist", youtubetest.PlaylistURL(youtubetest.PlaylistID))
	fmt.Println("video", youtubetest.WatchURL(youtubetest.VideoID))
	fmt.Println("slow", youtubetest.WatchURL(youtubetest.SlowVideoID))
	fmt.Println("search", youtubetest.SearchWord)
	os.Stdout.Sync()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	s.Close()
	llm.Close()
}
