package ask

import (
	"reflect"
	"testing"

	"ytsum/backend/ytsum"
)

func TestCheckCitations(t *testing.T) {
	mk := func(vid string, start, end float64, text string) Passage {
		return Passage{VideoID: vid, Start: start, End: end, Text: text, Segs: []ytsum.Segment{{Start: start, Duration: end - start, Text: text}}}
	}
	one := []citeSource{{videoID: "A", passages: []Passage{mk("A", 60, 120, "battery lasts eleven hours"), mk("A", 3720, 3780, "the price is low")}}}
	two := []citeSource{
		{label: "V1", videoID: "A", passages: []Passage{mk("A", 60, 120, "alpha words")}},
		{label: "V2", videoID: "B", passages: []Passage{mk("B", 60, 90, "beta words"), mk("B", 300, 360, "gamma words")}},
	}
	type cit struct {
		video string
		at    int
		mark  string
	}
	tests := []struct {
		name     string
		sources  []citeSource
		answer   string
		wantText string
		want     []cit
	}{
		{"covered", one, "It lasts eleven hours [01:30].", "It lasts eleven hours [01:30].", []cit{{"A", 90, "[01:30]"}}},
		{"start rounding and end", one, "A [01:00] b [02:00].", "A [01:00] b [02:00].", []cit{{"A", 60, "[01:00]"}, {"A", 120, "[02:00]"}}},
		{"outside every passage is dropped", one, "It is blue [05:00]. It lasts [01:10].", "It is blue. It lasts [01:10].", []cit{{"A", 70, "[01:10]"}}},
		{"hour format", one, "Cheap [1:02:30].", "Cheap [1:02:30].", []cit{{"A", 3750, "[1:02:30]"}}},
		{"several in one bracket, one bad", one, "X [01:05, 09:00; 1:02:01].", "X [01:05, 1:02:01].", []cit{{"A", 65, "[01:05, 1:02:01]"}, {"A", 3721, "[01:05, 1:02:01]"}}},
		{"not citations are left alone", one, "See [the manual] and [note 3] [12:99].", "See [the manual] and [note 3].", nil},
		{"duplicates once", one, "A [01:05]. B [01:05].", "A [01:05]. B [01:05].", []cit{{"A", 65, "[01:05]"}}},
		{"library labels", two, "Alpha [V1 01:10], beta [V2 05:10], wrong video [V1 05:10], unknown [V9 01:10].",
			"Alpha [V1 01:10], beta [V2 05:10], wrong video, unknown.", []cit{{"A", 70, "[V1 01:10]"}, {"B", 310, "[V2 05:10]"}}},
		{"library without label: only when one video covers it", two, "Gamma [05:10]; ambiguous [01:10].",
			"Gamma [05:10]; ambiguous.", []cit{{"B", 310, "[05:10]"}}},
		{"nothing to cite", one, "The video doesn't say.", "The video doesn't say.", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, cits := checkCitations(tc.answer, tc.sources)
			if text != tc.wantText {
				t.Errorf("text = %q\nwant   %q", text, tc.wantText)
			}
			var got []cit
			for _, c := range cits {
				if c.Quote == "" {
					t.Errorf("citation %+v without quote", c)
				}
				got = append(got, cit{c.VideoID, c.StartSeconds, c.Mark})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("citations = %+v\nwant        %+v", got, tc.want)
			}
		})
	}
}
