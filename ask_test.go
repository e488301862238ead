package main

// Questions (issue 18) end to end through both doors, on the fake YouTube
// and a fake OpenAI-compatible model server speaking the real wire format.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ytsum/backend/events"
	"ytsum/backend/httpapi"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// fakeChat is an OpenAI-compatible server: GET /v1/models and streamed
// POST /v1/chat/completions. Its answer cites the first passage time of
// every video in the prompt ("[00:00]", or "[V1 01:04]" … in a library
// prompt), plus a time no passage covers ("[59:59]", to be dropped). A
// question containing "slowly" streams its first word, then waits until
// the client goes away.
type fakeChat struct {
	*httptest.Server
	mu      sync.Mutex
	prompts []string
	// gate holds back the answer to a prompt containing "gated" until it is
	// closed (so a test can connect its stream first).
	gate chan struct{}
}

var markRe = regexp.MustCompile(`\[(V\d+ )?(\d+:)?\d{1,2}:\d{2}\]`)

func newFakeChat(t *testing.T) *fakeChat {
	f := &fakeChat{gate: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","owned_by":"openai"}]}`)
	})
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Role, Content string } `json:"messages"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		prompt := req.Messages[len(req.Messages)-1].Content
		f.mu.Lock()
		f.prompts = append(f.prompts, prompt)
		f.mu.Unlock()
		seen := map[string]bool{}
		var cites []string
		for _, m := range markRe.FindAllStringSubmatch(prompt, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				cites = append(cites, m[0])
			}
		}
		deltas := []string{"The video ", "says so "}
		for _, c := range cites {
			deltas = append(deltas, "here "+c+" ")
		}
		deltas = append(deltas, "and here [59:59].")
		if strings.Contains(prompt, "gated") {
			select {
			case <-f.gate:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		chunk := func(d string) {
			b, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-mini",
				"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": d}}}})
			fmt.Fprintf(w, "data: %s\n\n", b)
			fl.Flush()
		}
		for i, d := range deltas {
			chunk(d)
			if i == 0 && strings.Contains(prompt, "slowly") {
				<-r.Context().Done()
				return
			}
		}
		fmt.Fprint(w, `data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n")
		fmt.Fprint(w, `data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":9,"total_tokens":109}}`+"\n\n")
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// openAskRig is openRig with an OpenAI key and the fake model server.
func openAskRig(t *testing.T, dataDir string, yt *youtubetest.Server, chat *fakeChat) *rig {
	t.Helper()
	base := env(dataDir, yt)
	getenv := func(k string) (string, bool) {
		switch k {
		case "OPENAI_API_KEY":
			return "sk-test-key", true
		case "YTSUM_OPENAI_URL":
			return chat.URL + "/v1", true
		}
		return base(k)
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := openBackend(ctx, backendOptions{localWellKnown: noLocalServers, Version: "test", Stderr: logs, Getenv: getenv, Keychain: &memKeyring{}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	r := &rig{t: t, svc: svc, logs: logs, http: httptest.NewServer(svc.Handler())}
	t.Cleanup(r.close)
	return r
}

// summarizeLocal fills the library with videos (local model) and waits.
func summarizeLocal(t *testing.T, r *rig, ids ...string) {
	t.Helper()
	var urls []string
	for _, id := range ids {
		urls = append(urls, youtubetest.WatchURL(id))
	}
	var acc httpapi.JobAccepted
	r.mustJSON("POST", "/summarize_async", map[string]any{"urls": urls, "model": "local"}, 202, &acc)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if j, err := r.svc.engine.Wait(ctx, acc.JobID); err != nil || j.Status != ytsum.JobCompleted {
		t.Fatalf("summarize: %v %v", j, err)
	}
}

// askStream reads an ask job's SSE stream to its end: the summary_delta
// texts in order, the time to the first one, and the final job.
func askStream(t *testing.T, r *rig, id string, start time.Time, onOpen func()) (deltas []ytsum.SummaryDelta, first time.Duration, last ytsum.Job) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.http.URL+"/jobs/"+id+"/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if onOpen != nil {
		onOpen()
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	var event string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data := strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " ")
			if event == ytsum.EventSummaryDelta {
				var d ytsum.SummaryDelta
				if err := json.Unmarshal([]byte(data), &d); err != nil {
					t.Fatal(err)
				}
				if len(deltas) == 0 {
					first = time.Since(start)
				}
				deltas = append(deltas, d)
			} else if !strings.Contains(data, `"heartbeat"`) {
				var j ytsum.Job
				if json.Unmarshal([]byte(data), &j) == nil && j.Status.Terminal() {
					return deltas, first, j
				}
			}
		case line == "":
			event = ""
		}
	}
	t.Fatalf("stream ended early: %v", sc.Err())
	return
}

func joinDeltas(ds []ytsum.SummaryDelta) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Delta)
	}
	return b.String()
}

func TestAskThroughBothDoors(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	chat := newFakeChat(t)
	dir := t.TempDir()
	r := openAskRig(t, dir, yt, chat)
	v1 := youtubetest.PlaylistVideoIDs[0]
	summarizeLocal(t, r, v1)

	// HTTP, synchronous.
	var sync httpapi.AskAnswered
	r.mustJSON("POST", "/ask", map[string]any{"video_id": v1, "question": "What is it about?", "model": "gpt-4o-mini", "force_sync": true}, 200, &sync)
	a := sync.Answer
	if sync.ConversationID == "" || a.Error != nil || a.VideoID == nil || *a.VideoID != v1 || a.ModelUsed != "gpt-4o-mini" {
		t.Fatalf("sync answer %+v", sync)
	}
	if strings.Contains(a.Answer, "[59:59]") || len(a.Citations) != 1 || a.Citations[0].VideoID != v1 || a.Citations[0].Quote == "" {
		t.Fatalf("citations not checked: %q %+v", a.Answer, a.Citations)
	}

	// HTTP, async: the answer streams as summary_delta; a follow-up in the
	// same conversation.
	var acc httpapi.AskAccepted
	start := time.Now()
	r.mustJSON("POST", "/ask", map[string]any{"video_id": v1, "question": "And then? gated", "model": "gpt-4o-mini", "conversation_id": sync.ConversationID}, 202, &acc)
	if acc.ConversationID != sync.ConversationID || acc.StreamURL != "/jobs/"+acc.JobID+"/stream" || acc.StatusURL != "/jobs/"+acc.JobID {
		t.Fatalf("accepted %+v", acc)
	}
	deltas, first, job := askStream(t, r, acc.JobID, start, func() { close(chat.gate) })
	t.Logf("HTTP door: first streamed word %v after POST /ask", first)
	if job.Status != ytsum.JobCompleted || job.Type != ytsum.JobTypeAsk || len(job.Results) != 1 || job.Results[0].Type != ytsum.ResultAnswer {
		t.Fatalf("ask job %+v", job)
	}
	if len(deltas) < 3 || deltas[0].VideoID != v1 || !strings.HasPrefix(joinDeltas(deltas), "The video says so here [") {
		t.Fatalf("deltas %+v", deltas)
	}
	if !strings.Contains(chat.prompts[len(chat.prompts)-1], "What is it about?") {
		t.Errorf("the follow-up's prompt lacks the earlier turn:\n%s", chat.prompts[len(chat.prompts)-1])
	}

	// The window: the bound method, the deltas through the broker the
	// window's event forwarder reads.
	app := NewApp(context.Background(), r.svc, nil)
	sub := r.svc.Broker().Subscribe(events.Filter{})
	defer sub.Close()
	wacc, err := app.Ask(httpapi.AskRequest{VideoID: v1, Question: "Who speaks?", Model: "gpt-4o-mini"})
	if err != nil || wacc.ConversationID == "" || wacc.ConversationID == sync.ConversationID {
		t.Fatalf("window Ask: %+v %v", wacc, err)
	}
	var wtext strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for done := false; !done; {
		ev, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ev.JobID != wacc.JobID {
			continue
		}
		switch ev.Type {
		case ytsum.EventSummaryDelta:
			var d ytsum.SummaryDelta
			_ = json.Unmarshal(ev.Data, &d)
			wtext.WriteString(d.Delta)
		case ytsum.EventJob:
			var j ytsum.Job
			_ = json.Unmarshal(ev.Data, &j)
			done = j.Status.Terminal()
		}
	}
	if !strings.HasPrefix(wtext.String(), "The video says so") {
		t.Fatalf("window deltas %q", wtext.String())
	}

	// Conversations: listed per video, newest first, the same through both doors.
	list, err := app.Conversations(v1)
	if err != nil || len(list.Conversations) != 2 || list.Conversations[0].ID != wacc.ConversationID || len(list.Conversations[1].Turns) != 2 {
		t.Fatalf("conversations %+v %v", list, err)
	}
	_, _, body := r.do("GET", "/conversations?video_id="+v1, nil)
	sameJSON(t, "conversations", wailsJSON(t, list, nil), httpJSON(body), false)

	// Bad input: a sentence, nothing stored.
	long := strings.Repeat("a", 4000)
	for _, c := range []struct {
		body map[string]any
		code int
		want string
	}{
		{map[string]any{"video_id": v1, "question": "  "}, 400, "Type a question"},
		{map[string]any{"video_id": v1, "question": long}, 400, "too long"},
		{map[string]any{"video_id": "abcdefghijk", "question": "Q?"}, 404, "not in your library"},
		{map[string]any{"video_id": v1, "question": "Q?", "model": "gemini-2.5-flash"}, 400, "Gemini API key"},
		{map[string]any{"question": "Q?"}, 400, "Choose a video"},
	} {
		code, _, b := r.do("POST", "/ask", c.body)
		_, berr := app.Ask(httpapi.AskRequest{VideoID: fmt.Sprint(c.body["video_id"]), Question: fmt.Sprint(c.body["question"]), Model: fmt.Sprint(c.body["model"])})
		if code != c.code || !strings.Contains(string(b), c.want) || berr == nil {
			t.Errorf("%v: %d %s (window: %v)", c.body["question"], code, b, berr)
		}
	}
	if l, _ := app.Conversations(v1); len(l.Conversations) != 2 {
		t.Errorf("bad input stored something: %d conversations", len(l.Conversations))
	}

	// The Markdown export carries the conversations.
	f, err := app.ExportSummary(v1, "md")
	if err != nil || !strings.Contains(f.Content, "## Questions and answers") || !strings.Contains(f.Content, "**Q:** And then? gated") ||
		!strings.Contains(f.Content, "&t=") {
		t.Fatalf("export: %v\n%s", err, f.Content)
	}

	// A restart keeps them.
	r.close()
	r = openAskRig(t, dir, yt, chat)
	var after httpapi.ConversationList
	r.mustJSON("GET", "/conversations?video_id="+v1, nil, 200, &after)
	if len(after.Conversations) != 2 || after.Conversations[1].ID != sync.ConversationID || after.Conversations[1].Turns[1].Question != "And then? gated" {
		t.Fatalf("after restart: %+v", after)
	}
	// Deleting one conversation, then the video (and its other conversation).
	var del httpapi.ConversationDeleted
	r.mustJSON("DELETE", "/conversations/"+sync.ConversationID, nil, 200, &del)
	r.mustJSON("DELETE", "/conversations/"+sync.ConversationID, nil, 404, nil)
	r.mustJSON("DELETE", "/delete_summary", map[string]any{"video_id": v1}, 200, nil)
	r.mustJSON("GET", "/conversations?video_id="+v1, nil, 200, &after)
	if len(after.Conversations) != 0 {
		t.Fatalf("the deleted video's conversations remain: %+v", after)
	}
}

func TestAskCancelWithinASecond(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	chat := newFakeChat(t)
	r := openAskRig(t, t.TempDir(), yt, chat)
	v1 := youtubetest.PlaylistVideoIDs[0]
	summarizeLocal(t, r, v1)
	var acc httpapi.AskAccepted
	r.mustJSON("POST", "/ask", map[string]any{"video_id": v1, "question": "Answer slowly?", "model": "gpt-4o-mini"}, 202, &acc)
	sub := r.svc.Broker().Subscribe(events.Filter{JobID: acc.JobID, Types: []string{ytsum.EventSummaryDelta}})
	defer sub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := sub.Next(ctx); err != nil { // the first word is out
		// It may have been published before the subscription: the job is running anyway.
		t.Logf("first delta: %v", err)
	}
	start := time.Now()
	r.mustJSON("POST", "/jobs/"+acc.JobID+"/cancel", nil, 200, nil)
	_, _, job := askStream(t, r, acc.JobID, start, nil)
	if d := time.Since(start); d > time.Second || job.Status != ytsum.JobCancelled {
		t.Fatalf("cancel: %s after %v", job.Status, d)
	}
	var list httpapi.ConversationList
	r.mustJSON("GET", "/conversations?video_id="+v1, nil, 200, &list)
	if len(list.Conversations) != 0 {
		t.Fatalf("a cancelled question was stored: %+v", list)
	}
}

func TestAskLibraryAndOffline(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	chat := newFakeChat(t)
	r := openAskRig(t, t.TempDir(), yt, chat)
	ids := youtubetest.PlaylistVideoIDs
	summarizeLocal(t, r, ids...)

	// The library: an answer citing the three videos.
	var lib httpapi.AskAnswered
	r.mustJSON("POST", "/ask", map[string]any{"scope": "library", "question": "Which video explains aardvark burrows, zeppelin flights or sourdough starter?", "model": "gpt-4o-mini", "force_sync": true}, 200, &lib)
	a := lib.Answer
	cited := map[string]bool{}
	for _, c := range a.Citations {
		cited[c.VideoID] = true
	}
	if a.Error != nil || a.VideoID != nil || len(a.Videos) != 3 || len(cited) != 3 {
		t.Fatalf("library answer: %q citations %+v videos %+v", a.Answer, a.Citations, a.Videos)
	}
	for _, id := range ids {
		if !cited[id] {
			t.Errorf("video %s not cited", id)
		}
	}
	var list httpapi.ConversationList
	r.mustJSON("GET", "/conversations", nil, 200, &list)
	if len(list.Conversations) != 1 || list.Conversations[0].VideoID != nil {
		t.Fatalf("library conversations %+v", list)
	}

	// Offline: the local model answers with an extract, no model called.
	calls := len(chat.prompts)
	var off httpapi.AskAnswered
	r.mustJSON("POST", "/ask", map[string]any{"video_id": ids[0], "question": "aardvark?", "model": "local", "force_sync": true}, 200, &off)
	if !off.Answer.Extract || off.Answer.Error != nil || len(off.Answer.Citations) == 0 || !markRe.MatchString(off.Answer.Answer) || len(chat.prompts) != calls {
		t.Fatalf("offline answer: %+v", off.Answer)
	}
}
