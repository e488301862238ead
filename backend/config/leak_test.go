package config_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"ytsum/backend/config"
	"ytsum/backend/ytsum"
)

// Ensure no response (view, error, error fields) and no log line ever holds
// a secret, through setting, replacing, failing and deleting them. Only the
// explicit token reveal returns one.
func TestNoSecretInResponsesOrLogs(t *testing.T) {
	secrets := []string{
		"AIzaSyLEAK-gemini-SECRET-0001", "AIzaSyLEAK-gemini-SECRET-0011", "sk-LEAK-openai-SECRET-0002",
		"AIzaLEAK-tts-SECRET-0003", "LEAK-passcode-SECRET", "sk-LEAK-env-SECRET-0004",
		"LEAK-custom-token-SECRET-0005", "LEAK-bad-value-SECRET",
	}
	f := newFixture(t, "GOOGLE_TTS_API_KEY", "sk-LEAK-env-SECRET-0004")
	c := f.MustLoad(t)
	ctx := context.Background()
	var out []string
	record := func(v any, err error) {
		b, _ := json.Marshal(v)
		out = append(out, string(b))
		if err != nil {
			var fe config.FieldErrors
			errors.As(err, &fe)
			body, _ := json.Marshal(map[string]any{"error": ytsum.ErrorMessage(err), "code": ytsum.ErrorCode(err), "fields": fe})
			out = append(out, err.Error(), string(body))
		}
	}
	apply := func(patch string) { record(c.Apply(ctx, patchOf(t, patch))) }

	apply(`{"gemini_api_key":"AIzaSyLEAK-gemini-SECRET-0001","openai_api_key":"sk-LEAK-openai-SECRET-0002",
		"login_passcode":"LEAK-passcode-SECRET","login_enabled":true,"api_token":"LEAK-custom-token-SECRET-0005"}`)
	apply(`{"gemini_api_key":"AIzaSyLEAK-gemini-SECRET-0011"}`)
	record(c.View(ctx))
	// Invalid values that contain secrets: wrong form, too long, env conflict, wrong type.
	apply(`{"gemini_api_key":"LEAK-bad-value-SECRET with spaces","theme":"LEAK-bad-value-SECRET"}`)
	apply(`{"openai_api_key":"` + strings.Repeat("LEAK-bad-value-SECRET", 300) + `"}`)
	apply(`{"tts_api_key":"AIzaLEAK-tts-SECRET-0003"}`)
	apply(`{"login_passcode":["LEAK-bad-value-SECRET"]}`)
	apply(`{"openai_base_url":"https://u:LEAK-bad-value-SECRET@example.com/v1"}`)
	apply(`{"custom_prompt":"LEAK-bad-value-SECRET","default_model":"LEAK-bad-value-SECRET with spaces"}`)
	apply(`{"LEAK-bad-value-SECRET":1}`)
	apply(`{"tts_credentials_file":"/LEAK-bad-value-SECRET"}`)
	// The keychain fails while keys are written and read.
	f.prov.mu.Lock()
	f.prov.err = errors.New("failed to unlock correct collection")
	f.prov.mu.Unlock()
	apply(`{"tts_api_key":"","openai_api_key":"sk-LEAK-openai-SECRET-0002"}`)
	apply(`{"insecure_file_keystore":true,"gemini_api_key":"AIzaSyLEAK-gemini-SECRET-0001"}`)
	f.prov.mu.Lock()
	f.prov.err = nil
	f.prov.mu.Unlock()
	apply(`{"insecure_file_keystore":false}`)
	c2 := f.MustLoad(t) // a restart
	_, err := c2.Secret(ctx, config.SecretOpenAIKey)
	record(nil, err)
	record(c2.View(ctx))
	_, err = c2.Secret(ctx, "LEAK-bad-value-SECRET")
	record(nil, err)
	record(c2.CheckAPIToken(ctx, "LEAK-bad-value-SECRET"), nil)
	c = c2
	apply(`{"gemini_api_key":null,"openai_api_key":"","login_enabled":false,"login_passcode":null}`)
	record(c.View(ctx))

	// Only the explicit reveal hands out a secret.
	if tok, err := c.RevealAPIToken(ctx); tok != "LEAK-custom-token-SECRET-0005" || err != nil {
		t.Fatalf("reveal = %v", err)
	}

	logs := f.logs.String()
	if !strings.Contains(logs, "secrets changed") || !strings.Contains(logs, "secret not saved") {
		t.Fatalf("the log lacks the expected lines, so the check below would prove little:\n%s", logs)
	}
	for _, s := range secrets {
		for i, o := range out {
			if strings.Contains(o, s) {
				t.Errorf("response %d holds %s: %s", i, s, o)
			}
		}
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %s", s)
		}
	}
	if len(out) < 20 {
		t.Fatalf("only %d responses checked", len(out))
	}
}
