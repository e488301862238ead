package jobs_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ytsum/backend/events"
	"ytsum/backend/jobs"
	"ytsum/backend/ytsum"
)

// fakeAsker streams "It " "says." and answers, or blocks until ctx ends
// when block is set.
type fakeAsker struct {
	block   atomic.Bool
	started chan string
	asks    atomic.Int32
}

func (f *fakeAsker) Prepare(_ context.Context, req ytsum.AskRequest) (ytsum.AskRequest, error) {
	if strings.TrimSpace(req.Question) == "" {
		return req, ytsum.Errorf(ytsum.CodeInvalid, "question_empty", "Type a question first.")
	}
	if req.ConversationID == "" {
		req.ConversationID = "conv1"
	}
	if req.Scope == "" {
		req.Scope = ytsum.ScopeVideo
	}
	req.Model = "local"
	return req, nil
}

func (f *fakeAsker) Ask(ctx context.Context, req ytsum.AskRequest, onDelta func(string)) (ytsum.Answer, error) {
	f.asks.Add(1)
	if f.started != nil {
		f.started <- req.Question
	}
	v := req.VideoID
	a := ytsum.Answer{Type: ytsum.ResultAnswer, Question: req.Question, VideoID: &v, ModelUsed: req.Model, ConversationID: req.ConversationID}
	onDelta("It ")
	if f.block.Load() {
		<-ctx.Done()
		msg := "The question was cancelled."
		a.Error = &msg
		return a, ytsum.Errorf(ytsum.CodeUnavailable, "cancelled", "%s", msg)
	}
	onDelta("says [00:10].")
	a.Answer = "It says [00:10]."
	a.Citations = []ytsum.Citation{{VideoID: v, StartSeconds: 10, Quote: "q"}}
	return a, nil
}

func askHarness(t *testing.T, a *fakeAsker) *harness {
	h := MustStart(t, jobs.Config{Asker: a}, newFakeYouTube(2, 0), newFakeSummarizer(4, 0))
	h.start()
	return h
}

func TestAskJobAnswersAndStreams(t *testing.T) {
	h := askHarness(t, &fakeAsker{})
	all := h.broker.Subscribe(events.Filter{})
	defer all.Close()
	j, err := h.eng.SubmitAsk(context.Background(), ytsum.AskRequest{VideoID: "vid00000001", Question: " What? "})
	if err != nil {
		t.Fatal(err)
	}
	if j.Type != ytsum.JobTypeAsk || j.Metadata.Ask == nil || j.Metadata.Ask.ConversationID != "conv1" || j.TotalItems != 1 {
		t.Fatalf("submitted %+v", j)
	}
	var deltas []string
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	var done *ytsum.Job
	for done == nil {
		ev, err := all.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch ev.Type {
		case ytsum.EventSummaryDelta:
			var d ytsum.SummaryDelta
			_ = json.Unmarshal(ev.Data, &d)
			if d.JobID != j.ID || d.VideoID != "vid00000001" {
				t.Fatalf("delta %+v", d)
			}
			deltas = append(deltas, d.Delta)
		case ytsum.EventJob:
			var got ytsum.Job
			_ = json.Unmarshal(ev.Data, &got)
			if got.Status.Terminal() {
				done = &got
			}
		}
	}
	if strings.Join(deltas, "") != "It says [00:10]." {
		t.Fatalf("deltas %q", deltas)
	}
	stored, _ := h.eng.Get(context.Background(), j.ID)
	if done.Status != ytsum.JobCompleted || done.Progress != 1 || len(stored.Results) != 1 {
		t.Fatalf("job %s", describe(stored))
	}
	a := jobs.JobAnswer(stored)
	if a == nil || a.Answer != "It says [00:10]." || len(a.Citations) != 1 || a.Error != nil {
		t.Fatalf("answer %+v", a)
	}
	b := ytsum.JobJSON(stored)
	if !strings.Contains(string(b), `"type":"answer"`) || !strings.Contains(string(b), `"ask":{`) {
		t.Fatalf("job JSON %s", b)
	}
	if _, err := h.eng.SubmitAsk(context.Background(), ytsum.AskRequest{VideoID: "v", Question: "  "}); ytsum.ErrorKind(err) != "question_empty" {
		t.Fatalf("empty question: %v", err)
	}
}

func TestAskJobCancelWithinASecond(t *testing.T) {
	a := &fakeAsker{started: make(chan string, 1)}
	a.block.Store(true)
	h := askHarness(t, a)
	j, err := h.eng.SubmitAsk(context.Background(), ytsum.AskRequest{VideoID: "vid00000001", Question: "Q?"})
	if err != nil {
		t.Fatal(err)
	}
	recv(t, a.started, "the ask to start")
	start := time.Now()
	if _, err := h.eng.Cancel(context.Background(), j.ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	got, err := h.eng.Wait(ctx, j.ID)
	if err != nil {
		t.Fatalf("not cancelled within a second: %v", err)
	}
	if el := time.Since(start); el > time.Second || got.Status != ytsum.JobCancelled {
		t.Fatalf("%s after %v", got.Status, el)
	}
	ans := jobs.JobAnswer(got)
	if ans == nil || ans.Error == nil || !strings.Contains(*ans.Error, "cancelled") || ans.Question != "Q?" {
		t.Fatalf("answer of a cancelled ask %+v", ans)
	}
}

func TestAskJobSurvivesRestart(t *testing.T) {
	a := &fakeAsker{started: make(chan string, 2)}
	a.block.Store(true)
	h := askHarness(t, a)
	j, err := h.eng.SubmitAsk(context.Background(), ytsum.AskRequest{VideoID: "vid00000001", Question: "Q?"})
	if err != nil {
		t.Fatal(err)
	}
	recv(t, a.started, "the ask to start")
	h.close() // a clean stop: back to pending
	a2 := &fakeAsker{}
	h.cfg.Asker = a2
	h.restart(nil)
	h.start()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	got, err := h.eng.Wait(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ans := jobs.JobAnswer(got); got.Status != ytsum.JobCompleted || ans == nil || ans.Answer != "It says [00:10]." || a2.asks.Load() != 1 {
		t.Fatalf("after restart: %s %+v", describe(got), ans)
	}
}
