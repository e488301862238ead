package youtube

import (
	"reflect"
	"testing"

	"ytsum/backend/ytsum"
)

func TestParseTimedText(t *testing.T) {
	fixture := []ytsum.Segment{
		{Start: 0, Duration: 1.54, Text: "Hey, this is just a test"},
		{Start: 1.54, Duration: 4.16, Text: "this is not the original transcript"},
		{Start: 5.7, Duration: 3.239, Text: "just something shorter, I made up for testing"},
	}
	tests := []struct {
		name    string
		body    []byte
		want    []ytsum.Segment
		wantErr bool
	}{
		{"classic fixture", mustFixture(t, "transcript.xml"), fixture, false},
		{"srv3", srv3Body(), fixture, false},
		{"json3", json3Body(), fixture, false},
		{"double-escaped entities", []byte(`<?xml version="1.0" encoding="utf-8" ?><transcript>` +
			`<text start="1" dur="2">I&amp;#39;m &amp;quot;here&amp;quot; &amp;amp; there</text>` +
			`<text start="3">no dur &lt;b&gt;bold&lt;/b&gt;&#10;next line</text></transcript>`),
			[]ytsum.Segment{{Start: 1, Duration: 2, Text: `I'm "here" & there`}, {Start: 3, Duration: 0, Text: "no dur bold next line"}}, false},
		{"srv2 text t/d in ms", []byte(`<timedtext><text t="1500" d="2000" w="1">a &amp;amp; b</text></timedtext>`),
			[]ytsum.Segment{{Start: 1.5, Duration: 2, Text: "a & b"}}, false},
		{"byte order mark and HTML entity", []byte("\xef\xbb\xbf<transcript><text start=\"0\" dur=\"1\">caf&eacute;&nbsp;ok</text></transcript>"),
			[]ytsum.Segment{{Start: 0, Duration: 1, Text: "café ok"}}, false},
		{"json3 line breaks and style events", []byte(`{"wireMagic":"pb3","events":[{"tStartMs":0,"dDurationMs":5000,"id":1},` +
			`{"tStartMs":100,"dDurationMs":900,"segs":[{"utf8":"one"},{"utf8":"\n"},{"utf8":"two","tOffsetMs":40}]},` +
			`{"tStartMs":1000,"segs":[{"utf8":"\n"}]}]}`),
			[]ytsum.Segment{{Start: 0.1, Duration: 0.9, Text: "one two"}}, false},
		{"empty body", []byte("  \n"), nil, false},
		{"empty transcript", []byte(`<transcript></transcript>`), nil, false},
		{"HTML page", []byte(`<html><body>Sorry</body></html>`), nil, true},
		{"garbage", []byte(`not captions`), nil, true},
		{"broken json", []byte(`{"events":[`), nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTimedText(tc.body)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("segments\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

func FuzzParseTimedText(f *testing.F) {
	f.Add(mustFixture(f, "transcript.xml"))
	f.Add(srv3Body())
	f.Add(json3Body())
	f.Fuzz(func(t *testing.T, b []byte) {
		segs, err := ParseTimedText(b)
		if err != nil {
			return
		}
		for _, s := range segs {
			if s.Text == "" {
				t.Fatalf("empty segment from %q", b)
			}
		}
	})
}
