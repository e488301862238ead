package youtube

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSplitEntries(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
	}{
		{[]string{"https://youtu.be/a\n\n  https://youtu.be/b  \n"}, []string{"https://youtu.be/a", "https://youtu.be/b"}},
		{[]string{"https://youtu.be/a https://youtu.be/b,https://youtu.be/c"}, []string{"https://youtu.be/a", "https://youtu.be/b", "https://youtu.be/c"}},
		// Text that is not all links stays one entry: one error item, not one per word.
		{[]string{"not a url"}, []string{"not a url"}},
		{[]string{"Check this: https://youtu.be/a"}, []string{"Check this: https://youtu.be/a"}},
		{[]string{"   ", ""}, nil},
	}
	for _, tt := range tests {
		if got := SplitEntries(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitEntries(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAppLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ytsum://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
		{"ytsum://summarize?url=https%3A%2F%2Fwww.youtube.com%2Fplaylist%3Flist%3DPL123", "https://www.youtube.com/playlist?list=PL123"},
		{"ytsum://", ""},
		{"https://youtu.be/dQw4w9WgXcQ", ""},
	}
	for _, tt := range tests {
		got, ok := AppLink(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("AppLink(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// Ensure ExtractLinks finds the ids of the shared link table, which the
// frontend's hint splitter is tested against too (frontend/test/urls.test.ts).
func TestSharedLinkTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "links.json"))
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Cases []struct {
			Name string   `json:"name"`
			In   string   `json:"in"`
			IDs  []string `json:"ids"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &table); err != nil || len(table.Cases) == 0 {
		t.Fatalf("links.json: %v", err)
	}
	for _, tc := range table.Cases {
		ids := []string{}
		for _, raw := range ExtractLinks(tc.In) {
			l, err := Parse(raw, false)
			if err != nil {
				t.Errorf("%s: Parse(%q): %v", tc.Name, raw, err)
				continue
			}
			id := l.VideoID
			if l.Kind == Playlist {
				id = l.PlaylistID
			}
			ids = append(ids, id)
		}
		if !reflect.DeepEqual(ids, tc.IDs) {
			t.Errorf("%s: ids %q, want %q", tc.Name, ids, tc.IDs)
		}
	}
}
