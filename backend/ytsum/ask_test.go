package ytsum

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestAnswerResultJSON(t *testing.T) {
	vid := "abcdefghijk"
	r := AnswerResult(Answer{VideoID: &vid, Question: "q?", Answer: "a [00:05]", ModelUsed: "local",
		Citations: []Citation{{VideoID: vid, StartSeconds: 5, Quote: "hello"}}})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"answer","video_id":"abcdefghijk","question":"q?","answer":"a [00:05]","citations":[{"video_id":"abcdefghijk","start_seconds":5,"quote":"hello"}],"model_used":"local","error":null}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Type != ResultAnswer || back.Answer == nil || back.Answer.Citations[0].StartSeconds != 5 || back.VideoID != vid {
		t.Fatalf("round trip: %+v", back)
	}
	// A library answer has a null video_id and an empty citation list, never null.
	b, _ = json.Marshal(AnswerResult(Answer{Question: "q"}))
	if !strings.Contains(string(b), `"video_id":null`) || !strings.Contains(string(b), `"citations":[]`) {
		t.Fatalf("library answer: %s", b)
	}
}

func TestConversationJSON(t *testing.T) {
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	b, err := json.Marshal(Conversation{ID: "c1", CreatedAt: at, UpdatedAt: at,
		Turns: []Turn{{Question: "q", Answer: "a", Citations: []Citation{}, ModelUsed: "local", AskedAt: at}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"c1","video_id":null,"turns":[{"question":"q","answer":"a","citations":[],"model_used":"local","asked_at":"2026-12-07T04:00:00Z"}],"created_at":"2026-12-07T04:00:00Z","updated_at":"2026-12-07T04:00:00Z"}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}
