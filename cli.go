package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"ytsum/backend/jobs"

	"ytsum/backend/events"
	"ytsum/backend/httpapi"
	"ytsum/backend/ytsum"
)

// CLIRequest is what `ytsum summarize` was asked to do.
type CLIRequest struct {
	URLs                             []string
	Model, Style, Length, Language   string
	PreferPlaylist, Regenerate, JSON bool
	// Limit is how many of a channel link's newest uploads (0: the setting).
	Limit int
}

// SummarizeCLI runs req through the job engine (the same pipeline as the
// window and the HTTP API), progress on stderr and results on stdout, and
// returns the exit status of API.md §1: 0 when every item succeeded, 1 when
// any failed.
func (s *Backend) SummarizeCLI(ctx context.Context, req CLIRequest, stdout, stderr io.Writer) int {
	if req.Model == "" {
		// default_model, as /api_status reports it: waits for the probe of
		// local LLM servers (≤ 1.5 s) so a found server is not missed.
		req.Model = s.sum.DefaultModel(ctx)
	}
	jr := jobs.Request{URLs: req.URLs, PreferPlaylist: req.PreferPlaylist, Limit: req.Limit,
		Options: ytsum.SummaryOptions{Model: req.Model, Style: req.Style, Length: req.Length,
			Language: req.Language, Regenerate: req.Regenerate}}
	// Subscribe before submitting, so no change of the new job is missed;
	// the reporter keeps only the job's own events once its id is known.
	sub := s.broker.Subscribe(events.Filter{Types: []string{ytsum.EventJob}})
	defer sub.Close()
	ids := make(chan string, 1)
	reported := make(chan struct{})
	go func() { defer close(reported); reportProgress(ctx, sub, ids, stderr) }()
	job, err := s.engine.Submit(ctx, jr)
	if err != nil {
		close(ids)
		fmt.Fprintf(stderr, "ytsum: %s\n", ytsum.ErrorMessage(err))
		return 1
	}
	id := job.ID
	ids <- id
	job, err = s.engine.Wait(ctx, id)
	sub.Close()
	<-reported
	if err != nil {
		if ctx.Err() != nil {
			s.engine.Cancel(context.WithoutCancel(ctx), id)
			fmt.Fprintln(stderr, "ytsum: cancelled")
			return 1
		}
		fmt.Fprintf(stderr, "ytsum: %s\n", ytsum.ErrorMessage(err))
		return 1
	}
	fmt.Fprintf(stderr, "[%d/%d] %s\n", job.Progress, job.TotalItems, job.Status)
	if job.Status == ytsum.JobFailed && job.Error != nil {
		fmt.Fprintf(stderr, "ytsum: %s\n", *job.Error)
	}
	if req.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		results := job.Results
		if results == nil {
			results = []ytsum.Result{}
		}
		enc.Encode(results)
	} else {
		printResults(stdout, job.Results)
	}
	if job.Status != ytsum.JobCompleted || anyFailed(job.Results) {
		return 1
	}
	return 0
}

// reportProgress prints one line per progress change of the job whose id
// arrives on ids, until the subscription closes. Events that come before the
// id are held back and then filtered.
func reportProgress(ctx context.Context, sub *events.Subscription, ids <-chan string, w io.Writer) {
	id, ok := <-ids
	if !ok {
		return
	}
	last := -1
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			return
		}
		if ev.JobID != id {
			continue
		}
		var j ytsum.Job
		if json.Unmarshal(ev.Data, &j) != nil || j.Status.Terminal() || j.Progress == last {
			continue // the final line is printed from the finished job
		}
		last = j.Progress
		item := j.CurrentItem
		if item == "" {
			item = string(j.Status)
		}
		fmt.Fprintf(w, "[%d/%d] %s\n", j.Progress, j.TotalItems, item)
	}
}

func anyFailed(rs []ytsum.Result) bool {
	for _, r := range rs {
		if r.Error != nil || anyFailed(r.Summaries) {
			return true
		}
	}
	return false
}

func printResults(w io.Writer, rs []ytsum.Result) {
	for i, r := range rs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		switch r.Type {
		case ytsum.ResultError:
			fmt.Fprintf(w, "✗ %s\n  %s\n", r.URL, *r.Error)
		case ytsum.ResultPlaylist, ytsum.ResultChannel:
			what := "Playlist"
			if r.Type == ytsum.ResultChannel {
				what = "Channel"
			}
			fmt.Fprintf(w, "# %s: %s\n", what, r.Title)
			if r.Error != nil {
				fmt.Fprintf(w, "✗ %s\n", *r.Error)
			}
			for _, v := range r.Summaries {
				fmt.Fprintln(w)
				printVideo(w, v, "##")
			}
		default:
			printVideo(w, r, "#")
		}
	}
}

func printVideo(w io.Writer, r ytsum.Result, h string) {
	fmt.Fprintf(w, "%s %s\n%s\n", h, r.Title, r.VideoURL)
	if r.Error != nil {
		fmt.Fprintf(w, "✗ %s\n", *r.Error)
		return
	}
	if r.Summary != nil {
		fmt.Fprintf(w, "\n%s\n", *r.Summary)
	}
}

// DoctorCLI explains where the transcript of the video rawURL comes from
// (`ytsum doctor`): the diagnosis as text, or with asJSON as the JSON of
// POST /diagnose, on stdout. It returns 0 when a transcript was found, 1
// when none was (or the diagnosis could not run), 2 for a link that is not
// a video link.
func (s *Backend) DoctorCLI(ctx context.Context, rawURL string, asJSON bool, stdout, stderr io.Writer) int {
	d, err := s.api.Diagnose(ctx, httpapi.DiagnoseRequest{URL: rawURL})
	if err != nil {
		fmt.Fprintf(stderr, "ytsum: %s\n", ytsum.ErrorMessage(err))
		if ytsum.ErrorCode(err) == ytsum.CodeInvalid {
			return exitUsage
		}
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return 1
		}
	} else if err := d.WriteText(stdout); err != nil {
		return 1
	}
	if d.Chosen == nil {
		return 1
	}
	return 0
}

// ImportCLI imports the original app's cache at path and prints the report.
func (s *Backend) ImportCLI(ctx context.Context, path string, stdout, stderr io.Writer) int {
	r, err := s.lib.Import(ctx, path)
	if err != nil {
		fmt.Fprintf(stderr, "ytsum: %s\n", ytsum.ErrorMessage(err))
		return 1
	}
	fmt.Fprintln(stdout, r.String())
	for _, f := range r.Failures {
		fmt.Fprintf(stderr, "  %s: %s\n", f.VideoID, f.Reason)
	}
	if r.IndexingPending > 0 {
		// The summaries are saved; the index takes them in while this
		// waits. Stopping now loses nothing: the rest is indexed after the
		// app's next start.
		fmt.Fprintln(stderr, "Indexing them for search (Ctrl-C to stop; what is left is indexed the next time ytsum starts)…")
		if err := s.lib.WaitIndexed(ctx); err != nil {
			if ctx.Err() == nil { // the indexing failed, not a Ctrl-C
				fmt.Fprintf(stderr, "ytsum: %s\n", ytsum.ErrorMessage(err))
			}
			fmt.Fprintln(stderr, "Stopped; the rest of the index is built the next time ytsum starts.")
			return 0
		}
		fmt.Fprintln(stderr, "Search finds them all now.")
	}
	return 0
}
