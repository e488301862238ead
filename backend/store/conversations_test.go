package store

import (
	"path/filepath"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

func TestConversationsSurviveRestartAndListNewestFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	vid, other := "vid00000001", "vid00000002"
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		id    string
		video *string
		at    time.Time
	}{
		{"c1", &vid, t0},
		{"c2", &vid, t0.Add(time.Minute)},
		{"c3", &other, t0.Add(2 * time.Minute)},
		{"c1", &vid, t0.Add(3 * time.Minute)}, // a follow-up makes c1 the newest
		{"lib", nil, t0.Add(4 * time.Minute)},
	}
	for i, s := range steps {
		turn := ytsum.Turn{Question: "q" + string(rune('0'+i)), Answer: "a", ModelUsed: "local", AskedAt: s.at,
			Citations: []ytsum.Citation{{VideoID: vid, StartSeconds: i, Quote: "x"}}}
		if _, err := db.AppendTurn(s.id, s.video, turn); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if _, err := db.AppendTurn("c1", &other, ytsum.Turn{Question: "x"}); ytsum.ErrorKind(err) != "conversation_scope" {
		t.Fatalf("appending to another video's conversation: %v", err)
	}
	if _, err := db.AppendTurn("c1", nil, ytsum.Turn{Question: "x"}); ytsum.ErrorKind(err) != "conversation_scope" {
		t.Fatalf("appending a library turn to a video's conversation: %v", err)
	}
	db = reopen(t, db)
	defer db.Close()
	MustCheck(t, db)
	list, err := db.Conversations(&vid, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "c1" || list[1].ID != "c2" {
		t.Fatalf("conversations of %s: %+v", vid, list)
	}
	if got := list[0].Turns; len(got) != 2 || got[0].Question != "q0" || got[1].Question != "q3" || got[1].Citations[0].StartSeconds != 3 {
		t.Fatalf("turns of c1: %+v", got)
	}
	if !list[0].UpdatedAt.Equal(t0.Add(3*time.Minute)) || !list[0].CreatedAt.Equal(t0) {
		t.Fatalf("times of c1: %v %v", list[0].CreatedAt, list[0].UpdatedAt)
	}
	if l, _ := db.Conversations(&vid, 1); len(l) != 1 || l[0].ID != "c1" {
		t.Fatalf("limit 1: %+v", l)
	}
	if l, _ := db.Conversations(nil, 0); len(l) != 1 || l[0].ID != "lib" || l[0].VideoID != nil {
		t.Fatalf("library conversations: %+v", l)
	}
	if l, _ := db.Conversations(&other, 0); len(l) != 1 || l[0].ID != "c3" {
		t.Fatalf("conversations of %s: %+v", other, l)
	}
	unknown := "nothing"
	if l, err := db.Conversations(&unknown, 0); err != nil || len(l) != 0 {
		t.Fatalf("unknown video: %v %v", l, err)
	}

	if err := db.DeleteConversation("c2"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteConversation("c2"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("deleting twice: %v", err)
	}
	if _, ok, _ := db.Conversation("c2"); ok {
		t.Fatal("c2 still there")
	}
	if n, err := db.DeleteConversationsOf(vid); err != nil || n != 1 {
		t.Fatalf("DeleteConversationsOf = %d, %v", n, err)
	}
	if l, _ := db.Conversations(&vid, 0); len(l) != 0 {
		t.Fatalf("left after DeleteConversationsOf: %+v", l)
	}
	if _, ok, _ := db.Conversation("c3"); !ok {
		t.Fatal("another video's conversation was deleted")
	}
}

func TestConversationsOnFreshFileAndBadIDs(t *testing.T) {
	db := MustOpen(t)
	if l, err := db.Conversations(nil, 0); err != nil || l != nil {
		t.Fatalf("fresh file: %v %v", l, err)
	}
	if _, ok, err := db.Conversation("x"); ok || err != nil {
		t.Fatalf("fresh file: %v %v", ok, err)
	}
	if err := db.DeleteConversation("x"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("delete on fresh file: %v", err)
	}
	if _, err := db.AppendTurn("", nil, ytsum.Turn{}); ytsum.ErrorKind(err) != "invalid_id" {
		t.Fatalf("empty id: %v", err)
	}
	bad := "a\x00b"
	if _, err := db.AppendTurn("c", &bad, ytsum.Turn{}); ytsum.ErrorKind(err) != "invalid_id" {
		t.Fatalf("NUL in video id: %v", err)
	}
}

func TestConversationKeepsAtMostMaxTurns(t *testing.T) {
	db := MustOpen(t)
	vid := "v"
	for i := range MaxConversationTurns + 3 {
		if _, err := db.AppendTurn("c", &vid, ytsum.Turn{Question: string(rune('A' + i%26))}); err != nil {
			t.Fatal(err)
		}
	}
	c, _, _ := db.Conversation("c")
	if len(c.Turns) != MaxConversationTurns || c.Turns[0].Question != string(rune('A'+3)) {
		t.Fatalf("%d turns, first %q", len(c.Turns), c.Turns[0].Question)
	}
}

func TestForEachLibraryVersion(t *testing.T) {
	db := MustOpen(t)
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, id := range []string{"b", "a"} {
		if err := db.PutSummary(&ytsum.Summary{Video: ytsum.Video{ID: id}, CacheKey: id + ":k", CreatedAt: at, Text: "s"}); err != nil {
			t.Fatal(err)
		}
	}
	var got []LibraryVersion
	if err := db.ForEachLibraryVersion(func(v LibraryVersion) error { got = append(got, v); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].VideoID != "a" || got[0].CacheKey != "a:k" || !got[0].SummarizedAt.Equal(at) {
		t.Fatalf("%+v", got)
	}
}
