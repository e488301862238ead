package store

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"ytsum/backend/ytsum"
)

func TestSubscriptionsEmptyFile(t *testing.T) {
	db := MustOpen(t)
	n := 0
	if err := db.ForEachSubscription(func(string, []byte) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("ForEachSubscription on a fresh file: n=%d err=%v", n, err)
	}
	if _, err := db.Subscription("s1"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("Subscription(missing) err = %v", err)
	}
	if err := db.PutSubscription("s1", []byte("x")); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("PutSubscription(missing) err = %v", err)
	}
	if c, err := db.NewCounts(); err != nil || len(c) != 0 {
		t.Fatalf("NewCounts = %v, %v", c, err)
	}
}

func TestRecordCheckAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	create := SubscriptionCheck{ID: "s1", Create: true, SourceKey: "channel:UC1", Record: []byte(`{"v":1}`),
		Seen: []SeenVideo{{VideoID: "old00000001", How: "baseline"}}}
	if err := db.RecordCheck(create); err != nil {
		t.Fatal(err)
	}
	dup := create
	dup.ID = "s2"
	if err := db.RecordCheck(dup); ytsum.ErrorCode(err) != ytsum.CodeConflict || ytsum.ErrorKind(err) != "already_followed" {
		t.Fatalf("duplicate source: err = %v", err)
	}
	if _, err := db.Subscription("s2"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("a refused follow left a record: %v", err)
	}

	check := SubscriptionCheck{ID: "s1", Record: []byte(`{"v":2}`),
		Seen:  []SeenVideo{{VideoID: "new00000001", How: "job", JobID: "j1"}, {VideoID: "new00000002", How: "job", JobID: "j1"}},
		New:   []string{"new00000001", "new00000002"},
		Defer: []Deferral{{VideoID: "live0000001", RetryAt: time.Unix(2000, 0)}},
		JobID: "j1", JobRecord: []byte(`{"job":1}`)}
	if err := db.RecordCheck(check); err != nil {
		t.Fatal(err)
	}
	// A racing check with an overlapping video is refused entirely.
	race := SubscriptionCheck{ID: "s1", Record: []byte(`{"v":3}`),
		Seen:  []SeenVideo{{VideoID: "new00000003", How: "job", JobID: "j2"}, {VideoID: "new00000002", How: "job", JobID: "j2"}},
		JobID: "j2", JobRecord: []byte(`{"job":2}`)}
	if err := db.RecordCheck(race); ytsum.ErrorKind(err) != "already_seen" {
		t.Fatalf("racing check: err = %v", err)
	}
	db = reopen(t, db)
	defer db.Close()
	if rec, err := db.Subscription("s1"); err != nil || string(rec) != `{"v":2}` {
		t.Fatalf("record after reopen = %s, %v", rec, err)
	}
	if rec, _, err := db.Job("j1"); err != nil || string(rec) != `{"job":1}` {
		t.Fatalf("job j1 = %s, %v", rec, err)
	}
	if _, _, err := db.Job("j2"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("the refused check's job was written: %v", err)
	}
	seen, _ := db.SubscriptionSeen("s1", []string{"old00000001", "new00000001", "new00000002", "new00000003"})
	if len(seen) != 3 || seen["new00000003"] {
		t.Fatalf("seen = %v", seen)
	}
	vids, _ := db.SubscriptionVideos("s1")
	if len(vids) != 3 || vids[0] != (SeenVideo{VideoID: "new00000001", How: "job", JobID: "j1"}) {
		t.Fatalf("videos = %+v", vids)
	}
	d, _ := db.SubscriptionDeferred("s1")
	if len(d) != 1 || d[0].VideoID != "live0000001" || !d[0].RetryAt.Equal(time.Unix(2000, 0)) || d[0].Since.IsZero() {
		t.Fatalf("deferred = %+v", d)
	}
	if c, _ := db.NewCounts(); c["s1"] != 2 {
		t.Fatalf("new counts = %v", c)
	}

	subs, err := db.MarkOpened("new00000001")
	if err != nil || !slices.Equal(subs, []string{"s1"}) {
		t.Fatalf("MarkOpened = %v, %v", subs, err)
	}
	if subs, _ := db.MarkOpened("new00000001"); len(subs) != 0 {
		t.Fatalf("second MarkOpened = %v", subs)
	}
	if all, _ := db.NewVideos(""); !slices.Equal(all, []string{"new00000002"}) {
		t.Fatalf("NewVideos = %v", all)
	}

	if err := db.DeleteSubscription("s1", "channel:UC1"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSubscription("s1", "channel:UC1"); ytsum.ErrorCode(err) != ytsum.CodeNotFound {
		t.Fatalf("second delete: %v", err)
	}
	if vids, _ := db.SubscriptionVideos("s1"); len(vids) != 0 {
		t.Fatalf("seen videos survived unfollow: %v", vids)
	}
	if c, _ := db.NewCounts(); len(c) != 0 {
		t.Fatalf("new marks survived unfollow: %v", c)
	}
	if _, _, err := db.Job("j1"); err != nil {
		t.Fatalf("unfollow removed the job: %v", err)
	}
	// The source can be followed again.
	if err := db.RecordCheck(dup); err != nil {
		t.Fatalf("follow after unfollow: %v", err)
	}
	MustCheck(t, db)
}
