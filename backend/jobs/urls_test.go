package jobs

import (
	"reflect"
	"testing"
)

func TestCleanURLs(t *testing.T) {
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
		if got := cleanURLs(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("cleanURLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
