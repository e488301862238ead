package ask

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ytsum/backend/store"
	"ytsum/backend/summarize"
	"ytsum/backend/summarize/llm"
	"ytsum/backend/ytsum"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", path, got)
	}
}

const (
	shortID = "shortvid001"
	longID  = "longvideo03"
)

// The 3-hour video says how long the battery lasts once, at 1:47:12.
var batteryNeedle = needle{at: 6432, text: "The battery lasts eleven hours on a single charge, which surprised me."}

func shortTranscript() *ytsum.Transcript {
	return &ytsum.Transcript{VideoID: shortID, Language: "en", Segments: []ytsum.Segment{
		{Start: 0, Duration: 4, Text: "Hi, today we review the Falcon drill."},
		{Start: 4, Duration: 5, Text: "It weighs one point two kilos."},
		{Start: 9, Duration: 6, Text: "The chuck is metal, not plastic."},
		{Start: 35, Duration: 5, Text: "At the end I recommend the Bosch bit set."},
	}}
}

// newTestAsker returns an Asker over a short video, a 3-hour video and a
// video without transcript, with a real database for the conversations.
func newTestAsker(t testing.TB, db *store.DB, gen *fakeGen) (*Asker, *fakeVideos) {
	vs := newFakeVideos()
	vs.add(ytsum.Video{ID: shortID, Title: "Falcon drill review", Channel: "Tool Shed", DurationSeconds: 40}, shortTranscript())
	vs.add(ytsum.Video{ID: longID, Title: "Laptop deep dive", Channel: "Bench", DurationSeconds: 10800},
		synthTranscript(longID, 10800, 42, batteryNeedle))
	vs.add(ytsum.Video{ID: "notranscrip", Title: "Silent film"}, nil)
	return New(Options{Videos: vs, Generator: gen, Conversations: db, Now: fixedNow, NewID: seqIDs()}), vs
}

func TestGoldenPrompts(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	gen := &fakeGen{answer: func(llm.Request) string { return "It weighs 1.2 kilos [00:04]." }}
	a, _ := newTestAsker(t, db, gen)
	ctx := context.Background()

	// A short video is sent whole.
	if _, err := a.Ask(ctx, Request{VideoID: shortID, Question: "How heavy is it?"}, nil); err != nil {
		t.Fatal(err)
	}
	// A follow-up carries the earlier turn.
	if _, err := a.Ask(ctx, Request{VideoID: shortID, Question: "And which bits does he recommend?", ConversationID: "conv1"}, nil); err != nil {
		t.Fatal(err)
	}
	// A long video sends the best passages and their neighbours.
	if _, err := a.Ask(ctx, Request{VideoID: longID, Question: "How long does the battery last?"}, nil); err != nil {
		t.Fatal(err)
	}
	calls := gen.calls()
	if len(calls) != 3 {
		t.Fatalf("%d model calls", len(calls))
	}
	golden(t, "system_video", calls[0].System)
	golden(t, "prompt_video_whole", calls[0].Prompt)
	golden(t, "prompt_video_followup", calls[1].Prompt)
	golden(t, "prompt_video_retrieved", calls[2].Prompt)
	if calls[0].Model != "fake-model" {
		t.Errorf("model %q", calls[0].Model)
	}
}

func TestRetrievalFindsThePassageInAThreeHourVideo(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	var cited string
	gen := &fakeGen{answer: func(req llm.Request) string {
		return "It lasts eleven hours [1:47:12]. It is also waterproof [0:10:00]."
	}}
	a, _ := newTestAsker(t, db, gen)
	ans, err := a.Ask(context.Background(), Request{VideoID: longID, Question: "How long does the battery last?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	prompt := gen.calls()[0].Prompt
	if !strings.Contains(prompt, batteryNeedle.text) {
		t.Fatal("the passage that answers the question was not sent")
	}
	sent := summarize.EstimateTokens(gen.calls()[0].System) + summarize.EstimateTokens(prompt)
	if sent > 4000 {
		t.Errorf("%d tokens sent for a 3-hour video, want a few thousand at most", sent)
	}
	whole := summarize.EstimateTokens(synthTranscript(longID, 10800, 42, batteryNeedle).Text())
	t.Logf("3-hour video: %d tokens sent, whole transcript %d", sent, whole)
	if len(ans.Citations) != 1 || ans.Citations[0].StartSeconds != 6432 || ans.Citations[0].VideoID != longID {
		t.Fatalf("citations %+v", ans.Citations)
	}
	cited = ans.Citations[0].Quote
	if !strings.Contains(cited, "battery lasts eleven hours") {
		t.Errorf("quote %q", cited)
	}
	if strings.Contains(ans.Answer, "0:10:00") || !strings.Contains(ans.Answer, "[1:47:12]") {
		t.Errorf("answer %q: the uncovered citation must go, the covered one stay", ans.Answer)
	}
}

func TestStreamingDeltasMakeTheAnswer(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	gen := &fakeGen{answer: func(llm.Request) string { return "He recommends the Bosch bit set [00:35]." }}
	a, _ := newTestAsker(t, db, gen)
	var got strings.Builder
	n := 0
	ans, err := a.Ask(context.Background(), Request{VideoID: shortID, Question: "Which bits?"}, func(d string) { got.WriteString(d); n++ })
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || got.String() != ans.Answer {
		t.Fatalf("%d deltas %q, answer %q", n, got.String(), ans.Answer)
	}
	if ans.Error != nil || ans.ModelUsed != "fake-model" || *ans.VideoID != shortID || ans.ConversationID != "conv1" ||
		len(ans.Videos) != 1 || ans.Videos[0].Title != "Falcon drill review" {
		t.Fatalf("answer %+v", ans)
	}
	if len(ans.Citations) != 1 || ans.Citations[0].Quote != "…At the end I recommend the Bosch bit set." {
		t.Fatalf("citations %+v", ans.Citations)
	}
}

func TestOfflineExtract(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	gen := &fakeGen{}
	a, _ := newTestAsker(t, db, gen)
	var deltas []string
	ans, err := a.Ask(context.Background(), Request{VideoID: longID, Question: "How long does the battery last?", Model: "local"},
		func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if len(gen.calls()) != 0 {
		t.Fatal("the local model must not call a provider")
	}
	if !ans.Extract || ans.ModelUsed != "local" || !strings.HasPrefix(ans.Answer, "This is an extract from the transcript") {
		t.Fatalf("answer %+v", ans)
	}
	if strings.Join(deltas, "") != ans.Answer {
		t.Fatal("the extract was not streamed")
	}
	if len(ans.Citations) == 0 || len(ans.Citations) > maxExtract {
		t.Fatalf("%d citations", len(ans.Citations))
	}
	found := false
	for i, c := range ans.Citations {
		if i > 0 && c.StartSeconds <= ans.Citations[i-1].StartSeconds {
			t.Errorf("extract passages not in time order: %+v", ans.Citations)
		}
		if strings.Contains(c.Quote, "battery lasts eleven hours") || c.StartSeconds <= 6432 && 6432-c.StartSeconds < 90 {
			found = true
		}
	}
	if !found || !strings.Contains(ans.Answer, batteryNeedle.text) {
		t.Fatalf("the battery passage is not in the extract: %q", ans.Answer)
	}

	// No matching word: it says so, and cites nothing.
	ans, err = a.Ask(context.Background(), Request{VideoID: shortID, Question: "quantum entanglement?", Model: "local"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ans.Answer, "The video doesn't say") || len(ans.Citations) != 0 {
		t.Fatalf("answer %+v", ans)
	}
}

func TestBadInputIsASentenceAndStoresNothing(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	gen := &fakeGen{}
	a, _ := newTestAsker(t, db, gen)
	tests := []struct {
		name string
		req  Request
		code ytsum.Code
		kind string
	}{
		{"empty question", Request{VideoID: shortID, Question: "  \n"}, ytsum.CodeInvalid, KindQuestionEmpty},
		{"4,000 characters", Request{VideoID: shortID, Question: strings.Repeat("é", 4000)}, ytsum.CodeInvalid, KindQuestionTooLong},
		{"unknown video", Request{VideoID: "nosuchvideo", Question: "Why?"}, ytsum.CodeNotFound, KindVideoNotFound},
		{"no transcript", Request{VideoID: "notranscrip", Question: "Why?"}, ytsum.CodeNotFound, KindNoTranscript},
		{"model without key", Request{VideoID: shortID, Question: "Why?", Model: "nokey"}, ytsum.CodeInvalid, llm.KindKeyMissing},
		{"unknown model", Request{VideoID: shortID, Question: "Why?", Model: "bogus"}, ytsum.CodeInvalid, llm.KindInvalidOption},
		{"no video", Request{Question: "Why?"}, ytsum.CodeInvalid, KindVideoRequired},
		{"unknown scope", Request{VideoID: shortID, Scope: "planet", Question: "Why?"}, ytsum.CodeInvalid, KindBadScope},
		{"video and library", Request{VideoID: shortID, Scope: "library", Question: "Why?"}, ytsum.CodeInvalid, KindBadScope},
		{"library not wired", Request{Scope: "library", Question: "Why?"}, ytsum.CodeUnavailable, KindNoLibrary},
		{"bad conversation id", Request{VideoID: shortID, Question: "Why?", ConversationID: "../x"}, ytsum.CodeInvalid, KindBadConversation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, call := range []string{"Prepare", "Ask"} {
				var err error
				if call == "Prepare" {
					_, err = a.Prepare(context.Background(), tc.req)
				} else {
					var ans ytsum.Answer
					ans, err = a.Ask(context.Background(), tc.req, nil)
					if ans.Error == nil || *ans.Error != ytsum.ErrorMessage(err) || ans.ErrorKind != tc.kind {
						t.Errorf("Ask's answer does not carry the error: %+v", ans)
					}
				}
				if ytsum.ErrorCode(err) != tc.code || ytsum.ErrorKind(err) != tc.kind {
					t.Fatalf("%s: err = %v (code %s kind %s), want %s %s", call, err, ytsum.ErrorCode(err), ytsum.ErrorKind(err), tc.code, tc.kind)
				}
				msg := ytsum.ErrorMessage(err)
				if !strings.HasSuffix(msg, ".") || strings.Contains(msg, "ask:") {
					t.Errorf("%s: %q is not a sentence for a user", call, msg)
				}
			}
		})
	}
	if n := len(gen.calls()); n != 0 {
		t.Errorf("%d model calls on bad input", n)
	}
	for _, id := range []string{shortID, "nosuchvideo", "notranscrip"} {
		if l, _ := db.Conversations(&id, 0); len(l) != 0 {
			t.Errorf("bad input stored a conversation about %s", id)
		}
	}
	if l, _ := db.Conversations(nil, 0); len(l) != 0 {
		t.Error("bad input stored a library conversation")
	}
}

func TestFailedOrCancelledAnswerStoresNothing(t *testing.T) {
	db := openDB(t, tempDBPath(t))
	ctx, cancel := context.WithCancel(context.Background())
	gen := &fakeGen{answer: func(llm.Request) string { cancel(); return "partial answer that is cut off" }}
	a, _ := newTestAsker(t, db, gen)
	ans, err := a.Ask(ctx, Request{VideoID: shortID, Question: "How heavy?"}, nil)
	if ytsum.ErrorKind(err) != KindCancelled || !errors.Is(err, context.Canceled) || ans.Error == nil {
		t.Fatalf("err %v, answer %+v", err, ans)
	}
	if l, _ := db.Conversations(ptr(shortID), 0); len(l) != 0 {
		t.Fatal("a cancelled answer was stored")
	}
}

func ptr(s string) *string { return &s }

func TestConversationSurvivesRestart(t *testing.T) {
	path := tempDBPath(t)
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gen := &fakeGen{answer: func(req llm.Request) string { return "It weighs 1.2 kilos [00:04]." }}
	a, _ := newTestAsker(t, db, gen)
	first, err := a.Ask(context.Background(), Request{VideoID: shortID, Question: "How heavy is it?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Ask(context.Background(), Request{VideoID: shortID, Question: "Is the chuck metal?", ConversationID: first.ConversationID}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openDB(t, path)
	gen2 := &fakeGen{answer: func(req llm.Request) string { return "He recommends the Bosch bit set [00:35]." }}
	a2, _ := newTestAsker(t, db, gen2)
	if _, err := a2.Ask(context.Background(), Request{VideoID: shortID, Question: "Which bits?", ConversationID: first.ConversationID}, nil); err != nil {
		t.Fatal(err)
	}
	prompt := gen2.calls()[0].Prompt
	if !strings.Contains(prompt, "Q: How heavy is it?\nA: It weighs 1.2 kilos [00:04].") || !strings.Contains(prompt, "Q: Is the chuck metal?") {
		t.Fatalf("the follow-up after a restart lacks the earlier turns:\n%s", prompt)
	}
	convs, err := db.Conversations(ptr(shortID), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != 1 || len(convs[0].Turns) != 3 || convs[0].Turns[2].Citations[0].StartSeconds != 35 {
		t.Fatalf("stored %+v", convs)
	}
	golden(t, "conversation.md", Markdown(convs))

	// A conversation about one video cannot be continued about another.
	_, err = a2.Prepare(context.Background(), Request{VideoID: longID, Question: "And this one?", ConversationID: first.ConversationID})
	if ytsum.ErrorKind(err) != KindConversationScope {
		t.Fatalf("continuing about another video: %v", err)
	}
	_, err = a2.Prepare(context.Background(), Request{Scope: "library", Question: "And the library?", ConversationID: first.ConversationID})
	if ytsum.ErrorKind(err) != KindNoLibrary && ytsum.ErrorKind(err) != KindConversationScope {
		t.Fatalf("continuing about the library: %v", err)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	turns := make([]ytsum.Turn, 10)
	for i := range turns {
		turns[i] = ytsum.Turn{Question: strings.Repeat("q", 900), Answer: strings.Repeat("word ", 1000)}
	}
	_, prompt := buildPrompt(promptInput{Question: "x", History: turns, Videos: []promptVideo{{Video: ytsum.Video{ID: "v"}, Whole: true}}})
	if n := strings.Count(prompt, "\nQ: "); n != maxHistoryTurns {
		t.Fatalf("%d earlier turns in the prompt, want %d", n, maxHistoryTurns)
	}
	if len(prompt) > maxHistoryTurns*(maxHistoryQuestion+maxHistoryAnswer+20)+500 {
		t.Fatalf("history of %d bytes", len(prompt))
	}
}

func TestVideoCacheIsBounded(t *testing.T) {
	c := &videoCache{max: 2}
	for i := range 5 {
		tr := synthTranscript("v"+string(rune('a'+i)), 3600, uint64(i))
		vi, err := c.get(tr, 100)
		if err != nil {
			t.Fatal(err)
		}
		c.release(vi)
	}
	if len(c.entries) != 2 || c.entries[1].key != transcriptKey(synthTranscript("ve", 3600, 4)) {
		t.Fatalf("%d entries", len(c.entries))
	}
	// An index in use when it is evicted stays open until it is released.
	held, _ := c.get(synthTranscript("vd", 3600, 3), 100)
	for i := range 2 {
		vi, _ := c.get(synthTranscript("vx"+string(rune('a'+i)), 3600, 9), 100)
		c.release(vi)
	}
	if !held.evicted {
		t.Fatal("not evicted")
	}
	if _, err := held.idx.DocCount(); err != nil {
		t.Fatalf("an index in use was closed: %v", err)
	}
	c.release(held)
	if _, err := held.idx.DocCount(); err == nil {
		t.Fatal("an evicted index was not closed after its last use")
	}
	_ = time.Now
}

// TestRetrievalEnglish checks the analysis on English speech: stop words
// ignored, "lasts"/"lasted" and "batteries"/"battery" matched, the passage
// with both subjects ranked above passages with one.
func TestRetrievalEnglish(t *testing.T) {
	filler := []string{
		"So let's look at the screen, which is bright enough outdoors.",
		"The keyboard feels solid and the trackpad is large.",
		"Last week I took it on a trip and it did fine.",
		"The battery cover is plastic, which feels cheap.",
		"Speakers are loud but a bit thin in the bass.",
		"The price is high for what you get, honestly.",
		"I compared the batteries of older models in another video.",
		"The hinge opens with one hand, which I like.",
	}
	tr := &ytsum.Transcript{VideoID: "english0001", Language: "en"}
	for i := 0; i < 2700; i++ { // 3 hours of 4-second captions
		text := filler[i%len(filler)]
		if i == 1608 {
			text = "In my tests the battery lasted eleven hours of video playback."
		}
		tr.Segments = append(tr.Segments, ytsum.Segment{Start: float64(i * 4), Duration: 4, Text: text})
	}
	vi, err := (&videoCache{max: 1}).get(tr, 4000)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"How long does the battery last?", "what did he say about how long the batteries lasts"} {
		r, err := retrieve(context.Background(), vi, q, "", 3000, true)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range r.passages {
			found = found || strings.Contains(p.Text, "lasted eleven hours")
		}
		if !found {
			t.Errorf("%q: the passage that answers is not among the best %d", q, len(r.passages))
		}
	}
}
