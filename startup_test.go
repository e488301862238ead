package main

import (
	"context"
	"strings"
	"testing"

	"ytsum/backend/youtube/youtubetest"
)

// The page's start-up report is one log line per stage, with the fields
// scripts/bench-window.sh reads (it polls for "form usable (painted)").
func TestReportStartupLogsTheMarks(t *testing.T) {
	yt := youtubetest.MustStart(t, youtubetest.DefaultCatalogue())
	r := openRig(t, t.TempDir(), yt, &memKeyring{})
	app := NewApp(context.Background(), r.svc, nil)
	m := StartupMarks{Stage: "form", TimeOrigin: 1796656612772.4, HTML: 65, Script: 179.6, Render: 203, Paint: 493}
	if err := app.ReportStartup(m); err != nil {
		t.Fatalf("ReportStartup = %v", err)
	}
	m.Stage, m.Answered = "answered", 512
	if err := app.ReportStartup(m); err != nil {
		t.Fatal(err)
	}
	logs := r.logs.String()
	for _, want := range []string{
		`msg="window: form usable (painted)" stage=form time_origin_ms=1796656612772 html_ms=65 bundle_ms=0 script_ms=179 render_ms=203 paint_ms=493 answered_ms=0`,
		`msg="window: startup marks" stage=answered time_origin_ms=1796656612772 html_ms=65 bundle_ms=0 script_ms=179 render_ms=203 paint_ms=493 answered_ms=512`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q; it has:\n%s", want, logs)
		}
	}
	if strings.Count(logs, "form usable") != 1 {
		t.Errorf("want one 'form usable' line:\n%s", logs)
	}
}
