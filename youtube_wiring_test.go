package main

// Issue 16 on the user's path: channel links, a gated manual track with a
// clean automatic one, and `ytsum doctor`, through the whole backend
// against the fake YouTube.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"ytsum/backend/youtube"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// gatedManualID is a video whose manual English track needs a PO token
// while its automatic English track is clean.
const gatedManualID = "gatedManual"

// catalogueWithGated is the default catalogue plus gatedManualID, made from
// the real captured player answer with its manual English track gated.
func catalogueWithGated(t *testing.T) youtubetest.Catalogue {
	t.Helper()
	raw, err := os.ReadFile("backend/youtube/youtubetest/testdata/watch.player.json")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := os.ReadFile("backend/youtube/youtubetest/testdata/transcript.xml")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(bytes.ReplaceAll(raw, []byte(youtubetest.RealVideoID), []byte(gatedManualID)), &m); err != nil {
		t.Fatal(err)
	}
	gated := 0
	tracks := m["captions"].(map[string]any)["playerCaptionsTracklistRenderer"].(map[string]any)["captionTracks"].([]any)
	for _, x := range tracks {
		tk := x.(map[string]any)
		if tk["languageCode"] == "en" && tk["kind"] == nil { // the manual English track
			tk["baseUrl"] = strings.Replace(tk["baseUrl"].(string), "&caps=asr", "&caps=asr&exp=xpe", 1)
			gated++
		}
	}
	if gated != 1 {
		t.Fatalf("the fixture has %d manual English tracks, want 1", gated)
	}
	player, _ := json.Marshal(m)
	c := youtubetest.DefaultCatalogue()
	c.Videos = append(c.Videos, youtubetest.Video{ID: gatedManualID, RawPlayer: player, RawTranscript: tr})

	// germanOnlyID: the same answer with only the German tracks left.
	if err := json.Unmarshal(bytes.ReplaceAll(raw, []byte(youtubetest.RealVideoID), []byte(germanOnlyID)), &m); err != nil {
		t.Fatal(err)
	}
	r := m["captions"].(map[string]any)["playerCaptionsTracklistRenderer"].(map[string]any)
	var de []any
	for _, x := range r["captionTracks"].([]any) {
		if x.(map[string]any)["languageCode"] == "de" {
			de = append(de, x)
		}
	}
	if len(de) == 0 {
		t.Fatal("the fixture has no German track")
	}
	r["captionTracks"] = de
	player, _ = json.Marshal(m)
	c.Videos = append(c.Videos, youtubetest.Video{ID: germanOnlyID, RawPlayer: player, RawTranscript: tr})
	return c
}

// germanOnlyID is a video with German captions only (and YouTube offering
// machine translations of them).
const germanOnlyID = "germanOnly1"

// Ensure a channel link is summarized as a channel item of its newest
// uploads (the request's limit), newest first, with progress counting them.
func TestChannelLinkSummarized(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	var acc struct {
		Mode  string `json:"mode"`
		JobID string `json:"job_id"`
	}
	r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{youtubetest.ChannelURL(youtubetest.ChannelHandle) + "/videos"},
		"model": "local", "limit": 2}, 202, &acc)
	if acc.Mode != "async" {
		t.Fatalf("mode %q, want async for a channel", acc.Mode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	j, err := r.svc.engine.Wait(ctx, acc.JobID)
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != ytsum.JobCompleted || j.TotalItems != 2 || j.Progress != 2 || len(j.Results) != 1 || j.Metadata.Limit != 2 {
		t.Fatalf("job = %s", ytsum.JobJSON(j))
	}
	ch := j.Results[0]
	if ch.Type != ytsum.ResultChannel || ch.ChannelID != youtubetest.ChannelID || ch.Title != "Curious Things" || ch.Error != nil {
		t.Fatalf("channel item = %s", ytsum.JobJSON(j))
	}
	var got []string
	for _, v := range ch.Summaries {
		if v.Summary == nil || v.Error != nil {
			t.Fatalf("video %s failed: %v", v.VideoID, *v.Error)
		}
		got = append(got, v.VideoID)
	}
	// Newest first: the channel lists its uploads in reverse playlist order.
	if want := []string{youtubetest.PlaylistVideoIDs[2], youtubetest.PlaylistVideoIDs[1]}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("videos %v, want %v", got, want)
	}
	// The wire shape of API.md §4.
	code, _, body := r.do("GET", "/jobs/"+acc.JobID, nil)
	if code != 200 || !bytes.Contains(body, []byte(`"type":"channel","channel_id":"`+youtubetest.ChannelID+`"`)) {
		t.Fatalf("GET job: %d %s", code, body)
	}

	// Without a limit, the channel_video_limit setting applies.
	r.mustJSON("POST", "/settings", map[string]any{"channel_video_limit": 1}, 200, nil)
	r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{"https://www.youtube.com/channel/" + youtubetest.ChannelID},
		"model": "local"}, 202, &acc)
	if j, err = r.svc.engine.Wait(ctx, acc.JobID); err != nil || j.TotalItems != 1 || j.Results[0].Type != ytsum.ResultChannel {
		t.Fatalf("with the setting: %v %s", err, ytsum.JobJSON(j))
	}
	// A limit out of range is bad input.
	r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{youtubetest.ChannelURL(youtubetest.ChannelHandle)}, "limit": 501}, 400, nil)
}

// Ensure a video whose manual English track is PO-token-gated but whose
// automatic English track is clean is summarized (from the automatic
// track), and /diagnose says so.
func TestGatedManualTrackSummarized(t *testing.T) {
	yt := youtubetest.MustStart(t, catalogueWithGated(t))
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	var res struct {
		Mode    string         `json:"mode"`
		Results []ytsum.Result `json:"results"`
	}
	r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{youtubetest.WatchURL(gatedManualID)}, "model": "local",
		"force_sync": true}, 200, &res)
	if len(res.Results) != 1 || res.Results[0].Summary == nil || res.Results[0].Error != nil {
		t.Fatalf("results = %+v", res.Results)
	}
	if n := yt.Hits("/api/timedtext"); n != 1 {
		t.Errorf("timedtext fetched %d times, want 1 (the clean automatic track only)", n)
	}

	var d youtube.Diagnosis
	r.mustJSON("POST", "/diagnose", map[string]any{"url": youtubetest.WatchURL(gatedManualID)}, 200, &d)
	if d.Chosen == nil || d.Chosen.Kind != "asr" || d.Chosen.Language != "en" {
		t.Fatalf("diagnosis chose %+v", d.Chosen)
	}
	var sawGated, sawChosen bool
	for _, s := range d.Sources {
		for _, tk := range s.Tracks {
			sawGated = sawGated || (tk.Language == "en" && tk.Kind == "manual" && tk.Gated)
			sawChosen = sawChosen || (tk.Chosen && tk.Kind == "asr" && !tk.Gated)
		}
	}
	if !sawGated || !sawChosen {
		t.Fatalf("diagnosis tracks lack the gated manual or the chosen automatic track: %+v", d.Sources)
	}
	r.mustJSON("POST", "/diagnose", map[string]any{"url": youtubetest.PlaylistURL(youtubetest.PlaylistID)}, 400, nil)
	r.mustJSON("POST", "/diagnose", map[string]any{"url": ""}, 400, nil)
}

// Ensure `ytsum doctor` exits 0 with the chosen track when a transcript is
// found, 1 when none is, 2 for a link that is not a video; --json prints
// the /diagnose answer.
func TestDoctor(t *testing.T) {
	yt := youtubetest.MustStart(t, catalogueWithGated(t))
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	ctx := context.Background()

	var out, errb bytes.Buffer
	if code := r.svc.DoctorCLI(ctx, youtubetest.WatchURL(gatedManualID), false, &out, &errb); code != 0 {
		t.Fatalf("doctor (found) exit %d; %s %s", code, out.String(), errb.String())
	}
	t.Logf("ytsum doctor:\n%s", out.String())
	for _, want := range []string{"Video " + gatedManualID, "ANDROID", "needs a PO token", "CHOSEN", "Chosen: en asr track"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("doctor text lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	if code := r.svc.DoctorCLI(ctx, youtubetest.WatchURL(youtubetest.VideoID), true, &out, &errb); code != 0 {
		t.Fatalf("doctor --json exit %d; %s", code, errb.String())
	}
	var d youtube.Diagnosis
	if err := json.Unmarshal(out.Bytes(), &d); err != nil || d.VideoID != youtubetest.VideoID || d.Chosen == nil || len(d.Sources) == 0 {
		t.Fatalf("doctor --json = %s (%v)", out.String(), err)
	}
	var viaHTTP bytes.Buffer
	_, _, body := r.do("POST", "/diagnose", map[string]any{"url": youtubetest.WatchURL(youtubetest.VideoID)})
	json.Compact(&viaHTTP, body)
	var compact bytes.Buffer
	json.Compact(&compact, out.Bytes())
	if !bytes.Equal(compact.Bytes(), viaHTTP.Bytes()) {
		t.Errorf("doctor --json and POST /diagnose differ\ncli:  %s\nhttp: %s", compact.Bytes(), viaHTTP.Bytes())
	}

	out.Reset()
	if code := r.svc.DoctorCLI(ctx, youtubetest.WatchURL(youtubetest.PrivateVideoID), false, &out, &errb); code != 1 {
		t.Fatalf("doctor (none) exit %d, want 1; %s", code, out.String())
	}
	if !strings.Contains(out.String(), "No transcript found.") {
		t.Errorf("doctor (none) text:\n%s", out.String())
	}

	out.Reset()
	errb.Reset()
	if code := r.svc.DoctorCLI(ctx, youtubetest.PlaylistURL(youtubetest.PlaylistID), false, &out, &errb); code != exitUsage {
		t.Fatalf("doctor (playlist link) exit %d, want 2", code)
	}
	if !strings.HasPrefix(errb.String(), "ytsum: ") {
		t.Errorf("doctor (playlist link) stderr %q", errb.String())
	}
	for _, args := range [][]string{{"doctor"}, {"doctor", "a", "b"}, {"doctor", "--bogus", "x"}} {
		errb.Reset()
		if code := run(args, &out, &errb); code != exitUsage || !strings.HasPrefix(errb.String(), "ytsum: ") {
			t.Errorf("run %v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// Ensure a summary's thumbnail is fetched through the YouTube client (its
// deadlines and pacing): the fake sees the thumbnail request, and the
// picture is served from the library.
func TestThumbnailThroughYouTubeClient(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	before, _ := r.svc.yt.Traffic()
	var res struct {
		Results []ytsum.Result `json:"results"`
	}
	r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{youtubetest.WatchURL(youtubetest.VideoID)}, "model": "local",
		"force_sync": true}, 200, &res)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := yt.WaitAnswered(ctx, "/vi/"+youtubetest.VideoID, 1); err != nil {
		t.Fatalf("thumbnail never fetched: %v (requests %v)", err, yt.Requests())
	}
	for {
		code, ctype, _ := r.do("GET", "/thumbnails/"+youtubetest.VideoID, nil)
		if code == 200 && strings.HasPrefix(ctype, "image/") {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("thumbnail not served: %d %s", code, ctype)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Every request the fake saw was made by the YouTube client, the
	// thumbnail's too (a request of the library's own would not count).
	after, _ := r.svc.yt.Traffic()
	if n := len(yt.Requests()); after-before != n {
		t.Fatalf("the YouTube client made %d requests, the fake saw %d: %v", after-before, n, yt.Requests())
	}
}

// Ensure a stalled YouTube answer does not hold a job: with one YouTube
// slot and short deadlines, the stalled video fails with the timeout
// sentence within the deadline, and the next video in the job, which needs
// that slot, is summarized.
func TestStalledYouTubeFreesItsSlot(t *testing.T) {
	c := youtubetest.DefaultCatalogue()
	yt := youtubetest.MustStart(t, c)
	r := openRigWith(t, t.TempDir(), yt, &memKeyring{}, func(o *youtube.Options) {
		o.Concurrency = 1
		o.FirstByteTimeout, o.IdleTimeout, o.RequestTimeout = 300*time.Millisecond, 300*time.Millisecond, time.Second
		o.MaxRetries = -1
	})
	var acc struct {
		JobID string `json:"job_id"`
	}
	start := time.Now()
	r.mustJSON("POST", "/summarize_async", map[string]any{"model": "local",
		"urls": []string{youtubetest.WatchURL(youtubetest.SlowVideoID), youtubetest.WatchURL(youtubetest.VideoID)}}, 202, &acc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	j, err := r.svc.engine.Wait(ctx, acc.JobID)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if j.Status != ytsum.JobCompleted || len(j.Results) != 2 {
		t.Fatalf("job = %s", ytsum.JobJSON(j))
	}
	slow, ok := j.Results[0], j.Results[1]
	if slow.Error == nil || slow.ErrorKind != "youtube_timeout" || !strings.Contains(*slow.Error, "YouTube did not answer within") {
		t.Fatalf("stalled video = %+v", slow)
	}
	if ok.Summary == nil || ok.Error != nil {
		t.Fatalf("the next video was not summarized: %+v", ok)
	}
	// Each stalled request is given up after its first-byte deadline (the
	// slow video costs a few: watch page, player, oEmbed), not SlowDelay.
	if took > 10*time.Second {
		t.Fatalf("the job took %v with a stalled upstream", took)
	}
	t.Logf("stalled video failed and the next was summarized in %v", took.Round(10*time.Millisecond))
}

// Ensure `ytsum summarize --limit N CHANNEL` summarizes the channel's N
// newest videos and prints them under the channel's title; a limit out of
// range is bad usage.
func TestSummarizeCLIChannelLimit(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	var out, errb bytes.Buffer
	code := r.svc.SummarizeCLI(context.Background(), CLIRequest{URLs: []string{youtubetest.ChannelURL(youtubetest.ChannelHandle)},
		Model: "local", Limit: 1}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errb.String())
	}
	text := out.String()
	if !strings.HasPrefix(text, "# Channel: Curious Things\n") || strings.Count(text, "\n## ") != 1 ||
		!strings.Contains(text, youtubetest.WatchURL(youtubetest.PlaylistVideoIDs[2])) {
		t.Fatalf("output:\n%s", text)
	}
	if !strings.Contains(errb.String(), "[1/1] completed") {
		t.Errorf("progress: %s", errb.String())
	}
	for _, args := range [][]string{{"summarize", "--limit", "-1", "x"}, {"summarize", "--limit", "501", "x"}, {"summarize", "--limit", "many", "x"}} {
		errb.Reset()
		if code := run(args, &out, &errb); code != exitUsage {
			t.Errorf("run %v: exit %d, want 2 (%s)", args, code, errb.String())
		}
	}
}

// Ensure the YouTube settings have readers that apply at once: the player
// clients asked (youtube_clients) and the base pacing (youtube_pacing_ms).
func TestYouTubeSettingsApplyAtOnce(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	var d youtube.Diagnosis
	r.mustJSON("POST", "/diagnose", map[string]any{"url": youtubetest.WatchURL(youtubetest.VideoID)}, 200, &d)
	if len(d.Sources) == 0 || d.Sources[0].Name != "ANDROID" {
		t.Fatalf("default sources %+v", d.Sources)
	}
	clients := `[{"name":"IOS","id":5,"version":"20.10.4","user_agent":"com.google.ios.youtube/20.10.4 (iPhone16,2; U; CPU iOS 18_3_2 like Mac OS X;)"}]`
	r.mustJSON("POST", "/settings", map[string]any{"youtube_clients": clients, "youtube_pacing_ms": 1500}, 200, nil)
	r.mustJSON("POST", "/diagnose", map[string]any{"url": youtubetest.WatchURL(youtubetest.VideoID)}, 200, &d)
	if len(d.Sources) != 1 || d.Sources[0].Name != "IOS" || d.Chosen == nil || d.Chosen.Source != "IOS" {
		t.Fatalf("with youtube_clients [IOS]: %+v, chosen %+v", d.Sources, d.Chosen)
	}
	r.svc.opts.youtubePacing = nil // the rig's zero pacing off: the setting is read
	if p := r.svc.youtubePacing(); p != 1500*time.Millisecond {
		t.Fatalf("pacing %v, want the setting's 1.5 s", p)
	}
	r.mustJSON("POST", "/settings", map[string]any{"youtube_pacing_ms": 100}, 400, nil) // the least is 250
}

// Ensure a video with German captions only is summarized from its German
// track with the default settings: no machine translation is asked for.
func TestOriginalLanguageFirst(t *testing.T) {
	yt := youtubetest.MustStart(t, catalogueWithGated(t))
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	var res struct {
		Results []ytsum.Result `json:"results"`
	}
	r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{youtubetest.WatchURL(germanOnlyID)}, "model": "local",
		"force_sync": true}, 200, &res)
	if len(res.Results) != 1 || res.Results[0].Summary == nil {
		t.Fatalf("results = %+v", res.Results)
	}
	for _, q := range yt.Requests() {
		if strings.Contains(q, "tlang=") {
			t.Fatalf("a machine translation was asked for: %s", q)
		}
	}
	var d youtube.Diagnosis
	r.mustJSON("POST", "/diagnose", map[string]any{"url": youtubetest.WatchURL(germanOnlyID)}, 200, &d)
	if d.Chosen == nil || d.Chosen.Language != "de" || d.Chosen.Kind == "translated" {
		t.Fatalf("chosen %+v", d.Chosen)
	}
}

// Ensure `ytsum doctor` still diagnoses while the window or `ytsum serve`
// holds the library: it falls back to a temporary data folder and says
// that the saved settings were not read, instead of "already running".
func TestDoctorWhileAppRuns(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	dir := t.TempDir()
	r := openRig(t, dir, yt, &memKeyring{}) // the running app holds dir
	_ = r
	var errb bytes.Buffer
	svc, closeFn, err := openDoctorBackend(context.Background(), backendOptions{localWellKnown: noLocalServers, Version: "test", Stderr: &errb,
		Getenv: env(dir, yt), Keychain: &memKeyring{}, youtubePacing: func() time.Duration { return 0 }})
	if err != nil {
		t.Fatalf("doctor while the app runs: %v", err)
	}
	var out bytes.Buffer
	code := svc.DoctorCLI(context.Background(), youtubetest.WatchURL(youtubetest.VideoID), false, &out, &errb)
	closeFn()
	if code != 0 {
		t.Fatalf("doctor exit %d; %s %s", code, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "the app is running") {
		t.Errorf("doctor did not say it used default settings: %q", errb.String())
	}
}
