package config

import (
	"reflect"
	"strings"
	"sync"
	"unicode"
)

// FieldSchema describes one setting or secret for a settings form. The
// schema is derived from the fields table (and secretSpecs): a row added
// there appears in the form by itself, in the section it is written in.
type FieldSchema struct {
	Key string `json:"key"`
	// Type is "string", "text" (several lines), "bool", "int", "number",
	// "list" (of strings) or "secret" (write-only; the view says whether
	// it is set).
	Type    string   `json:"type"`
	Label   string   `json:"label"`
	Group   string   `json:"group"`
	Doc     string   `json:"doc"`
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Choices []Choice `json:"choices,omitempty"`
	// Restart is set when a change applies only after a restart.
	Restart bool `json:"restart"`
	// Env names the environment variable that overrides it, if any.
	Env string `json:"env,omitempty"`
}

// Choice is one allowed value of an enumerated setting.
type Choice struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// sections name the parts of the settings form, in order: each starts at
// its first key in the fields table and runs to the next section's first
// key, so a new row joins the section it is written in.
var sections = []struct{ first, name string }{
	{"default_model", "Summaries and models"},
	{"transcript_languages", "YouTube"},
	{"async_processing", "Jobs"},
	{"tts_voice", "Voice and audio"},
	{"http_enabled", "HTTP server and login"},
	{"alert_response_seconds", "Alerts"},
	{"theme", "Interface"},
	{"insecure_file_keystore", "Keychain"},
}

// secretSections put the secrets into the form's sections.
var secretSections = map[string]string{
	SecretGeminiKey: "Summaries and models", SecretOpenAIKey: "Summaries and models",
	SecretTTSKey: "Voice and audio", SecretTTSCredentials: "Voice and audio",
	SecretLoginPasscode: "HTTP server and login",
}

// labels are the form labels a key does not spell well by itself.
var labels = map[string]string{
	"ytdlp_fallback":            "Use yt-dlp when captions cannot be fetched",
	"subscriptions_skip_shorts": "Skip Shorts of followed channels",
	"insecure_file_keystore":    "Allow keeping keys in a file (less safe)",
	"sse_enabled":               "Live updates (server-sent events)",
	"async_processing":          "Run summaries as jobs",
	"sse_heartbeat_seconds":     "Heartbeat interval (seconds)",
	"ui_language":               "Interface language",
	"openai_base_url":           "OpenAI-compatible API URL",
	"gemini_base_url":           "Gemini API URL",
	"openai_concurrency":        "OpenAI concurrency",
}

// choiceLabels are the labels of choices that do not read well as values.
var choiceLabels = map[string]string{
	"audio": "For listening", "key_points": "Key points", "custom": "Custom prompt",
	"prefer_video": "Just the video", "prefer_playlist": "The whole playlist",
}

// choicesAt records the values oneOf allows, by the offset of the checked
// field in Settings, so the schema can offer them.
var (
	choicesMu sync.Mutex
	choicesAt = map[uintptr][]string{}
)

// registerChoices records the values oneOf allows for the field p points at.
func registerChoices(p func(*Settings) *string, values []string) {
	var probe Settings
	off := reflect.ValueOf(p(&probe)).Pointer() - reflect.ValueOf(&probe).Pointer()
	choicesMu.Lock()
	choicesAt[off] = values
	choicesMu.Unlock()
}

func choicesOf(f *field) []Choice {
	var probe Settings
	off := reflect.ValueOf(f.ptr(&probe)).Pointer() - reflect.ValueOf(&probe).Pointer()
	choicesMu.Lock()
	values := choicesAt[off]
	choicesMu.Unlock()
	var out []Choice
	for _, v := range values {
		l := choiceLabels[v]
		if l == "" {
			l = humanize(v)
		}
		out = append(out, Choice{Value: v, Label: l})
	}
	return out
}

// humanize turns a key into a label: "default_model" -> "Default model".
func humanize(key string) string {
	s := strings.ReplaceAll(key, "_", " ")
	for _, w := range []string{"api", "url", "tts", "http", "sse", "cpu", "mb"} {
		s = strings.ReplaceAll(" "+s+" ", " "+w+" ", " "+strings.ToUpper(w)+" ")
		s = strings.TrimSpace(s)
	}
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// Schema describes every setting and secret (but the API token, which has
// its own actions) in form order.
func Schema() []FieldSchema {
	return schema
}

var schema = func() []FieldSchema {
	start := map[string]string{}
	for _, s := range sections {
		start[s.first] = s.name
	}
	group := "Settings"
	out := make([]FieldSchema, 0, len(fields)+len(secretSpecs))
	for i := range fields {
		f := &fields[i]
		if g, ok := start[f.key]; ok {
			group = g
		}
		fs := FieldSchema{Key: f.key, Group: group, Doc: f.doc, Restart: f.restart, Env: f.env,
			Min: f.min, Max: f.max, Choices: choicesOf(f), Label: labels[f.key]}
		if fs.Label == "" {
			fs.Label = humanize(f.key)
		}
		var probe Settings
		switch reflect.TypeOf(f.ptr(&probe)).Elem().Kind() {
		case reflect.Bool:
			fs.Type = "bool"
		case reflect.Int:
			fs.Type = "int"
		case reflect.Float64:
			fs.Type = "number"
		case reflect.Slice:
			fs.Type = "list"
		default:
			fs.Type = "string"
			if strings.Contains(f.key, "prompt") {
				fs.Type = "text"
			}
		}
		out = append(out, fs)
	}
	for _, sp := range secretSpecs {
		if sp.name == SecretAPIToken {
			continue
		}
		g := secretSections[sp.name]
		if g == "" {
			g = "Keys and secrets"
		}
		label := strings.TrimPrefix(sp.label, "the ")
		if r := []rune(label); len(r) > 0 {
			label = string(unicode.ToUpper(r[0])) + string(r[1:])
		}
		env := ""
		if len(sp.env) > 0 {
			env = sp.env[0]
		}
		out = append(out, FieldSchema{Key: sp.name, Type: "secret", Label: label, Group: g, Doc: sp.doc, Env: env})
	}
	return out
}()
