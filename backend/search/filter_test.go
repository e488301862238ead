package search

import (
	"context"
	"reflect"
	"testing"
)

// SearchIDs keeps Search's ranking and only removes the documents outside
// ids: nil ids is every document, an empty set none.
func TestSearchIDsFilters(t *testing.T) {
	ix := MustOpen(t, corpus...)
	ctx := context.Background()
	all, err := ix.Search(ctx, "rust", 0)
	if err != nil || len(all.Hits) != 3 {
		t.Fatalf("Search(rust) = %v %v", hitIDs(all), err)
	}
	for _, c := range []struct {
		name string
		ids  []string
		want []string
	}{
		{"nil: all", nil, hitIDs(all)},
		{"empty: none", []string{}, nil},
		{"two of three, in Search's order", []string{"transcript-rust", "title-rust", "cafe"}, drop(hitIDs(all), "summary-rust")},
		{"none matching", []string{"cafe", "tokyo"}, nil},
		{"unknown ids", []string{"nope"}, nil},
	} {
		got, err := ix.SearchIDs(ctx, "rust", 0, c.ids)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ids := hitIDs(got); !reflect.DeepEqual(ids, c.want) {
			t.Errorf("%s: SearchIDs = %v, want %v", c.name, ids, c.want)
		}
	}
}

func drop(xs []string, x string) []string {
	var out []string
	for _, y := range xs {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}
