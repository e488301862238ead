package config

import (
	"encoding/json"
	"reflect"
	"strings"
)

// Markdown returns the settings reference: one Markdown table with every
// setting and secret, its default, the environment variable that overrides
// it and whether it applies at once or after a restart. SETTINGS.md in this
// package is this text; a test keeps them equal.
func Markdown() string {
	var b strings.Builder
	b.WriteString(`# Settings

Every setting below is shown and changed in the app's Settings screen, through
` + "`GET /settings`" + ` and ` + "`POST /settings`" + ` of the HTTP API, and through the desktop
app's bound settings methods. ` + "`POST /settings`" + ` takes a JSON object of changes: a value sets
a setting, ` + "`null`" + ` resets it to its default; for a secret, a string sets or replaces it,
` + "`\"\"`" + ` or ` + "`null`" + ` deletes it. Invalid values are refused with one sentence per field and
nothing is changed.

Environment variables win over saved values; the Settings screen shows such a value as
"set by environment" and it cannot be changed there. Secrets are kept in the OS keychain
(or, only if you allow it, in a less safe 0600 file in the data folder) and are never shown
back: only whether they are set and where from (` + "`{\"set\":true,\"source\":\"keychain\"}`" + `), nothing
of the value. The API token alone can be revealed, by an explicit action. Changing
` + "`gemini_base_url`" + ` or ` + "`openai_base_url`" + ` through the HTTP API deletes that provider's stored key
unless the same change sends the key again, so a key never goes to an address it was not
given for; the desktop window (the user at the keyboard) keeps it.

| Setting | Default | Environment variable | Takes effect | Meaning |
|---|---|---|---|---|
`)
	d := Defaults()
	for _, f := range fields {
		def, _ := json.Marshal(reflect.ValueOf(f.ptr(&d)).Elem().Interface())
		env := "—"
		if f.env != "" {
			env = "`" + f.env + "`"
		}
		applies := "at once"
		if f.restart {
			applies = "after restart"
		}
		b.WriteString("| `" + f.key + "` | `" + string(def) + "` | " + env + " | " + applies + " | " + cell(f.doc) + " |\n")
	}
	for _, s := range secretSpecs {
		env := make([]string, len(s.env))
		for i, e := range s.env {
			env[i] = "`" + e + "`"
		}
		b.WriteString("| `" + s.name + "` (secret) | unset | " + strings.Join(env, " or ") + " | at once | " + cell(s.doc) + " |\n")
	}
	b.WriteString(`
Other environment variables (not settings): ` + "`YTSUM_DATA_DIR`" + ` (the data folder; default: the OS
config folder + ` + "`/ytsum`" + `), ` + "`YTSUM_YOUTUBE_URL`" + ` (default ` + "`" + DefaultYouTubeURL + "`" + `),
` + "`YTSUM_THUMBNAIL_URL`" + ` (default ` + "`" + DefaultThumbnailURL + "`" + `) and ` + "`YTSUM_TTS_URL`" + ` (default: the Cloud TTS endpoint).
Booleans in the environment accept true/false, 1/0, yes/no, on/off.
`)
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
