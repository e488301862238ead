package config_test

import (
	"context"
	"fmt"
	"testing"

	"ytsum/backend/config"
)

// Ensure transcript_languages is empty (automatic: no machine translation)
// by default; a version-1 store's ["en"], which every saved form carried
// while it was the default, reads as unset; any other saved list, and a
// choice saved since, is kept.
func TestTranscriptLanguagesMigration(t *testing.T) {
	if d := config.Defaults(); d.TranscriptLanguages == nil || len(d.TranscriptLanguages) != 0 {
		t.Fatalf("default transcript_languages = %#v, want empty", d.TranscriptLanguages)
	}
	tests := []struct {
		name, doc string
		want      string
	}{
		{"v1 old default", `{"version":1,"settings":{"transcript_languages":["en"],"theme":"dark"}}`, "[]"},
		{"v1 chosen list", `{"version":1,"settings":{"transcript_languages":["de","en"]}}`, "[de en]"},
		{"v1 other single", `{"version":1,"settings":{"transcript_languages":["fr"]}}`, "[fr]"},
		{"v2 explicit en", `{"version":2,"settings":{"transcript_languages":["en"]}}`, "[en]"},
		{"nothing saved", ``, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.store.data = []byte(tt.doc)
			c := f.MustLoad(t)
			if got := fmt.Sprint(c.Current().TranscriptLanguages); got != tt.want {
				t.Fatalf("transcript_languages = %s, want %s", got, tt.want)
			}
		})
	}

	// Choosing English explicitly now survives a restart.
	f := newFixture(t)
	f.store.data = []byte(`{"version":1,"settings":{"theme":"dark"}}`)
	c := f.MustLoad(t)
	if _, err := c.Apply(context.Background(), patchOf(t, `{"transcript_languages":["en"]}`)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(f.MustLoad(t).Current().TranscriptLanguages); got != "[en]" {
		t.Fatalf("after restart: %s, want [en] (%s)", got, f.store.data)
	}
}
