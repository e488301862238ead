package library

import (
	"context"
	"testing"
	"time"
)

func TestQueryFiltersAndSorts(t *testing.T) {
	e := MustOpen(t)
	defer e.close(t)
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	for i, c := range []struct{ id, title, channel, model string }{
		{"aaaaaaaaaaa", "Zebra crossings", "Roads", "local"},
		{"bbbbbbbbbbb", "apples", "Food", "gemini-2.5-flash"},
		{"ccccccccccc", "Mangoes", "food", "local"},
	} {
		s := e.summary(c.id, c.title, "Text.", t0.Add(time.Duration(i)*time.Hour))
		s.Channel, s.Model = c.channel, c.model
		if err := e.lib.Save(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(q Query) ([]string, int) {
		items, total, err := e.lib.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, it.Summary.ID)
		}
		return out, total
	}
	for _, tt := range []struct {
		name  string
		q     Query
		want  []string
		total int
	}{
		{"newest first", Query{}, []string{"ccccccccccc", "bbbbbbbbbbb", "aaaaaaaaaaa"}, 3},
		{"oldest first, paged", Query{Sort: "oldest", Offset: 1, Limit: 1}, []string{"bbbbbbbbbbb"}, 3},
		{"title, case-insensitive", Query{Sort: "title"}, []string{"bbbbbbbbbbb", "ccccccccccc", "aaaaaaaaaaa"}, 3},
		{"channel filter ignores case", Query{Channel: "FOOD"}, []string{"ccccccccccc", "bbbbbbbbbbb"}, 2},
		{"model filter, page past the end", Query{Model: "local", Offset: 5}, nil, 2},
	} {
		got, total := ids(tt.q)
		if total != tt.total || len(got) != len(tt.want) {
			t.Fatalf("%s: got %v (total %d), want %v (total %d)", tt.name, got, total, tt.want, tt.total)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Fatalf("%s: got %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}
