package main

import (
	"ytsum/backend/httpapi"
	"ytsum/backend/youtube"
)

// Diagnose explains where the transcript of the video req.URL names comes
// from: every source asked, its answer, every track seen and the choice
// (POST /diagnose; the Diagnostics screen's "Check a link").
func (a *App) Diagnose(req httpapi.DiagnoseRequest) (youtube.Diagnosis, error) {
	return a.api.Diagnose(a.callCtx(), req)
}
