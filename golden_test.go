package main

// One golden test for both doors: every operation the window and the HTTP
// API both offer runs once through the bound method of App (its answer
// encoded as Wails encodes it, with encoding/json.Marshal) and once through
// the HTTP route of the same backend, and the JSON bytes must be the same.
// The HTTP API writes "<", ">" and "&" unescaped while Wails escapes them,
// so the HTTP body goes through json.HTMLEscape first: that is the only
// difference allowed.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"ytsum/backend/config"
	"ytsum/backend/httpapi"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// fakeDialogs answers the file dialogs with fixed paths.
type fakeDialogs struct{ save, open string }

func (d fakeDialogs) SaveFile(context.Context, string, string) (string, error) { return d.save, nil }
func (d fakeDialogs) OpenJSON(context.Context, string, string) (string, error) { return d.open, nil }

// wailsJSON is what Wails sends the window for a bound method's answer.
func wailsJSON(t *testing.T, v any, err error) []byte {
	t.Helper()
	if err != nil {
		v = formatError(err)
	}
	b, merr := json.Marshal(v)
	if merr != nil {
		t.Fatalf("encoding %T: %v", v, merr)
	}
	return b
}

// httpJSON is the HTTP body as the window would have it (HTML-escaped).
func httpJSON(body []byte) []byte {
	var b bytes.Buffer
	json.HTMLEscape(&b, bytes.TrimSpace(body))
	return b.Bytes()
}

// sameJSON fails unless the two answers are the same bytes; error answers
// (whose members Wails writes in name order) must hold the same members.
func sameJSON(t *testing.T, op string, bound, viaHTTP []byte, isErr bool) {
	t.Helper()
	if isErr {
		var a, b any
		if json.Unmarshal(bound, &a) != nil || json.Unmarshal(viaHTTP, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("%s: errors differ\nbound: %s\nhttp:  %s", op, bound, viaHTTP)
		}
		return
	}
	if !bytes.Equal(bound, viaHTTP) {
		t.Errorf("%s: answers differ\nbound: %s\nhttp:  %s", op, bound, viaHTTP)
	}
}

func TestBothDoorsAnswerTheSame(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	app := NewApp(ctx, r.svc, nil)
	exportPath := filepath.Join(t.TempDir(), "export.json")
	app.dialogs = fakeDialogs{save: exportPath, open: filepath.Join("backend", "library", "testdata", "original", "summary_cache.json")}

	// Fill the library: one job through each door, each run to its end.
	v1, v2 := youtubetest.PlaylistVideoIDs[0], youtubetest.PlaylistVideoIDs[1]
	acc, err := app.Summarize(httpapi.SummarizeRequest{URLs: httpapi.URLList{youtubetest.WatchURL(v1)}})
	if err != nil {
		t.Fatalf("Summarize: %v", err)
	}
	var httpAcc httpapi.JobAccepted
	r.mustJSON("POST", "/summarize_async", map[string]any{"urls": []string{youtubetest.WatchURL(v2)}}, 202, &httpAcc)
	for _, id := range []string{acc.JobID, httpAcc.JobID} {
		if j, err := r.svc.engine.Wait(ctx, id); err != nil || j.Status != ytsum.JobCompleted {
			t.Fatalf("job %s: %v %v", id, j, err)
		}
	}
	// The accepted answers differ only by the job id.
	sameJSON(t, "submit", wailsJSON(t, acc, nil),
		httpJSON(bytes.ReplaceAll(mustMarshal(httpAcc), []byte(httpAcc.JobID), []byte(acc.JobID))), false)
	// Import once, so that both doors' imports below find the same state.
	if _, err := r.svc.api.Import(ctx, app.dialogs.(fakeDialogs).open); err != nil {
		t.Fatalf("first import: %v", err)
	}
	// The index takes the import in in the background: let it finish, so
	// that both doors see the same library status.
	if err := r.svc.lib.WaitIndexed(ctx); err != nil {
		t.Fatalf("waiting for the index: %v", err)
	}

	type door struct {
		bound  func() (any, error)
		method string
		path   string
		body   any
	}
	word := youtubetest.SearchWord
	// Subscriptions (issue 17): one followed playlist, then both doors.
	sub, err := app.Follow(httpapi.FollowRequest{URL: youtubetest.PlaylistURL(youtubetest.PlaylistID)})
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	paused := true
	cases := []struct {
		name string
		door
	}{
		{"get job", door{func() (any, error) { return app.GetJob(acc.JobID) }, "GET", "/jobs/" + acc.JobID, nil}},
		{"get unknown job", door{func() (any, error) { return app.GetJob("nope") }, "GET", "/jobs/nope", nil}},
		{"list jobs", door{func() (any, error) { return app.ListJobs("", 0) }, "GET", "/jobs", nil}},
		{"list completed jobs", door{func() (any, error) { return app.ListJobs("completed", 1) }, "GET", "/jobs?status=completed&limit=1", nil}},
		{"list bad status", door{func() (any, error) { return app.ListJobs("done", 0) }, "GET", "/jobs?status=done", nil}},
		{"cancel finished job", door{func() (any, error) { return app.CancelJob(acc.JobID) }, "POST", "/jobs/" + acc.JobID + "/cancel", nil}},
		{"cancel unknown job", door{func() (any, error) { return app.CancelJob("nope") }, "POST", "/jobs/nope/cancel", nil}},
		{"library page", door{func() (any, error) { return app.CachedSummaries(1, 10, "", "", "") }, "GET", "/get_cached_summaries?page=1&per_page=10", nil}},
		{"library page by title", door{func() (any, error) { return app.CachedSummaries(2, 1, "title", "", "") }, "GET", "/get_cached_summaries?page=2&per_page=1&sort=title", nil}},
		{"library bad sort", door{func() (any, error) { return app.CachedSummaries(1, 10, "size", "", "") }, "GET", "/get_cached_summaries?page=1&per_page=10&sort=size", nil}},
		{"search", door{func() (any, error) { return app.SearchSummaries(word) }, "GET", "/search_summaries?q=" + word, nil}},
		{"search nothing", door{func() (any, error) { return app.SearchSummaries("zzzqqq") }, "GET", "/search_summaries?q=zzzqqq", nil}},
		{"library status", door{func() (any, error) { return app.LibraryStatus() }, "GET", "/library/status", nil}},
		{"search empty", door{func() (any, error) { return app.SearchSummaries(" ") }, "GET", "/search_summaries?q=+", nil}},
		{"settings get", door{func() (any, error) { return app.GetSettings() }, "GET", "/settings", nil}},
		{"settings set", door{func() (any, error) { return app.SaveSettings(config.Patch{"worker_pool_size": 3}) }, "POST", "/settings", map[string]any{"worker_pool_size": 3}}},
		{"settings set invalid", door{func() (any, error) { return app.SaveSettings(config.Patch{"worker_pool_size": -3}) }, "POST", "/settings", map[string]any{"worker_pool_size": -3}}},
		{"voices", door{func() (any, error) { return app.Voices() }, "GET", "/api/voices", nil}},
		{"cache status", door{func() (any, error) { return app.CacheStatus() }, "GET", "/api/cache/status", nil}},
		{"api status", door{func() (any, error) { return app.APIStatus() }, "GET", "/api_status", nil}},
		{"backups", door{func() (any, error) { return app.Backups() }, "GET", "/admin/backups", nil}},
		{"import again", door{func() (any, error) { return app.ImportOriginal() }, "POST", "/import", map[string]any{"path": app.dialogs.(fakeDialogs).open}}},
		{"delete unknown", door{func() (any, error) { return app.DeleteSummary("abcdefghijk") }, "DELETE", "/delete_summary", map[string]any{"video_id": "abcdefghijk"}}},
		{"delete bad id", door{func() (any, error) { return app.DeleteSummary("../x") }, "DELETE", "/delete_summary", map[string]any{"video_id": "../x"}}},
		{"ask empty question", door{func() (any, error) { return app.Ask(httpapi.AskRequest{VideoID: v1, Question: " "}) }, "POST", "/ask", map[string]any{"video_id": v1, "question": " "}}},
		{"ask unknown video", door{func() (any, error) { return app.Ask(httpapi.AskRequest{VideoID: "abcdefghijk", Question: "Q?"}) }, "POST", "/ask", map[string]any{"video_id": "abcdefghijk", "question": "Q?"}}},
		{"conversations none", door{func() (any, error) { return app.Conversations(v1) }, "GET", "/conversations?video_id=" + v1, nil}},
		{"conversations bad id", door{func() (any, error) { return app.Conversations("../x") }, "GET", "/conversations?video_id=..%2Fx", nil}},
		{"delete unknown conversation", door{func() (any, error) { return app.DeleteConversation("nope") }, "DELETE", "/conversations/nope", nil}},
		{"diagnose", door{func() (any, error) { return app.Diagnose(httpapi.DiagnoseRequest{URL: youtubetest.WatchURL(v1)}) }, "POST", "/diagnose", map[string]any{"url": youtubetest.WatchURL(v1)}}},
		{"diagnose no transcript", door{func() (any, error) {
			return app.Diagnose(httpapi.DiagnoseRequest{URL: youtubetest.WatchURL(youtubetest.PrivateVideoID)})
		}, "POST", "/diagnose", map[string]any{"url": youtubetest.WatchURL(youtubetest.PrivateVideoID)}}},
		{"diagnose playlist link", door{func() (any, error) {
			return app.Diagnose(httpapi.DiagnoseRequest{URL: youtubetest.PlaylistURL(youtubetest.PlaylistID)})
		}, "POST", "/diagnose", map[string]any{"url": youtubetest.PlaylistURL(youtubetest.PlaylistID)}}},
		{"subscriptions", door{func() (any, error) { return app.ListSubscriptions() }, "GET", "/subscriptions", nil}},
		{"follow again", door{func() (any, error) {
			return app.Follow(httpapi.FollowRequest{URL: youtubetest.PlaylistURL(youtubetest.PlaylistID)})
		}, "POST", "/subscriptions", map[string]any{"url": youtubetest.PlaylistURL(youtubetest.PlaylistID)}}},
		{"follow a video", door{func() (any, error) { return app.Follow(httpapi.FollowRequest{URL: youtubetest.WatchURL(v1)}) },
			"POST", "/subscriptions", map[string]any{"url": youtubetest.WatchURL(v1)}}},
		{"pause", door{func() (any, error) { return app.UpdateSubscription(sub.ID, httpapi.SubscriptionPatch{Paused: &paused}) },
			"PATCH", "/subscriptions/" + sub.ID, map[string]any{"paused": true}}},
		{"edit unknown", door{func() (any, error) { return app.UpdateSubscription("nope", httpapi.SubscriptionPatch{Paused: &paused}) },
			"PATCH", "/subscriptions/nope", map[string]any{"paused": true}}},
		{"check", door{func() (any, error) { return app.CheckSubscription(sub.ID) }, "POST", "/subscriptions/" + sub.ID + "/check", nil}},
		{"unfollow unknown", door{func() (any, error) { return app.Unfollow("nope") }, "DELETE", "/subscriptions/nope", nil}},
		{"opened", door{func() (any, error) { return app.MarkOpened(v1) }, "POST", "/library/" + v1 + "/opened", nil}},
		{"opened bad id", door{func() (any, error) { return app.MarkOpened("../x") }, "POST", "/library/..%2Fx/opened", nil}},
		{"library new", door{func() (any, error) {
			return app.SubscriptionSummaries(httpapi.LibraryQuery{Page: 1, PerPage: 10, New: true})
		},
			"GET", "/get_cached_summaries?page=1&per_page=10&new=1", nil}},
		{"library by subscription", door{func() (any, error) {
			return app.SubscriptionSummaries(httpapi.LibraryQuery{Page: 1, PerPage: 10, Subscription: sub.ID})
		}, "GET", "/get_cached_summaries?page=1&per_page=10&subscription=" + sub.ID, nil}},
		{"search by subscription", door{func() (any, error) {
			return app.SearchSubscriptionSummaries(httpapi.SearchQuery{Q: word, Subscription: sub.ID})
		}, "GET", "/search_summaries?q=" + word + "&subscription=" + sub.ID, nil}},
		{"search new", door{func() (any, error) { return app.SearchSubscriptionSummaries(httpapi.SearchQuery{Q: word, New: true}) },
			"GET", "/search_summaries?q=" + word + "&new=1", nil}},
		{"search unknown subscription", door{func() (any, error) {
			return app.SearchSubscriptionSummaries(httpapi.SearchQuery{Q: word, Subscription: "nope"})
		}, "GET", "/search_summaries?q=" + word + "&subscription=nope", nil}},
		{"export bad format", door{func() (any, error) { return app.ExportSummary(v1, "pdf") }, "GET", "/export/" + v1 + "?format=pdf", nil}},
	}
	for _, c := range cases {
		v, err := c.bound()
		code, _, body := r.do(c.method, c.path, c.body)
		if (err != nil) != (code >= 400) {
			t.Errorf("%s: bound error %v, HTTP status %d %s", c.name, err, code, body)
			continue
		}
		sameJSON(t, c.name, wailsJSON(t, v, err), httpJSON(body), err != nil)
	}

	// Backups: one made through each door; the answers differ only by the
	// snapshot's name, size and time.
	made, err := app.CreateBackup()
	if err != nil {
		t.Fatalf("CreateBackup: %v", err)
	}
	var viaHTTP httpapi.BackupCreated
	r.mustJSON("POST", "/admin/backups", nil, 201, &viaHTTP)
	viaHTTP.Backup = made.Backup
	sameJSON(t, "create backup", wailsJSON(t, made, nil), mustMarshal(viaHTTP), false)

	// Ask (offline extract, synchronous): the answers differ only by the
	// conversation id; then the conversations list is the same.
	askReq := httpapi.AskRequest{VideoID: v1, Question: word + "?", Model: "local"}
	answered, err := app.AskNow(askReq)
	var askHTTP httpapi.AskAnswered
	r.mustJSON("POST", "/ask", map[string]any{"video_id": v1, "question": word + "?", "model": "local", "force_sync": true}, 200, &askHTTP)
	if err != nil || !answered.Answer.Extract {
		t.Fatalf("AskNow: %+v %v", answered, err)
	}
	sameJSON(t, "ask", wailsJSON(t, answered, nil), httpJSON(bytes.ReplaceAll(mustMarshal(askHTTP), []byte(askHTTP.ConversationID), []byte(answered.ConversationID))), false)
	convs, err := app.Conversations(v1)
	_, _, body := r.do("GET", "/conversations?video_id="+v1, nil)
	if err != nil || len(convs.Conversations) != 2 {
		t.Fatalf("conversations: %+v %v", convs, err)
	}
	sameJSON(t, "conversations", wailsJSON(t, convs, nil), httpJSON(body), false)
	asked, err := app.Ask(askReq)
	var askedHTTP httpapi.AskAccepted
	r.mustJSON("POST", "/ask", map[string]any{"video_id": v1, "question": word + "?", "model": "local"}, 202, &askedHTTP)
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	for _, id := range []string{asked.JobID, askedHTTP.JobID} {
		if _, err := r.svc.engine.Wait(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	sameJSON(t, "ask async", wailsJSON(t, asked, nil), httpJSON(bytes.ReplaceAll(bytes.ReplaceAll(mustMarshal(askedHTTP),
		[]byte(askedHTTP.JobID), []byte(asked.JobID)), []byte(askedHTTP.ConversationID), []byte(asked.ConversationID))), false)
	gone, err := app.DeleteConversation(answered.ConversationID)
	code, _, body := r.do("DELETE", "/conversations/"+askHTTP.ConversationID, nil)
	if err != nil || code != 200 {
		t.Fatalf("delete conversation: %v, HTTP %d %s", err, code, body)
	}
	sameJSON(t, "delete conversation", wailsJSON(t, gone, nil), httpJSON(bytes.ReplaceAll(body, []byte(askHTTP.ConversationID), []byte(answered.ConversationID))), false)

	// Exports: the bound method's file is the route's body, named alike.
	for _, format := range []string{"md", "txt", "json"} {
		f, err := app.ExportSummary(v1, format)
		resp, herr := http.Get(r.http.URL + "/export/" + v1 + "?format=" + format)
		if herr != nil {
			t.Fatal(herr)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		if err != nil || resp.StatusCode != 200 || f.Content != string(body) || f.Filename != params["filename"] {
			t.Errorf("export %s: bound %q (%v), HTTP %d %q", format, f.Filename, err, resp.StatusCode, params["filename"])
		}
	}
	saved, err := app.ExportLibrary("json")
	code, _, body = r.do("GET", "/export?format=json", nil)
	file, _ := os.ReadFile(exportPath)
	if err != nil || saved.Path != exportPath || code != 200 || !bytes.Equal(file, body) {
		t.Errorf("export library: bound %+v (%v), %d bytes; HTTP %d, %d bytes", saved, err, len(file), code, len(body))
	}

	// Delete: one video through each door; the answers differ by the id.
	del, err := app.DeleteSummary(v1)
	code, _, body = r.do("DELETE", "/delete_summary", map[string]any{"video_id": v2})
	if err != nil || code != 200 {
		t.Fatalf("delete: %v, HTTP %d %s", err, code, body)
	}
	sameJSON(t, "delete", wailsJSON(t, del, nil), httpJSON(bytes.ReplaceAll(body, []byte(v2), []byte(v1))), false)

	// Unfollow: through each door, the same answer.
	unf, err := app.Unfollow(sub.ID)
	if err != nil {
		t.Fatalf("Unfollow: %v", err)
	}
	sub2, err := app.Follow(httpapi.FollowRequest{URL: youtubetest.PlaylistURL(youtubetest.PlaylistID)})
	if err != nil {
		t.Fatalf("Follow again: %v", err)
	}
	code, _, body = r.do("DELETE", "/subscriptions/"+sub2.ID, nil)
	sameJSON(t, "unfollow", wailsJSON(t, unf, nil), httpJSON(body), code >= 400)

	// Cache cleanup last: it changes what cache status would say.
	cl, err := app.CacheCleanup()
	code, _, body = r.do("POST", "/api/cache/cleanup", nil)
	if err != nil || code != 200 {
		t.Fatalf("cache cleanup: %v, HTTP %d %s", err, code, body)
	}
	sameJSON(t, "cache cleanup", wailsJSON(t, cl, nil), httpJSON(body), false)
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
