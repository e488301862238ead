package config

import (
	"reflect"
	"testing"
)

// Ensure the schema is derived from the fields table: every setting and
// secret (but the API token) once, in table order, with its type, bounds,
// choices, section and restart flag.
func TestSchemaFromTheFieldsTable(t *testing.T) {
	s := Schema()
	if want := len(fields) + len(secretSpecs) - 1; len(s) != want {
		t.Fatalf("%d entries, want %d", len(s), want)
	}
	byKey := map[string]FieldSchema{}
	for i, f := range s {
		if _, dup := byKey[f.Key]; dup {
			t.Fatalf("%s twice", f.Key)
		}
		byKey[f.Key] = f
		if i < len(fields) && f.Key != fields[i].key {
			t.Fatalf("entry %d is %s, want %s (table order)", i, f.Key, fields[i].key)
		}
		if f.Label == "" || f.Group == "" || f.Doc == "" || f.Type == "" {
			t.Errorf("%s: incomplete %+v", f.Key, f)
		}
	}
	if _, ok := byKey[SecretAPIToken]; ok {
		t.Error("the API token is in the form")
	}
	one := func(v float64) *float64 { return &v }
	tests := []struct {
		key      string
		typ      string
		group    string
		min, max *float64
		choices  []string
		restart  bool
	}{
		{"default_model", "string", "Summaries and models", nil, nil, nil, false},
		{"custom_prompt", "text", "Summaries and models", nil, nil, nil, false},
		{"default_style", "string", "Summaries and models", nil, nil, []string{"audio", "key_points", "chapters", "detailed", "custom"}, false},
		{"playlist_mode", "string", "YouTube", nil, nil, []string{PlaylistPreferVideo, PlaylistPreferPlaylist}, false},
		{"transcript_languages", "list", "YouTube", nil, nil, nil, false},
		{"worker_pool_size", "int", "Jobs", one(1), one(64), nil, true},
		{"alert_cpu_percent", "number", "Alerts", one(1), one(100), nil, true},
		{"sse_enabled", "bool", "Jobs", nil, nil, nil, false},
		{"theme", "string", "Interface", nil, nil, []string{ThemeSystem, ThemeLight, ThemeDark}, false},
		{SecretGeminiKey, "secret", "Summaries and models", nil, nil, nil, false},
	}
	for _, tt := range tests {
		f, ok := byKey[tt.key]
		if !ok {
			t.Errorf("%s missing", tt.key)
			continue
		}
		var choices []string
		for _, c := range f.Choices {
			choices = append(choices, c.Value)
			if c.Label == "" {
				t.Errorf("%s: choice %q without a label", tt.key, c.Value)
			}
		}
		if f.Type != tt.typ || f.Group != tt.group || !reflect.DeepEqual(f.Min, tt.min) || !reflect.DeepEqual(f.Max, tt.max) ||
			!reflect.DeepEqual(choices, tt.choices) || f.Restart != tt.restart {
			t.Errorf("%s: %+v (choices %v)", tt.key, f, choices)
		}
	}
}
