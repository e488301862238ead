package main

// The user's path with the user's setup: a Gemini key set (environment or
// keychain), the fake LLM at the provider's URL, settings changed. Requests
// that name no model, style or length get the user's defaults in every door.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ytsum/backend/config"
	"ytsum/backend/summarize/llmfake"
	"ytsum/backend/youtube/youtubetest"
	"ytsum/backend/ytsum"
)

// keyedRig opens the backend with a Gemini key in the environment and the
// Gemini URL at the fake LLM.
func keyedRig(t *testing.T, yt *youtubetest.Server) *rig {
	t.Helper()
	llm := httptest.NewServer(llmfake.Handler())
	t.Cleanup(llm.Close)
	dir := t.TempDir()
	base := env(dir, yt)
	getenv := func(k string) (string, bool) {
		switch k {
		case "YTSUM_GEMINI_URL":
			return llm.URL, true
		case "GEMINI_API_KEY":
			return "AIzaFakeKeyForTests0123456789", true
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

func TestWithAKeyTheLLMSummarizesWhatNamesNoModel(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := keyedRig(t, yt)

	var st struct {
		DefaultModel string            `json:"default_model"`
		Defaults     map[string]string `json:"defaults"`
		Theme        string            `json:"theme"`
	}
	r.mustJSON("GET", "/api_status", nil, 200, &st)
	if st.DefaultModel != "gemini-2.5-flash" {
		t.Fatalf("default_model with a Gemini key = %q, want gemini-2.5-flash", st.DefaultModel)
	}
	if st.Defaults["style"] != "audio" || st.Defaults["length"] != "medium" || st.Theme != "system" {
		t.Fatalf("defaults %v theme %q", st.Defaults, st.Theme)
	}

	// The user changes the defaults in Settings (the window's door).
	app := NewApp(context.Background(), r.svc, nil)
	if _, err := app.SaveSettings(config.Patch{"default_style": "key_points", "default_length": "short", "theme": "dark"}); err != nil {
		t.Fatal(err)
	}
	r.mustJSON("GET", "/api_status", nil, 200, &st)
	if st.Defaults["style"] != "key_points" || st.Defaults["length"] != "short" || st.Theme != "dark" {
		t.Fatalf("after the change: defaults %v theme %q", st.Defaults, st.Theme)
	}

	// HTTP: a request with only the link.
	var job struct {
		Results []ytsum.Result `json:"results"`
	}
	r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{youtubetest.WatchURL(youtubetest.VideoID)}, "force_sync": true}, 200, &job)
	if len(job.Results) != 1 || job.Results[0].Summary == nil {
		b, _ := json.Marshal(job)
		t.Fatalf("job: %s", b)
	}
	res := job.Results[0]
	if res.ModelUsed != "gemini-2.5-flash" || !strings.HasPrefix(*res.Summary, llmfake.Sentinel) {
		t.Fatalf("HTTP: model %q summary %.80q; want the LLM's", res.ModelUsed, *res.Summary)
	}
	s, err := r.svc.lib.Latest(youtubetest.VideoID)
	if err != nil || s.Style != "key_points" || s.Length != "short" {
		t.Fatalf("saved summary style %q length %q (%v); want the saved defaults", s.Style, s.Length, err)
	}

	// CLI: `ytsum summarize URL` with no flags, a second video.
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	second := youtubetest.DefaultCatalogue().Videos[1].ID
	if code := r.svc.SummarizeCLI(ctx, CLIRequest{URLs: []string{youtubetest.WatchURL(second)}, JSON: true}, &out, &errb); code != 0 {
		t.Fatalf("CLI exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), llmfake.Sentinel) || !strings.Contains(out.String(), `"model_used": "gemini-2.5-flash"`) {
		t.Fatalf("CLI output is not the LLM's: %.300s", out.String())
	}
}

func TestSpeechFollowsTheSummarysLanguage(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := keyedRig(t, yt)
	var job struct {
		Results []ytsum.Result `json:"results"`
	}
	r.mustJSON("POST", "/summarize", map[string]any{"urls": []string{youtubetest.WatchURL(youtubetest.VideoID)},
		"language": "de", "force_sync": true}, 200, &job)
	text, lang, err := summaryTexts{r.svc.lib}.SummarySpeech(context.Background(), youtubetest.VideoID)
	if err != nil || lang != "de" || !strings.HasPrefix(text, llmfake.Sentinel) {
		t.Fatalf("SummarySpeech = %.40q, %q, %v; want the summary in de", text, lang, err)
	}
	// GET /api/voices?language=de lists German voices (and the offline one) only.
	var v struct {
		Voices map[string]struct {
			LanguageCode string `json:"language_code"`
		} `json:"voices"`
		Default string `json:"default_voice"`
	}
	r.mustJSON("GET", "/api/voices?language=de", nil, 200, &v)
	if !strings.HasPrefix(v.Default, "de-") || len(v.Voices) == 0 {
		t.Fatalf("voices for de: default %q, %d voices", v.Default, len(v.Voices))
	}
	for id, x := range v.Voices {
		if id != "offline" && !strings.HasPrefix(x.LanguageCode, "de") {
			t.Errorf("voice %s (%s) listed for de", id, x.LanguageCode)
		}
	}
}

// The window (the user at the keyboard) keeps the stored key on a base-URL
// change; the HTTP API clears it, so the new host never receives it.
func TestBaseURLChangeKeepsTheKeyOnlyInTheWindow(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	attacker := newFakeLLMHost(t)
	for _, door := range []string{"window", "http"} {
		t.Run(door, func(t *testing.T) {
			r := openReaderRig(t, t.TempDir(), yt, &memKeyring{})
			if _, err := r.svc.cfg.ApplyTrusted(context.Background(), config.Patch{"gemini_api_key": "AIzaFakeKeyForTests0123456789"}); err != nil {
				t.Fatal(err)
			}
			patch := map[string]any{"gemini_base_url": attacker.URL}
			var cleared []string
			if door == "window" {
				v, err := NewApp(context.Background(), r.svc, nil).SaveSettings(readerJSON(t, patch))
				if err != nil {
					t.Fatal(err)
				}
				cleared = v.ClearedSecrets
			} else {
				var v struct {
					Cleared []string `json:"cleared_secrets"`
				}
				r.mustJSON("POST", "/settings", patch, 200, &v)
				cleared = v.Cleared
			}
			has := r.svc.cfg.HasSecret(context.Background(), "gemini_api_key")
			if door == "window" && (!has || len(cleared) != 0) {
				t.Fatalf("window: key kept %v, cleared %v; want kept", has, cleared)
			}
			if door == "http" && (has || strings.Join(cleared, ",") != "gemini_api_key") {
				t.Fatalf("http: key kept %v, cleared %v; want cleared", has, cleared)
			}
		})
	}
}
